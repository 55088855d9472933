"""Names for clusters that say what their own profile says ("high-energy dance", "calm acoustic").

A word names a feature where the cluster clearly differs from the mean of the tracks it was fitted on
(at least CLEAR standard deviations) and lies on the same side of a typical track (TYPICAL, the
reference catalog's mean), so a cluster of the quieter metal covers is not "calm" and a cluster
below the mean in danceability is never "dance". Words whose opposite reading is no property of a
sound (low speechiness is not "sung", low liveness not "studio") exist only in one direction, and
"instrumental" never sits beside "wordy". The strongest two words, in a fixed reading order, name a
cluster; clusters that would share a name take further words, then a number. Same profiles, same names.

    names = name_profiles(z, values)              # z: (k, 8) standardized, values: (k, 8) in real units
    name_problems(name, z_row, value_row)          # [] when every word agrees with the profile
"""

from __future__ import annotations

import numpy as np

from engine.config import FEATURES

WORDS = {  # feature -> (word when clearly above, word when clearly below; None: no word that way)
    "energy": ("high-energy", "calm"),
    "valence": ("happy", "melancholic"),
    "danceability": ("dance", None),
    "acousticness": ("acoustic", "electric"),
    "instrumentalness": ("instrumental", "vocal"),
    "liveness": ("live", None),
    "speechiness": ("wordy", None),
    "tempo": ("fast", "slow"),
}
# The reference catalog's mean track (models/clusters/clusters.npz `mean`, tempo in BPM): a word also
# needs the cluster on its side of it.
TYPICAL = {"energy": 0.64, "valence": 0.48, "danceability": 0.637, "acousticness": 0.247,
           "instrumentalness": 0.111, "liveness": 0.185, "speechiness": 0.11, "tempo": 120.2}
CLEAR = 0.5  # standard deviations from the mean before a feature may name a cluster
EXCLUSIVE = [{"instrumental", "wordy"}]
NEUTRAL = "balanced"  # a cluster no feature sets apart
READING_ORDER = ["energy", "tempo", "valence", "liveness", "speechiness", "instrumentalness", "acousticness",
                 "danceability"]
_WORD_TO = {word: (feature, side) for feature, pair in WORDS.items() for side, word in enumerate(pair) if word}


def _candidates(z: np.ndarray, values: np.ndarray) -> list[tuple[int, str]]:
    """(feature index, word) the profile allows, strongest difference first, exclusive words dropped."""
    found = []
    for j in np.argsort(-np.abs(z)):
        feature = FEATURES[j]
        word = WORDS[feature][0 if z[j] > 0 else 1]
        if word and not name_problems(word, z, values):
            if not any(word in pair and pair & {w for _, w in found} for pair in EXCLUSIVE):
                found.append((int(j), word))
    return found


def _phrase(chosen: list[tuple[int, str]]) -> str:
    ordered = sorted(chosen, key=lambda c: READING_ORDER.index(FEATURES[c[0]]))
    return " ".join(word for _, word in ordered) or NEUTRAL


def name_profiles(z: np.ndarray, values: np.ndarray) -> list[str]:
    """One distinct name per cluster. z: (k, 8) profiles in standard deviations from the mean of the
    tracks clustered; values: the same profiles in real units (tempo in BPM), FEATURES order."""
    candidates = [_candidates(np.asarray(zr, float), np.asarray(vr, float)) for zr, vr in zip(z, values)]
    width = [2] * len(candidates)
    names = [_phrase(c[:2]) for c in candidates]
    for _ in range(len(FEATURES)):
        clashes = {n for n in names if names.count(n) > 1}
        if not clashes:
            break
        for i, name in enumerate(names):
            if name in clashes and width[i] < len(candidates[i]):
                width[i] += 1
                names[i] = _phrase(candidates[i][:width[i]])
    seen: dict[str, int] = {}
    for i, name in enumerate(list(names)):  # profiles too alike for words: number them
        if names.count(name) > 1:
            seen[name] = seen.get(name, 0) + 1
            names[i] = f"{name} {seen[name]}"
    return names


def name_problems(name: str, z: np.ndarray, values: np.ndarray) -> list[str]:
    """Why the name's words disagree with this profile ([] when they all agree): each word's feature
    must be CLEAR standard deviations to its side of the mean and on its side of TYPICAL."""
    problems, words = [], [w for w in name.split() if not w.isdigit() and w != NEUTRAL]
    for word in words:
        if word not in _WORD_TO:
            problems.append(f"'{word}' names no feature")
            continue
        feature, side = _WORD_TO[word]
        j = FEATURES.index(feature)
        sign = 1 if side == 0 else -1
        if sign * z[j] < CLEAR:
            problems.append(f"'{word}': {feature} is {z[j]:+.2f} sd from the mean")
        if sign * (values[j] - TYPICAL[feature]) <= 0:
            problems.append(f"'{word}': {feature} {values[j]:.3g} is on the other side of a typical track's {TYPICAL[feature]}")
    for pair in EXCLUSIVE:
        if pair <= set(words):
            problems.append(f"'{' and '.join(sorted(pair))}' contradict each other")
    return problems
