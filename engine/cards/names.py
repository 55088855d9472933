"""What a listener calls each method a card compares: the names the Recommendations page uses, not the
metrics files' keys. A key this map does not know (a method added to metrics.json later) still reads as
words: underscores become spaces."""

from __future__ import annotations

FRIENDLY = {
    "ranker": "learned ranker (the default)",
    "ranker_no_cap": "learned ranker, no limit per artist",
    "ranker_new_by_score": "learned ranker, New to you by score alone",
    "cooccurrence": "TidyTuesday playlist neighbours",
    "mpd_neighbours": "MPD playlist neighbours",
    "lastfm_artists": "artists your artists' Last.fm listeners play",
    "your_artists": "your artists",
    "recent_artists": "artists you played lately",
    "genre_chart": "a chart of your genres",
    "popularity": "the chart (most popular)",
    "random": "random tracks",
    "hybrid": "the old hybrid",
    "two_tower": "two-tower model",
    "content_knn": "similar titles and artists",
    "prior_lookup": "average for the artist and genre",
    "ridge": "straight-line fit",
    "mean": "the average track",
    "model": "the model",
}


def friendly(name) -> str:
    text = str(name)
    return FRIENDLY.get(text, text.replace("_", " "))
