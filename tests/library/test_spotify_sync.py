"""Syncing a Spotify account into the real store, through the fake Spotify and its faults."""

import pytest
from fake_spotify import FakeSpotify

from engine.config import FEATURES
from engine.errors import SpotifyUnavailableError
from engine.library.spotify.auth import MappingCacheHandler, PendingSignIns, SpotifyAuth
from engine.library.spotify.client import SpotifyClient
from engine.library.spotify.sync import sync_library
from engine.library.store import Store


class Killed(Exception):
    """Stands in for the process dying between two pages."""


def sign_in(fake, user="alice", session=None):
    auth = SpotifyAuth(fake.client_id, MappingCacheHandler({} if session is None else session), PendingSignIns(),
                       accounts_url=fake.accounts_url)
    fake.approve_as = user
    answer = fake.authorize(auth.authorize_url())  # the browser's trip to Spotify and back
    auth.sign_in(answer["code"], answer["state"])
    return auth


def client_for(fake, auth, **kw):
    return SpotifyClient(auth, api_url=fake.api_url, backoff_s=kw.pop("backoff_s", 0.01), **kw)


def playlist_track_ids(store, library_id, spotify_id):
    rows = store.db.query("select lt.track_id from playlist_tracks pt join library_tracks lt on lt.key = pt.key "
                          f"and lt.library_id = {int(library_id)} "
                          "where pt.playlist_id = ? order by pt.position", [f"{library_id}/{spotify_id}"])
    return [r["track_id"] for r in rows]


def assert_complete(store, report, user):
    """Every track exactly once; saved flags right; each playlist complete, in order."""
    tracks = store.library_tracks(report.library_id)
    assert not tracks["track_id"].duplicated().any() and not tracks["key"].duplicated().any()
    assert set(tracks["track_id"]) == user.expected_tracks()
    assert set(tracks.loc[tracks["saved"] == 1, "track_id"]) == set(user.saved)
    stored = store.library_playlists(report.library_id)
    assert sorted(stored["spotify_id"]) == sorted(p.id for p in user.readable_playlists())
    assert report.unreadable_playlists == ["Someone else's mix"]
    for playlist in user.readable_playlists():
        assert playlist_track_ids(store, report.library_id, playlist.id) == user.expected_playlist(playlist.id)


@pytest.fixture()
def store():
    store = Store(":memory:")
    yield store
    store.close()


def test_sync_brings_saved_tracks_playlists_and_genres(store):
    with FakeSpotify(users={"alice": 300}, playlists=4) as fake:
        seen = []
        report = sync_library(store, client_for(fake, sign_in(fake)), progress=lambda *a: seen.append(a))
        user = fake.users["alice"]
        assert_complete(store, report, user)
        assert store.libraries().set_index("library_id").loc[report.library_id, "name"] == "Spotify: Alice Listener"
        tracks = store.library_tracks(report.library_id).set_index("track_id")
        local = [t for t in tracks.index if t.startswith("spotify:local:")]
        assert len(local) == 2 and tracks.loc[local[0], "artists"] == "Home Recordings"  # episodes stay out
        genres_of = {tid: list(dict.fromkeys(g for a in user.tracks[tid]["artists"]
                                             for g in user.artists[a["id"]]["genres"]))
                     for tid in user.saved if tid in user.tracks}
        with_genres = [tid for tid, genres in genres_of.items() if genres]
        without = [tid for tid, genres in genres_of.items() if not genres]
        assert with_genres and without  # the fake's artists have 0 to 3 genres: both cases are met
        track = user.tracks[with_genres[0]]
        row = tracks.loc[track["id"]]
        assert row["title"] == track["name"] and row["album"] == track["album"]["name"]
        assert row["duration_ms"] == track["duration_ms"] and row["release_date"] == track["album"]["release_date"]
        assert row["genres"].split(";") == genres_of[track["id"]]
        assert all(tracks.loc[tid, "genres"].split(";") == genres_of[tid] for tid in with_genres)
        assert (tracks.loc[without, "genres"] == "").all()  # no genres: empty, nothing invented
        assert report.tracks_with_genres > 0 and report.audio_features == "unavailable"
        assert tracks[FEATURES].isna().all().all()  # 403: nothing invented
        dones = [d for d, _, _ in seen]
        assert dones == sorted(dones) and all(d <= t for d, t, _ in seen) and seen[-1][0] == seen[-1][1]
        assert len(fake.requests_to("/audio-features")) == 1


def test_a_second_sync_is_idempotent_and_skips_unchanged_playlists(store):
    with FakeSpotify(users={"alice": 200}, playlists=3) as fake:
        client = client_for(fake, sign_in(fake))
        first = sync_library(store, client)
        served = lambda: [r for r in fake.requests_to("/items") if r[2] == 200]  # noqa: E731
        item_requests = len(served())
        again = sync_library(store, client)
        assert (again.tracks, again.playlist_items, again.library_id) == (first.tracks, first.playlist_items, first.library_id)
        assert len(served()) == item_requests  # snapshot ids unchanged: nothing refetched
        assert_complete(store, again, fake.users["alice"])


def test_changed_shrunk_and_deleted_playlists_are_followed(store):
    with FakeSpotify(users={"alice": 200}, playlists=3) as fake:
        client = client_for(fake, sign_in(fake))
        sync_library(store, client)
        user = fake.users["alice"]
        shrunk, deleted = user.readable_playlists()[:2]
        shrunk.items, shrunk.version = shrunk.items[:5], shrunk.version + 1
        user.playlists.remove(deleted)
        report = sync_library(store, client)
        assert_complete(store, report, user)


def test_audio_features_are_stored_when_spotify_still_serves_them(store):
    with FakeSpotify(users={"alice": 150}, playlists=2, audio_features=True) as fake:
        report = sync_library(store, client_for(fake, sign_in(fake)))
        tracks = store.library_tracks(report.library_id)
        with_ids = tracks[tracks["track_id"].str.len() == 22]
        assert report.audio_features == "spotify" and report.features_stored == len(with_ids)
        assert (with_ids["source"] == "spotify").all() and with_ids[FEATURES].notna().all().all()
        first = with_ids.iloc[0]
        served = client_for(fake, sign_in(fake)).audio_features([first["track_id"]])[0]
        assert first["energy"] == pytest.approx(served["energy"]) and first["tempo"] == pytest.approx(served["tempo"])


def test_a_sync_killed_at_any_stage_resumes_without_duplicates_or_losses(store):
    with FakeSpotify(users={"alice": 400}, playlists=3) as fake:
        client = client_for(fake, sign_in(fake))
        for stop_at in (3, 12, 17):  # in saved tracks, in playlist items, in artists' genres
            def die(done, total, message, stop_at=stop_at):
                if done == stop_at:
                    raise Killed(message)
            with pytest.raises(Killed):
                sync_library(store, client, progress=die)
        report = sync_library(store, client)
        assert report.resumed
        assert_complete(store, report, fake.users["alice"])
        runs = store.runs(report.library_id)
        assert list(runs["status"]) == ["done"]  # one run, resumed three times, finished once


def test_end_to_end_2000_tracks_through_faults_an_interruption_and_a_resume(tmp_path):
    with FakeSpotify(users={"alice": 2000}, playlists=6) as fake:
        session = {}
        auth = sign_in(fake, session=session)
        client = client_for(fake, auth, timeout=0.5, retries=3)
        fake.inject("429", path="/v1/me/tracks", skip=5, retry_after=1)
        fake.inject("500", path="/v1/me/tracks", skip=9, times=2)
        fake.inject("slow", path="/v1/me/tracks", skip=14, delay=1.0)
        fake.inject("drop", path="/v1/me/tracks", skip=20)
        fake.inject("401", path="/v1/me/tracks", skip=25)
        fake.inject("drop", path="/items", skip=12, times=4)  # outlasts the retries: the sync stops here
        store = Store(tmp_path / "tunescope.db")
        with pytest.raises(SpotifyUnavailableError, match="dropped the connection"):
            sync_library(store, client)
        library_id = store.find_library("spotify", owner="alice")
        interrupted = store.library_tracks(library_id)
        assert 1600 <= len(interrupted) < 2000 and not interrupted["track_id"].duplicated().any()
        store.close()

        fake.inject("429", path="/v1/artists", skip=2, retry_after=1)  # on a batch of artists
        fake.expire_tokens()  # the hour passed while the user was away
        reopened = Store(tmp_path / "tunescope.db")  # as a new process would
        report = sync_library(reopened, client_for(fake, auth, timeout=0.5))
        assert report.resumed and report.library_id == library_id
        assert report.tracks == len(fake.users["alice"].expected_tracks()) >= 2000
        assert_complete(reopened, report, fake.users["alice"])
        assert fake.too_early == 0 and not fake.rules  # every fault was met, every Retry-After honoured
        reopened.close()


def test_a_playlist_re_fetch_failing_half_way_keeps_the_old_playlist(store):
    """Changed on Spotify, then the fetch fails on its second page: the stored playlist stays whole
    (items, order, snapshot) until a later sync has all of the new one."""
    with FakeSpotify(users={"alice": 300}, playlists=3) as fake:
        client = client_for(fake, sign_in(fake), retries=1)
        first = sync_library(store, client)
        user = fake.users["alice"]
        playlist = max(user.readable_playlists(), key=lambda p: len(p.items))
        assert len(playlist.items) > 50  # more than one page
        old_items = playlist_track_ids(store, first.library_id, playlist.id)
        old_snapshot = store.playlist_snapshots(first.library_id)[playlist.id]
        playlist.items, playlist.version = playlist.items[::-1][:-3], playlist.version + 1
        fake.inject("503", path=f"/playlists/{playlist.id}/items", times=10, skip=1)
        with pytest.raises(SpotifyUnavailableError):
            sync_library(store, client)
        assert playlist_track_ids(store, first.library_id, playlist.id) == old_items
        assert store.playlist_snapshots(first.library_id)[playlist.id] == old_snapshot
        stored = store.library_playlists(first.library_id).set_index("spotify_id")
        assert stored.loc[playlist.id, "tracks"] == len(old_items)
        fake.rules.clear()
        report = sync_library(store, client)
        assert_complete(store, report, user)
        assert store.db.execute("select count(*) from playlist_tracks where playlist_id like '%#fetching'").fetchone()[0] == 0
