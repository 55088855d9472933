"""Cluster names say what the cluster's own profile says, on real libraries: every word's feature is
clearly on its side of the library mean and of a typical track, no two words contradict each other,
and names are unique within a library, at every k the Clusters page offers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from engine.catalog import artifact
from engine.catalog.items import feature_matrix
from engine.config import FEATURES, TEMPO_SCALE
from engine.explore.clusters import ClusterModel, cluster_library
from engine.explore.naming import CLEAR, EXCLUSIVE, TYPICAL, WORDS, name_problems

EXPORTS = ["kyleduong__2024-12__top_tracks_of_2024_global.csv", "martinkvu__2026-03__Your_Top_Songs_2024.csv",
           "seankmchenry__2023-01__donald_fagen.csv"]  # real playlists that carry Spotify's own features


@pytest.fixture(scope="module")
def libraries(enricher, samples) -> dict[str, pd.DataFrame]:
    tracks = artifact.tracks()
    metal = tracks[tracks["genres"].fillna("").str.contains("metal")].reset_index(drop=True)
    found = {"metal (the catalog's real metal tracks)": metal}
    for name in EXPORTS:
        found[name] = enricher.enrich(pd.read_csv(samples / "exportify" / name, dtype=str, encoding="utf-8-sig"))
    return found


def _profiles(frame: pd.DataFrame, labels: np.ndarray, k: int):
    """Each cluster's members' mean, in library standard deviations and in real units, from the frame itself."""
    x = feature_matrix(frame)
    mean, sd = x.mean(axis=0), x.std(axis=0)
    for c in range(k):
        members = x[labels == c].mean(axis=0)
        yield c, (members - mean) / sd, members * np.where(np.array(FEATURES) == "tempo", TEMPO_SCALE, 1.0)


def test_every_name_agrees_with_its_clusters_profile_at_every_k(libraries):
    checked = 0
    for library, frame in libraries.items():
        for k in range(3, min(13, len(frame))):
            result = cluster_library(frame, k)
            assert len(set(result.names_)) == len(result.names_), (library, k, result.names_)
            for c, z, values in _profiles(frame, result.labels_, len(result.names_)):
                assert name_problems(result.names_[c], z, values) == [], (library, k, result.names_[c])
                words = set(result.names_[c].split())
                assert not any(pair <= words for pair in EXCLUSIVE)
                checked += 1
    assert checked > 150


def test_quieter_metal_is_not_called_calm_unless_it_is(libraries):
    """The issue's case: 24 of 34 metal covers were called 'quiet dance'. Within a metal library, a cluster
    is 'calm' only below a typical track's energy, and 'dance' only above the library's danceability."""
    frame = libraries["metal (the catalog's real metal tracks)"]
    x = feature_matrix(frame)
    for k in (3, 5, 8):
        result = cluster_library(frame, k)
        for c, name in enumerate(result.names_):
            members = x[result.labels_ == c].mean(axis=0)
            if "calm" in name.split():
                assert members[FEATURES.index("energy")] < TYPICAL["energy"]
            if "dance" in name.split():
                j = FEATURES.index("danceability")
                assert members[j] > x[:, j].mean() + CLEAR * x[:, j].std()
    calm_loud = np.zeros(len(FEATURES))
    calm_loud[FEATURES.index("energy")] = -1.5  # quieter than this library, louder than a typical track
    values = np.array([TYPICAL[f] for f in FEATURES])
    values[FEATURES.index("energy")] = 0.8
    assert name_problems("calm", calm_loud, values)


def test_typical_is_the_shipped_catalog_mean_and_every_word_is_known():
    model = ClusterModel.load()
    mean = model.scaler_.mean_ * np.where(np.array(FEATURES) == "tempo", TEMPO_SCALE, 1.0)
    assert np.allclose([TYPICAL[f] for f in FEATURES], mean, rtol=0.01)
    assert set(WORDS) == set(FEATURES)
    assert name_problems("sung instrumental", np.zeros(8), mean)  # the contradictions are refused
    assert name_problems("fast unhurried", np.zeros(8), mean)
