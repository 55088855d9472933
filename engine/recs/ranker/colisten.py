"""Co-listening between artists, learned from real listeners: a listeners x artists matrix.

A row holds the catalog artists one listener has (library and later plays alike), each 1 / sqrt(number
of that listener's artists) so a 10,000-track library does not outvote a small one. Score for a library
(engine.recs.ranker.context.colisten_scores): M.T @ (M @ affinity). Built only from the listeners a
model is fitted on: a scored listener is never a row of the matrix its features read.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


def colisten_matrix(artist_sets: list[np.ndarray], n_artists: int) -> sparse.csr_matrix:
    rows, cols, vals = [], [], []
    for i, artists in enumerate(artist_sets):
        artists = np.unique(artists)
        rows += [i] * len(artists)
        cols += artists.tolist()
        vals += [1.0 / np.sqrt(max(len(artists), 1))] * len(artists)
    return sparse.csr_matrix((np.asarray(vals, dtype=np.float32), (rows, cols)), shape=(len(artist_sets), n_artists))
