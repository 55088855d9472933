"""Library ownership on a shared server: which account sees and writes which library (engine/library/accounts.py)."""

import pandas as pd
import pytest

from engine.library.demo import open_demo
from engine.library.store import Store
from engine.schema import normalize_frame

ONE_TRACK = normalize_frame(pd.DataFrame({"title": ["Dreams"], "artists": ["Fleetwood Mac"]}))


def _import(store, name, account):
    library_id = store.create_library(name, "import")
    store.add_tracks(library_id, ONE_TRACK)
    assert store.claim_library(library_id, account)
    return library_id


def test_each_account_sees_its_imports_the_demo_and_only_its_own_spotify_library(memory_store):
    demo = open_demo(memory_store)
    mine, theirs = _import(memory_store, "mine", "token-a"), _import(memory_store, "theirs", "token-b")
    spotify = memory_store.create_library("Spotify: alice", "spotify", owner="alice")
    visible = lambda account, user=None: set(memory_store.account_libraries(account, user)["library_id"])  # noqa: E731
    assert visible("token-a") == {demo, mine}
    assert visible("token-b") == {demo, theirs}
    assert visible("token-b", "alice") == {demo, theirs, spotify}  # the Spotify sign-in proves the owner
    assert visible("") == {demo}  # a local run's account owns neither claimed import
    assert memory_store.can_open("token-a", mine) and not memory_store.can_open("token-a", theirs)
    assert not memory_store.can_open("token-a", spotify) and memory_store.can_open("token-a", spotify, "alice")


def test_the_demo_is_read_only_and_a_claimed_library_never_changes_hands(memory_store):
    demo = open_demo(memory_store)
    mine = _import(memory_store, "mine", "token-a")
    assert memory_store.can_write("token-a", mine) and not memory_store.can_write("token-b", mine)
    assert not memory_store.can_write("token-a", demo) and memory_store.can_open("token-a", demo)
    assert not memory_store.claim_library(mine, "token-b")
    assert memory_store.library_account(mine) == "token-a"
    assert not memory_store.can_write("token-a", 9999) and memory_store.library_account(9999) is None


def test_a_store_made_before_accounts_gains_the_column_and_its_libraries_stay_the_local_users(tmp_path):
    from engine.library.migrations import MIGRATIONS

    import sqlite_utils

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)  # a store as the release before accounts left it: m1 and m2 only
    old["schema_version"].create({"id": int, "version": int}, pk="id")
    for migration in MIGRATIONS[:2]:
        migration(old)
    old["schema_version"].insert({"id": 1, "version": 2})
    library_id = old["libraries"].insert({"name": "old import", "kind": "import", "owner": ""}).last_pk
    old.close()
    reopened = Store(path)
    assert reopened.version == len(MIGRATIONS)
    assert list(reopened.account_libraries("")["library_id"]) == [library_id]
    assert reopened.library_account(library_id) == ""
    reopened.close()


def test_a_new_import_belongs_to_its_account_from_its_first_file_and_a_failed_one_makes_none(tmp_path, samples):
    """The library, its owner and the first file commit together: no moment leaves it unowned, and an
    import whose every file fails leaves no library to own (issue 29: no empty junk libraries)."""
    from engine.library.imports import import_files

    store = Store(":memory:")
    bad = tmp_path / "notes.csv"
    bad.write_bytes(b"\x00\x01 binary")
    report = import_files(store, [bad], account="browser-a")
    assert report.problems and report.library_id is None and store.libraries().empty
    report = import_files(store, [bad, samples / "exportify" / "deadda7a__2021-12__casual.csv"], account="browser-a")
    assert report.problems and store.library_account(report.library_id) == "browser-a"
    assert report.library_id not in set(store.account_libraries("browser-b")["library_id"])


def test_the_engine_import_refuses_a_library_the_account_does_not_own(tmp_path):
    from engine.errors import LibraryAccessError
    from engine.library.imports import import_files

    store = Store(tmp_path / "t.db")
    demo = open_demo(store)
    good = tmp_path / "good.csv"
    good.write_text("Track Name,Artist Name(s)\nDreams,Fleetwood Mac\nSeptember,Earth Wind & Fire\n")
    mine = import_files(store, [good], account="browser-a").library_id
    spotify = store.create_library("Spotify: alice", "spotify", owner="alice")
    before = {i: store.library_size(i) for i in (mine, demo, spotify)}
    for library_id, account, user in [(mine, "browser-b", None), (demo, "browser-a", None),
                                      (spotify, "browser-a", None), (spotify, "browser-a", "bob"), (9999, "browser-a", None)]:
        with pytest.raises(LibraryAccessError, match="not yours to import into"):
            import_files(store, [good], library_id=library_id, account=account, spotify_user=user)
    assert {i: store.library_size(i) for i in (mine, demo, spotify)} == before  # nothing written anywhere
    assert import_files(store, [good], library_id=mine, account="browser-a").library_id == mine
    assert import_files(store, [good], library_id=spotify, account="browser-a", spotify_user="alice").ok
    assert store.library_size(spotify) == 2
    store.close()
