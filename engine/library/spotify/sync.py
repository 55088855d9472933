"""Sync a Spotify account into the store: saved tracks, playlists and their items, artists' genres,
and audio features where Spotify still serves them.

    report = sync_library(store, SpotifyClient(auth), progress=lambda done, total, msg: ...)

Resumable: every page is written together with the run's cursor (one transaction), so a sync
killed at any point continues after the last written page, never duplicating or losing a track.
Idempotent: a finished run followed by another leaves the same library.

It asks only what it must (see docs/spotify.md, requests per sync): a re-sync whose saved tracks' total
and first page are unchanged keeps what the last sync stored, playlists with an unchanged snapshot id
are not read again, artists' genres come from the catalog's artist table, then from the batch endpoint,
and a refusal of /audio-features is remembered for a week. A save during the read shifts the pages:
the moved `total` is noticed and the saved tracks are read again from the top.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Callable

import pandas as pd

from engine.config import FEATURES
from engine.errors import SpotifyRequestError
from engine.library.spotify.client import ARTISTS_PER_REQUEST, PAGE, SpotifyClient
from engine.library.spotify.genres import ask_spotify, catalog_genres
from engine.library.spotify.track_rows import track_rows
from engine.schema import is_spotify_id

FEATURE_BATCH = 100  # /audio-features takes at most 100 ids
ASK_FEATURES_AGAIN_S = 7 * 24 * 3600  # a refused /audio-features is asked again after a week
MAX_SAVED_REREADS = 5  # saved tracks read again from the top at most this often when they change meanwhile
# What a finished sync hands the next one, so it need not ask again.
CARRIED = ("artist_genres", "features_refused_at", "refused_playlists")  # the batch is tried anew: an app may leave development mode
Progress = Callable[[int, int, str], None]


@dataclass
class SyncReport:
    library_id: int
    user: str
    tracks: int
    saved: int
    playlists: int
    playlist_items: int
    artists: int
    tracks_with_genres: int
    audio_features: str  # 'spotify' (stored), 'unavailable' (403), or 'none' (no tracks to ask about)
    features_stored: int
    unreadable_playlists: list  # names of followed playlists whose items Spotify withholds (403)
    pages: int
    resumed: bool
    retries: int

    def as_dict(self) -> dict:
        return asdict(self)


def sync_library(store, client: SpotifyClient, progress: Progress | None = None) -> SyncReport:
    """Bring the signed-in user's Spotify library into `store`; returns what the library now holds."""
    me = client.me()
    user_id, name = me["id"], me.get("display_name") or me["id"]
    library_id = store.find_library("spotify", owner=user_id) or store.create_library(f"Spotify: {name}", "spotify", user_id)
    store.touch_library(library_id)
    run = store.unfinished_run(library_id, "sync")
    resumed = bool(run and run["cursor"])
    run_id = run["id"] if run else store.start_run(library_id, "sync", {"user": user_id})
    job = _Sync(store, client, library_id, run_id, run["cursor"] if run else _carried(store, library_id), progress)
    job.saved_tracks()
    job.playlists()
    job.playlist_items()
    job.genres()
    job.audio_features()
    store.prune_library(library_id, job.c["saved_ids"])  # what left the account leaves the library
    report = job.report(name, resumed)
    store.finish_run(run_id, "done", report.as_dict())
    return report


def _carried(store, library_id: int) -> dict:
    """A new run's cursor: what the last finished sync learnt (artists' genres, refusals) and what it
    saw of the saved tracks (total, first page, ids), to tell an unchanged account in one request."""
    last = store.last_sync_cursor(library_id)
    if not last:
        return {}
    before = {"total": last.get("saved_total"), "head": last.get("saved_head"), "saved_ids": last.get("saved_ids")}
    return {**{k: last[k] for k in CARRIED if k in last}, "before": before}


class _Sync:
    def __init__(self, store, client, library_id, run_id, cursor, progress):
        self.store, self.client, self.library_id, self.run_id = store, client, library_id, run_id
        self.c = {"stage": "saved", "saved_offset": 0, "saved_total": None, "done_pages": 0, "keys": [], "saved_ids": [],
                  "saved_head": [], "saved_rereads": 0, "credits": {}, "artist_names": {}, "artist_genres": {},
                  "batch_artists": True, "features": "untried", "features_refused_at": None,
                  "feature_offset": 0, "features_stored": 0, "unreadable": [], "before": {},
                  "refused_playlists": {},  # followed playlists whose items were refused: id -> snapshot id
                  **cursor}
        if "artists" in self.c:  # a run interrupted before credits were kept per track: artist -> keys
            for artist_id, keys in self.c.pop("artists").items():
                for key in keys:
                    self.c["credits"].setdefault(key, []).append(artist_id)
        self.progress = progress or (lambda done, total, message: None)
        self._seen = set(self.c["keys"])

    # --- stages, each resumable from the cursor --------------------------------------------------
    def saved_tracks(self) -> None:
        while self.c["stage"] == "saved":
            page = self.client.saved_tracks(offset=self.c["saved_offset"])
            total = page.get("total") or 0
            entries = page.get("items") or []
            frame, artist_ids = track_rows([(e or {}).get("track") for e in entries])
            if self.c["saved_offset"] == 0:
                self.c["saved_head"] = frame["track_id"].tolist()
                if self._saved_unchanged(total):
                    return
            elif total != self.c["saved_total"] and self.c["saved_rereads"] < MAX_SAVED_REREADS:
                # Saved (or removed) meanwhile: offsets shifted, so this page repeats or skips one.
                self.c.update(saved_offset=0, saved_ids=[], saved_total=None, saved_rereads=self.c["saved_rereads"] + 1)
                self.store.save_cursor(self.run_id, self.c)
                continue
            self.c["saved_total"] = total
            self.c["saved_offset"] += len(entries)
            if not entries or not page.get("next") or self.c["saved_offset"] >= self.c["saved_total"]:
                self.c["stage"] = "playlists"
            self._write(frame, artist_ids, saved=True, message=f"Saved tracks: {self.c['saved_offset']}")

    def _saved_unchanged(self, total: int) -> bool:
        """Same total and first page as the last sync: nothing saved or removed since (saves go on top,
        a removal changes the total), so its saved tracks stand and none is read again."""
        before = self.c["before"]
        if not before or before.get("saved_ids") is None or (before.get("total"), before.get("head")) != (
                total, self.c["saved_head"]):
            return False
        self.c.update(saved_total=total, saved_ids=before["saved_ids"], stage="playlists",
                      done_pages=self.c["done_pages"] + 1)
        self.store.save_cursor(self.run_id, self.c)
        self._tell("Saved tracks: unchanged")
        return True

    def playlists(self) -> None:
        if self.c["stage"] != "playlists":
            return
        listed, offset = [], 0
        while True:
            page = self.client.my_playlists(offset=offset)
            listed += [p for p in page.get("items") or [] if p]
            offset += len(page.get("items") or [])
            self.c["done_pages"] += 1
            if not page.get("items") or not page.get("next") or offset >= (page.get("total") or 0):
                break
        known, refused = self.store.playlist_snapshots(self.library_id), self.c["refused_playlists"]
        self.c["playlists"] = [
            {"id": p["id"], "name": p.get("name") or p["id"], "snapshot_id": p.get("snapshot_id"),
             "total": ((p.get("items") or p.get("tracks") or {}).get("total") or 0),
             "unchanged": bool(p.get("snapshot_id")) and known.get(p["id"]) == p.get("snapshot_id"),
             "refused": bool(p.get("snapshot_id")) and refused.get(p["id"]) == p.get("snapshot_id")}
            for p in listed]
        self.c["refused_playlists"] = {p["id"]: p["snapshot_id"] for p in self.c["playlists"] if p["refused"]}
        self.c.update(stage="items", playlist_index=0, item_offset=0, position=0)
        self.store.save_cursor(self.run_id, self.c)
        self._tell(f"Found {len(listed)} playlists")

    def playlist_items(self) -> None:
        while self.c["stage"] == "items":
            playlists = self.c["playlists"]
            if self.c["playlist_index"] >= len(playlists):
                self.store.remove_playlists_except(self.library_id, {p["id"] for p in playlists})
                self.c.update(stage="genres")
                self.store.save_cursor(self.run_id, self.c)
                continue
            playlist = playlists[self.c["playlist_index"]]
            if playlist["unchanged"]:
                self._next_playlist()
                self.store.save_cursor(self.run_id, self.c)
                continue
            if self.c["item_offset"] == 0:  # fetched again from the start: no stale positions may stay
                self.store.clear_playlist(self.library_id, playlist["id"])
            if playlist.get("refused"):  # refused at this snapshot by an earlier sync: not asked again
                self._unreadable(playlist)
                continue
            try:
                page = self.client.playlist_items(playlist["id"], offset=self.c["item_offset"])
            except SpotifyRequestError as exc:
                if exc.status not in (403, 404):
                    raise
                self._unreadable(playlist)
                continue
            entries = page.get("items") or []
            frame, artist_ids = track_rows([(e.get("item") or e.get("track")) if e else None for e in entries])
            where = {"id": playlist["id"], "name": playlist["name"], "spotify_id": playlist["id"],
                     "snapshot_id": playlist["snapshot_id"], "offset": self.c["position"]}
            self.c["item_offset"] += len(entries)
            self.c["position"] += len(frame)
            if not entries or not page.get("next") or self.c["item_offset"] >= (page.get("total") or 0):
                self._next_playlist()
            self._write(frame, artist_ids, saved=False, playlist=where, message=f"Playlist {playlist['name']}")

    def genres(self) -> None:
        if self.c["stage"] != "genres":
            return
        known = self.c["artist_genres"]  # every artist asked, this sync or an earlier one ([]: none)
        unknown = {a: self.c["artist_names"].get(a, "") for a in self._credited() if a not in known}
        known.update(catalog_genres(unknown))  # no request for an artist the catalog knows
        while True:
            pending = sorted(a for a in self._credited() if a not in known)
            if not pending:
                break
            found, self.c["batch_artists"] = ask_spotify(self.client, pending[:ARTISTS_PER_REQUEST],
                                                         self.c["batch_artists"])
            known.update(found)
            self.c["done_pages"] += 1
            self.store.save_cursor(self.run_id, self.c)
            self._tell(f"Artists' genres: {len(pending) - len(found)} left")
        self.c["stage"] = "features"
        self.store.set_genres(self.library_id, self._genres_by_key(), self.run_id, self.c)
        self._tell("Artists' genres: done")

    def audio_features(self) -> None:
        ids = [k for k in self.c["keys"] if is_spotify_id(k)]
        refused_at = self.c["features_refused_at"]
        if self.c["stage"] == "features" and refused_at and time.time() - refused_at < ASK_FEATURES_AGAIN_S:
            self.c.update(stage="done", features="unavailable" if ids else self.c["features"])
            self.store.save_cursor(self.run_id, self.c)
            self._tell("Done (Spotify does not give this app audio features)")
        while self.c["stage"] == "features":
            batch = ids[self.c["feature_offset"]:self.c["feature_offset"] + FEATURE_BATCH]
            answer = self.client.audio_features(batch) if batch else None
            if answer is None:  # nothing (left) to ask, or Spotify refused: new apps get 403
                if batch:
                    self.c.update(features="unavailable", features_refused_at=time.time())
                self.c["stage"] = "done"
                self.store.save_cursor(self.run_id, self.c)
                self._tell("Done" if self.c["features"] != "unavailable"
                           else "Done (Spotify does not give this app audio features)")
                break
            rows = [f for f in answer if f and f.get("id")]
            frame = pd.DataFrame([{**{n: f.get(n) for n in FEATURES}, "source": "spotify"} for f in rows],
                                 columns=FEATURES + ["source"])
            self.c.update(features="spotify", features_refused_at=None, feature_offset=self.c["feature_offset"] + len(batch))
            self.c["features_stored"] += len(rows)
            self.c["done_pages"] += 1
            if self.c["feature_offset"] >= len(ids):
                self.c["stage"] = "done"
            self.store.add_given_features([f["id"] for f in rows], frame, self.run_id, self.c)
            self._tell(f"Audio features: {self.c['feature_offset']} of {len(ids)}")

    # --- helpers ---------------------------------------------------------------------------------
    def _write(self, frame, artist_ids, *, saved, message, playlist=None) -> None:
        """One page and the cursor after it, in one transaction."""
        self.c["done_pages"] += 1
        for track_id, artists in zip(frame["track_id"], artist_ids):
            self.c["artist_names"].update(artists)
            if len(track_id) != 22:  # local files: no id, no artist ids, nothing to look up
                continue
            if saved:
                self.c["saved_ids"].append(track_id)
            if track_id not in self._seen:  # an id is the track's store key
                self._seen.add(track_id)
                self.c["keys"].append(track_id)
                self.c["credits"][track_id] = list(artists)  # in credit order: the first artist's genres first
        self.store.add_tracks(self.library_id, frame, saved=saved, playlist=playlist,
                              run_id=self.run_id, cursor=self.c)
        self._tell(message)

    def _unreadable(self, playlist: dict) -> None:
        """Since 2026 Spotify serves items only of playlists the user owns or collaborates on."""
        self.c["unreadable"].append(playlist["name"])
        self.c["refused_playlists"][playlist["id"]] = playlist["snapshot_id"]
        self._next_playlist()
        self.store.save_cursor(self.run_id, self.c)

    def _credited(self) -> set[str]:
        """Spotify ids of the artists credited on the tracks this sync read."""
        return {a for artist_ids in self.c["credits"].values() for a in artist_ids}

    def _next_playlist(self) -> None:
        self.c.update(playlist_index=self.c["playlist_index"] + 1, item_offset=0, position=0)

    def _genres_by_key(self) -> dict[str, str]:
        found = {}
        for key, artist_ids in self.c["credits"].items():
            genres = [g for a in artist_ids for g in self.c["artist_genres"].get(a, [])]
            found[key] = ";".join(dict.fromkeys(genres))
        return {k: g for k, g in found.items() if g}

    def _total_pages(self) -> int:
        total = self.c["done_pages"]
        if self.c["stage"] == "saved":
            saved = self.c["saved_total"]
            left = math.ceil(max(saved - self.c["saved_offset"], 0) / PAGE) if saved is not None else 1
            total += left + 1  # the playlist listing
        if self.c["stage"] in ("saved", "playlists"):
            return total + 1
        if self.c["stage"] == "items":
            for i, p in enumerate(self.c["playlists"][self.c["playlist_index"]:]):
                if not p["unchanged"]:
                    left = p["total"] - (self.c["item_offset"] if i == 0 else 0)
                    total += math.ceil(max(left, 0) / PAGE)
        if self.c["stage"] in ("items", "genres"):
            left = sum(1 for a in self._credited() if a not in self.c["artist_genres"])
            total += math.ceil(left / ARTISTS_PER_REQUEST)
        if self.c["stage"] != "done":
            total += 1  # at least the one /audio-features try
        return total

    def _tell(self, message: str) -> None:
        self.progress(self.c["done_pages"], max(self._total_pages(), self.c["done_pages"]), message)

    def report(self, user: str, resumed: bool) -> SyncReport:
        tracks = self.store.library_tracks(self.library_id)
        playlists = self.store.library_playlists(self.library_id)
        return SyncReport(
            library_id=self.library_id, user=user, tracks=len(tracks), saved=int(tracks["saved"].sum()),
            playlists=len(playlists), playlist_items=int(playlists["tracks"].sum()),
            artists=len(self._credited()), tracks_with_genres=int((tracks["genres"] != "").sum()),
            audio_features="none" if self.c["features"] == "untried" else self.c["features"],
            features_stored=self.c["features_stored"], unreadable_playlists=self.c["unreadable"], pages=self.c["done_pages"], resumed=resumed,
            retries=self.client.retried)
