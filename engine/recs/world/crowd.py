"""Co-listening at scale, aligned to a CatalogIndex: 7,071 MPD playlists over items and artists, 1,892
Last.fm users over artists. Every score is normalised against popularity (a cosine: divided by the square
root of how many playlists or users hold the candidate), so a hub that every list holds does not win by
being everywhere; the raw counts are kept for the "why", which cites them.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse


class Crowd:
    def __init__(self, index, world):
        """index: the CatalogIndex (its items' keys and artist codes); world: engine.recs.world.artifact.World."""
        n_items, n_artists = len(index.items), index.n_artists
        mpd = world.mpd
        column = index.items_by_key.reindex(world.mpd_keys[mpd.col]).to_numpy()
        keep = np.isfinite(column)
        self.mpd = sparse.csr_matrix((np.ones(int(keep.sum()), np.float32), (mpd.row[keep], column[keep].astype(int))),
                                     shape=(mpd.shape[0], n_items))
        self.mpd.data[:] = 1.0  # two keys of one served item: still one membership
        self.mpd_t = self.mpd.T.tocsr()
        self.item_playlists = np.asarray(self.mpd.sum(0)).ravel()
        by_artist = sparse.csr_matrix((np.ones(n_items, np.float32), (np.arange(n_items), index.artist)),
                                      shape=(n_items, n_artists))
        self.mpd_artists = (self.mpd @ by_artist).tocsr()
        self.mpd_artists.data[:] = 1.0
        self.artist_playlists = np.asarray(self.mpd_artists.sum(0)).ravel()
        codes = index.artist_names.get_indexer(world.lastfm_artists)
        stored = world.lastfm.tocoo()
        known = codes[stored.col] >= 0
        self.lastfm = sparse.csr_matrix((np.ones(int(known.sum()), np.float32), (stored.row[known], codes[stored.col][known])),
                                        shape=(stored.shape[0], n_artists))
        self.lastfm_csc = self.lastfm.tocsc()
        self.artist_listeners = np.asarray(self.lastfm.sum(0)).ravel()
        self.lastfm_users = int(stored.shape[0])
        self.playlists = int(mpd.shape[0])

    # ---- per-library scores (each a per-item or per-artist array) -----------------------------------

    def track_scores(self, owned: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(per item: MPD playlists holding it and at least one owned item, the same / sqrt(its playlists))."""
        held = np.zeros(self.mpd.shape[1], np.float32)
        held[owned] = 1.0
        playlists = (self.mpd @ held) > 0
        shared = self.mpd_t @ playlists.astype(np.float32)
        return shared, shared / np.sqrt(np.maximum(self.item_playlists, 1.0))

    def artist_scores(self, affinity: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(MPD, Last.fm) per artist: how strongly the playlists / users holding the library's artists
        (weighted by the library's affinity) hold this artist, over sqrt(its playlists / users); largest = 1."""
        out = []
        for matrix, df in ((self.mpd_artists, self.artist_playlists), (self.lastfm, self.artist_listeners)):
            weight = matrix @ affinity.astype(np.float32)
            score = np.asarray(matrix.T @ weight).ravel() / np.sqrt(np.maximum(df, 1.0))
            out.append(score / max(score.max(), 1e-9))
        return out[0], out[1]

    # ---- evidence the "why" cites -------------------------------------------------------------------

    def lastfm_partner(self, artist: int, library: dict[int, float]) -> tuple[int, int, int] | None:
        """(library artist code, Last.fm users playing both, users playing the library artist) for the
        library artist whose listeners most often play `artist` (weighted by the library's affinity)."""
        users = self.lastfm_csc[:, artist].indices
        if not len(users) or not library:
            return None
        codes = np.fromiter(library, int)
        both = np.asarray(self.lastfm[users][:, codes].sum(0)).ravel()
        weight = both * np.log1p(np.fromiter(library.values(), float))
        if weight.max() <= 0:
            return None
        best = int(np.argmax(weight))
        return int(codes[best]), int(both[best]), int(self.artist_listeners[codes[best]])


def popularity_map(counts: np.ndarray, popularity: np.ndarray):
    """An increasing map from log(1 + playlists holding a track) to Spotify popularity (0..1), fitted on
    tracks that have both (nan popularity is left out); returns the fitted IsotonicRegression."""
    from sklearn.isotonic import IsotonicRegression

    known = np.isfinite(popularity)
    return IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(np.log1p(counts[known]), popularity[known])


def crowd_of(index, world) -> Crowd | None:
    return None if world is None else Crowd(index, world)

