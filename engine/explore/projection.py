"""The library map: UMAP (2-D and 3-D) of the 8 standardized audio features, fitted once on the catalog.

Why features and not the text embedding: the map answers "what does my library sound like", and the
features are what every track has (real or predicted) and what the clusters use, so clusters stay
contiguous on the map. MiniLM of "artist - title" groups by name, not by sound.
The fit uses a fixed sample of the catalog (FIT_SAMPLE tracks) to keep the artifact small; library
tracks are placed with transform. numba's compiled code is cached under TUNESCOPE_HOME/numba so
only the first run on a machine pays for compilation.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.manifold import trustworthiness
from sklearn.preprocessing import StandardScaler

from engine.config import FEATURES, home_dir, models_dir
from engine.errors import EmptyLibraryError, ModelNotFoundError
from engine.catalog.items import feature_matrix

FIT_SAMPLE = 12000
TRUST_SAMPLE = 3000
UMAP_PARAMS = {"n_neighbors": 15, "min_dist": 0.1, "metric": "euclidean"}


def umap_module():
    """Import umap with numba's cache under TUNESCOPE_HOME (the variable must be set before numba loads)."""
    os.environ.setdefault("NUMBA_CACHE_DIR", str(home_dir() / "numba"))
    import umap

    return umap


class MapModel:
    """Learned: scaler_, umap_ {2: UMAP, 3: UMAP}, points_ (the fitted catalog sample with coordinates)."""

    def __init__(self, seed: int = 0, fit_sample: int = FIT_SAMPLE):
        self.seed, self.fit_sample = seed, fit_sample

    def fit(self, frame: pd.DataFrame, log=None) -> "MapModel":
        umap = umap_module()
        if len(frame) == 0:
            raise EmptyLibraryError("MapModel.fit: no tracks to fit on.")
        sample = frame.sample(min(self.fit_sample, len(frame)), random_state=self.seed)
        x = feature_matrix(sample)
        self.scaler_ = StandardScaler().fit(x)
        z = self.scaler_.transform(x)
        self.umap_, self.fit_seconds_ = {}, {}
        keep = [c for c in ["key", "track_id", "title", "artists", "genres", *FEATURES] if c in sample]
        self.points_ = sample[keep].reset_index(drop=True)
        for dims in (2, 3):
            started = time.perf_counter()
            self.umap_[dims] = umap.UMAP(n_components=dims, random_state=self.seed, **UMAP_PARAMS).fit(z)
            self.fit_seconds_[dims] = time.perf_counter() - started
            coords = self.umap_[dims].embedding_
            for axis, name in zip(range(dims), "xyz"):
                self.points_[f"{name}{dims}"] = coords[:, axis].astype(np.float32)
            if log:
                log(f"UMAP {dims}-D fitted on {len(z)} tracks in {self.fit_seconds_[dims]:.0f}s")
        return self

    def transform(self, frame: pd.DataFrame, dims: int = 2) -> np.ndarray:
        """(n, dims) map coordinates for enriched tracks (an empty frame gives an empty array)."""
        if dims not in (2, 3):
            from engine.errors import BadParameterError

            raise BadParameterError(f"dims must be 2 or 3, not {dims}.")
        if len(frame) == 0:
            return np.zeros((0, dims), dtype=np.float32)
        missing = [f for f in FEATURES if f not in frame.columns]
        if missing:
            raise EmptyLibraryError(f"map: the library lacks {', '.join(missing)}; enrich it first.")
        umap_module()
        return self.umap_[dims].transform(self.scaler_.transform(feature_matrix(frame))).astype(np.float32)

    def catalog_points(self, dims: int = 2, sample: int | None = None) -> pd.DataFrame:
        """The fitted catalog tracks (grey context): x, y (, z), title, artists, genres and FEATURES."""
        points = self.points_ if sample is None or sample >= len(self.points_) else \
            self.points_.sample(sample, random_state=self.seed)
        coords = {name: points[f"{name}{dims}"].to_numpy() for name in "xyz"[:dims]}
        context = points[[c for c in ["title", "artists", "genres", *FEATURES] if c in points]]
        out = pd.concat([pd.DataFrame(coords, index=points.index), context], axis=1)
        return out.reset_index(drop=True)

    def trustworthiness(self, frame: pd.DataFrame | None = None, dims: int = 2, n: int = TRUST_SAMPLE) -> float:
        """sklearn trustworthiness (10 neighbours) of the map against the standardized feature space."""
        if frame is None:
            rows = self.points_.sample(min(n, len(self.points_)), random_state=self.seed)
            coords = rows[[f"{a}{dims}" for a in "xyz"[:dims]]].to_numpy()
        else:
            rows = frame.sample(min(n, len(frame)), random_state=self.seed)
            coords = self.transform(rows, dims)
        return float(trustworthiness(self.scaler_.transform(feature_matrix(rows)), coords, n_neighbors=10))

    def save(self, path: Path | str | None = None, metrics: dict | None = None) -> None:
        from engine.versions import library_versions

        path = Path(path or models_dir() / "map")
        path.mkdir(parents=True, exist_ok=True)
        for dims, model in self.umap_.items():
            joblib.dump(model, path / f"umap{dims}d.joblib", compress=3)
        np.savez(path / "scaler.npz", mean=self.scaler_.mean_, scale=self.scaler_.scale_)
        self.points_.to_parquet(path / "points.parquet", index=False)
        config = {"seed": self.seed, "fit_sample": self.fit_sample, "features": FEATURES,
                  "embedding": "8 standardized audio features (tempo / 200)", "umap": UMAP_PARAMS,
                  "versions": library_versions()}
        (path / "config.json").write_text(json.dumps(config, indent=2))
        if metrics is not None:
            (path / "metrics.json").write_text(json.dumps(metrics, indent=2))

    @classmethod
    def load(cls, path: Path | str | None = None) -> "MapModel":
        path = Path(path or models_dir() / "map")
        needed = ["umap2d.joblib", "umap3d.joblib", "scaler.npz", "points.parquet", "config.json"]
        if any(not (path / f).exists() for f in needed):
            raise ModelNotFoundError(f"{path}: the map is not fitted. Run `python -m engine fit-map`.")
        umap_module()
        config = json.loads((path / "config.json").read_text())
        model = cls(config["seed"], config["fit_sample"])
        data = np.load(path / "scaler.npz")
        model.scaler_ = StandardScaler()
        model.scaler_.mean_, model.scaler_.scale_ = data["mean"], data["scale"]
        model.scaler_.var_, model.scaler_.n_features_in_ = data["scale"] ** 2, len(FEATURES)
        model.umap_ = {d: joblib.load(path / f"umap{d}d.joblib") for d in (2, 3)}
        model.points_ = pd.read_parquet(path / "points.parquet")
        return model
