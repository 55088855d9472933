"""Habits: when you listen (hour of day × day of week, local time) and how often you skip."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.listening.events import SHORT_PLAY_MS

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def hour_by_weekday(events: pd.DataFrame) -> pd.DataFrame:
    """Hours listened per weekday (rows, Monday first) and hour of day (columns 0–23), in the events' time zone."""
    at = events["at"]
    grid = np.zeros((7, 24))
    np.add.at(grid, (at.dt.day_of_week.to_numpy(), at.dt.hour.to_numpy()), events["ms"].to_numpy() / 3.6e6)
    return pd.DataFrame(grid, index=WEEKDAYS, columns=range(24))


def skip_rate(events: pd.DataFrame) -> dict:
    """Share of plays skipped: Spotify's own flag where the file records it (extended history), else plays
    under 30 s. `recorded` and `short` say how many plays each rule judged."""
    flag = events["skipped"].to_numpy(dtype=float)
    recorded = np.isfinite(flag)
    skipped = np.where(recorded, flag > 0, events["ms"].to_numpy() < SHORT_PLAY_MS)
    n = len(events)
    return {"rate": float(skipped.mean()) if n else float("nan"), "skipped": int(skipped.sum()), "plays": n,
            "recorded": int(recorded.sum()), "short": int(n - recorded.sum())}
