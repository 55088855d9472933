"""The learned ranker's card: real listeners under listener-level cross-validation, both shelves, TidyTuesday."""

from __future__ import annotations

from engine.cards.names import friendly
from engine.cards.parts import Card, Table, interval, number
from engine.recs.shelves import SHELVES

COLUMNS = ["recall@10", "recall@50", "ndcg@10", "discovery_recall@50", "own_artist_recall@50", "distinct_artists@50",
           "genre_diversity@50", "new_median_popularity@50"]


def _ratio(entry: dict | None) -> str:
    """A stored ratio with its interval: engine.recs.metrics.ratio_interval's paired bootstrap over listeners."""
    if not entry or entry.get("ratio") is None:
        return ""
    return f"{entry['ratio']:.2f}× {interval(entry.get('interval_90'))}"


def _some(real: dict, *names: str) -> list:
    return [(n, real["methods"][n]) for n in names if n in real["methods"]]


def comparison(methods: dict) -> list[dict]:
    """One bar a method, for whatever methods metrics.json holds (a method without recall@50 is left out)."""
    return [{"name": friendly(name), "value": float(scores["recall@50"]), "ours": name == "ranker"}
            for name, scores in methods.items() if isinstance(scores, dict) and isinstance(scores.get("recall@50"), (int, float))]


def ranker_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = ("The default on the Recommendations page and in `python -m engine recommend`: ranks catalog tracks "
                    "you do not own, on two shelves (\"From artists you play\", \"New to you\").")
    card.command = m.get("command", "TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners")
    real = m["real_listeners"]
    ranker = real["methods"]["ranker"]
    card.trained_on = [f"{ranker['listeners']} real listeners' libraries and later plays or saves (samples/), each cut at "
                       + ", ".join(f"{c:.0%}" for c in real.get("training_cuts", [])) + " of their own timeline",
                       f"{real.get('playlist_examples', 'some')} TidyTuesday validation playlists as libraries without dates "
                       "(never the test playlists)",
                       "scikit-learn gradient-boosted trees over candidates in stages (your artists, the artists you "
                       "played lately, co-listening, genres, playlist neighbours, the chart, the two-tower, MPD "
                       "playlist neighbours, MPD and Last.fm co-listening)",
                       "models/world: 181,675 Million Playlist Dataset tracks as candidates (features predicted, never "
                       "real), 7,071 MPD playlists and 1,892 Last.fm users (HetRec 2011). Both datasets are "
                       "non-commercial research data, and so is this model"]
    best, best_new = friendly(real["best_baseline"]), friendly(real["best_discovery_baseline"])
    card.trust.append(f"Cross-validated by listener (no listener is scored by a model fitted on it): on {ranker['listeners']} "
                      f"real listeners ({ranker['truth']} tracks they added or played next), recall@50 "
                      f"{ranker['recall@50']:.3f}, {_ratio(real['ranker_vs_best_baseline_recall@50'])} the best simple "
                      f"rule ({best}).")
    card.trust.append(f"New to you (tracks by artists new to the listener, {ranker['new_artist_truth']} of them): "
                      f"{_ratio(real['ranker_vs_best_discovery_baseline'])} the best simple rule there ({best_new}).")
    shelf_pop, truth_pop = ranker.get("new_median_popularity@50"), ranker.get("new_artist_truth_median_popularity")
    if shelf_pop is not None and truth_pop is not None:
        chart = real["methods"].get("genre_chart", {}).get("new_median_popularity@50")
        card.trust.append(f"How niche New to you is: the median popularity of its top 50 is {shelf_pop:.0f} (0–100), "
                          f"against {truth_pop:.0f} for the new-artist tracks these listeners really added"
                          + (f" and {chart:.0f} for the genre chart." if chart is not None else "."))
    for entry in (real["ranker_vs_best_baseline_recall@50"], real["ranker_vs_best_discovery_baseline"]):
        ci = entry.get("interval_90") or []
        if len(ci) == 2 and ci[0] <= 1.0 <= ci[1]:
            card.trust.append("An interval that holds 1.0 means these listeners cannot tell the ranker from that rule.")
            break
    rows = []
    for name, scores in real["methods"].items():
        row = {"method": friendly(name), **{k: number(scores[k], 4) for k in COLUMNS if k in scores}}
        row["ranker ÷ method, recall@50"] = _ratio(real.get("ratios_recall@50", {}).get(name))
        row["ranker ÷ method, discovery"] = _ratio(real.get("ratios_discovery@50", {}).get(name))
        rows.append(row)
    card.comparison = comparison(real["methods"])
    card.comparison_label = ("share of what these listeners added or played next that the top 50 held (recall@50)")
    skipped = "; ".join(f"{s['listener']}: {s['note']}" for s in real.get("skipped", []))
    bootstrap = "Intervals: 90%, a paired bootstrap over listeners of the ratio of pooled recalls (1,000 draws)."
    card.evaluations.append(Table(f"Real listeners, cut at {real['test_cut']:.0%} of each timeline (k = 50)", rows,
                                  f"{bootstrap} Skipped: {skipped}" if skipped else bootstrap, card.command))
    card.evaluations.append(Table("Each shelf and its diversity (mean per listener over the top 50)", [
        {"shelf": shelf, "method": friendly(name), "truth": truth, "recall@50": number(s[recall], 4),
         "distinct artists": number(s.get(artists), 1), "genre diversity": number(s.get(diversity), 2)}
        for shelf, truth, recall, artists, diversity, rules in SHELVES for name, s in _some(real, "ranker", *rules)],
        "Genre diversity: 1 − the mean cosine between the artist-genre vectors of every pair in the list "
        "(0: one genre mix throughout; 1: no two tracks share a genre).", card.command))
    tidy = m.get("tidytuesday_test_playlists")
    if tidy:
        card.evaluations.append(Table(
            f"TidyTuesday test playlists ({tidy.get('playlists', '?')})",
            [{"method": friendly(n), **{k: number(v, 4) for k, v in s.items()}} for n, s in tidy["methods"].items()],
            f"ranker ÷ best baseline ({tidy.get('best_baseline')}), NDCG@10: "
            f"{number(tidy.get('ranker_vs_best_baseline_ndcg@10'), 2)}×", card.command))
    card.curve_note = "Gradient-boosted trees fitted in one pass per fold: no per-epoch curve."
    return card
