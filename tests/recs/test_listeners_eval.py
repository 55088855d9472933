"""The real-listener evaluation on real sample files: the temporal cut, skipped listeners, baselines
that reproduce the shipped figures, and the hybrid artifact's save -> load round trip."""

import io
import json

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES, models_dir
from engine.recs.hybrid import load_hybrid
from engine.recs.hybrid_training.fit import save_hybrid
from engine.recs.listeners.build import build_listener, record_times, sample_owners, split_file
from engine.recs.listeners.evaluate import BASELINES, evaluate_listeners
from engine.recs.recommend import Recommender


@pytest.fixture(scope="module")
def rec():
    return Recommender.load()


@pytest.fixture(scope="module")
def owners(samples):
    return sample_owners(samples)


def test_the_cut_never_leaks_a_truth_track_into_the_library(rec, owners):
    from engine.schema import normalize_frame

    kind, files = owners["Efrrowini"]
    listener = build_listener("Efrrowini", kind, files, rec.catalog)
    assert len(listener.library) > 100 and len(listener.truth) > 10
    rows = rec.catalog.match(normalize_frame(listener.library))[0]
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


def test_a_listener_with_no_catalog_known_truth_is_skipped_with_a_note(rec, owners):
    kind, files = owners["seankmchenry"]
    listener = build_listener("seankmchenry", kind, files, rec.catalog)
    report = evaluate_listeners(rec, [listener])
    assert report["methods"] == {} and report["skipped"][0]["listener"] == "seankmchenry"
    assert "skipped" in report["skipped"][0]["note"] and "catalog" in report["skipped"][0]["note"]


def test_baselines_and_hybrid_reproduce_the_shipped_figures_on_a_fixed_subset(rec, owners):
    shipped = json.loads((models_dir() / "hybrid" / "metrics.json").read_text())["fixed_subset"]
    listeners = [build_listener(name, *owners[name], rec.catalog) for name in shipped["listeners"]]
    report = evaluate_listeners(rec, listeners)
    for method in [*BASELINES, "hybrid"]:
        assert report["methods"][method]["pooled"]["recall@50"] == pytest.approx(shipped["recall@50"][method])
    assert report["methods"]["hybrid"]["pooled"]["recall@50"] > report["methods"]["random"]["pooled"]["recall@50"]


def test_hybrid_save_load_round_trip(rec, tmp_path, owners):
    save_hybrid(tmp_path, rec, rec.hybrid.membership, rec.hybrid_weights, {"fitted_on": "test"})
    weights, membership = load_hybrid(tmp_path, rec.items["key"])
    assert weights == pytest.approx(rec.hybrid_weights)
    assert (membership != rec.hybrid.membership).nnz == 0
    again = Recommender(rec.model, rec.vocab, rec.items, rec.vectors, rec.catalog, (weights, membership))
    library = build_listener("kyleduong", *owners["kyleduong"], rec.catalog).library
    library = library.assign(**{f: np.nan for f in FEATURES})
    first, second = rec.recommend(library, k=20, method="hybrid"), again.recommend(library, k=20, method="hybrid")
    assert list(first["track_id"]) == list(second["track_id"])
    assert np.allclose(first["match"], second["match"])
