"""One builder per shipped model: its metrics.json (whatever that model records) into a Card.

Every figure comes from the artifact's files; the sentences only say which figure to read and how.
"""

from __future__ import annotations

from engine.cards.card import Card, Table, interval, number
from engine.cards.predictor import predictor_card
from engine.cards.ranker import ranker_card

ORDER = ["audio_predictor", "ranker", "hybrid", "two_tower", "clusters", "map", "lyrics", "catalog"]
TITLES = {"audio_predictor": "Audio-feature predictor", "ranker": "Recommendations: the learned ranker (served)",
          "hybrid": "Recommendations: the hybrid (the previous default)",
          "two_tower": "Recommendations: the two-tower model", "clusters": "Clusters", "map": "Map (UMAP)",
          "lyrics": "Lyrics: topics and mood", "catalog": "Reference catalog"}
RANKING = ["recall@10", "recall@50", "ndcg@10", "hit_rate@10", "mrr", "coverage", "diversity"]


def _ranking_rows(methods: dict, keys=RANKING) -> list[dict]:
    rows = []
    for name, scores in methods.items():
        pooled = scores.get("pooled", scores)
        row = {"method": name, **{k: number(pooled[k], 4) for k in keys if k in pooled}}
        for k in ("recall@10", "recall@50"):
            if f"{k}_90" in pooled:
                row[f"{k} 90% interval"] = interval(pooled[f"{k}_90"])
        rows.append(row)
    return rows


def hybrid_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = ("The default before the learned ranker: `--method hybrid` on the Recommendations page and in "
                    "`python -m engine recommend`.")
    card.command = "TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners"
    card.trained_on = [config.get("fitted_on", "TidyTuesday validation playlists"),
                       "Weights: " + ", ".join(f"{k} {v}" for k, v in m.get("weights", config.get("weights", {})).items())]
    real = m["real_listeners"]
    pooled = real["methods"]["hybrid"]["pooled"]
    best = real["best_baseline"]
    ratio, ci = real["hybrid_vs_best_baseline"], real.get("hybrid_vs_best_baseline_90") or []
    card.trust.append(f"On {pooled['listeners']} real listeners ({pooled['truth']} tracks they added or played later): "
                      f"recall@50 {pooled['recall@50']:.3f} {interval(pooled.get('recall@50_90'))}, "
                      f"{ratio:.2f}× the best simple baseline ({best}) {interval(ci)}.")
    if len(ci) == 2 and ci[0] <= 1.0 <= ci[1]:
        card.trust.append("That interval holds 1.0: on these few listeners it cannot be told apart from the baseline. "
                          "Read the list as suggestions, not as a measured improvement.")
    card.evaluations.append(Table(f"Real listeners (cut at 75% of each timeline; k = 50)", _ranking_rows(real["methods"]),
                                  "Skipped: " + "; ".join(f"{s['listener']}: {s['note']}" for s in real.get("skipped", []))
                                  if real.get("skipped") else "", card.command))
    account = m.get("account_playlists_20pct_held_out")
    if account:
        card.evaluations.append(Table("Account-export playlists, 20% of each held out", _ranking_rows(account["methods"]),
                                      f"hybrid ÷ best baseline ({account['best_baseline']}): "
                                      f"{account['hybrid_vs_best_baseline']:.2f}× "
                                      f"{interval(account.get('hybrid_vs_best_baseline_90'))}", card.command))
    tidy = m.get("tidytuesday_test_playlists")
    if tidy:
        card.evaluations.append(Table(f"TidyTuesday test playlists ({tidy.get('playlists', '?')}, newest 20% held out)",
                                      _ranking_rows(tidy["methods"]), command=card.command))
    grid = m.get("grid_best_20")
    if grid:
        card.evaluations.append(Table("How the weights were chosen: the best weightings on validation playlists",
                                      [{k: number(v, 4) for k, v in row.items()} for row in grid]))
    card.curve_note = ("Not trained by gradient steps: five weights chosen by a grid search on validation "
                       "playlists (the table above), so there is no training curve.")
    return card


def two_tower_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = "Scores every catalog item for a library; one of the hybrid's signals, and `--method two_tower`."
    card.command = "python -m engine evaluate-recs"
    ev = m["evaluation"]
    split = ev.get("split", {})
    card.trained_on = [f"{config.get('trained_on', 'TidyTuesday playlists')}: {split.get('playlists', '?')} playlists, "
                       f"{split.get('train_interactions', '?')} training interactions, "
                       f"{split.get('candidates', '?')} candidate items; held out: {split.get('holdout', '?')}"]
    methods = ev["methods"]
    best, ratio = ev["best_baseline"], ev["two_tower_vs_best_baseline"]
    card.trust.append(f"On held-out tracks of TidyTuesday playlists: NDCG@10 {methods['two_tower']['ndcg@10']:.3f} against "
                      f"{methods[best]['ndcg@10']:.3f} for the best simple baseline ({best}): {ratio:.2f}×.")
    card.trust.append("Curated playlists are easier than real libraries: how it does for real listeners is on the "
                      "hybrid's card (the ranker the app serves, of which this model is one signal).")
    card.evaluations.append(Table("Held-out playlist tracks, every method on the same split", _ranking_rows(methods),
                                  f"served variant: {ev.get('served_variant', '?')} (chosen on validation)", card.command))
    return card


def clusters_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = "Assigns every track to one of the named clusters on the Clusters page (and colours the Map)."
    card.command = "python -m engine fit-clusters"
    card.trained_on = [f"KMeans over the 8 features of {m.get('tracks', '?'):,} catalog tracks; {m.get('rule', '')}"]
    card.trust.append(f"k = {m['k']}, silhouette {m['silhouette']:.3f} (0 = clusters overlap, 1 = fully apart): "
                      "the groups are real tendencies with soft borders, and a track near a border has a runner-up.")
    card.evaluations.append(Table("Silhouette by k", [{k: number(v) for k, v in r.items()} for r in m["silhouette_by_k"]],
                                  command=card.command))
    if m.get("sizes"):
        card.evaluations.append(Table("Catalog tracks per cluster", [{"cluster": k, "tracks": v} for k, v in m["sizes"].items()]))
    card.curve_note = "KMeans is fitted in one pass over the catalog: there are no epochs, so there is no training curve."
    return card


def map_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = "Places every track on the Map page, in 2-D and 3-D."
    card.command = "python -m engine fit-map"
    card.trained_on = [f"UMAP of {config.get('embedding', 'the 8 standardized features')} on a fixed sample of "
                       f"{m.get('fit_tracks', '?'):,} catalog tracks"]
    held = m["trustworthiness_held_out_transform"]
    card.trust.append(f"Trustworthiness {held['2']:.3f} (2-D) on catalog tracks the fit never saw (1 = every track's "
                      "map neighbours are its neighbours by sound): close tracks on the map sound alike; "
                      "distances between far-apart groups mean little.")
    card.evaluations.append(Table("Trustworthiness (10 neighbours)", [
        {"dims": d, "fitted sample": number(m["trustworthiness_fit_sample"][d]), "tracks it never saw": number(held[d]),
         "fit seconds": number(m.get("fit_seconds", {}).get(d), 1)} for d in ("2", "3")], command=card.command))
    card.curve_note = "UMAP is fitted in one pass: there are no epochs, so there is no training curve."
    return card


def lyrics_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = "Reads pasted lyrics in the Predictor's lyrics box: top topics, similar songs, a valence nudge."
    card.command = "python -m engine train-lyrics"
    split = m.get("split", {})
    card.trained_on = [m.get("dataset", ""), f"split by artist: {split.get('train')} train / {split.get('val')} "
                       f"validation / {split.get('test')} test songs ({m.get('test_artists', '?')} test artists)"]
    means = m["mean_r2"]
    card.trust.append(f"Topics: mean R² {means['topics']['model']:.3f} on held-out artists against a ridge at "
                      f"{means['topics']['ridge']:.3f} and the mean at {means['topics']['mean']:.3f}; audio features "
                      f"{means['audio']['model']:.3f} against {means['audio']['ridge']:.3f}"
                      + (" (within noise of the ridge)." if abs(means['audio']['model'] - means['audio']['ridge']) < 0.01
                         else "."))
    if m.get("dataset"):
        card.trust.append(f"Trained on {m['dataset']}: outside that slice of music, read the topics loosely.")
    card.evaluations.append(Table("R² per target on held-out artists", [
        {"target": t, **{k: number(v) for k, v in scores.items()}} for t, scores in m["r2"].items()], command=card.command))
    mood = m.get("lyrics_vs_no_lyrics", {})
    if mood:
        card.evaluations.append(Table("Do lyrics help the audio-feature predictor?", [
            {"feature": f, "predictor as is": number(r.get("audio_predictor_as_is")),
             "without lyrics": number(r.get("model_without_lyrics")), "with lyrics": number(r.get("model_with_lyrics")),
             "gain 90% interval": interval(r.get("gain_ci90")), "fed to the predictor": r.get("lyrics_win")}
            for f, r in mood.items()], command=card.command))
    return card


def catalog_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = "Real audio features for known tracks: a track found here shows Spotify's own values, confidence 1."
    card.command = config.get("command", "python -m engine build-catalog")
    card.trained_on = [f"{source}: {text}" for source, text in config.get("sources", {}).items()]
    rows = config.get("rows", {})
    card.trust.append(f"Not a prediction: {rows.get('tracks.parquet', 0):,} tracks with measured values from the "
                      "datasets below, matched by Spotify id, else by artist and title.")
    card.evaluations.append(Table("Tracks per dataset", [{"dataset": k, "tracks": v}
                                                          for k, v in config.get("datasets", {}).items()]))
    card.curve_note = "Built, not trained: there is no training curve."
    return card


BUILDERS = {"audio_predictor": predictor_card, "ranker": ranker_card, "hybrid": hybrid_card, "two_tower": two_tower_card,
            "clusters": clusters_card, "map": map_card, "lyrics": lyrics_card, "catalog": catalog_card}
