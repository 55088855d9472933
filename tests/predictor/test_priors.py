"""Priors: the artist's other catalog tracks (never the track itself), and micro-genres mapped to known ones."""

import numpy as np
import pytest

from engine.catalog import datasets as reference
from engine.config import FEATURES
from engine.predictor.priors import CatalogArtistPriors, scaled
from engine.textnorm import artist_key, primary_artist


@pytest.fixture(scope="module")
def catalog():
    return reference.catalog_tracks()


@pytest.mark.data
def test_catalog_prior_leaves_the_track_itself_out(catalog):
    keys = catalog["artists"].map(lambda a: artist_key(primary_artist(a)))
    artist = keys.value_counts().index[5]  # a prolific artist
    tracks = catalog[keys == artist].reset_index(drop=True)
    priors = CatalogArtistPriors(catalog)
    values, found, counts = priors.lookup(tracks.head(3))
    assert found.all() and (counts == len(tracks) - 1).all()
    others = scaled(tracks.iloc[1:])
    assert np.allclose(values[0, :3], np.nanmean(others, axis=0)[:3], atol=1e-5)


@pytest.mark.data
def test_unknown_artist_gets_no_catalog_prior(catalog):
    import pandas as pd

    frame = pd.DataFrame({"title": ["x"], "artists": ["Qzxv Nobody"], "album": [""]})
    values, found, counts = CatalogArtistPriors(catalog.head(500)).lookup(frame)
    assert found[0] == 0 and counts[0] == 0


def test_micro_genres_resolve_to_similar_known_genres(enricher):
    vocab = enricher.predictor.featurizer.genres
    vectors, values, weight = vocab.resolve(["bedroom pop", "deutschrap", "celtic punk", "zzzq qqq"], enricher.encoder)
    assert weight[2] == 1.0  # a genre yamaerenay names: exact
    assert weight[0] > 0.55 and weight[1] > 0.55  # unseen but close to known genres
    assert values.shape == (4, len(FEATURES))
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


def test_artist_prior_matches_names_robustly(enricher):
    priors = enricher.predictor.featurizer.artists
    for name in ("The Beatles", "beatles", "BEYONCÉ", "Simon & Garfunkel", "Calvin Harris feat. Rihanna"):
        assert priors.find(name), name
    assert priors.find("Qzxv Nobody") == []
