"""Placing library tracks on the map: cold vs warm, 5k and 20k tracks, plus trustworthiness.

  TUNESCOPE_HOME=... python bench/map_speed.py

Each measurement is a fresh process (load the committed map, transform N catalog tracks, 2-D):
cold = an empty NUMBA_CACHE_DIR (numba compiles), warm = the cache that the cold run filled.
Trustworthiness (sklearn, 10 neighbours) of the placed tracks against the standardized features,
on 3,000 of them. Writes bench/results/map_speed.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
t0 = time.perf_counter()
from engine.catalog.items import catalog_items
from engine.explore.projection import MapModel
items = catalog_items().sample({n}, random_state=1)
t1 = time.perf_counter()
model = MapModel.load()
t2 = time.perf_counter()
coords = model.transform(items, dims=2)
t3 = time.perf_counter()
trust = model.trustworthiness(items, dims=2, n=3000) if {trust} else None
print(json.dumps({{"load_s": t2 - t1, "transform_s": t3 - t2, "load_and_transform_s": t3 - t1,
                  "trustworthiness_2d": trust}}))
"""


def run(n: int, numba_dir: str, trust: bool) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": numba_dir, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", CHILD.format(n=n, trust=trust)], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    result = {}
    for n in (5000, 20000):
        numba_dir = tempfile.mkdtemp(prefix="numba-bench-")
        try:
            cold = run(n, numba_dir, trust=False)
            warm = run(n, numba_dir, trust=(n == 20000))
        finally:
            shutil.rmtree(numba_dir, ignore_errors=True)
        result[str(n)] = {"cold": cold, "warm": warm,
                          "cold_over_warm": round(cold["load_and_transform_s"] / warm["load_and_transform_s"], 2)}
        print(n, json.dumps(result[str(n)]), flush=True)
    out = ROOT / "bench" / "results" / "map_speed.json"
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
