"""Evaluation of the audio-feature predictor on three sets, each against baselines from the same run.

Run: python -m engine evaluate [--members 5]   (trains one ensemble per split; ~25 min on 2 cores)

(a) artist holdout: 20% of artists wholly unseen (their tracks and their aggregate rows); their artist
    prior is withheld, since yamaerenay's artist means were computed over those very tracks.
(b) temporal: train on releases up to 2017, test on 2019 and later.
(c) out of distribution: the shipped model on the Exportify samples that carry Spotify's features
    (stripped before predicting), and on real tables never trained on.
Baselines: training mean, artist/genre prior lookup, ridge regression on the same inputs.
"""

from __future__ import annotations

import glob
import json

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

from engine.catalog import datasets as reference
from engine.config import FEATURES, data_dir, models_dir
from engine.predictor.features import Inputs
from engine.predictor.fit import artist_split, real_units, split_training, train_predictor
from engine.library.importers.exportify import read_exportify
from engine.metrics import bootstrap_skill, calibration, regression
from engine.predictor.bundle import AudioPredictor
from engine.schema import release_year
from engine.textnorm import track_keys
from engine.predictor.train import ARTIST_ROW_WEIGHT, TrainConfig, artist_keys, build, hide_artist_prior


def _design(inputs: Inputs) -> np.ndarray:
    return np.hstack([inputs.text, inputs.genre, inputs.mood, inputs.meta, inputs.prior])


def fit_ridge(predictor: AudioPredictor, train_frame: pd.DataFrame, val_frame: pd.DataFrame, encoder) -> Ridge:
    """Ridge on exactly the network's inputs and rows; alpha picked on the early-stopping artists."""
    inputs, y = build(predictor.featurizer, train_frame, encoder)
    val_inputs, y_val = build(predictor.featurizer, val_frame, encoder)
    weight = np.where(train_frame["is_aggregate"], ARTIST_ROW_WEIGHT, 1.0)
    y = np.where(np.isfinite(y), y, predictor.featurizer.feature_mean_)
    best = None
    for alpha in (1.0, 10.0, 100.0):
        model = Ridge(alpha=alpha).fit(_design(inputs), y, sample_weight=weight)
        loss = np.nanmean((model.predict(_design(val_inputs)) - y_val) ** 2)
        if best is None or loss < best[0]:
            best = (loss, model)
    return best[1]


def prior_lookup(inputs: Inputs, feature_mean: np.ndarray) -> np.ndarray:
    """The prior alone: artist means where known, else genre means, else the training mean (training scale)."""
    import torch

    from engine.predictor.model import prior_anchor

    return prior_anchor(torch.from_numpy(inputs.prior), torch.from_numpy(feature_mean.astype(np.float32))).numpy()


def score(predictor: AudioPredictor, ridge: Ridge, frame: pd.DataFrame, encoder, hide_prior: bool,
          with_ci: bool = False) -> dict:
    """Model, ridge, prior lookup and training mean on one test frame, plus the model's calibration."""
    inputs, _ = build(predictor.featurizer, frame, encoder)
    if hide_prior:
        hide_artist_prior(inputs, np.arange(len(inputs)))
    y = frame[FEATURES].to_numpy(dtype=float)
    mean = real_units(predictor.featurizer.feature_mean_[None, :])[0]
    out = predictor.predict_inputs(inputs)
    preds = {
        "model": out["mean"],
        "ridge": real_units(ridge.predict(_design(inputs))),
        "prior_lookup": real_units(prior_lookup(inputs, predictor.featurizer.feature_mean_)),
        "training_mean": np.tile(mean, (len(frame), 1)),
    }
    result = {"n": int(len(frame)), "artist_prior_share": float(inputs.has_artist_prior.mean()),
              "genre_prior_share": float(inputs.has_genre_prior.mean())}
    for name, pred in preds.items():
        result[name] = regression(y, pred, mean)
        if with_ci:
            result[name]["mean_skill_bounded_ci95"] = bootstrap_skill(y, pred, mean)
    result["calibration"] = calibration(y, out["mean"], out["low"], out["high"], out["confidence"])
    return result


def ood_tables(seed: int = 11) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """(calibration half of the 2024 table, {name: evaluation frame}); only tracks unseen in training."""
    catalog = reference.catalog_tracks()
    unseen = catalog[catalog["dataset"].isin(reference.HOLDOUT_TABLES)]
    music = unseen[unseen["dataset"] == "music_dataset_2024"]
    halves = artist_split(artist_keys(music), {"cal": 0.5, "eval": 0.5}, seed=seed)
    sets = {"music_dataset_2024 (eval half)": music[halves["eval"]]}
    for name in ("top_2000s", "most_streamed_2023", "top10s"):
        sets[name] = unseen[unseen["dataset"] == name]
    return music[halves["cal"]], {k: v.reset_index(drop=True) for k, v in sets.items()}


def exportify_with_features() -> pd.DataFrame:
    """The Exportify samples that carry Spotify's features; the features are targets only."""
    frames = []
    for path in sorted(glob.glob(str(data_dir() / "samples" / "exportify" / "*.csv"))):
        frame = read_exportify(path)
        if (frame["source"] == "export").all():
            frames.append(frame.assign(file=path.split("/")[-1]))
    frame = pd.concat(frames, ignore_index=True)
    seen = set(reference.training_tracks()["key"])
    frame["seen_in_training"] = track_keys(frame).isin(seen)
    return frame


def evaluate(encoder, cfg: TrainConfig, log=print) -> dict:
    tracks = reference.training_tracks()
    ood_cal, ood_sets = ood_tables()
    report = {"train_config": cfg.__dict__}

    log("(a) artist holdout")
    keys = artist_keys(tracks)
    part = artist_split(keys, {"test": 0.2, "rest": 0.8}, seed=7)
    test_keys = set(keys[part["test"]])
    predictor = train_predictor(tracks[part["rest"]], encoder, cfg, test_keys, ood_cal, log)
    train_frame, val_frame, _ = split_training(tracks[part["rest"]], cfg, test_keys)
    ridge = fit_ridge(predictor, train_frame, val_frame, encoder)
    test = tracks[part["test"]].reset_index(drop=True)
    with_prior = test[predictor.featurizer.artists.lookup(test["artists"])[1] > 0]
    report["artist_holdout"] = {
        "all test tracks, artist prior withheld": score(predictor, ridge, test, encoder, hide_prior=True),
        "test tracks of artists with a prior, prior used (prior includes these tracks)":
            score(predictor, ridge, with_prior, encoder, hide_prior=False),
    }

    log("(b) temporal split")
    year = release_year(tracks["release_date"])
    predictor = train_predictor(tracks[year <= 2017], encoder, cfg, frozenset(), ood_cal, log)
    train_frame, val_frame, _ = split_training(tracks[year <= 2017], cfg)
    ridge = fit_ridge(predictor, train_frame, val_frame, encoder)
    newest = tracks[year >= 2019].reset_index(drop=True)
    report["temporal"] = {
        "released 2019+, priors as deployed": score(predictor, ridge, newest, encoder, hide_prior=False),
        "released 2019+, artist prior withheld": score(predictor, ridge, newest, encoder, hide_prior=True),
    }

    log("(c) out of distribution: the shipped model")
    shipped = AudioPredictor.load(models_dir() / "audio_predictor", catalog_tracks=reference.catalog_tracks())  # as served
    train_frame, val_frame, _ = split_training(tracks, TrainConfig(**shipped.info["train_config"]))
    ridge = fit_ridge(shipped, train_frame, val_frame, encoder)
    samples = exportify_with_features()
    unseen = samples[~samples["seen_in_training"]].reset_index(drop=True)
    ood = {"exportify samples, all (features stripped)": score(shipped, ridge, samples, encoder, False, True),
           "exportify samples, tracks unseen in training": score(shipped, ridge, unseen, encoder, False, True)}
    for name, group in samples.groupby("file"):
        ood[f"exportify: {name}"] = score(shipped, ridge, group.reset_index(drop=True), encoder, False, True)
    for name, frame in ood_sets.items():
        ood[f"table: {name}"] = score(shipped, ridge, frame, encoder, False, True)
    report["out_of_distribution"] = ood
    return report


def write_metrics(report: dict) -> None:
    """metrics.json; keeps what `python -m engine recalibrate` measured (its own section)."""
    path = models_dir() / "audio_predictor" / "metrics.json"
    kept = {k: v for k, v in json.loads(path.read_text()).items() if k == "real_library_sets"} if path.exists() else {}
    path.write_text(json.dumps({**report, **kept}, indent=2))
