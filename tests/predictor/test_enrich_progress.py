"""The enrichment reports its steps and how far it is (the dashboard's progress bar listens), and
reporting in chunks changes no value beyond float noise."""

import pandas as pd

from engine.library.store import Store
from engine.predictor import enrich as enrich_module
from engine.predictor.enrich import Enricher


def test_progress_names_each_step_and_counts_the_tracks(samples, enricher, monkeypatch):
    playlist = pd.read_csv(samples / "exportify" / "seankmchenry__2023-01__donald_fagen.csv", dtype=str)
    playlist = playlist.drop(columns=[c for c in playlist.columns if c.lower() in enrich_module.FEATURES])
    whole = Enricher(store=Store(":memory:")).enrich(playlist)

    heard = []
    monkeypatch.setattr(enrich_module, "PROGRESS_CHUNK", 10)
    fresh = Enricher(store=Store(":memory:"))  # loads its models while reporting
    chunked = fresh.enrich(playlist, progress=lambda done, total, message: heard.append((done, total, message)))
    pd.testing.assert_frame_equal(chunked, whole, check_exact=False, atol=1e-3)  # int8 activations scale per batch

    messages = [m for _, _, m in heard]
    assert messages[0] == "loading the reference catalog (first time only)"
    assert "loading the predictor and the text encoder (first time only)" in messages
    predicting = [(d, t) for d, t, m in heard if m == "predicting audio features for 34 tracks"]
    assert [d for d, _ in predicting] == [0, 10, 20, 30, 34] and {t for _, t in predicting} == {34}

    again = []
    fresh.enrich(playlist, progress=lambda *step: again.append(step))
    assert again == []  # served from the store's cache: nothing to wait for, nothing reported
