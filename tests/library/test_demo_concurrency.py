"""Several people arriving at an empty server at once get one demo library: threads sharing the
dashboard's store, and processes each opening the same store file (a CLI beside the server, or a
second server on the same TUNESCOPE_HOME)."""

from __future__ import annotations

import multiprocessing
import threading

from engine.library.demo import DEMO_NAME, open_demo
from engine.library.store import Store

PEOPLE = 6


def _demos(path) -> list[int]:
    store = Store(path)
    try:
        libraries = store.libraries()
        return libraries.loc[libraries["name"] == DEMO_NAME, "library_id"].tolist()
    finally:
        store.close()


def test_simultaneous_first_visits_in_threads_build_one_demo(tmp_path):
    path = tmp_path / "tunescope.db"
    store = Store(path)  # one store per server, as dashboard/resources.py keeps it
    start, opened, errors = threading.Barrier(PEOPLE), [], []

    def visit():
        try:
            start.wait()
            opened.append(open_demo(store))
        except Exception as exc:  # noqa: BLE001  (reported below, with the thread's own error)
            errors.append(exc)

    threads = [threading.Thread(target=visit) for _ in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    store.close()
    assert not errors, errors
    assert len(opened) == PEOPLE and len(set(opened)) == 1
    assert _demos(path) == opened[:1]


def _visit_in_a_process(path: str, start, answers) -> None:
    store = Store(path)
    start.wait()
    answers.put(open_demo(store))
    store.close()


def test_simultaneous_first_visits_in_processes_build_one_demo(tmp_path):
    path = str(tmp_path / "tunescope.db")
    context = multiprocessing.get_context("spawn")
    start, answers = context.Barrier(4), context.Queue()
    processes = [context.Process(target=_visit_in_a_process, args=(path, start, answers)) for _ in range(4)]
    for process in processes:
        process.start()
    opened = [answers.get(timeout=180) for _ in processes]
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert len(set(opened)) == 1
    demos = _demos(path)
    assert demos == opened[:1]
    store = Store(path)
    assert len(store.library_tracks(demos[0])) == 435  # built whole, once
    store.close()


def test_demos_left_by_an_earlier_race_are_merged_into_one(tmp_path):
    store = Store(tmp_path / "tunescope.db")
    first = open_demo(store)
    copy = store.create_library(DEMO_NAME, "demo")  # what six racing first visits used to leave
    mine = store.create_library("Import: mine", "import")
    assert open_demo(store) == first
    names = store.libraries().set_index("library_id")["name"]
    assert copy not in names.index and names[mine] == "Import: mine" and (names == DEMO_NAME).sum() == 1
    store.close()
