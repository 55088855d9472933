"""From reference data to a calibrated AudioPredictor: splits, featurizer, ensemble, calibration.

Used by `python -m engine train` (the shipped model) and `python -m engine evaluate` (one model per split).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.catalog import datasets as reference
from engine.predictor.calibration import Calibrator
from engine.config import FEATURES, TEMPO_SCALE
from engine.predictor.features import Featurizer, Inputs
from engine.predictor.bundle import AudioPredictor
from engine.predictor.priors import ArtistPriors, CatalogArtistPriors, GenreVocab, scaled
from engine.schema import split_list
from engine.predictor.train import TrainConfig, artist_keys, artist_rows, build, fit_ensemble, hide_artist_prior


def make_featurizer(encoder) -> Featurizer:
    """Artist priors and the genre vocabulary (every yamaerenay genre, encoded once)."""
    artists = reference.artist_table()
    genres = reference.genre_table()
    names = sorted(set(genres["genre"]) | {g for gl in artists["genres"] for g in split_list(gl)})
    known = dict(zip(genres["genre"], scaled(genres)))
    values = np.stack([known.get(n, np.zeros(len(FEATURES), np.float32)) for n in names])
    vocab = GenreVocab(names, encoder.encode(names), values, np.array([n in known for n in names]))
    return Featurizer(ArtistPriors(artists), vocab)


def artist_split(keys: pd.Series, fractions: dict[str, float], seed: int) -> dict[str, np.ndarray]:
    """Boolean masks that put every artist wholly in one part."""
    unique = np.array(sorted(set(keys)))
    rng = np.random.default_rng(seed)
    rng.shuffle(unique)
    bounds = np.cumsum([0.0, *fractions.values()]) * len(unique)
    parts = {}
    for (name, _), lo, hi in zip(fractions.items(), bounds[:-1], bounds[1:]):
        chosen = set(unique[int(lo):int(hi)])
        parts[name] = keys.isin(chosen).to_numpy()
    return parts


def split_training(tracks: pd.DataFrame, cfg: TrainConfig, exclude_artists: set[str] = frozenset()):
    """(train frame with artist aggregates, early-stopping frame, calibration frame); deterministic in cfg.seed."""
    keys = artist_keys(tracks)
    parts = artist_split(keys, {"fit": 0.85, "val": 0.075, "cal": 0.075}, seed=cfg.seed + 101)
    held = set(keys[~parts["fit"]]) | set(exclude_artists)
    train_frame = pd.concat([tracks[parts["fit"]].assign(is_aggregate=False),
                             artist_rows(reference.artist_table(), exclude=held)], ignore_index=True)
    return train_frame, tracks[parts["val"]], tracks[parts["cal"]]


def train_predictor(tracks: pd.DataFrame, encoder, cfg: TrainConfig, exclude_artists: set[str] = frozenset(),
                    ood_calibration: pd.DataFrame | None = None, log=print, epoch_log=None) -> AudioPredictor:
    """Train on `tracks` (+ artist aggregates not in exclude_artists), calibrate on held-out artists + OOD rows."""
    train_frame, val_frame, cal_frame = split_training(tracks, cfg, exclude_artists)
    featurizer = make_featurizer(encoder)
    catalog_rows = [tracks] + ([ood_calibration] if ood_calibration is not None else [])
    featurizer.catalog_artists = CatalogArtistPriors(pd.concat(catalog_rows, ignore_index=True))
    real = train_frame[~train_frame["is_aggregate"]]
    featurizer.fit(real, scaled(real))
    members, config = fit_ensemble(featurizer, train_frame, val_frame, encoder, cfg, log, epoch_log)
    predictor = AudioPredictor(featurizer, members, config, Calibrator(),
                               {"train_rows": int(len(train_frame)), "train_config": cfg.__dict__})
    cal_frames = [cal_frame] + ([ood_calibration] if ood_calibration is not None else [])
    sets = np.repeat(["held-out artists", "out of distribution"][:len(cal_frames)], [len(f) for f in cal_frames])
    calibrate(predictor, pd.concat(cal_frames, ignore_index=True), encoder, sets)
    return predictor


def calibrate(predictor: AudioPredictor, frame: pd.DataFrame, encoder, sets: np.ndarray | None = None) -> None:
    """Fit the calibrator on `frame` as given and again with its artist priors hidden (both regimes occur).

    `sets` names each row's calibration set (each set weighs the same); the hidden copy is a set of its own.
    The shipped model is then recalibrated on real-library-like sets: python -m engine recalibrate.
    """
    inputs, y = build(predictor.featurizer, frame, encoder)
    hidden = inputs.take(np.arange(len(inputs)))
    hide_artist_prior(hidden, np.arange(len(hidden)))
    both = Inputs.concat([inputs, hidden])
    mean, spread = predictor.mean_and_spread(both)
    y = np.concatenate([y, y])
    sets = np.full(len(frame), "calibration") if sets is None else np.asarray(sets)
    sets = np.concatenate([sets, np.char.add(sets.astype(str), ", artist prior withheld")])
    predictor.calibrator.fit(mean, spread, both.completeness, both.has_artist_prior,
                             both.has_genre_prior, y, predictor.featurizer.feature_mean_, sets=sets)


def real_units(values: np.ndarray) -> np.ndarray:
    out = values.astype(np.float64).copy()
    out[:, -1] *= TEMPO_SCALE
    return out
