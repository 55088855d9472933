"""The learned ranker on real listeners: the cut never leaks, cross-validation never scores a listener
with a model fitted on it, baselines reproduce, skipped listeners say why, the artifact round-trips,
and no list offers a version of a song the library has or one song twice."""

import json

import numpy as np
import pytest

from engine.config import models_dir
from engine.errors import ModelNotFoundError
from engine.recs.listeners.build import build_listener, cut_time, sample_owners, split_file
from engine.recs.ranker import evaluate as ev
from engine.recs.ranker.items import ItemTable
from engine.recs.ranker.model import RankerConfig
from engine.recs.ranker.train import FIXED_LISTENERS, TEST_CUT
from engine.recs.ranker.serve import load_ranker, save_ranker
from engine.recs.ranker.fit import cross_validate, make_example, with_colisten
from engine.recs.songs import song_keys
from engine.textnorm import song_key

METRICS = models_dir() / "ranker" / "metrics.json"


@pytest.fixture(scope="module")
def rec(recommender):
    return recommender


@pytest.fixture(scope="module")
def table(rec):
    return ItemTable(rec.items, rec.hybrid.artist_codes, rec.hybrid.popularity)


@pytest.fixture(scope="module")
def owners(samples):
    return sample_owners(samples)


@pytest.fixture(scope="module")
def fixed(rec, table, owners):
    """The fixed small listeners at the test cut and one training cut."""
    return [make_example(rec, table, build_listener(name, *owners[name], rec.catalog, cut), cut)
            for name in FIXED_LISTENERS for cut in (TEST_CUT, 0.5)]


def test_every_dated_listener_is_in_the_protocol(owners):
    assert len(owners) >= 22 and {"jacobwolfe49", "aporsch1", "Efrrowini", "kyleduong"} <= set(owners)


def test_the_cut_never_leaks(rec, table, owners, tmp_path):
    """The library, its truth-free side and every feature are the same when the files end at the cut."""
    name = "Mike089"  # a real streaming history (plays only, no ids)
    kind, files = owners[name]
    listener = build_listener(name, kind, files, rec.catalog, TEST_CUT)
    cut = cut_time(files, TEST_CUT)
    assert listener.cut == cut and len(listener.truth) > 0
    assert not np.isin(listener.truth, listener.owned).any()
    before = []
    for f in files:
        pre, _ = split_file(f, cut)
        assert all(r["endTime"] < cut for r in json.loads(pre))
        (tmp_path / f.name).write_bytes(pre)
        before.append(tmp_path / f.name)
    truncated = build_listener(name, kind, before, rec.catalog, cut=cut)  # nothing after the cut exists here
    assert len(truncated.truth) == 0
    assert truncated.library.equals(listener.library)
    ours = make_example(rec, table, listener, TEST_CUT).ctx
    blind = make_example(rec, table, _with_truth(truncated, listener.truth), TEST_CUT).ctx
    for signal in ("artist", "genre", "neighbours", "two_tower"):
        assert np.array_equal(ours.signals[signal], blind.signals[signal])
    assert np.array_equal(ours.album_owned, blind.album_owned) and np.array_equal(ours.owned, blind.owned)
    assert np.array_equal([ours.year, ours.mean_popularity], [blind.year, blind.mean_popularity], equal_nan=True)


def _with_truth(listener, truth):
    listener.truth = truth
    return listener


def test_cross_validation_never_scores_a_listener_with_a_model_fitted_on_it(fixed, table):
    config = RankerConfig.from_toml()
    config.folds, config.max_iter = 3, 10
    scored = []
    for ex, ranker, trained_on, sets in cross_validate(fixed, table, config, TEST_CUT):
        assert ex.listener not in trained_on and ex.cut == TEST_CUT
        assert ex.listener not in {e.listener for e in fixed if e.listener in trained_on}
        expected = with_colisten(ex, table, {n: s for n, s in sets.items() if n != ex.listener}, trained_on)
        assert np.array_equal(with_colisten(ex, table, sets, trained_on).colisten, expected.colisten)
        scored.append(ex.listener)
    assert sorted(scored) == sorted(FIXED_LISTENERS)


def test_baselines_reproduce_on_a_fixed_subset(rec, fixed, table):
    shipped = {r["listener"]: r for r in json.loads(METRICS.read_text())["real_listeners"]["per_listener"]}
    for ex in (e for e in fixed if e.cut == TEST_CUT):
        ranked = {name: (ev.top(s, _allowed(ex, table)),) for name, s in ev.baseline_scores(rec, ex.ctx).items()}
        for name in ev.BASELINES:
            assert ev.found(ranked[name][0], ex.truth)["found@50"] == shipped[ex.listener][name]["found@50"], name


def _allowed(ex, table):
    allowed = np.ones(len(table.artist), bool)
    allowed[ex.ctx.owned] = False
    return allowed


def test_a_listener_without_catalog_known_truth_is_skipped_with_a_note(rec, table, owners):
    listener = build_listener("seankmchenry", *owners["seankmchenry"], rec.catalog, TEST_CUT)
    assert len(listener.truth) == 0 and "skipped" in " ".join(listener.notes)
    assert make_example(rec, table, listener, TEST_CUT) is None
    skipped = json.loads(METRICS.read_text())["real_listeners"]["skipped"]
    assert any(s["listener"] == "seankmchenry" and "skipped" in s["note"] for s in skipped)


def test_ranker_save_load_round_trip(rec, table, fixed, tmp_path):
    shipped = load_ranker(models_dir() / "ranker")
    config = json.loads((models_dir() / "ranker" / "config.json").read_text())
    assert config["versions"]["scikit-learn"] and (models_dir() / "ranker" / "model.pkl").stat().st_size < 25e6
    ex = fixed[0]
    items = np.flatnonzero(_allowed(ex, table))[:500]
    from engine.recs.ranker.features import feature_matrix

    x = feature_matrix(ex.ctx, table, items, np.zeros((len(items), 6), bool))
    save_ranker(tmp_path / "ranker", shipped, {"a": ["x", "y"]}, {"m": 1})
    again = load_ranker(tmp_path / "ranker", root=tmp_path)
    assert np.array_equal(shipped.score(x), again.score(x))
    assert np.array_equal(shipped.score(x, new_artists=True), again.score(x, new_artists=True))
    with pytest.raises(ModelNotFoundError, match="models folder"):
        load_ranker(tmp_path / "ranker")  # a pickle from outside the repository's models folder


def test_no_version_of_an_owned_song_and_no_song_twice(rec, top_songs):
    assert len(set(song_keys(rec))) < len(rec.items)  # the catalog does hold several versions of songs
    from engine.schema import normalize_frame

    library = top_songs.copy()
    norm = normalize_frame(library)
    for shelf in ("blend", "yours", "new"):
        recs = rec.recommend(library, k=50, shelf=shelf, max_per_artist=None)
        songs = [song_key(a, t) for a, t in zip(recs["artists"], recs["title"])]
        assert len(songs) == len(set(songs))
        owned = {song_key(a, t) for a, t in zip(norm["artists"], norm["title"])}
        assert not set(songs) & owned
    # A library holding the original of songs whose remixes the catalog has, by the same artist.
    keys = song_keys(rec)
    frame = rec.items.assign(song=keys, remix=rec.items["title"].str.contains("remix", case=False))
    pairs = frame.groupby("song").filter(lambda g: g["remix"].any() and (~g["remix"]).any())
    originals = pairs[~pairs["remix"]].drop_duplicates("song").head(40)
    recs = rec.recommend(originals.reset_index(drop=True), k=50, shelf="yours", max_per_artist=None)
    assert not {song_key(a, t) for a, t in zip(recs["artists"], recs["title"])} & set(originals["song"])
    assert song_key("Radiohead", "Creep - Acoustic") == song_key("Radiohead", "Creep (Remix)") == "radiohead|creep"
