"""Cost of the learned confidences and intervals on the demo's first enrichment (engine/predictor/uncertainty.py).

Run: .venv/bin/python bench/confidence_speed.py [--repeats 5]
Writes bench/results/confidence_speed.json and prints a markdown table.

In one process, with the models loaded: the demo library's first enrichment (empty prediction cache,
catalog on, intervals adapted to the library) served with the learned model, and the same with the
previous calibrator (calibration.json), median of --repeats runs each; their ratio is the figure.
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


def main() -> None:
    import numpy as np
    import pandas as pd

    from engine.catalog import artifact
    from engine.pipeline.facade import Tunescope
    from engine.predictor.enrich import MemoryCache

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    frame = artifact.demo().drop(columns=["playlist"])
    enricher = Tunescope(memory=True).enricher()
    enricher.enrich(frame)  # loads the catalog, the predictor and the encoder once
    learned = enricher.predictor.uncertainty
    timings = {}
    for name, uncertainty in (("previous calibrator", None), ("learned model", learned)):
        enricher.predictor.uncertainty = uncertainty
        runs = []
        for _ in range(args.repeats):
            enricher.store = MemoryCache()  # a first enrichment: nothing cached
            start = time.perf_counter()
            enricher.enrich(frame)
            runs.append(time.perf_counter() - start)
        timings[name] = float(np.median(runs))
    enricher.predictor.uncertainty = learned
    ratio = timings["learned model"] / timings["previous calibrator"]
    result = {"tracks": len(frame), "median_seconds": timings, "ratio_learned_to_previous": ratio}
    out = ROOT / "bench" / "results" / "confidence_speed.json"
    out.write_text(json.dumps(result, indent=2))
    print(pd.DataFrame([{"case": k, "first enrichment (s)": round(v, 3)} for k, v in timings.items()]).to_markdown(index=False))
    print(f"\n{len(frame)} demo tracks; learned ÷ previous = {ratio:.2f}×")


if __name__ == "__main__":
    main()
