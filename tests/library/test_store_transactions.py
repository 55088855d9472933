"""Store.transaction() keeps its promise: each operation commits whole or not at all, in memory and
in an on-disk WAL file, and threads each have their own transaction."""

import threading

import pandas as pd
import pytest
import sqlite_utils
from faulty_sqlite import FaultPlan, InjectedFault, dump

from engine.library.imports import import_files
from engine.library.migrations import MIGRATIONS
from engine.library.store import Store
from engine.schema import normalize_frame

ESPRESSO = "exportify/kyleduong__2024-12__top_tracks_of_2024_global.csv"
CASUAL = "exportify/deadda7a__2021-12__casual.csv"
FAGEN = "exportify/seankmchenry__2023-01__donald_fagen.csv"  # has Spotify's audio-feature columns


@pytest.fixture(params=["memory", "wal-file"])
def where(request, tmp_path):
    return ":memory:" if request.param == "memory" else tmp_path / "tunescope.db"


def state(store):
    return dump(store.db.conn)


def test_writes_of_sqlite_utils_inside_a_failed_transaction_all_roll_back(where):
    store = Store(where)
    library_id = store.create_library("mine", "import")
    before = state(store)
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.db.execute("insert into runs (library_id, kind, status) values (?, 'import', 'running')", [library_id])
            store.db["libraries"].insert({"name": "second", "kind": "import", "owner": ""})
            store.add_tracks(library_id, normalize_frame(pd.DataFrame({"title": ["Dreams"], "artists": ["Fleetwood Mac"]})))
            raise RuntimeError("the file turned out bad")
    assert state(store) == before
    if where != ":memory:":
        store.close()
        assert state(Store(where)) == before  # nothing half-written reached the file either


def test_a_nested_failure_caught_by_its_caller_undoes_only_the_inner_writes(memory_store):
    with memory_store.transaction():
        outer = memory_store.create_library("outer", "import")
        try:
            with memory_store.transaction():
                memory_store.create_library("inner", "import")
                raise ValueError("inner")
        except ValueError:
            pass
    assert list(memory_store.libraries()["library_id"]) == [outer]


def _store_file(store, samples, library_id, name=FAGEN):
    """One file's transaction exactly as import_files writes it (after its run row)."""
    from engine.library.importers import read_file
    from engine.library.imports import FileResult, _store_piece

    (piece,), _ = read_file(name, (samples / name).read_bytes())
    _store_piece(store, library_id, piece, FileResult(piece.name), set())


def _rekey(store, samples, library_id):
    """An Exportify file brings the id of a song the library holds without one."""
    _store_file(store, samples, library_id, ESPRESSO)


def _sync_page(store, samples, library_id):
    run_id = store.unfinished_run(library_id, "sync")["id"]
    page = normalize_frame(pd.read_csv(samples / CASUAL, encoding="utf-8-sig"))
    store.add_tracks(library_id, page, saved=True, playlist={"id": "p1", "name": "Mix", "spotify_id": "p1"},
                     run_id=run_id, cursor={"stage": "items", "item_offset": 20})


def _delete(store, samples, library_id):
    store.delete_library(library_id)


@pytest.mark.parametrize("operation", [_store_file, _rekey, _sync_page, _delete])
def test_a_failure_after_the_first_write_of_an_operation_leaves_the_store_unchanged(where, samples, tmp_path, operation):
    plan = FaultPlan()
    store = plan.store(where)
    plain = tmp_path / "plain.csv"
    plain.write_text("artist,title\nSabrina Carpenter,Espresso\nNobody Known,Unheard Song\n")
    library_id = import_files(store, [plain, samples / CASUAL]).library_id
    store.start_run(library_id, "sync")
    other = import_files(store, [plain]).library_id  # another library holding the same id-less songs
    before, others_before = state(store), store.library_tracks(other)
    plan.fail_at = plan.writes + 2
    with pytest.raises(InjectedFault):
        operation(store, samples, library_id)
    assert state(store) == before
    pd.testing.assert_frame_equal(store.library_tracks(other), others_before)
    assert not plan.outside, plan.outside
    plan.fail_at = None
    operation(store, samples, library_id)  # and without the fault it goes through
    assert state(store) != before


def _version_2_store(path):
    """A store as the last release left it, with one library holding an exported track."""
    db = sqlite_utils.Database(path)
    db["schema_version"].create({"id": int, "version": int}, pk="id")
    for migration in MIGRATIONS[:2]:
        migration(db)
    db["schema_version"].insert({"id": 1, "version": 2})
    db["libraries"].insert({"id": 1, "name": "old", "kind": "import", "owner": ""})
    db["tracks"].insert({"key": "2HRqTpkrJO5ggZyyK6NPWz", "track_id": "2HRqTpkrJO5ggZyyK6NPWz", "title": "Espresso",
                         "artists": "Sabrina Carpenter", "duration_ms": 175459.0, "match_key": "sabrina carpenter|espresso"})
    db["library_tracks"].insert({"library_id": 1, "key": "2HRqTpkrJO5ggZyyK6NPWz", "saved": 1})
    db["features"].insert({"key": "2HRqTpkrJO5ggZyyK6NPWz", "source": "export", "energy": 0.76, "valence": 0.69,
                           "danceability": 0.7, "acousticness": 0.1, "instrumentalness": 0.0, "liveness": 0.18,
                           "speechiness": 0.03, "tempo": 1e300})
    db.close()


def test_a_migration_that_fails_midway_leaves_the_old_store_and_runs_again_whole(tmp_path):
    path = tmp_path / "old.db"
    _version_2_store(path)
    before = dump(sqlite_utils.Database(path).conn)
    plan = FaultPlan(fail_at=2)
    with pytest.raises(InjectedFault):
        plan.store(path)
    assert dump(sqlite_utils.Database(path).conn) == before
    store = Store(path)
    assert store.version == len(MIGRATIONS)
    track = store.library_tracks(1).iloc[0]
    assert (track["title"], track["source"], track["energy"]) == ("Espresso", "export", 0.76)
    assert pd.isna(track["tempo"])  # stored before range checks existed: cleared, so predicted
    store.close()


def test_two_threads_with_overlapping_transactions_both_commit(where):
    store = Store(where)
    first_inside, second_started = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with store.transaction():
                store.create_library("first", "import")
                first_inside.set()
                second_started.wait(5)
                with store.transaction():  # nesting counts in this thread only
                    store.create_library("first-nested", "import")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def second():
        first_inside.wait(5)
        second_started.set()
        try:
            with store.transaction():
                store.create_library("second", "import")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors
    assert sorted(store.libraries()["name"]) == ["first", "first-nested", "second"]
    assert not store.db.conn.in_transaction


def test_two_threads_importing_and_syncing_at_once_both_complete(where, samples):
    from fake_spotify import FakeSpotify
    from test_spotify_sync import assert_complete, client_for, sign_in

    from engine.library.spotify.sync import sync_library

    files = [samples / f for f in (ESPRESSO, CASUAL, FAGEN, "account_export/hobbies-w-erin_2024/YourLibrary.json")]
    alone = Store(":memory:")
    expected = len(alone.library_tracks(import_files(alone, files).library_id))
    store, results, errors = Store(where), {}, []

    def run(name, work):
        try:
            results[name] = work()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with FakeSpotify(users={"alice": 400}, playlists=3) as fake:
        client = client_for(fake, sign_in(fake))
        threads = [threading.Thread(target=run, args=("import", lambda: import_files(store, files))),
                   threading.Thread(target=run, args=("sync", lambda: sync_library(store, client)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert not errors, errors
        assert_complete(store, results["sync"], fake.users["alice"])
    assert results["import"].ok and len(store.library_tracks(results["import"].library_id)) == expected
    assert set(store.runs(results["import"].library_id)["status"]) == {"done"}
