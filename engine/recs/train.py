"""Training the two-tower recommender on TidyTuesday playlists, and saving its artifact.

Each step takes a batch of playlists and splits every playlist's training tracks again into a
context (what the user tower sees) and targets (what it must rank high): half the time the newest
tracks, like the evaluation's time split, half the time a random share. The loss is a softmax over
every candidate item the playlist does not already hold. Only training tracks are ever used here.

  python -m engine evaluate-recs   (trains, saves models/two_tower and evaluates)
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from engine.recs.model import TwoTowerConfig, TwoTowerModel, softmax_loss
from engine.recs.data import USER_STATS, Vocab, item_arrays
from engine.recs.towers import ITEM_KEYS, to_tensors, user_tensors
from engine.training_config import Schema


@dataclass
class TrainConfig:
    steps: int = 200
    batch: int = 64
    negatives: int = 4096
    lr: float = 2e-3
    weight_decay: float = 1e-4
    target_share: float = 0.2
    time_targets: float = 0.5     # share of steps whose targets are the newest tracks
    seed: int = 0
    use_popularity: bool = True


# configs/two_tower.toml: [training] is TrainConfig, [model] these TwoTowerConfig fields.
CONFIG_SCHEMA = Schema(TrainConfig, TwoTowerConfig, ("artist_dim", "genre_dim", "mood_dim", "text_proj", "hidden",
                                                     "output_dim", "dropout", "temperature", "wide"))
LOG_EVERY = 10  # steps per training-log record (the two-tower trains in steps, not epochs)


def _sample_targets(rows: np.ndarray, cfg: TrainConfig, rng) -> tuple[np.ndarray, np.ndarray]:
    n_target = max(1, int(round(cfg.target_share * len(rows))))
    if rng.random() < cfg.time_targets:  # rows are in release order
        return rows[:-n_target], rows[-n_target:]
    perm = rng.permutation(len(rows))
    return rows[np.sort(perm[n_target:])], rows[perm[:n_target]]


def train_model(items: pd.DataFrame, text: np.ndarray, members: list[np.ndarray], cfg: TrainConfig,
                log=None, model_options: dict | None = None, epoch_log=None) -> tuple[TwoTowerModel, Vocab]:
    """Train on candidate items (rows of `items`) and playlists given as index arrays into them.
    `epoch_log(step=, train_loss=, lr=)` receives the mean loss of every LOG_EVERY steps."""
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    vocab = Vocab.build(items)
    arrays = item_arrays(items, vocab, text)
    item_t = to_tensors(arrays, ITEM_KEYS)
    config = TwoTowerConfig(num_artists=len(vocab.artists), num_genres=len(vocab.genres),
                            user_stats_dim=len(USER_STATS), use_popularity=cfg.use_popularity,
                            **(model_options or {}))
    model = TwoTowerModel(config)
    optim = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    usable = [m for m in members if len(m) >= 2]
    steps = cfg.steps
    sched = torch.optim.lr_scheduler.OneCycleLR(optim, max_lr=cfg.lr, total_steps=steps, pct_start=0.1)
    started, losses = time.time(), []
    for step in range(steps):
        model.train()
        batch = rng.choice(len(usable), size=min(cfg.batch, len(usable)), replace=False)
        context, targets = zip(*(_sample_targets(usable[i], cfg, rng) for i in batch))
        users = user_tensors(arrays, list(context), vocab)
        # Sampled softmax: the batch's targets and held tracks plus uniform random negatives
        # (uniform sampling needs no logQ correction); a full softmax costs 6x more per step.
        pool = np.unique(np.concatenate([*context, *targets, rng.choice(len(items), cfg.negatives)]))
        where = np.full(len(items), -1)
        where[pool] = np.arange(len(pool))
        ctx_mask = torch.zeros(len(batch), len(pool))
        tgt_mask = torch.zeros(len(batch), len(pool))
        for b, (c, t) in enumerate(zip(context, targets)):
            ctx_mask[b, torch.from_numpy(where[c].copy())] = 1.0
            tgt_mask[b, torch.from_numpy(where[t].copy())] = 1.0
        pool_t = torch.from_numpy(pool)
        item_vec, bias = model.item_tower(**{k: v[pool_t] for k, v in item_t.items()})
        loss = softmax_loss(model.scores(model.user_tower(**users), item_vec, bias), tgt_mask, ctx_mask)
        optim.zero_grad()
        loss.backward()
        optim.step()
        losses.append(loss.item())
        if epoch_log and (len(losses) == LOG_EVERY or step == steps - 1):
            epoch_log(step=step + 1, train_loss=float(np.mean(losses)), lr=optim.param_groups[0]["lr"])
            losses = []
        sched.step()
        if log and (step % 50 == 0 or step == steps - 1):
            log(f"step {step}/{steps} loss {loss.item():.3f} ({time.time() - started:.0f}s)")
    model.eval()
    return model, vocab


def save_artifact(path: Path, model: TwoTowerModel, vocab: Vocab, cfg: TrainConfig, catalog_keys, vectors,
                  info: dict) -> None:
    """weights.pt (state dict + config), config.json, vocab.json, the catalog's serving vectors."""
    from engine.versions import library_versions

    path.mkdir(parents=True, exist_ok=True)
    torch.save({"config": model.config.to_dict(), "state_dict": model.state_dict()}, path / "weights.pt")
    (path / "vocab.json").write_text(json.dumps(vocab.to_dict()))
    np.save(path / "item_vectors.npy", vectors.astype(np.float16))
    pd.DataFrame({"key": list(catalog_keys)}).to_parquet(path / "item_keys.parquet", index=False)
    config = {"model": model.config.to_dict(), "train": asdict(cfg), "user_stats": USER_STATS,
              "text_encoder": "all-MiniLM-L6-v2 of 'artists - title'", "versions": library_versions(), **info}
    (path / "config.json").write_text(json.dumps(config, indent=2))
