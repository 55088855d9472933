"""Settings read from the environment, and the feature names shared everywhere."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FEATURES = [
    "energy", "valence", "danceability", "acousticness",
    "instrumentalness", "liveness", "speechiness", "tempo",
]
BOUNDED_FEATURES = FEATURES[:7]
# What a real value can be: an imported value outside (or not finite) is left out, never stored as real.
FEATURE_RANGES = {**{f: (0.0, 1.0) for f in BOUNDED_FEATURES}, "tempo": (0.0, 300.0)}
DURATION_RANGE_MS = (1_000.0, 6 * 3600 * 1000.0)  # 1 s to 6 h
TEMPO_SCALE = 200.0  # the design scales tempo by 200 BPM so every head lives near 0..1

# Layout of the network's prior block: [8 values centred on the training mean, found flag, evidence]
# for each prior. Evidence: log1p(track count) / 8 for the artist priors, genre similarity for genres.
PRIOR_WIDTH = len(FEATURES) + 2
ARTIST_BLOCK = slice(0, PRIOR_WIDTH)                    # yamaerenay artist means
GENRE_BLOCK = slice(PRIOR_WIDTH, 2 * PRIOR_WIDTH)       # genre means
CATALOG_BLOCK = slice(2 * PRIOR_WIDTH, 3 * PRIOR_WIDTH)  # the artist's other catalog tracks


def data_dir() -> Path:
    """Reference datasets; TUNESCOPE_DATA_DIR, else ../shared/data beside the repo."""
    env = os.environ.get("TUNESCOPE_DATA_DIR")
    return Path(env).expanduser() if env else (ROOT.parent / "shared" / "data")


def home_dir() -> Path:
    """Per-user state (store, caches); TUNESCOPE_HOME, else ~/.tunescope. Created on demand."""
    env = os.environ.get("TUNESCOPE_HOME")
    path = Path(env).expanduser() if env else Path.home() / ".tunescope"
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    return ROOT / "models"
