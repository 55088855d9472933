"""Enriching a library: real features where known, predictions for the rest, cached by content.

Order of trust per feature: values the input brought (source 'export' > 'spotify' > 'reccobeats', an
online provider's measurement; the store merges them in that order) > the reference catalog ('catalog')
> the network ('predicted'). A catalog table that lacks one feature (Organize
Your Music had no instrumentalness) leaves just that feature to the network.
A re-run reads everything from the prediction cache in the store and loads no model at all.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import numpy as np
import pandas as pd

from engine.config import FEATURE_RANGES, FEATURES, models_dir
from engine.predictor.library_intervals import widen
from engine.schema import (CONFIDENCE_COLUMNS, INTERVAL_COLUMNS, OUTPUT_COLUMNS, SCHEMA, clean_text,  # noqa: F401
                           normalize_frame, placeholder_values)

PAYLOAD_COLUMNS = OUTPUT_COLUMNS + INTERVAL_COLUMNS + ["match", "catalog_row"]
PAYLOAD_VERSION = "2"  # bumped when a cached payload gains a field (2: catalog_row), so old entries are not read
UPPER = {f: high for f, (_, high) in FEATURE_RANGES.items()}
PROGRESS_CHUNK = 256  # most tracks predicted between two progress reports (values agree with one batch to 1e-3:
#                      the int8 layers scale activations per batch)
PROGRESS_REPORTS = 10  # a step of fewer tracks still reports about this often (150 tracks took 18 s on two
MIN_CHUNK = 16         # cores in one chunk: issue 29 saw the bar sit empty), in chunks of no fewer than this



class Enricher:
    """Holds the prediction cache and, loaded only when first needed, the catalog, the predictor and the encoder.

    `store` is anything with cached_predictions(keys) and cache_predictions(payloads): the library's
    SQLite store when the caller has one, else a cache in memory. Built by the façade
    (engine.pipeline.facade.Tunescope), which hands it its one catalog (`catalog`: a loaded
    engine.catalog.matching.Catalog, or a callable that loads it on first use).
    """

    def __init__(self, store=None, model_dir=None, use_catalog: bool = True, library_intervals: bool = True,
                 catalog=None):
        """library_intervals: widen predicted intervals by the library's own known tracks
        (engine.predictor.library_intervals); off gives every track the same interval in any library."""
        self.store = store if store is not None else MemoryCache()
        self.model_dir = model_dir or models_dir() / "audio_predictor"
        self.use_catalog, self.library_intervals = use_catalog, library_intervals
        self._catalog_source = catalog
        self._catalog = self._predictor = self._encoder = None

    @property
    def catalog(self):
        if self._catalog is None:
            from engine.catalog.matching import Catalog

            source = self._catalog_source
            self._catalog = source() if callable(source) else source if source is not None else Catalog.load()
        return self._catalog

    @property
    def predictor(self):
        """AudioPredictor.load as it is: with the catalog's real tracks as the artist prior when the catalog is on."""
        if self._predictor is None:
            from engine.predictor.bundle import AudioPredictor

            self._predictor = AudioPredictor.load(self.model_dir,
                                                  catalog_tracks=self.catalog.tracks if self.use_catalog else None)
        return self._predictor

    @property
    def encoder(self):
        if self._encoder is None:
            from engine.encoder import TextEncoder

            self._encoder = TextEncoder()
        return self._encoder

    def model_version(self) -> str:
        """Changes with the weights and with the calibration (recalibrating alone changes every interval)."""
        from engine.predictor.uncertainty import FILES

        weights = self.model_dir / "weights.pt"
        stat = weights.stat() if weights.exists() else None
        if stat is None:
            return "none"
        digest = hashlib.sha256()
        for name in ("calibration.json", *FILES):
            if (self.model_dir / name).exists():
                digest.update((self.model_dir / name).read_bytes())
        intervals = digest.hexdigest()[:12]
        return f"{stat.st_size}:{int(stat.st_mtime)}:{intervals}"

    def enrich(self, frame: pd.DataFrame, where: str = "input", progress=None) -> pd.DataFrame:
        """The input's columns plus OUTPUT_COLUMNS and the 90% intervals; same rows, same order.
        progress(done, total, message), if given, hears each step (loading, matching, predicting in
        chunks of progress_chunk(total) tracks); a library served from the cache reports nothing."""
        return self.enrich_parts(frame, where, progress).frame

    def enrich_parts(self, frame: pd.DataFrame, where: str = "input", progress=None) -> "Enrichment":
        """enrich(), plus what it derived on the way and a recommender needs again: the normalized rows
        (with the genres enrichment added) and each row's catalog row (-1: not in the catalog)."""
        norm = normalize_frame(frame, where=where)
        given = _given_features(frame)
        keys = content_keys(norm, given, self.model_version(), self.use_catalog)
        cached = self.store.cached_predictions(keys)
        todo = np.array([k not in cached for k in keys])
        if todo.any():
            fresh = self._compute(norm[todo].reset_index(drop=True), given[todo], progress or _silent)
            payloads = dict(zip(np.asarray(keys)[todo], fresh.to_dict("records")))
            self.store.cache_predictions(payloads)
            cached.update(payloads)
        result = pd.DataFrame([cached[k] for k in keys], columns=PAYLOAD_COLUMNS)
        catalog_rows = result.pop("catalog_row").to_numpy(dtype=int) if len(result) else np.zeros(0, int)
        factors = self._widening(norm, keys, result, progress or _silent) if self.library_intervals else None
        if factors is not None:
            result = widen(result, factors, np.flatnonzero(result["source"].to_numpy() == "predicted"), UPPER)
        out = frame.copy()
        for col in result.columns:
            out[col] = result[col].to_numpy()
        if self.use_catalog:  # every track whose artist the catalog knows, not only the matched ones
            from engine.catalog.items import with_artist_genres

            column = next((c for c in out.columns if str(c).strip().lower() == "genres"), "genres")
            out[column] = with_artist_genres(norm["genres"].tolist(), norm["artists"].tolist())
            norm["genres"] = clean_text(out[column]).to_numpy()  # as normalize_frame(out) would read them
        if factors is not None:
            out.attrs["interval_widening"] = {f: round(float(x), 3) for f, x in zip(FEATURES, factors)}
        return Enrichment(out, norm, catalog_rows)

    def _widening(self, norm: pd.DataFrame, keys: list[str], result: pd.DataFrame, progress):
        """Per-feature widening from up to MAX_CHECKED known tracks predicted as if unknown (cached like
        any prediction), or None when the library has too few known or no predicted tracks."""
        from engine.predictor.library_intervals import MIN_CHECKED, checked_rows, widening_factors

        source = result["source"].to_numpy()
        if not (source == "predicted").any():
            return None
        rows = checked_rows(source != "predicted")
        if len(rows) < MIN_CHECKED:
            return None
        blind = [f"as-if-unknown|{keys[i]}" for i in rows]
        cached = self.store.cached_predictions(blind)
        todo = [j for j, k in enumerate(blind) if k not in cached]
        if todo:
            fresh = self._predict(norm.iloc[rows[todo]].reset_index(drop=True), progress,
                                  f"checking the intervals on {len(todo):,} tracks with real values")
            payloads = dict(zip([blind[j] for j in todo], fresh[FEATURES + INTERVAL_COLUMNS].to_dict("records")))
            self.store.cache_predictions(payloads)
            cached.update(payloads)
        predicted = pd.DataFrame([cached[k] for k in blind], columns=FEATURES + INTERVAL_COLUMNS)
        return widening_factors(result.iloc[rows][FEATURES].to_numpy(dtype=float), predicted)

    def _predict(self, norm: pd.DataFrame, progress, what: str) -> pd.DataFrame:
        """predict_frame in chunks, reporting after each; the predictor and the encoder's weights load
        first (reported too), so the first chunk takes no longer than the others."""
        total = len(norm)
        if self._predictor is None:
            progress(0, total, "loading the predictor and the text encoder (first time only)")
            _ = self.predictor, getattr(self.encoder, "model", None)
        chunk = progress_chunk(total)
        parts = []
        for start in range(0, total, chunk):
            progress(start, total, what)
            parts.append(self.predictor.predict_frame(norm.iloc[start:start + chunk], self.encoder))
        progress(total, total, what)
        return pd.concat(parts) if parts else self.predictor.predict_frame(norm, self.encoder)

    def _compute(self, norm: pd.DataFrame, given: np.ndarray, progress) -> pd.DataFrame:
        n = len(norm)
        real = given.copy()
        source = np.where(np.isfinite(given).all(axis=1), _given_source(norm), "").astype(object)
        match = np.full(n, "", dtype=object)
        rows = np.full(n, -1)
        if self.use_catalog:
            if self._catalog is None:
                progress(0, n, "loading the reference catalog (first time only)")
            progress(0, n, f"matching {n:,} tracks against the reference catalog")
            rows, how = self.catalog.match(norm)
            found = self.catalog.features(rows)
            use = (source == "") & (rows >= 0)
            real[use] = np.where(np.isfinite(real[use]), real[use], found[use])
            source[use] = "catalog"
            match[rows >= 0] = how[rows >= 0]
        need = ~np.isfinite(real).all(axis=1)
        predicted = pd.DataFrame(index=range(n), columns=FEATURES + CONFIDENCE_COLUMNS + INTERVAL_COLUMNS, dtype=float)
        if need.any():
            sub = norm[need].reset_index(drop=True)
            what = f"predicting audio features for {int(need.sum()):,} tracks"
            predicted.loc[need, :] = self._predict(sub, progress, what)[predicted.columns].to_numpy()
        result = pd.DataFrame(index=range(n))
        for j, feat in enumerate(FEATURES):
            known = np.isfinite(real[:, j])
            result[feat] = np.where(known, real[:, j], predicted[feat].to_numpy(dtype=float))
            result[f"{feat}_confidence"] = np.where(known, 1.0, predicted[f"{feat}_confidence"].to_numpy(dtype=float))
            result[f"{feat}_low"] = np.where(known, real[:, j], predicted[f"{feat}_low"].to_numpy(dtype=float))
            result[f"{feat}_high"] = np.where(known, real[:, j], predicted[f"{feat}_high"].to_numpy(dtype=float))
        result["confidence"] = result[CONFIDENCE_COLUMNS].mean(axis=1)
        result["source"] = np.where(source == "", "predicted", source)
        result["match"] = match
        result["catalog_row"] = rows if self.use_catalog else np.full(n, -1)
        return result

    def predict_track(self, title: str, artists: str, **fields) -> dict:
        """One track for the form: features, confidences, intervals, source, and catalog values if matched."""
        frame = pd.DataFrame([{"title": title, "artists": artists, **{k: v for k, v in fields.items() if k in SCHEMA}}])
        norm = normalize_frame(frame, where="form")
        result = self.predictor.predict_frame(norm, self.encoder).iloc[0].to_dict()
        rows, how = self.catalog.match(norm) if self.use_catalog else (np.array([-1]), np.array([""]))
        result["catalog"] = (dict(zip(FEATURES, self.catalog.features(rows)[0])) if rows[0] >= 0 else None)
        result["match"] = how[0]
        return result


def _silent(done: int, total: int, message: str) -> None:
    pass


def _given_features(frame: pd.DataFrame) -> np.ndarray:
    """(N, 8) features the input itself carries (export or Spotify columns), NaN where absent or
    where no real value could be (outside FEATURE_RANGES: such a value is predicted instead)."""
    lower = {str(c).strip().lower(): c for c in frame.columns}
    out = np.full((len(frame), len(FEATURES)), np.nan)
    for j, feat in enumerate(FEATURES):
        if feat in lower:
            values = pd.to_numeric(frame[lower[feat]], errors="coerce").to_numpy(dtype=float)
            low, high = FEATURE_RANGES[feat]
            with np.errstate(invalid="ignore"):
                out[:, j] = np.where((values >= low) & (values <= high), values, np.nan)
    placeholders = placeholder_values(pd.DataFrame(out, columns=FEATURES)).to_numpy()
    return np.where(placeholders, np.nan, out)  # Spotify's "no analysis" zeros are unknown, not real


def progress_chunk(total: int) -> int:
    """Tracks per prediction chunk: about PROGRESS_REPORTS reports a step, within [MIN_CHUNK, PROGRESS_CHUNK]."""
    return min(PROGRESS_CHUNK, max(MIN_CHUNK, -(-int(total) // PROGRESS_REPORTS)))


GIVEN_SOURCES = ("spotify", "reccobeats")  # named as such; any other given value is the user's export


def _given_source(norm: pd.DataFrame) -> np.ndarray:
    if "source" in norm:
        src = norm["source"].astype(str).str.lower()
        return np.where(src.isin(GIVEN_SOURCES), src, "export")
    return np.full(len(norm), "export", dtype=object)


def content_keys(norm: pd.DataFrame, given: np.ndarray, model_version: str, use_catalog: bool) -> list[str]:
    """A hash of every field the result depends on, plus the model and catalog versions."""
    from engine.catalog.matching import catalog_version

    salt = f"{PAYLOAD_VERSION}|{model_version}|{catalog_version() if use_catalog else 'nocatalog'}"
    text = norm[SCHEMA].apply(lambda col: col.map(str)).agg("\x1f".join, axis=1)
    feats = pd.Series([",".join(f"{v:.6g}" for v in row) for row in given])
    return [hashlib.sha1(f"{salt}\x1e{t}\x1e{f}".encode()).hexdigest() for t, f in zip(text, feats)]


class Enrichment(NamedTuple):
    frame: pd.DataFrame        # what enrich() returns
    norm: pd.DataFrame         # normalize_frame(input), its genres as enrichment filled them
    catalog_rows: np.ndarray   # per row: the reference catalog's row, -1 where the catalog does not know it


class MemoryCache:
    """The prediction cache of a process that has no store."""

    def __init__(self):
        self._payloads: dict[str, dict] = {}

    def cached_predictions(self, keys: list[str]) -> dict[str, dict]:
        return {k: self._payloads[k] for k in keys if k in self._payloads}

    def cache_predictions(self, payloads: dict[str, dict]) -> None:
        self._payloads.update(payloads)
