"""`make test` without ../shared: what needs no data runs and passes; what needs the datasets is skipped
at collection, with one line that names the folder and TUNESCOPE_DATA_DIR (not a FileNotFoundError per
test). Skips are decided from what a test asks for (the `samples` fixtures, the `data` marker, code of
its own or of the tests' fakes that reads data_dir()); a failure at run time stays a failure."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = ["tests/test_schema.py", "tests/library/test_importers.py", "tests/library/test_exportify_languages.py",
         "tests/library/test_spotify_auth.py",  # FakeSpotify is built from shared/data/spotify_api
         "tests/test_training_config.py"]  # one test marked `data`


def without_data(tmp_path, *args):
    empty = tmp_path / "no-data"
    empty.mkdir(exist_ok=True)
    env = {**os.environ, "TUNESCOPE_DATA_DIR": str(empty), "TUNESCOPE_HOME": str(tmp_path / "home"),
           "PYTHONPATH": str(ROOT / "tests")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=600)
    return result, empty


def test_without_the_datasets_the_rest_passes_and_one_line_names_the_folder(tmp_path):
    result, empty = without_data(tmp_path, *FILES)
    out = result.stdout
    assert result.returncode == 0, out[-3000:]
    assert "FileNotFoundError" not in out and " failed" not in out
    lines = [line for line in out.splitlines() if "needs the shared datasets" in line]
    assert len(lines) == 1 and str(empty) in lines[0] and "TUNESCOPE_DATA_DIR" in lines[0]
    for path in FILES[1:]:
        assert path in lines[0]
    assert "test_schema.py" not in lines[0]
    skipped = int(lines[0].split()[0])
    summary = out.strip().splitlines()[-1]
    assert f"{skipped} skipped" in summary and " passed" in summary


def test_a_test_that_reads_missing_data_unannounced_fails(tmp_path):
    """No run-time conversion of errors into skips: only what collection saw is skipped."""
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent("""
        import pytest
        from engine.errors import DataNotFoundError

        def test_reads_the_datasets_through_engine_code():
            raise DataNotFoundError("Reference file missing.parquet not found.")

        @pytest.mark.data
        def test_says_it_reads_them():
            raise DataNotFoundError("Reference file missing.parquet not found.")
    """))
    # tests/conftest.py as a plugin, so its rules apply to a file outside tests/
    result, _ = without_data(tmp_path, "-p", "conftest", "--rootdir", str(tmp_path), str(probe))
    summary = result.stdout.strip().splitlines()[-1]
    assert result.returncode == 1 and "1 failed" in summary and "1 skipped" in summary, result.stdout[-3000:]
    assert "FAILED" in result.stdout and "test_reads_the_datasets_through_engine_code" in result.stdout
