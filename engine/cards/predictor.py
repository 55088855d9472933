"""The audio-feature predictor's card: real libraries against the baselines, coverage per feature, reliability."""

from __future__ import annotations

from engine.cards.names import friendly
from engine.cards.parts import Card, Table, interval, number
from engine.config import FEATURES

BASELINES = ("ridge", "prior_lookup", "training_mean")
WEAK_SKILL = 0.15
HEADLINE_SET = "exportify samples, all (features stripped)"


def _skill_row(name: str, entry: dict) -> dict:
    row = {"set": name, "tracks": entry.get("n")}
    for method in ("model", *BASELINES):
        scores = entry.get(method, {})
        row[method] = number(scores.get("mean_skill_bounded"))
    row["model 95% interval"] = interval(entry.get("model", {}).get("mean_skill_bounded_ci95"))
    baselines = [row[b] for b in BASELINES if row[b] is not None]
    row["beats every baseline"] = bool(baselines) and row["model"] is not None and row["model"] > max(baselines)
    return row


def predictor_card(card: Card, m: dict, config: dict) -> Card:
    card.purpose = ("Fills in the 8 audio features of every track the catalog does not know, each with a confidence "
                    "and a 90% interval (Library coverage, Predictor, and every page built on the features).")
    card.command = "python -m engine train, then python -m engine recalibrate; evaluated by python -m engine evaluate"
    train = config.get("train_config", m.get("train_config", {}))
    card.trained_on = [f"{config.get('train_rows', '?'):,} training rows: real tracks of the training tables plus "
                       "yamaerenay artist aggregates; 20% of artists and the out-of-distribution tables held out",
                       "Settings: " + ", ".join(f"{k} {v}" for k, v in train.items() if k != "model_options")]
    ood = m["out_of_distribution"]
    head = ood.get(HEADLINE_SET) or next(iter(ood.values()))
    model = head["model"]
    card.trust.append(
        f"On {head['n']} tracks of real listeners' Exportify playlists (Spotify's values hidden, then compared): mean "
        f"skill {model['mean_skill_bounded']:.3f} {interval(model.get('mean_skill_bounded_ci95'))}, against "
        f"{head['prior_lookup']['mean_skill_bounded']:.3f} for looking up the artist's and genre's averages and "
        f"{head['ridge']['mean_skill_bounded']:.3f} for a ridge regression (1 = exact, 0 = no better than the average track).")
    weak = [f for f in FEATURES if f in model and model[f].get("skill", 1) < WEAK_SKILL]
    if weak:
        card.trust.append(f"Weak there (skill under {WEAK_SKILL}): {', '.join(weak)}. Read those values as rough; "
                          "their confidence is low for that reason.")
    card.evaluations.append(Table("Mean skill over the 7 bounded features, real data it never trained on",
                                  [_skill_row(name, entry) for name, entry in ood.items()],
                                  "skill = 1 − MSE ÷ MSE of the training mean; baselines measured in the same run",
                                  "python -m engine evaluate"))
    card.evaluations.append(Table(f"Per feature on {HEADLINE_SET}", [
        {"feature": f, **{f"skill: {friendly(meth)}": number(head[meth][f].get("skill"))
                          for meth in ("model", "ridge", "prior_lookup") if f in head.get(meth, {})},
         "model R² (against this set's own mean)": number(model[f].get("r2")),
         "model MAE": number(model[f].get("mae"))} for f in FEATURES if f in model],
        "Skill compares the error with guessing the training data's average for every track (what a listener would "
        "otherwise have); R² compares it with this set's own average, which no one knows in advance. A negative R² "
        "beside a positive skill means: better than the usual average, worse than this small set's own.",
        command="python -m engine evaluate"))
    held = {**m.get("artist_holdout", {}), **m.get("temporal", {})}
    if held:
        card.evaluations.append(Table("Held-out artists and later releases (models trained without them)",
                                      [_skill_row(name, entry) for name, entry in held.items()],
                                      command="python -m engine evaluate"))
    real = m.get("real_library_sets", {})
    sets = real.get("sets", {})
    if sets:
        card.calibration = Table(
            "90% interval coverage per feature, cross-fitted on real-library-like sets (goal 0.85–0.95)",
            [{"set": name, "tracks": entry.get("all rows", {}).get("n"),
              **{f: number(v, 2) for f, v in entry.get("all rows", {}).get("coverage_90", {}).items()}}
             for name, entry in sets.items()],
            "each set scored by a calibrator that never saw it; a cell is the share of real values inside the interval",
            "python -m engine recalibrate")
    card.reliability = real.get("reliability", {}).get("features")
    if card.reliability is None:
        card.notes.append("metrics.json holds no per-bin reliability data yet: run `python -m engine recalibrate`.")
    return card
