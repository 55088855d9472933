"""Recommendations over the whole catalog, for a library, a chosen track or a set of tracks.

- method "ranker" (default): candidates in stages, ranked by gradient-boosted trees learned from real
  listeners cut in time (engine.recs.ranker; models/ranker). Shelves (engine.recs.shelves): "yours"
  (artists the library has), "new" (artists it does not have) and "blend" (both, by the ranker's score).
- method "two_tower": the trained user tower describes the seed tracks; an exact FAISS inner-product
  index over the catalog's stored [v / temperature, bias] vectors ranks by the model's score.
- method "content": item-KNN on the standardized features (exact FAISS inner product on unit
  vectors); each seed votes for its neighbours, weighted by the seed's feature confidence.
Every method scores the same catalog index (engine.recs.catalog_index) for the same library profile
(engine.recs.profile). Owned tracks (any library track found in the catalog, by id or by artist + title)
are never returned, nor another version of a song the library has (a remix, a live take: same song_key),
nor one song twice. `match` (percent): for the ranker, its calibrated chance (engine.recs.ranker.serve:
among held-out real listeners' candidates scored alike, the share they added); for two_tower and content,
the share of the catalog tracks the library does not have that this one outranks (99.9 = the best 0.1%).
The served items are the reference catalog's (real features) and models/world's MPD tracks (predicted
features, said in the `features` column).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from engine.config import FEATURES, models_dir
from engine.errors import BadParameterError, EmptyLibraryError, ModelNotFoundError, UnknownSeedError
from engine.recs.catalog_index import CatalogIndex, load_membership
from engine.recs.data import library_items, library_lists
from engine.recs.metrics import best
from engine.recs.profile import LibraryProfile, ProfileCache, recency_arrays, remember, track_weights
from engine.recs.reasons import reasons
from engine.recs.shelves import NAMES as SHELVES, first_k, on_shelf
from engine.recs.world.artifact import load_world
from engine.schema import _bare_id, normalize_frame
from engine.textnorm import artist_key, song_key, track_keys

METHODS = ("ranker", "two_tower", "content")
LOW_CONFIDENCE = 0.35
MAX_K = 500
OUTPUT_COLUMNS = ["rank", "track_id", "title", "artists", "genres", "match", "why", "features", *FEATURES]
TOWER_FILES = ("weights.pt", "vocab.json", "item_vectors.npy", "item_keys.parquet")


class Recommender:
    """The served recommender: one CatalogIndex, the two-tower, the ServedRanker, and the last few library
    profiles; constructed by Recommender.load."""

    def __init__(self, model, vocab, index: CatalogIndex, catalog, ranker=None):
        """model, vocab: the two-tower (engine.recs.towers); index: the CatalogIndex over the served
        catalog frame; catalog: the engine.catalog.matching.Catalog libraries are matched against;
        ranker: the ServedRanker, or None to serve without it."""
        self.model, self.vocab, self.index, self.catalog, self.ranker = model, vocab, index, catalog, ranker
        self._profiles = ProfileCache()

    @classmethod
    def load(cls, path: Path | str | None = None, catalog=None, ranker: bool = True,
             use_world: bool = True) -> "Recommender":
        """path: the two-tower's folder (default models/two_tower; models/playlists and models/ranker are
        its siblings); `catalog`: an already loaded engine.catalog.matching.Catalog to share (the dashboard's
        enricher has one); ranker=False: without the learned ranker (its training, which may change its
        features, needs none); use_world=False: the reference catalog alone, without models/world."""
        from engine.catalog.items import catalog_items
        from engine.catalog.matching import Catalog
        from engine.recs.towers import load_model

        path = Path(path or models_dir() / "two_tower")
        if not all((path / f).exists() for f in TOWER_FILES):
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
        world = load_world(path.parent / "world") if use_world else None
        if world is not None:  # the MPD tracks the catalog lacks: not embedded by the two-tower
            items = pd.concat([items.assign(predicted=False), world.items], ignore_index=True)
            vectors = np.vstack([vectors, np.zeros((len(world.items), vectors.shape[1]), np.float32)])
        membership = load_membership(path.parent / "playlists", items["key"])
        if membership is None:  # two_tower and content still serve; the ranker's signals need the playlists
            membership, ranker = sparse.csr_matrix((0, len(items)), dtype=np.float32), False
        index = CatalogIndex(items, vectors, membership, embedded=len(vectors) - (0 if world is None else len(world.items)))
        index.use_world(world)
        served = None
        if ranker and (path.parent / "ranker" / "model.pkl").exists():
            from engine.recs.ranker.serve import ServedRanker

            served = ServedRanker(index, path.parent / "ranker")
        return cls(model, vocab, index, catalog, served)

    @property
    def matcher(self) -> "ServedMatcher":
        """Library rows to served items (the reference catalog, then models/world): what owned and truth
        tracks are judged by."""
        return ServedMatcher(self.catalog, self.index)

    @property
    def items(self) -> pd.DataFrame:
        """The served catalog frame (CatalogIndex.items)."""
        return self.index.items

    # ---- queries -------------------------------------------------------------------------------------

    def profile(self, library: pd.DataFrame, norm: pd.DataFrame | None = None,
                matched: np.ndarray | None = None) -> LibraryProfile:
        """What the library gives the recommender, built once per library content (the last few are kept).
        norm = normalize_frame(library) and matched = catalog row per library row (-1 unknown) may be
        passed by a caller that computed them already: then neither is computed again."""
        return self._profiles.get(library, lambda frame: self._build_profile(frame, norm, matched))

    def recommend(self, library: pd.DataFrame, k: int = 20, seeds=None, method: str = "ranker",
                  exclude_artists=(), tempo=None, energy=None, max_per_artist: int | None = 3,
                  shelf: str = "blend", profile: LibraryProfile | None = None) -> pd.DataFrame:
        """Top-k catalog tracks for the library (or its seed tracks), owned tracks excluded.
        tempo / energy: optional (low, high) ranges (BPM; 0..1) the recommendations must fall in.
        max_per_artist: at most this many tracks by one (primary) artist, so a library with one
        prolific favourite still gets a varied list; None ranks purely by score. profile: this
        library's LibraryProfile when the caller holds it (else self.profile(library))."""
        self._check(library, k, method, shelf)
        prof = profile if profile is not None else self.profile(library)
        norm, lists, owned_rows = prof.norm, prof.lists, prof.matched
        query = self._seed_rows(norm, prof.keys, seeds)
        memo = (prof.memo, query)
        owned = set(owned_rows[owned_rows >= 0].tolist())
        banned = {artist_key(a) for a in exclude_artists}
        allowed = self._allowed(owned, banned, tempo, energy) & ~remember(
            memo, "songs", lambda: self.index.owned_song_mask(prof.songs))
        lib_q = library.iloc[query]
        pool = min(len(self.index), int(k) * 25)  # room for the artist cap and one version per song
        lists_q = {name: [parsed[i] for i in query] for name, parsed in lists.items()}
        norm_q, rows_q = norm.iloc[query].reset_index(drop=True), prof.rows.iloc[query].reset_index(drop=True)
        scores = None
        if method == "ranker":
            mine = remember((prof.memo, np.arange(len(norm))), "library artists", lambda: self._artist_mask(prof.rows))
            top, scores = self._ranked(lib_q, owned_rows[query], rows_q, memo, allowed, shelf, mine)
        elif method == "two_tower":
            top, _ = self.index.tower_search(self.tower_user(rows_q, memo), allowed, pool)
        else:
            top = best(self.index.content_scores(lib_q), pool, allowed, ties_by_index=True)
        cap = None if max_per_artist is None else int(max_per_artist)
        keep = first_k(top, self.index.artist, int(k), cap, self.index.song_keys)
        if scores is not None:  # the ranker's calibrated chance that a listener adds it (percent)
            match = self.ranker.match(scores[keep], "new" if shelf == "new" else "all", keep, len(top))
        else:
            match = 100.0 * (1.0 - keep / max(int(allowed.sum()), 1))
        top = top[keep]
        whole = (library, norm, np.unique(owned_rows[owned_rows >= 0]))
        out = self._frame(top, match, lib_q, norm_q, lists_q["genres"], memo, whole)
        if not len(out):
            out.attrs["empty"] = self._empty_reason(shelf, seeds is not None, banned, tempo, energy)
        if _low_confidence(lib_q):
            out.attrs["note"] = ("every seed track's features are predicted with low confidence; "
                                 "these recommendations rest on uncertain estimates")
        return out

    def tower_scores(self, profile: LibraryProfile) -> np.ndarray:
        """The two-tower score of every catalog item for the whole profiled library."""
        return self.index.tower_scores(self.tower_user(profile.rows, (profile.memo, np.arange(len(profile.rows)))))

    def user_vector(self, library: pd.DataFrame) -> np.ndarray:
        """(1, d + 1) serving vector of the user tower for these library tracks."""
        return self.tower_user(self.profile(library).rows)

    def tower_user(self, rows: pd.DataFrame, memo=None) -> np.ndarray:
        """The user tower over item-like rows (a profile's rows, or catalog items), kept in `memo`
        (a profile's memo and the query rows) when given."""
        from engine.recs.data import item_arrays
        from engine.recs.towers import serving_users

        return remember(memo, "user", lambda: serving_users(self.model, item_arrays(rows, self.vocab),
                                                            [np.arange(len(rows))], self.vocab))

    # ---- internals -----------------------------------------------------------------------------------

    def _check(self, library: pd.DataFrame, k, method: str, shelf: str) -> None:
        if method not in METHODS:
            raise BadParameterError(f"method must be one of {', '.join(METHODS)}, not {method!r}.")
        if method == "ranker" and self.ranker is None:
            raise ModelNotFoundError("the ranker recommender is not trained (models/ranker, models/playlists). "
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

    def _build_profile(self, library: pd.DataFrame, norm=None, matched=None) -> LibraryProfile:
        norm = normalize_frame(library, where="library") if norm is None else norm
        lists = library_lists(norm)  # the one parse of the library's list columns
        matched = self.index.match(norm, self.catalog.match(norm)[0] if matched is None else np.asarray(matched))
        rows = library_items(library, self.index.items, self.catalog, norm=norm, matched=matched, lists=lists)
        songs = np.unique([song_key(a, t) for a, t in zip(norm["artists"], norm["title"])])
        return LibraryProfile(norm, lists, matched, track_keys(norm).to_numpy(), rows, songs)

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
        items = self.index.items
        allowed = self.index.not_owned(owned)
        if banned:
            allowed &= ~items["artist"].isin(banned).to_numpy()
        for name, bounds in (("tempo", tempo), ("energy", energy)):
            if bounds is not None:
                low, high = bounds
                if low > high:
                    raise BadParameterError(f"{name} range ({low}, {high}): the low end is above the high end.")
                values = items[name].to_numpy(dtype=float)
                allowed &= (values >= low) & (values <= high)
        return allowed

    def _artist_mask(self, rows: pd.DataFrame) -> np.ndarray:
        """Per artist code: whether the whole library has a track by it."""
        mask = np.zeros(self.index.n_artists, bool)
        codes = self.index.artist_names.get_indexer(rows["artist"].to_numpy())
        mask[codes[codes >= 0]] = True
        return mask

    def _empty_reason(self, shelf: str, seeded: bool, banned: set, tempo, energy) -> str:
        filters = [text for text, on in (("the tempo range", tempo is not None), ("the energy range", energy is not None),
                                         ("the excluded artists", bool(banned))) if on]
        if filters:
            return f"No track passes {' and '.join(filters)}: widen or clear {'them' if len(filters) > 1 else 'it'}."
        whose = "the chosen tracks' artists" if seeded else "your artists"
        if shelf == "yours":
            return (f"Every track by {whose} that Tunescope knows is in your library already (or is another "
                    "version of a song you have): try \"New to you\".")
        return "No candidate is left once your library's tracks and artists are left out."

    def _ranked(self, lib_q, matched_q, rows_q, memo, allowed, shelf: str, library_artists=None):
        """The learned ranker's order over its candidates for these library rows (one context per query)."""
        def context():
            return self.ranker.context(rows_q, track_weights(lib_q), matched_q[matched_q >= 0],
                                       self.index.tower_scores(self.tower_user(rows_q, memo)), recency_arrays(lib_q))

        ctx = remember(memo, "ranker", context)
        filters = hashlib.blake2b(np.packbits(allowed).tobytes(), digest_size=16).hexdigest()
        ranked = remember(memo, f"ranked {filters}", lambda: self.ranker.rank(ctx, allowed))  # controls come back
        items, scores = ranked["new" if shelf == "new" else "all"]
        if shelf != "blend":  # by the whole library's artists, so seed mode never calls an owned artist new
            artist_signal = ctx.signals["artist"] if library_artists is None else \
                np.maximum(ctx.signals["artist"], library_artists[self.index.artist])
            keep = on_shelf(shelf, items, artist_signal)
            items, scores = items[keep], scores[keep]
        return items, scores

    def _frame(self, top: np.ndarray, scores: np.ndarray, lib_q: pd.DataFrame, norm_q: pd.DataFrame,
               lib_genres: list[list[str]], memo=None, whole=None) -> pd.DataFrame:
        recs = self.index.items.iloc[top].reset_index(drop=True)
        why = reasons(self.index, self.ranker, top, lib_q, norm_q, lib_genres, memo, whole)
        out = pd.DataFrame({"rank": np.arange(1, len(recs) + 1), "track_id": recs["track_id"],
                            "title": recs["title"], "artists": recs["artists"], "genres": recs["genres"],
                            "match": np.round(np.asarray(scores, float), 1), "why": why,
                            "features": np.where(self.index.predicted[top], "predicted", "real")})
        for feat in FEATURES:
            out[feat] = recs[feat].to_numpy()
        return out[OUTPUT_COLUMNS]


class ServedMatcher:
    """match(frame) -> (served item or -1, how) for a normalized frame: the Catalog's match (exact id, else
    artist + title), then the world's items; the Catalog's own rows are the first served items."""

    def __init__(self, catalog, index: CatalogIndex):
        self.catalog, self.index = catalog, index

    def match(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        rows, how = self.catalog.match(frame)
        served = self.index.match(frame, rows)
        return served, np.where((rows < 0) & (served >= 0), "world", how)


def _low_confidence(lib_q: pd.DataFrame) -> bool:
    if "confidence" not in lib_q:
        return False
    conf = pd.to_numeric(lib_q["confidence"], errors="coerce").to_numpy(dtype=float)
    return bool(np.all(np.nan_to_num(conf, nan=0.0) < LOW_CONFIDENCE))
