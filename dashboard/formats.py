"""How every page shows numbers, tables and charts: one place, so a value reads the same everywhere.

- Tables: `table_config(columns)` pins title and artist, puts the features right after them, and gives
  one format per kind of value (0..1 features as whole percents, BPM as an integer, m:ss durations,
  confidence as a bar); `table_order(columns)` is the column order it expects.
- Charts: REAL_COLOR / PREDICTED_COLOR for real versus predicted, `hover(...)` for readable hover
  text, `legend_below(fig)` so a legend never sits under Plotly's toolbar.
"""

from __future__ import annotations

import re

import numpy as np

# --- durations --------------------------------------------------------------------------------------
_MMSS = re.compile(r"^\s*(\d{1,3})\s*:\s*([0-5]?\d)\s*$")


def mmss(ms) -> str:
    """120500 -> '2:01'; '' when unknown."""
    try:
        value = float(ms)
    except (TypeError, ValueError):
        return ""
    if not np.isfinite(value):
        return ""
    seconds = int(round(value / 1000))
    return f"{seconds // 60}:{seconds % 60:02d}"


def parse_mmss(text: str) -> float | None:
    """'4:17' -> 257000.0 ms; '' -> None (unknown). Anything else raises ValueError with what to type."""
    text = str(text or "").strip()
    if not text:
        return None
    found = _MMSS.match(text)
    if not found:
        raise ValueError(f"'{text}' is not a duration: type minutes and seconds, like 4:17.")
    return (int(found.group(1)) * 60 + int(found.group(2))) * 1000.0
