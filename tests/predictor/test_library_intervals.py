"""Intervals widened per library by its own known tracks (engine/predictor/library_intervals.py)."""

import json

import numpy as np
import pandas as pd

from engine.config import BOUNDED_FEATURES, FEATURE_RANGES, FEATURES, models_dir
from engine.library.store import Store
from engine.predictor.enrich import Enricher
from engine.predictor.library_intervals import SHRINK, widen, widening_factors

UPPER = {f: high for f, (_, high) in FEATURE_RANGES.items()}


def intervals(mean, half):
    return pd.DataFrame({**{f: np.full(len(mean), mean) for f in FEATURES},
                         **{f"{f}_low": np.full(len(mean), mean - half) for f in FEATURES},
                         **{f"{f}_high": np.full(len(mean), mean + half) for f in FEATURES}})


def test_factors_widen_only_and_shrink_with_few_known_tracks():
    rng = np.random.default_rng(0)
    mean = np.full(400, 0.5)
    errors = rng.normal(0, 0.2, size=(400, len(FEATURES)))  # errors twice what a 0.165 half-width covers
    factors = widening_factors(mean[:, None] + errors, intervals(mean, 0.165))[:-1]  # tempo: 0.165 BPM is under
    assert (factors > 1.7).all() and (factors < 2.2).all()                          # its floor (MIN_HALF)
    few = widening_factors(mean[:10, None] + errors[:10], intervals(mean[:10], 0.165))[:-1]
    assert (few < factors).all()  # ten tracks move it only 10 / (10 + SHRINK) of the way
    assert SHRINK == 30
    tight = widening_factors(mean[:, None] + errors / 10, intervals(mean, 0.165))
    assert (tight == 1.0).all()  # known tracks that are easy never narrow the others' intervals


def test_widen_scales_predicted_rows_around_the_prediction_and_keeps_a_zero_start():
    frame = intervals(np.array([0.5, 0.5, 0.15]), 0.1)
    frame["instrumentalness_low"] = [0.4, 0.4, 0.0]  # the third starts at 0: a true 0 is likely
    out = widen(frame, np.full(len(FEATURES), 2.0), np.array([0, 2]), UPPER)
    assert np.allclose(out["energy_low"], [0.3, 0.4, 0.0]) and np.allclose(out["energy_high"], [0.7, 0.6, 0.35])
    assert out.loc[2, "instrumentalness_low"] == 0.0 and out.loc[1, "energy_high"] == 0.6  # row 1 is not predicted


def test_a_real_library_is_widened_where_its_known_tracks_miss(samples):
    """kyleduong's chart playlist: the catalog knows 43 of 50 tracks; predicting those as if unknown
    shows tempo erring beyond its intervals, so the 7 predicted tracks' tempo intervals widen."""
    raw = pd.read_csv(samples / "exportify" / "kyleduong__2024-12__top_tracks_of_2024_global.csv",
                      dtype=str, encoding="utf-8-sig")
    raw = raw.drop(columns=[c for c in raw.columns if c.strip().lower() in FEATURES])
    store = Store(":memory:")
    served = Enricher(store=store).enrich(raw)
    plain = Enricher(store=Store(":memory:"), library_intervals=False).enrich(raw)
    factors = served.attrs["interval_widening"]
    assert factors["tempo"] > 1.0 and min(factors.values()) >= 1.0
    predicted = (served["source"] == "predicted").to_numpy()
    assert predicted.sum() == 7
    for feat in FEATURES:
        assert (served.loc[predicted, f"{feat}_low"] <= plain.loc[predicted, f"{feat}_low"] + 1e-9).all()
        assert (served.loc[predicted, f"{feat}_high"] >= plain.loc[predicted, f"{feat}_high"] - 1e-9).all()
        assert (served.loc[~predicted, feat] == plain.loc[~predicted, feat]).all()
    again = Enricher(store=store)
    repeat = again.enrich(raw)  # the known tracks' blind predictions are cached: no model is loaded
    assert again._predictor is None and repeat.attrs["interval_widening"] == factors


def test_served_per_library_coverage_holds_on_the_large_sets():
    """metrics.json (python -m engine recalibrate): each set served as one library; no set of at least
    500 other tracks is under 85% after widening. The tables are scored by a model that saw no table, which
    is harsh: Top 10s (115 other tracks) stays under on energy, danceability and acousticness (0.78-0.84)."""
    sets = json.loads((models_dir() / "audio_predictor" / "metrics.json").read_text())["real_library_sets"]
    adapted = sets["library_adapted"]["sets"]
    for name, entry in adapted.items():
        if entry["others"] < 500:
            continue
        for feat in BOUNDED_FEATURES:
            if feat in entry["coverage_90_after"]:
                assert 0.85 <= entry["coverage_90_after"][feat] <= 0.99, (name, feat)
                assert entry["coverage_90_after"][feat] >= entry["coverage_90_before"][feat]
    assert adapted["table: top_2000s"]["coverage_90_before"]["energy"] < 0.85
    assert adapted["table: top_2000s"]["coverage_90_after"]["energy"] >= 0.85


def test_an_interval_squeezed_to_the_range_edge_gives_a_finite_factor():
    """A prediction of 0 with the interval [0, 0] (reach 0) and a real value above it: the factor is read
    against a floored half-width and capped, never a division by zero."""
    from engine.predictor.library_intervals import MAX_FACTOR

    frame = intervals(np.zeros(40), 0.0)  # every interval is the point 0
    real = np.full((40, len(FEATURES)), 0.3)
    real[:, -1] = 30.0  # tempo, in BPM
    with np.errstate(all="raise"):
        factors = widening_factors(real, frame)
    assert np.isfinite(factors).all() and (factors > 1.0).all() and (factors <= MAX_FACTOR).all()
    out = widen(frame, factors, np.arange(40), UPPER)
    assert (out["energy_high"] > 0).all() and (out["energy_low"] == 0).all()
