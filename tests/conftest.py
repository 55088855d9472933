"""Shared fixtures: a private TUNESCOPE_HOME per test session, real data from TUNESCOPE_DATA_DIR."""

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fakes"))  # the fake servers: `from fake_spotify import FakeSpotify`
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def tunescope_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("tunescope_home")
    os.environ["TUNESCOPE_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def samples():
    from engine.config import data_dir

    return data_dir() / "samples"


@pytest.fixture(scope="session")
def enricher():
    from engine.predictor.enrich import Enricher
    from engine.library.store import Store

    return Enricher(store=Store(":memory:"))


TOP_SONGS = "martinkvu__2026-03__Your_Top_Songs_2024.csv"


@pytest.fixture(scope="session")
def recommender():
    from engine.recs.recommend import Recommender

    return Recommender.load()


@pytest.fixture(scope="session")
def top_songs(enricher, samples):
    """A real Exportify playlist (martinkvu's Your Top Songs 2024), enriched as the product serves it."""
    import pandas as pd

    raw = pd.read_csv(samples / "exportify" / TOP_SONGS, dtype=str, encoding="utf-8-sig")
    return enricher.enrich(raw)


@pytest.fixture()
def memory_store():
    from engine.library.store import Store

    store = Store(":memory:")
    yield store
    store.close()


@pytest.fixture(scope="session")
def dashboard_home(tmp_path_factory):
    """An empty TUNESCOPE_HOME of the dashboard tests' own (Home's first run opens the demo in it);
    the AppTests and the browser test share it, so the browser finds the caches already warm."""
    return tmp_path_factory.mktemp("dashboard_home")
