"""Markdown tables from the evaluation report (models/audio_predictor/metrics.json)."""

from __future__ import annotations

from engine.config import FEATURES
from engine.metrics import THRESHOLDS

METHODS = ["model", "ridge", "prior_lookup", "training_mean"]
SHORT = {"energy": "energy", "valence": "valence", "danceability": "dance", "acousticness": "acoustic",
         "instrumentalness": "instr", "liveness": "live", "speechiness": "speech", "tempo": "tempo"}


def _cell(value, digits=3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def set_table(name: str, result: dict, show_mse: bool = True) -> str:
    head = "| method | " + " | ".join(SHORT[f] for f in FEATURES) + " | mean skill (7) | thresholds met |"
    lines = [f"**{name}** (n = {result['n']}, artist prior for {result['artist_prior_share']:.0%}, "
             f"genre prior for {result['genre_prior_share']:.0%})", "", head, "|" + "---|" * (len(FEATURES) + 3)]
    for method in METHODS:
        r = result[method]
        key = "mse" if show_mse else "skill"
        cells = [_cell(r.get(f, {}).get(key), 1 if f == "tempo" and show_mse else 4 if show_mse else 2) for f in FEATURES]
        ci = r.get("mean_skill_bounded_ci95")
        skill = _cell(r["mean_skill_bounded"], 3) + (f" [{ci['low']:.2f}, {ci['high']:.2f}]" if ci else "")
        lines.append(f"| {method} | " + " | ".join(cells) + f" | {skill} | {r['thresholds_met']}/8 |")
    model = result["model"]
    lines.append("| model R² | " + " | ".join(_cell(model.get(f, {}).get("r2"), 2) for f in FEATURES) + " | | |")
    lines.append("| model Pearson | " + " | ".join(_cell(model.get(f, {}).get("pearson"), 2) for f in FEATURES) + " | | |")
    lines.append("| model MAE | " + " | ".join(_cell(model.get(f, {}).get("mae"), 3) for f in FEATURES) + " | | |")
    cal = result["calibration"]
    lines.append("| 90% interval coverage | " + " | ".join(_cell(cal.get(f, {}).get("coverage_90"), 2) for f in FEATURES) + " | | |")
    lines.append("| Spearman(conf, abs err) | " + " | ".join(_cell(cal.get(f, {}).get("spearman_conf_abs_err"), 2) for f in FEATURES) + " | | |")
    return "\n".join(lines)


def summary_table(results: dict[str, dict]) -> str:
    """One line per set: mean bounded skill [95% CI] of each method, and the model's mean coverage."""
    lines = ["| set | n | model | ridge | prior lookup | model 90% coverage |", "|---|---|---|---|---|---|"]
    for name, r in results.items():
        cells = []
        for method in ("model", "ridge", "prior_lookup"):
            ci = r[method].get("mean_skill_bounded_ci95")
            cells.append(f"{r[method]['mean_skill_bounded']:.3f}" + (f" [{ci['low']:.2f}, {ci['high']:.2f}]" if ci else ""))
        lines.append(f"| {name} | {r['n']} | " + " | ".join(cells) + f" | {r['calibration']['mean_coverage_90']:.2f} |")
    return "\n".join(lines)


def render(report: dict) -> str:
    thresholds = ", ".join(f"{SHORT[f]} ≤ {v:g}" for f, v in THRESHOLDS.items())
    parts = [f"Cells are MSE (tempo in BPM²) unless marked; design thresholds: {thresholds}.",
             "Mean skill = mean over the 7 bounded features of 1 − MSE / MSE(training mean); [95% bootstrap CI]."]
    titles = {"artist_holdout": "(a) Artist holdout", "temporal": "(b) Temporal split",
              "out_of_distribution": "(c) Out of distribution (shipped model)"}
    for section, title in titles.items():
        if section not in report:
            continue
        parts.append(f"### {title}")
        results = report[section]
        if section == "out_of_distribution":
            parts.append("Mean skill over the 7 bounded features, per set [95% bootstrap CI]:")
            parts.append(summary_table(results))
            parts.append("Per feature (cells are skill, 1 − MSE / MSE of the training mean; higher is better):")
            results = {k: v for k, v in results.items() if not k.startswith("exportify: ")}
        for name, result in results.items():
            parts.append(set_table(name, result, show_mse=section != "out_of_distribution"))
    return "\n\n".join(parts)
