"""Real values online for a table that is not a stored library (`python -m engine predict --online`):
the rows lacking a full set of real features are looked up by Spotify id (engine.library.providers),
and what comes back fills their empty feature cells with source 'reccobeats', below the file's own.

    frame, report = with_online_features(frame, Store())     # only after the user agreed
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.library.providers.lookup import PROVIDER, LookupReport, fetch_features
from engine.library.ranges import within_ranges
from engine.schema import normalize_frame


def with_online_features(frame: pd.DataFrame, store, client=None, progress=None) -> tuple[pd.DataFrame, LookupReport]:
    """A copy of `frame` with fetched values in its empty (or impossible) feature cells; same rows, order."""
    by_name = {str(c).strip().lower(): c for c in frame.columns}
    own = within_ranges(pd.DataFrame({f: frame[by_name[f]] if f in by_name else np.nan for f in FEATURES},
                                     index=frame.index))[0][FEATURES].to_numpy(dtype=float)
    ids = normalize_frame(frame)["track_id"].to_numpy()
    lacking = ~np.isfinite(own).all(axis=1)
    report = fetch_features(store, [str(i) for i in ids[lacking]], client, progress)
    fetched = store.online_features(PROVIDER, ids[lacking].tolist()).reindex(ids)[FEATURES].to_numpy(dtype=float)
    filled = np.where(np.isfinite(own), own, fetched)
    out = frame.copy()
    for j, feature in enumerate(FEATURES):
        out[by_name.get(feature, feature)] = filled[:, j]
    before = out["source"].fillna("").astype(str) if "source" in out else pd.Series("", index=out.index)
    only_fetched = ~np.isfinite(own).any(axis=1) & np.isfinite(fetched).all(axis=1)
    out["source"] = np.where(only_fetched, PROVIDER, before)  # the enricher names the source by this column
    return out, report
