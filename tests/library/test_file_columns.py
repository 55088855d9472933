"""The listener's own columns (popularity, key, mode, loudness, time signature, label, added-at) survive
the import and come back in the enriched CSV (engine/library/file_columns.py, migration m8)."""

import io

import pandas as pd

from engine.library.imports import import_files, library_csv_frame
from engine.library.store import Store

TOP_SONGS = "martinkvu__2026-03__Your_Top_Songs_2024.csv"
OWN = ["Popularity", "Key", "Mode", "Loudness", "Time Signature", "Record Label", "Added At"]


def test_an_exportify_files_own_columns_are_stored_and_given_back(samples, tmp_path):
    path = samples / "exportify" / TOP_SONGS
    original = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    store = Store(tmp_path / "store.db")
    report = import_files(store, [path])
    out = library_csv_frame(store, report.library_id)
    assert set(OWN) <= set(out.columns) and "file_columns" not in out.columns
    assert "Track Name" not in out.columns and "Energy" not in out.columns  # read columns are not kept twice
    mine = out.set_index("track_id")
    given = original.assign(track_id=original["Track URI"].str.rsplit(":", n=1).str[-1]).set_index("track_id")
    given = given[~given.index.duplicated()]
    for column in OWN:
        assert (mine.loc[given.index, column] == given[column]).all(), column
    again = library_csv_frame(Store(tmp_path / "store.db"), report.library_id)  # read back from disk
    assert again[OWN].equals(out[OWN])


def test_the_enriched_download_keeps_them_in_the_neutralised_csv(samples, tmp_path, app):
    from engine.csvfiles import csv_text

    rows = pd.read_csv(samples / "exportify" / "deadda7a__2023-01__covers.csv", dtype=str, keep_default_na=False)
    rows.loc[0, "Record Label"] = "=HYPERLINK(\"http://x\")"  # a label that would run as a formula
    file = tmp_path / "covers.csv"
    rows.to_csv(file, index=False)
    store = Store(tmp_path / "store.db")
    report = import_files(store, [file])
    served = app.over(store)
    frame = served.library(report.library_id).tracks
    back = pd.read_csv(io.StringIO(csv_text(served.download_frame(frame))), dtype=str, keep_default_na=False)
    assert {"Popularity", "Record Label", "Added At", "energy", "energy_low", "source"} <= set(back.columns)
    assert back["Record Label"].str.startswith("'=").sum() == 1  # neutralised like every other text cell
    assert sorted(back["Popularity"]) == sorted(rows["Popularity"])


def test_a_store_from_before_m7_gains_the_column_and_keeps_its_tracks(samples, tmp_path):
    from engine.library.migrations import MIGRATIONS, m8_file_columns

    path = samples / "exportify" / TOP_SONGS
    store = Store(tmp_path / "old.db")
    report = import_files(store, [path])
    with store.transaction():  # as the store was before m8
        store.db.execute("alter table library_tracks drop column file_columns")
        store.db.execute("update schema_version set version = ?", [MIGRATIONS.index(m8_file_columns)])
    store.close()

    store = Store(tmp_path / "old.db")
    assert store.version == len(MIGRATIONS)
    before = library_csv_frame(store, report.library_id)
    assert len(before) == 100 and not set(OWN) & set(before.columns)  # nothing to give back yet, nothing lost
    import_files(store, [path], library_id=report.library_id)  # importing the file again brings them
    after = library_csv_frame(store, report.library_id)
    assert len(after) == 100 and set(OWN) <= set(after.columns)


def test_long_headers_are_stored_once_and_cut_so_a_small_upload_cannot_fill_the_disk(samples, tmp_path):
    """Issue 30 (3): header names were never capped and were repeated in every row's stored JSON: a 5 KB
    upload grew the store by 1.5 GB. Now the store grows with the cells, headers stored once and cut."""
    import zipfile

    from engine.library.file_columns import MAX_HEADER_CHARS

    rows = pd.read_csv(samples / "exportify" / TOP_SONGS, dtype=str, keep_default_na=False)
    wide = pd.concat([rows] * 20, ignore_index=True)
    wide = wide.assign(**{"Track Name": wide["Track Name"] + wide.index.astype(str), "Track URI": ""})  # 2,000 tracks
    for i in range(50):
        wide[f"{i:02d}" + "h" * 5_000] = "x"
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("Liked.csv", wide.to_csv(index=False))
    store = Store(tmp_path / "store.db")
    empty = (tmp_path / "store.db").stat().st_size
    report = import_files(store, [archive])
    assert report.ok, report.problems
    store.db.execute("pragma wal_checkpoint(truncate)")
    grown = (tmp_path / "store.db").stat().st_size - empty
    assert archive.stat().st_size < 300_000 and grown < 8 * 2**20, grown  # 500 MB of repeated headers before
    out = library_csv_frame(store, report.library_id)
    long = [c for c in out.columns if c.startswith("00h")]
    assert len(out) > 1500 and len(long) == 1 and len(long[0]) == MAX_HEADER_CHARS and (out[long[0]] == "x").all()
    assert set(OWN) <= set(out.columns)


def test_file_names_are_safe_and_name_the_library():
    from dashboard.ui import file_slug

    assert file_slug("Café del Mar / 2024") == "cafe_del_mar_2024"
    assert file_slug("../../etc/passwd") == "etc_passwd"
    assert file_slug("日本語") == "library" and file_slug("") == "library"
    assert len(file_slug("x" * 500)) == 60
