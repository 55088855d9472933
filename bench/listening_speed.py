"""How fast the Listening page opens on an extended streaming history of 100,000 plays.

Run: TUNESCOPE_DATA_DIR=../shared/data .venv/bin/python bench/listening_speed.py [--plays 100000] [--tracks 5000] [--rounds 5]
Writes bench/results/listening_speed.json and prints a markdown table.

The history is built from real tracks (TidyTuesday, ids and all; 90% known to the catalog, as in
bench/page_switch.py's library): `--plays` plays in Spotify's extended-history format over four years,
track popularity Zipf-like, lengths and skips drawn per play, split into files of 25,000 as Spotify does.
It is imported through the product's importer into an empty TUNESCOPE_HOME; the library is made ready
(enriched) as Home does after an import. Then, with Streamlit's AppTest (script time, as the server runs
it; browser rendering not included), in one run:
- first view: the first visit of the Listening page (plays read, clusters assigned, every table computed,
  charts drawn); goal ≤ 3 s. Measured twice: on a fresh server process (it also loads the cluster model,
  which imports scikit-learn: once per server, shared with every page that shows clusters), and with the
  models loaded but every listening cache and the library's cluster assignment cleared, as a newly
  imported library meets a running server;
- warm: the page again with the same choices, median and max over --rounds; goal ≤ 0.5 s;
- another period and another time zone (each computed once, then cached);
- baseline: a plain pandas read of the plays table and two groupbys (listening time per month, top 50
  artists by time) on the same store, the least any such page must do.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from page_switch import visit  # bench/ is the script's folder, first on the path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
FILE_PLAYS = 25_000


def history_files(plays: int, tracks: int, folder: Path) -> list[Path]:
    from engine.catalog import datasets as reference

    songs = reference._read("tidytuesday_spotify_songs.parquet").drop_duplicates("track_id")
    songs = songs.sample(tracks, random_state=0).reset_index(drop=True)
    rng = np.random.default_rng(0)
    popularity = 1.0 / np.arange(1, tracks + 1) ** 0.9
    picks = rng.choice(tracks, size=plays, p=popularity / popularity.sum())
    start = np.datetime64("2021-01-01T00:00:00")
    seconds = np.sort(rng.integers(0, 4 * 365 * 86400, size=plays))
    stamps = np.datetime_as_string(start + seconds.astype("timedelta64[s]"), unit="s")
    skipped = rng.random(plays) < 0.25
    full = songs["duration_ms"].to_numpy()[picks].astype(float)
    ms = np.where(skipped, rng.uniform(1_000, 40_000, plays), full).astype(int)
    rows = [{"ts": f"{ts}Z", "ms_played": int(m), "master_metadata_track_name": songs.at[i, "track_name"],
             "master_metadata_album_artist_name": songs.at[i, "track_artist"],
             "master_metadata_album_album_name": songs.at[i, "track_album_name"],
             "spotify_track_uri": f"spotify:track:{songs.at[i, 'track_id']}", "skipped": bool(s)}
            for ts, m, i, s in zip(stamps, ms, picks, skipped)]
    paths = []
    for n, first in enumerate(range(0, plays, FILE_PLAYS)):
        path = folder / f"Streaming_History_Audio_{n}.json"
        path.write_text(json.dumps(rows[first:first + FILE_PLAYS]))
        paths.append(path)
    return paths


def baseline(store, library_id: int) -> float:
    """A plain pandas read and groupby: listening time per month and the top 50 artists by time."""
    import pandas as pd

    started = time.perf_counter()
    plays = pd.read_sql_query("select p.played_at, p.ms_played, t.artists from plays p join library_tracks t "
                              "on t.library_id = p.library_id and t.key = p.key where p.library_id = ?",
                              store.db.conn, params=[library_id])
    plays.groupby(plays["played_at"].str[:7])["ms_played"].sum()
    plays.groupby("artists")["ms_played"].sum().nlargest(50)
    return time.perf_counter() - started


def rerun(at) -> float:
    started = time.perf_counter()
    at.run()
    if at.exception:
        raise SystemExit(at.exception[0].message)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=100_000)
    parser.add_argument("--tracks", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ["TUNESCOPE_HOME"] = home = tempfile.mkdtemp(prefix="tunescope_bench_")
    from streamlit.testing.v1 import AppTest

    from dashboard import resources
    from engine.library.imports import import_files

    files = history_files(args.plays, args.tracks, Path(home))
    store = resources.store()  # the server's store, through the façade (engine.pipeline.facade)
    started = time.perf_counter()
    report = import_files(store, files, name="Bench: extended history")
    import_s = time.perf_counter() - started
    library_id = report.library_id
    started = time.perf_counter()
    ready = resources.enriched(library_id)  # what Home does after an import, before any page opens
    ready_s = time.perf_counter() - started
    base = [baseline(store, library_id) for _ in range(3)]

    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=900)
    at.session_state["library_id"] = library_id
    fresh_server = visit(at, "listening")
    warm = [rerun(at) for _ in range(args.rounds)]
    resources.library(library_id).forget_derived()  # a server that has the library ready but read nothing of it
    for cached in (resources._listening, resources._listening_keys):
        cached.clear()
    first = visit(at, "listening")
    switch_back = [visit(at, "home") and visit(at, "listening") for _ in range(2)]
    at.selectbox(key="listening_period").set_value("all")
    other_period = rerun(at)
    at.selectbox(key="listening_tz").set_value("America/New_York")
    other_zone = rerun(at)
    base_s = statistics.median(base)
    result = {"plays": store.play_count(library_id), "tracks": len(ready), "files": len(files),
              "import_s": round(import_s, 1), "plays_note": report.plays_note, "library_ready_s": round(ready_s, 1),
              "baseline_pandas_s": round(base_s, 3), "first_view_fresh_server_s": round(fresh_server, 2),
              "first_view_s": round(first, 2),
              "first_over_baseline": round(first / base_s, 1), "warm_median_s": round(statistics.median(warm), 3),
              "warm_max_s": round(max(warm), 3), "switch_back_s": round(max(switch_back), 3),
              "other_period_s": round(other_period, 2), "other_time_zone_s": round(other_zone, 2),
              "goals": {"first_view_s": 3.0, "warm_s": 0.5}, "cpus": os.cpu_count()}
    out = ROOT / "bench" / "results" / "listening_speed.json"
    out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
