"""Turn normalized tracks into the network's inputs: text, genre, mood, metadata and prior blocks.

A missing field is always zeros in its block plus a flag, so training can drop fields at random
(the network learns to cope with a bare artist + title) and the confidence can see what was missing.
Leakage rule: no popularity, ratings or play counts ever enter here.
Playlist words are used only as the user's own playlist names (mood/tag words).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from engine.catalog.moods import MOOD_NAMES, WORD_TO_MOOD
from engine.config import FEATURES
from engine.encoder import DIM
from engine.predictor.priors import ArtistPriors, CatalogArtistPriors, GenreVocab
from engine.schema import release_year, split_list
from engine.textnorm import fold


# Version words in the title or album that carry signal (a live take, an instrumental, a remix).
TITLE_WORDS = ["live", "acoustic", "remix", "instrumental", "remaster", "demo", "edit", "mix", "version",
               "unplugged", "orchestral", "piano", "interlude", "intro", "skit", "session", "cover", "karaoke"]
ALBUM_WORDS = ["live", "acoustic", "unplugged", "greatest", "hits", "soundtrack", "christmas", "remix",
               "deluxe", "sessions", "classical", "instrumental", "piano", "best", "collection", "ep"]

IMPUTATIONS = 8  # draws per missing metadata field when measuring what the gap costs

# Metadata: the design's 6 fields, each with a missing flag; garbage values count as missing.
META_FIELDS = ["duration_min", "release_year", "explicit", "track_number", "album_total_tracks", "decade"]
_VALID = {"duration_min": (0.25, 90.0), "release_year": (1900, 2030), "explicit": (0, 1),
          "track_number": (1, 200), "album_total_tracks": (1, 300), "decade": (1900, 2030)}

# Meta block: 6 scaled fields, 6 missing flags, title words, album words, has-album, has-genres, artist count.
HAS_GENRES_COL = 2 * len(META_FIELDS) + len(TITLE_WORDS) + len(ALBUM_WORDS) + 1


@dataclass
class Inputs:
    """One batch of network inputs (float32 arrays, N rows each) and what the confidence needs."""

    text: np.ndarray
    genre: np.ndarray
    mood: np.ndarray
    meta: np.ndarray
    prior: np.ndarray
    completeness: np.ndarray
    has_artist_prior: np.ndarray
    has_genre_prior: np.ndarray

    def __len__(self) -> int:
        return len(self.text)

    def take(self, rows) -> "Inputs":
        return Inputs(**{k: v[rows] for k, v in self.__dict__.items()})

    @staticmethod
    def concat(parts: list["Inputs"]) -> "Inputs":
        return Inputs(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in parts[0].__dict__})


def text_of(frame: pd.DataFrame) -> list[str]:
    """The text-branch string: 'artist - title' with every credited artist."""
    artists = frame["artists"].str.replace(";", ", ", regex=False)
    return (artists + " - " + frame["title"]).tolist()


def _words(text: str) -> set[str]:
    return set(fold(text).split())


def mood_matrix(frame: pd.DataFrame) -> np.ndarray:
    out = np.zeros((len(frame), len(MOOD_NAMES)), dtype=np.float32)
    for i, (moods, playlists) in enumerate(zip(frame["moods"], frame["playlists"])):
        for word in _words(moods.replace(";", " ") + " " + playlists.replace(";", " ")):
            j = WORD_TO_MOOD.get(word)
            if j is not None:
                out[i, j] = 1.0
    return out


def word_flags(texts: pd.Series, words: list[str]) -> np.ndarray:
    folded = texts.map(_words)
    return np.array([[w in s for w in words] for s in folded], dtype=np.float32).reshape(len(texts), len(words))


def raw_metadata(frame: pd.DataFrame) -> np.ndarray:
    """The 6 design fields, NaN where absent or implausible (0 s, 10 h, year 3000)."""
    year = release_year(frame["release_date"]).to_numpy(dtype=float)
    raw = np.column_stack([
        frame["duration_ms"].to_numpy(dtype=float) / 60000.0, year, frame["explicit"].to_numpy(dtype=float),
        frame["track_number"].to_numpy(dtype=float), frame["album_total_tracks"].to_numpy(dtype=float),
        np.floor(year / 10) * 10,
    ])
    for j, name in enumerate(META_FIELDS):
        low, high = _VALID[name]
        bad = ~np.isfinite(raw[:, j]) | (raw[:, j] < low) | (raw[:, j] > high)
        raw[bad, j] = np.nan
    return raw


def completeness(frame: pd.DataFrame, n_genres: np.ndarray, n_moods: np.ndarray, meta: np.ndarray) -> np.ndarray:
    """The design's metadata-completeness score in 0..1."""
    score = 0.2 * (frame["title"].str.len() > 0).to_numpy() + 0.2 * (frame["artists"].str.len() > 0).to_numpy()
    score = score + np.where(n_genres > 0, 0.15 + np.minimum(n_genres * 0.05, 0.15), 0.0)
    score = score + np.where(n_moods > 0, 0.1 + np.minimum(n_moods * 0.05, 0.1), 0.0)
    present = np.isfinite(meta)
    score = score + 0.03 * present[:, 0] + 0.03 * present[:, 1] + 0.02 * present[:, 4] + 0.02 * present[:, 3]
    return np.minimum(score, 1.0).astype(np.float32)


class Featurizer:
    """fit() learns the metadata scaler and feature means; transform() builds Inputs for any frame."""

    def __init__(self, artists: ArtistPriors, genres: GenreVocab, catalog_artists: CatalogArtistPriors | None = None):
        self.artists = artists
        self.genres = genres
        # Set by whoever holds a catalog (training tables while training, the full catalog when serving).
        self.catalog_artists = catalog_artists
        self.meta_mean_: np.ndarray | None = None
        self.meta_std_: np.ndarray | None = None
        self.meta_quantiles_: np.ndarray | None = None  # (IMPUTATIONS, 6) raw values; NaN = never seen
        self.feature_mean_: np.ndarray | None = None

    def fit(self, frame: pd.DataFrame, targets: np.ndarray) -> "Featurizer":
        raw = raw_metadata(frame)
        masked = np.ma.masked_invalid(raw)  # training tables never give track numbers or album sizes
        self.meta_mean_ = np.asarray(masked.mean(axis=0).filled(0.0), dtype=float)
        self.meta_std_ = np.asarray(masked.std(axis=0).filled(1.0), dtype=float) + 1e-6
        levels = (np.arange(IMPUTATIONS) + 0.5) / IMPUTATIONS
        self.meta_quantiles_ = np.stack([
            np.quantile(col[np.isfinite(col)], levels) if np.isfinite(col).any() else np.full(IMPUTATIONS, np.nan)
            for col in raw.T], axis=1)
        self.feature_mean_ = np.nanmean(targets, axis=0).astype(np.float32)
        return self

    def transform(self, frame: pd.DataFrame, encoder, text: np.ndarray | None = None) -> Inputs:
        n = len(frame)
        text = encoder.encode(text_of(frame)) if text is None else text
        art_values, art_found, art_count, art_genres = self.artists.lookup(frame["artists"])
        genre_lists = [split_list(g) + split_list(a) for g, a in zip(frame["genres"], art_genres)]
        genre_vec, genre_prior, genre_weight, n_genres = self._genre_blocks(genre_lists, encoder)
        moods = mood_matrix(frame)
        playlists = self._playlist_vectors(frame["playlists"], encoder)
        raw = raw_metadata(frame)
        # A field no training row had stays "missing" for the network (its weights never learned it);
        # it still counts toward the completeness score.
        usable = np.where(np.isfinite(self.meta_quantiles_[0]), raw, np.nan)
        scaled = np.nan_to_num((usable - self.meta_mean_) / self.meta_std_)
        flags = np.column_stack([
            word_flags(frame["title"], TITLE_WORDS), word_flags(frame["album"], ALBUM_WORDS),
            (frame["album"].str.len() > 0).to_numpy(), n_genres > 0,
            np.minimum(frame["artists"].str.count(";").to_numpy(), 3) / 3.0,
        ])
        meta = np.column_stack([np.clip(scaled, -5, 5), ~np.isfinite(usable), flags]).astype(np.float32)
        has_genre = (genre_weight > 0).astype(np.float32)
        if self.catalog_artists is not None:
            cat_values, cat_found, cat_count = self.catalog_artists.lookup(frame)
        else:
            cat_values = np.zeros((n, len(FEATURES)), np.float32)
            cat_found, cat_count = np.zeros(n, np.float32), np.zeros(n, np.float32)
        cat_centred = np.nan_to_num((cat_values - self.feature_mean_) * cat_found[:, None])
        prior = np.column_stack([
            (art_values - self.feature_mean_) * art_found[:, None], art_found, np.log1p(art_count) / 8.0,
            (genre_prior - self.feature_mean_) * has_genre[:, None], has_genre, genre_weight,
            cat_centred, cat_found, np.log1p(cat_count) / 8.0,
        ]).astype(np.float32)
        return Inputs(
            text=text.astype(np.float32), genre=genre_vec, mood=np.hstack([moods, playlists]), meta=meta, prior=prior,
            completeness=completeness(frame, n_genres, moods.sum(axis=1), raw),
            has_artist_prior=np.maximum(art_found, cat_found), has_genre_prior=has_genre,
        )

    def imputations(self, inputs: Inputs) -> list[Inputs]:
        """Copies of `inputs` with missing metadata filled by stratified draws from the training data.

        The spread of predictions across these copies is the uncertainty a missing (or garbage) field
        brings; without it, members that all fall back to the prior would agree and look confident.
        """
        n_fields = len(META_FIELDS)
        missing = inputs.meta[:, n_fields:2 * n_fields] > 0
        learnable = np.isfinite(self.meta_quantiles_[0])
        fill = missing & learnable
        if not fill.any():
            return []
        copies = []
        for raw in self.meta_quantiles_:
            raw = raw.copy()
            raw[5] = np.floor(raw[1] / 10) * 10  # the decade follows the drawn year
            scaled = np.clip(np.nan_to_num((raw - self.meta_mean_) / self.meta_std_), -5, 5)
            meta = inputs.meta.copy()
            meta[:, :n_fields] = np.where(fill, scaled, meta[:, :n_fields])
            meta[:, n_fields:2 * n_fields] = np.where(fill, 0.0, meta[:, n_fields:2 * n_fields])
            copies.append(Inputs(**{**inputs.__dict__, "meta": meta.astype(np.float32)}))
        return copies

    @staticmethod
    def _playlist_vectors(playlists: pd.Series, encoder) -> np.ndarray:
        """Mean MiniLM vector of each track's playlist names (zeros without any); each name encoded once."""
        lists = [split_list(p) for p in playlists]
        names = sorted({name for names in lists for name in names})
        out = np.zeros((len(lists), DIM), dtype=np.float32)
        if not names:
            return out
        vectors = encoder.encode(names)
        position = {name: i for i, name in enumerate(names)}
        for i, names_i in enumerate(lists):
            if names_i:
                out[i] = vectors[[position[n] for n in names_i]].mean(axis=0)
        return out

    def _genre_blocks(self, genre_lists: list[list[str]], encoder):
        """Mean genre vector, similarity-weighted genre prior, its mean weight, and genre count per track."""
        unique = sorted({g for gl in genre_lists for g in gl})
        n = len(genre_lists)
        dim = self.genres.vectors.shape[1]
        if not unique:
            zeros = np.zeros(n, dtype=np.float32)
            return np.zeros((n, dim), np.float32), np.zeros((n, 8), np.float32), zeros, zeros
        position = {g: i for i, g in enumerate(unique)}
        vectors, values, weight = self.genres.resolve(unique, encoder)
        rows = [i for i, gl in enumerate(genre_lists) for g in gl]
        cols = [position[g] for gl in genre_lists for g in gl]
        member = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, len(unique)))
        n_genres = np.asarray(member.sum(axis=1)).ravel().astype(np.float32)
        genre_vec = (member @ vectors) / np.maximum(n_genres, 1)[:, None]
        weighted = member.multiply(weight[None, :]).tocsr()
        total_weight = np.asarray(weighted.sum(axis=1)).ravel()
        genre_prior = (weighted @ values) / np.maximum(total_weight, 1e-6)[:, None]
        mean_weight = np.where(n_genres > 0, total_weight / np.maximum(n_genres, 1), 0.0)
        genre_prior[total_weight <= 0] = 0.0
        return genre_vec.astype(np.float32), genre_prior.astype(np.float32), mean_weight.astype(np.float32), n_genres

    def state(self) -> dict:
        return {"meta_mean": self.meta_mean_.tolist(), "meta_std": self.meta_std_.tolist(),
                "meta_quantiles": np.where(np.isfinite(self.meta_quantiles_), self.meta_quantiles_, None).tolist(),
                "feature_mean": self.feature_mean_.tolist()}

    def load_state(self, state: dict) -> "Featurizer":
        self.meta_mean_ = np.array(state["meta_mean"])
        self.meta_std_ = np.array(state["meta_std"])
        self.meta_quantiles_ = np.array(state["meta_quantiles"], dtype=float)
        self.feature_mean_ = np.array(state["feature_mean"], dtype=np.float32)
        return self
