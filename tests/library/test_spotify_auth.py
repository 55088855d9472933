"""PKCE sign-in against the fake Spotify: verifier by state, refresh, and two users kept apart."""

import logging
from urllib.parse import parse_qs, urlparse

import pytest
from fake_spotify import FakeSpotify

from engine.errors import SpotifyAuthError, SpotifyConfigError
from engine.library.spotify.auth import (REDIRECT_URI, MappingCacheHandler, PendingSignIns, SignInElsewhereError,
                                         SpotifyAuth)
from engine.library.spotify.client import SpotifyClient
from engine.library.spotify.sync import sync_library
from engine.library.store import Store


@pytest.fixture(scope="module")
def fake():
    with FakeSpotify(users={"alice": 60, "bob": 40}, playlists=2) as server:
        yield server


def _auth(fake, session, pending=None):
    return SpotifyAuth(fake.client_id, MappingCacheHandler(session), pending if pending is not None else PendingSignIns(),
                       accounts_url=fake.accounts_url)


def _sign_in(fake, auth, user):
    fake.approve_as = user
    answer = fake.authorize(auth.authorize_url())
    return auth.sign_in(answer["code"], answer["state"])


def test_authorize_url_asks_for_pkce_and_the_loopback_redirect(fake):
    url = _auth(fake, {}).authorize_url()
    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert query["redirect_uri"] == REDIRECT_URI == "http://127.0.0.1:8501/"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert {"user-library-read", "playlist-read-private", "playlist-modify-private"} <= set(query["scope"].split())
    assert "client_secret" not in url


def test_sign_in_survives_a_new_session_through_the_pending_store(fake):
    pending = PendingSignIns()
    url = _auth(fake, {"page": 1}, pending).authorize_url()  # the session that sends the user away
    fresh_session = {}  # the redirect back opens a new Streamlit session
    answer = fake.authorize(url)
    token = _auth(fake, fresh_session, pending).sign_in(answer["code"], answer["state"])
    assert fresh_session["spotify_token"] is token and token["refresh_token"]
    assert len(pending) == 0
    with pytest.raises(SpotifyAuthError, match="expired or was already used"):  # a state works once
        _auth(fake, {}, pending).sign_in(answer["code"], answer["state"])


def test_a_wrong_verifier_is_refused_by_the_token_server(fake):
    pending = PendingSignIns()
    url = _auth(fake, {}, pending).authorize_url()
    answer = fake.authorize(url)
    pending.put(answer["state"], "not-the-verifier-" + "x" * 40)  # as if the verifier were lost or forged
    with pytest.raises(SpotifyAuthError, match="refused the sign-in"):
        _auth(fake, {}, pending).sign_in(answer["code"], answer["state"])


def test_pending_sign_ins_expire():
    pending = PendingSignIns(ttl_s=0.0)
    pending.put("state", "verifier")
    assert pending.pop("state") is None


def test_expired_token_is_refreshed_without_a_secret(fake):
    session = {}
    auth = _auth(fake, session)
    first = _sign_in(fake, auth, "alice")["access_token"]
    session["spotify_token"]["expires_at"] = 0  # an hour later
    fresh = auth.access_token()
    assert fresh != first and session["spotify_token"]["access_token"] == fresh


def test_a_revoked_refresh_token_signs_out_with_a_clear_message(fake):
    session = {}
    auth = _auth(fake, session)
    _sign_in(fake, auth, "alice")
    session["spotify_token"]["refresh_token"] = "revoked"
    with pytest.raises(SpotifyAuthError, match="sign in again"):
        auth.refresh()
    assert not auth.signed_in


def test_no_client_id_is_a_clear_config_error(monkeypatch):
    monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
    with pytest.raises(SpotifyConfigError, match="secrets.toml"):
        SpotifyAuth(None, MappingCacheHandler({}))


def test_two_sessions_never_see_each_others_token_or_library(fake, tmp_path, caplog, monkeypatch):
    monkeypatch.chdir(tmp_path)  # spotipy's default cache would land here as .cache*
    caplog.set_level(logging.DEBUG)
    sessions = {"alice": {}, "bob": {}}
    pending = PendingSignIns()  # one per server, shared by both users
    auths = {user: _auth(fake, sessions[user], pending) for user in sessions}
    tokens = {user: _sign_in(fake, auths[user], user) for user in sessions}
    assert tokens["alice"]["access_token"] != tokens["bob"]["access_token"]

    store = Store(tmp_path / "tunescope.db")
    reports = {user: sync_library(store, SpotifyClient(auths[user], api_url=fake.api_url, backoff_s=0.01))
               for user in sessions}
    assert reports["alice"].library_id != reports["bob"].library_id
    for user, report in reports.items():
        got = set(store.library_tracks(report.library_id)["track_id"])
        assert got == fake.users[user].expected_tracks()
        assert report.user == f"{user.title()} Listener"
    assert sessions["alice"]["spotify_token"] is tokens["alice"] and sessions["bob"]["spotify_token"] is tokens["bob"]
    store.close()

    secrets = [t[k] for t in tokens.values() for k in ("access_token", "refresh_token")]
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in written if p.name.startswith(".cache")]
    for path in written:
        data = path.read_bytes()
        assert not any(secret.encode() in data for secret in secrets), f"a token was written to {path}"
    assert not any(secret in caplog.text for secret in secrets), "a token reached the log"


def test_a_callback_finishes_only_in_the_browser_that_started_it(fake):
    pending = PendingSignIns()  # one per server
    victim, attacker = {}, {}
    fake.approve_as = "bob"
    answer = fake.authorize(_auth(fake, attacker, pending).authorize_url(browser="attacker-token"))
    with pytest.raises(SignInElsewhereError, match="started in another browser"):
        _auth(fake, victim, pending).sign_in(answer["code"], answer["state"], browser="victim-token")
    assert victim == {}  # the link someone sent changed nothing in this session
    assert pending.hand_in(answer["state"], answer["code"])  # the code goes back to the browser that asked for it
    assert not pending.hand_in(answer["state"], "another-code")  # and cannot be replaced
    assert pending.handed_in("victim-token") is None
    state, code = pending.handed_in("attacker-token")
    token = _auth(fake, attacker, pending).sign_in(code, state, browser="attacker-token")
    assert attacker["spotify_token"] is token and len(pending) == 0
