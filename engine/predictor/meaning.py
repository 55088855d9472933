"""What a confidence means, in words a listener can act on, read from the measured figures.

`python -m engine recalibrate` measures, on real libraries never calibrated on, how far the predicted
values in each confidence band were off on average (metrics.json → real_library_sets → real_libraries →
confidence_meaning). The pages say that, so a "confidence 80%" is never a bare number.
"""

from __future__ import annotations

import json

from engine.config import models_dir


def confidence_bands() -> list[dict]:
    path = models_dir() / "audio_predictor" / "metrics.json"
    if not path.exists():
        return []
    sets = json.loads(path.read_text()).get("real_library_sets", {})
    return sets.get("real_libraries", {}).get("confidence_meaning", [])


def typical_error(confidence: float, bands: list[dict] | None = None) -> float | None:
    """Mean absolute error (0..1 scale) of predicted values in the band holding `confidence`, or None."""
    bands = confidence_bands() if bands is None else bands
    for band in bands:
        if band["low"] <= confidence < band["high"] or (band is bands[-1] and confidence >= band["low"]):
            return float(band["mean_abs_error"])
    return None


def confidence_sentence(*levels: float) -> str:
    """'On real libraries, predicted values with 80% confidence were off by about 6 points (of 100) on average,
    …' for each level that has a measured band; empty when nothing was measured."""
    bands = confidence_bands()
    parts = [(level, typical_error(level, bands)) for level in levels]
    parts = [f"{level:.0%} confidence were off by about {100 * error:.0f} points" for level, error in parts if error is not None]
    if not parts:
        return ""
    return ("On real libraries, predicted values with " + ", those with ".join(parts)
            + " (on the 0–100% scale) on average.")
