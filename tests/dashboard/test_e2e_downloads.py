"""Issue 29 (12) in a real browser: two clicks on a download 0.1 s apart give two files. With a deferred
download (data=callable) the first click's rerun dropped the file the second asked for ("Deferred file …
not found"); the buttons now hand over bytes and do not rerun the app. A small app of one ui.csv_button,
served by `streamlit run`, driven by headless Debian chromium (about 15 s)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.dashboard.test_e2e_browser import CHROMIUM, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
APP = '''
import pandas as pd
import streamlit as st

from dashboard import ui

st.session_state["runs"] = st.session_state.get("runs", 0) + 1
frame = pd.DataFrame({"title": [f"song {i}" for i in range(2000)], "tempo": [100.0 + i % 80 for i in range(2000)]})
ui.csv_button(frame, "Download songs (CSV)", "songs.csv", key="songs_csv")
st.write(f"runs: {st.session_state['runs']}")
'''

pytestmark = pytest.mark.e2e


def test_two_quick_clicks_on_a_download_give_two_whole_files(tmp_path):
    from playwright.sync_api import sync_playwright

    script = tmp_path / "downloads_app.py"
    script.write_text(APP)
    with streamlit_server(tmp_path, script, PYTHONPATH=str(ROOT)) as url:
        with sync_playwright() as play:
            browser = play.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = browser.new_page(accept_downloads=True)
            page.goto(url)
            button = page.get_by_role("button", name="Download songs (CSV)")
            button.wait_for(timeout=30_000)
            page.get_by_text("runs: 1").wait_for(timeout=10_000)
            files = []
            page.on("download", lambda download: files.append(download))
            button.click()
            page.wait_for_timeout(100)
            button.click()
            deadline = time.monotonic() + 15
            while len(files) < 2 and time.monotonic() < deadline:
                page.wait_for_timeout(200)
            assert len(files) == 2, next(tmp_path.glob("streamlit-*.log")).read_text()[-2000:]
            for download in files:
                assert download.failure() is None
                data = Path(download.path()).read_bytes()
                assert data.startswith(b"title,tempo\r\n") and data.count(b"\r\n") == 2001
            assert page.get_by_text("runs: 1").is_visible()  # a click did not rerun the app
            browser.close()
        log = next(tmp_path.glob("streamlit-*.log"))
        assert "Deferred file" not in log.read_text()
