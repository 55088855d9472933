"""Fit and judge the learned ranker in one run; ship models/ranker with its real-listener table.

  TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners [--set KEY=VALUE ...]
Settings: configs/ranker.toml through engine.training_config (CONFIG_SCHEMA), applied values written
beside the artifact (train_config.json) and into its config.json. Every listener in samples/ with dates
is cut at TEST_CUT of its own timeline (scored) and at the training cuts (training examples only).
Listener-level folds: a listener is scored only by a ranker, and co-listening rows, fitted without it.
The served ranker is then fitted on every listener; the figures shipped are the cross-validated ones.
"""

from __future__ import annotations

import time
from dataclasses import MISSING
from pathlib import Path

import numpy as np

from engine.errors import TrainingConfigError
from engine.recs import metrics
from engine.recs.listeners.build import TEST_CUT
from engine.recs.ranker import evaluate as ev
from engine.recs.ranker.candidates import STAGES
from engine.recs.ranker.fit import artist_sets, cross_validate, fit_ranker, make_example, playlist_examples, with_colisten
from engine.recs.ranker.model import TREE_KEYS, RankerConfig, TreeSettings
from engine.recs.rules import RULES
from engine.recs.shelves import SHELVES
from engine.training_config import Schema

# configs/ranker.toml: [model] is TreeSettings, [training] is RankerConfig (candidates as a sub-table).
CONFIG_SCHEMA = Schema(RankerConfig, TreeSettings, TREE_KEYS)
FIXED_LISTENERS = ("Efrrowini", "kyleduong", "deadda7a")  # small, with truth: tests recompute their baselines
COMMAND = "TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners"
METHODS = (*RULES, "ranker")
CALIBRATION_BIN = 500  # held-out candidates per calibration bin


def settings(applied) -> tuple[TreeSettings, RankerConfig]:
    """The applied config (engine.training_config.load with CONFIG_SCHEMA) as the ranker's two dataclasses;
    refuses a candidates table that does not size every stage with a whole number >= 0."""
    config = applied.training
    sizes = config.candidates
    if set(sizes) != set(STAGES) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                                            for v in sizes.values()):
        raise TrainingConfigError(f"candidates must give every stage ({', '.join(STAGES)}) a whole number >= 0, "
                                  f"not {sizes!r}.")
    missing = [k for k, v in applied.model.items() if v is MISSING]  # a [model] key the file lacks
    if missing:
        raise TrainingConfigError(f"configs/ranker.toml [model] lacks {', '.join(missing)}.")
    return TreeSettings(**applied.model), config


def build_examples(rec, samples: Path, config: RankerConfig, new_store, log, cache=None):
    """(examples, skipped test listeners with the reason). new_store(): a fresh empty Store per listener
    import; cache: a folder for the cut listeners."""
    import pickle

    from engine.recs.listeners.build import build_listeners

    examples, skipped = [], []
    for cut in sorted({TEST_CUT, *config.cuts}):
        world = rec.index.world.config["version"] if rec.index.world is not None else "none"
        where = cache and Path(cache) / f"listeners_{cut}_{rec.catalog.version}_{world}.pkl"
        if where and where.exists():
            listeners = pickle.loads(where.read_bytes())
        else:
            listeners = build_listeners(samples, rec.matcher, new_store, cut)
            if where:
                where.write_bytes(pickle.dumps(listeners))
        for listener in listeners:
            ex = make_example(rec, listener, cut)
            if ex is not None:
                examples.append(ex)
            elif cut == TEST_CUT:
                skipped.append({"listener": listener.name, "note": "; ".join(listener.notes) or
                                "no catalog-known truth track or empty library (skipped)"})
        log(f"cut {cut:.2f}: {sum(e.cut == cut for e in examples)} listeners with truth")
    return examples, skipped


def cross_validated_rows(index, examples, trees, config, log) -> tuple[list[dict], dict]:
    """(one row per scored listener, the calibration of `match` fitted on the same held-out scores)."""
    rows, pairs = [], {"all": [], "new": []}
    for ex, ranker, trained_on, sets in cross_validate(examples, index, trees, config, log):
        ctx = with_colisten(ex, index, sets, trained_on)
        scored = []
        rows.append({**ev.listener_row(ex.listener, ex, ctx, ev.rankings(index, ranker, ctx, config.seed, scored), index),
                     "fitted_on": trained_on})
        new_truth = ex.truth[ctx.signals["artist"][ex.truth] <= 0]
        for shelf, truth in (("all", ex.truth), ("new", new_truth)):
            items, scores = scored[0][shelf]
            pairs[shelf].append((scores, np.isin(items, truth)))
    return rows, {shelf: calibration(parts) for shelf, parts in pairs.items()}


def calibration(parts: list[tuple]) -> dict:
    """An increasing map from a shelf's score to the share of held-out candidates with that score that
    the listener added (isotonic regression), as thresholds for np.interp."""
    from sklearn.isotonic import IsotonicRegression

    x = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0)
    y = np.concatenate([p[1] for p in parts]).astype(float) if parts else np.zeros(0)
    if not len(x):
        return {}
    # Fitted on bins of CALIBRATION_BIN candidates (by score), so that a handful of top scores cannot
    # claim a certainty no bin of real candidates showed.
    order = np.argsort(x, kind="stable")
    bins = np.array_split(order, max(len(x) // CALIBRATION_BIN, 1))
    centre = np.array([x[b].mean() for b in bins])
    rate = np.array([y[b].mean() for b in bins])
    fit = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(centre, rate, [len(b) for b in bins])
    return {"x": fit.X_thresholds_.tolist(), "y": fit.y_thresholds_.tolist(), "candidates": int(len(x)),
            "added": int(y.sum())}


def summary(rows: list[dict]) -> dict:
    methods = {m: metrics.pooled(rows, m) for m in (*METHODS, "ranker_no_cap", "ranker_new_by_score")}
    best = max(RULES, key=lambda b: methods[b]["recall@50"])
    # The discovery goal is judged against every rule (the genre chart and popularity reported as well).
    best_new = max(RULES, key=lambda b: methods[b]["discovery_recall@50"])
    best_new_any = max(RULES, key=lambda b: methods[b]["discovery_recall@50"])
    ratio = metrics.ratio_interval
    return {"methods": methods, "best_baseline": best, "best_discovery_baseline": best_new,
            "best_discovery_baseline_any": best_new_any,
            "ranker_vs_best_baseline_recall@50": ratio(rows, "ranker", best),
            "ranker_vs_best_discovery_baseline": ratio(rows, "ranker", best_new, "discovery_found@50"),
            "ranker_vs_best_discovery_baseline_any": ratio(rows, "ranker", best_new_any, "discovery_found@50"),
            "ranker_vs_your_artists_own_artist_truth": ratio(rows, "ranker", "your_artists", "own_found@50"),
            "ratios_recall@50": {b: ratio(rows, "ranker", b) for b in RULES},
            "ratios_discovery@50": {b: ratio(rows, "ranker", b, "discovery_found@50") for b in RULES}}


def evaluate_ranker(out: Path, playlists_out: Path, samples: Path, rec, new_store, applied, log=None,
                    cache=None) -> str:
    """rec: a Recommender loaded without its ranker (Recommender.load(ranker=False)), whose catalog index
    and two-tower the examples are profiled with; new_store(): a fresh empty Store for each listener's
    import; applied: the config (engine.training_config.load("ranker", CONFIG_SCHEMA, ...)), written
    beside the artifact. The playlist membership is rebuilt from the data first (the two-tower's training
    split), used by the whole run and saved to playlists_out (models/playlists)."""
    from engine.recs.interactions import save_membership, tidytuesday_users
    from engine.recs.ranker.serve import save_ranker
    from engine.recs.ranker.tidytuesday.evaluate import tidytuesday_table

    log = log or (lambda m: None)
    started = time.time()
    trees, config = settings(applied)
    index = rec.index
    membership = tidytuesday_users(index, rec.catalog, config.seed)[0]
    index.use_membership(membership)
    save_membership(Path(playlists_out), membership, index.items["key"])
    examples, skipped = build_examples(rec, samples, config, new_store, log, cache)
    examples += playlist_examples(rec, config.playlist_examples, config.seed)
    rows, calibrated = cross_validated_rows(index, examples, trees, config, log)
    report = {"real_listeners": {**summary(rows), "skipped": skipped, "per_listener": rows,
                                 "test_cut": TEST_CUT, "training_cuts": list(config.cuts),
                                 "playlist_examples": sum(e.kind == "playlist" for e in examples)}}
    sets = artist_sets(index, examples)
    served = fit_ranker(examples, index, sets, trees, config)
    names = {n: [index.artist_names[a] for a in codes] for n, codes in sets.items()}
    report["tidytuesday_test_playlists"] = tidytuesday_table(rec, served, config.seed)
    report.update(seconds=round(time.time() - started, 1), command=COMMAND)
    save_ranker(Path(out), served, names, report, calibrated)
    applied.write(Path(out))
    return render(report)


def render(report: dict) -> str:
    """The real-listener table (pooled, discovery, ratios with paired bootstrap intervals), each shelf's
    figures and diversity, and the TidyTuesday table, as Markdown."""
    real = report["real_listeners"]
    lines = ["| method | recall@10 | recall@50 | NDCG@10 | discovery recall@50 (new-artist truth) | own-artist recall@50 "
             "| ranker ÷ method, recall@50 [90%] | ranker ÷ method, discovery [90%] | distinct artists in top 50 "
             "| genre diversity of top 50 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, p in real["methods"].items():
        ratio = real["ratios_recall@50"].get(name)
        disc = real["ratios_discovery@50"].get(name)
        lines.append(f"| {name} | {p['recall@10']:.3f} | {p['recall@50']:.3f} | {p['ndcg@10']:.3f} | "
                     f"{p['discovery_recall@50']:.3f} | {p.get('own_artist_recall@50', float('nan')):.3f} | "
                     f"{_ratio(ratio)} | {_ratio(disc)} | {p['distinct_artists@50']:.1f} | "
                     f"{_number(p.get('genre_diversity@50'))} |")
    p = real["methods"]["ranker"]
    lines += [f"\n{p['listeners']} listeners, {p['truth']} truth tracks ({p['new_artist_truth']} by artists new to the "
              f"listener); skipped: {'; '.join(s['listener'] + ': ' + s['note'] for s in real['skipped']) or 'none'}",
              f"ranker / best baseline ({real['best_baseline']}), recall@50: {_ratio(real['ranker_vs_best_baseline_recall@50'])}",
              f"New to you / best discovery baseline ({real['best_discovery_baseline']}): "
              f"{_ratio(real['ranker_vs_best_discovery_baseline'])}",
              f"New to you / best of every baseline on new-artist truth ({real.get('best_discovery_baseline_any')}): "
              f"{_ratio(real.get('ranker_vs_best_discovery_baseline_any'))}",
              f"From artists you play / your_artists on own-artist truth: "
              f"{_ratio(real.get('ranker_vs_your_artists_own_artist_truth'))}", "", *shelf_lines(real["methods"])]
    tidy = report.get("tidytuesday_test_playlists")
    if tidy:
        lines += [f"\nTidyTuesday test playlists ({tidy['playlists']}), mean per playlist:", "",
                  "| method | recall@10 | recall@50 | NDCG@10 |", "|---|---|---|---|"]
        lines += [f"| {m} | {v['recall@10']:.4f} | {v['recall@50']:.4f} | {v['ndcg@10']:.4f} |"
                  for m, v in tidy["methods"].items()]
        lines.append(f"\nranker / best baseline ({tidy['best_baseline']}), NDCG@10: "
                     f"{tidy['ranker_vs_best_baseline_ndcg@10']:.2f}x")
    return "\n".join(lines)


def shelf_lines(methods: dict) -> list[str]:
    """Each shelf beside the simple rules it replaces: what it found, and how varied its top 50 is."""
    out = ["| shelf (or rule) | recall@50 on its truth | distinct artists in top 50 | genre diversity of top 50 |",
           "|---|---|---|---|"]
    for shelf, _, recall, artists, diversity, rules in SHELVES:
        for label, method in ((shelf, "ranker"), *((f"({rule})", rule) for rule in rules)):
            m = methods[method]
            out.append(f"| {label} | {m[recall]:.3f} | {_number(m.get(artists), 1)} | {_number(m.get(diversity))} |")
    return out


def _number(value, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _ratio(r: dict | None) -> str:
    if not r or r.get("ratio") is None:
        return "–"
    return f"{r['ratio']:.2f}x [{r['interval_90'][0]:.2f}, {r['interval_90'][1]:.2f}]"
