"""How evenly predicted tracks spread over a library's clusters (issue 29, item 3).

Run: .venv/bin/python bench/cluster_shares.py [--home DIR]
Writes bench/results/cluster_shares.json and prints a markdown table.

For each library (the demo and three real sample libraries, imported through the real importers into a
store under --home, so a second run predicts nothing again), at its suggested k: the library's share of
predicted tracks, and each cluster's. A cluster model that sorts tracks by how sure the predictions are
(predictions lean to the middle) gives clusters that are mostly predicted beside clusters that are mostly
real; one that places a predicted track by what is known of it keeps every cluster near the library's
share. Spread: the largest cluster share minus the smallest; deviation: the track-weighted mean absolute
difference between a cluster's share and the library's.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

HIDDEN = "LiamWhitenack__exportify-analysis/Liked_Songs.csv"  # 706 liked songs with Spotify's own features
SAMPLES = {  # label -> files under samples/listeners
    "liked songs, 2,525 tracks": ["grego1215__Playlist-discriminador/liked.csv"],
    "streaming history, 7,827 plays": ["AOGbadamosi2018__Visualizing-Spotify-Streaming-Data/StreamingHistory0.json"],
}


def half_hidden(app):
    """The control: 706 liked songs whose file carries Spotify's features, those of a random half hidden
    and the catalog off, so exactly that half is predicted, and by construction it is the same music as
    the other half: every cluster's predicted share should be about 50%, up to sampling noise."""
    import numpy as np
    import pandas as pd

    from engine.config import FEATURES, data_dir
    from engine.schema import normalize_frame

    raw = pd.read_csv(data_dir() / "samples" / "listeners" / HIDDEN, dtype=str, encoding="utf-8-sig")
    hide = np.random.default_rng(0).random(len(raw)) < 0.5
    raw.loc[hide, [f.capitalize() for f in FEATURES]] = np.nan
    enriched = app.enrich(raw, where="half hidden", use_catalog=False)
    return normalize_frame(raw, where="half hidden").assign(**{c: enriched[c].to_numpy() for c in enriched
                                                                if c.startswith(tuple(FEATURES)) or c == "source"})


def shares(frame, k: int | None = None) -> dict:
    import numpy as np

    from engine.explore.clusters import choose_k, cluster_library, suggested_k

    k = suggested_k(choose_k(frame), len(frame)) if k is None else k
    result = cluster_library(frame, k)
    predicted = (frame["source"].to_numpy() == "predicted")
    overall = float(predicted.mean())
    per = []
    for c in range(len(result.names_)):
        members = result.labels_ == c
        if members.any():
            per.append({"cluster": result.names_[c], "tracks": int(members.sum()),
                        "predicted_share": round(float(predicted[members].mean()), 3)})
    share = np.array([p["predicted_share"] for p in per])
    size = np.array([p["tracks"] for p in per])
    return {"tracks": len(frame), "k": len(result.names_), "predicted_share": round(overall, 3),
            "spread": round(float(share.max() - share.min()), 3),
            "deviation": round(float((np.abs(share - overall) * size).sum() / size.sum()), 3),
            "silhouette": round(float(result.silhouette_), 3), "clusters": per}


def libraries(app):
    from engine.config import data_dir
    from engine.library.demo import open_demo
    from engine.library.imports import import_files

    yield "demo", open_demo(app.store)
    found = {row["name"]: int(row["library_id"]) for _, row in app.store.libraries().iterrows()}
    for label, files in SAMPLES.items():
        if label not in found:
            paths = [data_dir() / "samples" / "listeners" / f for f in files]
            found[label] = import_files(app.store, paths, name=label).library_id
        yield label, found[label]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", default=str(Path.home() / ".tunescope-bench-clusters"))
    parser.add_argument("--k", type=int, nargs="*", help="one k per library (demo, the three samples, the control) "
                        "instead of each one's suggested k")
    args = parser.parse_args()
    os.environ["TUNESCOPE_HOME"] = args.home
    from engine.pipeline.facade import Tunescope

    Path(args.home).mkdir(parents=True, exist_ok=True)
    app = Tunescope(args.home)
    rows = {}
    frames = [(label, app.library(library_id).tracks) for label, library_id in libraries(app)]
    frames.append(("control: 706 liked songs, half hidden", half_hidden(app)))
    for i, (label, frame) in enumerate(frames):
        started = time.perf_counter()
        rows[label] = shares(frame, args.k[i] if args.k else None) | {"seconds": round(time.perf_counter() - started, 1)}
        print(label, {k: v for k, v in rows[label].items() if k != "clusters"}, flush=True)
        for p in rows[label]["clusters"]:
            print("   ", p)
    out = ROOT / "bench" / "results" / ("cluster_shares.json" if not args.k else "cluster_shares_fixed_k.json")
    out.write_text(json.dumps(rows, indent=2))
    print("\n| library | tracks | k | predicted | clusters' predicted share (min–max) | spread | mean deviation |")
    print("|---|---|---|---|---|---|---|")
    for label, r in rows.items():
        lo = min(p["predicted_share"] for p in r["clusters"])
        hi = max(p["predicted_share"] for p in r["clusters"])
        print(f"| {label} | {r['tracks']:,} | {r['k']} | {r['predicted_share']:.0%} | {lo:.0%}–{hi:.0%} | "
              f"{r['spread']:.2f} | {r['deviation']:.3f} |")


if __name__ == "__main__":
    main()
