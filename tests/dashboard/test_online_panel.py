"""AppTest: real values online on Home and Coverage, against a fake ReccoBeats. Nothing is sent before
the listener turns the switch on; then the lookup runs behind the pages and the counts include it."""

import time
from pathlib import Path

import pytest
from fake_reccobeats import FakeReccoBeats, real_features
from streamlit.testing.v1 import AppTest

from engine.library.importers.exportify import read_exportify

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
SAMPLE = "deadda7a__2021-12__casual.csv"


@pytest.fixture()
def library(samples, tmp_path, monkeypatch):
    """A home holding one imported real playlist; real values known for all but its last 4 ids."""
    from engine.library.imports import import_files
    from engine.library.store import Store

    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path))
    path = samples / "exportify" / SAMPLE
    store = Store(tmp_path / "tunescope.db")
    library_id = import_files(store, [path]).library_id
    ids = read_exportify(path)["track_id"].tolist()
    lacking = set(store.lookup_candidates(library_id))  # the file's own complete values are never re-asked
    asked = [i for i in ids if i in lacking]
    return store, library_id, dict(zip(asked[:-4], real_features(len(asked) - 4, seed=5).values())), asked


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_nothing_is_sent_before_consent_then_real_values_arrive_in_the_background(library, monkeypatch):
    from engine.library.providers import consent

    store, library_id, known, asked = library
    with FakeReccoBeats(known) as fake:
        monkeypatch.setenv("TUNESCOPE_RECCOBEATS_URL", fake.url)
        at = AppTest.from_file(APP, default_timeout=300).run()
        assert not at.exception, at.exception
        switch = at.toggle(key="online_consent")
        assert switch.value is False
        assert any("Spotify track ids, nothing else" in c.value for c in at.caption)
        at.switch_page("../pages/coverage.py").run()
        assert metric(at, "From ReccoBeats") == "0"
        assert fake.received == []  # browsing sends nothing

        at.switch_page("../pages/home.py").run()
        at.toggle(key="online_consent").set_value(True).run()
        assert not at.exception, at.exception
        assert consent.allowed()
        deadline = time.monotonic() + 60
        while store.online_found("reccobeats", library_id) < len(known) and time.monotonic() < deadline:
            time.sleep(0.2)
        at.switch_page("../pages/coverage.py").run()
    assert not at.exception, at.exception
    assert metric(at, "From ReccoBeats") == f"{len(known):,}"
    assert sorted(fake.asked()) == sorted(asked)  # each id asked once, in ⌈n/40⌉ requests
    assert len(fake.received) == -(-len(asked) // 40)
    table = at.dataframe[-1].value
    assert (table["source"] == "✓ ReccoBeats").sum() == min(len(known), len(table))


def test_offline_the_pages_open_and_say_it_once_calmly(library, monkeypatch):
    from engine.library.providers import consent

    consent.remember(True)
    monkeypatch.setenv("TUNESCOPE_RECCOBEATS_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception and not at.error
    deadline = time.monotonic() + 30
    while not any("paused" in i.value for i in at.info) and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    notes = [i.value for i in at.info if "paused" in i.value]
    assert len(notes) == 1 and "could not be reached" in notes[0]
    assert not at.exception and not at.error


def test_values_one_account_fetched_never_show_to_an_account_that_did_not_agree(library, samples, monkeypatch):
    """A shared server: A and B import the same playlist; only A turns lookups on. The cache is shared,
    but B's pages show no ReccoBeats value, and its store read leaves them out."""
    from engine.library.imports import import_files

    store, _, known, asked = library
    monkeypatch.setenv("TUNESCOPE_SHARED", "1")
    with FakeReccoBeats(known) as fake:
        monkeypatch.setenv("TUNESCOPE_RECCOBEATS_URL", fake.url)
        a, b = (AppTest.from_file(APP, default_timeout=300).run() for _ in range(2))
        libraries = {}
        for at in (a, b):
            token = at.query_params["account"]
            libraries[token] = import_files(store, [samples / "exportify" / SAMPLE], account=token).library_id
            at.session_state["library_id"] = libraries[token]
            at.run()
        a.toggle(key="online_consent").set_value(True).run()
        assert not a.exception, a.exception
        lib_a, lib_b = libraries[a.query_params["account"]], libraries[b.query_params["account"]]
        deadline = time.monotonic() + 60
        while store.online_found("reccobeats", lib_a) < len(known) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(fake.asked()) == len(asked)
    assert store.online_found("reccobeats", lib_b) == len(known)  # the cache answers for B's ids too ...
    for at, expected in ((a, f"{len(known):,}"), (b, "0")):
        at.switch_page("../pages/coverage.py").run()
        assert not at.exception, at.exception
        assert metric(at, "From ReccoBeats") == expected  # ... but only A, who agreed, sees its values
    assert not (b.dataframe[-1].value["source"] == "✓ ReccoBeats").any()
    assert "reccobeats" not in set(store.library_tracks(lib_b, online=False)["source"])
    assert "reccobeats" in set(store.library_tracks(lib_b)["source"])



def test_a_choice_that_cannot_be_saved_is_a_message_on_home_not_a_traceback(library, tmp_path):
    from engine.library.providers import consent

    (tmp_path / consent.FILE).mkdir()  # online.json cannot be replaced: saving raises an OSError inside
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.toggle(key="online_consent").set_value(True).run()
    assert not at.exception, at.exception
    assert any("Could not save your choice about online lookups" in e.value for e in at.error)
    assert not consent.allowed()  # the old choice stands
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []
