"""A library prepared once for recommendations, kept for the last few libraries.

Normalizing 3,000 rows, matching them to the catalog and building their item-like rows costs far more
than ranking 46,000 catalog items; the Recommendations page asks again with the same library every time
a control moves (k, tempo, energy, a seed, the artist cap). A content fingerprint of the frame is the
key, so an edited library is prepared afresh and a stale one can never be served.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

KEEP = 4  # libraries: one per open session is typical; each holds about 1 MB per 1,000 tracks


@dataclass
class PreparedLibrary:
    norm: pd.DataFrame             # normalize_frame(library)
    lists: dict                    # library_lists(norm): parsed genres and moods
    matched: np.ndarray            # catalog row per library row, -1 where unknown
    keys: np.ndarray               # track_keys(norm), for seed look-ups
    rows: pd.DataFrame             # library_items: one item-like row per library row
    songs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))  # song_key of every row
    memo: dict = field(default_factory=dict)  # per-query results (user vectors), keyed by the query rows


def fingerprint(library: pd.DataFrame) -> str | None:
    """A digest of the frame's columns and values; None when a value cannot be hashed (then no reuse)."""
    try:
        values = pd.util.hash_pandas_object(library, index=False).to_numpy()
    except (TypeError, ValueError):
        return None
    digest = hashlib.blake2b(values.tobytes(), digest_size=16)
    digest.update(repr(list(library.columns)).encode())
    return digest.hexdigest()


class PreparedCache:
    """The last KEEP prepared libraries, safe to share between sessions' threads."""

    def __init__(self, keep: int = KEEP):
        self.keep = keep
        self._entries: OrderedDict[str, PreparedLibrary] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, library: pd.DataFrame, prepare) -> PreparedLibrary:
        key = fingerprint(library)
        if key is None:
            return prepare(library)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        prepared = prepare(library)
        with self._lock:
            self._entries[key] = prepared
            while len(self._entries) > self.keep:
                self._entries.popitem(last=False)
        return prepared


def remember(memo, name: str, compute):
    """compute(), kept in a prepared library's memo under (name, query rows); memo None: just compute."""
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
