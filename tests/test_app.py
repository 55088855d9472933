"""AppTest for every page, on the real model, in a temporary TUNESCOPE_HOME."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture()
def app():
    return AppTest.from_file(APP, default_timeout=180).run()


def test_every_page_file_is_registered():
    source = Path(APP).read_text()
    for page in sorted((ROOT / "pages").glob("*.py")):
        assert f'"pages" / "{page.name}"' in source, f"{page.name} is not registered in dashboard/app.py"


def test_home_page_explains_and_asks_for_a_file(app):
    assert not app.exception
    assert "Tunescope" in app.title[0].value
    assert any("Upload a CSV" in info.value for info in app.info)


def test_predictor_page_predicts_and_moves_with_the_fields(app):
    app.switch_page("../pages/predictor.py").run()
    assert not app.exception
    tempo = [m for m in app.metric if m.label == "Tempo"][0].value
    assert tempo.endswith("BPM")
    table = app.dataframe[0].value
    assert list(table["feature"])[:2] == ["energy", "valence"]
    before = table["prediction"].tolist()
    app.text_input[0].set_value("Some Unknown Song").run()
    app.text_input[1].set_value("Totally Unknown Artist").run()
    app.text_input[3].set_value("death metal").run()
    after = app.dataframe[0].value["prediction"].tolist()
    assert before != after
    assert not app.exception


def test_predictor_page_asks_for_input_when_empty(app):
    app.switch_page("../pages/predictor.py").run()
    app.text_input[0].set_value("").run()
    app.text_input[1].set_value("").run()
    assert any("Type a title" in info.value for info in app.info)
