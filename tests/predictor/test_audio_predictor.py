"""The network, its save->load round trip, and the shipped artifact's completeness."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from engine.config import FEATURES, models_dir
from engine.predictor.model import AudioFeaturePredictor, PredictorConfig, multitask_loss
from engine.predictor.bundle import ARTIFACT_FILES, AudioPredictor

SHIPPED = models_dir() / "audio_predictor"


def _inputs(config, n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(n, d, generator=g) for d in (config.text_dim, config.genre_dim)] + [
        torch.cat([(torch.rand(n, config.mood_dim, generator=g) > 0.8).float(),
                   torch.randn(n, config.playlist_dim, generator=g) * 0.05], dim=1),
        torch.randn(n, config.meta_dim, generator=g), torch.randn(n, config.prior_dim, generator=g) * 0.1]


def test_forward_shapes_and_ranges():
    config = PredictorConfig()
    model = AudioFeaturePredictor(config).eval()
    out = model(*_inputs(config))
    assert out.shape == (4, 8)
    assert torch.all((out[:, :7] > 0) & (out[:, :7] < 1))


def test_anchored_heads_start_at_the_prior():
    config = PredictorConfig(feature_mean=[0.6, 0.5, 0.6, 0.2, 0.1, 0.2, 0.1, 0.6])
    model = AudioFeaturePredictor(config).eval()
    text, genre, mood, meta, prior = _inputs(config)
    prior.zero_()
    prior[0, :8] = 0.1        # an artist prior 0.1 above the mean,
    prior[0, 8] = 1.0         # found,
    prior[0, 9] = np.log1p(10) / 8.0  # resting on 10 tracks
    out = model(text, genre, mood, meta, prior)
    mean = torch.tensor(config.feature_mean)
    trust = torch.sigmoid(model.prior_trust)  # learned per feature; starts near 0.9
    assert torch.allclose(out[1], mean, atol=1e-5)
    assert torch.allclose(out[0], mean + trust * 0.1, atol=1e-5)
    assert torch.all(out[0, :7] > out[1, :7])


def test_loss_skips_missing_targets_and_is_differentiable():
    pred = torch.full((3, 8), 0.5, requires_grad=True)
    target = torch.full((3, 8), 0.5)
    target[0, 4] = float("nan")
    target[1, 0] = 0.7
    loss = multitask_loss(pred, target)
    assert torch.isfinite(loss) and loss > 0
    loss.backward()
    assert torch.isfinite(pred.grad).all()


def test_shipped_artifact_is_complete_and_documented():
    for name in ARTIFACT_FILES + ["metrics.json"]:
        assert (SHIPPED / name).exists(), name
    config = json.loads((SHIPPED / "config.json").read_text())
    assert config["members"] >= 5
    assert {"torch", "sentence-transformers", "numpy"} <= set(config["versions"])
    metrics = json.loads((SHIPPED / "metrics.json").read_text())
    assert {"artist_holdout", "temporal", "out_of_distribution"} <= set(metrics)
    size = sum(p.stat().st_size for p in SHIPPED.iterdir())
    assert size < 25 * 1024 * 1024


def test_save_load_round_trip_gives_identical_predictions(tmp_path, enricher):
    predictor = enricher.predictor
    frame = pd.DataFrame({"title": ["Dreams", "Unknown Song"], "artists": ["Fleetwood Mac", "Nobody"],
                          "genres": ["soft rock", ""], "moods": ["", ""], "playlists": ["", ""]})
    from engine.schema import normalize_frame

    frame = normalize_frame(frame)
    before = predictor.predict_frame(frame, enricher.encoder)
    predictor.save(tmp_path / "copy")
    loaded = AudioPredictor.load(tmp_path / "copy")
    loaded.featurizer.catalog_artists = predictor.featurizer.catalog_artists  # set by the server, not saved
    after = loaded.predict_frame(frame, enricher.encoder)
    assert np.allclose(before.to_numpy(dtype=float), after.to_numpy(dtype=float), atol=1e-6)
    for a, b in zip(predictor.members, loaded.members):
        for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items()):
            assert torch.allclose(pa, pb), name


def test_incomplete_artifact_says_how_to_fix(tmp_path):
    from engine.errors import ModelNotFoundError

    with pytest.raises(ModelNotFoundError, match="python -m engine train"):
        AudioPredictor.load(tmp_path)
