"""Issue 29, item 12: a download clicked twice in quick succession is not lost. The CSV goes to the browser
as bytes (not a deferred callable that a rerun drops) and a click does not rerun the app; the file is made
once per set of rows, not on every rerun."""

from __future__ import annotations

import io

import pandas as pd
from streamlit.testing.v1 import AppTest


def _page():
    import pandas as pd
    import streamlit as st

    from dashboard import ui

    made = st.session_state.setdefault("made", [])

    def prepare(frame):
        made.append(len(frame))
        return frame.assign(extra="=1+1")

    rows = st.session_state.get("rows", 3)
    frame = pd.DataFrame({"title": [f"song {i}" for i in range(rows)], "tempo": [120.0 + i for i in range(rows)]})
    ui.csv_button(frame, "Download (CSV)", "songs.csv", key="songs_csv", prepare=prepare)
    st.button("other")


def test_download_is_bytes_that_a_click_and_a_rerun_keep():
    at = AppTest.from_function(_page).run()
    assert not at.exception, at.exception
    button = at.get("download_button")[0].proto
    assert button.ignore_rerun  # clicking it downloads; the app does not rerun (nothing drops the file)
    assert not button.HasField("deferred_file_id") and button.url  # the bytes themselves, served by URL
    first = button.url
    at.button[0].click().run()  # any rerun (another widget, a second click's neighbour) keeps the same file
    again = at.get("download_button")[0].proto
    assert again.url == first and not again.HasField("deferred_file_id")
    assert at.session_state["made"] == [3]  # made once, not on every rerun

    at.session_state["rows"] = 5
    at.run()
    assert at.get("download_button")[0].proto.url != first and at.session_state["made"] == [3, 5]


def test_download_bytes_are_the_safe_csv():
    at = AppTest.from_function(_bytes_page).run()
    assert not at.exception, at.exception
    text = at.session_state["text"]
    back = pd.read_csv(io.StringIO(text), dtype=str)
    assert list(back.columns) == ["title", "tempo"] and not back["title"].iloc[0].startswith("=")
    assert "\r\n" in text


def _bytes_page():
    import pandas as pd
    import streamlit as st

    from dashboard import ui

    frame = pd.DataFrame({"title": ["=cmd", "b"], "tempo": [1.0, 2.0]})
    st.session_state["text"] = ui.csv_bytes(frame, "t").decode("utf-8")
