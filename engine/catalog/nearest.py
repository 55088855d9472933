"""The real catalog tracks nearest to a feature vector: the Predictor page's "nearest real tracks".

Cosine over the catalog's standardized features (tempo scaled as everywhere, engine.catalog.items
.feature_matrix). 46,000 tracks x 8 features is one small matrix product, so no index is kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.catalog.items import catalog_items, feature_matrix, unit
from engine.config import FEATURES
from engine.errors import BadParameterError

MAX_K = 500
COLUMNS = ["rank", "track_id", "title", "artists", "genres", "similarity", *FEATURES]


class NearestTracks:
    def __init__(self, catalog):
        self.items_ = catalog_items(catalog)
        x = feature_matrix(self.items_)
        self.mean_, self.scale_ = x.mean(0), np.maximum(x.std(0), 1e-9)
        self.unit_ = unit((x - self.mean_) / self.scale_)

    def query(self, features: dict, k: int = 5) -> pd.DataFrame:
        """The k catalog tracks most similar to `features` (all 8, tempo in BPM), most similar first."""
        absent = [f for f in FEATURES if features.get(f) is None or not np.isfinite(float(features[f]))]
        if absent:
            raise BadParameterError(f"nearest tracks need all 8 features; missing {', '.join(absent)}.")
        if not 1 <= int(k) <= MAX_K:
            raise BadParameterError(f"k must be between 1 and {MAX_K}, not {k}.")
        row = feature_matrix(pd.DataFrame([{f: float(features[f]) for f in FEATURES}]))
        sims = self.unit_ @ unit((row - self.mean_) / self.scale_)[0]
        top = np.argsort(-sims, kind="stable")[:int(k)]
        out = self.items_.iloc[top][["track_id", "title", "artists", "genres", *FEATURES]].reset_index(drop=True)
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        out.insert(5, "similarity", sims[top])
        return out[COLUMNS]
