"""The ranker's inputs for (library, candidate) pairs: the one place they are built, for training,
evaluation and serving alike."""

from __future__ import annotations

import numpy as np

from engine.recs.ranker.candidates import STAGES

FEATURES = ("artist_affinity", "artist_rank", "artist_owned_log", "artist_owned_share", "artist_catalog_log",
            "popularity", "rank_in_artist", "artist_popularity", "popularity_vs_library", "album_owned_log",
            "genre", "neighbours", "colisten", "two_tower", "year_gap", "new_artist", "library_log",
            "recent_affinity", "artist_days_log", "artist_recent_quarter", "library_dated", "cooccurrence",
            "genre_x_popularity", "colisten_x_popularity", "mpd_shared_log", "mpd_norm", "mpd_playlists_log",
            "mpd_artist", "lastfm_artist", "predicted_item", *(f"from_{name}" for name in STAGES))


NEVER_DAYS = 36_500.0


def _recency(ctx, art: np.ndarray, n: int) -> list[np.ndarray]:
    """Recent affinity, log days since the artist was last active, whether that was in the last quarter,
    and whether the library has dates at all (nan where the library is undated: unknown, not "old")."""
    from engine.library.recency import QUARTER_DAYS

    if not ctx.dated:
        return [np.zeros(n), np.full(n, np.nan), np.full(n, np.nan), np.zeros(n)]
    days = ctx.artist_days[art]
    quarter = np.where(np.isfinite(days), (days <= QUARTER_DAYS).astype(float), 0.0)
    never = np.log1p(NEVER_DAYS)  # an artist the library never played or saved: older than any date
    return [ctx.recent_affinity[art], np.where(np.isfinite(days), np.log1p(days), never), quarter, np.ones(n)]


def _crowd(ctx, index, items: np.ndarray, art: np.ndarray) -> list[np.ndarray]:
    held = index.crowd.item_playlists[items] if index.crowd is not None else np.zeros(len(items))
    return [np.log1p(ctx.mpd_shared[items]), ctx.mpd_norm[items], np.log1p(held), ctx.mpd_artist[art],
            ctx.lastfm_artist[art], index.predicted[items].astype(float)]


def feature_matrix(ctx, index, items: np.ndarray, flags: np.ndarray) -> np.ndarray:
    """(len(items), len(FEATURES)) float32; nan where a value is unknown (the trees route it)."""
    s = ctx.signals
    art = index.artist[items]
    owned = ctx.owned_by_artist[art]
    pop = index.popularity[items]
    cols = [s["artist"][items], np.log1p(ctx.artist_rank[art]), np.log1p(owned),
            owned / np.maximum(index.artist_tracks[art], 1), np.log1p(index.artist_tracks[art]),
            pop, np.log1p(index.rank_in_artist[items]), index.artist_popularity[art],
            pop - ctx.mean_popularity, np.log1p(ctx.album_owned[index.album[items]]),
            s["genre"][items], s["neighbours"][items], ctx.colisten[items], s["two_tower"][items],
            np.abs(index.year[items] - ctx.year), (s["artist"][items] <= 0).astype(float),
            np.full(len(items), np.log1p(ctx.size)), *_recency(ctx, art, len(items)),
            ctx.cooccurrence[items] if ctx.cooccurrence is not None else np.zeros(len(items)),
            s["genre"][items] * pop, ctx.colisten[items] * pop, *_crowd(ctx, index, items, art)]
    return np.column_stack([*cols, flags.astype(float)]).astype(np.float32)
