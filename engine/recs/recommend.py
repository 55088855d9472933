"""Recommendations over the whole catalog, for a library, a chosen track or a set of tracks.

- method "ranker" (default): candidates in stages, ranked by gradient-boosted trees learned from real
  listeners cut in time (engine.recs.ranker; models/ranker). Two shelves: "yours" (artists the library
  has) and "new" (artists it does not have); "blend" mixes them by the ranker's score.
- method "hybrid": artist affinity from plays and saves, playlist neighbours, genre affinity,
  popularity and the two-tower score, weighted as models/hybrid/config.json says (engine.recs.hybrid).

- method "two_tower": the trained user tower describes the seed tracks; an exact FAISS inner-product
  index over the catalog's stored [v / temperature, bias] vectors ranks by the model's score.
- method "content": item-KNN on the standardized features (exact FAISS inner product on unit
  vectors); each seed votes for its neighbours, weighted by the seed's feature confidence.
Owned tracks (any library track found in the catalog, by id or by artist + title) are never returned,
nor another version of a song the library has (a remix, a live take: same song_key), nor one song twice.
`match` is one scale for every method: the share of the catalog tracks the library does not have that
this one outranks for this library (99.9 = in the best 0.1%).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from engine.config import FEATURES, models_dir
from engine.errors import BadParameterError, EmptyLibraryError, ModelNotFoundError, UnknownSeedError
from engine.catalog.items import feature_matrix
from engine.recs.data import library_lists, unit
from engine.recs.hybrid import load_hybrid, shelves
from engine.recs.prepared import PreparedCache, PreparedLibrary, remember as _remember
from engine.recs.reasons import reasons
from engine.recs.songs import distinct_songs, owned_song_mask
from engine.schema import _bare_id, normalize_frame, split_list
from engine.textnorm import artist_key, song_key, track_keys

METHODS = ("ranker", "hybrid", "two_tower", "content")
SHELVES = ("blend", "yours", "new")
LOW_CONFIDENCE = 0.35
SEED_NEIGHBOURS = 200
MAX_K = 500
OUTPUT_COLUMNS = ["rank", "track_id", "title", "artists", "genres", "match", "why", *FEATURES]


class Recommender:
    def __init__(self, model, vocab, items: pd.DataFrame, vectors: np.ndarray, catalog, hybrid=None):
        """hybrid: (weights, playlists x items membership) from models/hybrid; None serves without it."""
        import faiss

        self.model, self.vocab, self.items, self.catalog = model, vocab, items, catalog
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.index = faiss.IndexFlatIP(self.vectors.shape[1])
        self.index.add(self.vectors)
        x = feature_matrix(items)
        self.mean_, self.scale_ = x.mean(0), np.maximum(x.std(0), 1e-9)
        self.content = unit((x - self.mean_) / self.scale_)
        self.content_index = faiss.IndexFlatIP(self.content.shape[1])
        self.content_index.add(self.content)
        self.item_genres = [split_list(text) for text in items["genres"]]  # parsed once per process
        positions = pd.Series(np.arange(len(items)))
        self.items_by_id = positions.set_axis(items["track_id"].to_numpy()).pipe(lambda s: s[~s.index.duplicated()])
        self.items_by_key = positions.set_axis(items["key"].to_numpy()).pipe(lambda s: s[~s.index.duplicated()])
        self.hybrid_weights, self.hybrid, self.ranker = None, None, None
        self._prepared = PreparedCache()
        if hybrid is not None:
            from engine.recs.hybrid import HybridSignals

            self.hybrid_weights, self.hybrid = hybrid[0], HybridSignals(items, self.item_genres, hybrid[1])

    @classmethod
    def load(cls, path: Path | str | None = None, catalog=None, ranker: bool = True) -> "Recommender":
        """`catalog`: an already loaded engine.catalog.matching.Catalog to share (the dashboard's enricher has one);
        ranker=False: without the learned ranker (its training, which may change its features, needs none)."""
        from engine.catalog.items import catalog_items
        from engine.catalog.matching import Catalog
        from engine.recs.towers import load_model

        path = Path(path or models_dir() / "two_tower")
        if not all((path / f).exists() for f in ("weights.pt", "vocab.json", "item_vectors.npy", "item_keys.parquet")):
            raise ModelNotFoundError(f"{path}: the two-tower recommender is not trained. "
                                     "Run `python -m engine evaluate-recs`.")
        model, vocab = load_model(path)
        catalog = catalog if catalog is not None else Catalog.load()
        items = catalog_items(catalog)
        keys = pd.read_parquet(path / "item_keys.parquet")["key"]
        where = pd.Series(np.arange(len(keys)), index=keys.to_numpy())
        where = where[~where.index.duplicated()]
        found = items["key"].isin(where.index).to_numpy()
        if found.mean() < 0.99:
            raise ModelNotFoundError(f"{path}: its item vectors cover {found.mean():.0%} of the current catalog; "
                                     "the data changed since training. Run `python -m engine evaluate-recs`.")
        items = items[found].reset_index(drop=True)
        vectors = np.load(path / "item_vectors.npy").astype(np.float32)[where[items["key"]].to_numpy()]
        rec = cls(model, vocab, items, vectors, catalog, load_hybrid(path.parent / "hybrid", items["key"]))
        if ranker and rec.hybrid is not None and (path.parent / "ranker" / "model.pkl").exists():
            from engine.recs.ranker.serve import ServedRanker

            rec.ranker = ServedRanker(rec, path.parent / "ranker")
        return rec

    # ---- queries -------------------------------------------------------------------------------------

    def recommend(self, library: pd.DataFrame, k: int = 20, seeds=None, method: str = "ranker",
                  exclude_artists=(), tempo=None, energy=None, max_per_artist: int | None = 3,
                  shelf: str = "blend") -> pd.DataFrame:
        """Top-k catalog tracks for the library (or its seed tracks), owned tracks excluded.
        tempo / energy: optional (low, high) ranges (BPM; 0..1) the recommendations must fall in.
        max_per_artist: at most this many tracks by one (primary) artist, so a library with one
        prolific favourite still gets a varied list; None ranks purely by score."""
        if method not in METHODS:
            raise BadParameterError(f"method must be one of {', '.join(METHODS)}, not {method!r}.")
        if method in ("hybrid", "ranker") and (self.hybrid is None or (method == "ranker" and self.ranker is None)):
            raise ModelNotFoundError(f"the {method} recommender is not trained (models/{method}). "
                                     "Run `python -m engine evaluate-recs --listeners`.")
        if shelf not in SHELVES or (shelf != "blend" and method != "ranker"):
            raise BadParameterError(f"shelf must be one of {', '.join(SHELVES)} (yours and new with the ranker), "
                                    f"not {shelf!r}.")
        if not 1 <= int(k) <= MAX_K:
            raise BadParameterError(f"k must be between 1 and {MAX_K}, not {k}.")
        if library is None or len(library) == 0:
            raise EmptyLibraryError("recommend: the library has no tracks. Import a playlist or open the demo library.")
        missing = [f for f in FEATURES if f not in library.columns]
        if missing:
            raise EmptyLibraryError(f"recommend: the library lacks {', '.join(missing)}; enrich it first.")
        prep = self._prepared.get(library, self._prepare)
        norm, lists, owned_rows = prep.norm, prep.lists, prep.matched
        query = self._seed_rows(norm, prep.keys, seeds)
        owned = set(owned_rows[owned_rows >= 0].tolist())
        banned = {artist_key(a) for a in exclude_artists}
        allowed = self._allowed(owned, banned, tempo, energy) & ~_remember(
            (prep.memo, query), "songs", lambda: owned_song_mask(self, prep.songs))
        lib_q = library.iloc[query]
        pool = min(len(self.items), int(k) * 25)  # room for the artist cap and one version per song
        lists_q = {name: [parsed[i] for i in query] for name, parsed in lists.items()}
        norm_q, rows_q = norm.iloc[query].reset_index(drop=True), prep.rows.iloc[query].reset_index(drop=True)
        if method == "ranker":
            top, top_scores = self._ranked(lib_q, norm_q, owned_rows[query], rows_q, (prep.memo, query), allowed, shelf)
        elif method == "hybrid":
            scores, signals = self.hybrid_scores(lib_q, norm_q, owned_rows[query], lists_q, rows=rows_q,
                                                 memo=(prep.memo, query))
            scores = np.where(allowed, scores, -np.inf)
            top = _best(scores, pool if max_per_artist is None else len(scores))  # one artist can fill any pool
            top_scores = scores[top]
        elif method == "two_tower":
            user = self._user(rows_q, (prep.memo, query))
            top, top_scores = self._search(user, allowed, pool)
        else:
            scores = np.where(allowed, self._content_scores(lib_q), -np.inf)
            top = np.argsort(-scores, kind="stable")[:pool]
            top = top[np.isfinite(scores[top])]
            top_scores = scores[top]
        keep = distinct_songs(self, top, int(k), None if max_per_artist is None else int(max_per_artist))
        top, match = top[keep], 100.0 * (1.0 - keep / max(int(allowed.sum()), 1))
        out = self._frame(top, match, lib_q, norm_q, lists_q["genres"], (prep.memo, query))
        if method == "hybrid":
            out["why"] = [f"{shelf}; {why}" for shelf, why in zip(shelves(signals, top), out["why"])]
        if _low_confidence(lib_q):
            out.attrs["note"] = ("every seed track's features are predicted with low confidence; "
                                 "these recommendations rest on uncertain estimates")
        return out

    def similar_tracks(self, features: dict, k: int = 5) -> pd.DataFrame:
        """The k catalog tracks nearest to a feature vector (tempo in BPM), for the predictor form."""
        absent = [f for f in FEATURES if f not in features or features[f] is None or not np.isfinite(features[f])]
        if absent:
            raise BadParameterError(f"similar_tracks needs all 8 features; missing {', '.join(absent)}.")
        if not 1 <= int(k) <= MAX_K:
            raise BadParameterError(f"k must be between 1 and {MAX_K}, not {k}.")
        row = feature_matrix(pd.DataFrame([{f: float(features[f]) for f in FEATURES}]))
        sims, idx = self.content_index.search(unit((row - self.mean_) / self.scale_), int(k))
        out = self.items.iloc[idx[0]][["track_id", "title", "artists", "genres", *FEATURES]].reset_index(drop=True)
        out.insert(0, "rank", np.arange(1, len(out) + 1))
        out.insert(5, "similarity", sims[0])
        return out

    # ---- internals -----------------------------------------------------------------------------------

    def _prepare(self, library: pd.DataFrame) -> PreparedLibrary:
        """Everything about a library that does not depend on the request (see engine.recs.prepared)."""
        from engine.recs.data import library_items

        norm = normalize_frame(library, where="library")
        lists = library_lists(norm)  # the one parse of the library's list columns
        matched = self.catalog.match(norm)[0]
        rows = library_items(library, self.items, self.catalog, norm=norm, matched=matched, lists=lists)
        songs = np.unique([song_key(a, t) for a, t in zip(norm["artists"], norm["title"])])
        return PreparedLibrary(norm, lists, matched, track_keys(norm).to_numpy(), rows, songs)

    def _seed_rows(self, norm: pd.DataFrame, keys: np.ndarray, seeds) -> np.ndarray:
        if seeds is None:
            return np.arange(len(norm))
        seeds = [seeds] if isinstance(seeds, str) else [str(s) for s in seeds]
        seeds = [_bare_id(s) if not ("|" in s) else s for s in seeds]  # Spotify URIs and URLs work too
        if not seeds:
            raise EmptyLibraryError("recommend: the seed selection is empty. Pick at least one track.")
        ids = norm["track_id"].to_numpy()
        hit = np.isin(ids, seeds) | np.isin(keys, seeds)
        known = set(ids) | set(keys)
        unknown = [s for s in seeds if s not in known]
        if unknown:
            raise UnknownSeedError(f"seed track(s) not in the library: {', '.join(unknown[:5])}. "
                                   "Use a track_id (or artist|title key) of a library track.")
        return np.flatnonzero(hit)

    def _allowed(self, owned: set, banned: set, tempo, energy) -> np.ndarray:
        allowed = np.ones(len(self.items), dtype=bool)
        allowed[list(owned)] = False
        if banned:
            allowed &= ~self.items["artist"].isin(banned).to_numpy()
        for name, bounds in (("tempo", tempo), ("energy", energy)):
            if bounds is not None:
                low, high = bounds
                if low > high:
                    raise BadParameterError(f"{name} range ({low}, {high}): the low end is above the high end.")
                values = self.items[name].to_numpy(dtype=float)
                allowed &= (values >= low) & (values <= high)
        return allowed

    def user_vector(self, lib_q: pd.DataFrame, norm=None, matched=None, lists=None) -> np.ndarray:
        """(1, d + 1) serving vector of the user tower for these library tracks; `norm`, `matched` and
        `lists` (their normalized rows, catalog matches and parsed list columns) are reused when the
        caller already has them."""
        from engine.recs.data import library_items

        return self._user(library_items(lib_q, self.items, self.catalog, norm=norm, matched=matched, lists=lists))

    def _user(self, rows: pd.DataFrame, memo=None) -> np.ndarray:
        """The user tower over prepared item rows, reused for the same library and query rows."""
        from engine.recs.data import item_arrays
        from engine.recs.towers import serving_users

        return _remember(memo, "user", lambda: serving_users(self.model, item_arrays(rows, self.vocab),
                                                             [np.arange(len(rows))], self.vocab))

    def hybrid_scores(self, lib_q: pd.DataFrame, norm_q: pd.DataFrame, matched_q: np.ndarray, lists_q: dict,
                      weights: dict | None = None, rows: pd.DataFrame | None = None, memo=None) -> np.ndarray:
        """The hybrid score of every catalog item for these library rows (engine.recs.hybrid); `rows` and
        `memo` (prepared item rows, a place to keep the user vector) skip work a prepared library has done."""
        from engine.recs.data import library_items
        from engine.recs.hybrid import combine, genre_profile, track_weights

        served = weights is None
        weights = weights or self.hybrid_weights
        if rows is None:
            rows = library_items(lib_q, self.items, self.catalog, norm=norm_q, matched=matched_q, lists=lists_q)

        def signals():
            per_track = track_weights(lib_q)
            profile = genre_profile(rows["genres_list"], per_track)
            tower = None
            if weights.get("two_tower"):
                tower = self.vectors @ self._user(rows, memo)[0].astype(np.float32)
            owned = matched_q[matched_q >= 0]
            return self.hybrid.signals(owned, self.hybrid.artist_affinity(rows["artist"].tolist(), per_track),
                                       profile, tower)

        name = "signals+tower" if weights.get("two_tower") else "signals"  # the tower is computed only when weighted
        found = _remember(memo if served else None, name, signals)
        return combine(found, weights), found

    def _ranked(self, lib_q, norm_q, matched_q, rows_q, memo, allowed, shelf: str):
        """The learned ranker's order over its candidates for these library rows (one context per query)."""
        from engine.recs.hybrid import recency_arrays, track_weights

        def context():
            tower = self.vectors @ self._user(rows_q, memo)[0].astype(np.float32)
            return self.ranker.context(self, rows_q, track_weights(lib_q), matched_q[matched_q >= 0], tower,
                                       recency_arrays(lib_q))

        ctx = _remember(memo, "ranker", context)
        filters = hashlib.blake2b(np.packbits(allowed).tobytes(), digest_size=16).hexdigest()
        ranked = _remember(memo, f"ranked {filters}", lambda: self.ranker.rank(ctx, allowed))  # controls come back
        items, scores = ranked["new" if shelf == "new" else "all"]
        if shelf == "yours":
            mine = ctx.signals["artist"][items] > 0
            items, scores = items[mine], scores[mine]
        return items, scores

    def _search(self, user: np.ndarray, allowed: np.ndarray, k: int):
        """Exact top-k by inner product among allowed items: fetching k + (number disallowed) from the
        index always leaves at least k allowed ones when that many exist."""
        fetch = min(len(self.items), k + int((~allowed).sum()))
        scores, idx = self.index.search(np.ascontiguousarray(user, dtype=np.float32), fetch)
        keep = (idx[0] >= 0) & allowed[np.clip(idx[0], 0, None)]
        return idx[0][keep][:k], scores[0][keep][:k]

    def _content_scores(self, lib_q: pd.DataFrame) -> np.ndarray:
        queries = unit((feature_matrix(lib_q) - self.mean_) / self.scale_)
        weight = pd.to_numeric(lib_q.get("confidence", pd.Series(1.0, index=lib_q.index)), errors="coerce")
        weight = np.clip(np.nan_to_num(weight.to_numpy(dtype=float), nan=1.0), 0.05, 1.0)
        sims, idx = self.content_index.search(queries, min(SEED_NEIGHBOURS, len(self.items)))
        scores = np.zeros(len(self.items))
        np.add.at(scores, idx.ravel(), (np.maximum(sims, 0) * weight[:, None]).ravel())
        return scores / weight.sum()

    def _frame(self, top: np.ndarray, scores: np.ndarray, lib_q: pd.DataFrame, norm_q: pd.DataFrame,
               lib_genres: list[list[str]], memo=None) -> pd.DataFrame:
        recs = self.items.iloc[top].reset_index(drop=True)
        out = pd.DataFrame({"rank": np.arange(1, len(recs) + 1), "track_id": recs["track_id"],
                            "title": recs["title"], "artists": recs["artists"], "genres": recs["genres"],
                            "match": np.round(scores.astype(float), 1), "why": reasons(self, top, lib_q, norm_q, lib_genres, memo)})
        for feat in FEATURES:
            out[feat] = recs[feat].to_numpy()
        return out[OUTPUT_COLUMNS]



def _best(scores: np.ndarray, count: int) -> np.ndarray:
    """Indices of the `count` highest finite scores, best first."""
    count = min(count, len(scores))
    part = np.argpartition(-scores, count - 1)[:count]
    part = part[np.argsort(-scores[part], kind="stable")]
    return part[np.isfinite(scores[part])]


def _low_confidence(lib_q: pd.DataFrame) -> bool:
    if "confidence" not in lib_q:
        return False
    conf = pd.to_numeric(lib_q["confidence"], errors="coerce").to_numpy(dtype=float)
    return bool(np.all(np.nan_to_num(conf, nan=0.0) < LOW_CONFIDENCE))
