"""Training rows from real listeners cut in time, listener-level cross-validation, the served fit.

An example is one listener at one cut: the library the importers make of the records before the cut,
and the catalog-known tracks added or first played (>= 30 s) after it (engine.recs.listeners.build).
Co-listening rows (engine.recs.ranker.colisten) come only from the listeners a model is fitted on, and
a training example never reads its own listener's row.
  (run by `python -m engine evaluate-recs --listeners`)
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from engine.recs.ranker.candidates import candidates
from engine.recs.ranker.colisten import colisten_matrix
from engine.recs.ranker.context import LibraryContext, colisten_scores, library_context
from engine.recs.ranker.features import feature_matrix
from engine.recs.ranker.model import LearnedRanker, RankerConfig, TreeSettings


@dataclass
class Example:
    listener: str
    cut: float
    ctx: LibraryContext     # its colisten is filled per fold (with_colisten)
    truth: np.ndarray       # item indices
    library_rows: int
    kind: str = "listener"  # or "playlist": a TidyTuesday validation playlist (training only, never scored)


def make_example(rec, listener, cut: float) -> Example | None:
    """The listener at one cut as the served recommender `rec` profiles its library; None when the
    listener has no library or no catalog-known truth at this cut."""
    from engine.recs.listeners.build import unenriched
    from engine.recs.profile import recency_arrays, track_weights

    owned, truth = listener.owned, listener.truth  # served items (built with rec.matcher)
    if len(listener.library) == 0 or len(truth) == 0:
        return None
    library = unenriched(listener.library)
    profile = rec.profile(library)
    ctx = library_context(rec.index, None, profile.rows, track_weights(library), owned, rec.tower_scores(profile),
                          recency_arrays(library))
    return Example(listener.name, cut, ctx, truth, len(library))


def items_context(rec, owned: np.ndarray, colisten=None) -> LibraryContext:
    """A library given as catalog item indices (every track weight 1, no plays, no dates)."""
    index = rec.index
    rows = index.items.iloc[owned].assign(genres_list=[index.item_genres[i] for i in owned])
    return library_context(index, colisten, rows, np.ones(len(owned)), owned, index.tower_scores(rec.tower_user(rows)))


def playlist_examples(rec, count: int, seed: int = 0) -> list[Example]:
    """The first `count` TidyTuesday validation playlists as undated libraries: the older tracks are the
    library, the newest the truth (engine.recs.interactions.tidytuesday_users). They teach the ranker the
    case of a library without dates (a playlist, an undated file); the test playlists the TidyTuesday
    table is judged on are never among them."""
    from engine.recs.interactions import tidytuesday_users

    if count <= 0:
        return []
    _, validation, _ = tidytuesday_users(rec.index, rec.catalog, seed)
    return [Example(f"tidytuesday playlist {i}", 0.0, items_context(rec, owned), truth, len(owned), kind="playlist")
            for i, (owned, truth) in enumerate(validation[:count])]


def artist_sets(index, examples: list[Example]) -> dict[str, np.ndarray]:
    """listener -> catalog artist codes it has at its latest cut, library and later plays together
    (real listeners only: a playlist is not somebody's listening)."""
    latest: dict[str, Example] = {}
    for ex in examples:
        if ex.kind != "listener":
            continue
        if ex.listener not in latest or ex.cut > latest[ex.listener].cut:
            latest[ex.listener] = ex
    return {name: np.unique(index.artist[np.r_[ex.ctx.owned, ex.truth]]) for name, ex in latest.items()}


def with_colisten(ex: Example, index, sets: dict, listeners) -> LibraryContext:
    """The example's context with co-listening learned from `listeners` other than itself."""
    matrix = colisten_matrix([sets[n] for n in listeners if n != ex.listener and n in sets], index.n_artists)
    return replace(ex.ctx, colisten=colisten_scores(matrix, ex.ctx.affinity, index))


def training_rows(examples: list[Example], index, sets: dict, config: RankerConfig, rng):
    listeners = sorted({ex.listener for ex in examples})
    xs, ys = [], []
    for ex in examples:
        ctx = with_colisten(ex, index, sets, listeners)
        allowed = index.not_owned(ctx.owned)
        items, flags = candidates(ctx, index, allowed, config.candidates)
        label = np.isin(items, ex.truth)
        negatives = np.flatnonzero(~label)
        keep = np.r_[np.flatnonzero(label), rng.choice(negatives, min(len(negatives), max(
            config.negatives_per_positive * max(int(label.sum()), 1), 200)), replace=False)]
        xs.append(feature_matrix(ctx, index, items[keep], flags[keep]))
        ys.append(label[keep])
    return np.concatenate(xs), np.concatenate(ys).astype(int)


def fit_ranker(examples: list[Example], index, sets: dict, trees: TreeSettings, config: RankerConfig) -> LearnedRanker:
    x, y = training_rows(examples, index, sets, config, np.random.default_rng(config.seed))
    ranker = LearnedRanker(trees, config).fit(x, y)
    ranker.discovery_popularity_ = discovery_deciles(examples, index)
    return ranker


def discovery_deciles(examples: list[Example], index) -> list[float]:
    """The popularity deciles (9 edges, 0..1) of what the training listeners really discovered: their truth
    tracks by artists new to them, at every cut. "New to you" is ordered to follow them."""
    found = [ex.truth[ex.ctx.signals["artist"][ex.truth] <= 0] for ex in examples if ex.kind == "listener"]
    values = index.popularity[np.concatenate(found)] if found else np.zeros(0)
    return np.quantile(values, np.linspace(0, 1, 11)[1:-1]).tolist() if len(values) else []


def folds(names: list[str], k: int, seed: int = 0) -> list[list[str]]:
    """Listener names split into k folds at random (fixed seed)."""
    order = list(np.random.default_rng(seed).permutation(sorted(names)))
    return [order[i::k] for i in range(k)]


def cross_validate(examples: list[Example], index, trees: TreeSettings, config: RankerConfig, log=None):
    """Yield (test example, its fold's ranker, the fold's training listeners, artist sets) for every
    listener's test cut (TEST_CUT): the ranker and its co-listening never saw that listener at any cut."""
    from engine.recs.listeners.build import TEST_CUT as test_cut

    log = log or (lambda m: None)
    sets = artist_sets(index, examples)
    scored = sorted({ex.listener for ex in examples if ex.cut == test_cut and ex.kind == "listener"})
    for i, held in enumerate(folds(scored, config.folds, config.seed)):
        train = [ex for ex in examples if ex.listener not in held]
        ranker = fit_ranker(train, index, sets, trees, config)
        ranker.trained_on_ = sorted({ex.listener for ex in train if ex.kind == "listener"})
        log(f"fold {i + 1}: fitted on {len(ranker.trained_on_)} listeners, scoring {', '.join(held)}")
        for ex in examples:
            if ex.listener in held and ex.cut == test_cut and ex.kind == "listener":
                yield ex, ranker, ranker.trained_on_, sets
