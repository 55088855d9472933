"""The one way in: `Tunescope` assembles the engine, and everything that shows or measures a library
(the dashboard, the CLI, the benches, the evaluations) gets its store, libraries, predictor and
recommender here, so they cannot disagree about what a library holds.

    app = Tunescope()                          # the store under TUNESCOPE_HOME, models from models/
    report = import_files(app.store, files)    # engine.library.imports
    lib = app.library(report.library_id)       # EnrichedLibrary: tracks, values, clusters, plays
    recs = app.recommend(lib, shelf="new")

Models load on first use and once per Tunescope (a re-run served from the prediction cache loads none);
the catalog is loaded once and shared by the predictor, the recommender and the nearest-track query.
Safe to share between threads (the dashboard keeps one per server and home).
"""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd

from engine.config import home_dir
from engine.pipeline.enriched import EnrichedLibrary
from engine.pipeline.once import Once


class Tunescope:
    def __init__(self, home: Path | str | None = None, *, memory: bool = False, parent: "Tunescope | None" = None,
                 store=None):
        """home: the folder of the store (default TUNESCOPE_HOME). memory=True: a store in memory, for a
        one-off import that keeps nothing (`scratch()` builds one that shares this one's models and cache).
        store: an open store to use instead (`over(store)`)."""
        self.home = Path(home) if home is not None else home_dir()
        self.memory = memory
        self._parent = parent
        self._lock = threading.Lock()
        self._store = store
        self._parts = Once()  # models and the catalog; a scratch Tunescope uses its root's

    def scratch(self) -> "Tunescope":
        """A Tunescope over a new in-memory store that shares this one's loaded models, and whose
        predictions are cached in this one's store (a re-run of the same file predicts nothing again)."""
        return Tunescope(self.home, memory=True, parent=self)

    def over(self, store) -> "Tunescope":
        """A Tunescope over an already open store (a test's, a bench's), sharing this one's models and cache."""
        return Tunescope(self.home, parent=self, store=store)

    def _root(self) -> "Tunescope":
        return self._parent._root() if self._parent is not None else self

    def _once(self, name: str, build):
        return self._root()._parts.get(name, build)

    # ---- the parts, built once -----------------------------------------------------------------------
    @property
    def store(self):
        """This Tunescope's SQLite store (engine.library.store.Store): home/tunescope.db, or in memory."""
        with self._lock:
            if self._store is None:
                from engine.library.store import Store

                self._store = Store(":memory:") if self.memory else Store(self.home / "tunescope.db")
            return self._store

    @property
    def cache_store(self):
        """Where predictions are cached: the store of the Tunescope this one was scratched from, else its own."""
        return self._root().store

    @property
    def catalog(self):
        """The reference catalog (engine.catalog.matching.Catalog), one per process tree of Tunescopes."""
        from engine.catalog.matching import Catalog

        return self._once("catalog", Catalog.load)

    def enricher(self, use_catalog: bool = True):
        """The Enricher over this home's prediction cache; use_catalog=False predicts every track."""
        from engine.predictor.enrich import Enricher

        return self._once(f"enricher:{use_catalog}", lambda: Enricher(
            store=self.cache_store, use_catalog=use_catalog, catalog=lambda: self.catalog))

    @property
    def predictor(self):
        """The served AudioPredictor, exactly as AudioPredictor.load returns it (catalog artists included)."""
        return self.enricher().predictor

    @property
    def encoder(self):
        return self.enricher().encoder

    def recommender(self, ranker: bool = True):
        """The Recommender over the shared catalog; ranker=False: without the learned ranker (its own
        training, whose features may change, needs none)."""
        from engine.recs.recommend import Recommender

        return self._once(f"recommender:{ranker}", lambda: Recommender.load(catalog=self.catalog, ranker=ranker))

    @property
    def lyrics_model(self):
        from engine.lyrics.serving import LyricsModel

        return self._once("lyrics", lambda: LyricsModel.load(encoder=self.encoder))

    @property
    def nearest_tracks(self):
        from engine.catalog.nearest import NearestTracks

        return self._once("nearest", lambda: NearestTracks(self.catalog))

    # ---- libraries -----------------------------------------------------------------------------------
    def library_version(self, library_id: int, online: bool = True) -> str:
        from engine.library.providers.lookup import PROVIDER

        return self.store.library_version(int(library_id), PROVIDER if online else None)

    def library(self, library_id: int, online: bool = True, progress=None) -> EnrichedLibrary:
        """The stored library with all 8 features, confidences, intervals and source, for this version.
        online=False: for a reader who has not agreed to online lookups, no value fetched online is used.
        progress(done, total, message) hears the enrichment's steps (nothing when the cache has it all)."""
        from engine.library.recency import added_at_column, recency_columns

        library_id = int(library_id)
        version = self.library_version(library_id, online)
        stored = self.store.library_tracks(library_id, online=online)
        names = self.store.libraries().set_index("library_id").get("name", pd.Series(dtype=str))
        name = str(names.get(library_id, "library"))
        if stored.empty:
            from engine.schema import INTERVAL_COLUMNS, OUTPUT_COLUMNS, normalize_frame

            frame = stored.reindex(columns=list(stored.columns) + [c for c in OUTPUT_COLUMNS + INTERVAL_COLUMNS
                                                                   if c not in stored.columns])
            return EnrichedLibrary(library_id, name, version, frame, normalize_frame(frame, where=name),
                                   _no_rows(), pd.DataFrame({"recent": [], "days_since_active": []}),
                                   load_episodes=self._episodes(library_id))
        parts = self.enricher().enrich_parts(stored, where=name, progress=progress)
        plays = self.store.plays(library_id) if self.store.play_count(library_id) else None
        recency = recency_columns(stored["key"].reset_index(drop=True), plays, added_at_column(stored, self.store.file_headers()))
        return EnrichedLibrary(library_id, name, version, parts.frame, parts.norm, parts.catalog_rows,
                               recency.reset_index(drop=True), load_plays=(lambda: plays) if plays is not None else None,
                               load_episodes=self._episodes(library_id),
                               load_catalog_albums=lambda: self.catalog.tracks["album"].to_numpy(dtype=object))

    def _episodes(self, library_id: int):
        """The loader of a library's podcast plays, or None when it has none (a playlist, a music-only history)."""
        return (lambda: self.store.episodes(library_id)) if self.store.episode_count(library_id) else None

    def enrich(self, frame: pd.DataFrame, where: str = "input", progress=None, use_catalog: bool = True) -> pd.DataFrame:
        """A table that is not a stored library (a CSV given to the CLI), enriched the same way."""
        return self.enricher(use_catalog).enrich(frame, where=where, progress=progress)

    def download_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A library's rows (all or a view's selection) with the columns its own files had, unpacked: the
        enriched CSV a listener downloads."""
        from engine.library.file_columns import unpack

        return unpack(frame, self.store.file_headers())

    # ---- what a library gets -------------------------------------------------------------------------
    def recommend(self, library: EnrichedLibrary, **options) -> pd.DataFrame:
        """Recommendations for a stored library (engine.recs.recommend.Recommender.recommend's options);
        the recommender's view of the library is derived once per library version."""
        rec = self.recommender()
        profile = library.remember("recs profile", lambda: rec.profile(
            library.recs_frame, norm=library.recs_norm, matched=library.catalog_rows))
        return rec.recommend(library.recs_frame, profile=profile, **options)

    def recommend_table(self, frame: pd.DataFrame, **options) -> pd.DataFrame:
        """Recommendations for an enriched table that is not a stored library (the CLI's `recommend`)."""
        return self.recommender().recommend(frame, **options)

    def similar_tracks(self, features: dict, k: int = 5) -> pd.DataFrame:
        """The k real catalog tracks nearest to a feature vector (engine.catalog.nearest)."""
        return self.nearest_tracks.query(features, k=k)

    def predict_track(self, title: str, artists: str, **fields) -> dict:
        return self.enricher().predict_track(title, artists, **fields)

    def analyze_lyrics(self, text: str, features: dict, k: int = 8) -> dict:
        return self.lyrics_model.analyze(text, features, k=k)

    def with_online_features(self, frame: pd.DataFrame, client=None, progress=None):
        """A table's empty feature cells filled online (only after the listener agreed; engine.pipeline.online)."""
        from engine.pipeline.online import with_online_features

        return with_online_features(frame, self.cache_store, client, progress)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _no_rows():
    import numpy as np

    return np.zeros(0, dtype=int)
