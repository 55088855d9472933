"""What the recommender knows about every catalog item, built once per process (no library involved).

`CatalogIndex` holds the catalog frame and, aligned to its rows: artist and album codes, popularity, the
track's popularity rank within its artist, year, parsed genres (and unit genre vectors), song keys, the
two-tower's [v / temperature, bias] vectors with an exact FAISS index, the standardized features with their
own exact index, and the TidyTuesday playlist membership (models/playlists) that co-occurrence and playlist
neighbours read. Every scorer and every evaluation reads these arrays; nothing else recomputes them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from engine.catalog.items import feature_matrix
from engine.catalog.items import unit
from engine.schema import split_list
from engine.textnorm import song_key

SEED_NEIGHBOURS = 200  # content: how many nearest catalog items each seed track votes for


class CatalogIndex:
    def __init__(self, items: pd.DataFrame, vectors: np.ndarray, membership: sparse.csr_matrix,
                 embedded: int | None = None):
        """items: the served catalog frame; vectors: its two-tower vectors (row-aligned); membership:
        TidyTuesday playlists x items (load_membership); embedded: how many leading items the two-tower
        embeds (the reference catalog; the world's items after them are not: default all)."""
        import faiss

        self.items = items
        self.embedded = np.arange(len(items)) < (len(items) if embedded is None else embedded)
        self.predicted = items["predicted"].fillna(False).to_numpy(bool) if "predicted" in items else \
            np.zeros(len(items), bool)
        self.world, self.crowd, self.world_matcher = None, None, None
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.tower_index = faiss.IndexFlatIP(self.vectors.shape[1])
        self.tower_index.add(self.vectors)
        x = feature_matrix(items)
        self.mean_, self.scale_ = x.mean(0), np.maximum(x.std(0), 1e-9)
        self.content_index = faiss.IndexFlatIP(x.shape[1])
        self.content_index.add(unit((x - self.mean_) / self.scale_))
        positions = pd.Series(np.arange(len(items)))
        self.items_by_id = positions.set_axis(items["track_id"].to_numpy()).pipe(lambda s: s[~s.index.duplicated()])
        self.items_by_key = positions.set_axis(items["key"].to_numpy()).pipe(lambda s: s[~s.index.duplicated()])

        self.artist, self.artist_names = pd.factorize(items["artist"])
        self.n_artists = len(self.artist_names)
        self.popularity = np.nan_to_num(items["popularity"].to_numpy(dtype=float))  # 0..1 in the catalog; unknown = 0
        album = items["artist"].astype(str) + "\x1f" + items["album"].fillna("").astype(str).str.lower()
        self.album, _ = pd.factorize(album)
        self.year = pd.to_numeric(items["year"], errors="coerce").to_numpy(dtype=float)
        self._artist_statistics()

        texts = items["genres"].fillna("").astype(str).to_numpy()
        parsed = {text: split_list(text) for text in pd.unique(texts)}  # an artist's genres repeat on each track
        self.item_genres = [parsed[text] for text in texts]  # parsed once per process
        genres = pd.Index(sorted({g for gs in self.item_genres for g in gs}))
        rows = np.repeat(np.arange(len(items)), [len(gs) for gs in self.item_genres])
        cols = genres.get_indexer([g for gs in self.item_genres for g in gs])
        self.genre_index = genres
        self.genres = _row_unit(sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(items), len(genres))))
        first_of_artist = items.reset_index(drop=True).drop_duplicates("artist")
        self.artist_genres = {a: self.item_genres[i] for a, i in zip(first_of_artist["artist"], first_of_artist.index)}

        # models/world stores its items' song keys (built by the same song_key); the catalog's are made here
        stored = items["song"].to_numpy(object) if "song" in items else np.full(len(items), None, object)
        todo = pd.isna(stored)
        stored[todo] = [song_key(a, t) for a, t in zip(items["artists"].to_numpy()[todo], items["title"].to_numpy()[todo])]
        self.song_keys = stored
        self._song_codes, songs = pd.factorize(self.song_keys)
        self._song_index = pd.Index(songs)

        self.use_membership(membership)

    def _artist_statistics(self) -> None:
        """Each track's popularity rank within its artist, and each artist's track count and mean popularity."""
        order = np.lexsort((-self.popularity, self.artist))        # by artist, most popular first
        first = np.r_[0, np.flatnonzero(np.diff(self.artist[order])) + 1]
        starts = np.repeat(first, np.diff(np.r_[first, len(order)]))
        self.rank_in_artist = np.empty(len(order), dtype=float)   # listeners add an artist's popular tracks first
        self.rank_in_artist[order] = np.arange(len(order)) - starts
        self.artist_tracks = np.bincount(self.artist, minlength=self.n_artists).astype(float)
        artist_pop = np.bincount(self.artist, weights=self.popularity, minlength=self.n_artists)
        self.artist_popularity = artist_pop / np.maximum(self.artist_tracks, 1)

    def use_world(self, world) -> None:
        """models/world (engine.recs.world.artifact.World) or None: its items must be this index's last rows."""
        from engine.recs.world.artifact import WorldMatcher
        from engine.recs.world.crowd import Crowd

        self.world = world
        if world is not None:
            self.world_matcher = WorldMatcher(world.items, len(self.items) - len(world.items))
            self.crowd = Crowd(self, world)
            self._popularity_from_playlists()

    def _popularity_from_playlists(self) -> None:
        """A catalog track whose table had no popularity (about half of them: charts without that column)
        read as 0, the least popular, and a radio staple passed for a niche find. Where the MPD playlists
        hold it, it gets the popularity its playlist count maps to (the world build's isotonic fit, made
        here on the tracks with both); a track neither knows stays 0."""
        from engine.recs.world.crowd import popularity_map

        known = np.isfinite(self.items["popularity"].to_numpy(dtype=float))
        held = self.crowd.item_playlists > 0
        fit = known & held & ~self.predicted  # the catalog's own Spotify popularity, not the world's mapped one
        if fit.sum() < 100:
            return
        mapping = popularity_map(self.crowd.item_playlists[fit], self.popularity[fit])
        fill = ~known & held
        self.popularity[fill] = mapping.predict(np.log1p(self.crowd.item_playlists[fill]))
        self._artist_statistics()

    def match(self, norm: pd.DataFrame, matched: np.ndarray) -> np.ndarray:
        """Served item per library row: the reference catalog's match (`matched`), then the world's."""
        if self.world_matcher is None:
            return np.asarray(matched)
        from engine.textnorm import track_keys

        return self.world_matcher.extend(track_keys(norm), norm["track_id"], matched)

    def use_membership(self, membership: sparse.csr_matrix) -> None:
        """Playlists x items (load_membership, or interactions.tidytuesday_users when training rebuilds it)."""
        self.membership = membership.tocsr().astype(np.float32)
        by_artist = sparse.csr_matrix((np.ones(len(self.items)), (np.arange(len(self.items)), self.artist)),
                                      shape=(len(self.items), self.n_artists))
        self.playlist_artists = (self.membership @ by_artist).tocsr()            # playlists x artists
        self.playlist_artists.data = np.minimum(self.playlist_artists.data, 1.0)

    def __len__(self) -> int:
        return len(self.items)

    # ---- per-artist and per-item signals for one library ----------------------------------------

    def artist_affinity(self, artists: list[str], weights: np.ndarray) -> np.ndarray:
        """Per artist code: the summed weight of the library's tracks by that artist, largest = 1."""
        codes = self.artist_names.get_indexer(artists)
        known = codes >= 0
        out = np.bincount(codes[known], weights=weights[known], minlength=self.n_artists)
        return out / max(out.max(), 1e-9)

    def artist_days(self, artists: list[str], days: np.ndarray) -> np.ndarray:
        """Per artist code: the fewest days since any of its library tracks was played or saved (nan: none)."""
        out = np.full(self.n_artists, np.inf)
        codes = self.artist_names.get_indexer(artists)
        known = (codes >= 0) & np.isfinite(days)
        np.minimum.at(out, codes[known], days[known])
        return np.where(np.isfinite(out), out, np.nan)

    def _owned_vector(self, owned: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.items), dtype=np.float32)
        out[owned] = 1.0
        return out

    def cooccurrence(self, owned: np.ndarray) -> np.ndarray:
        """Per item: how many (playlist, owned item) pairs it shares a TidyTuesday playlist with."""
        return np.asarray(self.membership.T @ (self.membership @ self._owned_vector(owned))).ravel()

    def signals(self, owned: np.ndarray, affinity: np.ndarray, genre_profile: dict[str, float],
                tower: np.ndarray | None) -> dict[str, np.ndarray]:
        """Per item, each about 0..1: artist (the library's affinity for its artist), neighbours (how strongly
        the playlists sharing the library's artists or exact tracks hold it), genre (cosine to the library's
        genre profile; no genre scores 0), popularity, and two_tower (standardized; zeros without a tower)."""
        playlist_weight = (self.playlist_artists @ affinity) + self.membership @ self._owned_vector(owned)
        neighbours = np.asarray(self.membership.T @ playlist_weight).ravel()
        profile = np.zeros(len(self.genre_index))
        where = self.genre_index.get_indexer(list(genre_profile))
        profile[where[where >= 0]] = np.asarray(list(genre_profile.values()))[where >= 0]
        genre = self.genres @ (profile / max(np.linalg.norm(profile), 1e-9))
        if tower is None:
            tower = np.zeros(len(self.items))
        else:  # standardized over the items the two-tower embeds; the others are unknown to it (nan)
            seen = tower[self.embedded]
            tower = np.where(self.embedded, (tower - seen.mean()) / max(seen.std(), 1e-9), np.nan)
        return {"artist": affinity[self.artist], "neighbours": neighbours / max(neighbours.max(), 1e-9),
                "genre": np.asarray(genre).ravel(), "popularity": self.popularity, "two_tower": tower}

    def owned_song_mask(self, library_songs: np.ndarray) -> np.ndarray:
        """Per item: True where it is a version of one of the library's songs (integer codes, so a request
        compares 46,000 items in well under a millisecond)."""
        found = self._song_index.get_indexer(library_songs)
        held = np.zeros(len(self._song_index), dtype=bool)
        held[found[found >= 0]] = True
        return held[self._song_codes]

    def not_owned(self, owned) -> np.ndarray:
        """Per item: False for the owned item indices, True elsewhere (what every method may rank)."""
        allowed = np.ones(len(self.items), dtype=bool)
        allowed[list(owned) if isinstance(owned, set) else owned] = False
        return allowed

    def items_of(self, catalog_keys: np.ndarray) -> np.ndarray:
        """Served item indices of catalog track keys (keys the served frame lacks are dropped)."""
        return self.items_by_key.reindex(catalog_keys).dropna().astype(int).to_numpy()

    # ---- catalog queries ---------------------------------------------------------------------------

    def tower_scores(self, user: np.ndarray) -> np.ndarray:
        """The two-tower score of every item for one (1, d + 1) user vector."""
        return self.vectors @ user[0].astype(np.float32)

    def tower_search(self, user: np.ndarray, allowed: np.ndarray, k: int):
        """Exact top-k by the two-tower score among allowed items: fetching k + (number disallowed) from
        the index always leaves at least k allowed ones when that many exist."""
        allowed = allowed & self.embedded
        fetch = min(len(self.items), k + int((~allowed).sum()))
        scores, idx = self.tower_index.search(np.ascontiguousarray(user, dtype=np.float32), fetch)
        keep = (idx[0] >= 0) & allowed[np.clip(idx[0], 0, None)]
        return idx[0][keep][:k], scores[0][keep][:k]

    def standardized(self, frame: pd.DataFrame) -> np.ndarray:
        """The 8 features of any rows on the catalog's scale (z-scores)."""
        return (feature_matrix(frame) - self.mean_) / self.scale_

    def content_scores(self, library: pd.DataFrame) -> np.ndarray:
        """Item-KNN on the standardized features: each library row votes for its SEED_NEIGHBOURS nearest items
        (cosine), weighted by its feature confidence; the mean vote per item."""
        queries = unit(self.standardized(library))
        weight = pd.to_numeric(library.get("confidence", pd.Series(1.0, index=library.index)), errors="coerce")
        weight = np.clip(np.nan_to_num(weight.to_numpy(dtype=float), nan=1.0), 0.05, 1.0)
        sims, idx = self.content_index.search(queries, min(SEED_NEIGHBOURS, len(self.items)))
        scores = np.zeros(len(self.items))
        np.add.at(scores, idx.ravel(), (np.maximum(sims, 0) * weight[:, None]).ravel())
        return scores / weight.sum()


def _row_unit(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-9)) @ matrix


def load_membership(path: Path, catalog_keys: pd.Series) -> sparse.csr_matrix | None:
    """models/playlists: TidyTuesday playlists x items (training part of the two-tower's split), its
    columns aligned to catalog_keys by track key; None when it is not shipped."""
    if not (path / "membership.npz").exists() or not (path / "item_keys.parquet").exists():
        return None
    stored = sparse.load_npz(path / "membership.npz").tocoo()
    keys = pd.read_parquet(path / "item_keys.parquet")["key"].to_numpy()
    column = pd.Index(catalog_keys).get_indexer(keys[stored.col])
    keep = column >= 0
    return sparse.csr_matrix((stored.data[keep], (stored.row[keep], column[keep])),
                             shape=(stored.shape[0], len(catalog_keys)))
