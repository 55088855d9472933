"""Intervals widened per library by its own known tracks (engine/predictor/library_intervals.py)."""

import json

import numpy as np
import pandas as pd

from engine.config import BOUNDED_FEATURES, FEATURE_RANGES, FEATURES, models_dir
from engine.library.store import Store
from engine.predictor.enrich import Enricher
from engine.predictor.library_intervals import MAX_FACTOR, REACH_FLOOR, SHRINK, widen, widening_factors

UPPER = {f: high for f, (_, high) in FEATURE_RANGES.items()}


def intervals(mean, half):
    return pd.DataFrame({**{f: np.full(len(mean), mean) for f in FEATURES},
                         **{f"{f}_low": np.full(len(mean), mean - half) for f in FEATURES},
                         **{f"{f}_high": np.full(len(mean), mean + half) for f in FEATURES}})


def test_factors_widen_only_and_shrink_with_few_known_tracks():
    rng = np.random.default_rng(0)
    mean = np.full(400, 0.5)
    errors = rng.normal(0, 0.2, size=(400, len(FEATURES)))  # errors twice what a 0.165 half-width covers
    unit = {f: 1.0 for f in FEATURES}  # every feature on 0..1 here, tempo included
    factors = widening_factors(mean[:, None] + errors, intervals(mean, 0.165), unit)
    assert (factors > 1.7).all() and (factors <= MAX_FACTOR).all()
    few = widening_factors(mean[:10, None] + errors[:10], intervals(mean[:10], 0.165), unit)
    assert (few < factors).all()  # ten tracks move it only 10 / (10 + SHRINK) of the way
    assert SHRINK == 30
    tight = widening_factors(mean[:, None] + errors / 10, intervals(mean, 0.165), unit)
    assert (tight == 1.0).all()  # known tracks that are easy never narrow the others' intervals


def test_widen_scales_predicted_rows_around_the_prediction_and_keeps_a_zero_start():
    frame = intervals(np.array([0.5, 0.5, 0.15]), 0.1)
    frame["instrumentalness_low"] = [0.4, 0.4, 0.0]  # the third starts at 0: a true 0 is likely
    out = widen(frame, np.full(len(FEATURES), 2.0), np.array([0, 2]), UPPER)
    assert np.allclose(out["energy_low"], [0.3, 0.4, 0.0]) and np.allclose(out["energy_high"], [0.7, 0.6, 0.35])
    assert out.loc[2, "instrumentalness_low"] == 0.0 and out.loc[1, "energy_high"] == 0.6  # row 1 is not predicted


def test_a_real_library_is_widened_where_its_known_tracks_miss(samples):
    """kyleduong's chart playlist: the catalog knows 43 of 50 tracks; predicting those as if unknown
    shows valence, speechiness and tempo erring beyond their intervals, so the 7 predicted tracks widen."""
    raw = pd.read_csv(samples / "exportify" / "kyleduong__2024-12__top_tracks_of_2024_global.csv",
                      dtype=str, encoding="utf-8-sig")
    raw = raw.drop(columns=[c for c in raw.columns if c.strip().lower() in FEATURES])
    store = Store(":memory:")
    served = Enricher(store=store).enrich(raw)
    plain = Enricher(store=Store(":memory:"), library_intervals=False).enrich(raw)
    factors = served.attrs["interval_widening"]
    assert factors["valence"] > 1.0 and min(factors.values()) >= 1.0
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
    100 other tracks is under 85% after widening (Top 2000s energy was 77%). Some stay over 95% (Top 2000s
    speechiness 0.99): one calibrator serves every set, and the worst set's floor widens the easy ones."""
    sets = json.loads((models_dir() / "audio_predictor" / "metrics.json").read_text())["real_library_sets"]
    adapted = sets["library_adapted"]["sets"]
    for name, entry in adapted.items():
        if entry["others"] < 100:
            continue
        for feat in BOUNDED_FEATURES:
            if feat in entry["coverage_90_after"]:
                assert 0.85 <= entry["coverage_90_after"][feat] <= 0.99, (name, feat)
    assert adapted["table: top_2000s"]["coverage_90_before"]["energy"] < 0.80
    assert adapted["table: top_2000s"]["coverage_90_after"]["energy"] >= 0.85


def test_a_known_track_beyond_an_interval_that_reaches_nowhere_keeps_the_factor_modest(samples):
    """martinkvu's instrumental covers, with the playlist's own features, in a library of the tracks the
    catalog does not know. Blind, several covers are predicted near 0 with an interval [0, prediction]
    (the snapped-to-0 side reaches nowhere above) while their real instrumentalness is 0.8 to 0.9: measured
    against a reach of 0 the factor was in the millions and every predicted interval the whole range."""
    from engine.library.importers.exportify import read_exportify
    from engine.predictor.library_intervals import checked_rows

    playlist = read_exportify(samples / "exportify" / "martinkvu__2026-03__Your_Top_Songs_2024.csv")
    instrumental = playlist["instrumentalness"].astype(float) >= 0.3
    playlist.loc[~instrumental, FEATURES] = np.nan
    store = Store(":memory:")
    enricher = Enricher(store=store)
    unknown = enricher.catalog.match(enricher_frame(playlist))[0] < 0
    library = playlist[instrumental.to_numpy() | unknown].reset_index(drop=True)
    served = enricher.enrich(library)
    known = (served["source"] != "predicted").to_numpy()
    assert known.sum() == instrumental.sum() == 8 and (~known).sum() >= 10

    blind = enricher.predictor.predict_frame(enricher_frame(library.iloc[checked_rows(known)]), enricher.encoder)
    real = library.loc[known, "instrumentalness"].to_numpy(dtype=float)
    nowhere = (blind["instrumentalness_high"] - blind["instrumentalness"]).to_numpy() <= 1e-9
    assert (nowhere & (real > blind["instrumentalness"].to_numpy() + 0.3)).sum() >= 1  # the edge case is real here

    factors = served.attrs["interval_widening"]
    assert all(np.isfinite(v) and 1.0 <= v <= MAX_FACTOR for v in factors.values())
    assert factors["instrumentalness"] > 1.0  # the covers still widen the others, within bounds
    plain = Enricher(store=store, library_intervals=False).enrich(library).loc[~known]
    predicted = served.loc[~known]
    width = predicted["instrumentalness_high"] - predicted["instrumentalness_low"]
    assert width.max() < 0.5 and width.median() < 0.2  # not the whole range
    for feat in FEATURES:  # at most MAX_FACTOR times each side (or the floor) wider than served plain
        grown = (predicted[f"{feat}_high"] - predicted[feat]) - (plain[f"{feat}_high"] - plain[feat])
        assert (grown <= MAX_FACTOR * np.maximum(plain[f"{feat}_high"] - plain[feat], REACH_FLOOR * UPPER[feat]) + 1e-9).all()


def enricher_frame(frame):
    from engine.schema import normalize_frame

    return normalize_frame(frame.reset_index(drop=True))


def test_an_interval_side_of_zero_reach_counts_against_the_floor_and_widens_from_it():
    mean = np.full(40, 0.2)
    frame = intervals(mean, 0.1)
    frame["instrumentalness_high"] = 0.2  # [0.1, 0.2] for a 0.2: nothing above the prediction
    real = np.tile(mean[:, None], (1, len(FEATURES)))
    real[:8, FEATURES.index("instrumentalness")] = 0.9  # a fifth of the known tracks far above
    factors = widening_factors(real, frame)
    j = FEATURES.index("instrumentalness")
    assert factors[j] == MAX_FACTOR and (np.delete(factors, j) == 1.0).all()
    out = widen(frame, factors, np.arange(40), UPPER)
    assert np.allclose(out["instrumentalness_high"], 0.2 + MAX_FACTOR * REACH_FLOOR)
