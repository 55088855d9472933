"""`python -m engine import` end to end, in a subprocess like a user runs it."""

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "engine", "import", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_import_writes_one_row_per_distinct_track(samples, tmp_path):
    out = tmp_path / "lib.csv"
    files = sorted((samples / "exportify").glob("*.csv"))
    result = run(*files, "--output", out)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(out, dtype={"track_id": str})
    assert frame["track_id"].is_unique and {"title", "artists", "energy", "source", "plays"} <= set(frame.columns)
    assert (frame.loc[frame["source"] == "export", "energy"].between(0, 1)).all()


def test_bad_files_are_named_good_ones_still_written(samples, tmp_path):
    garbage = tmp_path / "notes.csv"
    garbage.write_bytes(b"\x00\x01\x02 binary")
    out = tmp_path / "lib.csv"
    result = run(garbage, samples / "exportify" / "deadda7a__2023-01__covers.csv", "--output", out)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: notes.csv: looks like a binary file" in result.stderr
    assert len(pd.read_csv(out)) == 8
