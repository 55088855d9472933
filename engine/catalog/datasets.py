"""Reference data from TUNESCOPE_DATA_DIR, mapped to the normalized schema plus the 8 features.

Track tables are split by role:
- TRAIN_TABLES feed the predictor's training and the catalog;
- HOLDOUT_TABLES are never trained on: they are out-of-distribution evaluation sets, and
  still join the catalog so a user's matching track gets its real values.
Artist and genre aggregates (yamaerenay) provide priors, not catalog tracks.
"""

from __future__ import annotations

import ast
from functools import lru_cache

import numpy as np
import pandas as pd

from engine.config import BOUNDED_FEATURES, FEATURES, data_dir
from engine.errors import DataNotFoundError
from engine.schema import normalize_frame
from engine.textnorm import track_keys

TRAIN_TABLES = ["tidytuesday", "kattapriyatham", "top_songs_audio_features", "top_hits", "data_moods"]
HOLDOUT_TABLES = ["music_dataset_2024", "most_streamed_2023", "top_2000s", "top10s"]


def _read(name: str) -> pd.DataFrame:
    path = data_dir() / name
    if not path.exists():
        raise DataNotFoundError(
            f"Reference file {path} not found. Set TUNESCOPE_DATA_DIR to the folder holding the shared datasets."
        )
    return pd.read_parquet(path)


def _commas_to_semicolons(col: pd.Series) -> pd.Series:
    return col.fillna("").astype(str).str.replace(r"\s*,\s*", ";", regex=True)


def _finish(frame: pd.DataFrame, raw: pd.DataFrame, dataset: str, percent: bool = False) -> pd.DataFrame:
    out = normalize_frame(frame, where=dataset)
    for feat in FEATURES:
        if feat not in raw.columns:  # e.g. Organize Your Music did not export instrumentalness
            out[feat] = np.nan
            continue
        values = pd.to_numeric(raw[feat], errors="coerce").to_numpy(dtype=float)
        out[feat] = values / 100.0 if (percent and feat in BOUNDED_FEATURES) else values
    out["dataset"] = dataset
    out = out[(out["title"] != "") & (out["artists"] != "")]
    return out.dropna(subset=["energy", "valence", "danceability"]).reset_index(drop=True)


def _playlists_by_track(raw: pd.DataFrame) -> pd.Series:
    """track_id -> the ';'-joined distinct names of every playlist holding it."""
    pairs = raw[["track_id", "playlist_name"]].dropna()
    pairs = pairs.assign(folded=pairs["playlist_name"].str.strip().str.lower()).drop_duplicates(["track_id", "folded"])
    return pairs.groupby("track_id")["playlist_name"].agg(";".join)


def load_tidytuesday() -> pd.DataFrame:
    """One row per track id; playlist names gathered from every playlist the track sits in."""
    raw = _read("tidytuesday_spotify_songs.parquet")
    playlists = _playlists_by_track(raw)
    raw = raw.drop_duplicates("track_id").reset_index(drop=True)
    frame = pd.DataFrame({
        "track_id": raw["track_id"], "title": raw["track_name"], "artists": raw["track_artist"],
        "album": raw["track_album_name"], "release_date": raw["track_album_release_date"],
        "duration_ms": raw["duration_ms"], "playlists": raw["track_id"].map(playlists),
    })
    return _finish(frame, raw, "tidytuesday")


def load_kattapriyatham() -> pd.DataFrame:
    raw = _read("spotify_top_tracks_2010s_kattapriyatham.parquet")
    frame = pd.DataFrame({
        "track_id": raw["track_id"], "title": raw["track"], "artists": raw["artist"],
        "release_date": raw["year"].astype(str), "duration_ms": raw["duration_ms"],
    })
    return _finish(frame, raw, "kattapriyatham")


def load_top_songs_audio_features() -> pd.DataFrame:
    raw = _read("spotify_top_songs_audio_features.parquet")
    frame = pd.DataFrame({
        "track_id": raw["id"], "title": raw["track_name"], "artists": _commas_to_semicolons(raw["artist_names"]),
        "duration_ms": raw["duration_ms"],
    })
    return _finish(frame, raw, "top_songs_audio_features")


def load_top_hits() -> pd.DataFrame:
    raw = _read("top_hits_2000_2019_songs_normalize.parquet")
    genres = raw["genre"].fillna("").str.replace("set()", "", regex=False)
    frame = pd.DataFrame({
        "title": raw["song"], "artists": raw["artist"], "release_date": raw["year"].astype(str),
        "duration_ms": raw["duration_ms"], "explicit": raw["explicit"].astype(str),
        "genres": _commas_to_semicolons(genres),
    })
    return _finish(frame, raw, "top_hits")


def load_data_moods() -> pd.DataFrame:
    raw = _read("data_moods.parquet")
    frame = pd.DataFrame({
        "track_id": raw["id"], "title": raw["name"], "artists": raw["artist"], "album": raw["album"],
        "release_date": raw["release_date"], "duration_ms": raw["length"], "moods": raw["mood"].str.lower(),
    })
    return _finish(frame, raw, "data_moods")


def load_music_dataset_2024() -> pd.DataFrame:
    raw = pd.concat([_read("spotify_music_dataset_high_popularity.parquet"),
                     _read("spotify_music_dataset_low_popularity.parquet")], ignore_index=True)
    raw = raw.dropna(subset=["energy"])
    playlists = _playlists_by_track(raw)
    raw = raw.drop_duplicates("track_id").reset_index(drop=True)
    frame = pd.DataFrame({
        "track_id": raw["track_id"], "title": raw["track_name"], "artists": _commas_to_semicolons(raw["track_artist"]),
        "album": raw["track_album_name"], "release_date": raw["track_album_release_date"],
        "duration_ms": raw["duration_ms"], "playlists": raw["track_id"].map(playlists),
    })
    return _finish(frame, raw, "music_dataset_2024")


def load_most_streamed_2023() -> pd.DataFrame:
    raw = _read("most_streamed_spotify_songs_2023.parquet")
    raw = raw.rename(columns={f"{f}_%": f for f in BOUNDED_FEATURES} | {"bpm": "tempo"})
    raw = raw[~raw["track_name"].str.contains("\ufffd") & ~raw["artist(s)_name"].str.contains("\ufffd")]
    frame = pd.DataFrame({
        "title": raw["track_name"], "artists": _commas_to_semicolons(raw["artist(s)_name"]),
        "release_date": raw["released_year"].astype(str),
    })
    return _finish(frame, raw.reset_index(drop=True), "most_streamed_2023", percent=True)


def _organize_your_music(file: str, dataset: str, columns: dict, genre_col: str, seconds_col: str) -> pd.DataFrame:
    raw = _read(file).rename(columns=columns)
    raw = raw[raw["energy"] > 0].reset_index(drop=True)  # an all-zero row is a broken record
    seconds = pd.to_numeric(raw[seconds_col].astype(str).str.replace(",", ""), errors="coerce")
    frame = pd.DataFrame({
        "title": raw["title"], "artists": raw["artist"], "release_date": raw["year"].astype(str),
        "duration_ms": seconds * 1000, "genres": raw[genre_col],
    })
    return _finish(frame, raw, dataset, percent=True)


def load_top_2000s() -> pd.DataFrame:
    columns = {"Title": "title", "Artist": "artist", "Year": "year", "Beats Per Minute (BPM)": "tempo",
               "Energy": "energy", "Danceability": "danceability", "Liveness": "liveness", "Valence": "valence",
               "Acousticness": "acousticness", "Speechiness": "speechiness"}
    return _organize_your_music("spotify_top_2000s_mega_dataset.parquet", "top_2000s", columns,
                                "Top Genre", "Length (Duration)")


def load_top10s() -> pd.DataFrame:
    columns = {"bpm": "tempo", "nrgy": "energy", "dnce": "danceability", "live": "liveness", "val": "valence",
               "acous": "acousticness", "spch": "speechiness"}
    return _organize_your_music("top_spotify_songs_2010_2019_top10s.parquet", "top10s", columns, "top genre", "dur")


LOADERS = {
    "tidytuesday": load_tidytuesday, "kattapriyatham": load_kattapriyatham,
    "top_songs_audio_features": load_top_songs_audio_features, "top_hits": load_top_hits,
    "data_moods": load_data_moods, "music_dataset_2024": load_music_dataset_2024,
    "most_streamed_2023": load_most_streamed_2023, "top_2000s": load_top_2000s, "top10s": load_top10s,
}


def load_tracks(names: list[str]) -> pd.DataFrame:
    """Union of the named track tables, deduplicated by Spotify id and by artist+title (first wins)."""
    frames = [LOADERS[name]() for name in names]
    tracks = pd.concat(frames, ignore_index=True)
    tracks["key"] = track_keys(tracks)
    has_id = tracks["track_id"] != ""
    tracks = tracks[~(has_id & tracks.duplicated("track_id"))]
    tracks = tracks.drop_duplicates("key").reset_index(drop=True)
    return tracks


@lru_cache(maxsize=1)
def training_tracks() -> pd.DataFrame:
    return load_tracks(TRAIN_TABLES)


@lru_cache(maxsize=1)
def catalog_tracks() -> pd.DataFrame:
    """Every track with real features: training tables first, then the holdout tables."""
    return load_tracks(TRAIN_TABLES + HOLDOUT_TABLES)


def _parse_genre_list(text) -> list[str]:
    try:
        value = ast.literal_eval(text) if isinstance(text, str) and text.startswith("[") else []
    except (ValueError, SyntaxError):
        value = []
    return [str(g) for g in value]


@lru_cache(maxsize=1)
def artist_table() -> pd.DataFrame:
    """yamaerenay artists: name, genres (';'), mean features, and the track count behind them."""
    raw = _read("yamaerenay_data_w_genres_2021-01.parquet")
    out = raw[["artists", *FEATURES, "duration_ms", "count"]].rename(columns={"artists": "artist"}).copy()
    out["genres"] = raw["genres"].map(lambda g: ";".join(_parse_genre_list(g)))
    return out.reset_index(drop=True)


@lru_cache(maxsize=1)
def genre_table() -> pd.DataFrame:
    """yamaerenay genres with mean features."""
    raw = _read("yamaerenay_data_by_genres.parquet")
    return raw[["genres", *FEATURES]].rename(columns={"genres": "genre"}).reset_index(drop=True)
