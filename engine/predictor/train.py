"""Training the audio-feature predictor ensemble.

Run: python -m engine train [--members 5] [--seed 0]

Training rows are real tracks (TRAIN_TABLES) plus the yamaerenay artist aggregates (an artist's mean
features from its genres and name, with its own prior hidden), so the network sees every era and
genre, not just TidyTuesday's six. Fields are dropped at random while training so a bare
"artist - title" still gets a sensible answer.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch

from engine.config import FEATURES
from engine.config import ARTIST_BLOCK, CATALOG_BLOCK, GENRE_BLOCK
from engine.predictor.features import HAS_GENRES_COL, MOOD_NAMES, Featurizer, Inputs
from engine.predictor.bundle import input_tensors
from engine.predictor.model import AudioFeaturePredictor, PredictorConfig, multitask_loss
from engine.predictor.priors import scaled
from engine.schema import SCHEMA
from engine.training_config import Schema
from engine.textnorm import artist_key, primary_artist

ARTIST_ROW_WEIGHT = 0.5


@dataclass
class TrainConfig:
    members: int = 5
    seed: int = 0
    lr: float = 1e-3
    weight_decay: float = 0.01
    batch_size: int = 256
    max_epochs: int = 40
    eta_min: float = 1e-4
    patience: int = 5
    grad_clip: float = 1.0
    drop_artist_prior: float = 0.35
    drop_genres: float = 0.15
    drop_moods: float = 0.5
    drop_meta_field: float = 0.2
    model_options: dict = field(default_factory=dict)  # PredictorConfig overrides, e.g. {"text_dropout": 0.3}


# configs/audio_predictor.toml: [training] is TrainConfig, [model] these PredictorConfig fields.
CONFIG_SCHEMA = Schema(TrainConfig, PredictorConfig, ("text_proj", "genre_proj", "mood_proj", "meta_proj",
                                                      "prior_proj", "hidden", "dropout", "text_dropout",
                                                      "anchor_on_prior"))


def artist_keys(frame: pd.DataFrame) -> pd.Series:
    return frame["artists"].map(lambda a: artist_key(primary_artist(a)))


def artist_rows(artist_table: pd.DataFrame, exclude: set[str]) -> pd.DataFrame:
    """yamaerenay artists as pseudo-tracks: title empty, mean duration, their genres; excluded keys dropped."""
    keys = artist_table["artist"].map(artist_key)
    table = artist_table[~keys.isin(exclude) & (artist_table["count"] > 0)].reset_index(drop=True)
    rows = pd.DataFrame({col: "" for col in SCHEMA}, index=range(len(table)))
    rows["artists"] = table["artist"].str.replace(";", ",", regex=False)
    rows["genres"] = table["genres"]
    rows[["duration_ms", "track_number", "album_total_tracks", "explicit"]] = np.nan
    rows["duration_ms"] = table["duration_ms"]
    for feat in FEATURES:
        rows[feat] = table[feat].to_numpy()
    rows["is_aggregate"] = True
    return rows


def hide_artist_prior(inputs: Inputs, rows: np.ndarray, catalog_too: bool = True) -> None:
    """Blank the artist priors (values, flag, evidence) for the given rows, in place."""
    inputs.prior[rows, ARTIST_BLOCK] = 0.0
    if catalog_too:
        inputs.prior[rows, CATALOG_BLOCK] = 0.0
    inputs.has_artist_prior[rows] = inputs.prior[rows, CATALOG_BLOCK.stop - 2]  # the catalog prior's found flag


def build(featurizer: Featurizer, frame: pd.DataFrame, encoder) -> tuple[Inputs, np.ndarray]:
    """Inputs and scaled targets; aggregate rows never see their own artist prior."""
    inputs = featurizer.transform(frame, encoder)
    if "is_aggregate" in frame:
        rows = np.flatnonzero(frame["is_aggregate"].fillna(False).to_numpy(dtype=bool))
        hide_artist_prior(inputs, rows, catalog_too=False)  # the yamaerenay mean is this row's target
    return inputs, scaled(frame)


def _field_dropout(batch: list[torch.Tensor], cfg: TrainConfig, gen: torch.Generator) -> list[torch.Tensor]:
    text, genre, mood, meta, prior = (t.clone() for t in batch)
    n = text.shape[0]

    def pick(p):
        return torch.rand(n, generator=gen) < p

    prior[pick(cfg.drop_artist_prior), ARTIST_BLOCK] = 0.0
    prior[pick(cfg.drop_artist_prior), CATALOG_BLOCK] = 0.0
    drop = pick(cfg.drop_genres)
    genre[drop] = 0.0
    prior[drop, GENRE_BLOCK] = 0.0
    meta[drop, HAS_GENRES_COL] = 0.0
    mood[pick(cfg.drop_moods)] = 0.0
    fields = torch.rand(n, 6, generator=gen) < cfg.drop_meta_field
    meta[:, :6] = torch.where(fields, torch.zeros_like(meta[:, :6]), meta[:, :6])
    meta[:, 6:12] = torch.where(fields, torch.ones_like(meta[:, 6:12]), meta[:, 6:12])
    return [text, genre, mood, meta, prior]


def _val_loss(model, tensors, y_val) -> float:
    with torch.inference_mode():
        model.eval()
        return float(multitask_loss(model(*tensors), y_val))


def fit_member(config: PredictorConfig, cfg: TrainConfig, train: Inputs, y: np.ndarray, weight: np.ndarray,
               val: Inputs, y_val: np.ndarray, seed: int, log=print, epoch_log=None) -> AudioFeaturePredictor:
    """One ensemble member on a bootstrap resample, AdamW + cosine + clipping + early stopping.
    `epoch_log(epoch=, train_loss=, val_loss=, lr=, ...)` receives one record per epoch."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    boot = rng.integers(0, len(train), len(train))
    tensors = input_tensors(train.take(boot))
    targets = torch.from_numpy(y[boot])
    weights = torch.from_numpy(weight[boot].astype(np.float32))
    val_tensors, val_targets = input_tensors(val), torch.from_numpy(y_val)
    model = AudioFeaturePredictor(config)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=cfg.max_epochs, eta_min=cfg.eta_min)
    best, best_state, stale = float("inf"), None, 0
    for epoch in range(cfg.max_epochs):
        model.train()
        order = torch.randperm(len(boot), generator=gen)
        losses = []
        for start in range(0, len(order), cfg.batch_size):
            idx = order[start:start + cfg.batch_size]
            batch = _field_dropout([t[idx] for t in tensors], cfg, gen)
            loss = multitask_loss(model(*batch), targets[idx], weights[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            opt.step()
            losses.append(loss.item())
        lr = opt.param_groups[0]["lr"]
        sched.step()
        current = _val_loss(model, val_tensors, val_targets)
        if epoch_log:
            epoch_log(member_seed=seed, epoch=epoch + 1, train_loss=float(np.mean(losses)), val_loss=current,
                      lr=lr, best_val_loss=min(best, current))
        if current < best - 1e-5:
            best, best_state, stale = current, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= cfg.patience:
                break
    log(f"  member seed={seed}: {epoch + 1} epochs, best val loss {best:.5f}")
    model.load_state_dict(best_state)
    model.eval()
    return model


def fit_ensemble(featurizer: Featurizer, train_frame: pd.DataFrame, val_frame: pd.DataFrame, encoder,
                 cfg: TrainConfig, log=print, epoch_log=None):
    """Featurize, then train cfg.members members; returns (members, model config)."""
    started = time.time()
    train_inputs, y = build(featurizer, train_frame, encoder)
    val_inputs, y_val = build(featurizer, val_frame, encoder)
    weight = np.where(train_frame.get("is_aggregate", pd.Series(False, index=train_frame.index)).fillna(False),
                      ARTIST_ROW_WEIGHT, 1.0)
    config = PredictorConfig(mood_dim=len(MOOD_NAMES), playlist_dim=train_inputs.mood.shape[1] - len(MOOD_NAMES),
                             meta_dim=train_inputs.meta.shape[1],
                             prior_dim=train_inputs.prior.shape[1], genre_dim=train_inputs.genre.shape[1],
                             feature_mean=featurizer.feature_mean_.tolist(), **cfg.model_options)
    log(f"  featurized {len(train_inputs)} train / {len(val_inputs)} val rows in {time.time() - started:.0f}s")
    torch.set_num_threads(max(1, torch.get_num_threads()))
    members = [fit_member(config, cfg, train_inputs, y, weight, val_inputs, y_val, cfg.seed + m, log, epoch_log)
               for m in range(cfg.members)]
    return members, config
