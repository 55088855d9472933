"""Several processes opening one store at the same moment (the CLI beside the dashboard on first run or
right after an upgrade): every one opens it, the migrations run once, and the schema and data are right."""

import multiprocessing
import sqlite3
import threading
import time

import sqlite_utils

from engine.library.migrations import MIGRATIONS

PROCESSES = 4
READ_PAUSE_S = 0.3  # after each read of the schema version, as on a loaded machine: racing openers meet mid-way


class SlowVersionReads(sqlite3.Connection):
    def execute(self, sql, *args):
        cursor = super().execute(sql, *args)
        if "from schema_version" in sql:
            time.sleep(READ_PAUSE_S)
        return cursor


def _open_store(path, barrier, results):
    try:
        from engine.library.store import Store  # imported before the barrier: they all open at once

        Store.connection_class = SlowVersionReads
        barrier.wait(timeout=60)
        store = Store(path)
        results.put(("ok", store.version, store.db.execute("pragma journal_mode").fetchone()[0]))
        store.close()
    except BaseException as error:  # reported to the test, which shows it
        results.put(("error", f"{type(error).__name__}: {error}", ""))


def _open_at_once(path):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(PROCESSES), context.Queue()
    workers = [context.Process(target=_open_store, args=(str(path), barrier, results)) for _ in range(PROCESSES)]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    return outcomes


def _old_store(path, version):
    """A store as an earlier release left it: the migrations up to `version`, with one library in it."""
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    db["schema_version"].create({"id": int, "version": int}, pk="id")
    for migration in MIGRATIONS[:version]:
        migration(db)
    db["schema_version"].insert({"id": 1, "version": version})
    db["libraries"].insert({"id": 1, "name": "Old library", "kind": "exportify", "owner": "", "created_at": "2025",
                            "opened_at": "2025"})
    db["tracks"].insert({"key": "k1", "title": "Hocus Pocus", "artists": "Focus", "match_key": "focus|hocus pocus"})
    db["library_tracks"].insert({"library_id": 1, "key": "k1", "added_at": "2025", "saved": 1})
    db.close()


def _check(path, outcomes):
    assert [o for o in outcomes if o[0] != "ok"] == []
    assert {o[1] for o in outcomes} == {len(MIGRATIONS)}
    assert {o[2] for o in outcomes} == {"wal"}
    db = sqlite_utils.Database(path)
    assert list(db.query("select version from schema_version")) == [{"version": len(MIGRATIONS)}]
    assert "account" in db["libraries"].columns_dict and "online_misses" in db.table_names()
    return db


def test_processes_opening_a_new_store_at_once_all_succeed(tmp_path):
    path = tmp_path / "new.db"
    db = _check(path, _open_at_once(path))
    assert db["libraries"].count == 0


def test_processes_opening_an_old_store_at_once_upgrade_it_once(tmp_path):
    path = tmp_path / "old.db"
    _old_store(path, version=2)
    db = _check(path, _open_at_once(path))
    rows = list(db.query("select library_id, title, artists, account from library_tracks "
                         "join libraries on libraries.id = library_id"))
    assert rows == [{"library_id": 1, "title": "Hocus Pocus", "artists": "Focus", "account": ""}]


def test_opening_waits_out_a_writer_holding_a_store_not_yet_in_wal(tmp_path):
    """Switching to WAL while another process writes answers 'database is locked' at once: the store retries."""
    from engine.library.store import Store

    path = tmp_path / "old.db"
    _old_store(path, version=2)
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("begin immediate")
    writer.execute("update libraries set name = 'Renamed'")
    releaser = threading.Timer(0.5, lambda: writer.execute("commit"))
    releaser.start()
    store = Store(path)
    releaser.join()
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert store.version == len(MIGRATIONS)
    assert [row["name"] for row in store.db.query("select name from libraries")] == ["Renamed"]
    store.close()
