"""Pages that agree with each other and with what the listener just did (issue 18, items 3 and 4):
one cluster model per library that the Clusters page, the Map, Library coverage and Recommendations
all show at the same k and with the same names; a cluster box that follows k; Home after an import;
and the Import tab a first visit chose, kept when a file is dropped."""

from __future__ import annotations

import json
import re
import sqlite3

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.safe import md

from tests.dashboard.test_dashboard_pages import APP, _demo_frame, demo_id, library_shown, open_page

ROOT_TABS = [":material/upload_file: Import files", ":material/link: Connect Spotify",
             ":material/library_music: Demo library"]


@pytest.fixture(scope="module", autouse=True)
def home(dashboard_home):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNESCOPE_HOME", str(dashboard_home))
        yield dashboard_home


def _summary_names(at: AppTest) -> list[str]:
    return list(at.dataframe[0].value["cluster"])


def _cluster_box(at: AppTest):
    return next(box for box in at.selectbox if box.label == "Cluster")


def _chart(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if key in c.proto.id).proto.spec)


def _choose_k(at: AppTest) -> int:
    """Move k off the suggested value on the Clusters page; returns the new k."""
    slider = at.select_slider(key=f"clusters_k_{demo_id()}")
    other = int(next(v for v in slider.options if int(v) != int(slider.value) and int(v) >= 5))
    slider.set_value(other).run()
    assert not at.exception, at.exception
    return other


def test_every_page_shows_the_clusters_k_and_names_chosen_on_the_clusters_page():
    at = open_page("clusters.py", demo=True)
    k = _choose_k(at)
    names = _summary_names(at)
    assert len(names) == k and len(set(names)) == k

    at.switch_page("../pages/map.py").run()
    assert not at.exception, at.exception
    assert {trace["name"] for trace in _chart(at, "map_chart")["data"]} == set(names)

    at.switch_page("../pages/coverage.py").run()
    assert not at.exception, at.exception
    shown = {name for trace in _chart(at, "coverage_clusters")["data"] for name in trace["y"]}
    assert shown == set(names)
    assert any(f"one of this library's {k} clusters" in c.value for c in at.caption)

    at.switch_page("../pages/recommendations.py").run()
    at.radio(key="recs_scope").set_value("a cluster").run()
    assert not at.exception, at.exception
    assert {o.rsplit(" (", 1)[0] for o in at.selectbox(key="recs_cluster").options} == set(names)

    at.switch_page("../pages/clusters.py").run()  # the choice holds when the listener comes back
    assert _summary_names(at) == names


def test_after_k_changes_the_cluster_box_names_the_new_cluster_holding_the_chosen_tracks():
    from engine.explore.clusters import cluster_library

    at = open_page("clusters.py", demo=True)
    before_k = len(_summary_names(at))
    _cluster_box(at).set_value(before_k - 1).run()  # the last cluster of the suggested k
    k = _choose_k(at)
    names = _summary_names(at)
    box = _cluster_box(at)
    assert [option.rsplit(" (", 1)[0] for option in box.options] == names
    frame = _demo_frame()
    old, new = cluster_library(frame, before_k), cluster_library(frame, k)
    followed = np.bincount(new.labels_[old.labels_ == before_k - 1], minlength=k).argmax()
    assert box.value == followed
    chosen = names[box.value]
    assert any(re.sub(r"\\(.)", r"\1", h.value) == f"Tracks in {chosen}" for h in at.subheader)
    profile = next(c for c in at.get("plotly_chart") if "library mean" in c.proto.spec)
    assert [trace["name"] for trace in json.loads(profile.proto.spec)["data"]] == ["library mean", chosen]
    other = (box.value + 1) % k
    _cluster_box(at).set_value(other).run()
    at.run()  # a later rerun keeps the listener's own choice
    assert _cluster_box(at).value == other


@pytest.fixture()
def private_home(dashboard_home, tmp_path, monkeypatch):
    """A copy of the dashboard tests' store (the demo and its cached predictions), so what a test
    imports or removes stays out of the other dashboard tests."""
    open_page("home.py")  # the demo exists in dashboard_home, its predictions cached
    with sqlite3.connect(dashboard_home / "tunescope.db") as source, sqlite3.connect(tmp_path / "tunescope.db") as copy:
        source.backup(copy)
    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path))
    return tmp_path


def test_after_an_import_home_shows_the_new_library_in_the_box_and_the_captions(private_home, samples):
    path = samples / "exportify" / "seankmchenry__2023-01__donald_fagen.csv"
    at = AppTest.from_file(APP, default_timeout=300)
    at.session_state["library_id"] = demo_id()
    at.run()
    assert any("read-only demo" in c.value for c in at.caption)
    at.file_uploader[0].set_value([(path.name, path.read_bytes(), "text/csv"),
                                   ("notes.csv", b"just,some\n1,2\n", "text/csv")]).run()
    next(b for b in at.button if b.label.startswith("Import 2 files")).click().run()
    assert not at.exception, at.exception
    assert library_shown(at).startswith("Import:")
    opened = int(at.session_state["library_id"])
    assert opened != demo_id()
    assert next(b for b in at.selectbox if b.label == "Switch to").value == opened
    assert not any("read-only demo" in c.value for c in at.caption)
    assert any(md("notes.csv") in w.value for w in at.warning)  # the import's report survives the redraw
    assert any(s.label.startswith("Imported 34 new tracks") for s in at.status)
    # Issue 29 (12): the files just imported leave the box, and nothing is ready to be imported twice.
    assert at.file_uploader[0].value in (None, []) and not any(b.label.startswith("Import 2 files") for b in at.button)
    assert next(b for b in at.button if b.label.startswith("Import 0 files")).disabled
    assert at.tabs[0].label == ROOT_TABS[0]  # Import files is the first, default tab


def _tabs_position(at: AppTest) -> int:
    main = at._tree.children[0]
    return next(i for i, block in main.children.items() if getattr(block, "type", "") == "tab_container")


def test_a_first_visit_keeps_the_import_tab_when_a_file_is_dropped(private_home, samples):
    """An empty server (the store with every library removed, predictions still cached): the first
    visit opens the demo; the listener picks Import files and drops a file."""
    from engine.library.store import Store

    store = Store(private_home / "tunescope.db")
    for library_id in store.libraries()["library_id"]:
        store.delete_library(int(library_id))
    store.close()

    at = AppTest.from_file(APP, default_timeout=300).run()
    assert not at.exception, at.exception
    assert any(s.label == "Demo library open" for s in at.status)  # this run opened the demo
    first = _tabs_position(at)
    at.session_state["home_tab"] = ROOT_TABS[0]
    at.run()
    path = samples / "exportify" / "seankmchenry__2023-01__donald_fagen.csv"
    at.file_uploader[0].set_value([(path.name, path.read_bytes(), "text/csv")]).run()
    assert not at.exception, at.exception
    assert _tabs_position(at) == first  # same place in the page: the browser keeps the chosen tab
    assert at.session_state["home_tab"] == ROOT_TABS[0]
    button = next(b for b in at.button if b.label.startswith("Import 1 file"))
    assert not button.disabled
