"""`make test` without ../shared: what needs no data runs and passes; what needs the datasets is skipped
with one line that names the folder and TUNESCOPE_DATA_DIR (not a FileNotFoundError per test)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["tests/test_schema.py", "tests/library/test_importers.py", "tests/library/test_exportify_languages.py"]


def test_without_the_datasets_the_rest_passes_and_one_line_names_the_folder(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    env = {**os.environ, "TUNESCOPE_DATA_DIR": str(empty), "TUNESCOPE_HOME": str(tmp_path / "home")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *FILES], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    out = result.stdout
    assert result.returncode == 0, out[-3000:]
    assert "FileNotFoundError" not in out and " failed" not in out
    lines = [line for line in out.splitlines() if "needs the shared datasets" in line]
    assert len(lines) == 1 and str(empty) in lines[0] and "TUNESCOPE_DATA_DIR" in lines[0]
    assert "tests/library/test_exportify_languages.py" in lines[0] and "test_importers.py" in lines[0]
    skipped = int(lines[0].split()[0])
    summary = out.strip().splitlines()[-1]
    assert f"{skipped} skipped" in summary and " passed" in summary
