"""The simple rules the ranker is judged against, as scorers over every catalog item for one library
context (engine.recs.ranker.context.LibraryContext): higher is better, the same allowed items as the
ranker's. Each rule reads only the CatalogIndex and the context; none is fitted.
"""

from __future__ import annotations

import numpy as np

RULES = ("random", "popularity", "your_artists", "recent_artists", "genre_chart", "cooccurrence", "mpd_neighbours",
         "lastfm_artists")


def rule_scores(index, ctx, seed: int = 0) -> dict[str, np.ndarray]:
    """random; popularity (the chart); your artists (the library's artists, most played or most owned
    first, then by popularity); recent artists (your artists, but those played or saved in the last
    quarter before the library's newest record first); the genre chart (new artists only: genre
    similarity x popularity); co-occurrence (items sharing TidyTuesday playlists with owned ones,
    popularity breaking ties); MPD neighbours (the same over the 7,071 MPD playlists: how many playlists
    hold the item and an owned one); the Last.fm rule (new artists only: artists the Last.fm users of the
    library's artists play, by co-listening over sqrt(their listeners), each artist's most popular tracks
    first: a track's score falls by 0.8 per place within its artist, so the list walks through artists)."""
    from engine.library.recency import QUARTER_DAYS

    s = ctx.signals
    new = s["artist"] <= 0
    yours = your_artists(s)
    days = ctx.artist_days[index.artist] if ctx.artist_days is not None else np.full(len(yours), np.nan)
    lately = np.where(np.isfinite(days), days <= QUARTER_DAYS, False)
    return {"random": np.random.default_rng(seed).random(len(s["popularity"])),
            "popularity": s["popularity"],
            "your_artists": yours,
            "recent_artists": yours + 100.0 * lately,
            "genre_chart": np.where(new, s["genre"] * s["popularity"], -1.0) + 1e-6 * s["popularity"],
            "cooccurrence": index.cooccurrence(ctx.owned) + 1e-3 * index.popularity,
            "mpd_neighbours": ctx.mpd_shared + 1e-3 * index.popularity,
            "lastfm_artists": np.where(new & (ctx.lastfm_artist[index.artist] > 0),
                                       ctx.lastfm_artist[index.artist] * 0.8 ** index.rank_in_artist, -1.0)
            + 1e-6 * index.popularity}


def your_artists(signals: dict) -> np.ndarray:
    """The library's artists first (by affinity), then by popularity: the rule, and the ranker's first
    candidate stage (restricted there to the library's artists)."""
    return signals["artist"] * 10.0 + signals["popularity"]
