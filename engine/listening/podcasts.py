"""Podcasts on the Listening page: their own total and top shows, never mixed into the music's numbers.

Episodes are stored apart from tracks (engine.library.podcasts), so every music table, trend and habit
leaves them out by construction; this module is the only place that sums them.
"""

from __future__ import annotations

import pandas as pd

from engine.listening.periods import time_zone

TOP_SHOWS = 20
SHOW_COLUMNS = ["rank", "show", "episodes", "plays", "hours", "share"]


def episode_events(episodes: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """Store.episodes() in the listener's wall-clock time: at (local, naive), month, show, episode, ms."""
    if episodes is None or episodes.empty:
        return pd.DataFrame({"at": pd.Series(dtype="datetime64[ns]"), "month": pd.Series(dtype="period[M]"),
                             "show": pd.Series(dtype=str), "episode": pd.Series(dtype=str), "ms": pd.Series(dtype="int64")})
    at = episodes["played_at"].dt.tz_convert(time_zone(tz)).dt.tz_localize(None)
    return pd.DataFrame({"at": at.to_numpy(), "month": at.dt.to_period("M").to_numpy(),
                         "show": episodes["show"].astype(str).to_numpy(),
                         "episode": episodes["episode"].astype(str).to_numpy(),
                         "ms": episodes["ms_played"].to_numpy()})


def podcast_summary(shown: pd.DataFrame) -> tuple[dict, pd.DataFrame]:
    """(totals: hours, plays, shows, episodes; the top shows by listening time) of a period's episode events."""
    totals = {"hours": float(shown["ms"].sum() / 3.6e6), "plays": int(len(shown)),
              "shows": int(shown["show"].nunique()), "episodes": int(shown.groupby(["show", "episode"]).ngroups)}
    if shown.empty:
        return totals, pd.DataFrame(columns=SHOW_COLUMNS)
    per = shown.groupby("show").agg(episodes=("episode", "nunique"), plays=("ms", "size"), ms=("ms", "sum"))
    per = per.reset_index().sort_values(["ms", "plays", "show"], ascending=[False, False, True], kind="stable")
    per = per.head(TOP_SHOWS).reset_index(drop=True)
    whole = float(shown["ms"].sum())
    per.insert(0, "rank", range(1, len(per) + 1))
    per["hours"] = per["ms"] / 3.6e6
    per["share"] = per["ms"] / whole if whole else 0.0
    return totals, per[SHOW_COLUMNS]
