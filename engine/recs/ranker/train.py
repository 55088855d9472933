"""Fit and judge the learned ranker in one run; ship models/ranker with its real-listener table.

  TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners
Every listener in samples/ with dates is cut at 75% of its own timeline (scored) and at the earlier
cuts of ranker.toml (training examples only). Listener-level folds: a listener is scored only by a
ranker, and co-listening rows, fitted without it. The served ranker is then fitted on every listener;
the figures shipped are the cross-validated ones.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from engine.recs.ranker import SHELVES
from engine.recs.ranker import evaluate as ev
from engine.recs.ranker.items import ItemTable
from engine.recs.ranker.model import RankerConfig
from engine.recs.ranker.fit import (artist_sets, cross_validate, fit_ranker, make_example, playlist_examples,
                                    with_colisten)

TEST_CUT = 0.75
FIXED_LISTENERS = ("Efrrowini", "kyleduong", "deadda7a")  # small, with truth: tests recompute their baselines
COMMAND = "TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners"
METHODS = (*ev.BASELINES, "hybrid", "ranker")


def build_examples(rec, table, samples: Path, config: RankerConfig, log, cache=None):
    """(examples, skipped test listeners with the reason). cache: a folder for the cut listeners."""
    import pickle

    from engine.recs.listeners.build import build_listeners

    examples, skipped = [], []
    for cut in sorted({TEST_CUT, *config.cuts}):
        where = cache and Path(cache) / f"listeners_{cut}.pkl"
        if where and where.exists():
            listeners = pickle.loads(where.read_bytes())
        else:
            listeners = build_listeners(samples, rec.catalog, cut)
            if where:
                where.write_bytes(pickle.dumps(listeners))
        for listener in listeners:
            ex = make_example(rec, table, listener, cut)
            if ex is not None:
                examples.append(ex)
            elif cut == TEST_CUT:
                skipped.append({"listener": listener.name, "note": "; ".join(listener.notes) or
                                "no catalog-known truth track or empty library (skipped)"})
        log(f"cut {cut:.2f}: {sum(e.cut == cut for e in examples)} listeners with truth")
    return examples, skipped


def cross_validated_rows(rec, table, examples, config, log) -> list[dict]:
    rows = []
    for ex, ranker, trained_on, sets in cross_validate(examples, table, config, TEST_CUT, log):
        ctx = with_colisten(ex, table, sets, trained_on)
        rows.append({**ev.listener_row(ex.listener, ex, ctx, ev.rankings(rec, ranker, ctx, table, config,
                                                                         rec.hybrid_weights), table,
                                       rec.hybrid.genres),
                     "fitted_on": trained_on})
    return rows


def summary(rows: list[dict]) -> dict:
    methods = {m: ev.pooled(rows, m) for m in (*METHODS, "ranker_no_cap")}
    best = max(ev.BASELINES, key=lambda b: methods[b]["recall@50"])
    # The goal's discovery baselines are the genre chart and popularity; every rule is reported as well.
    best_new = max(("popularity", "genre_chart"), key=lambda b: methods[b]["discovery_recall@50"])
    best_new_any = max(ev.BASELINES, key=lambda b: methods[b]["discovery_recall@50"])
    return {"methods": methods, "best_baseline": best, "best_discovery_baseline": best_new,
            "best_discovery_baseline_any": best_new_any,
            "ranker_vs_best_baseline_recall@50": ev.ratio_interval(rows, "ranker", best),
            "ranker_vs_best_discovery_baseline": ev.ratio_interval(rows, "ranker", best_new, "discovery_found@50"),
            "ranker_vs_best_discovery_baseline_any": ev.ratio_interval(rows, "ranker", best_new_any,
                                                                       "discovery_found@50"),
            "ranker_vs_your_artists_own_artist_truth": ev.ratio_interval(rows, "ranker", "your_artists", "own_found@50"),
            "ratios_recall@50": {b: ev.ratio_interval(rows, "ranker", b) for b in (*ev.BASELINES, "hybrid")},
            "ratios_discovery@50": {b: ev.ratio_interval(rows, "ranker", b, "discovery_found@50")
                                    for b in (*ev.BASELINES, "hybrid")}}


def evaluate_ranker(out: Path, samples: Path, seed: int = 0, log=None, cache=None) -> str:
    from engine.recs.ranker.serve import save_ranker
    from engine.recs.recommend import Recommender

    log = log or (lambda m: None)
    started = time.time()
    rec = Recommender.load(ranker=False)
    table = ItemTable(rec.items, rec.hybrid.artist_codes, rec.hybrid.popularity)
    config = RankerConfig.from_toml()
    examples, skipped = build_examples(rec, table, samples, config, log, cache)
    examples += playlist_examples(rec, table, config.playlist_examples, seed)
    rows = cross_validated_rows(rec, table, examples, config, log)
    report = {"real_listeners": {**summary(rows), "skipped": skipped, "per_listener": rows,
                                 "test_cut": TEST_CUT, "training_cuts": list(config.cuts),
                                 "playlist_examples": sum(e.kind == "playlist" for e in examples)}}
    sets = artist_sets(table, examples)
    served = fit_ranker(examples, table, sets, config)
    names = {n: [rec.hybrid.artist_names[a] for a in codes] for n, codes in sets.items()}
    from engine.recs.ranker.tidytuesday.evaluate import tidytuesday_table

    report["tidytuesday_test_playlists"] = tidytuesday_table(rec, served, table, seed)
    report.update(seconds=round(time.time() - started, 1), command=COMMAND)
    save_ranker(Path(out), served, names, report)
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
