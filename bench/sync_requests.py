"""Requests and wall time of a Spotify sync of a heavy user's account, against the fake Spotify
(tests/fakes): 2,500 saved tracks, 12 playlists (about 1,700 items), 2,000 distinct artists, 85% of
them named as artists of the shipped catalog.

Run: TUNESCOPE_DATA_DIR=../shared/data .venv/bin/python bench/sync_requests.py [--dev-mode] [--rate-limit 7]
     [--artists 2045 --in-catalog 0.1] [--engine-root DIR] [--out bench/results/sync_requests.json]

--dev-mode: batch GET /artists?ids= answers 403, as in development mode.
--rate-limit N: every Nth API request answers 429 with Retry-After 1 or 2 s (as Spotify's limiter).
--artists N, --in-catalog F: the account's distinct artists and the share the catalog knows (2,000, 0.85).
    In development mode the artists' genres the sync left pending are then fetched as the dashboard does
    in the background (engine.library.spotify.genres_later), reported as "genres_later".
--engine-root DIR: sync with the `engine` package under DIR (e.g. an older checkout, for "before"),
    against this checkout's fake.
Prints one JSON line: requests of the full sync and of a re-sync of the unchanged account, wall times.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dev-mode", action="store_true")
    parser.add_argument("--rate-limit", type=int, default=0)
    parser.add_argument("--artists", type=int, default=2000)
    parser.add_argument("--in-catalog", type=float, default=0.85)
    parser.add_argument("--engine-root", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    sys.path[:0] = [str(args.engine_root.resolve()), str(ROOT / "tests" / "fakes")]

    from fake_spotify import FakeSpotify, HeavyShape

    from engine.library.spotify.auth import MappingCacheHandler, PendingSignIns, SpotifyAuth
    from engine.library.spotify.client import SpotifyClient
    from engine.library.spotify.sync import sync_library
    from engine.pipeline.facade import Tunescope

    shape = HeavyShape(artists=args.artists, in_catalog=args.in_catalog)
    with FakeSpotify(users={"heavy": 2800}, playlists=12, shape=shape, development_mode=args.dev_mode,
                     rate_limit_every=args.rate_limit) as fake, tempfile.TemporaryDirectory() as home:
        auth = SpotifyAuth(fake.client_id, MappingCacheHandler({}), PendingSignIns(), accounts_url=fake.accounts_url)
        answer = fake.authorize(auth.authorize_url())
        auth.sign_in(answer["code"], answer["state"])
        client = SpotifyClient(auth, api_url=fake.api_url, retries=8)
        store = Tunescope(Path(home)).store
        result = {"engine_root": "." if args.engine_root.resolve() == ROOT else args.engine_root.name, "dev_mode": args.dev_mode, "rate_limit_every": args.rate_limit}
        for name in ("full", "genres_later", "resync"):
            before, started = fake.api_requests(), time.monotonic()
            if name == "genres_later":
                try:
                    from engine.library.spotify.genres_later import fetch_pending_genres
                except ImportError:  # an engine from before genres were left for later
                    continue
                later = fetch_pending_genres(store, client, report.library_id)
                result[name] = {"requests": fake.api_requests() - before,
                                "wall_s": round(time.monotonic() - started, 1), "artists_asked": later.asked,
                                "with_genres": later.with_genres, "tracks_updated": later.tracks_updated}
                continue
            report = sync_library(store, client)
            result[name] = {"requests": fake.api_requests() - before, "wall_s": round(time.monotonic() - started, 1),
                            "tracks": report.tracks, "tracks_with_genres": report.tracks_with_genres,
                            "playlist_items": report.playlist_items,
                            "genres_pending": getattr(report, "genres_pending", 0)}
        result["artists"] = len(fake.users["heavy"].artists)
        result["too_early"], result["in_flight_at_429"] = fake.too_early, fake.in_flight_at_429
        store.close()
    print(json.dumps(result))
    if args.out:
        args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
