"""Speed of `python -m engine predict` on 10,000 real tracks the catalog has never seen.

Run: .venv/bin/python bench/predict_speed.py [--n 10000]
Writes bench/results/predict_speed.json and prints a markdown table.

The tracks are real (artist, title, year, Genius tags) rows from musictags_genius_metadata_part1 that
match nothing in the catalog. Measured in one run:
- baseline: one bare MiniLM pass over their "artist - title" strings (model already loaded);
- cold: the whole predict process with an empty TUNESCOPE_HOME;
- warm: the same command again (served from the store's cache);
- peak memory of the cold process;
- dynamic int8: the predictor's forward time and how much its outputs move, and the same for MiniLM
  (speed, and cosine of its vectors to the float ones the network was trained on).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def unseen_tracks(n: int):
    import pandas as pd

    from engine.config import data_dir
    from engine.catalog.matching import Catalog
    from engine.schema import normalize_frame

    raw = pd.read_parquet(data_dir() / "musictags_genius_metadata_part1.parquet").drop_duplicates(["Artist", "SongTitle"])
    frame = pd.DataFrame({"title": raw["SongTitle"], "artists": raw["Artist"], "release_date": raw["Year"].astype(str),
                          "genres": raw["Genius_Tags"].fillna("").str.replace(", ", ";", regex=False)})
    frame = frame.sample(frac=1.0, random_state=0).head(n * 2).reset_index(drop=True)
    rows, _ = Catalog.load().match(normalize_frame(frame))
    return frame[rows < 0].head(n).reset_index(drop=True)


def run_predict(library: Path, home: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one whole predict process."""
    env = dict(os.environ, TUNESCOPE_HOME=str(home))
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "engine", "predict", "--input", str(library), "--output",
                    str(library.with_suffix(".out.csv"))], cwd=ROOT, env=env, check=True, capture_output=True)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def bare_minilm(texts: list[str]) -> float:
    code = ("import sys,time,json; from engine.encoder import TextEncoder; e=TextEncoder(); e.model; "
            "t=json.load(open(sys.argv[1])); s=time.perf_counter(); e.encode(t); print(time.perf_counter()-s)")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(texts, fh)
    out = subprocess.run([sys.executable, "-c", code, fh.name], cwd=ROOT, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def quantization(frame) -> dict:
    import numpy as np

    from engine.config import FEATURES, models_dir
    from engine.encoder import TextEncoder
    from engine.predictor.bundle import AudioPredictor
    from engine.schema import normalize_frame
    from engine.predictor.bundle import predict_members

    predictor = AudioPredictor.load(models_dir() / "audio_predictor")
    inputs = predictor.featurizer.transform(normalize_frame(frame), TextEncoder())
    timings, outputs = {}, {}
    for name, model in (("float32", predictor), ("int8", predictor.quantized())):
        predict_members(model.members, inputs)  # warm-up
        started = time.perf_counter()
        for _ in range(3):
            outputs[name] = predict_members(model.members, inputs).mean(axis=0)
        timings[name] = (time.perf_counter() - started) / 3
    diff = np.abs(outputs["float32"] - outputs["int8"])
    return {"forward_s_float32": timings["float32"], "forward_s_int8": timings["int8"],
            "speedup_int8": timings["float32"] / timings["int8"],
            "mean_abs_change_int8": dict(zip(FEATURES, diff.mean(axis=0).round(5).tolist()))}


def encoder_quantization(texts: list[str]) -> dict:
    """Would an int8 MiniLM pay? Speed of one pass and how far its vectors drift from the float ones."""
    import numpy as np
    import torch

    from engine.encoder import TextEncoder

    encoder = TextEncoder()
    started = time.perf_counter()
    exact = encoder.encode(texts)
    float_s = time.perf_counter() - started
    encoder._model = torch.ao.quantization.quantize_dynamic(encoder.model, {torch.nn.Linear}, dtype=torch.qint8)
    started = time.perf_counter()
    approx = encoder.encode(texts)
    int8_s = time.perf_counter() - started
    return {"encoder_s_float32": float_s, "encoder_s_int8": int8_s, "encoder_speedup_int8": float_s / int8_s,
            "encoder_int8_mean_cosine_to_float": float(np.mean(np.sum(exact * approx, axis=1)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    args = parser.parse_args()
    frame = unseen_tracks(args.n)
    work = Path(tempfile.mkdtemp(prefix="tunescope-bench-"))
    library = work / "library.csv"
    frame.to_csv(library, index=False)
    texts = (frame["artists"] + " - " + frame["title"]).tolist()

    baseline = bare_minilm(texts)
    cold, peak = run_predict(library, work / "home")
    warm, _ = run_predict(library, work / "home")
    result = {"tracks": len(frame), "bare_minilm_s": baseline, "cold_s": cold, "cold_over_minilm": cold / baseline,
              "warm_s": warm, "peak_rss_mb": peak, "cpu_count": os.cpu_count(), **quantization(frame.head(5000)),
              **encoder_quantization(texts[:3000])}
    out = ROOT / "bench" / "results" / "predict_speed.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print("| measure | value |\n|---|---|")
    for key, value in result.items():
        print(f"| {key} | {value if not isinstance(value, float) else round(value, 3)} |")


if __name__ == "__main__":
    main()
