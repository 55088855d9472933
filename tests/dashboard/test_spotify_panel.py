"""The Home page's Spotify panel in AppTest, against the fake Spotify: connect, the ?code= return, sync."""

import pytest
from fake_spotify import FakeSpotify
from streamlit.testing.v1 import AppTest

from dashboard.safe import md
from engine.library.store import Store

SCRIPT = """
import streamlit as st
from dashboard import spotify_panel
from engine.library.store import Store

store = Store({db!r})
st.session_state["returned"] = spotify_panel.render(store)
store.close()
"""


@pytest.fixture()
def fake(monkeypatch):
    with FakeSpotify(users={"alice": 120}, playlists=2) as server:
        monkeypatch.setenv("TUNESCOPE_SPOTIFY_ACCOUNTS_URL", server.accounts_url)
        monkeypatch.setenv("TUNESCOPE_SPOTIFY_API_URL", server.api_url)
        monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
        yield server


def _app(db, client_id=None):
    app = AppTest.from_string(SCRIPT.format(db=str(db)), default_timeout=60)
    if client_id:
        app.secrets["SPOTIFY_CLIENT_ID"] = client_id
    return app


def _signed_in_app(fake, db):
    url = _app(db, fake.client_id).run().get("link_button")[0].proto.url
    back = fake.authorize(url)  # the browser goes to Spotify and is sent back with ?code=&state=
    app = _app(db, fake.client_id)  # the redirect opens a new session
    app.query_params["code"], app.query_params["state"] = back["code"], back["state"]
    return app.run()


def test_without_a_client_id_the_panel_says_how_to_set_one(fake, tmp_path):
    app = _app(tmp_path / "t.db").run()
    assert not app.exception
    assert "secrets.toml" in app.info[0].value and "SPOTIFY_CLIENT_ID" in app.info[0].value
    assert app.session_state["returned"] is None and not app.get("link_button")


def test_connect_return_with_code_and_sync(fake, tmp_path):
    db = tmp_path / "t.db"
    first = _app(db, fake.client_id).run()
    url = first.get("link_button")[0].proto.url
    assert url.startswith(fake.accounts_url + "/authorize?") and "code_challenge=" in url
    assert first.run().get("link_button")[0].proto.url == url  # one consent link per session, not per rerun

    app = _signed_in_app(fake, db)
    assert not app.exception and not app.error
    assert dict(app.query_params) == {}  # the code is gone from the URL
    assert any("Alice Listener" in m.value for m in app.markdown)
    app.button(key="spotify_sync").click().run()
    assert not app.exception and not app.error
    library_id = app.session_state["returned"]
    store = Store(db)
    tracks = store.library_tracks(library_id)
    assert set(tracks["track_id"]) == fake.users["alice"].expected_tracks()
    store.close()
    token = app.session_state["spotify_token"]["access_token"]
    assert all(token.encode() not in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())


def test_a_replayed_code_is_refused_with_a_clear_message(fake, tmp_path):
    db = tmp_path / "t.db"
    url = _app(db, fake.client_id).run().get("link_button")[0].proto.url
    back = fake.authorize(url)
    app = _app(db, fake.client_id)
    app.query_params["code"], app.query_params["state"] = back["code"], "not-the-state"
    app.run()
    assert not app.exception
    assert "expired or was already used" in app.error[0].value
    assert app.get("link_button")  # and the way back in is offered


def test_a_failing_sync_shows_the_fix_not_a_traceback(fake, tmp_path):
    app = _signed_in_app(fake, tmp_path / "t.db")
    fake.inject("429", path="/v1/me/tracks", retry_after=3600)
    app.button(key="spotify_sync").click().run()
    assert not app.exception
    assert md("rate-limiting") in app.error[0].value and "resumes where it stopped" in app.error[0].value


def test_in_development_mode_the_library_is_ready_and_genres_follow_in_the_background(fake, tmp_path):
    """No batch endpoints: the sync ends without asking artists one by one; the panel fetches them behind
    the page with a progress bar, and the genres land in the store."""
    import time

    from engine.library.spotify.genres_later import pending_genres

    fake.development_mode = True
    fake.inject("slow", path="/v1/artists/", delay=1.0)  # the background fetch is still running after the sync
    db = tmp_path / "t.db"
    # The store stays open, as the dashboard's cached one does: the background fetch writes to it.
    app = AppTest.from_string(SCRIPT.format(db=str(db)).replace("store.close()", ""), default_timeout=60)
    app.secrets["SPOTIFY_CLIENT_ID"] = fake.client_id
    app.session_state["spotify_token"] = _signed_in_app(fake, db).session_state["spotify_token"]
    app.run().button(key="spotify_sync").click().run()
    assert not app.exception and not app.error
    library_id = app.session_state["returned"]
    assert [s for _, _, s in fake.requests_to("/v1/artists?")] == [403]
    assert any("genres: 0 of" in p.proto.text for p in app.get("progress"))  # the library is in meanwhile
    store = Store(db)
    started = time.monotonic()
    while pending_genres(store, library_id):
        assert time.monotonic() - started < 60
        time.sleep(0.5)
    user = fake.users["alice"]
    asked = [path.rsplit("/", 1)[-1] for _, path, _ in fake.requests_to("/v1/artists/")]
    assert asked and len(asked) == len(set(asked)) and set(asked) <= set(user.artists)
    assert (store.library_tracks(library_id)["genres"] != "").any()
    assert not app.run().get("progress")  # done: the bar is gone
    store.close()
