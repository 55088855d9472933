"""Accuracy on real libraries the model never trained on."""

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES
from engine.predictor.evaluate import exportify_with_features, prior_lookup
from engine.predictor.fit import real_units
from engine.metrics import regression
from engine.schema import normalize_frame


@pytest.mark.data
def test_shipped_model_beats_the_prior_lookup_on_real_playlists(enricher):
    """Exportify playlists with Spotify's own features: strip them, predict, compare (no catalog shortcut)."""
    samples = exportify_with_features()
    truth = samples[FEATURES].to_numpy(dtype=float)
    predictor = enricher.predictor  # carries the catalog artist priors, as served
    inputs = predictor.featurizer.transform(normalize_frame(samples.drop(columns=FEATURES)), enricher.encoder)
    mean = real_units(predictor.featurizer.feature_mean_[None, :])[0]
    model = regression(truth, predictor.predict_inputs(inputs)["mean"], mean)
    prior = regression(truth, real_units(prior_lookup(inputs, predictor.featurizer.feature_mean_)), mean)
    assert model["mean_skill_bounded"] > prior["mean_skill_bounded"]
    assert model["mean_skill_bounded"] > 0.25
    assert all(model[f]["skill"] > 0 for f in ("energy", "valence", "danceability", "acousticness"))


@pytest.mark.slow
def test_full_evaluation_holds_the_measured_figures():
    """python -m engine evaluate, in full (about 15 minutes): guards the figures in docs/models/predictor.md against regression."""
    from engine.config import home_dir
    from engine.encoder import CachedEncoder
    from engine.predictor.evaluate import evaluate
    from engine.predictor.train import TrainConfig

    report = evaluate(CachedEncoder(home_dir() / "cache" / "train_embeddings.npz"), TrainConfig())
    strict = report["artist_holdout"]["all test tracks, artist prior withheld"]
    assert all(strict["model"][f]["mse"] < strict["ridge"][f]["mse"] for f in FEATURES)
    assert strict["model"]["thresholds_met"] >= 4
    assert 0.85 <= strict["calibration"]["mean_coverage_90"] <= 0.95
    assert np.mean([strict["calibration"][f]["spearman_conf_abs_err"] for f in FEATURES]) < 0
    samples = report["out_of_distribution"]["exportify samples, all (features stripped)"]
    assert samples["model"]["mean_skill_bounded"] > samples["prior_lookup"]["mean_skill_bounded"]
