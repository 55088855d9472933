"""Podcast episodes in a streaming history, kept apart from music (issue 29, item 1).

Extended histories mark an episode (`spotify_episode_uri`, `episode_show_name`) and 2023+ account exports put
episodes in their own `StreamingHistory_podcast_N.json` (`podcastName`, `episodeName`): those are certain.
Account exports before 2023 mix episodes into `StreamingHistoryN.json` with the show as `artistName` and
the episode as `trackName`, nothing else. There the rule below decides, per "artist" (a show's episodes
all carry its name), from what a listener's own file and library show:

- a show the person follows (YourLibrary.json's `shows`) is a podcast;
- an artist the reference catalog knows is music (no show of the shared extended history is one);
- otherwise the artist's plays are scored: a name like a show's ("… Podcast", "… with Jane Doe", "Daily"),
  long plays (a song rarely runs 15 minutes), episode-like titles (numbered, long, a question, "Introducing"),
  and the artist counts as a show when the score reaches SHOW_SCORE.

Its precision and recall on real histories are measured by `bench/podcast_rule.py` (docs/podcasts.md).
Episodes never become tracks: no features, clusters, map points or recommendations come from them.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from engine.library.importers.base import EPISODE_COLUMNS, Parsed
from engine.textnorm import artist_key

LONG_PLAY_MS = 15 * 60_000
SHOW_SCORE = 4

_SHOW_NAME = re.compile(r"\b(?:podcasts?|pod|radio|daily|news|episodes?|talks?|show\b(?!\s+\w+$)|clips)\b|"
                        r"\swith\s+\w+|\bexperience$", re.I)
_EPISODE_TITLE = re.compile(r"(?:#\s?\d+|\bep(?:isode)?\.?\s*#?\d+|\bE\d{1,4}\b|\bS\d+\s?E\d+|^\d{1,4}[.:]\s|"
                            r"\bintroducing\b|\btrailer\b|\bepisod(?:e|io)\b|\[video\]|\?\s*$)", re.I)


def empty_episodes() -> pd.DataFrame:
    return pd.DataFrame(columns=EPISODE_COLUMNS)


def _episode_like(titles: pd.Series) -> pd.Series:
    """A title that reads like an episode: numbered, a question, an intro or trailer, or seven words and more."""
    text = titles.fillna("").astype(str)
    return text.str.contains(_EPISODE_TITLE) | (text.str.split().str.len() >= 7)


def show_scores(plays: pd.DataFrame) -> pd.DataFrame:
    """Per artist name of `plays` (artists, title, ms_played): the evidence and its score."""
    frame = pd.DataFrame({"artist": plays["artists"].astype(str), "ms": pd.to_numeric(plays["ms_played"]).fillna(0),
                          "episode_like": _episode_like(plays["title"]).to_numpy()})
    frame["long"] = frame["ms"] >= LONG_PLAY_MS
    per = frame.groupby("artist").agg(plays=("ms", "size"), ms=("ms", "sum"), long=("long", "mean"),
                                      median_ms=("ms", "median"), episode_like=("episode_like", "mean"))
    names = per.index.to_series()
    per["show_name"] = names.str.contains(_SHOW_NAME).to_numpy()
    per["score"] = (2 * per["show_name"] + 2 * (per["long"] >= 0.3) + (per["median_ms"] >= 10 * 60_000)
                    + 2 * (per["episode_like"] >= 0.5))
    return per


@lru_cache(maxsize=1)
def catalog_artists() -> frozenset[str]:
    """Normalized names of every artist the shipped catalog holds (its artist table and its tracks' credits)."""
    from engine.catalog import artifact  # read once, when an old-format history first needs it

    names = set(artifact.artists()["artist"].astype(str))
    for credits in artifact.tracks()["artists"].astype(str):
        names.update(credits.split(";"))
    return frozenset(artist_key(n) for n in names if n.strip())


def podcast_shows(plays: pd.DataFrame, followed: set[str] = frozenset(), known=None) -> set[str]:
    """The artist names of mixed-format `plays` that are podcast shows (see the module's rule). `known`:
    normalized artist names that are music (default: the catalog's)."""
    if plays.empty:
        return set()
    known = catalog_artists() if known is None else known
    per = show_scores(plays)
    followed_keys = {artist_key(s) for s in followed}
    keys = per.index.map(artist_key)
    is_show = keys.isin(followed_keys) | (~keys.isin(known) & (per["score"] >= SHOW_SCORE).to_numpy())
    return set(per.index[is_show])


def as_episodes(plays: pd.DataFrame) -> pd.DataFrame:
    """Music-shaped play rows of shows as episode rows."""
    return pd.DataFrame({"show": plays["artists"].to_numpy(), "episode": plays["title"].to_numpy(),
                         "played_at": plays["played_at"].to_numpy(), "ms_played": plays["ms_played"].to_numpy()},
                        columns=EPISODE_COLUMNS)


def mixed_shows(pieces: list[Parsed], followed: set[str]) -> set[str]:
    """The shows podcast_shows finds among the "artists" of every mixed (pre-2023) history of one
    import, judged together: a history comes cut into StreamingHistory0, 1, ... files, and a show with enough
    evidence in one must not turn into music in the next (it did: "Crime Junkie" of a shared listener)."""
    mixed = [p.plays for p in pieces if p.mixed and len(p.plays)]
    return podcast_shows(pd.concat(mixed, ignore_index=True), followed) if mixed else set()


def music_and_episodes(piece: Parsed, shows: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The piece's music plays and podcast plays: those the file marks, and in a mixed history the `shows`."""
    plays, episodes = piece.plays, piece.episodes
    if piece.mixed and len(plays) and shows:
        is_show = plays["artists"].isin(shows)
        plays, episodes = plays[~is_show], pd.concat([episodes, as_episodes(plays[is_show])], ignore_index=True)
    return plays.reset_index(drop=True), episodes
