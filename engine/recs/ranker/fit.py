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
from engine.recs.ranker.model import LearnedRanker, RankerConfig


@dataclass
class Example:
    listener: str
    cut: float
    ctx: LibraryContext     # its colisten is filled per fold (with_colisten)
    truth: np.ndarray       # item indices
    library_rows: int
    kind: str = "listener"  # or "playlist": a TidyTuesday validation playlist (training only, never scored)


def make_example(rec, table, listener, cut: float) -> Example | None:
    """None when the listener has no library or no catalog-known truth at this cut."""
    from engine.recs.hybrid import recency_arrays, track_weights
    from engine.recs.listeners.evaluate import _attach_items, _with_features

    _attach_items(rec, listener)
    if len(listener.library) == 0 or len(listener.truth_items) == 0:
        return None
    library = _with_features(listener.library)
    prep = rec._prepare(library)
    tower = rec.vectors @ rec._user(prep.rows)[0].astype(np.float32)
    ctx = library_context(rec, table, None, prep.rows, track_weights(library), listener.owned_items, tower,
                          recency_arrays(library))
    return Example(listener.name, cut, ctx, listener.truth_items, len(library))


def playlist_examples(rec, table, count: int, seed: int = 0) -> list[Example]:
    """The first `count` TidyTuesday validation playlists as undated libraries: the older tracks are the
    library, the newest the truth (the hybrid's split, engine.recs.hybrid_training.fit). They teach the
    ranker the case of a library without dates (a playlist, an undated file); the test playlists the
    TidyTuesday table is judged on are never among them."""
    from engine.recs.hybrid_training.fit import tidytuesday_users
    from engine.recs.ranker.tidytuesday.evaluate import items_context

    if count <= 0:
        return []
    _, _, validation, _ = tidytuesday_users(rec, seed)
    return [Example(f"tidytuesday playlist {i}", 0.0, items_context(rec, table, None, owned), truth, len(owned),
                    kind="playlist") for i, (owned, truth) in enumerate(validation[:count])]


def artist_sets(table, examples: list[Example]) -> dict[str, np.ndarray]:
    """listener -> catalog artist codes it has at its latest cut, library and later plays together
    (real listeners only: a playlist is not somebody's listening)."""
    latest: dict[str, Example] = {}
    for ex in examples:
        if ex.kind != "listener":
            continue
        if ex.listener not in latest or ex.cut > latest[ex.listener].cut:
            latest[ex.listener] = ex
    return {name: np.unique(table.artist[np.r_[ex.ctx.owned, ex.truth]]) for name, ex in latest.items()}


def with_colisten(ex: Example, table, sets: dict, listeners) -> LibraryContext:
    """The example's context with co-listening learned from `listeners` other than itself."""
    matrix = colisten_matrix([sets[n] for n in listeners if n != ex.listener and n in sets], table.n_artists)
    return replace(ex.ctx, colisten=colisten_scores(matrix, ex.ctx.affinity, table))


def training_rows(examples: list[Example], table, sets: dict, config: RankerConfig, rng):
    listeners = sorted({ex.listener for ex in examples})
    xs, ys = [], []
    for ex in examples:
        ctx = with_colisten(ex, table, sets, listeners)
        allowed = np.ones(len(table.artist), bool)
        allowed[ctx.owned] = False
        items, flags = candidates(ctx, table, allowed, config.candidates)
        label = np.isin(items, ex.truth)
        negatives = np.flatnonzero(~label)
        keep = np.r_[np.flatnonzero(label), rng.choice(negatives, min(len(negatives), max(
            config.negatives_per_positive * max(int(label.sum()), 1), 200)), replace=False)]
        xs.append(feature_matrix(ctx, table, items[keep], flags[keep]))
        ys.append(label[keep])
    return np.concatenate(xs), np.concatenate(ys).astype(int)


def fit_ranker(examples: list[Example], table, sets: dict, config: RankerConfig) -> LearnedRanker:
    x, y = training_rows(examples, table, sets, config, np.random.default_rng(config.seed))
    return LearnedRanker(config).fit(x, y)


def folds(names: list[str], k: int, seed: int = 0) -> list[list[str]]:
    """Listener names split into k folds at random (fixed seed)."""
    order = list(np.random.default_rng(seed).permutation(sorted(names)))
    return [order[i::k] for i in range(k)]


def cross_validate(examples: list[Example], table, config: RankerConfig, test_cut: float = 0.75, log=None):
    """Yield (test example, its fold's ranker, the fold's training listeners) for every listener's test
    cut: the ranker and its co-listening never saw that listener at any cut."""
    log = log or (lambda m: None)
    sets = artist_sets(table, examples)
    scored = sorted({ex.listener for ex in examples if ex.cut == test_cut and ex.kind == "listener"})
    for i, held in enumerate(folds(scored, config.folds, config.seed)):
        train = [ex for ex in examples if ex.listener not in held]
        ranker = fit_ranker(train, table, sets, config)
        ranker.trained_on_ = sorted({ex.listener for ex in train if ex.kind == "listener"})
        log(f"fold {i + 1}: fitted on {len(ranker.trained_on_)} listeners, scoring {', '.join(held)}")
        for ex in examples:
            if ex.listener in held and ex.cut == test_cut and ex.kind == "listener":
                yield ex, ranker, ranker.trained_on_, sets
