"""A full disk is named as such, never blamed on the file: SQLite really runs out of room here
(PRAGMA max_page_count caps the store, and SQLite answers SQLITE_FULL exactly as on a full disk)."""

import pytest

from engine.errors import DiskFullError
from engine.library.imports import import_files
from engine.library.store import Store

PLAYLIST = "martinkvu__2026-03__Your_Top_Songs_2024.csv"
SMALL = "deadda7a__2020-11__irish_like.csv"


def full_store(path, spare_pages: int) -> Store:
    store = Store(path)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + spare_pages}")  # this thread's connection: the test's
    return store


def test_a_full_disk_during_an_import_says_so_and_changes_nothing(samples, tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path))
    store = Store(tmp_path / "t.db")
    library_id = import_files(store, [samples / "exportify" / SMALL]).library_id
    before = store.library_tracks(library_id)
    store.close()
    store = full_store(tmp_path / "t.db", spare_pages=2)
    with pytest.raises(DiskFullError) as caught:
        import_files(store, [samples / "exportify" / PLAYLIST], library_id=library_id)
    message = str(caught.value)
    assert message == f"The disk is full: free space in {tmp_path} and import again; nothing was changed."
    assert "Exportify" not in message
    assert store.library_tracks(library_id).equals(before)  # what was stored stays, nothing half-added
    store.close()


def test_a_full_disk_after_some_files_says_which_were_kept(samples, tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path))
    store = full_store(tmp_path / "t.db", spare_pages=12)  # room for the small file, not for the big one
    files = [samples / "exportify" / SMALL, samples / "exportify" / PLAYLIST]
    with pytest.raises(DiskFullError, match="the files before this one were stored; nothing of this one"):
        import_files(store, files, name="two")
    library = store.libraries().set_index("name").loc["two", "library_id"]
    assert store.library_size(int(library)) > 0
    store.close()
