"""Clusters: the committed catalog model, 100% coverage, save/load, names, library clustering, bad input."""

import numpy as np
import pandas as pd
import pytest

from engine.explore.clusters import ClusterModel, choose_k, cluster_library, coverage_report
from engine.config import FEATURES
from engine.errors import EmptyLibraryError, TunescopeError


@pytest.fixture(scope="module")
def model():
    return ClusterModel.load()


@pytest.fixture(scope="module")
def unknown_library(enricher, samples):
    """A real export with its feature columns dropped and the catalog off: every track is predicted."""
    from engine.predictor.enrich import Enricher

    raw = pd.read_csv(samples / "exportify" / "deadda7a__2021-12__casual.csv", dtype=str)
    return Enricher(store=enricher.store, use_catalog=False).enrich(raw)


def test_committed_model_is_complete(model):
    assert model.centroids_.shape == (len(model.names_), len(FEATURES))
    assert len(set(model.names_)) == len(model.names_), "cluster names must be distinct"
    assert all(name.strip() for name in model.names_)
    profiles = model.profiles()
    assert profiles["tempo"].between(60, 200).all()  # back in BPM


def test_every_unknown_track_is_clustered(model, unknown_library):
    assert (unknown_library["source"] == "predicted").all()
    out = model.assign(unknown_library)
    assert out.index.equals(unknown_library.index)
    assert out["cluster"].notna().all()
    assert out["cluster_confidence"].between(0, 1).all()
    assert (out["runner_up"] != out["cluster"]).all()
    report = coverage_report(unknown_library, out).set_index("source")
    assert report.loc["all", "pct"] == 100.0
    assert report.loc["predicted", "clustered"] == len(unknown_library)


def test_assignment_survives_save_load(model, unknown_library, tmp_path):
    model.save(tmp_path)
    again = ClusterModel.load(tmp_path)
    np.testing.assert_allclose(again.centroids_, model.centroids_)
    pd.testing.assert_frame_equal(again.assign(unknown_library), model.assign(unknown_library))


def test_uncertainty_lowers_confidence(model, unknown_library):
    sure = unknown_library.copy()
    for feat in FEATURES:
        sure[f"{feat}_low"] = sure[f"{feat}_high"] = sure[feat]
    wide = unknown_library.copy()
    for feat in FEATURES:
        span = 60.0 if feat == "tempo" else 0.4
        wide[f"{feat}_low"], wide[f"{feat}_high"] = wide[feat] - span, wide[feat] + span
    sure_conf = model.assign(sure)["cluster_confidence"]
    wide_conf = model.assign(wide)["cluster_confidence"]
    assert wide_conf.mean() < sure_conf.mean()
    assert (model.assign(sure)["cluster"] == model.assign(wide)["cluster"]).all()  # nearest centroid either way


def test_real_catalog_tracks_fall_in_their_profile(model):
    from engine.catalog.items import catalog_items

    items = catalog_items().sample(3000, random_state=0)
    out = model.assign(items)
    energetic = model.profiles()["energy"].idxmax()
    quietest = model.profiles()["energy"].idxmin()
    assert items["energy"][out["cluster"] == energetic].mean() > items["energy"][out["cluster"] == quietest].mean()


def test_cluster_library_and_choose_k(unknown_library):
    result = cluster_library(unknown_library, k=4, seed=0)
    assert len(result.labels_) == len(unknown_library)
    assert len(set(result.names_)) == len(result.names_) == 4
    assert list(result.profiles_.columns) == FEATURES
    assert result.sizes_.sum() == len(unknown_library)
    assert -1 <= result.silhouette_ <= 1
    again = cluster_library(unknown_library, k=4, seed=0)
    np.testing.assert_array_equal(again.labels_, result.labels_)  # stable
    table = choose_k(unknown_library, ks=range(3, 6))
    assert list(table["k"]) == [3, 4, 5] and table["silhouette"].between(-1, 1).all()


def test_bad_libraries(model, unknown_library):
    with pytest.raises(EmptyLibraryError):
        cluster_library(unknown_library.iloc[:0], k=3)
    one = cluster_library(unknown_library.iloc[:1], k=5)  # k capped at the tracks there are
    assert list(one.labels_) == [0]
    assert len(model.assign(unknown_library.iloc[:0])) == 0
    with pytest.raises(TunescopeError, match="(?i)enrich"):
        model.assign(pd.DataFrame({"title": ["x"], "artists": ["y"]}))
    low = unknown_library.copy()
    low[[f"{f}_confidence" for f in FEATURES]] = 0.05
    out = model.assign(low.drop(columns=[c for c in low if c.endswith(("_low", "_high"))]))
    assert out["cluster"].notna().all() and out["cluster_confidence"].lt(1).all()


def test_a_library_whose_tracks_all_sound_alike_gets_one_cluster_not_a_crash():
    """Issue 30 (8): identical features made the silhouette NaN and int(NaN) crashed Coverage, Clusters and Map."""
    from engine.explore.clusters import choose_k, cluster_library, suggested_k

    frame = pd.DataFrame({f: [0.5] * 40 for f in FEATURES}).assign(tempo=120.0, title="same", artists="same")
    table = choose_k(frame)
    k = suggested_k(table)
    result = cluster_library(frame, k)
    assert table.empty and k == 2 and len(set(result.labels_)) == 1 and len(result.names_) == 1
    assert np.isfinite(result.profiles_.to_numpy(dtype=float)).all()


def test_the_suggested_k_prefers_finer_clusters_when_the_separation_is_as_good():
    """Issue 29 (4): k = 3 was suggested at silhouette 0.183 against 0.182 at k = 7 for 2,701 varied tracks."""
    from engine.explore.clusters import suggested_k

    table = pd.DataFrame({"k": range(3, 13), "silhouette": [0.183, 0.17, 0.175, 0.18, 0.182, 0.16, 0.15, 0.15, 0.14, 0.14]})
    assert suggested_k(table, 2701) == 7
    rising = table.assign(silhouette=[0.10 + 0.01 * i for i in range(10)])
    assert suggested_k(rising, 100) == 4 and suggested_k(rising, 2701) == 12  # at most sqrt(100 / 5) = 4 for 100 tracks
    assert suggested_k(table.iloc[:0], 500) == 2


def _predicted_share_deviation(labels, predicted) -> float:
    """Track-weighted mean |a cluster's predicted share - the library's| (bench/cluster_shares.py's deviation)."""
    overall = predicted.mean()
    return float(sum(abs(predicted[labels == c].mean() - overall) * (labels == c).sum()
                     for c in np.unique(labels)) / len(labels))


def test_predicted_tracks_fall_in_every_cluster_as_the_known_ones_do(enricher, samples):
    """Issue 29 (3): predictions lean to the middle, so clusters had sorted tracks by how sure they were.
    Control: 706 real liked songs with Spotify's features, those of a random half hidden (catalog off), so
    the predicted half is the same music as the known half and every cluster should be about half predicted."""
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    from engine.catalog.items import feature_matrix
    from engine.predictor.enrich import Enricher
    from engine.schema import normalize_frame

    raw = pd.read_csv(samples / "listeners" / "LiamWhitenack__exportify-analysis" / "Liked_Songs.csv",
                      dtype=str, encoding="utf-8-sig")
    hide = np.random.default_rng(0).random(len(raw)) < 0.5
    raw.loc[hide, [f.capitalize() for f in FEATURES]] = np.nan
    enriched = Enricher(store=enricher.store, use_catalog=False).enrich(raw)
    frame = normalize_frame(raw).assign(**{c: enriched[c].to_numpy() for c in enriched
                                           if c.startswith(tuple(FEATURES)) or c == "source"})
    predicted = (frame["source"] == "predicted").to_numpy()
    assert predicted.sum() == hide.sum()
    placed = cluster_library(frame, k=5).labels_
    plain = KMeans(n_clusters=5, n_init=4, random_state=0).fit_predict(StandardScaler().fit_transform(feature_matrix(frame)))
    before, after = _predicted_share_deviation(plain, predicted), _predicted_share_deviation(placed, predicted)
    assert before > 0.2 and after < 0.15 and after < 0.7 * before, (before, after)
    shares = [predicted[placed == c].mean() for c in range(5)]
    assert min(shares) > 0.25 and max(shares) < 0.7, shares  # no cluster of only guesses, none without them


def test_a_guess_is_spread_as_wide_as_its_interval_says_and_a_known_value_stays():
    from engine.explore.placement import MAX_STRETCH, placed_points

    rng = np.random.default_rng(0)
    z = rng.standard_normal((200, 2)) * [0.3, 1.0]
    sigma = np.zeros_like(z)
    sigma[:100, 0] = 0.9   # guesses of feature 0 at a third of the true spread, their intervals that wide
    points, stretch = placed_points(z, sigma)
    np.testing.assert_array_equal(points[100:], z[100:])          # known values are where they are
    np.testing.assert_array_equal(points[:, 1], z[:, 1])          # a feature nobody guessed stays
    assert 1 < stretch[0] <= MAX_STRETCH and stretch[1] == 1
    assert points[:100, 0].std() > 2 * z[:100, 0].std()
