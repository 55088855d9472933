"""The two-tower model: serving vectors score like the model, the artifact round-trips, and the
evaluation's recorded numbers are reproduced on a small fixed split."""

import json

import numpy as np
import pytest
import torch

from engine.config import models_dir
from engine.recs.model import TwoTowerConfig, TwoTowerModel, softmax_loss
from engine.recs.metrics import ranking_metrics


def small_batch(config, n_items=12, n_users=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    items = dict(text=torch.randn(n_items, config.text_dim, generator=g),
                 artist=torch.randint(0, config.num_artists, (n_items,), generator=g),
                 genres=torch.randint(0, config.num_genres, (n_items, 6), generator=g),
                 moods=torch.rand(n_items, config.num_moods, generator=g),
                 audio=torch.rand(n_items, config.audio_dim, generator=g),
                 meta=torch.rand(n_items, config.item_meta_dim, generator=g))
    users = dict(artist_hist=torch.softmax(torch.randn(n_users, config.num_artists, generator=g), 1),
                 genre_hist=torch.softmax(torch.randn(n_users, config.num_genres, generator=g), 1),
                 moods=torch.rand(n_users, config.num_moods, generator=g),
                 audio=torch.rand(n_users, config.user_audio_dim, generator=g),
                 stats=torch.rand(n_users, config.user_stats_dim, generator=g))
    return items, users


def test_serving_vectors_score_like_the_model():
    config = TwoTowerConfig(num_artists=7, num_genres=9)
    model = TwoTowerModel(config).eval()
    items, users = small_batch(config)
    with torch.no_grad():
        v, b = model.item_tower(**items)
        u = model.user_tower(**users)
        expected = model.scores(u, v, b)
        served = model.serving_users(u) @ model.serving_items(v, b).T
    torch.testing.assert_close(served, expected, rtol=1e-5, atol=1e-4)
    assert torch.allclose(u.norm(dim=1), torch.ones(len(u)))


def test_popularity_switch_ignores_popularity():
    config = TwoTowerConfig(num_artists=7, num_genres=9, use_popularity=False)
    model = TwoTowerModel(config).eval()
    items, _ = small_batch(config)
    changed = dict(items, meta=items["meta"].clone())
    changed["meta"][:, :2] = torch.rand(len(items["meta"]), 2)
    with torch.no_grad():
        torch.testing.assert_close(model.item_tower(**items)[0], model.item_tower(**changed)[0])


def test_softmax_loss_prefers_the_target_and_ignores_held_items():
    logits = torch.tensor([[5.0, 0.0, 0.0, 9.0]])
    target = torch.tensor([[1.0, 0.0, 0.0, 0.0]])
    held = torch.tensor([[0.0, 0.0, 0.0, 1.0]])
    assert softmax_loss(logits, target, held) < softmax_loss(logits, target, torch.zeros_like(held))


def test_metrics_on_a_hand_made_ranking():
    ranked = np.array([[3, 1, 4, 0, 2, 5, 6, 7, 8, 9, 10, 11]])
    vectors = np.eye(12)
    m = ranking_metrics(ranked, [np.array([1, 7])], 12, vectors)
    assert m["hit_rate@10"] == 1.0 and m["recall@10"] == 1.0
    assert m["mrr"] == pytest.approx(0.5)
    assert m["map@10"] == pytest.approx((1 / 2 + 2 / 8) / 2)
    assert m["ndcg@10"] == pytest.approx((1 / np.log2(3) + 1 / np.log2(9)) / (1 + 1 / np.log2(3)))
    assert m["diversity"] == pytest.approx(1.0) and m["coverage"] == pytest.approx(10 / 12)


def test_artifact_round_trip(tmp_path):
    from engine.recs.towers import load_model
    from engine.recs.train import save_artifact, TrainConfig

    path = models_dir() / "two_tower"
    model, vocab = load_model(path)
    vectors = np.load(path / "item_vectors.npy")
    save_artifact(tmp_path, model, vocab, TrainConfig(), ["a", "b"], vectors[:2], {})
    again, vocab2 = load_model(tmp_path)
    assert vocab2.artists == vocab.artists and vocab2.genres == vocab.genres
    _, users = small_batch(model.config, n_users=4)
    with torch.no_grad():
        torch.testing.assert_close(again.user_tower(**users), model.user_tower(**users))
    config = json.loads((path / "config.json").read_text())
    assert config["versions"]["torch"] and config["model"]["num_artists"] == len(vocab.artists)
    for f in path.iterdir():
        assert f.stat().st_size < 25 * 2 ** 20, f


@pytest.mark.data
def test_recorded_evaluation_reproduces_on_fixed_split():
    from engine.recs.evaluate import fixed_subset_metrics
    from engine.recs.towers import load_model

    path = models_dir() / "two_tower"
    recorded = json.loads((path / "metrics.json").read_text())["evaluation"]
    model, vocab = load_model(path)
    fresh = fixed_subset_metrics(np.load(path / "item_vectors.npy"), model, vocab)
    for method, metrics in recorded["fixed_subset"].items():
        for name, value in metrics.items():
            assert fresh[method][name] == pytest.approx(value, rel=1e-4, abs=1e-6), (method, name)
    assert fresh["two_tower"]["ndcg@10"] > fresh["popularity"]["ndcg@10"]
    full = recorded["methods"]
    assert set(full) >= {"random", "popularity", "content_features", "content_text", "two_tower"}
    assert full["random"]["ndcg@10"] < full["two_tower"]["ndcg@10"]


@pytest.mark.data
def test_full_split_baselines_reproduce():
    """Popularity and feature-KNN on the whole split give exactly the recorded table rows."""
    from engine.recs.interactions import playlist_rows, time_split
    from engine.catalog.items import catalog_items
    from engine.catalog.matching import Catalog
    from engine.recs.metrics import DEEP, top_k
    from engine.recs.evaluate import knn_scores, popularity_scores, standardized_features

    recorded = json.loads((models_dir() / "two_tower" / "metrics.json").read_text())["evaluation"]
    catalog = Catalog.load()
    split = time_split(playlist_rows(catalog))
    universe = np.unique(np.concatenate(split.train + split.test))
    assert len(split.playlists) == recorded["split"]["playlists"] and len(universe) == recorded["split"]["candidates"]
    position = {r: i for i, r in enumerate(universe)}
    train = [np.array([position[r] for r in rows], dtype=int) for rows in split.train]
    test = [np.array([position[r] for r in rows], dtype=int) for rows in split.test]
    items = catalog_items(catalog).iloc[universe].reset_index(drop=True)
    audio = standardized_features(items)
    for name, scores in [("popularity", popularity_scores(items, train)), ("content_features", knn_scores(audio, train))]:
        fresh = ranking_metrics(top_k(scores, train, DEEP), test, len(items), audio)
        for metric, value in recorded["methods"][name].items():
            if metric in fresh:
                assert fresh[metric] == pytest.approx(value, rel=1e-4, abs=1e-6), (name, metric)
