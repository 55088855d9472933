"""Serving the two-tower recommender: load the artifact, embed items and users (no training code).

Training (engine.recs.train) imports these; the served recommender (engine.recs.recommend) uses them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from engine.config import home_dir
from engine.recs.data import Vocab, item_arrays, user_arrays
from engine.recs.model import TwoTowerConfig, TwoTowerModel

ITEM_KEYS = ["text", "artist", "genres", "moods", "audio", "meta"]
USER_KEYS = ["artist_hist", "genre_hist", "moods", "audio", "stats"]


def text_vectors(frame: pd.DataFrame) -> np.ndarray:
    """MiniLM of "artist - title", through the shared training cache under TUNESCOPE_HOME."""
    from engine.encoder import CachedEncoder
    from engine.predictor.features import text_of

    return CachedEncoder(home_dir() / "cache" / "train_embeddings.npz").encode(text_of(frame))


def to_tensors(arrays: dict, keys: list[str]) -> dict:
    return {k: torch.from_numpy(np.ascontiguousarray(arrays[k])) for k in keys}


def user_tensors(items: dict, members: list[np.ndarray], vocab: Vocab) -> dict:
    return to_tensors(user_arrays(items, members, vocab), USER_KEYS)


@torch.no_grad()
def serving_items(model: TwoTowerModel, items: pd.DataFrame, text: np.ndarray, vocab: Vocab, chunk: int = 8192):
    """(N, d + 1) float32 [v / temperature, bias] for every row of `items`."""
    model.eval()
    arrays = item_arrays(items, vocab, text)
    out = []
    for start in range(0, len(items), chunk):
        part = {k: torch.from_numpy(np.ascontiguousarray(arrays[k][start:start + chunk])) for k in ITEM_KEYS}
        out.append(model.serving_items(*model.item_tower(**part)).numpy())
    return np.concatenate(out) if out else np.zeros((0, 1), np.float32)


@torch.no_grad()
def serving_users(model: TwoTowerModel, items: dict, members: list[np.ndarray], vocab: Vocab) -> np.ndarray:
    model.eval()
    return model.serving_users(model.user_tower(**user_tensors(items, members, vocab))).numpy()


def load_model(path: Path) -> tuple[TwoTowerModel, Vocab]:
    checkpoint = torch.load(path / "weights.pt", map_location="cpu", weights_only=True)
    model = TwoTowerModel(TwoTowerConfig(**checkpoint["config"]))
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()
    vocab = json.loads((path / "vocab.json").read_text())
    return model, Vocab(vocab["artists"], vocab["genres"])
