"""A fake Spotify Web API and accounts service: a real HTTP server on 127.0.0.1 for the tests.

    with FakeSpotify(users={"alice": 2000}) as fake:
        auth = SpotifyAuth(fake.client_id, handler, accounts_url=fake.accounts_url)
        client = SpotifyClient(auth, api_url=fake.api_url)
        fake.inject("429", path="/v1/me/tracks", skip=3, retry_after=1)   # the 4th page is rate-limited

Item JSON is built from the real response bodies in shared/data/spotify_api (ids and names varied,
fields removed in 2026 dropped). /authorize approves as `fake.approve_as` and redirects with a code;
/api/token checks the PKCE verifier against the challenge and rotates refresh tokens. Faults:
'429' (Retry-After, enforced), '401', '500'/'502'/'503', 'slow' (answers after `delay` s), 'drop'
(half the body, then the connection closes), 'reset' (closes without answering), 'save' (the user
saves a new track just before this request is answered).

    FakeSpotify(users={"heavy": 2800}, playlists=12, shape=HeavyShape())   # a heavy user's account
    FakeSpotify(..., development_mode=True)   # batch GET /artists?ids= answers 403, as in development mode
    FakeSpotify(..., rate_limit_every=7)      # every 7th API request: 429 with Retry-After 1 or 2 s
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import random
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from fake_spotify_catalog import FakeUser, HeavyShape, make_user  # noqa: F401 (HeavyShape: for callers)

from engine.config import data_dir


IN_FLIGHT_S = 0.25  # a request arriving this soon after a 429 was sent before its sender could see it


class FakeSpotify:
    def __init__(self, users: dict[str, int] | None = None, *, playlists: int = 6, audio_features: bool = False,
                 legacy_playlist_path: bool = False, genres: bool = True, token_ttl: int = 3600, seed: int = 7,
                 shape: HeavyShape | None = None, development_mode: bool = False, rate_limit_every: int = 0):
        fixtures = data_dir() / "spotify_api"
        self.audio_features_template = json.loads(
            (fixtures / "jmperez__tracks_audio_features.json").read_text())["audio_features"][0]
        rng = random.Random(seed)
        self.users: dict[str, FakeUser] = {
            uid: make_user(uid, n, playlists, rng, fixtures, genres, shape) for uid, n in (users or {"alice": 200}).items()}
        self.development_mode, self.rate_limit_every = development_mode, rate_limit_every
        self._served, self._limiter = 0, random.Random(seed)
        self.client_id = "fake-client-id"
        self.approve_as = next(iter(self.users))
        self.audio_features, self.legacy_playlist_path, self.token_ttl = audio_features, legacy_playlist_path, token_ttl
        self.codes: dict[str, dict] = {}
        self.access: dict[str, tuple[str, float]] = {}  # access token -> (user, expires at)
        self.refresh: dict[str, str] = {}  # refresh token -> user
        self.rules: list[dict] = []
        self.log: list[tuple[str, str, int]] = []  # (method, path, status); every request, 0: no answer
        self.too_early = 0  # requests that ignored a Retry-After
        # Requests already on their way when a 429 was answered (sent by another thread before the client
        # could know): they arrive within IN_FLIGHT_S of it and are refused too, but ignored nothing.
        self.in_flight_at_429 = 0
        self._blocked_until = self._blocked_at = 0.0
        self.lock = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> "FakeSpotify":
        fake = self

        class Handler(_Handler):
            server_fake = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.api_url, self.accounts_url = self.base + "/v1/", self.base
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- test controls ---------------------------------------------------------------------------
    def inject(self, kind: str, path: str = "/v1/", times: int = 1, skip: int = 0, **options) -> None:
        """Fault the next `times` requests whose path contains `path`, after letting `skip` through."""
        with self.lock:
            self.rules.append({"kind": kind, "path": path, "times": times, "skip": skip, **options})

    def expire_tokens(self) -> None:
        with self.lock:
            self.access = {t: (u, 0.0) for t, (u, _) in self.access.items()}

    def authorize(self, authorize_url: str) -> dict:
        """Follow the consent page as a browser would; returns the redirect's query (code, state)."""
        import requests

        answer = requests.get(authorize_url, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return {k: v[0] for k, v in parse_qs(urlparse(answer.headers["Location"]).query).items()}

    def requests_to(self, fragment: str) -> list[tuple[str, str, int]]:
        return [entry for entry in self.log if fragment in entry[1]]

    def api_requests(self) -> int:
        """Requests the Web API (and token refreshes) answered so far, whatever the answer."""
        return sum(1 for _, path, _ in self.log if not path.startswith("/authorize"))

    def _rate_limited(self) -> int:
        """Retry-After seconds when the rate limiter refuses this request (every `rate_limit_every`th), else 0."""
        if not self.rate_limit_every:
            return 0
        with self.lock:
            self._served += 1
            return self._limiter.choice((1, 2)) if self._served % self.rate_limit_every == 0 else 0

    # --- fault matching --------------------------------------------------------------------------
    def fault_for(self, path: str) -> dict | None:
        with self.lock:
            for rule in self.rules:
                if rule["path"] in path:
                    if rule["skip"] > 0:
                        rule["skip"] -= 1
                        continue
                    rule["times"] -= 1
                    if rule["times"] <= 0:
                        self.rules.remove(rule)
                    return rule
        return None

    def user_for(self, header: str | None) -> str | None:
        token = (header or "").removeprefix("Bearer ").strip()
        with self.lock:
            user, expires = self.access.get(token, (None, 0.0))
        return user if user and expires > time.time() else None

    def issue(self, user: str) -> dict:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.lock:
            self.access[access] = (user, time.time() + self.token_ttl)
            self.refresh[refresh] = user
        return {"access_token": access, "token_type": "Bearer", "expires_in": self.token_ttl,
                "refresh_token": refresh, "scope": "user-library-read playlist-read-private "
                "playlist-read-collaborative playlist-modify-private playlist-modify-public"}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits ~40 ms on delayed ACKs
    server_fake: FakeSpotify

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._route("GET")

    def do_POST(self) -> None:
        self._route("POST")

    def _route(self, method: str) -> None:
        fake = self.server_fake
        url = urlparse(self.path)
        path, query = url.path.rstrip("/") or "/", {k: v[0] for k, v in parse_qs(url.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            if path == "/authorize":
                return self._authorize(query)
            if path == "/api/token":
                return self._token({k: v[0] for k, v in parse_qs(body.decode()).items()})
            self._api(method, path, query, body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a 'slow' fault)
            self.close_connection = True

    def _authorize(self, q: dict) -> None:
        fake = self.server_fake
        if q.get("client_id") != fake.client_id or not q.get("code_challenge") or not q.get("redirect_uri"):
            return self._send(400, {"error": "invalid_request"})
        code = secrets.token_urlsafe(16)
        fake.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"], "user": fake.approve_as}
        location = q["redirect_uri"] + "?" + urlencode({"code": code, "state": q.get("state", "")})
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _token(self, form: dict) -> None:
        fake = self.server_fake
        fault = fake.fault_for("/api/token")
        if fault and fault["kind"] in ("500", "502", "503"):
            return self._send(int(fault["kind"]), {"error": "server_error"})
        if form.get("client_id") != fake.client_id:
            return self._send(400, {"error": "invalid_client", "error_description": "Invalid client"})
        if form.get("grant_type") == "authorization_code":
            grant = fake.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
            if not grant or grant["redirect_uri"] != form.get("redirect_uri") or grant["challenge"] != challenge:
                return self._send(400, {"error": "invalid_grant", "error_description": "code_verifier was incorrect"})
            return self._send(200, fake.issue(grant["user"]))
        if form.get("grant_type") == "refresh_token":
            with fake.lock:
                user = fake.refresh.pop(form.get("refresh_token", ""), None)  # refresh tokens rotate
            if not user:
                return self._send(400, {"error": "invalid_grant", "error_description": "Invalid refresh token"})
            return self._send(200, fake.issue(user))
        self._send(400, {"error": "unsupported_grant_type"})

    def _api(self, method: str, path: str, query: dict, body: bytes) -> None:
        fake = self.server_fake
        now = time.time()
        if now < fake._blocked_until:
            if now - fake._blocked_at < IN_FLIGHT_S:
                fake.in_flight_at_429 += 1
            else:
                fake.too_early += 1
            return self._send(429, _error(429, "API rate limit exceeded"), {"Retry-After": "1"})
        fault = fake.fault_for(path)
        kind = fault["kind"] if fault else None
        limited = fake._rate_limited()
        if limited:
            fake._blocked_until, fake._blocked_at = now + limited, now
            return self._send(429, _error(429, "API rate limit exceeded"), {"Retry-After": str(limited)})
        if kind == "429":
            fake._blocked_until, fake._blocked_at = now + fault.get("retry_after", 1), now
            return self._send(429, _error(429, "API rate limit exceeded"), {"Retry-After": str(fault.get("retry_after", 1))})
        if kind == "401":
            return self._send(401, _error(401, "The access token expired"))
        if kind in ("500", "502", "503"):
            return self._send(int(kind), _error(int(kind), "Server error"))
        if kind == "reset":
            fake.log.append((method, self.path, 0))  # 0: no answer
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if kind == "slow":
            time.sleep(fault.get("delay", 2.0))
        user_id = fake.user_for(self.headers.get("Authorization"))
        if user_id is None:
            return self._send(401, _error(401, "The access token expired"))
        if kind == "save":
            fake.users[user_id].save_new_track()
        status, payload = _answer(fake, fake.users[user_id], method, path, query, body, self.base_url())
        if kind == "drop":
            fake.log.append((method, self.path, status))  # answered (and done), but only half the body arrives
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(status, payload)

    def base_url(self) -> str:
        return self.server_fake.base

    def _send(self, status: int, payload, headers: dict | None = None) -> None:
        data = json.dumps(payload).encode()
        self.server_fake.log.append((self.command, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _error(status: int, message: str) -> dict:
    return {"error": {"status": status, "message": message}}


def _page(items: list, query: dict, total: int, href: str, build=lambda page: page, limit_max: int = 50):
    try:
        limit, offset = int(query.get("limit", 20)), int(query.get("offset", 0))
    except ValueError:
        return 400, _error(400, "Invalid limit")
    if not 1 <= limit <= limit_max:
        return 400, _error(400, "Invalid limit")
    link = lambda o: f"{href}?{urlencode({'offset': o, 'limit': limit})}"  # noqa: E731
    return 200, {"href": link(offset), "items": build(items[offset:offset + limit]), "limit": limit,
                 "next": link(offset + limit) if offset + limit < total else None, "offset": offset,
                 "previous": link(max(offset - limit, 0)) if offset else None, "total": total}


def _answer(fake: FakeSpotify, user: FakeUser, method: str, path: str, query: dict, body: bytes, base: str):
    parts = path.split("/")[2:]  # after /v1
    if parts == ["me"]:
        return 200, user.profile(base)
    if parts == ["me", "tracks"]:
        return _page(user.saved, query, len(user.saved), f"{base}/v1/me/tracks", user.saved_entries)
    if parts == ["me", "playlists"] and method == "GET":
        listed = [p.simplified(base, user) for p in user.playlists]
        return _page(listed, query, len(listed), f"{base}/v1/me/playlists")
    if parts == ["me", "playlists"] and method == "POST":
        request = json.loads(body or b"{}")
        return 201, user.create_playlist(request.get("name", ""), request.get("description", ""), base)
    if len(parts) == 3 and parts[0] == "playlists" and parts[2] in ("items", "tracks"):
        playlist = user.playlist(parts[1])
        if playlist is None or (parts[2] == "items" and fake.legacy_playlist_path):
            return 404, _error(404, "Not found.")
        if playlist.owner != user.id and method == "GET":  # 2026: only owned or collaborative playlists
            return 403, _error(403, "Forbidden")
        if method == "POST":
            uris = json.loads(body or b"{}").get("uris") or []
            if len(uris) > 100 or not all(user.catalog_track(u) for u in uris):
                return 400, _error(400, "Invalid base62 id")
            playlist.add(uris, user)
            return 201, {"snapshot_id": playlist.snapshot_id}
        field = "item" if parts[2] == "items" else "track"
        return _page(playlist.items, query, len(playlist.items), f"{base}/v1/playlists/{parts[1]}/{parts[2]}",
                     lambda page: playlist.entries(page, field))
    if parts == ["artists"]:
        if fake.development_mode:  # 2026: batch lookups are gone in development mode
            return 403, _error(403, "Forbidden")
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 50:
            return 400, _error(400, "Invalid ids")
        return 200, {"artists": [user.artists.get(i) for i in ids]}
    if len(parts) == 2 and parts[0] == "artists":
        artist = user.artists.get(parts[1])
        return (200, artist) if artist else (404, _error(404, "Resource not found"))
    if parts == ["audio-features"]:
        if not fake.audio_features:
            return 403, _error(403, "Forbidden")
        ids = [i for i in query.get("ids", "").split(",") if i]
        if not 1 <= len(ids) <= 100:
            return 400, _error(400, "Invalid ids")
        return 200, {"audio_features": [_features(fake.audio_features_template, user.tracks.get(i)) for i in ids]}
    return 404, _error(404, "Service not found")


def _features(template: dict, track: dict | None) -> dict | None:
    if track is None:
        return None
    rng = random.Random(track["id"])
    out = copy.deepcopy(template)
    out.update({name: round(rng.random(), 4) for name in ("danceability", "energy", "speechiness", "acousticness",
                                                            "instrumentalness", "liveness", "valence")})
    out.update(tempo=round(rng.uniform(60, 190), 3), id=track["id"], uri=track["uri"], track_href=track["href"],
               duration_ms=track["duration_ms"])
    return out
