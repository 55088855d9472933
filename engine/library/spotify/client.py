"""The Spotify Web API endpoints Tunescope uses, each a few lines over one call that owns HTTP,
retries and errors.

spotipy builds the requests (its `prefix` points it at Spotify or at a fake server) but its own
retries are switched off: when they run out it reports a dead server as a 429, and it never
retries dropped connections or timeouts. `_call` decides instead:
  429 waits Retry-After; 401 refreshes the token once; 5xx, timeouts and dropped connections
  back off and retry; whatever still fails becomes a named TunescopeError with a clear message.

    client = SpotifyClient(auth)          # auth: engine.library.spotify.auth.SpotifyAuth
    client.me()["id"]; client.saved_tracks(offset=0)["items"]
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable

import requests
import spotipy
from spotipy.exceptions import SpotifyException

from engine.errors import (SpotifyAuthError, SpotifyRateLimitError, SpotifyRequestError,
                           SpotifyUnavailableError)

API_URL = "https://api.spotify.com/v1/"
PAGE = 50  # Spotify's largest page for /me/tracks, /me/playlists and playlist items
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
log = logging.getLogger(__name__)


class SpotifyClient:
    """Spotify Web API for one signed-in user. `auth` provides access_token() and refresh()."""

    def __init__(self, auth, *, api_url: str | None = None, timeout: float = 10.0, retries: int = 4,
                 backoff_s: float = 1.0, max_retry_after_s: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.auth = auth
        self.retries, self.backoff_s, self.max_retry_after_s, self.sleep = retries, backoff_s, max_retry_after_s, sleep
        self._sp = spotipy.Spotify(requests_session=requests.Session(), requests_timeout=timeout, retries=0,
                                   status_retries=0)
        self._sp.prefix = (api_url or os.environ.get("TUNESCOPE_SPOTIFY_API_URL") or API_URL).rstrip("/") + "/"
        self.audio_features_available: bool | None = None  # unknown until tried once
        self.retried = 0  # how many calls were repeated after a fault, for reports

    # --- the one call --------------------------------------------------------------------------
    def _call(self, method: str, path: str, params: dict | None = None, payload: dict | None = None):
        refreshed, failures, waited = False, 0, 0
        while True:
            self._sp.set_auth(self.auth.access_token())
            try:
                result = self._sp._internal_call(method, path, payload, dict(params or {}))
                if result is None and method == "GET":  # spotipy returns None for a cut-off JSON body
                    raise requests.exceptions.ChunkedEncodingError("incomplete JSON body")
                return result
            except SpotifyException as exc:
                status = exc.http_status
                if status == 401 and not refreshed:
                    refreshed = True
                    self.auth.refresh()
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
                    self._pause(wait, f"429 on {path}")
                    continue
                if status >= 500:
                    failures += 1
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
                if failures > self.retries:
                    kind = "timed out" if isinstance(exc, requests.Timeout) else "dropped the connection"
                    raise SpotifyUnavailableError(
                        f"Spotify {kind} {failures} times for {path}. Check the internet connection and "
                        "try again: a sync resumes where it stopped.") from None
                self._pause(self.backoff_s * 2 ** (failures - 1), f"{type(exc).__name__} on {path}")

    def _pause(self, seconds: float, why: str) -> None:
        log.info("Spotify: %s; retrying in %.2f s", why, seconds)
        self.retried += 1
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
        """One artist (batch /artists is gone in development mode); `genres` may be empty or absent."""
        return self._call("GET", f"artists/{artist_id}")

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
        return self._call("POST", "me/playlists", payload={"name": name, "description": description, "public": public})

    def add_items(self, playlist_id: str, uris: list[str]) -> str | None:
        """Append tracks (100 per request); returns the playlist's last snapshot id."""
        snapshot = None
        for start in range(0, len(uris), 100):
            answer = self._call("POST", f"playlists/{playlist_id}/items", payload={"uris": uris[start:start + 100]})
            snapshot = (answer or {}).get("snapshot_id", snapshot)
        return snapshot


def _retry_after(headers, default: float) -> float:
    try:
        return max(0.0, float((headers or {}).get("Retry-After")))
    except (TypeError, ValueError):
        return default


def _message(exc: SpotifyException) -> str:
    return str(exc.msg).split("\n")[-1].strip() or "no message"
