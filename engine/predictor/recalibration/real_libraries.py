"""The shipped confidences and intervals judged on real libraries that calibration never saw.

Each Exportify owner's playlists and each liked-songs library with Spotify's features (stripped, then
predicted) is one library, in two modes:
- served: catalog on; the rows the catalog does not know are the predicted ones and are scored, their
  intervals widened by the library's catalog-known rows (engine.predictor.library_intervals);
- catalog off: every row predicted, no catalog artist prior, nothing known to widen from.
Per feature: 90% coverage, mean width and Spearman(confidence, -|error|). And what a confidence means:
the mean absolute error of the predicted values in each confidence band, read by the pages.
Run by: python -m engine recalibrate
"""

from __future__ import annotations

import numpy as np

from engine.config import BOUNDED_FEATURES
from engine.predictor.recalibration.build import CalibrationRows
from engine.predictor.recalibration.evaluate import coverage, library_widened, ranking, served, width
from engine.predictor.uncertainty import UPPER, Uncertainty

POOLED = "exportify: all owners"
BANDS = [0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1.0001]


def judge(evaluation: dict[str, CalibrationRows], uncertainty: Uncertainty) -> dict:
    """{mode: {set: {n, coverage_90, mean_width_90, spearman_confidence}}} for 'served' and 'catalog off'."""
    out = {}
    for mode, rows in evaluation.items():
        low, high, confidence = served(uncertainty, rows)
        scored = rows.predicted if mode == "served" else np.ones(len(rows.mean), bool)
        if mode == "served":
            for name in dict.fromkeys(rows.set_name):
                inside = rows.set_name == name
                known, rest = np.flatnonzero(inside & ~scored), np.flatnonzero(inside & scored)
                if len(rest):
                    _, low[rest], high[rest] = library_widened(rows, low, high, known, rest)
        names = {name: rows.set_name == name for name in dict.fromkeys(rows.set_name)}
        names[POOLED] = np.char.startswith(rows.set_name.astype(str), "exportify: ")
        out[mode] = {}
        for name, inside in names.items():
            chosen = inside & scored
            out[mode][str(name)] = {
                "n": int(chosen.sum()), "coverage_90": coverage(rows.target[chosen], low[chosen], high[chosen]),
                "mean_width_90": width(rows.target[chosen], low[chosen], high[chosen]),
                "spearman_confidence": ranking(rows.target[chosen], rows.mean[chosen], confidence[chosen])}
        if mode == "served":
            out["confidence_meaning"] = meaning(rows, confidence, scored)
    return out


def meaning(rows: CalibrationRows, confidence: np.ndarray, scored: np.ndarray) -> list[dict]:
    """Per confidence band: how far the predicted values (bounded features, 0..1) were off on average."""
    bounded = len(BOUNDED_FEATURES)
    error = np.abs(rows.target[:, :bounded] - np.clip(rows.mean[:, :bounded], 0.0, UPPER[:bounded]))
    conf, error = confidence[scored, :bounded].ravel(), error[scored].ravel()
    ok = np.isfinite(error)
    bands = []
    for low, high in zip(BANDS[:-1], BANDS[1:]):
        inside = ok & (conf >= low) & (conf < high)
        if inside.sum() >= 20:
            bands.append({"low": low, "high": min(high, 1.0), "values": int(inside.sum()),
                          "mean_abs_error": float(error[inside].mean())})
    return bands


def markdown(result: dict) -> str:
    """One row per library and mode: coverage / mean width / Spearman per bounded feature."""
    names = [f[:6] for f in BOUNDED_FEATURES]
    lines = ["| library | mode | rows | " + " | ".join(names) + " | mean Spearman |", "|---|---|---|" + "---|" * (len(names) + 1)]
    for mode in ("served", "catalog off"):
        for name, entry in result[mode].items():
            cells, rhos = [], []
            for f in BOUNDED_FEATURES:
                rho = entry["spearman_confidence"].get(f)
                rhos += [] if rho is None else [rho]
                cells.append("–" if f not in entry["coverage_90"] else
                             f"{entry['coverage_90'][f]:.2f} / {entry['mean_width_90'][f]:.2f} / "
                             + ("–" if rho is None else f"{rho:.2f}"))
            mean_rho = f"{np.mean(rhos):.2f}" if rhos else "–"
            lines.append(f"| {name} | {mode} | {entry['n']} | " + " | ".join(cells) + f" | {mean_rho} |")
    return "\n".join(lines)


def meaning_markdown(bands: list[dict]) -> str:
    lines = ["| confidence | predicted values | mean absolute error (0–1 scale) |", "|---|---|---|"]
    lines += [f"| {b['low']:.0%}–{b['high']:.0%} | {b['values']} | {b['mean_abs_error']:.3f} |" for b in bands]
    return "\n".join(lines)

