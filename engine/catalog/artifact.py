"""The shipped catalog (models/catalog): what every serving path reads instead of the datasets.

- tracks.parquet: every reference track with real features, its match key and its item columns
  (artist key, artist genres, moods, popularity, year), in the row order the models were fitted on;
- artists.parquet: artist name, ';' genres and track count (genres of a library's own artists);
- demo.parquet: the demo library's playlists;
- config.json: the version (a hash of the three files), counts and where they came from.
Rebuilt from TUNESCOPE_DATA_DIR by `python -m engine build-catalog` (engine.catalog.build).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pandas as pd

from engine.config import models_dir
from engine.errors import ModelNotFoundError

FILES = ["tracks.parquet", "artists.parquet", "demo.parquet", "config.json"]
DEMO_PLAYLISTS = ["Electro Swing", "Classic Rock Legends", "I Love My Neo-Soul", "Tropical House 🌴", "This Is Logic"]
DEMO_DISCOVERIES = "Genius discoveries"


def catalog_dir() -> Path:
    return models_dir() / "catalog"


def _path(name: str) -> Path:
    path = catalog_dir() / name
    if not path.exists():
        raise ModelNotFoundError(f"The catalog artifact is incomplete: {path} is missing. "
                                 "Rebuild it with `python -m engine build-catalog` (needs TUNESCOPE_DATA_DIR).")
    return path


@lru_cache(maxsize=1)
def info() -> dict:
    return json.loads(_path("config.json").read_text())


def version() -> str:
    return info()["version"]


@lru_cache(maxsize=1)
def tracks() -> pd.DataFrame:
    """Catalog tracks with real features and item columns (fixed row order: model rows index it)."""
    return pd.read_parquet(_path("tracks.parquet"))


@lru_cache(maxsize=1)
def artists() -> pd.DataFrame:
    return pd.read_parquet(_path("artists.parquet"))


@lru_cache(maxsize=1)
def demo() -> pd.DataFrame:
    """The demo library's tracks in the normalized schema, with a `playlist` column."""
    return pd.read_parquet(_path("demo.parquet"))


def clear() -> None:
    """Forget what was read (after a rebuild in the same process)."""
    for cached in (info, tracks, artists, demo):
        cached.cache_clear()
