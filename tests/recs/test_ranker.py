"""The learned ranker on real listeners: the cut never leaks, cross-validation never scores a listener
with a model fitted on it, the simple rules reproduce, skipped listeners say why, the artifact round-trips,
and no list offers a version of a song the library has or one song twice."""

import json
from dataclasses import replace

import numpy as np
import pytest

from engine.config import models_dir
from engine.errors import ModelNotFoundError
from engine.library.store import Store
from engine.recs.listeners.build import TEST_CUT, build_listener, cut_time, sample_owners, split_file
from engine.recs.metrics import DEPTH, best, genre_diversity, hits
from engine.recs.ranker.candidates import STAGES
from engine.recs.ranker.colisten import colisten_matrix
from engine.recs.ranker.context import colisten_scores
from engine.recs.ranker.fit import cross_validate, make_example, with_colisten
from engine.recs.ranker.serve import load_ranker, save_ranker
from engine.recs.ranker.train import CONFIG_SCHEMA, FIXED_LISTENERS, settings
from engine.recs.rules import RULES, rule_scores
from engine.textnorm import song_key
from engine.training_config import load

METRICS = models_dir() / "ranker" / "metrics.json"


@pytest.fixture(scope="module")
def rec(recommender):
    return recommender


@pytest.fixture(scope="module")
def index(rec):
    return rec.index


def new_store():
    return Store(":memory:")


@pytest.fixture(scope="module")
def owners(samples):
    return sample_owners(samples)


@pytest.fixture(scope="module")
def fixed(rec, owners):
    """The fixed small listeners at the test cut and one training cut."""
    return [make_example(rec, build_listener(name, *owners[name], rec.matcher, new_store, cut), cut)
            for name in FIXED_LISTENERS for cut in (TEST_CUT, 0.5)]


def test_every_dated_listener_is_in_the_protocol(owners):
    assert len(owners) >= 22 and {"jacobwolfe49", "aporsch1", "Efrrowini", "kyleduong"} <= set(owners)


def test_the_cut_never_leaks(rec, owners, tmp_path):
    """The library, its truth-free side and every feature are the same when the files end at the cut."""
    name = "Mike089"  # a real streaming history (plays only, no ids)
    kind, files = owners[name]
    listener = build_listener(name, kind, files, rec.matcher, new_store, TEST_CUT)
    cut = cut_time(files, TEST_CUT)
    assert listener.cut == cut and len(listener.truth) > 0
    assert not np.isin(listener.truth, listener.owned).any()
    before = []
    for f in files:
        pre, _ = split_file(f, cut)
        assert all(r["endTime"] < cut for r in json.loads(pre))
        (tmp_path / f.name).write_bytes(pre)
        before.append(tmp_path / f.name)
    truncated = build_listener(name, kind, before, rec.matcher, new_store, cut=cut)  # nothing after the cut exists here
    assert len(truncated.truth) == 0
    assert truncated.library.equals(listener.library)
    ours = make_example(rec, listener, TEST_CUT).ctx
    blind = make_example(rec, _with_truth(truncated, listener.truth), TEST_CUT).ctx
    for signal in ("artist", "genre", "neighbours", "two_tower"):
        assert np.array_equal(ours.signals[signal], blind.signals[signal], equal_nan=True)  # nan: not embedded
    assert np.array_equal(ours.album_owned, blind.album_owned) and np.array_equal(ours.owned, blind.owned)
    assert np.array_equal([ours.year, ours.mean_popularity], [blind.year, blind.mean_popularity], equal_nan=True)
    # "Lately" is read against the newest play before the cut: recency is the same without the later files.
    for field in ("recent_affinity", "artist_days", "cooccurrence", "mpd_shared", "mpd_norm", "mpd_artist",
                  "lastfm_artist"):
        assert np.array_equal(getattr(ours, field), getattr(blind, field), equal_nan=True), field
    assert listener.library["days_since_active"].min() == 0 and ours.artist_days[np.isfinite(ours.artist_days)].min() == 0


def _with_truth(listener, truth):
    listener.truth = truth
    return listener


def test_cross_validation_never_scores_a_listener_with_a_model_fitted_on_it(fixed, index):
    trees, config = settings(load("ranker", CONFIG_SCHEMA, ["folds=3", "max_iter=10"]))
    scored = []
    listeners = {e.listener for e in fixed}
    for ex, ranker, trained_on, sets in cross_validate(fixed, index, trees, config):
        assert ex.listener not in trained_on and ex.cut == TEST_CUT
        assert ranker.trained_on_ == trained_on and set(trained_on) | {ex.listener} <= listeners
        # Its co-listening comes from the fold's listeners only; with its own row the scores would differ.
        ctx = with_colisten(ex, index, sets, trained_on).colisten
        fold = colisten_scores(colisten_matrix([sets[n] for n in trained_on], index.n_artists), ex.ctx.affinity, index)
        leaky = colisten_scores(colisten_matrix([sets[n] for n in [*trained_on, ex.listener]], index.n_artists),
                                ex.ctx.affinity, index)
        assert np.array_equal(ctx, fold) and not np.array_equal(ctx, leaky)
        scored.append(ex.listener)
    assert sorted(scored) == sorted(FIXED_LISTENERS)


def test_rules_reproduce_on_a_fixed_subset(index, fixed):
    """The shipped run's per-listener counts are what today's rules find for the same listeners."""
    shipped = {r["listener"]: r for r in json.loads(METRICS.read_text())["real_listeners"]["per_listener"]}
    for ex in (e for e in fixed if e.cut == TEST_CUT):
        assert ex.library_rows == shipped[ex.listener]["library"] and len(ex.truth) == shipped[ex.listener]["truth"]
        scores = rule_scores(index, ex.ctx)
        for name in RULES:
            found = hits(best(scores[name], DEPTH, _allowed(ex, index)), ex.truth)["found@50"]
            assert found == shipped[ex.listener][name]["found@50"], name


def _allowed(ex, index):
    allowed = np.ones(len(index), bool)
    allowed[ex.ctx.owned] = False
    return allowed


def test_a_listener_without_catalog_known_truth_is_skipped_with_a_note(rec, owners):
    """A cut after a listener's last record leaves nothing later: no truth, and the example says why."""
    kind, files = owners["seankmchenry"]
    listener = build_listener("seankmchenry", kind, files, rec.matcher, new_store, cut="2100-01-01 00:00:00")
    assert len(listener.truth) == 0 and "skipped" in " ".join(listener.notes)
    assert make_example(rec, listener, TEST_CUT) is None
    skipped = json.loads(METRICS.read_text())["real_listeners"]["skipped"]
    assert all("skipped" in s["note"] for s in skipped) and {s["listener"] for s in skipped} == {"martinkvu"}


def test_ranker_save_load_round_trip(index, fixed, tmp_path):
    shipped = load_ranker(models_dir() / "ranker")
    config = json.loads((models_dir() / "ranker" / "config.json").read_text())
    assert config["versions"]["scikit-learn"] and (models_dir() / "ranker" / "model.pkl").stat().st_size < 25e6
    ex = fixed[0]
    items = np.flatnonzero(_allowed(ex, index))[:500]
    from engine.recs.ranker.features import feature_matrix

    x = feature_matrix(ex.ctx, index, items, np.zeros((len(items), len(STAGES)), bool))
    undated = feature_matrix(replace(ex.ctx, artist_days=None), index, items, np.zeros((len(items), len(STAGES)), bool))
    save_ranker(tmp_path / "ranker", shipped, {"a": ["x", "y"]}, {"m": 1})
    again = load_ranker(tmp_path / "ranker", root=tmp_path)
    assert again.config == shipped.config and again.trees == shipped.trees  # serving reads the saved settings
    assert np.array_equal(shipped.score(x), again.score(x))
    assert np.array_equal(shipped.score(x, new_artists=True), again.score(x, new_artists=True))
    assert np.array_equal(shipped.score(undated), again.score(undated))
    # A library without dates is ranked by the model that also learned from playlists.
    assert np.array_equal(again.score(undated), again.undated_model_.predict_proba(undated)[:, 1])
    assert np.array_equal(again.score(x), again.model_.predict_proba(x)[:, 1])
    with pytest.raises(ModelNotFoundError, match="models folder"):
        load_ranker(tmp_path / "ranker")  # a pickle from outside the repository's models folder


def test_no_version_of_an_owned_song_and_no_song_twice(rec, top_songs):
    assert len(set(rec.index.song_keys)) < len(rec.items)  # the catalog does hold several versions of songs
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
    keys = rec.index.song_keys
    frame = rec.items.assign(song=keys, remix=rec.items["title"].str.contains("remix", case=False))
    pairs = frame.groupby("song").filter(lambda g: g["remix"].any() and (~g["remix"]).any())
    originals = pairs[~pairs["remix"]].drop_duplicates("song").head(40)
    recs = rec.recommend(originals.reset_index(drop=True), k=50, shelf="yours", max_per_artist=None)
    assert not {song_key(a, t) for a, t in zip(recs["artists"], recs["title"])} & set(originals["song"])
    assert song_key("Radiohead", "Creep - Acoustic") == song_key("Radiohead", "Creep (Remix)") == "radiohead|creep"


def test_genre_diversity_on_real_catalog_items(index):
    genres = index.genres
    has = np.flatnonzero(np.asarray(genres.getnnz(axis=1)).ravel() > 0)
    one = has[0]
    same = has[(genres[has] @ genres[one].T).toarray().ravel() > 0.999][:5]
    assert len(same) >= 2 and genre_diversity(same, genres) == pytest.approx(0.0, abs=1e-6)
    apart = [one]
    for item in has[1:]:  # items that share no genre with any picked so far
        if (genres[apart] @ genres[item].T).sum() == 0:
            apart.append(item)
        if len(apart) == 5:
            break
    assert genre_diversity(np.array(apart), genres) == pytest.approx(1.0)
    no_genre = np.flatnonzero(np.asarray(genres.getnnz(axis=1)).ravel() == 0)[:3]
    assert np.isnan(genre_diversity(np.r_[no_genre, one], genres))  # one genred item: no pair to compare
    mixed = genre_diversity(np.r_[same[:2], apart[1:3]], genres)
    assert 0 < mixed < 1


@pytest.mark.data
def test_playlist_examples_are_validation_playlists_never_test_ones(rec, index):
    from engine.recs.interactions import tidytuesday_users
    from engine.recs.ranker.fit import artist_sets, playlist_examples

    membership, validation, test = tidytuesday_users(index, rec.catalog, 0)
    assert (membership != index.membership).nnz == 0  # models/playlists is this split's training part
    examples = playlist_examples(rec, 5)
    assert len(examples) == 5 and all(e.kind == "playlist" for e in examples)
    for ex, (owned, truth) in zip(examples, validation):
        assert np.array_equal(ex.ctx.owned, owned) and np.array_equal(ex.truth, truth)
        assert not any(np.array_equal(owned, o) and np.array_equal(truth, t) for o, t in test)
        assert ex.ctx.artist_days is None or not np.isfinite(ex.ctx.artist_days).any()  # undated
    assert artist_sets(index, examples) == {}  # a playlist is never a co-listening row
