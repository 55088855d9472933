"""Cross-fitted 90% coverage, width and confidence ranking on real-library-like sets; the predictor split by source.

Each calibration set is scored by an Uncertainty fitted with its own fold group left out, so no row is both
calibrated on and reported. Per set: rows, mean skill over the 7 bounded features, and per feature the 90%
coverage, the mean width and Spearman(confidence, -|error|), for all rows and for the predicted rows alone
(those the catalog does not know). Then the real libraries never calibrated on, served and catalog-off
(judge). Run by: python -m engine recalibrate
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from engine.config import BOUNDED_FEATURES, FEATURES, TEMPO_SCALE
from engine.metrics import regression
from engine.predictor.fit import real_units
from engine.predictor.recalibration.build import HELD_OUT_ARTISTS, CalibrationRows
from engine.predictor.uncertainty import UPPER, Uncertainty


def fit_uncertainty(rows: CalibrationRows, train_mean: np.ndarray) -> Uncertainty:
    return Uncertainty().fit(rows.mean, rows.spread, rows.inputs, rows.target, train_mean, rows.set_name)


def served(uncertainty: Uncertainty, rows: CalibrationRows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(low, high, confidence), each (N, 8), on the training scale as the predictor serves them."""
    low, high = uncertainty.interval(rows.mean, rows.spread, rows.inputs)
    return low, high, uncertainty.confidence(uncertainty.expected_error(rows.mean, rows.spread, rows.inputs), rows.inputs)


def crossfit_groups(folds: np.ndarray) -> np.ndarray:
    """Three groups of folds: each half of the held-out artists, and every unseen table together (the
    tables are then scored by a model that saw none of them: the shift a real library brings)."""
    return np.where(np.char.startswith(folds.astype(str), HELD_OUT_ARTISTS), folds.astype(str), "unseen tables")


def crossfit(rows: CalibrationRows, train_mean: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each fold group's (low, high, confidence) from an Uncertainty that never saw that group."""
    low, high, confidence = (np.zeros_like(rows.mean) for _ in range(3))
    groups = crossfit_groups(rows.fold)
    for group in np.unique(groups):
        inside = groups == group
        uncertainty = fit_uncertainty(rows.take(np.flatnonzero(~inside)), train_mean)
        low[inside], high[inside], confidence[inside] = served(uncertainty, rows.take(np.flatnonzero(inside)))
    return low, high, confidence


RELIABILITY_BINS = 5


def reliability(rows: CalibrationRows, low: np.ndarray, high: np.ndarray, confidence: np.ndarray) -> dict:
    """Per feature, the predicted rows in RELIABILITY_BINS equal-count bins of cross-fitted confidence: does a
    higher confidence mean a smaller error, and does the 90% interval hold at every confidence?"""
    out = {}
    for j, feature in enumerate(FEATURES):
        ok = rows.predicted & np.isfinite(rows.target[:, j])
        conf, target = confidence[ok, j], rows.target[ok, j]
        error = np.abs(np.clip(rows.mean[ok, j], 0.0, UPPER[j]) - target) * (TEMPO_SCALE if feature == "tempo" else 1)
        inside = (target >= low[ok, j] - 1e-9) & (target <= high[ok, j] + 1e-9)
        order = np.argsort(conf, kind="stable")
        out[feature] = [{"bin": b + 1, "n": int(len(idx)), "confidence": float(conf[idx].mean()),
                         "coverage_90": float(inside[idx].mean()), "mean_abs_error": float(error[idx].mean())}
                        for b, idx in enumerate(np.array_split(order, RELIABILITY_BINS)) if len(idx)]
    return out


def coverage(target: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, float]:
    out = {}
    for j, feature in enumerate(FEATURES):
        ok = np.isfinite(target[:, j])
        if ok.sum() >= 3:
            out[feature] = float(((target[ok, j] >= low[ok, j] - 1e-9) & (target[ok, j] <= high[ok, j] + 1e-9)).mean())
    return out


def width(target: np.ndarray, low: np.ndarray, high: np.ndarray) -> dict[str, float]:
    """Mean width of the 90% interval per feature (training scale: tempo in units of 200 BPM)."""
    return {f: float(np.mean(high[np.isfinite(target[:, j]), j] - low[np.isfinite(target[:, j]), j]))
            for j, f in enumerate(FEATURES) if np.isfinite(target[:, j]).sum() >= 3}


def ranking(target: np.ndarray, mean: np.ndarray, confidence: np.ndarray) -> dict[str, float | None]:
    """Spearman(confidence, -|error|) per bounded feature: does a higher confidence mean a smaller error?"""
    out = {}
    for j, feature in enumerate(BOUNDED_FEATURES):
        ok = np.isfinite(target[:, j])
        error = np.abs(target[ok, j] - np.clip(mean[ok, j], 0.0, UPPER[j]))
        rho = stats.spearmanr(confidence[ok, j], -error).statistic if ok.sum() >= 10 else np.nan
        out[feature] = None if not np.isfinite(rho) else float(rho)  # constant confidence or error: undefined
    return out


def report(rows: CalibrationRows, low: np.ndarray, high: np.ndarray, confidence: np.ndarray, train_mean: np.ndarray) -> dict:
    """Per set: all rows and the predicted rows alone (those the catalog does not know)."""
    mean = real_units(train_mean[None, :])[0]
    out = {}
    members = {name: rows.set_name == name for name in dict.fromkeys(rows.set_name)}
    exportify = np.char.startswith(rows.set_name.astype(str), "exportify: ")
    if exportify.any():
        members["exportify: all owners"] = exportify
    for name, inside in members.items():
        entry = {}
        for part, chosen in (("all rows", inside), ("predicted rows", inside & rows.predicted)):
            y, pred = real_units(rows.target[chosen]), real_units(np.clip(rows.mean[chosen], 0.0, UPPER))
            scores = regression(y, pred, mean) if chosen.sum() >= 3 else {}
            entry[part] = {"n": int(chosen.sum()), "mean_skill_bounded": scores.get("mean_skill_bounded"),
                           "coverage_90": coverage(rows.target[chosen], low[chosen], high[chosen]),
                           "mean_width_90": width(rows.target[chosen], low[chosen], high[chosen]),
                           "spearman_confidence": ranking(rows.target[chosen], rows.mean[chosen], confidence[chosen])}
        out[name] = entry
    return out


KNOWN_SHARE = 1 / 6  # about the share of a real liked-songs library whose values are known (issue 13)


def library_widened(rows: CalibrationRows, low: np.ndarray, high: np.ndarray, known: np.ndarray,
                    rest: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(factors, low, high of `rest`): `rest` served as one library with engine.predictor.library_intervals,
    its widening read from up to MAX_CHECKED of the `known` rows (positions), in served units as served."""
    from engine.predictor.library_intervals import checked_rows, widen, widening_factors

    scale = real_units(np.ones((1, len(FEATURES))))[0]
    mean, low, high = np.clip(rows.mean, 0.0, UPPER) * scale, low * scale, high * scale
    checked = known[checked_rows(np.ones(len(known), bool))]
    factors = widening_factors(rows.target[checked] * scale, _intervals(mean, low, high, checked))
    widened = widen(_intervals(mean, low, high, rest), factors, np.arange(len(rest)), dict(zip(FEATURES, UPPER * scale)))
    return (factors, widened[[f"{f}_low" for f in FEATURES]].to_numpy() / scale,
            widened[[f"{f}_high" for f in FEATURES]].to_numpy() / scale)


def library_adapted(rows: CalibrationRows, low: np.ndarray, high: np.ndarray, seed: int = 0) -> dict:
    """Each set as one library served with engine.predictor.library_intervals: its known tracks (a fixed
    random sixth: every row of a calibration set is predicted) set the widening, and coverage is read on
    the others only, before and after."""
    rng = np.random.default_rng(seed)
    out = {}
    for name in dict.fromkeys(rows.set_name):
        inside = np.flatnonzero(rows.set_name == name)
        known = np.sort(rng.choice(inside, size=max(1, int(round(KNOWN_SHARE * len(inside)))), replace=False))
        rest = np.setdiff1d(inside, known)
        factors, new_low, new_high = library_widened(rows, low, high, known, rest)
        out[str(name)] = {"known": int(len(known)), "others": int(len(rest)),
                          "factors": dict(zip(FEATURES, map(float, factors))),
                          "coverage_90_before": coverage(rows.target[rest], low[rest], high[rest]),
                          "coverage_90_after": coverage(rows.target[rest], new_low, new_high)}
    return out


def _intervals(mean: np.ndarray, low: np.ndarray, high: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    """The chosen rows as the served frame's FEATURES, <f>_low and <f>_high columns."""
    return pd.DataFrame({**{f: mean[rows, j] for j, f in enumerate(FEATURES)},
                         **{f"{f}_low": low[rows, j] for j, f in enumerate(FEATURES)},
                         **{f"{f}_high": high[rows, j] for j, f in enumerate(FEATURES)}})


def adapted_markdown(result: dict) -> str:
    names = [f[:6] for f in FEATURES]
    lines = ["| set (as one library) | known / others | " + " | ".join(names) + " |", "|---|---|" + "---|" * len(FEATURES)]
    for name, entry in result.items():
        before, after = entry["coverage_90_before"], entry["coverage_90_after"]
        cells = [(f"{before[f]:.2f} → {after[f]:.2f}" if abs(after[f] - before[f]) > 5e-3 else f"{after[f]:.2f}")
                 if f in after else "–" for f in FEATURES]
        lines.append(f"| {name} | {entry['known']} / {entry['others']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(result: dict) -> str:
    names = [f[:6] for f in FEATURES]
    lines = ["| set | rows (predicted) | mean skill: all / predicted | " + " | ".join(names) + " |",
             "|---|---|---|" + "---|" * len(FEATURES), "| (each cell: coverage / mean width / Spearman) |"]
    for name, entry in result.items():
        every, predicted = entry["all rows"], entry["predicted rows"]
        skills = " / ".join("–" if s is None else f"{s:.3f}" for s in (every["mean_skill_bounded"], predicted["mean_skill_bounded"]))
        rho = every["spearman_confidence"]
        cells = [(f"{every['coverage_90'][f]:.2f} / {every['mean_width_90'][f]:.2f}"
                  + (f" / {rho[f]:.2f}" if rho.get(f) is not None else "")) if f in every["coverage_90"] else "–"
                 for f in FEATURES]
        lines.append(f"| {name} | {every['n']} ({predicted['n']}) | {skills} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# --- real libraries never calibrated on (issue 22) ---------------------------------------------
# Each Exportify owner and each liked-songs library, features stripped and predicted, in two modes:
# served (catalog on; the predicted rows scored, their intervals widened by the library's catalog-known
# rows) and catalog off (every row predicted, nothing to widen from). Per feature: coverage, mean width,
# Spearman(confidence, -|error|); and what a confidence means (mean error per confidence band).

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


def real_markdown(result: dict) -> str:
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

