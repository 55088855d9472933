"""A listener's library as every view of it reads it: one object per stored library version.

    lib = Tunescope().library(library_id)       # engine.pipeline.facade
    lib.tracks                 # the library's rows with the 8 features, confidences, 90% intervals, source
    lib.clusters()             # the library's one cluster model (at its suggested k unless one is given)
    lib.plays()                # every play, oldest first (a streaming history; empty for a playlist)
    lib.episodes()             # every podcast play, apart from the music

Built once per library version by the façade; what is derived from it (clusters per k, the k table,
the plays, the recommender's profile) is derived once and kept on the object. `tracks` hands out a copy,
so a view that edits its frame never changes what the next view reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.pipeline.once import Once
from engine.schema import CONFIDENCE_COLUMNS, INTERVAL_COLUMNS, SCHEMA


@dataclass(eq=False)
class EnrichedLibrary:
    library_id: int
    name: str
    version: str               # the store's library_version this was built from
    frame: pd.DataFrame        # stored columns + OUTPUT_COLUMNS + INTERVAL_COLUMNS + match; read `tracks`
    norm: pd.DataFrame         # the rows normalized once (engine.schema), genres as enrichment filled them
    catalog_rows: np.ndarray   # per row: the reference catalog's row, -1 where it does not know the track
    recency: pd.DataFrame      # per row: `recent`, `days_since_active` (engine.library.recency), for the recommender
    load_plays: object = None  # () -> the plays frame; None: the library has none
    load_episodes: object = None  # () -> the podcast plays (Store.episodes); None: the library has none
    load_catalog_albums: object = None  # () -> the reference catalog's album per catalog row; None: not known
    _memo: Once = field(default_factory=Once, repr=False)

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def tracks(self) -> pd.DataFrame:
        """A copy of the enriched rows (index 0..n-1, the store's order)."""
        return self.frame.copy()

    @property
    def values(self) -> pd.DataFrame:
        return self.frame[FEATURES].copy()

    @property
    def sources(self) -> pd.Series:
        return self.frame["source"].copy()

    @property
    def confidences(self) -> pd.DataFrame:
        return self.frame[CONFIDENCE_COLUMNS + ["confidence"]].copy()

    @property
    def intervals(self) -> pd.DataFrame:
        return self.frame[INTERVAL_COLUMNS].copy()

    def _once(self, name, compute):
        return self._memo.get(name, compute)

    def forget_derived(self, keep=("k_table",)) -> None:
        """Drop the plays, clusters and everything else derived since the library was built, but `keep`
        (benchmarks measure a first view this way: the k table is what every page computed first)."""
        self._memo.forget(keep)

    def has(self, name) -> bool:
        """Whether `name` (e.g. "k_table", ("clusters", k)) is computed already: no wait worth a spinner."""
        return name in self._memo

    def plays(self) -> pd.DataFrame:
        """Every play of the library, oldest first (engine.library.play_tables)."""
        from engine.library.play_tables import PLAY_FIELDS

        return self._once("plays", lambda: self.load_plays() if self.load_plays else pd.DataFrame(columns=PLAY_FIELDS))

    def episodes(self) -> pd.DataFrame:
        """Every podcast play of the library, oldest first: never tracks (engine.library.podcasts)."""
        return self._once("episodes", lambda: self.load_episodes() if self.load_episodes else pd.DataFrame(
            {"played_at": pd.Series(dtype="datetime64[ns, UTC]"), "show": [], "episode": [], "ms_played": []}))

    def listening_tracks(self) -> pd.DataFrame:
        """`tracks` with the album of each track its files leave without one (Spotify's account-data history
        names none) taken from the reference catalog's match, for the Listening page's album tops."""
        return self._once("listening_tracks", self._listening_tracks).copy()

    def _listening_tracks(self) -> pd.DataFrame:
        frame = self.tracks
        album = frame["album"].fillna("").astype(str).str.strip() if "album" in frame else pd.Series("", index=frame.index)
        rows = np.asarray(self.catalog_rows, dtype=np.int64)
        missing = (album == "").to_numpy() & (rows >= 0)
        if missing.any() and self.load_catalog_albums is not None:
            known = np.asarray(self.load_catalog_albums(), dtype=object)
            album = album.to_numpy(dtype=object)
            album[missing] = [str(a) if isinstance(a, str) else "" for a in known[rows[missing]]]
            frame["album"] = album
        return frame

    # ---- the library's one cluster model -----------------------------------------------------------------
    def k_table(self) -> pd.DataFrame:
        """Silhouette per k (engine.explore.clusters.choose_k)."""
        from engine.explore.clusters import choose_k

        return self._once("k_table", lambda: choose_k(self.frame))

    def suggested_k(self) -> int:
        from engine.explore.clusters import suggested_k

        return suggested_k(self.k_table(), len(self))

    def clusters(self, k: int | None = None):
        """The library's clusters at k (default: the suggested k): engine.explore.clusters.LibraryClusters."""
        from engine.explore.clusters import cluster_library

        k = self.suggested_k() if k is None else int(k)
        return self._once(("clusters", k), lambda: cluster_library(self.frame, k))

    def cluster_names(self, k: int | None = None) -> np.ndarray:
        """Each track's cluster name at k, as every page and the CLI show it."""
        result = self.clusters(k)
        return np.asarray(result.names_, dtype=object)[result.labels_]

    def assignments(self, k: int | None = None) -> pd.DataFrame:
        return self.clusters(k).assignments(index=self.frame.index)

    # ---- what the recommender reads ---------------------------------------------------------------------
    @property
    def recs_frame(self) -> pd.DataFrame:
        """The rows with the recency columns the recommender weighs "lately" by (kept off `tracks`)."""
        return self._once("recs_frame", lambda: pd.concat([self.frame, self.recency.set_axis(self.frame.index)], axis=1))

    @property
    def recs_norm(self) -> pd.DataFrame:
        """normalize_frame(recs_frame) without normalizing again: the schema columns from `norm`, the rest as they are."""
        def build():
            frame = self.recs_frame
            extra = [c for c in frame.columns if c not in SCHEMA]
            return pd.concat([self.norm[SCHEMA].reset_index(drop=True), frame[extra].reset_index(drop=True)], axis=1)

        return self._once("recs_norm", build)

    def remember(self, name, compute):
        """compute() once per library version under `name` (the façade keeps the recommender's profile here)."""
        return self._once(name, compute)
