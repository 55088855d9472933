"""Real listeners from the sample files, as the ranker's evaluation protocol cuts them: the temporal cut
never leaks a later record into the library, and Exportify rows split by their Added At."""

import io
import json

import pandas as pd
import pytest

from engine.config import FEATURES
from engine.library.store import Store
from engine.recs.listeners.build import build_listener, record_times, sample_owners, split_file, unenriched


@pytest.fixture(scope="module")
def rec(recommender):
    return recommender


@pytest.fixture(scope="module")
def owners(samples):
    return sample_owners(samples)


def test_the_cut_never_leaks_a_truth_track_into_the_library(rec, owners):
    from engine.schema import normalize_frame

    kind, files = owners["Efrrowini"]
    stores = []

    def new_store():
        stores.append(Store(":memory:"))
        return stores[-1]

    listener = build_listener("Efrrowini", kind, files, rec.matcher, new_store)
    assert len(stores) == 1  # one fresh store, the caller's, per listener
    assert len(listener.library) > 100 and len(listener.truth) > 10
    rows = rec.matcher.match(normalize_frame(listener.library))[0]
    assert not set(rows[rows >= 0]) & set(listener.truth)
    # Every play the library counts happened before the cut; every later record is outside it.
    for path in files:
        before, after = split_file(path, listener.cut)
        early = [r for r in json.loads(before)] if before else []
        late = [r for r in json.loads(after)] if after else []
        assert all(r["ts"].replace("T", " ")[:19] < listener.cut for r in early)
        assert all(r["ts"].replace("T", " ")[:19] >= listener.cut for r in late)
    plays_before = sum(1 for p in files for t in record_times(p) if t < listener.cut)
    assert 0 < listener.library["plays"].sum() <= plays_before
    first_late = {r["spotify_track_uri"].split(":")[-1] for p in files for r in json.loads(p.read_bytes())
                  if r["spotify_track_uri"] and r["ts"].replace("T", " ")[:19] >= listener.cut} - \
        {r["spotify_track_uri"].split(":")[-1] for p in files for r in json.loads(p.read_bytes())
         if r["spotify_track_uri"] and r["ts"].replace("T", " ")[:19] < listener.cut}
    assert first_late and not first_late & set(listener.library["track_id"])


def test_exportify_rows_split_by_added_at_and_placeholder_dates_are_undated(owners, samples):
    kind, files = owners["deadda7a"]
    times = sorted(record_times(files[0]))
    cut = times[len(times) // 2]
    before, after = split_file(files[0], cut)
    header = pd.read_csv(files[0], dtype=str).columns
    early, late = (pd.read_csv(io.BytesIO(b), dtype=str) for b in (before, after))
    assert list(early.columns) == list(header) and len(early) + len(late) == len(pd.read_csv(files[0]))
    clock = cut.replace(" ", "T")
    assert len(early) and len(late) and (early["Added At"] < clock).all() and (late["Added At"] >= clock).all()
    top = samples / "exportify" / "martinkvu__2026-03__Your_Top_Songs_2024.csv"
    assert record_times(top) == []  # every Added At is 1970-01-01: no timeline


def test_an_unenriched_library_keeps_what_the_files_brought(rec, owners):
    listener = build_listener("kyleduong", *owners["kyleduong"], rec.matcher, lambda: Store(":memory:"))
    library = listener.library
    assert unenriched(library).equals(library)  # every feature column there already: the frame as it is
    partial = library.drop(columns=["energy", "tempo"])
    out = unenriched(partial)
    assert all(f in out for f in FEATURES) and out[list(partial.columns)].equals(partial)
    assert out[["energy", "tempo"]].isna().all().all()  # unknown, for the recommender: confidence 0
