"""Totals and tops for a period: listening time, plays, tracks and artists; top tracks, artists,
albums and genres by time and by plays; artists played for the first time, per month.

An artist or a genre gets the whole play of each track it is credited on (a duet counts for both).
"""

from __future__ import annotations

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
    by_artist, by_genre = explode_names(played, "artists", "artist"), explode_names(played, "genres", "genre")
    return {"tracks": played[["title", "artists", "album", "plays", "ms"]],
            "artists": by_artist.groupby("artist", as_index=False)[["plays", "ms"]].sum(),
            "albums": albums.groupby(["album", "artist"], as_index=False)[["plays", "ms"]].sum(),
            "genres": by_genre.groupby("genre", as_index=False)[["plays", "ms"]].sum()}


def tops(table: pd.DataFrame, by: str = "time", n: int = TOP) -> pd.DataFrame:
    """The top `n` rows of one of credited()'s tables by listening time or plays: columns rank, the
    names, plays, hours, share (of the period's time or plays; an artist's share counts their duets)."""
    names = [c for c in table.columns if c not in ("plays", "ms")]
    whole = float(table["ms"].sum()) if by == "time" else float(table["plays"].sum())
    sort = ["ms", "plays"] if by == "time" else ["plays", "ms"]
    table = table.sort_values(sort + names, ascending=[False, False] + [True] * len(names), kind="stable").head(n)
    out = table[names].reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    out["plays"] = table["plays"].to_numpy().astype(int)
    out["hours"] = table["ms"].to_numpy() / 3.6e6
    out["share"] = (table["ms" if by == "time" else "plays"].to_numpy() / whole) if whole else 0.0
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
