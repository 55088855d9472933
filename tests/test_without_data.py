"""Serving needs nothing outside the repository: with TUNESCOPE_DATA_DIR pointing at an empty folder and
a fresh TUNESCOPE_HOME, a listener can import, predict, recommend and open all eight pages. Training
commands say clearly that the datasets are missing. Each part runs in its own process, as a user would,
so nothing cached from the data-backed tests can hide a read of the datasets."""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "deadda7a__2023-01__covers.csv"


@pytest.fixture()
def bare_env(tmp_path):
    empty = tmp_path / "no-data"
    empty.mkdir()
    env = {**os.environ, "TUNESCOPE_DATA_DIR": str(empty), "TUNESCOPE_HOME": str(tmp_path / "home"),
           "HF_HUB_OFFLINE": "1"}
    return env


def engine(env, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "engine", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_import_predict_and_recommend_without_the_datasets(bare_env, samples, tmp_path):
    source = tmp_path / SAMPLE
    shutil.copy(samples / "exportify" / SAMPLE, source)  # the user's own file, not the data folder
    library = tmp_path / "library.csv"
    result = engine(bare_env, "import", source, "--output", library, "--store")
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(library)) == 8

    enriched = tmp_path / "enriched.csv"
    result = engine(bare_env, "predict", "--input", library, "--output", enriched)
    assert result.returncode == 0, result.stderr
    frame = pd.read_csv(enriched)
    assert frame["energy"].between(0, 1).all() and set(frame["source"]) <= {"export", "catalog", "predicted"}

    recs = tmp_path / "recs.csv"
    result = engine(bare_env, "recommend", "--input", library, "-k", "10", "--output", recs)
    assert result.returncode == 0, result.stderr
    assert len(pd.read_csv(recs)) == 10

    result = engine(bare_env, "predict-track", "--title", "Hocus Pocus", "--artists", "Focus")
    assert result.returncode == 0, result.stderr


def test_training_says_the_datasets_are_missing(bare_env):
    result = engine(bare_env, "build-catalog", "--output", Path(bare_env["TUNESCOPE_HOME"]) / "catalog")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "TUNESCOPE_DATA_DIR" in result.stderr


PAGES = ["coverage", "clusters", "map", "recommendations", "predictor", "listening", "models", "home"]  # all eight
PAGES_SCRIPT = textwrap.dedent("""
    import sys
    from streamlit.testing.v1 import AppTest
    app = sys.argv[1]
    at = AppTest.from_file(app, default_timeout=400).run()
    assert not at.exception, at.exception
    for page in sys.argv[2:]:
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        assert not at.error, (page, [e.value for e in at.error])
        print(page, "ok", flush=True)
""")


def test_all_eight_pages_without_the_datasets(bare_env):
    assert sorted(PAGES) == sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
    result = subprocess.run([sys.executable, "-c", PAGES_SCRIPT, str(ROOT / "dashboard" / "app.py"), *PAGES],
                            cwd=ROOT, env=bare_env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == [w for p in PAGES for w in (p, "ok")]
