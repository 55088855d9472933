"""Over time: listening time per week or month; the play-weighted mean of each feature per month and how
much of it rests on predictions; each sound cluster's share of the plays per month.

The band of a feature's monthly mean is the same weighted mean with every predicted value moved to the
low, then the high end of its 90% interval (real values stay put): a shift that stays inside the band
may come from the predictions alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.config import FEATURES

FREQ = {"day": "D", "week": "W-SUN", "month": "M"}  # weeks run Monday to Sunday


def time_series(events: pd.DataFrame, every: str = "month") -> pd.DataFrame:
    """Listening hours and plays per day, week or month, the empty ones included (as 0); `start` is the
    first day of each (a week's Monday)."""
    if events.empty:
        return pd.DataFrame(columns=["start", "hours", "plays"])
    buckets = events["month"] if every == "month" else events["at"].dt.to_period(FREQ[every])
    grouped = events.groupby(buckets).agg(ms=("ms", "sum"), plays=("ms", "size"))
    grouped = grouped.reindex(pd.period_range(grouped.index.min(), grouped.index.max(), freq=grouped.index.freq),
                              fill_value=0)
    return pd.DataFrame({"start": grouped.index.start_time, "hours": grouped["ms"].to_numpy() / 3.6e6,
                         "plays": grouped["plays"].to_numpy().astype(int)})


def sound_step(events: pd.DataFrame, points: int = 3) -> str:
    """The coarsest of month, week and day that spans at least `points` of them from the first play to the
    last, so a month (or a fortnight) of plays draws a line rather than one dot; 'day' below that."""
    if events.empty:
        return "month"
    first, last = events["at"].min(), events["at"].max()
    for every in ("month", "week"):
        if (last.to_period(FREQ[every]) - first.to_period(FREQ[every])).n + 1 >= points:
            return every
    return "day"


def feature_trends(events: pd.DataFrame, tracks: pd.DataFrame, features=FEATURES, every: str = "month") -> pd.DataFrame:
    """Per month (or week, or day: `every`) and feature: mean (each play weighs 1), low and high (the band),
    predicted (share of the play weight on predicted values) and plays (those with a value). Long format;
    the first column, named `every`, holds '2024-03' for a month, else the first day: '2024-03-04' (a Monday)."""
    buckets = events["month"] if every == "month" else events["at"].dt.to_period(FREQ[every])
    counts = events.assign(bucket=buckets.to_numpy()).groupby(["bucket", "row"]).size()
    months = counts.index.get_level_values("bucket")
    rows = counts.index.get_level_values("row").to_numpy()
    weight = counts.to_numpy(dtype=float)
    parts = []
    for feature in features:
        if feature not in tracks:
            continue
        value = pd.to_numeric(tracks[feature], errors="coerce").to_numpy(dtype=float)[rows]
        confidence = _column(tracks, f"{feature}_confidence", 1.0)[rows]
        predicted = np.isfinite(value) & (confidence < 1.0)
        low = np.where(predicted, _column(tracks, f"{feature}_low", np.nan)[rows], value)
        high = np.where(predicted, _column(tracks, f"{feature}_high", np.nan)[rows], value)
        low, high = np.where(np.isfinite(low), low, value), np.where(np.isfinite(high), high, value)
        w = np.where(np.isfinite(value), weight, 0.0)
        frame = pd.DataFrame({"w": w, "wv": w * np.nan_to_num(value), "wlow": w * np.nan_to_num(low),
                              "whigh": w * np.nan_to_num(high), "wpred": w * predicted}, index=months)
        sums = frame.groupby(level=0).sum()
        total = sums["w"].replace(0, np.nan)
        label = sums.index.astype(str) if every == "month" else sums.index.start_time.strftime("%Y-%m-%d")
        parts.append(pd.DataFrame({every: label, "feature": feature,
                                   "mean": sums["wv"] / total, "low": sums["wlow"] / total,
                                   "high": sums["whigh"] / total, "predicted": sums["wpred"] / total,
                                   "plays": sums["w"].astype(int)}).reset_index(drop=True))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=[every, "feature", "mean", "low", "high", "predicted", "plays"])


def _column(tracks: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in tracks:
        return np.full(len(tracks), default)
    return pd.to_numeric(tracks[name], errors="coerce").to_numpy(dtype=float)


def cluster_shares(events: pd.DataFrame, clusters: pd.Series) -> pd.DataFrame:
    """Per month and cluster (named per track, in the library's row order): plays and share of the month's plays."""
    names = np.asarray(clusters, dtype=object)[events["row"].to_numpy()]
    grouped = events.assign(cluster=names).groupby(["month", "cluster"]).size().rename("plays").reset_index()
    grouped["share"] = grouped["plays"] / grouped.groupby("month")["plays"].transform("sum")
    grouped["month"] = grouped["month"].astype(str)
    return grouped
