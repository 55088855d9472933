"""Confidence means something: more evidence -> more confidence, and confidence tracks real error."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from engine.config import BOUNDED_FEATURES, FEATURES
from engine.predictor.evaluate import exportify_with_features
from engine.schema import normalize_frame


def test_more_evidence_gives_more_confidence(enricher):
    bare = {"title": "Dreams", "artists": "Fleetwood Mac"}
    full = dict(bare, album="Rumours", genres="soft rock;album rock;classic rock", moods="chill;mellow",
                release_date="1977-02-04", duration_ms=257800, explicit="false", track_number=2, album_total_tracks=11)
    unknown = {"title": "Zzq", "artists": "Qqz Xyv"}
    c_full = enricher.predict_track(**full)["confidence"]
    c_bare = enricher.predict_track(**bare)["confidence"]
    c_unknown = enricher.predict_track(**unknown)["confidence"]
    assert c_full > c_unknown
    assert c_bare > c_unknown  # a known artist brings a prior


@pytest.mark.data
def test_confidence_ranks_errors_on_real_libraries(enricher):
    """On the Exportify samples (real user playlists, features stripped), confident predictions err less."""
    samples = exportify_with_features()
    truth = samples[FEATURES].to_numpy(dtype=float)
    norm = normalize_frame(samples.drop(columns=FEATURES))
    out = enricher.predictor.predict_frame(norm, enricher.encoder)
    rhos, covered = [], []
    for j, feat in enumerate(FEATURES):
        err = np.abs(out[feat].to_numpy() - truth[:, j])
        if feat in BOUNDED_FEATURES:
            rhos.append(stats.spearmanr(out[f"{feat}_confidence"], err).statistic)
        covered.append(((truth[:, j] >= out[f"{feat}_low"]) & (truth[:, j] <= out[f"{feat}_high"])).mean())
    assert np.nanmean(rhos) < 0
    assert 0.80 <= np.mean(covered) <= 0.97
