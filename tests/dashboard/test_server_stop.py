"""`streamlit run` stops within 3 s of SIGTERM, background work included: a real server on a fresh
TUNESCOPE_HOME, a real browser (headless Debian chromium) opening the demo and the Map while its first
map is still being computed, then SIGTERM. The store is whole afterwards."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_e2e_browser import CHROMIUM, ROOT, SERVER, _free_port

pytestmark = [pytest.mark.e2e, pytest.mark.slow]  # a real server and browser: over a minute on a busy machine
STOP_LIMIT_S = 3.0


def _start(home: Path):
    port = _free_port()
    env = {**os.environ, "TUNESCOPE_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    log = open(home / "streamlit.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(SERVER),
                             "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                             "--browser.gatherUsageStats", "false"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url, log
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail(f"streamlit did not start: {(home / 'streamlit.log').read_text()[-2000:]}")


def _stop_s(proc) -> float:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
        return float("inf")
    return time.monotonic() - started


def test_sigterm_while_a_cold_map_is_being_built_stops_the_server_within_3_s(tmp_path):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install -y chromium (.ci/run does)"
    proc, url, log = _start(tmp_path)
    try:
        with sync_playwright() as play:
            browser = play.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            page.get_by_role("heading", name="Tunescope").wait_for(timeout=150_000)  # the first run opens the demo
            page.get_by_text("Demo: five playlists", exact=False).first.wait_for(timeout=150_000)
            page.goto(f"{url}/map")  # Home started the map in the background; the Map page waits for it
            page.get_by_text("Placing").first.wait_for(timeout=60_000)  # still computing: the worker is busy
            stopped_in = _stop_s(proc)
            browser.close()
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
    assert stopped_in <= STOP_LIMIT_S, f"{stopped_in:.1f} s: {(tmp_path / 'streamlit.log').read_text()[-1500:]}"
    with sqlite3.connect(tmp_path / "tunescope.db") as db:  # nothing half-written
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        assert db.execute("select count(*) from runs where status = 'running'").fetchone() == (0,)
