"""Spotify sign-in: OAuth Authorization Code with PKCE (no client secret), over spotipy's SpotifyPKCE.

    auth = SpotifyAuth(client_id, MappingCacheHandler(session_dict), PendingSignIns())
    url = auth.authorize_url()            # send the user there
    auth.sign_in(code, state)             # on the redirect back: ?code=...&state=...
    auth.access_token()                   # a valid token, refreshed when it is about to expire

Tokens live only in the cache handler given (one per user session, never a shared file).
The PKCE code verifier is kept server-side in PendingSignIns, keyed by the OAuth `state`, because
the redirect back from Spotify opens a new Streamlit session; entries expire, and each belongs to the
browser that started it (`browser`: its account token on a shared server), which alone can finish it.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import MutableMapping
from dataclasses import dataclass

import requests
from spotipy.cache_handler import CacheHandler
from spotipy.exceptions import SpotifyOauthError
from spotipy.oauth2 import SpotifyPKCE

from engine.errors import SpotifyAuthError, SpotifyConfigError, SpotifyUnavailableError

REDIRECT_URI = "http://127.0.0.1:8501/"
ACCOUNTS_URL = "https://accounts.spotify.com"
SCOPES = ["user-library-read", "playlist-read-private", "playlist-read-collaborative",
          "playlist-modify-private", "playlist-modify-public"]
_ELSEWHERE = ("This Spotify sign-in was started in another browser, so it cannot sign in this one; nothing "
              "changed here. To connect your own account, click 'Connect Spotify'.")
_REFUSALS = {"invalid_grant", "invalid_request", "invalid_client", "unauthorized_client"}
REFRESH_MARGIN_S = 60  # refresh a token this close to expiry, before a call can fail on it


class _NoSecrets(logging.Filter):
    """spotipy logs request headers and token-request bodies at DEBUG: bearer and refresh tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno > logging.DEBUG and not record.getMessage().startswith("HTTP Error for")


for _name in ("spotipy.client", "spotipy.oauth2"):
    logging.getLogger(_name).addFilter(_NoSecrets())


def client_id_from_env(client_id: str | None = None) -> str:
    """The given client id, else SPOTIFY_CLIENT_ID; SpotifyConfigError when neither is set."""
    value = (client_id or os.environ.get("SPOTIFY_CLIENT_ID") or "").strip()
    if not value:
        raise SpotifyConfigError(
            'No Spotify client id: set SPOTIFY_CLIENT_ID = "..." in .streamlit/secrets.toml '
            "or the SPOTIFY_CLIENT_ID environment variable (see docs/spotify.md).")
    return value


def refresh_margin(token: dict) -> float:
    """Seconds before expiry at which a token is refreshed: the margin, at most half the token's lifetime."""
    lifetime = token.get("expires_in")
    return min(REFRESH_MARGIN_S, lifetime / 2) if isinstance(lifetime, (int, float)) and lifetime > 0 else REFRESH_MARGIN_S


class MappingCacheHandler(CacheHandler):
    """A spotipy CacheHandler over any per-user mapping (e.g. Streamlit's st.session_state)."""

    def __init__(self, mapping: MutableMapping, key: str = "spotify_token"):
        self.mapping, self.key = mapping, key

    def get_cached_token(self) -> dict | None:
        return self.mapping.get(self.key)

    def save_token_to_cache(self, token_info: dict) -> None:
        self.mapping[self.key] = token_info

    def clear(self) -> None:
        self.mapping.pop(self.key, None)


class SignInElsewhereError(SpotifyAuthError):
    """A sign-in's code came back to a browser other than the one that started it."""


@dataclass
class _Pending:
    verifier: str
    browser: str  # the account token of the browser that started the sign-in ('' for a local run)
    at: float
    code: str | None = None  # the redirect's code, when it came back in another browser session


class PendingSignIns:
    """PKCE code verifiers by OAuth state, for sign-ins on their way to Spotify and back; thread-safe.

    Each sign-in belongs to the browser that started it: only that browser may exchange its code. A code
    that comes back elsewhere (Spotify's redirect opens a new tab) is handed in, and the starting browser
    collects it; so a callback link someone else sends you can never sign your session in to their account."""

    def __init__(self, ttl_s: float = 600.0, max_entries: int = 1000):
        self.ttl_s, self.max_entries = ttl_s, max_entries
        self._entries: dict[str, _Pending] = {}
        self._lock = threading.Lock()

    def put(self, state: str, verifier: str, browser: str = "") -> None:
        with self._lock:
            self._expire()
            while len(self._entries) >= self.max_entries:  # oldest first: dicts keep insertion order
                self._entries.pop(next(iter(self._entries)))
            self._entries[state] = _Pending(verifier, browser, time.monotonic())

    def pop(self, state: str, browser: str = "") -> str | None:
        """The verifier for this state, once, to the browser that started it; None when unknown or expired.
        Raises SignInElsewhereError (and keeps the entry) when another browser started it."""
        with self._lock:
            self._expire()
            entry = self._entries.get(state)
            if entry is not None and entry.browser != browser:
                raise SignInElsewhereError(_ELSEWHERE)
            self._entries.pop(state, None)
        return entry.verifier if entry else None

    def hand_in(self, state: str, code: str) -> bool:
        """Keep a code that came back in another session for the browser that started the sign-in."""
        with self._lock:
            self._expire()
            entry = self._entries.get(state)
            if entry is None or entry.code is not None:  # the first code wins; a second cannot replace it
                return False
            entry.code = code
            return True

    def handed_in(self, browser: str) -> tuple[str, str] | None:
        """(state, code) of a sign-in this browser started whose code came back elsewhere, if any."""
        with self._lock:
            self._expire()
            return next(((s, e.code) for s, e in self._entries.items() if e.browser == browser and e.code), None)

    def __len__(self) -> int:
        with self._lock:
            self._expire()
            return len(self._entries)

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.ttl_s
        for state in [s for s, e in self._entries.items() if e.at < cutoff]:
            del self._entries[state]


class SpotifyAuth:
    """One user's sign-in: authorize URL, code exchange, and tokens refreshed on expiry."""

    def __init__(self, client_id: str | None, cache_handler: CacheHandler, pending: PendingSignIns | None = None,
                 *, redirect_uri: str = REDIRECT_URI, accounts_url: str | None = None, timeout: float = 10.0):
        self.client_id = client_id_from_env(client_id)
        self.cache_handler = cache_handler
        self.pending = pending if pending is not None else PendingSignIns()
        self.redirect_uri = redirect_uri
        base = (accounts_url or os.environ.get("TUNESCOPE_SPOTIFY_ACCOUNTS_URL") or ACCOUNTS_URL).rstrip("/")
        self.authorize_endpoint, self.token_endpoint = f"{base}/authorize", f"{base}/api/token"
        self.timeout = timeout

    def _pkce(self) -> SpotifyPKCE:
        # A fresh manager per step: it holds a verifier, which must never outlive one sign-in.
        pkce = SpotifyPKCE(client_id=self.client_id, redirect_uri=self.redirect_uri, scope=SCOPES,
                           cache_handler=self.cache_handler, open_browser=False, requests_timeout=self.timeout)
        pkce.OAUTH_AUTHORIZE_URL, pkce.OAUTH_TOKEN_URL = self.authorize_endpoint, self.token_endpoint
        return pkce

    def authorize_url(self, browser: str = "") -> str:
        """A new sign-in for this browser (its account token): remembers its verifier under a fresh state
        and returns Spotify's consent URL."""
        pkce = self._pkce()
        pkce.get_pkce_handshake_parameters()
        state = secrets.token_urlsafe(24)
        self.pending.put(state, pkce.code_verifier, browser)
        return pkce.get_authorize_url(state=state)

    def sign_in(self, code: str, state: str, browser: str = "") -> dict:
        """Exchange the redirect's code for tokens (saved in the cache handler); returns the token info.
        Only the browser that started this sign-in may finish it (SignInElsewhereError otherwise)."""
        verifier = self.pending.pop(state or "", browser)
        if verifier is None:
            raise SpotifyAuthError("This Spotify sign-in link has expired or was already used. "
                                   "Click 'Connect Spotify' again.")
        pkce = self._pkce()
        pkce.code_verifier = verifier
        pkce.code_challenge = pkce._get_code_challenge()
        try:
            pkce.get_access_token(code=code, check_cache=False)
        except SpotifyOauthError as exc:
            raise SpotifyAuthError(f"Spotify refused the sign-in ({exc.error or 'error'}). "
                                   "Click 'Connect Spotify' again.") from None
        except requests.RequestException as exc:
            raise SpotifyUnavailableError(f"Could not reach Spotify's sign-in server ({type(exc).__name__}). "
                                          "Check the connection and try again.") from None
        return self.cache_handler.get_cached_token()

    @property
    def signed_in(self) -> bool:
        return bool(self.cache_handler.get_cached_token())

    def access_token(self) -> str:
        """The current access token, refreshed first when it expires within a minute, or within half
        its lifetime for a token that lives less than two minutes (else every call would refresh it)."""
        token = self.cache_handler.get_cached_token()
        if not token:
            raise SpotifyAuthError("Not connected to Spotify. Click 'Connect Spotify' to sign in.")
        if token.get("expires_at", 0) - time.time() < refresh_margin(token):
            return self.refresh()
        return token["access_token"]

    def refresh(self) -> str:
        """Trade the refresh token for a new access token (PKCE needs no secret)."""
        token = self.cache_handler.get_cached_token()
        if not token or not token.get("refresh_token"):
            raise SpotifyAuthError("The Spotify sign-in has expired. Click 'Connect Spotify' to sign in again.")
        try:
            fresh = self._pkce().refresh_access_token(token["refresh_token"])
        except SpotifyOauthError as exc:
            if exc.error not in _REFUSALS:  # the token server failing is not the grant being revoked
                raise SpotifyUnavailableError(f"Spotify's sign-in server failed ({exc.error}). "
                                              "Try again in a few minutes.") from None
            self.sign_out()
            raise SpotifyAuthError("Spotify no longer accepts this sign-in. "
                                   "Click 'Connect Spotify' to sign in again.") from None
        except requests.RequestException as exc:
            raise SpotifyUnavailableError(f"Could not reach Spotify's sign-in server ({type(exc).__name__}). "
                                          "Check the connection and try again.") from None
        return fresh["access_token"]

    def sign_out(self) -> None:
        if hasattr(self.cache_handler, "clear"):
            self.cache_handler.clear()
        else:
            self.cache_handler.save_token_to_cache(None)
