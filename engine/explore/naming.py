"""Human names for clusters from their standardized centroid profiles ("high-energy dance", "quiet acoustic").

A name uses the two features that stand out most (largest |z|), phrased in a fixed reading order so
the words sit naturally; clusters that would share a name get their next most distinctive feature
added until every name is distinct. Same centroids, same names.
"""

from __future__ import annotations

import numpy as np

from engine.config import FEATURES

WORDS = {  # feature -> (word when above the catalog mean, word when below)
    "energy": ("high-energy", "quiet"),
    "valence": ("happy", "melancholic"),
    "danceability": ("dance", "unhurried"),
    "acousticness": ("acoustic", "electric"),
    "instrumentalness": ("instrumental", "vocal"),
    "liveness": ("live", "studio"),
    "speechiness": ("wordy", "sung"),
    "tempo": ("fast", "slow"),
}
READING_ORDER = ["energy", "tempo", "valence", "liveness", "speechiness", "instrumentalness", "acousticness",
                 "danceability"]


def _phrase(z: np.ndarray, used: list[int]) -> str:
    ordered = sorted(used, key=lambda j: READING_ORDER.index(FEATURES[j]))
    return " ".join(WORDS[FEATURES[j]][0 if z[j] >= 0 else 1] for j in ordered)


def name_clusters(centroids: np.ndarray) -> list[str]:
    """One distinct name per standardized centroid."""
    ranks = [list(np.argsort(-np.abs(z))) for z in centroids]
    width = [2] * len(centroids)
    names = [_phrase(z, r[:2]) for z, r in zip(centroids, ranks)]
    for _ in range(len(FEATURES)):
        clashes = {n for n in names if names.count(n) > 1}
        if not clashes:
            break
        for i, name in enumerate(names):
            if name in clashes and width[i] < len(FEATURES):
                width[i] += 1
                names[i] = _phrase(centroids[i], ranks[i][:width[i]])
    seen: dict[str, int] = {}
    for i, name in enumerate(names):  # identical centroids can still clash: number them
        seen[name] = seen.get(name, 0) + 1
        if names.count(name) > 1:
            names[i] = f"{name} {seen[name]}"
    return names
