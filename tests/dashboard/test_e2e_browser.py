"""End to end in a real browser: `streamlit run dashboard/server.py` (as `make run`) driven by headless Debian chromium.

Opens the app on the dashboard tests' temporary TUNESCOPE_HOME (so the caches the AppTests warmed are
reused), opens the demo library from Home, visits every page through
the sidebar, fills the predictor form and checks the prediction moves, and saves a screenshot of each
page to $TUNESCOPE_SCREENSHOTS/<page>.png (`make screenshots` writes docs/screenshots, which the README and docs/dashboard.md show). Needs /usr/bin/chromium
(`apt-get install -y chromium`; .ci/run installs it); Playwright never downloads a browser here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# `make screenshots` points this at docs/screenshots (what the README and docs/dashboard.md show); a plain test run keeps
# them out of the working tree.
SHOTS = Path(os.environ.get("TUNESCOPE_SCREENSHOTS") or Path(os.environ.get("TUNESCOPE_HOME", "/tmp")) / "screenshots")
CHROMIUM = "/usr/bin/chromium"
SERVER = ROOT / "dashboard" / "server.py"  # what `make run` starts: the app behind its owner-cookie layer
PAGES = [("coverage", "Library coverage"), ("clusters", "Clusters"), ("map", "Map"),
         ("recommendations", "Recommendations"), ("listening", "Listening"), ("models", "Models"),
         ("predictor", "Predictor")]
TITLES = {"coverage": "Library coverage", "clusters": "Clusters", "map": "Map",
          "recommendations": "Recommendations", "listening": "Listening", "models": "Models", "predictor": "Predict a track's audio features"}

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def streamlit_server(home: Path, script: Path = SERVER, **env):
    """`streamlit run <script>` (default dashboard/server.py) on a free port with this TUNESCOPE_HOME (and more
    environment); its URL. The log is home/streamlit-<port>.log."""
    port = _free_port()
    env = {**os.environ, "TUNESCOPE_HOME": str(home), "HF_HUB_OFFLINE": "1", **env}
    log = open(home / f"streamlit-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script),
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        pytest.fail(f"streamlit did not start: {(home / f'streamlit-{port}.log').read_text()[-2000:]}")
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # a background UMAP job keeps the interpreter alive at exit
            proc.kill()
            proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server(dashboard_home):
    """A Streamlit server on a free port in the dashboard tests' TUNESCOPE_HOME."""
    with streamlit_server(dashboard_home) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install -y chromium (.ci/run does)"
    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


def _settle(page, timeout_ms: int = 120_000) -> None:
    """Wait until the script run finished and stayed finished for a second (a rerun, e.g. after a
    status box closes, would otherwise leave stale elements on screen), and nothing crashed."""
    status = page.locator('[data-testid="stStatusWidget"]')
    for _ in range(20):
        page.wait_for_timeout(300)
        status.wait_for(state="hidden", timeout=timeout_ms)
        page.wait_for_timeout(1000)
        if not status.is_visible():
            break
    assert page.locator('[data-testid="stException"]').count() == 0, page.locator('[data-testid="stException"]').first.inner_text()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def _hover_reads_well(page) -> None:
    """The Map's figure as the browser holds it: hover text written for people ('Title — Artist', 'Energy
    73%', 'Tempo 108 BPM'), none of Plotly's raw 'artists=…' labels, and the legend below the plot."""
    figure = page.evaluate("""() => { const g = document.querySelector('.js-plotly-plot');
        return {legend: g.layout.legend, traces: g.data.map(t => ({name: t.name, template: t.hovertemplate,
                hover: (t.customdata || []).slice(0, 20).map(c => c[1])}))}; }""")
    library = [t for t in figure["traces"] if t["hover"]]
    assert library and all(t["template"] == "%{customdata[1]}<extra></extra>" for t in library)
    texts = [h for t in library for h in t["hover"]]
    assert all(" — " in h and "Energy " in h and " BPM" in h and "=" not in h for h in texts), texts[:2]
    assert figure["legend"]["orientation"] == "h" and figure["legend"]["y"] < 0


def test_demo_six_pages_and_the_predictor_form_in_a_real_browser(server, browser):
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(server)
    page.get_by_role("heading", name="Tunescope").wait_for(timeout=150_000)  # a first run opens the demo itself
    _settle(page, 150_000)
    # On a loaded machine the first run may still be predicting the demo when the script looks settled.
    page.get_by_role("tab", name="Demo library").click(timeout=150_000)
    page.get_by_role("button", name="Open the demo library").click()
    page.get_by_text("Demo library open").wait_for(timeout=150_000)
    _settle(page, 150_000)
    # The rest of Home renders after the status box closes; wait for it rather than racing it.
    page.get_by_text("Demo: five playlists", exact=False).first.wait_for(timeout=60_000)  # the open library, whole
    page.get_by_text("Recent libraries").first.wait_for(timeout=60_000)
    _shot(page, "home")

    for path, label in PAGES:
        page.locator('[data-testid="stSidebarNav"] a', has_text=label).first.click()
        page.wait_for_url(f"{server}/{path}")
        page.get_by_role("heading", name=TITLES[path], exact=True).wait_for(timeout=60_000)
        _settle(page)
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0, \
            page.locator('[data-testid="stAlertContentError"]').first.inner_text()
        if path == "map":
            page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=120_000)
            _settle(page)
            _hover_reads_well(page)
        if path == "listening":  # the demo has no plays: the page says how to bring them
            page.get_by_text("This library has no plays").wait_for(timeout=60_000)
        if path in ("coverage", "clusters", "recommendations"):
            page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=120_000)
            _settle(page)
        if path == "coverage":  # the enriched CSV downloads under the library's name
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name="Download Demo", exact=False).click()
            assert download.value.suggested_filename == "tunescope_demo_five_playlists_and_some_discoveries.csv"
        _shot(page, "listening_no_plays" if path == "listening" else path)

    # The predictor: the default track is in the catalog; an unknown one is predicted, and the numbers move.
    page.get_by_text("This track is in the reference catalog").first.wait_for(timeout=60_000)
    tempo_before = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    for label, value in [("Title", "Midnight Static Bloom"), ("Artist(s), ';'-separated", "Nobody Knows This Band"),
                         ("Genres, ';'-separated (any Spotify genre)", "death metal")]:
        field = page.get_by_label(label, exact=True)
        field.fill(value)
        field.press("Enter")
        _settle(page)
    page.get_by_text("Not in the reference catalog").wait_for(timeout=30_000)
    tempo_after = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    assert tempo_after.endswith("BPM") and tempo_before.endswith("BPM")
    page.get_by_role("heading", name="Nearest real tracks").first.wait_for(timeout=60_000)
    _shot(page, "predictor")
    page.close()
    for name in ["home", "listening_no_plays", *(path for path, _ in PAGES if path != "listening")]:
        assert (SHOTS / f"{name}.png").stat().st_size > 20_000, f"{name}.png looks blank"


def test_listening_on_a_real_history_in_a_real_browser(server, browser, dashboard_home, samples):
    """A real extended streaming history, imported as the most recent library: a new browser session opens it."""
    from engine.library.demo import DEMO_NAME
    from engine.library.imports import import_files
    from engine.library.store import Store

    store = Store(dashboard_home / "tunescope.db")
    files = sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))
    library_id = import_files(store, files, name="Efrrowini's streaming history").library_id
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.goto(f"{server}/listening")
        page.get_by_role("heading", name="Listening", exact=True).wait_for(timeout=60_000)
        page.get_by_text("Listening time").first.wait_for(timeout=180_000)  # enriches 594 tracks first
        _settle(page, 180_000)
        page.get_by_role("heading", name="Top").wait_for(timeout=30_000)
        plays = page.locator('[data-testid="stMetricValue"]').nth(1).inner_text()  # 2023's 1,455 in UTC; the
        assert 1_400 < int(plays.replace(",", "")) < 1_500  # browser's time zone may move a few over a new year
        page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
        _settle(page)
        _shot(page, "listening")
        assert (SHOTS / "listening.png").stat().st_size > 20_000
    finally:
        page.close()
        store.delete_library(library_id)  # the other dashboard tests find the home as they left it
        store.touch_library(store.find_library("demo", "", name=DEMO_NAME))
        store.close()
