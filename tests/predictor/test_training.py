"""Training is seeded: the same seed gives the same weights; another seed gives others."""

import numpy as np
import pytest
import torch

from engine.catalog import datasets as reference
from engine.predictor.fit import artist_split
from engine.predictor.train import TrainConfig, artist_keys, build, fit_member


@pytest.mark.data
def test_same_seed_same_weights(enricher):
    predictor = enricher.predictor
    tracks = reference.training_tracks().sample(600, random_state=0).reset_index(drop=True)
    parts = artist_split(artist_keys(tracks), {"fit": 0.8, "val": 0.2}, seed=1)
    train, y = build(predictor.featurizer, tracks[parts["fit"]], enricher.encoder)
    val, y_val = build(predictor.featurizer, tracks[parts["val"]], enricher.encoder)
    cfg = TrainConfig(max_epochs=2, batch_size=64)
    weight = np.ones(len(train))

    def fit(seed):
        return fit_member(predictor.config, cfg, train, y, weight, val, y_val, seed=seed, log=lambda _: None).state_dict()

    first, again, other = fit(3), fit(3), fit(4)
    assert all(torch.equal(first[k], again[k]) for k in first)
    assert not all(torch.equal(first[k], other[k]) for k in first)
