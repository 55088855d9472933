"""Candidates in stages, so that a track by an artist new to the library can reach the top at all."""

from __future__ import annotations

import numpy as np

from engine.recs.metrics import best
from engine.recs.rules import your_artists

STAGES = ("your_artists", "recent_artists", "colisten", "genre", "genre_chart", "neighbours", "cooccurrence",
          "popularity", "two_tower", "mpd_neighbours", "mpd_own", "mpd_artists", "lastfm")


def candidates(ctx, index, allowed: np.ndarray, sizes: dict) -> tuple[np.ndarray, np.ndarray]:
    """(item indices, stage flags: items x len(STAGES) bool). sizes: stage -> how many items it adds.
    Stages: the library's artists' tracks (most played artist first, popular tracks first); the same for
    the artists played or saved lately; artists that other listeners of the library's artists play; the
    library's genres (x popularity, and as the genre chart ranks them); TidyTuesday playlist neighbours
    (through artists, and through the exact tracks); the chart; the two-tower's top; the MPD playlists'
    neighbours of the library's tracks (any artist, and the library's own artists' tracks); new artists
    that MPD playlists and Last.fm users hold beside the library's (engine.recs.world.crowd)."""
    s = ctx.signals
    pop = index.popularity
    new = s["artist"] <= 0
    recent = ctx.recent_affinity[index.artist] if ctx.recent_affinity is not None else np.zeros(len(pop))
    cooc = ctx.cooccurrence if ctx.cooccurrence is not None else np.zeros(len(pop))
    scores = {"your_artists": np.where(new, -np.inf, your_artists(s)),
              "recent_artists": np.where(recent > 0, recent * 10 + pop, -np.inf),
              "colisten": np.where(new, ctx.colisten * (0.5 + pop), -np.inf),
              "genre": np.where(new, s["genre"] * (0.2 + pop), -np.inf),
              "genre_chart": np.where(new, s["genre"] * pop, -np.inf),
              "neighbours": s["neighbours"] + 1e-3 * pop,
              "cooccurrence": np.where(cooc > 0, cooc + 1e-3 * pop, -np.inf),
              "popularity": pop,
              "two_tower": np.nan_to_num(s["two_tower"], nan=-np.inf),
              "mpd_neighbours": np.where(ctx.mpd_norm > 0, ctx.mpd_norm + 1e-3 * pop, -np.inf),
              "mpd_own": np.where(~new & (ctx.mpd_norm > 0), s["artist"] * ctx.mpd_norm, -np.inf),
              "mpd_artists": np.where(new, ctx.mpd_artist[index.artist] * (0.5 + pop), -np.inf),
              "lastfm": np.where(new, ctx.lastfm_artist[index.artist] * (0.5 + pop), -np.inf)}
    picked = [best(scores[name], int(sizes.get(name, 0)), allowed, ordered=False) for name in STAGES]
    items = np.unique(np.concatenate(picked)) if picked else np.zeros(0, int)
    flags = np.stack([np.isin(items, p) for p in picked], axis=1) if len(items) else np.zeros((0, len(STAGES)), bool)
    return items, flags
