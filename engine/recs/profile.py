"""What a library gives the recommender, built once per library version and kept for the last few.

Normalizing 3,000 rows, matching them to the catalog and building their item-like rows costs far more
than ranking 46,000 catalog items; the Recommendations page asks again with the same library every time
a control moves (k, tempo, energy, a seed, the artist cap). A content fingerprint of the frame is the
key, so an edited library is profiled afresh and a stale one can never be served.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

KEEP = 4  # libraries: one per open session is typical; each holds about 1 MB per 1,000 tracks


@dataclass
class LibraryProfile:
    norm: pd.DataFrame             # normalize_frame(library)
    lists: dict                    # library_lists(norm): parsed genres and moods
    matched: np.ndarray            # catalog row per library row, -1 where unknown
    keys: np.ndarray               # track_keys(norm), for seed look-ups
    rows: pd.DataFrame             # library_items: one item-like row per library row
    songs: np.ndarray              # song_key of every row
    memo: dict = field(default_factory=dict)  # per-query results (user vectors, contexts), keyed by the query rows


def fingerprint(library: pd.DataFrame) -> str | None:
    """A digest of the frame's columns and values; None when a value cannot be hashed (then no reuse)."""
    try:
        values = pd.util.hash_pandas_object(library, index=False).to_numpy()
    except (TypeError, ValueError):
        return None
    digest = hashlib.blake2b(values.tobytes(), digest_size=16)
    digest.update(repr(list(library.columns)).encode())
    return digest.hexdigest()


class ProfileCache:
    """The last KEEP library profiles, safe to share between sessions' threads."""

    def __init__(self, keep: int = KEEP):
        self.keep = keep
        self._entries: OrderedDict[str, LibraryProfile] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, library: pd.DataFrame, build) -> LibraryProfile:
        key = fingerprint(library)
        if key is None:
            return build(library)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        profile = build(library)
        with self._lock:
            self._entries[key] = profile
            while len(self._entries) > self.keep:
                self._entries.popitem(last=False)
        return profile


def remember(memo, name: str, compute):
    """compute(), kept in a profile's memo under (name, query rows); memo None: just compute."""
    if memo is None:
        return compute()
    store, query = memo
    key = (name, np.asarray(query).tobytes())
    found = store.get(key)
    if found is None:
        if len(store) >= 64:  # many different seed picks on one library: start over rather than grow
            store.clear()
        found = store[key] = compute()
    return found


# ---- per-row weights of a library -------------------------------------------------------------

def track_weights(library: pd.DataFrame) -> np.ndarray:
    """A library track counts 1, plus log(1 + plays) where a history says how often it was played."""
    plays = pd.to_numeric(library["plays"], errors="coerce") if "plays" in library else pd.Series(0.0, index=library.index)
    return 1.0 + np.log1p(np.clip(plays.fillna(0).to_numpy(dtype=float), 0, None))


def recency_arrays(library: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """(recent, days_since_active) per library row (engine.library.recency), None when the frame has
    no dated record at all (a playlist, an undated file)."""
    if "days_since_active" not in library or not library["days_since_active"].notna().any():
        return None
    recent = pd.to_numeric(library["recent"], errors="coerce").fillna(0.0).to_numpy(dtype=float)
    return recent, pd.to_numeric(library["days_since_active"], errors="coerce").to_numpy(dtype=float)


def genre_profile(genre_lists, weights) -> Counter:
    """A library's genre profile: each track's weight shared equally among its genres."""
    profile: Counter = Counter()
    for genres, w in zip(genre_lists, weights):
        for g in genres:
            profile[g] += w / len(genres)
    return profile
