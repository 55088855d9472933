"""The client's one call against the fake Spotify: each fault class, audio features, fallbacks, export."""

import time

import pytest
from fake_spotify import FakeSpotify

from engine.errors import (NothingToExportError, SpotifyAuthError, SpotifyRateLimitError, SpotifyRequestError,
                           SpotifyUnavailableError)
from engine.library.spotify.auth import MappingCacheHandler, SpotifyAuth
from engine.library.spotify.client import SpotifyClient
from engine.library.spotify.export import export_playlist


@pytest.fixture(scope="module")
def fake():
    with FakeSpotify(users={"alice": 120}, playlists=2) as server:
        yield server


@pytest.fixture()
def session(fake):
    fake.rules.clear()
    fake.audio_features = False
    fake.legacy_playlist_path = False
    session = {}
    auth = SpotifyAuth(fake.client_id, MappingCacheHandler(session), accounts_url=fake.accounts_url)
    answer = fake.authorize(auth.authorize_url())
    auth.sign_in(answer["code"], answer["state"])
    return auth


def _client(fake, auth, **kw):
    kw.setdefault("backoff_s", 0.01)
    return SpotifyClient(auth, api_url=fake.api_url, **kw)


def test_saved_tracks_page_in_fifties_with_the_real_shape(fake, session):
    page = _client(fake, session).saved_tracks(offset=50)
    assert page["limit"] == 50 and page["offset"] == 50 and page["total"] == 96 and len(page["items"]) == 46
    track = page["items"][0]["track"]
    assert {"album", "artists", "duration_ms", "explicit", "id", "name", "track_number", "uri"} <= set(track)
    assert "popularity" not in track and "external_ids" not in track  # removed in 2026


def test_429_waits_what_retry_after_says(fake, session):
    fake.inject("429", path="/v1/me/tracks", retry_after=1)
    before, started = fake.too_early, time.monotonic()
    page = _client(fake, session).saved_tracks()
    assert len(page["items"]) == 50
    assert time.monotonic() - started >= 1.0
    assert fake.too_early == before  # never came back before Retry-After ran out


def test_429_beyond_patience_ends_in_a_rate_limit_message(fake, session):
    fake.inject("429", path="/v1/me/tracks", retry_after=3600)
    with pytest.raises(SpotifyRateLimitError, match="rate-limiting.*3600 s"):
        _client(fake, session, max_retry_after_s=60).saved_tracks()
    fake._blocked_until = 0.0


def test_401_refreshes_once_then_carries_on(fake, session):
    old = session.cache_handler.get_cached_token()["access_token"]
    fake.expire_tokens()  # the server no longer accepts the token the client believes valid
    assert _client(fake, session).me()["id"] == "alice"
    assert session.cache_handler.get_cached_token()["access_token"] != old


def test_401_after_a_refresh_asks_to_sign_in_again(fake, session):
    fake.inject("401", path="/v1/me", times=2)
    with pytest.raises(SpotifyAuthError, match="sign in again"):
        _client(fake, session).me()
    assert [s for _, p, s in fake.requests_to("/api/token")][-1] == 200  # exactly one refresh went through


def test_5xx_is_retried_with_backoff(fake, session):
    fake.inject("500", path="/v1/me/playlists", times=2)
    fake.inject("503", path="/v1/me/playlists")
    waits = []
    client = _client(fake, session, sleep=waits.append, backoff_s=0.5)
    assert client.my_playlists()["total"] == 3  # two own, one followed
    assert waits == [0.5, 1.0, 2.0]  # doubling backoff


def test_5xx_that_never_ends_becomes_a_clear_unavailable_error(fake, session):
    fake.inject("502", path="/v1/me", times=10)
    with pytest.raises(SpotifyUnavailableError, match="answered 502 4 times for me"):
        _client(fake, session, retries=3).me()
    fake.rules.clear()


def test_slow_answers_time_out_and_are_retried(fake, session):
    fake.inject("slow", path="/v1/me/tracks", delay=1.0)
    page = _client(fake, session, timeout=0.3).saved_tracks()
    assert len(page["items"]) == 50


def test_a_dropped_connection_mid_page_is_retried(fake, session):
    fake.inject("drop", path="/v1/me/tracks")
    fake.inject("reset", path="/v1/me/tracks")
    client = _client(fake, session)
    assert len(client.saved_tracks()["items"]) == 50
    assert client.retried == 2


def test_dropped_connections_that_never_end_say_so(fake, session):
    fake.inject("drop", path="/v1/me/tracks", times=10)
    with pytest.raises(SpotifyUnavailableError, match="dropped the connection 3 times"):
        _client(fake, session, retries=2).saved_tracks()
    fake.rules.clear()


def test_audio_features_403_is_tried_once_then_marked_unavailable(fake, session):
    client = _client(fake, session)
    ids = fake.users["alice"].saved[:3]
    assert client.audio_features(ids) is None and client.audio_features_available is False
    assert client.audio_features(ids) is None
    assert len(fake.requests_to("/audio-features")) == 1


def test_audio_features_200_returns_real_values(fake, session):
    fake.audio_features = True
    client = _client(fake, session)
    ids = fake.users["alice"].saved[:3]
    rows = client.audio_features(ids)
    assert [r["id"] for r in rows] == ids and client.audio_features_available is True
    assert 0 <= rows[0]["energy"] <= 1 and rows[0]["tempo"] > 50


def test_playlist_items_fall_back_to_the_old_tracks_path(fake, session):
    fake.legacy_playlist_path = True
    playlist = fake.users["alice"].playlists[0]
    page = _client(fake, session).playlist_items(playlist.id)
    assert page["total"] == len(playlist.items) and "track" in page["items"][0]
    assert fake.log[-2][2] == 404 and "/tracks" in fake.log[-1][1]


def test_other_refusals_name_the_status(fake, session):
    with pytest.raises(SpotifyRequestError, match="404") as caught:
        _client(fake, session).playlist_items("0000000000000000000000")
    assert caught.value.status == 404


def test_export_a_cluster_as_a_spotify_playlist(fake, session):
    user = fake.users["alice"]
    ids = list(user.tracks)[:110] + ["k:local-only-track"]
    made = export_playlist(_client(fake, session), "Tunescope cluster 3", ids)
    assert made["added"] == 110 and made["skipped"] == 1
    created = user.playlist(made["id"])
    assert created.name == "Tunescope cluster 3" and [v for _, v in created.items] == ids[:110]
    with pytest.raises(NothingToExportError, match="no Spotify id|has a Spotify id"):
        export_playlist(_client(fake, session), "empty", ["k:abc"])


@pytest.mark.parametrize("fault", ["drop", "reset", "500"])
def test_a_lost_answer_to_create_playlist_never_makes_a_second(fake, session, fault):
    """'drop': the playlist was made, the answer lost; 'reset': never made; '500': made, answer an error."""
    user = fake.users["alice"]
    name = f"Tunescope after a {fault}"
    fake.inject(fault, path="/v1/me/playlists")  # the POST is the first request to this path
    made = export_playlist(_client(fake, session), name, list(user.tracks)[:30])
    assert [p.id for p in user.playlists if p.name == name] == [made["id"]]
    assert [v for _, v in user.playlist(made["id"]).items] == list(user.tracks)[:30]


@pytest.mark.parametrize("fault", ["drop", "reset"])
def test_a_lost_answer_to_add_items_never_adds_twice(fake, session, fault):
    user = fake.users["alice"]
    ids = list(user.tracks)[:110]
    fake.inject(fault, path="/items", skip=1)  # the second POST (items 101-110); no GET to /items comes before
    made = export_playlist(_client(fake, session), f"Tunescope add after a {fault}", ids)
    assert [v for _, v in user.playlist(made["id"]).items] == ids  # each track once, in order
    posts = [s for m, p, s in fake.log if m == "POST" and made["id"] in p]
    assert len(posts) == (2 if fault == "drop" else 3)  # a landed batch is not sent again; a lost one is


def test_a_post_without_a_landed_check_is_not_repeated(fake, session):
    client = _client(fake, session)
    fake.inject("drop", path="/v1/me/playlists")
    before = len(fake.users["alice"].playlists)
    with pytest.raises(SpotifyUnavailableError, match="may have taken effect"):
        client._call("POST", "me/playlists", payload={"name": "unchecked", "description": ""})
    assert len(fake.users["alice"].playlists) == before + 1  # it landed once, and only once
