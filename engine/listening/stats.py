"""Totals and tops for a period: listening time, plays, tracks and artists; top tracks, artists,
albums and genres by time and by plays; artists played for the first time, per month.

An artist gets the whole play of each track it is credited on (a duet counts for both). A genre gets an
equal part of each play of a track tagged with it (a play of a track tagged pop and dance pop is half an
hour's worth of each per hour), so the genres' hours add up to the time of the tracks with a genre and
their shares, of the period's whole listening time, to at most 100%.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.listening.events import explode_names, first_name, per_track

TOP = 50


def totals(events: pd.DataFrame, artists: pd.DataFrame) -> dict:
    """`artists`: credited(...)["artists"]."""
    return {"plays": int(len(events)), "hours": float(events["ms"].sum() / 3.6e6),
            "tracks": int(events["row"].nunique()), "artists": int(len(artists)),
            "first": events["at"].min(), "last": events["at"].max()}


def credited(played: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Plays and ms per track, artist, album and genre, from per_track(events, tracks): the tables every
    ranking sorts (names split once, whichever order they are ranked in)."""
    albums = played.assign(artist=first_name(played["artists"]))[played["album"] != ""]
    by_artist = explode_names(played, "artists", "artist")
    return {"tracks": played[["title", "artists", "album", "plays", "ms"]],
            "artists": by_artist.groupby("artist", as_index=False)[["plays", "ms"]].sum(),
            "albums": albums.groupby(["album", "artist"], as_index=False)[["plays", "ms"]].sum(),
            "genres": split_genres(played)}


def split_genres(played: pd.DataFrame) -> pd.DataFrame:
    """Per genre: `plays` (plays of tracks tagged with it, whole), `ms` and `parts` (each track's time and plays
    split equally among its distinct genres), so `ms` sums to the time of the tracks that have a genre."""
    tagged = explode_names(played.assign(track=np.arange(len(played))), "genres", "genre")
    tagged = tagged.drop_duplicates(["track", "genre"])
    if tagged.empty:
        return pd.DataFrame({"genre": pd.Series(dtype=str), "plays": pd.Series(dtype="int64"),
                             "ms": pd.Series(dtype=float), "parts": pd.Series(dtype=float)})
    each = tagged.groupby("track")["genre"].transform("size").to_numpy(dtype=float)
    tagged = tagged.assign(ms=tagged["ms"].to_numpy() / each, parts=tagged["plays"].to_numpy() / each)
    return tagged.groupby("genre", as_index=False)[["plays", "ms", "parts"]].sum()


def tops(table: pd.DataFrame, by: str = "time", n: int = TOP, whole: float | None = None) -> pd.DataFrame:
    """The top `n` rows of one of credited()'s tables by listening time or plays: columns rank, the
    names, plays, hours, share (of `whole`, the period's ms or plays; default the table's own sum, where an
    artist's share counts their duets). A table with `parts` (genres) ranks and shares plays by those."""
    names = [c for c in table.columns if c not in ("plays", "ms", "parts")]
    counted = "parts" if "parts" in table else "plays"
    if whole is None:
        whole = float(table["ms"].sum()) if by == "time" else float(table[counted].sum())
    sort = ["ms", counted] if by == "time" else [counted, "ms"]
    table = table.sort_values(sort + names, ascending=[False, False] + [True] * len(names), kind="stable").head(n)
    out = table[names].reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    out["plays"] = table["plays"].to_numpy().astype(int)
    out["hours"] = table["ms"].to_numpy() / 3.6e6
    out["share"] = (table["ms" if by == "time" else counted].to_numpy() / whole) if whole else 0.0
    return out


def new_artists(events: pd.DataFrame, tracks: pd.DataFrame, months: pd.Series | None = None) -> pd.DataFrame:
    """Per month: how many artists were first played then (over the whole history given), and the first
    few of them by time played that month. `months` limits the rows shown."""
    played = per_track(events, tracks)
    credits = explode_names(played, "artists", "artist")
    first = credits.groupby("artist")["first"].min().dt.to_period("M")
    time = credits.groupby("artist")["ms"].sum()
    found = pd.DataFrame({"month": first, "ms": time.reindex(first.index)}).reset_index()
    if months is not None:
        found = found[found["month"].isin(set(months))]
    found = found.sort_values(["month", "ms"], ascending=[True, False])
    out = found.groupby("month").agg(new_artists=("artist", "size"),
                                     examples=("artist", lambda a: ", ".join(a.head(5)))).reset_index()
    out["month"] = out["month"].astype(str)
    return out
