"""The Spotify Web API endpoints Tunescope uses, each a few lines over one call that owns HTTP,
retries and errors.

spotipy builds the requests (its `prefix` points it at Spotify or at a fake server) but its own
retries are switched off: when they run out it reports a dead server as a 429, and it never
retries dropped connections or timeouts. `_call` decides instead:
  429 waits Retry-After; 401 refreshes the token once; 5xx, timeouts and dropped connections
  back off and retry; whatever still fails becomes a named TunescopeError with a clear message.
A POST is never sent twice blindly: when its answer is lost (dropped connection, timeout, 5xx) it may
have landed, so `_call` first asks its `landed` check (a GET of what is there) and repeats it only if not.
Calls may run on a few threads at once (artists one by one): a 429 holds every thread until its
Retry-After has passed, and a token is refreshed once, by whichever thread finds it stale first.

    client = SpotifyClient(auth)          # auth: engine.library.spotify.auth.SpotifyAuth
    client.me()["id"]; client.saved_tracks(offset=0)["items"]
"""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import requests
import spotipy
from spotipy.exceptions import SpotifyException

from engine.errors import (SpotifyAuthError, SpotifyRateLimitError, SpotifyRequestError,
                           SpotifyUnavailableError)

API_URL = "https://api.spotify.com/v1/"
PAGE = 50  # Spotify's largest page for /me/tracks, /me/playlists and playlist items
ARTISTS_PER_REQUEST = 50  # batch GET /artists?ids= takes at most 50
ONE_BY_ONE_WORKERS = 4  # artists fetched at once where only /artists/{id} is served (development mode)
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
log = logging.getLogger(__name__)


class SpotifyClient:
    """Spotify Web API for one signed-in user. `auth` provides access_token() and refresh()."""

    def __init__(self, auth, *, api_url: str | None = None, timeout: float = 10.0, retries: int = 4,
                 backoff_s: float = 1.0, max_retry_after_s: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.auth = auth
        self.retries, self.backoff_s, self.max_retry_after_s, self.sleep = retries, backoff_s, max_retry_after_s, sleep
        self.timeout = timeout
        self.prefix = (api_url or os.environ.get("TUNESCOPE_SPOTIFY_API_URL") or API_URL).rstrip("/") + "/"
        self._threads = threading.local()  # one spotipy (and HTTP session) per thread
        self._lock = threading.Lock()  # guards the token, the shared Retry-After hold and the counters
        self._hold_until = 0.0  # monotonic time before which no thread may send (a 429's Retry-After)
        self.audio_features_available: bool | None = None  # unknown until tried once
        self.retried = 0  # how many calls were repeated after a fault, for reports

    @property
    def _sp(self) -> spotipy.Spotify:
        sp = getattr(self._threads, "sp", None)
        if sp is None:
            sp = spotipy.Spotify(requests_session=requests.Session(), requests_timeout=self.timeout, retries=0,
                                 status_retries=0)
            sp.prefix = self.prefix
            self._threads.sp = sp
        return sp

    # --- the one call --------------------------------------------------------------------------
    def _call(self, method: str, path: str, params: dict | None = None, payload: dict | None = None,
              landed: Callable[[], object] | None = None):
        """One request with retries. `landed` (for a POST): returns the POST's result if it took effect
        though its answer was lost, else None; a POST without it is not repeated after a lost answer."""
        refreshed, failures, waited = False, 0, 0
        while True:
            self._wait_for_hold()
            with self._lock:
                token = self.auth.access_token()
            self._sp.set_auth(token)
            try:
                result = self._sp._internal_call(method, path, payload, dict(params or {}))
                if result is None and method == "GET":  # spotipy returns None for a cut-off JSON body
                    raise requests.exceptions.ChunkedEncodingError("incomplete JSON body")
                return result
            except SpotifyException as exc:
                status = exc.http_status
                if status == 401 and not refreshed:
                    refreshed = True
                    self._refresh_unless_done(token)
                    continue
                if status == 401:
                    raise SpotifyAuthError("Spotify rejected the sign-in even after refreshing it. "
                                           "Click 'Connect Spotify' to sign in again.") from None
                if status == 429:
                    wait = _retry_after(exc.headers, self.backoff_s)
                    if wait > self.max_retry_after_s or waited >= self.retries:
                        raise SpotifyRateLimitError(
                            f"Spotify is rate-limiting this app (asked to wait {wait:.0f} s on {path}). "
                            "Wait a few minutes, then sync again: it resumes where it stopped.") from None
                    waited += 1
                    with self._lock:
                        self._hold_until = max(self._hold_until, time.monotonic() + wait)
                    self._pause(0.0, f"429 on {path} (Retry-After {wait:.0f} s)")
                    continue
                if status >= 500:
                    failures += 1
                    if method == "POST":
                        found = self._landed_or_fail(landed, path, f"answered {status}")
                        if found is not None:
                            return found
                    if failures > self.retries:
                        raise SpotifyUnavailableError(
                            f"Spotify answered {status} {failures} times for {path}. It is having trouble; "
                            "try again in a few minutes: a sync resumes where it stopped.") from None
                    self._pause(self.backoff_s * 2 ** (failures - 1), f"{status} on {path}")
                    continue
                raise SpotifyRequestError(f"Spotify refused {method} {path} ({status}: {_message(exc)}).",
                                          status) from None
            except _TRANSIENT as exc:
                failures += 1
                kind = "timed out" if isinstance(exc, requests.Timeout) else "dropped the connection"
                if failures > self.retries:
                    raise SpotifyUnavailableError(
                        f"Spotify {kind} {failures} times for {path}. Check the internet connection and "
                        "try again: a sync resumes where it stopped.") from None
                if method == "POST":
                    found = self._landed_or_fail(landed, path, kind)
                    if found is not None:
                        return found
                self._pause(self.backoff_s * 2 ** (failures - 1), f"{type(exc).__name__} on {path}")

    def _landed_or_fail(self, landed, path: str, what: str):
        """After a POST's answer was lost: what it made if it landed (checked with a GET), None to send it
        again; without a check it must not be repeated."""
        if landed is None:
            raise SpotifyUnavailableError(f"Spotify {what} for POST {path}, which may have taken effect; not "
                                          "sent again so nothing is made twice. Check Spotify, then try again.")
        found = landed()
        log.info("Spotify: POST %s %s; it %s", path, what, "landed" if found is not None else "did not land")
        return found

    def _refresh_unless_done(self, stale: str) -> None:
        """After a 401 on `stale`: refresh, unless another thread already replaced that token."""
        with self._lock:
            current = (self.auth.cache_handler.get_cached_token() or {}).get("access_token")
            if current in (None, stale):
                self.auth.refresh()

    def _wait_for_hold(self) -> None:
        for _ in range(3):  # again only if another thread's 429 extended the hold meanwhile
            with self._lock:
                left = self._hold_until - time.monotonic()
            if left <= 0:
                return
            self.sleep(left)

    def _pause(self, seconds: float, why: str) -> None:
        log.info("Spotify: %s; retrying in %.2f s", why, seconds)
        with self._lock:
            self.retried += 1
        if seconds:
            self.sleep(seconds)

    # --- endpoints -----------------------------------------------------------------------------
    def me(self) -> dict:
        return self._call("GET", "me")

    def saved_tracks(self, offset: int = 0, limit: int = PAGE) -> dict:
        return self._call("GET", "me/tracks", {"offset": offset, "limit": limit})

    def my_playlists(self, offset: int = 0, limit: int = PAGE) -> dict:
        return self._call("GET", "me/playlists", {"offset": offset, "limit": limit})

    def playlist_items(self, playlist_id: str, offset: int = 0, limit: int = PAGE) -> dict:
        """One page of a playlist; the old `/tracks` path where `/items` is not served (404)."""
        params = {"offset": offset, "limit": limit, "additional_types": "track"}
        try:
            return self._call("GET", f"playlists/{playlist_id}/items", params)
        except SpotifyRequestError as exc:
            if exc.status != 404:
                raise
        return self._call("GET", f"playlists/{playlist_id}/tracks", params)

    def artist(self, artist_id: str) -> dict:
        """One artist; `genres` may be empty or absent."""
        return self._call("GET", f"artists/{artist_id}")

    def artists(self, artist_ids: list[str]) -> list[dict | None]:
        """Up to 50 artists in one request (None for one Spotify does not know). Development mode
        answers 403: SpotifyRequestError, and artists_one_by_one is what is left."""
        answer = self._call("GET", "artists", {"ids": ",".join(artist_ids[:ARTISTS_PER_REQUEST])})
        return list(answer.get("artists") or [])

    def artists_one_by_one(self, artist_ids: list[str]) -> dict[str, dict | None]:
        """Each artist by its own request, a few at once (a 429 holds them all); None for one Spotify
        refuses or no longer serves."""
        def one(artist_id: str) -> dict | None:
            try:
                return self.artist(artist_id)
            except SpotifyRequestError:
                return None

        with ThreadPoolExecutor(ONE_BY_ONE_WORKERS) as pool:
            return dict(zip(artist_ids, pool.map(one, artist_ids)))

    def audio_features(self, track_ids: list[str]) -> list[dict | None] | None:
        """Features for up to 100 ids; None once Spotify has refused (403: closed to new apps)."""
        if self.audio_features_available is False or not track_ids:
            return None
        try:
            answer = self._call("GET", "audio-features", {"ids": ",".join(track_ids[:100])})
        except SpotifyRequestError as exc:
            if exc.status not in (403, 404):
                raise
            self.audio_features_available = False
            return None
        self.audio_features_available = True
        return answer.get("audio_features") or []

    def create_playlist(self, name: str, description: str = "", public: bool = False) -> dict:
        """A new playlist; after a lost answer, an empty playlist of ours with this name and description
        is the one the POST made, so a retry never makes a second."""
        def landed() -> dict | None:
            me = self.me()["id"]
            for playlist in self._all_my_playlists():
                items = playlist.get("items") or playlist.get("tracks") or {}
                if (playlist.get("name") == name and (playlist.get("description") or "") == description
                        and (playlist.get("owner") or {}).get("id") == me and not items.get("total")):
                    return playlist
            return None

        return self._call("POST", "me/playlists", payload={"name": name, "description": description, "public": public},
                          landed=landed)

    def add_items(self, playlist_id: str, uris: list[str], already: int = 0) -> str | None:
        """Append tracks (100 per request) to a playlist holding `already` items; returns its last
        snapshot id. After a lost answer the playlist's length tells whether the batch landed."""
        snapshot, held = None, already
        for start in range(0, len(uris), 100):
            batch = uris[start:start + 100]

            def landed(expected=held + len(batch), before=held) -> dict | None:
                total = self.playlist_items(playlist_id, limit=1).get("total")
                if total == expected:
                    return {"snapshot_id": None}
                if total == before:
                    return None
                raise SpotifyUnavailableError(
                    f"The playlist changed while Tunescope was adding to it ({total} items, expected {before} or "
                    f"{expected}); nothing more was added. Check it on Spotify, then export again.")

            answer = self._call("POST", f"playlists/{playlist_id}/items", payload={"uris": batch}, landed=landed)
            snapshot = (answer or {}).get("snapshot_id") or snapshot
            held += len(batch)
        return snapshot

    def _all_my_playlists(self) -> list[dict]:
        listed, offset = [], 0
        while True:
            page = self.my_playlists(offset=offset)
            items = [p for p in page.get("items") or [] if p]
            listed += items
            offset += len(page.get("items") or [])
            if not items or not page.get("next"):
                return listed


def _retry_after(headers, default: float) -> float:
    try:
        return max(0.0, float((headers or {}).get("Retry-After")))
    except (TypeError, ValueError):
        return default


def _message(exc: SpotifyException) -> str:
    return str(exc.msg).split("\n")[-1].strip() or "no message"
