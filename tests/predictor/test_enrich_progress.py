"""The enrichment reports its steps and how far it is (the dashboard's progress bar listens), and
reporting in chunks changes no value beyond float noise."""

import pandas as pd

from engine.library.store import Store
from engine.predictor import enrich as enrich_module
from engine.predictor.enrich import Enricher


def test_progress_names_each_step_and_counts_the_tracks(samples, enricher):
    playlist = pd.read_csv(samples / "exportify" / "seankmchenry__2023-01__donald_fagen.csv", dtype=str)
    playlist = playlist.drop(columns=[c for c in playlist.columns if c.lower() in enrich_module.FEATURES])
    whole = Enricher(store=Store(":memory:")).enrich(playlist)

    heard = []
    fresh = Enricher(store=Store(":memory:"))  # loads its models while reporting
    chunked = fresh.enrich(playlist, progress=lambda done, total, message: heard.append((done, total, message)))
    pd.testing.assert_frame_equal(chunked, whole, check_exact=False, atol=1e-3)  # int8 activations scale per batch

    messages = [m for _, _, m in heard]
    assert messages[0] == "loading the reference catalog (first time only)"
    assert "loading the predictor and the text encoder (first time only)" in messages
    predicting = [(d, t) for d, t, m in heard if m == "predicting audio features for 34 tracks"]
    # issue 29: a step of a few tracks reports along the way too (it used to be one chunk: an empty bar, then full)
    assert [d for d, _ in predicting] == [0, 16, 32, 34] and {t for _, t in predicting} == {34}

    again = []
    fresh.enrich(playlist, progress=lambda *step: again.append(step))
    assert again == []  # served from the store's cache: nothing to wait for, nothing reported


def test_a_small_step_reports_about_ten_times_and_a_big_one_every_256_tracks():
    assert enrich_module.progress_chunk(150) == 16 and enrich_module.progress_chunk(1) == 16
    assert enrich_module.progress_chunk(2_000) == 200 and enrich_module.progress_chunk(100_000) == 256


def test_progress_is_heard_with_growing_counts_while_the_predictions_run(monkeypatch):
    """Issue 29 (12): the first run's bar sat empty for 20 s. Each report comes before the chunk it counts
    up to is predicted, and the counts only grow, so a listener sees the bar move while the work runs."""
    events = []

    class Predictor:
        def predict_frame(self, norm, encoder):
            events.append(("predicted", len(norm)))
            return pd.DataFrame({"x": range(len(norm))}, index=norm.index)

    fresh = Enricher(store=Store(":memory:"))
    monkeypatch.setattr(fresh, "_predictor", Predictor())
    monkeypatch.setattr(fresh, "_encoder", object())
    norm = pd.DataFrame({"title": [f"t{i}" for i in range(150)]})
    out = fresh._predict(norm, lambda done, total, message: events.append(("heard", done, total)), "predicting")
    assert len(out) == 150
    heard = [e[1] for e in events if e[0] == "heard"]
    assert heard == sorted(set(heard)) and len(heard) >= 10 and heard[-1] == 150
    first_work = events.index(("predicted", 16))
    assert [e for e in events[:first_work] if e[0] == "heard"] == [("heard", 0, 150)]
    assert sum(1 for e in events[:-1] if e[0] == "heard" and 0 < e[1] < 150) >= 9  # before the work ends
