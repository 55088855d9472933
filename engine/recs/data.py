"""Inputs of the two towers, built the same way for catalog items, playlists and a user's library.

Item arrays (one row per track): text (MiniLM of "artist - title"), artist id, up to MAX_GENRES genre
ids, mood words (multi-hot), audio = 8 features (tempo / 200) + 8 confidences + predicted flag, and
meta = popularity, popularity-missing, year, year-missing.
User arrays (one row per playlist or library) are aggregates over its tracks' item arrays, so a
library at serving time is described exactly as a playlist was in training.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from engine.config import FEATURES
from engine.catalog.moods import MOOD_NAMES
from engine.catalog.items import feature_matrix
from engine.schema import release_year, split_list

MAX_GENRES = 6
MIN_ARTIST_TRACKS = 2
MIN_GENRE_TRACKS = 5
USER_STATS = ["log_tracks", "artist_variety", "genre_entropy", "mean_popularity", "popularity_known",
              "mean_year", "year_spread", "predicted_share", "mean_confidence", "genre_known"]


@dataclass
class Vocab:
    artists: list[str]   # index 0 = unknown
    genres: list[str]    # index 0 = padding

    def __post_init__(self):
        self.artist_index = {a: i for i, a in enumerate(self.artists)}
        self.genre_index = {g: i for i, g in enumerate(self.genres)}

    @classmethod
    def build(cls, items: pd.DataFrame) -> "Vocab":
        artists = items["artist"].value_counts()
        genres = Counter(g for text in items["genres"] for g in split_list(text))
        return cls(artists=["<unknown>"] + sorted(artists[artists >= MIN_ARTIST_TRACKS].index.tolist()),
                   genres=["<pad>"] + sorted(g for g, n in genres.items() if n >= MIN_GENRE_TRACKS))

    def to_dict(self) -> dict:
        return {"artists": self.artists, "genres": self.genres}


def _lists(frame: pd.DataFrame, column: str) -> list[list[str]]:
    """A list column as lists: the parsed `<column>_list` when the caller already split it, else split here."""
    parsed = f"{column}_list"
    return list(frame[parsed]) if parsed in frame else [split_list(text) for text in frame[column]]


def _mood_matrix(mood_lists: list[list[str]]) -> np.ndarray:
    index = {m: j for j, m in enumerate(MOOD_NAMES)}
    out = np.zeros((len(mood_lists), len(MOOD_NAMES)), dtype=np.float32)
    for i, moods in enumerate(mood_lists):
        for m in moods:
            if m in index:
                out[i, index[m]] = 1.0
    return out


def item_arrays(frame: pd.DataFrame, vocab: Vocab, text: np.ndarray | None = None) -> dict:
    """Arrays for item-like rows: columns artist, genres, moods, popularity, year, FEATURES
    (+ optional <f>_confidence and source; + optional genres_list / moods_list already parsed)."""
    n = len(frame)
    genres = np.zeros((n, MAX_GENRES), dtype=np.int64)
    for i, names in enumerate(_lists(frame, "genres")):
        ids = [vocab.genre_index[g] for g in names if g in vocab.genre_index][:MAX_GENRES]
        genres[i, :len(ids)] = ids
    conf = np.ones((n, len(FEATURES)), dtype=np.float32)
    for j, feat in enumerate(FEATURES):
        col = f"{feat}_confidence"
        given = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float) if col in frame else np.ones(n)
        conf[:, j] = np.where(frame[feat].notna().to_numpy(), np.nan_to_num(given, nan=1.0), 0.0)
    predicted = (frame["source"].astype(str) == "predicted").to_numpy() if "source" in frame else np.zeros(n, bool)
    pop = pd.to_numeric(frame["popularity"], errors="coerce").to_numpy(dtype=float)
    year = pd.to_numeric(frame["year"], errors="coerce").to_numpy(dtype=float)
    meta = np.column_stack([np.nan_to_num(pop), np.isnan(pop), np.nan_to_num((year - 2000.0) / 20.0),
                            np.isnan(year)]).astype(np.float32)
    return {
        "text": None if text is None else np.asarray(text, dtype=np.float32),
        "artist": np.array([vocab.artist_index.get(a, 0) for a in frame["artist"]], dtype=np.int64),
        "genres": genres,
        "moods": _mood_matrix(_lists(frame, "moods")),
        "audio": np.hstack([feature_matrix(frame), conf, predicted[:, None]]).astype(np.float32),
        "meta": meta,
    }


def user_arrays(items: dict, members: list[np.ndarray], vocab: Vocab) -> dict:
    """Aggregates over each member list (indices into the item arrays): one row per user."""
    n_items = len(items["artist"])
    rows = np.repeat(np.arange(len(members)), [len(m) for m in members])
    cols = np.concatenate(members) if members else np.zeros(0, dtype=np.int64)
    weights = np.concatenate([np.full(len(m), 1.0 / max(len(m), 1)) for m in members]) if members else np.zeros(0)
    mean = sparse.csr_matrix((weights, (rows, cols)), shape=(len(members), n_items))

    artist_onehot = sparse.csr_matrix((np.ones(n_items), (np.arange(n_items), items["artist"])),
                                      shape=(n_items, len(vocab.artists)))
    gi = items["genres"]
    g_rows, g_cols = np.nonzero(gi)
    g_count = np.maximum((gi > 0).sum(1), 1)
    genre_multi = sparse.csr_matrix((1.0 / g_count[g_rows], (g_rows, gi[g_rows, g_cols])),
                                    shape=(n_items, len(vocab.genres)))
    artist_hist = _row_normalize(np.asarray((mean @ artist_onehot).todense())[:, :], skip_first=True)
    genre_hist = _row_normalize(np.asarray((mean @ genre_multi).todense()), skip_first=True)
    audio = items["audio"][:, :len(FEATURES)].astype(float)
    avg = mean @ audio
    spread = np.sqrt(np.maximum(mean @ audio ** 2 - avg ** 2, 0.0))
    meta = items["meta"].astype(float)
    pop_known = mean @ (1.0 - meta[:, 1])
    year_known = mean @ (1.0 - meta[:, 3])
    mean_pop = (mean @ (meta[:, 0] * (1.0 - meta[:, 1]))) / np.maximum(pop_known, 1e-9)
    mean_year = (mean @ meta[:, 2]) / np.maximum(year_known, 1e-9)
    year_sq = (mean @ meta[:, 2] ** 2) / np.maximum(year_known, 1e-9)
    p = genre_hist[:, 1:]
    entropy = -(np.where(p > 0, p * np.log(np.maximum(p, 1e-12)), 0.0)).sum(1) / np.log(max(p.shape[1], 2))
    counts = np.array([len(m) for m in members], dtype=float)
    variety = np.array([len(np.unique(items["artist"][m])) / max(len(m), 1) for m in members])
    stats = np.column_stack([
        np.log1p(counts) / 5.0, variety, entropy, mean_pop, pop_known, mean_year,
        np.sqrt(np.maximum(year_sq - mean_year ** 2, 0.0)), mean @ items["audio"][:, -1].astype(float),
        mean @ items["audio"][:, len(FEATURES):2 * len(FEATURES)].mean(1).astype(float),
        mean @ (gi[:, 0] > 0).astype(float),
    ])
    return {"artist_hist": artist_hist.astype(np.float32), "genre_hist": genre_hist.astype(np.float32),
            "moods": np.asarray(mean @ items["moods"].astype(float), dtype=np.float32),
            "audio": np.hstack([avg, spread]).astype(np.float32), "stats": stats.astype(np.float32)}


def _row_normalize(matrix: np.ndarray, skip_first: bool) -> np.ndarray:
    """Drop column 0 (unknown / padding) from the weights and rescale each row to sum 1 (zeros stay)."""
    matrix = matrix.copy()
    if skip_first:
        matrix[:, 0] = 0.0
    total = matrix.sum(1, keepdims=True)
    return np.divide(matrix, total, out=np.zeros_like(matrix), where=total > 0)


def library_lists(norm: pd.DataFrame) -> dict[str, list[list[str]]]:
    """The library's list columns parsed once per request (genres, moods), for every step that reads them."""
    return {column: [split_list(text) for text in norm[column]] for column in ("genres", "moods")}


def library_items(library: pd.DataFrame, catalog_items: pd.DataFrame, catalog, norm=None, matched=None,
                  lists=None) -> pd.DataFrame:
    """Item-like rows for an enriched library: the catalog's popularity where a track matches; the
    library's own genres plus its artists' genres; mood words from those genres and the library's moods.
    `lists`: library_lists(norm) when the caller already parsed them. The rows carry genres_list and
    moods_list so item_arrays does not parse them again."""
    from engine.catalog.items import artist_genre_lists, mood_lists
    from engine.schema import normalize_frame
    from engine.textnorm import artist_key, primary_artist

    norm = normalize_frame(library, where="library") if norm is None else norm
    lists = library_lists(norm) if lists is None else lists
    rows = catalog.match(norm)[0] if matched is None else np.asarray(matched)
    matched = rows >= 0
    pop = np.full(len(norm), np.nan)
    pop[matched] = catalog_items["popularity"].to_numpy()[rows[matched]]
    # A library repeats its artists and genre sets many times: look each distinct one up once.
    artists = pd.Series(norm["artists"].unique())
    by_artist = dict(zip(artists, artist_genre_lists(artists)))
    keys = dict(zip(artists, (artist_key(primary_artist(a)) for a in artists)))
    genres = [list(dict.fromkeys(own + by_artist[a])) for own, a in zip(lists["genres"], norm["artists"])]
    combos = [tuple(g + m) for g, m in zip(genres, lists["moods"])]  # mood words in either
    distinct = list(dict.fromkeys(combos))
    moods_of = dict(zip(distinct, mood_lists(distinct)))
    moods = [moods_of[c] for c in combos]
    out = pd.DataFrame({
        "artist": norm["artists"].map(keys).to_numpy(),
        "genres": [";".join(g) for g in genres], "moods": [";".join(m) for m in moods], "popularity": pop,
        "year": release_year(norm["release_date"]).to_numpy(),
        "genres_list": genres, "moods_list": moods,
    })
    for col in FEATURES + [f"{f}_confidence" for f in FEATURES] + ["source"]:
        if col in library:
            out[col] = library[col].to_numpy()
    return out
