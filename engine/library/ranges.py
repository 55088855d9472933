"""Range checks on imported values: what cannot be real is left out and counted, never stored.

    frame, dropped = within_ranges(frame)        # dropped: {'tempo': 1, 'energy': 2}
    dropped_note("Liked.csv", dropped)           # one line for the import report

Bounded features 0–1, tempo 0–300 BPM, duration 1 s–6 h (engine.config). A non-numeric or
non-finite value counts as out of range; an empty cell is simply absent and counts nothing. Spotify's
placeholders for a track it never analysed (tempo 0; energy, valence and danceability all 0) count as
out of range too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.config import DURATION_RANGE_MS, FEATURE_RANGES
from engine.schema import placeholder_values

RANGES = {**FEATURE_RANGES, "duration_ms": DURATION_RANGE_MS}
_LIMITS = {"tempo": "0–300 BPM", "duration_ms": "1 s–6 h"}


def within_ranges(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """A copy with every checked column numeric and out-of-range values blanked (NaN); the count
    blanked per column (only columns with any)."""
    out, dropped = frame.copy(), {}
    for column, (low, high) in RANGES.items():
        if column not in out:
            continue
        raw = out[column]
        values = pd.to_numeric(raw, errors="coerce").astype(float)
        present = raw.notna() & (raw.astype(str).str.strip() != "")
        with np.errstate(invalid="ignore"):
            bad = present & ~((values >= low) & (values <= high))
        out[column] = values.where(~bad)
        if bad.any():
            dropped[column] = int(bad.sum())
    _blank_placeholders(out, dropped)
    return out, dropped


def _blank_placeholders(out: pd.DataFrame, dropped: dict[str, int]) -> None:
    """Spotify's placeholders for a track it never analysed (engine.schema.placeholder_values) become unknown."""
    features = [c for c in FEATURE_RANGES if c in out]
    placeholders = placeholder_values(out[features]) & out[features].notna()
    for column in features:
        if placeholders[column].any():
            dropped[column] = dropped.get(column, 0) + int(placeholders[column].sum())
            out.loc[placeholders[column], column] = np.nan


def dropped_note(name: str, dropped: dict[str, int]) -> str:
    """'Liked.csv: left out 3 values that cannot be real (tempo in 1 row, energy in 2 rows); ...'"""
    if not dropped:
        return ""
    parts = ", ".join(f"{column} in {n} row{'s' if n != 1 else ''}" for column, n in dropped.items())
    limits = "; ".join(f"{c} {_LIMITS.get(c, '0–1')}" for c in dropped)
    return (f"{name}: left out {sum(dropped.values())} values that cannot be real ({parts}; allowed: {limits}). "
            "They count as unknown, so features are predicted.")
