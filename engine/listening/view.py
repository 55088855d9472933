"""Everything the Listening page and `python -m engine listening` show, for one period and time zone."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.listening.events import per_track, play_events
from engine.listening.habits import hour_by_weekday, skip_rate
from engine.listening.podcasts import episode_events, podcast_summary
from engine.listening.periods import LAST_12, available_periods, in_period, parse_period, period_label
from engine.listening.stats import credited, new_artists, tops, totals
from engine.listening.trends import cluster_shares, feature_trends, sound_step, time_series


@dataclass
class ListeningView:
    period: str
    label: str  # 'the last 12 months of your history (2020-10 to 2021-09)'
    tz: str
    totals: dict
    tops: dict = field(default_factory=dict)  # (what, by) -> table, e.g. ("artists", "time")
    new_artists: pd.DataFrame | None = None
    daily: pd.DataFrame | None = None
    weekly: pd.DataFrame | None = None
    monthly: pd.DataFrame | None = None
    features: pd.DataFrame | None = None  # how it sounded, per `features_every` (trends.sound_step)
    features_every: str = "month"
    clusters: pd.DataFrame | None = None
    heatmap: pd.DataFrame | None = None
    skips: dict = field(default_factory=dict)
    periods: list = field(default_factory=list)  # what a selector offers (engine.listening.periods.available_periods)
    podcasts: dict = field(default_factory=dict)  # hours, plays, shows, episodes of podcasts, apart from the music
    shows: pd.DataFrame | None = None  # the top podcast shows by listening time

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by a file-friendly name (what the CLI writes)."""
        summary = {**self.totals, **{f"skip_{k}": v for k, v in self.skips.items()},
                   "period": self.label, "time_zone": self.tz}
        out = {"totals": pd.DataFrame([summary])}
        if self.podcasts.get("plays"):
            out["podcast_totals"] = pd.DataFrame([self.podcasts])
            out["top_podcast_shows"] = self.shows
        out.update({f"top_{what}_by_{by}": table for (what, by), table in self.tops.items()})
        out[f"features_per_{self.features_every}"] = self.features
        out.update(new_artists=self.new_artists, listening_per_day=self.daily, listening_per_week=self.weekly,
                   listening_per_month=self.monthly,
                   clusters_per_month=self.clusters,
                   hour_by_weekday=self.heatmap.rename_axis("weekday").reset_index())
        return out


def listening_view(plays: pd.DataFrame, tracks: pd.DataFrame, clusters: pd.Series | None = None,
                   period: str = LAST_12, tz: str = "UTC", episodes: pd.DataFrame | None = None) -> ListeningView:
    """`plays`: Store.plays() (music); `tracks`: the library frame (enriched for the feature trends); `clusters`:
    each track's cluster name, in `tracks`' row order (None: no cluster table); `episodes`: Store.episodes(),
    the podcast plays, summed apart (engine.listening.podcasts)."""
    period = parse_period(period)
    events = play_events(plays, tracks, tz)
    heard = episode_events(episodes, tz)
    months = pd.concat([events["month"], heard["month"]], ignore_index=True)
    keep = in_period(events["month"], period, months)
    label = period_label(period, months)
    podcasts, shows = podcast_summary(heard[in_period(heard["month"], period, months)])
    shown = events[keep]
    played = per_track(shown, tracks)
    tables = credited(played)
    whole = {"time": float(shown["ms"].sum()), "plays": float(len(shown))}  # genres: shares of all the period's music
    every = sound_step(shown)
    return ListeningView(
        period=period, label=label, tz=tz,
        totals={**totals(shown, tables["artists"]), "genre_hours": float(tables["genres"]["ms"].sum() / 3.6e6)},
        tops={(what, by): tops(table, by, whole=whole[by] if what == "genres" else None)
              for what, table in tables.items() for by in ("time", "plays")},
        new_artists=new_artists(events, tracks, shown["month"].unique()),
        daily=time_series(shown, "day"), weekly=time_series(shown, "week"), monthly=time_series(shown, "month"),
        features=feature_trends(shown, tracks, every=every), features_every=every,
        clusters=cluster_shares(shown, clusters) if clusters is not None else pd.DataFrame(
            columns=["month", "cluster", "plays", "share"]),
        heatmap=hour_by_weekday(shown), skips=skip_rate(shown), periods=available_periods(months),
        podcasts=podcasts, shows=shows)


def played_keys(plays: pd.DataFrame, tracks: pd.DataFrame, period: str = LAST_12, tz: str = "UTC",
                clusters: pd.Series | None = None, cluster: str | None = None) -> list[str]:
    """The keys of the tracks played in the period (and in `cluster`, if given), most played first:
    what the Map, the track table and Recommendations take from the Listening page."""
    events = play_events(plays, tracks, tz)
    events = events[in_period(events["month"], parse_period(period))]
    if cluster is not None and clusters is not None:
        events = events[np.asarray(clusters, dtype=object)[events["row"].to_numpy()] == cluster]
    order = events.groupby("row")["ms"].sum().sort_values(ascending=False, kind="stable").index.to_numpy()
    return tracks["key"].iloc[order].astype(str).tolist()
