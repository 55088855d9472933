"""Plays joined to the library's tracks, in the listener's wall-clock time: what every table starts from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.listening.periods import time_zone

SHORT_PLAY_MS = 30_000  # Spotify counts a stream from 30 s on; shorter plays count as skips where none is recorded


def play_events(plays: pd.DataFrame, tracks: pd.DataFrame, tz: str = "UTC") -> pd.DataFrame:
    """One row per play: `at` (local, naive), `month` (Period), `row` (position in `tracks`), `ms`, `skipped`
    (the file's flag, else NaN). Plays of a track the library no longer holds are left out."""
    position = pd.Series(np.arange(len(tracks)), index=tracks["key"].to_numpy())
    rows = position.reindex(plays["key"].to_numpy()).to_numpy()
    known = ~np.isnan(rows)
    at = plays["played_at"].dt.tz_convert(time_zone(tz)).dt.tz_localize(None)
    events = pd.DataFrame({"at": at.to_numpy(), "row": rows, "ms": plays["ms_played"].to_numpy(),
                           "skipped": plays["skipped"].to_numpy(dtype=float)})[known].reset_index(drop=True)
    events["row"] = events["row"].astype(np.int64)
    events["month"] = events["at"].dt.to_period("M")
    return events


def per_track(events: pd.DataFrame, tracks: pd.DataFrame) -> pd.DataFrame:
    """Plays and milliseconds per track played, with the track's title, artists, album and genres."""
    grouped = events.groupby("row", sort=False).agg(plays=("ms", "size"), ms=("ms", "sum"), first=("at", "min"))
    meta = tracks.iloc[grouped.index.to_numpy()]
    out = grouped.reset_index(drop=True)
    for column in ("key", "title", "artists", "album", "genres"):
        out[column] = meta[column].fillna("").astype(str).to_numpy() if column in meta else ""
    return out


def explode_names(frame: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    """One row per ';'-separated name in `column` (artists, genres), named `name`; rows without one drop out."""
    names = frame[column].fillna("").astype(str).str.split(";").explode().str.strip()
    out = frame.loc[names.index].assign(**{name: names.to_numpy()})
    return out[out[name] != ""].reset_index(drop=True)


def first_name(text: pd.Series) -> pd.Series:
    """'A; B' -> 'A': the primary artist."""
    return text.fillna("").astype(str).str.split(";").str[0].str.strip()
