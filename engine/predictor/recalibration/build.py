"""Real-library-like sets for calibrating the confidences and intervals, and real libraries for judging them.

Calibration (each set a fold of its own): data the ensemble never trained on: the held-out artists of the
training tables (with their artist prior used and withheld) and each unseen (holdout) table. A track that
appears in several sets is kept in the first only, so leaving one fold out of calibration leaves its rows
out entirely (cross-fitting).
Evaluation only (never calibrated on): real libraries with Spotify's features (the features are targets
only): each owner's Exportify playlists and the liked-songs libraries of the listener samples, predicted
with the catalog on (as served) and off. `predicted` marks the rows the catalog does not know: in a real
library those are the predicted ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.catalog import datasets as reference
from engine.predictor.bundle import AudioPredictor
from engine.config import BOUNDED_FEATURES, data_dir
from engine.library.importers.exportify import read_exportify
from engine.predictor.evaluate import exportify_with_features, ood_tables
from engine.predictor.features import Inputs
from engine.predictor.fit import artist_split, split_training
from engine.predictor.train import TrainConfig, artist_keys, build, hide_artist_prior
from engine.textnorm import track_keys

HELD_OUT_ARTISTS = "held-out artists"


@dataclass
class CalibrationRows:
    """Ensemble outputs (training scale) and targets for every row of every set, with its set and fold."""
    mean: np.ndarray
    spread: np.ndarray
    inputs: Inputs
    target: np.ndarray
    set_name: np.ndarray
    fold: np.ndarray
    predicted: np.ndarray

    def take(self, rows: np.ndarray) -> "CalibrationRows":
        return CalibrationRows(self.mean[rows], self.spread[rows], self.inputs.take(rows), self.target[rows],
                               self.set_name[rows], self.fold[rows], self.predicted[rows])


def real_library_sets(predictor: AudioPredictor) -> list[tuple[str, str, pd.DataFrame, bool]]:
    """(set name, fold, frame, withhold the artist prior) for the shipped model, deduplicated by track key.

    The held-out artists are cut into two halves of artists, so cross-fitting can leave one half out and
    still calibrate on the other half's kind of data. The real libraries are left out (evaluation_sets).
    """
    tracks = reference.training_tracks()
    _, _, held_out = split_training(tracks, TrainConfig(**predictor.info["train_config"]))
    halves = artist_split(artist_keys(held_out), {"1": 0.5, "2": 0.5}, seed=13)
    music_cal, tables = ood_tables()
    sets = [("table: music_dataset_2024 (cal half)", "table: music_dataset_2024 (cal half)", music_cal)]
    sets += [(f"table: {name}", f"table: {name}", frame) for name, frame in tables.items()]
    sets += [(f"{HELD_OUT_ARTISTS}, prior used", f"{HELD_OUT_ARTISTS} (half {half})", held_out[rows])
             for half, rows in halves.items()]
    seen: set[str] = set()
    out = []
    for name, fold, frame in sets:
        keys = track_keys(frame)
        frame = frame[~keys.isin(seen).to_numpy()].reset_index(drop=True)
        seen |= set(keys)
        out.append((name, fold, frame, False))
        if name.startswith(HELD_OUT_ARTISTS):  # the same rows again, as a track whose artist has no prior
            out.append((f"{HELD_OUT_ARTISTS}, prior withheld", fold, frame, True))
    return out


LIKED_SONGS = {"LiamWhitenack": "LiamWhitenack__exportify-analysis/Liked_Songs.csv",
               "jacobwolfe49": "jacobwolfe49__spotify-concert-tracker/Liked_Songs.csv"}
LIKED_SONGS_ROWS = 2000  # the 12,043-track library is read at 2,000 tracks spread evenly over it


def evaluation_sets() -> list[tuple[str, str, pd.DataFrame, bool]]:
    """Real libraries with Spotify's features, never calibrated on: each Exportify owner, each liked-songs library."""
    samples = exportify_with_features()
    owners = samples["file"].str.split("__").str[0]
    sets = [(f"exportify: {owner}", group.reset_index(drop=True)) for owner, group in samples.groupby(owners)]
    for owner, path in LIKED_SONGS.items():
        frame = read_exportify(str(data_dir() / "samples" / "listeners" / path))
        frame = frame[frame[BOUNDED_FEATURES].notna().all(axis=1)].reset_index(drop=True)
        if len(frame) > LIKED_SONGS_ROWS:
            frame = frame.iloc[np.linspace(0, len(frame) - 1, LIKED_SONGS_ROWS).round().astype(int)].reset_index(drop=True)
        sets.append((f"liked songs: {owner}", frame))
    return [(name, name, frame, False) for name, frame in sets]


def collect(predictor: AudioPredictor, encoder, sets=None) -> CalibrationRows:
    """Run the ensemble once over every set (the slow step: text encoding and the imputation passes)."""
    catalog_keys = set(reference.catalog_tracks()["key"])
    parts, names, folds, predicted, targets = [], [], [], [], []
    for name, fold, frame, withhold in (real_library_sets(predictor) if sets is None else sets):
        inputs, y = build(predictor.featurizer, frame, encoder)
        if withhold:
            hide_artist_prior(inputs, np.arange(len(inputs)))
        parts.append(inputs)
        targets.append(y)
        names += [name] * len(frame)
        folds += [fold] * len(frame)
        real_library = name.startswith(("exportify", "liked songs"))
        in_catalog = track_keys(frame).isin(catalog_keys).to_numpy()
        predicted.append(~in_catalog if real_library else np.ones(len(frame), bool))
    inputs = Inputs.concat(parts)
    mean, spread = predictor.mean_and_spread(inputs)
    return CalibrationRows(mean, spread, inputs, np.concatenate(targets), np.array(names), np.array(folds),
                           np.concatenate(predicted))


def collect_evaluation(predictor: AudioPredictor, encoder) -> dict[str, CalibrationRows]:
    """The real libraries predicted as served ("served": catalog artist priors on) and with the catalog off."""
    served = predictor.featurizer.catalog_artists
    out = {"served": collect(predictor, encoder, evaluation_sets())}
    predictor.featurizer.catalog_artists = None
    try:
        out["catalog off"] = collect(predictor, encoder, evaluation_sets())
    finally:
        predictor.featurizer.catalog_artists = served
    return out
