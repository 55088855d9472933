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
def app():
    """The engine as served, through its one way in (engine.pipeline.facade), over an in-memory store:
    its models load once per test session. `app.over(store)` reads a test's own store with them."""
    from engine.pipeline.facade import Tunescope

    return Tunescope(memory=True)


@pytest.fixture(scope="session")
def enricher(app):
    return app.enricher()


TOP_SONGS = "martinkvu__2026-03__Your_Top_Songs_2024.csv"


@pytest.fixture(scope="session")
def recommender(app):
    return app.recommender()


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


# --- without the shared datasets: run what needs none, skip the rest once, with the folder named ---------
DATA_FIXTURES = {"samples", "top_songs"}  # fixtures that read TUNESCOPE_DATA_DIR (any fixture built on them too)
_skipped_for_data: list[str] = []


def _data_missing() -> bool:
    from engine.config import data_dir

    return not (data_dir() / "samples").is_dir()


def _data_reason() -> str:
    from engine.config import data_dir

    return (f"needs the shared datasets, and {data_dir()} holds none (TUNESCOPE_DATA_DIR; default ../shared/data "
            "beside the repository)")


def _reads_data_itself(item) -> bool:
    """A test whose own body reads the data folder: it calls data_dir() or uses a module-level path in it."""
    import inspect
    from pathlib import Path

    from engine.config import data_dir

    function = getattr(item, "function", None)
    if function is None:
        return False
    try:
        if "data_dir()" in inspect.getsource(function):
            return True
    except (OSError, TypeError):
        pass
    folder = str(data_dir())
    return any(isinstance(value, Path) and str(value).startswith(folder)
               for value in (function.__globals__.get(name) for name in function.__code__.co_names))


def pytest_collection_modifyitems(config, items):
    if not _data_missing():
        return  # with the data present nothing is skipped
    skip = pytest.mark.skip(reason=_data_reason())
    for item in items:
        empty = any(m.name == "skip" and "empty parameter set" in str(m.kwargs.get("reason", ""))
                    for m in item.iter_markers())  # a parametrization read from the data folder found nothing
        if DATA_FIXTURES & set(getattr(item, "fixturenames", ())) or empty or _reads_data_itself(item):
            item.add_marker(skip)
            _skipped_for_data.append(item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Without the data, a test that reads it anyway (through engine code) is skipped, not failed."""
    outcome = yield
    report = outcome.get_result()
    if call.excinfo is None or report.passed or not _data_missing():
        return
    from engine.config import data_dir
    from engine.errors import DataNotFoundError

    error = call.excinfo.value
    missing_file = isinstance(error, FileNotFoundError) and str(data_dir()) in str(error.filename or error)
    if isinstance(error, DataNotFoundError) or missing_file:
        report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1] or 0, f"Skipped: {_data_reason()}")
        _skipped_for_data.append(item.nodeid)


def pytest_terminal_summary(terminalreporter):
    if not _skipped_for_data:
        return
    by_file: dict[str, int] = {}
    for nodeid in dict.fromkeys(_skipped_for_data):
        path = nodeid.split("::")[0]
        by_file[path] = by_file.get(path, 0) + 1
    terminalreporter.write_line(
        f"{sum(by_file.values())} tests skipped, each {_data_reason()}. Put the datasets there or point "
        f"TUNESCOPE_DATA_DIR at them. Skipped: " + ", ".join(f"{p} ({n})" for p, n in by_file.items()), yellow=True)
