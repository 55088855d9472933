"""`predict --online` and `import --online` against a fake ReccoBeats: nothing is sent before the
user opts in, the choice is remembered, and a re-run asks only for what is still missing."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from fake_reccobeats import FakeReccoBeats, real_features

from engine.config import FEATURES
from engine.library.importers.exportify import read_exportify

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "deadda7a__2023-01__covers.csv"


def run(*args, home, fake):
    env = dict(os.environ, TUNESCOPE_HOME=str(home), HF_HUB_OFFLINE="1", TUNESCOPE_RECCOBEATS_URL=fake.url)
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def playlist(samples):
    """A real Exportify playlist without features, and real values for all but its last 5 ids."""
    path = samples / "exportify" / SAMPLE
    ids = read_exportify(path)["track_id"].tolist()
    known = dict(zip(ids[:-5], real_features(len(ids) - 5, seed=3).values()))
    return path, known


def test_predict_sends_nothing_until_online_then_remembers_and_reuses_the_cache(playlist, tmp_path):
    path, known = playlist
    home, out = tmp_path / "home", tmp_path / "out.csv"
    with FakeReccoBeats(known) as fake:
        offline = run("predict", "--input", str(path), "--output", str(out), home=home, fake=fake)
        assert offline.returncode == 0, offline.stderr
        assert fake.received == [] and "reccobeats" not in set(pd.read_csv(out)["source"])

        online = run("predict", "--input", str(path), "--output", str(out), "--online", home=home, fake=fake)
        assert online.returncode == 0, online.stderr
        frame = pd.read_csv(out)
        track_ids = frame["Track URI"].str.rsplit(":", n=1).str[-1]
        fetched = track_ids.isin(list(known))
        assert (frame.loc[fetched, "source"] == "reccobeats").all() and len(fake.received) == 1
        assert frame.loc[~fetched, "source"].isin(["catalog", "predicted"]).all()
        first = track_ids[fetched].index[0]
        assert frame.loc[first, FEATURES].tolist() == pytest.approx([known[track_ids[first]][f] for f in FEATURES])

        again = run("predict", "--input", str(path), "--output", str(out), home=home, fake=fake)  # remembered
        assert again.returncode == 0 and len(fake.received) == 1 and "already known" in again.stderr
        assert (pd.read_csv(out).loc[fetched, "source"] == "reccobeats").all()

        run("predict", "--input", str(path), "--output", str(out), "--offline", home=home, fake=fake)
    assert len(fake.received) == 1


def test_import_online_names_the_source_and_offline_is_one_calm_line(playlist, tmp_path):
    path, known = playlist
    out = tmp_path / "lib.csv"
    with FakeReccoBeats(known) as fake:
        result = run("import", str(path), "--output", str(out), "--online", home=tmp_path / "home", fake=fake)
    assert result.returncode == 0, result.stderr
    assert (pd.read_csv(out)["source"] == "reccobeats").sum() == len(known)
    env = dict(os.environ, TUNESCOPE_HOME=str(tmp_path / "home2"), TUNESCOPE_RECCOBEATS_URL="http://127.0.0.1:9/v1")
    down = subprocess.run([sys.executable, "-m", "engine", "import", str(path), "--output", str(out), "--online"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert down.returncode == 0 and "Traceback" not in down.stderr
    assert "ReccoBeats could not be reached" in down.stderr and "re-run asks only for what is missing" in down.stderr
