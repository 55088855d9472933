"""One builder per shipped model: its metrics.json (whatever that model records) into a Card.

Every figure comes from the artifact's files; the sentences only say which figure to read and how.
"""

from __future__ import annotations

from engine.cards.parts import Card, Table, interval, number
from engine.cards.predictor import predictor_card
from engine.cards.ranker import ranker_card

ORDER = ["audio_predictor", "ranker", "two_tower", "clusters", "map", "lyrics", "catalog"]
TITLES = {"audio_predictor": "Audio-feature predictor", "ranker": "Recommendations: the learned ranker (served)",
          "two_tower": "Recommendations: the two-tower model", "clusters": "Clusters",
          "map": "Map (UMAP)",
          "lyrics": "Lyrics: topics and mood", "catalog": "Reference catalog"}
RANKING = ["recall@10", "recall@50", "ndcg@10", "hit_rate@10", "mrr", "coverage", "diversity"]


def _ranking_rows(methods: dict, keys=RANKING) -> list[dict]:
    return [{"method": name, **{k: number(scores[k], 4) for k in keys if k in scores}} for name, scores in methods.items()]


def two_tower_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = ("Scores every catalog item for a library: one of the learned ranker's features and candidate "
                    "stages, and `--method two_tower`.")
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
    card.trust.append("Curated playlists are easier than real libraries: how the served recommendations do for real "
                      "listeners is on the learned ranker's card (of which this model is one feature).")
    card.evaluations.append(Table("Held-out playlist tracks, every method on the same split", _ranking_rows(methods),
                                  f"served variant: {ev.get('served_variant', '?')} (chosen on validation)", card.command))
    return card


def clusters_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = ("The catalog's reference clusters: KMeans over the whole catalog, read by `python -m engine "
                    "listening` (the Clusters page clusters each library on its own, not with this model).")
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


BUILDERS = {"audio_predictor": predictor_card, "ranker": ranker_card, "two_tower": two_tower_card,
            "clusters": clusters_card, "map": map_card, "lyrics": lyrics_card, "catalog": catalog_card}
