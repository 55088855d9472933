"""The one metrics module and the shelves on real artifacts: the stored intervals are what the one bootstrap
computes from the stored per-listener counts, and a list keeps one version per song within the artist cap."""

import json

import numpy as np
import pytest

from engine.config import models_dir
from engine.recs.metrics import best, hits, pooled, ratio_interval, top_k
from engine.recs.shelves import first_k, listener_figures, on_shelf, shelf_figures

REAL = json.loads((models_dir() / "ranker" / "metrics.json").read_text())["real_listeners"]


def test_the_stored_ratios_and_intervals_are_the_one_bootstrap_of_the_stored_counts():
    rows = REAL["per_listener"]
    best_rule = REAL["best_baseline"]
    assert ratio_interval(rows, "ranker", best_rule) == REAL["ranker_vs_best_baseline_recall@50"]
    assert ratio_interval(rows, "ranker", REAL["best_discovery_baseline"], "discovery_found@50") == \
        REAL["ranker_vs_best_discovery_baseline"]
    for rule, stored in REAL["ratios_recall@50"].items():
        assert ratio_interval(rows, "ranker", rule) == stored, rule
    same = ratio_interval(rows, "ranker", "ranker")
    assert same["ratio"] == 1.0 and same["interval_90"] == [1.0, 1.0]  # a method against itself: no spread
    for method, figures in REAL["methods"].items():
        assert pooled(rows, method)["recall@50"] == pytest.approx(figures["recall@50"]), method


def test_top_k_and_hits_on_a_hand_made_ranking():
    scores = np.array([0.1, 0.9, 0.5, 0.9, -0.2, 0.7])
    allowed = np.array([True, True, True, False, True, True])
    assert best(scores, 3, allowed).tolist() == [1, 5, 2]
    assert best(scores, 10, allowed).tolist() == [1, 5, 2, 0, 4]          # never more than are allowed
    assert best(scores, 3, ties_by_index=True).tolist() == [1, 3, 5]      # equal scores: lower index first
    assert sorted(best(scores, 3, allowed, ordered=False)) == [1, 2, 5]
    assert top_k(scores[None, :], [np.array([3])], 3)[0].tolist() == [1, 5, 2]
    found = hits(np.array([7, 3, 9]), np.array([3, 4]))
    assert found["found@10"] == 1 and found["ndcg@10"] == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))


def test_a_list_keeps_one_version_per_song_within_the_artist_cap(recommender):
    index = recommender.index
    songs = index.song_keys
    by_song = {}
    for i, s in enumerate(songs):
        by_song.setdefault(s, []).append(i)
    versions = next(v for v in by_song.values() if len(v) >= 2)       # a song the catalog holds twice
    artist = index.artist[versions[0]]
    same_artist = np.flatnonzero(index.artist == artist)
    order = np.r_[versions, [i for i in same_artist if i not in versions]]
    kept = order[first_k(order, index.artist, len(order), 2, songs)]
    assert len(kept) == 2 and kept[0] == versions[0] and versions[1] not in kept  # the second version is skipped
    assert songs[kept[0]] != songs[kept[1]]
    assert len(first_k(order, index.artist, 5, None)) == 5  # no cap, no song rule: the first k as they come
    assert first_k(order, index.artist, len(order), None).tolist() == list(range(len(order)))


def test_shelves_and_their_figures():
    signal = np.array([0.0, 0.5, 1.0, 0.0])
    items = np.array([3, 2, 1, 0])
    assert on_shelf("yours", items, signal).tolist() == [False, True, True, False]
    assert on_shelf("new", items, signal).tolist() == [True, False, False, True]
    assert on_shelf("blend", items, signal).all()
    words, m = shelf_figures(), REAL["methods"]
    assert f"{m['ranker']['own_artist_recall@50']:.1%}" in words["yours"]
    assert f"{m['ranker']['discovery_recall@50']:.1%}" in words["new"] and "best simple rule" in words["new"]
    figures = listener_figures()
    assert figures["ranker"]["recall"] == m["ranker"]["recall@50"]
    assert figures["ranker"]["charts"] == m["popularity"]["recall@50"] and "two_tower" not in figures
