"""Real interactions for the recommenders: TidyTuesday's 471 playlists as users, their tracks as positives.

Tracks are mapped to deduplicated catalog rows first (the same song under two ids is one item), so a
song cannot sit in both a playlist's training and test part. The split holds out HOLDOUT of each
playlist's tracks, by time: the most recently released ones (ties broken at random with a fixed seed),
because TidyTuesday has no added-at dates and release dates are the only clock it has.
Only playlist membership is used here; playlist genre, subgenre and name never reach an item.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from engine.catalog.datasets import _read
from engine.schema import normalize_frame

HOLDOUT = 0.2
MIN_TRACKS = 5   # smaller playlists are kept whole in training (nothing sensible to hold out)


@dataclass
class Split:
    playlists: list[str]
    train: list[np.ndarray]   # catalog rows per playlist
    test: list[np.ndarray]

    def subset(self, count: int, seed: int = 0) -> "Split":
        """A fixed random subset of the playlists that have test tracks (small reproducible runs)."""
        eligible = [i for i, t in enumerate(self.test) if len(t)]
        pick = sorted(np.random.default_rng(seed).choice(eligible, size=min(count, len(eligible)), replace=False))
        return Split([self.playlists[i] for i in pick], [self.train[i] for i in pick], [self.test[i] for i in pick])


def playlist_rows(catalog) -> pd.DataFrame:
    """playlist_id, catalog row, release date: one row per distinct (playlist, catalog item)."""
    raw = _read("tidytuesday_spotify_songs.parquet")
    norm = normalize_frame(pd.DataFrame({"track_id": raw["track_id"], "title": raw["track_name"],
                                         "artists": raw["track_artist"]}), where="tidytuesday")
    rows, _ = catalog.match(norm)
    out = pd.DataFrame({"playlist_id": raw["playlist_id"], "row": rows,
                        "release_date": raw["track_album_release_date"].fillna("").astype(str)})
    return out[out["row"] >= 0].drop_duplicates(["playlist_id", "row"]).reset_index(drop=True)


def _held_out(tracks: int, holdout: float) -> int:
    """How many of a playlist's newest tracks are held out: round(holdout * n), at least one, none for a
    playlist under MIN_TRACKS."""
    return max(1, int(round(holdout * tracks))) if tracks >= MIN_TRACKS else 0


def time_split(pairs: pd.DataFrame, holdout: float = HOLDOUT, seed: int = 0) -> Split:
    """Per playlist: the newest round(holdout * n) tracks (at least one) go to test."""
    rng = np.random.default_rng(seed)
    pairs = pairs.assign(tiebreak=rng.random(len(pairs)))
    playlists, train, test = [], [], []
    for pid, group in pairs.sort_values(["playlist_id", "release_date", "tiebreak"]).groupby("playlist_id", sort=True):
        rows = group["row"].to_numpy()
        n_test = _held_out(len(rows), holdout)
        playlists.append(pid)
        train.append(rows[:len(rows) - n_test])
        test.append(rows[len(rows) - n_test:])
    return Split(playlists, train, test)


def inner_split(split: Split, holdout: float = HOLDOUT) -> Split:
    """The same time rule applied inside each playlist's training part (validation without the test)."""
    train, test = [], []
    for rows in split.train:
        n_test = _held_out(len(rows), holdout)
        train.append(rows[:len(rows) - n_test])
        test.append(rows[len(rows) - n_test:])
    return Split(split.playlists, train, test)


def tidytuesday_users(index, catalog, seed: int = 0):
    """The same split as items of a CatalogIndex: (membership playlists x items from the training parts,
    validation users, test users). A user is (owned item indices, truth item indices); playlists with
    test tracks are halved at random (fixed seed) into validation and test."""
    split = time_split(playlist_rows(catalog), seed=seed)
    keys = catalog.tracks["key"].to_numpy()
    position = pd.Series(np.arange(len(index.items)), index=index.items["key"].to_numpy())
    position = position[~position.index.duplicated()]

    def to_items(rows):
        found = position.reindex(keys[rows]).to_numpy()
        return np.unique(found[~np.isnan(found)].astype(int))

    train = [to_items(r) for r in split.train]
    test = [np.setdiff1d(to_items(r), t) for r, t in zip(split.test, train)]
    member_rows = np.repeat(np.arange(len(train)), [len(t) for t in train])
    membership = sparse.csr_matrix((np.ones(len(member_rows), dtype=np.float32), (member_rows, np.concatenate(train))),
                                   shape=(len(train), len(index.items)))
    order = np.random.default_rng(seed).permutation([i for i, t in enumerate(test) if len(t)])
    half = len(order) // 2
    return membership, [(train[i], test[i]) for i in order[:half]], [(train[i], test[i]) for i in order[half:]]


def save_membership(path: Path, membership: sparse.csr_matrix, item_keys: pd.Series) -> None:
    """models/playlists: the membership matrix and the track key of each of its columns."""
    path.mkdir(parents=True, exist_ok=True)
    sparse.save_npz(path / "membership.npz", membership.tocsr().astype(np.float32))
    pd.DataFrame({"key": np.asarray(item_keys)}).to_parquet(path / "item_keys.parquet", index=False)
