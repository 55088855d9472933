"""Totals and tops for a period: listening time, plays, tracks and artists; top tracks, artists,
albums and genres by time and by plays; artists played for the first time, per month.

An artist or a genre gets the whole play of each track it is credited on (a duet counts for both).
"""

from __future__ import annotations

import pandas as pd

from engine.listening.events import per_track, split_names

TOP = 50
WHAT = ("tracks", "artists", "albums", "genres")


def totals(events: pd.DataFrame, played: pd.DataFrame) -> dict:
    """`played`: per_track(events, tracks)."""
    artists = split_names(played["artists"]).explode().dropna()
    return {"plays": int(len(events)), "hours": float(events["ms"].sum() / 3.6e6),
            "tracks": int(len(played)), "artists": int(artists.nunique()),
            "first": events["at"].min(), "last": events["at"].max()}


def tops(played: pd.DataFrame, what: str, by: str = "time", n: int = TOP) -> pd.DataFrame:
    """The top `n` of `what` ('tracks', 'artists', 'albums', 'genres') by listening time or plays, from
    per_track(events, tracks): columns rank, the names, plays, hours, share (of the period's time or plays)."""
    whole = float(played["ms"].sum()) if by == "time" else float(played["plays"].sum())
    if what == "tracks":
        table, names = played, ["title", "artists", "album"]
    elif what == "albums":
        played = played[played["album"] != ""].assign(artist=split_names(played["artists"]).str[0])
        table, names = played.groupby(["album", "artist"], as_index=False)[["plays", "ms"]].sum(), ["album", "artist"]
    elif what in ("artists", "genres"):
        column = "artists" if what == "artists" else "genres"
        name = what[:-1]
        exploded = played.assign(**{name: split_names(played[column])}).explode(name).dropna(subset=[name])
        table, names = exploded.groupby(name, as_index=False)[["plays", "ms"]].sum(), [name]
    else:
        raise ValueError(f"what: one of {WHAT}")
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
    credits = played.assign(artist=split_names(played["artists"])).explode("artist").dropna(subset=["artist"])
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
