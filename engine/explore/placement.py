"""Where a track with predicted features sits when a library is clustered (issue 29, item 3).

A predicted value is the predictor's best guess, and best guesses lean to the middle: for a feature the
metadata says little about, every unknown track gets nearly the library's average. Clustered as they are,
predicted tracks then pile into the clusters nearest the middle ("calm acoustic" 84% predicted beside
"high-energy live" 10%), and a cluster says how sure the predictions were instead of what the music is.

What this module does about it, each step measured by bench/cluster_shares.py (docs/models/clusters-and-map.md):
- `placed_points`: a predicted feature keeps the direction the predictor leans, spread as wide as its
  90% intervals say the true values are (for a calibrated predictor the true values vary as much as the
  guesses plus the interval's variance): a sure guess barely moves, an unsure one is no longer all middle.
- the caller fits the centroids on the tracks whose features are all known, when there are enough of them:
  the kinds of music come from music that was measured.
- `evidence`: what the artist and genres say, from the known tracks that share them (their clusters), as
  a log-likelihood ratio added to a predicted track's score: a track by an artist whose known songs are
  all in one cluster leans there.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MAX_STRETCH = 3.0      # a guess is spread at most 3x as wide: past that the interval, not the guess, decides
MIN_GUESSES = 3        # fewer guesses of a feature than this say nothing about how they lean
NEIGHBOURS = 15        # known tracks that share the most artist and genre words with a predicted one
PRIOR_WEIGHT = 1.0     # pseudo-neighbours at the library's cluster shares: few, weak neighbours say little
EVIDENCE_GAIN = 2.0    # in squared standardized units, the scale of the feature distance it is added to
CHUNK = 2000           # predicted rows per similarity block (rows x known tracks floats at a time)


def placed_points(z: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(points, stretch): standardized features with each guessed feature spread around the guesses'
    mean by sqrt(1 + mean interval variance / variance of the guesses), capped at MAX_STRETCH; known
    values (sigma 0) are where they are. stretch is 1 for a feature with too few guesses."""
    points = z.copy()
    stretch = np.ones(z.shape[1])
    for j in range(z.shape[1]):
        guessed = sigma[:, j] > 0
        if guessed.sum() < MIN_GUESSES:
            continue
        values = z[guessed, j]
        variance = values.var()
        stretch[j] = MAX_STRETCH if variance <= 1e-12 else min(
            MAX_STRETCH, float(np.sqrt(1.0 + (sigma[guessed, j] ** 2).mean() / variance)))
        points[guessed, j] = values.mean() + (values - values.mean()) * stretch[j]
    return points, stretch


def _words(frame: pd.DataFrame) -> list[str]:
    """Each track's artists and genres as words ("a:tyler, the creator", "g:art pop"), one string a track."""
    def column(name):
        values = frame[name] if name in frame else pd.Series("", index=frame.index)
        return values.fillna("").astype(str).str.lower().str.split(r"\s*;\s*")

    return ["\t".join([f"a:{a}" for a in artists if a] + [f"g:{g}" for g in genres if g])
            for artists, genres in zip(column("artists"), column("genres"))]


def neighbours(frame: pd.DataFrame, known: np.ndarray):
    """(unknown rows x known rows) sparse TF-IDF cosine of artist and genre words, each unknown row
    keeping its NEIGHBOURS most similar known tracks; None when there is nothing to compare."""
    unknown, seen = np.flatnonzero(~known), np.flatnonzero(known)
    words = _words(frame)
    if not len(unknown) or not len(seen) or not any(words):
        return None
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(token_pattern=None, tokenizer=lambda s: s.split("\t") if s else [],
                        lowercase=False).fit_transform(words)
    seen_x = x[seen].T.tocsc()
    blocks = []
    for start in range(0, len(unknown), CHUNK):
        similar = (x[unknown[start:start + CHUNK]] @ seen_x).toarray()
        if similar.shape[1] > NEIGHBOURS:
            cut = -np.partition(-similar, NEIGHBOURS - 1, axis=1)[:, NEIGHBOURS - 1:NEIGHBOURS]
            similar = np.where(similar >= cut, similar, 0.0)
        blocks.append(sparse.csr_matrix(similar))
    return sparse.vstack(blocks).tocsr()


def evidence(similar, labels: np.ndarray, known: np.ndarray, k: int) -> np.ndarray:
    """(N, k) log(q / prior) for the tracks not known (0 for known ones): q is the cluster share among a
    predicted track's neighbours (`neighbours`), weighted by similarity and shrunk towards the known
    tracks' cluster shares by PRIOR_WEIGHT; no shared word, no evidence."""
    out = np.zeros((len(labels), k))
    if similar is None:
        return out
    onehot = np.eye(k)[labels[known]]
    prior = (onehot.sum(0) + 1.0) / (known.sum() + k)
    weight = np.asarray(similar.sum(1))
    share = (np.asarray(similar @ onehot) + PRIOR_WEIGHT * prior) / (weight + PRIOR_WEIGHT)
    out[~known] = EVIDENCE_GAIN * np.log(share / prior)
    return out
