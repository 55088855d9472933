"""The lyrics dataset and the model's three input blocks (lyrics, audio, metadata).

Data: tcc_ceds_music_partial_pop_1950_1990.parquet, a TRUNCATED copy of the Mendeley "Music Dataset:
Lyrics and Metadata from 1950 to 2019": its first 3,733 rows, every one genre `pop`, released 1950-1990.
Audio input: what Tunescope's audio-feature predictor says from title, artist, year and genre (the
product has no real audio for a pasted song). It never sees the song's real features, which are targets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.config import FEATURES, TEMPO_SCALE, data_dir
from engine.errors import DataNotFoundError
from engine.lyrics.text import LyricsEmbedder, clean_words
from engine.schema import normalize_frame, release_year

DATASET_FILE = "tcc_ceds_music_partial_pop_1950_1990.parquet"
DATASET_NOTE = ("a truncated copy of the Mendeley lyrics dataset: 3,733 songs, pop only, released 1950–1990")
TOPICS = ["dating", "violence", "world/life", "night/time", "shake the audience", "family/gospel", "romantic",
          "communication", "obscene", "music", "movement/places", "light/visual perceptions", "family/spiritual",
          "like/girls", "sadness", "feelings"]
AUDIO_TARGETS = ["danceability", "loudness", "acousticness", "instrumentalness", "valence", "energy"]
TARGETS = TOPICS + AUDIO_TARGETS
YEAR_RANGE = (1950.0, 2020.0)


def load_dataset() -> pd.DataFrame:
    """The songs with every target present (one row of the copy has none), index reset."""
    path = data_dir() / DATASET_FILE
    if not path.exists():
        raise DataNotFoundError(f"Lyrics dataset {path} not found. Set TUNESCOPE_DATA_DIR to the shared data folder.")
    frame = pd.read_parquet(path)
    frame = frame.dropna(subset=TARGETS).reset_index(drop=True)
    return frame


def lyrics_block(word_lists: list[list[str]], embedder: LyricsEmbedder) -> np.ndarray:
    """(N, DIM + 1): the pooled lyrics vector and the scaled word count."""
    counts = np.array([[np.log1p(len(w)) / 5.0] for w in word_lists], np.float32)
    return np.hstack([embedder.embed(word_lists), counts]).astype(np.float32)


def audio_block(features: np.ndarray) -> np.ndarray:
    """(N, 8) audio features in real units (tempo in BPM) -> the training scale (tempo / 200)."""
    out = np.asarray(features, np.float32).copy()
    out[:, FEATURES.index("tempo")] /= TEMPO_SCALE
    return out


def meta_block(years: np.ndarray, genre_lists: list[list[str]], genre_vocab: list[str]) -> np.ndarray:
    """(N, 2 + len(vocab) + 1): scaled year, year-known flag, genre one-hot with an 'other/unknown' slot."""
    years = np.asarray(years, np.float64)
    known = np.isfinite(years) & (years >= 1900) & (years <= 2030)
    lo, hi = YEAR_RANGE
    scaled = np.where(known, (np.nan_to_num(years) - lo) / (hi - lo), 0.0)
    genres = np.zeros((len(years), len(genre_vocab) + 1), np.float32)
    index = {g: i for i, g in enumerate(genre_vocab)}
    for row, names in enumerate(genre_lists):
        hits = [index[g.lower().strip()] for g in names if g.lower().strip() in index]
        genres[row, hits if hits else [len(genre_vocab)]] = 1.0
    return np.hstack([np.stack([scaled, known], axis=1), genres]).astype(np.float32)


def predicted_audio(frame: pd.DataFrame, encoder) -> np.ndarray:
    """(N, 8) real-unit predictions of the shipped audio predictor from title, artist, year and genre.

    The reference catalog is not attached: an artist's other catalog tracks must not carry a song's own
    real values into its input.
    """
    from engine.config import models_dir
    from engine.predictor.bundle import AudioPredictor

    predictor = AudioPredictor.load(models_dir() / "audio_predictor")
    tracks = normalize_frame(pd.DataFrame({
        "title": frame["track_name"].astype(str), "artists": frame["artist_name"].astype(str),
        "release_date": frame["release_date"].astype(str), "genres": frame["genre"].astype(str)}), where=DATASET_FILE)
    return predictor.predict_inputs(predictor.featurizer.transform(tracks, encoder))["mean"]


def dataset_inputs(frame: pd.DataFrame, encoder, genre_vocab: list[str]) -> dict[str, np.ndarray]:
    """lyrics, audio, meta and targets for every row of the dataset frame."""
    words = [clean_words(t) for t in frame["lyrics"]]
    years = release_year(frame["release_date"].astype(str)).to_numpy()
    return {
        "lyrics": lyrics_block(words, LyricsEmbedder(encoder)),
        "audio": audio_block(predicted_audio(frame, encoder)),
        "meta": meta_block(years, [[g] for g in frame["genre"]], genre_vocab),
        "targets": frame[TARGETS].to_numpy(np.float32),
    }
