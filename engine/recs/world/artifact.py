"""models/world as served: the MPD tracks the reference catalog lacks (features predicted at build time),
the MPD playlists over every item, and the Last.fm users' artists (engine.recs.world.build writes it).

Nothing here reads a dataset; a missing folder means the recommender serves the reference catalog alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse


@dataclass
class World:
    items: pd.DataFrame              # catalog-shaped items (dataset "mpd", predicted features)
    mpd: sparse.coo_matrix           # MPD playlists x mpd_keys
    mpd_keys: np.ndarray             # track key of each MPD column
    lastfm: sparse.csr_matrix        # Last.fm users x lastfm_artists (log plays)
    lastfm_artists: list[str]        # artist keys (engine.textnorm.artist_key)
    config: dict


def world_dir() -> Path:
    from engine.config import models_dir

    return models_dir() / "world"


def load_world(path: Path | None = None) -> World | None:
    """The artifact, or None when it is not shipped."""
    path = Path(path or world_dir())
    if not (path / "config.json").exists():
        return None
    config = json.loads((path / "config.json").read_text())
    items = pd.concat([pd.read_parquet(path / name) for name in config["items"]], ignore_index=True)
    return World(items, sparse.load_npz(path / "mpd_membership.npz").tocoo(),
                 pd.read_parquet(path / "mpd_keys.parquet")["key"].to_numpy(),
                 sparse.load_npz(path / "lastfm.npz").tocsr(),
                 json.loads((path / "lastfm_artists.json").read_text()), config)


class WorldMatcher:
    """Library rows to world items, after the reference catalog had its turn: exact Spotify id, else the
    same artist + title key; rows come back as served item indices (offset: the catalog items before them)."""

    def __init__(self, items: pd.DataFrame, offset: int):
        self.offset = offset
        self._ids = pd.Index(items["track_id"].to_numpy())
        self._keys = pd.Index(items["key"].to_numpy())

    def extend(self, keys: pd.Series, ids: pd.Series, matched: np.ndarray) -> np.ndarray:
        """matched: served item per row (-1 unknown); returns a copy with world items filled in."""
        out = np.asarray(matched).copy()
        todo = out < 0
        if not todo.any():
            return out
        by_id = self._ids.get_indexer(ids.to_numpy()[todo])
        k = keys.to_numpy()[todo]
        complete = np.array([not (s.startswith("|") or s.endswith("|")) for s in k], dtype=bool)
        by_key = np.where(complete, self._keys.get_indexer(k), -1)
        found = np.where(by_id >= 0, by_id, by_key)
        out[todo] = np.where(found >= 0, found + self.offset, -1)
        return out
