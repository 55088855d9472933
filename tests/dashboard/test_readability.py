"""Issue 18, items 8 and 9, on a real Exportify playlist in a home of its own: the first enrichment
shows its steps in an open status box, track tables share one configuration (pinned title and artist,
features first, one format per kind of value, predicted values with their interval), and the
Predictor form leaves the example behind for a new track and takes its length as m:ss."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.config import FEATURES

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")
FAGEN = "seankmchenry__2023-01__donald_fagen.csv"  # 34 tracks the catalog does not know: all predicted


@pytest.fixture(scope="module")
def fagen_home(tmp_path_factory, samples):
    from engine.library.imports import import_files
    from engine.library.store import Store

    home = tmp_path_factory.mktemp("readability_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNESCOPE_HOME", str(home))
        store = Store(home / "tunescope.db")
        playlist = samples / "exportify" / FAGEN
        stripped = home / FAGEN  # without its features, so every value is predicted
        import pandas as pd

        rows = pd.read_csv(playlist, dtype=str, keep_default_na=False)
        rows.drop(columns=[c for c in rows.columns if c.lower() in FEATURES]).to_csv(stripped, index=False)
        import_files(store, [stripped], name="Fagen / Steely Dan")
        store.close()
        yield home


def _page(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, at.exception
    at.switch_page(f"../pages/{page}").run()
    assert not at.exception, at.exception
    return at


def test_the_first_enrichment_reports_its_steps_in_an_open_status(fagen_home):
    at = _page("coverage.py")
    boxes = [s for s in at.get("status")]
    assert boxes, "no status box for the first prediction"
    box = boxes[0]
    assert box.label == "34 tracks ready: 0 with real features, 34 predicted"
    bars = at.get("progress")
    assert bars and bars[0].value == 100
    assert bars[0].text == "Predicting audio features for 34 tracks (34 of 34)"
    again = _page("coverage.py")  # the frame is cached now: no box to wait on
    assert not [s for s in again.get("status") if "tracks ready" in s.label]


def test_track_tables_pin_title_and_artist_and_put_the_features_first(fagen_home):
    at = _page("coverage.py")
    table = at.dataframe[-1]
    shown = table.value
    assert list(shown.columns[:10]) == ["title", "artists", *FEATURES]
    assert len(shown) == 34
    config = json.loads(table.proto.columns)
    assert config["title"]["pinned"] is True and config["artists"]["pinned"] is True
    assert config["title"]["label"] == "Title" and config["artists"]["label"] == "Artist"
    assert config["confidence"]["type_config"]["format"] == "%d%%"
    assert shown["confidence"].between(0, 100).all() and (shown["confidence"] % 1 == 0).all()
    text = _display_values(table)  # what the table shows: one format per kind, every prediction with its interval
    for feature in FEATURES[:-1]:
        assert all(re.fullmatch(r"≈\d{1,3}% \(\d{1,3}–\d{1,3}\)", v) for v in text[feature]), text[feature][:3]
    assert all(re.fullmatch(r"≈\d{2,3} BPM \(\d{2,3}–\d{2,3}\)", v) for v in text["tempo"]), text["tempo"][:3]
    assert all(re.fullmatch(r"\d{1,3}%", v) for v in text["confidence"]) and all(re.fullmatch(r"\d+:\d\d", v) for v in text["duration"])
    assert "color: #F0A500; font-style: italic" in table.proto.arrow_data.styler.styles  # predicted: amber italics


def _display_values(table) -> dict[str, list[str]]:
    """The text st.dataframe shows per cell (the Styler's display values), by column."""
    import pyarrow as pa

    reader = pa.ipc.open_stream(table.proto.arrow_data.styler.display_values)
    frame = reader.read_pandas()
    return {c: frame[c].astype(str).tolist() for c in frame.columns}


def test_the_predictor_form_leaves_the_example_for_a_new_track_and_reads_m_ss(fagen_home):
    at = _page("predictor.py")
    assert at.text_input(key="predictor_duration").value == "4:17"
    assert at.text_input(key="predictor_release").value == "1977"
    at.text_input(key="predictor_title").set_value("Peg").run()
    assert at.text_input(key="predictor_release").value == ""  # the example's year is not Peg's
    assert at.text_input(key="predictor_duration").value == "" and at.text_input(key="predictor_album").value == ""
    at.text_input(key="predictor_artists").set_value("Steely Dan").run()
    at.text_input(key="predictor_duration").set_value("3:57").run()
    at.text_input(key="predictor_release").set_value("1977").run()
    assert not at.warning and not at.exception
    at.text_input(key="predictor_title").set_value("Aja").run()
    assert at.text_input(key="predictor_release").value == "1977"  # typed by the listener: kept
    at.text_input(key="predictor_duration").set_value("4.30").run()
    assert any("'4.30' is not a duration: type minutes and seconds, like 4:17." == re.sub(r"\\(.)", r"\1", w.value)
               for w in at.warning)  # Markdown escapes undone


def test_the_cluster_summary_shows_whole_percents(fagen_home):
    at = _page("clusters.py")
    summary = at.dataframe[0]
    config = json.loads(summary.proto.columns)
    assert config["share"]["type_config"]["format"] == "%d%%" and config["predicted"]["type_config"]["format"] == "%d%%"
    values = summary.value
    assert (values["share"] % 1 == 0).all() and values["share"].sum() == pytest.approx(100, abs=len(values))
    assert (values["predicted"] == 100).all()  # every Fagen track is predicted
