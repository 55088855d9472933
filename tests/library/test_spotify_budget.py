"""A sync asks only what it must: request budgets against a heavy user's account on the fake Spotify
(counted in its log), a track saved mid-sync, short-lived tokens, a remembered /audio-features refusal."""

import json
import time

import pytest
from fake_spotify import FakeSpotify, HeavyShape
from test_spotify_sync import assert_complete, client_for, sign_in

from engine.library.spotify.auth import REFRESH_MARGIN_S, refresh_margin
from engine.library.spotify.sync import ASK_FEATURES_AGAIN_S, sync_library


def expected_genres(user, track_id):
    """What a sync asking Spotify for every artist stores: the artists' genres in order, no repeats."""
    genres = [g for a in user.tracks[track_id]["artists"] for g in user.artists[a["id"]]["genres"]]
    return ";".join(dict.fromkeys(genres))


def assert_genres_as_spotify_gives(store, report, user):
    tracks = store.library_tracks(report.library_id)
    with_ids = tracks[tracks["track_id"].str.len() == 22]
    assert len(with_ids) >= 2800
    assert list(with_ids["genres"]) == [expected_genres(user, t) for t in with_ids["track_id"]]


def heavy_fake(**options):
    return FakeSpotify(users={"heavy": 2800}, playlists=12, shape=HeavyShape(), **options)


def test_a_heavy_account_syncs_in_200_requests_and_resyncs_in_20(memory_store):
    with heavy_fake() as fake:
        user = fake.users["heavy"]
        assert len(user.saved) == 2500 and len(user.artists) == 2000
        assert 1600 <= sum(len(p.items) for p in user.readable_playlists()) <= 1800
        client = client_for(fake, sign_in(fake, "heavy"))
        before = fake.api_requests()
        report = sync_library(memory_store, client)
        full = fake.api_requests() - before
        assert full <= 200, full
        assert_complete(memory_store, report, user)
        assert_genres_as_spotify_gives(memory_store, report, user)
        asked = sum(len(path.split("ids=")[1].split("%2C")) for _, path, _ in fake.requests_to("/v1/artists?"))
        assert asked <= 0.2 * len(user.artists)  # the catalog's artist table answered for the rest

        before = fake.api_requests()
        again = sync_library(memory_store, client)
        resync = fake.api_requests() - before
        assert resync <= 20, resync
        assert not [p for _, p, _ in fake.log[-resync:] if "/artists" in p or "/items" in p or "audio-features" in p]
        assert (again.tracks, again.playlist_items, again.tracks_with_genres) == (
            report.tracks, report.playlist_items, report.tracks_with_genres)
        assert_complete(memory_store, again, user)


def test_in_development_mode_the_library_is_in_within_200_requests_and_genres_follow(memory_store):
    """Development mode (no batch endpoints), 2,045 artists the catalog mostly does not know: the sync
    brings tracks and playlists within a normal sync's 200 requests; the genres come afterwards, one
    artist a request, resumable (stopped after two steps, then finished), each artist asked once."""
    from engine.library.spotify.genres_later import STEP, fetch_pending_genres, pending_genres

    shape = HeavyShape(artists=2045, in_catalog=0.1)
    with FakeSpotify(users={"heavy": 2800}, playlists=12, shape=shape, development_mode=True) as fake:
        user = fake.users["heavy"]
        assert len(user.saved) == 2500 and len(user.artists) == 2045
        client = client_for(fake, sign_in(fake, "heavy"))
        before = fake.api_requests()
        report = sync_library(memory_store, client)
        assert fake.api_requests() - before <= 200, fake.api_requests() - before
        assert_complete(memory_store, report, user)  # usable: every track and playlist is in
        assert [s for _, _, s in fake.requests_to("/v1/artists?")] == [403] and not fake.requests_to("/v1/artists/")
        assert report.genres_pending == pending_genres(memory_store, report.library_id) >= 0.8 * len(user.artists)

        seen, steps = [], iter(range(2))
        stopped = fetch_pending_genres(memory_store, client, report.library_id,
                                       progress=lambda done, total: seen.append((done, total)),
                                       keep_going=lambda: next(steps, None) is not None)
        assert stopped.asked == 2 * STEP and stopped.left == report.genres_pending - 2 * STEP
        assert pending_genres(memory_store, report.library_id) == stopped.left  # resumable from here
        done = fetch_pending_genres(memory_store, client, report.library_id,
                                    progress=lambda done, total: seen.append((done, total)))
        assert done.left == 0 and pending_genres(memory_store, report.library_id) == 0
        assert seen[:2] == [(STEP, report.genres_pending), (2 * STEP, report.genres_pending)]
        assert seen[-1] == (stopped.left, stopped.left) and [d for d, _ in seen[2:]] == sorted(d for d, _ in seen[2:])
        one_by_one = [path for _, path, _ in fake.requests_to("/v1/artists/")]
        assert len(one_by_one) == len(set(one_by_one)) == report.genres_pending  # each asked once
        silent = sum(1 for a in user.artists.values() if not a["genres"])
        assert silent and done.with_genres + stopped.with_genres == report.genres_pending - silent  # none: skipped
        assert_genres_as_spotify_gives(memory_store, report, user)

        before = fake.api_requests()
        sync_library(memory_store, client)
        assert not [p for _, p, _ in fake.log[before:] if "/v1/artists/" in p]  # every answer carried, [] too


def test_a_track_saved_during_the_sync_is_not_missed(memory_store):
    with FakeSpotify(users={"alice": 400}, playlists=2) as fake:
        user = fake.users["alice"]
        fake.inject("save", path="/v1/me/tracks", skip=3)  # before the 4th page: later offsets shift by one
        report = sync_library(memory_store, client_for(fake, sign_in(fake)))
        assert len(user.saved) == 321 and report.saved == 321
        assert_complete(memory_store, report, user)
        assert user.saved[0] in set(memory_store.library_tracks(report.library_id)["track_id"])


def test_a_short_lived_token_is_not_refreshed_before_every_request(memory_store):
    assert refresh_margin({"expires_in": 3600}) == REFRESH_MARGIN_S and refresh_margin({"expires_in": 40}) == 20
    with FakeSpotify(users={"alice": 300}, playlists=2, token_ttl=40) as fake:
        client = client_for(fake, sign_in(fake))
        before = len(fake.requests_to("/api/token"))
        report = sync_library(memory_store, client)
        assert len(fake.requests_to("/api/token")) - before <= 1  # the sync takes seconds; the token lives 40
        assert_complete(memory_store, report, fake.users["alice"])


def test_a_refused_audio_features_is_asked_again_only_after_a_week(memory_store):
    with FakeSpotify(users={"alice": 150}, playlists=2) as fake:
        client = client_for(fake, sign_in(fake))
        user = fake.users["alice"]
        first = sync_library(memory_store, client)
        user.save_new_track()  # a new track: something to ask features for
        second = sync_library(memory_store, client)
        assert (first.audio_features, second.audio_features) == ("unavailable", "unavailable")
        assert len(fake.requests_to("/audio-features")) == 1  # remembered across syncs
        last = memory_store.db.execute("select id, cursor from runs order by id desc limit 1").fetchone()
        cursor = json.loads(last[1])
        cursor["features_refused_at"] = time.time() - ASK_FEATURES_AGAIN_S - 60  # a week and a minute ago
        memory_store.db.execute("update runs set cursor = ? where id = ?", [json.dumps(cursor), last[0]])
        memory_store.db.conn.commit()
        user.save_new_track()
        sync_library(memory_store, client_for(fake, sign_in(fake)))  # a week later: a new session
        assert len(fake.requests_to("/audio-features")) == 2


@pytest.mark.slow
def test_a_heavy_sync_under_a_rate_limiter_stays_exact(memory_store):
    """Every 7th request answers 429 (Retry-After 1-2 s): about 15 of them, a sync of under a minute."""
    with heavy_fake(rate_limit_every=7) as fake:
        started = time.monotonic()
        report = sync_library(memory_store, client_for(fake, sign_in(fake, "heavy"), retries=8))
        print(f"heavy sync under 429s: {time.monotonic() - started:.1f} s, {fake.api_requests()} requests")
        assert_complete(memory_store, report, fake.users["heavy"])
        assert fake.too_early == 0


def test_artists_asked_one_by_one_all_wait_out_a_429(memory_store):
    from engine.library.spotify.genres_later import fetch_pending_genres

    with FakeSpotify(users={"alice": 300}, playlists=2, development_mode=True) as fake:
        fake.inject("429", path="/v1/artists/", skip=6, retry_after=1)  # amid the concurrent single lookups
        client = client_for(fake, sign_in(fake))
        report = sync_library(memory_store, client)
        assert_complete(memory_store, report, fake.users["alice"])
        started = time.monotonic()
        later = fetch_pending_genres(memory_store, client, report.library_id)  # development mode: after the sync
        assert time.monotonic() - started >= 1.0 and not fake.rules
        assert fake.too_early == 0  # no thread sent a request once one of them had been told to wait
        assert later.left == 0 and later.tracks_updated > 0
        assert (memory_store.library_tracks(report.library_id)["genres"] != "").any()
