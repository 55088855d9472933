"""Shared fixtures: a private TUNESCOPE_HOME per test session, real data from TUNESCOPE_DATA_DIR."""

import logging
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = str(ROOT / "tests")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "fakes"))  # the fake servers: `from fake_spotify import FakeSpotify`
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def tunescope_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("tunescope_home")
    os.environ["TUNESCOPE_HOME"] = str(home)
    return home


class _Recorded(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(autouse=True)
def no_streamlit_deprecations():
    """Streamlit reports a deprecated call of ours (use_container_width, ...) on its logger, not as a Python
    warning, so the warning filters never see it: a test whose app made one fails here."""
    recorded, logger = _Recorded(), logging.getLogger("streamlit.deprecation_util")
    logger.addHandler(recorded)
    yield
    logger.removeHandler(recorded)
    assert not recorded.messages, "Streamlit deprecations:\n" + "\n".join(recorded.messages)


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
# Skips are decided at collection, from what a test asks for; a test that fails at run time fails,
# whatever the error (a data read the rules below do not see is a test to mark, not a failure to hide).
DATA_FIXTURES = {"samples", "top_songs"}  # fixtures that read TUNESCOPE_DATA_DIR (any fixture built on them too)
_skipped_for_data: list[str] = []


def _data_missing() -> bool:
    from engine.config import data_dir

    return not (data_dir() / "samples").is_dir()


def _data_reason() -> str:
    from engine.config import data_dir

    return (f"needs the shared datasets, and {data_dir()} holds none (TUNESCOPE_DATA_DIR; default ../shared/data "
            "beside the repository)")


def _reads_data(function, seen: set) -> bool:
    """Whether this function's code reads the data folder: it calls data_dir(), names a module-level path
    in it, or uses a function or class of the tests (a helper, a fake built from the real API bodies)
    whose code does."""
    import inspect

    from engine.config import data_dir

    code = getattr(function, "__code__", None)
    if code is None or function in seen:
        return False
    seen.add(function)
    try:
        if "data_dir()" in inspect.getsource(function):
            return True
    except (OSError, TypeError):
        pass
    folder = str(data_dir())
    for name in _names_in(code):
        value = function.__globals__.get(name)
        if isinstance(value, Path) and str(value).startswith(folder):
            return True
        ours = [value] if inspect.isfunction(value) else list(vars(value).values()) if inspect.isclass(value) else []
        if any(inspect.isfunction(f) and f.__code__.co_filename.startswith(TESTS) and _reads_data(f, seen)
               for f in ours):
            return True
    return False


def _names_in(code) -> set[str]:
    """The global names a code object and the lambdas, comprehensions and functions inside it use."""
    names = set(code.co_names)
    for const in code.co_consts:
        if hasattr(const, "co_names"):
            names |= _names_in(const)
    return names


def _needs_data(item) -> bool:
    """Decided at collection from what the test asks for: a data fixture, the `data` marker, a
    parametrization read from the (absent) data folder, or code of its own or of its fixtures that reads it."""
    if DATA_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("data"):
        return True
    if any(m.name == "skip" and "empty parameter set" in str(m.kwargs.get("reason", "")) for m in item.iter_markers()):
        return True
    seen: set = set()
    fixtures = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    functions = [getattr(item, "function", None)] + [d.func for defs in fixtures.values() for d in defs]
    return any(_reads_data(f, seen) for f in functions if f is not None)


def pytest_collection_modifyitems(config, items):
    if not _data_missing():
        return  # with the data present nothing is skipped
    skip = pytest.mark.skip(reason=_data_reason())
    for item in items:
        if _needs_data(item):
            item.add_marker(skip)
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
