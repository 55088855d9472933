"""How long a dashboard page switch takes on a 5,000-track library, cold and warm.

Run: .venv/bin/python bench/page_switch.py [--n 5000] [--rounds 3]
Writes bench/results/page_switch.json (page_switch_<n>.json for other sizes) and prints a markdown table.

The library is real: 90% tracks from the TidyTuesday playlists (the catalog knows their features)
and 10% recent Genius-tagged songs it does not (their features are predicted), in an empty
TUNESCOPE_HOME. Streamlit's AppTest runs each page's script in this process, as the server does
(browser rendering is not included). Measured in one run:
- cold: the first visit of each page (models load, the library is enriched, clusters and the map
  are computed): the baseline;
- warm: later switches to the same page (the cached frames and models are reused), median and max
  over --rounds visits. The goal is warm < 1 s.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
PAGES = ["coverage", "clusters", "map", "recommendations", "predictor", "home"]


def build_library(n: int) -> int:
    """A library of n real tracks: 90% catalog-known, 10% unknown to the catalog."""
    import pandas as pd

    from engine.catalog import datasets as reference
    from engine.schema import normalize_frame
    from engine.pipeline.facade import Tunescope

    songs = reference._read("tidytuesday_spotify_songs.parquet").drop_duplicates("track_id")
    known = songs.sample(n - n // 10, random_state=0)
    known = pd.DataFrame({"track_id": known["track_id"], "title": known["track_name"], "artists": known["track_artist"],
                          "album": known["track_album_name"], "release_date": known["track_album_release_date"],
                          "duration_ms": known["duration_ms"]})
    genius = reference._read("musictags_genius_metadata_part1.parquet")
    genius = genius[pd.to_numeric(genius["Year"], errors="coerce") >= 2008].drop_duplicates(["SongTitle", "Artist"])
    unknown = genius.sample(n // 10, random_state=0)
    unknown = pd.DataFrame({"title": unknown["SongTitle"], "artists": unknown["Artist"],
                            "release_date": unknown["Year"].map(str),
                            "genres": unknown["Genius_Tags"].fillna("").str.lower().str.replace(r"\s*,\s*", ";", regex=True)})
    store = Tunescope().store
    library_id = store.create_library(f"Bench: {n:,} tracks", "import")
    store.add_tracks(library_id, normalize_frame(pd.concat([known, unknown], ignore_index=True), where="bench"))
    store.close()
    return library_id


def visit(at, page: str) -> float:
    started = time.perf_counter()
    at.switch_page(f"../pages/{page}.py").run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"{page}: {at.exception[0].message}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", nargs="+", default=PAGES, choices=PAGES)
    args = parser.parse_args()
    os.environ["TUNESCOPE_HOME"] = tempfile.mkdtemp(prefix="tunescope_bench_")
    from streamlit.testing.v1 import AppTest

    library_id = build_library(args.n)
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=900)
    at.session_state["library_id"] = library_id
    pages = args.pages
    cold = {page: visit(at, page) for page in pages}
    warm = {page: [] for page in pages}
    for _ in range(args.rounds):
        for page in pages:
            warm[page].append(visit(at, page))
    rows = [{"page": p, "cold_s": round(cold[p], 2), "warm_median_s": round(statistics.median(warm[p]), 3),
             "warm_max_s": round(max(warm[p]), 3), "cold_over_warm": round(cold[p] / statistics.median(warm[p]), 1)}
            for p in pages]
    result = {"tracks": args.n, "rounds": args.rounds, "pages": rows,
              "warm_max_s": max(r["warm_max_s"] for r in rows), "goal_s": 1.0}
    suffix = "" if args.n == 5000 else f"_{args.n}"
    out = ROOT / "bench" / "results" / f"page_switch{suffix}.json"
    out.write_text(json.dumps(result, indent=2))
    print(f"Page switch on a {args.n:,}-track library (AppTest, {args.rounds} warm rounds)\n")
    print("| page | cold (s) | warm median (s) | warm max (s) | cold / warm |")
    print("|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['page']} | {r['cold_s']:.1f} | {r['warm_median_s']:.2f} | {r['warm_max_s']:.2f} | {r['cold_over_warm']:.0f}x |")


if __name__ == "__main__":
    main()
