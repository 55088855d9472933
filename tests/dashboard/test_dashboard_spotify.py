"""The whole Spotify path through the dashboard, against the fake Spotify: connect on Home, sync,
see the library, and save a cluster as a Spotify playlist from the Clusters page."""

from pathlib import Path

import pytest
from fake_spotify import FakeSpotify
from streamlit.testing.v1 import AppTest

from dashboard.safe import md

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture()
def fake(monkeypatch, dashboard_home):
    monkeypatch.setenv("TUNESCOPE_HOME", str(dashboard_home))
    with FakeSpotify(users={"alice": 80}, playlists=2) as server:
        monkeypatch.setenv("TUNESCOPE_SPOTIFY_ACCOUNTS_URL", server.accounts_url)
        monkeypatch.setenv("TUNESCOPE_SPOTIFY_API_URL", server.api_url)
        monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
        yield server


def _app(fake) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    app.secrets["SPOTIFY_CLIENT_ID"] = fake.client_id
    return app


def test_connect_sync_and_save_a_cluster_as_a_spotify_playlist(fake):
    first = _app(fake).run()
    assert not first.exception, first.exception
    back = fake.authorize(first.get("link_button")[0].proto.url)
    app = _app(fake)  # Spotify's redirect opens a new session with ?code=&state=
    app.query_params["code"], app.query_params["state"] = back["code"], back["state"]
    app.run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    app.button(key="spotify_sync").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    user = fake.users["alice"]
    library = next(m.value for m in app.markdown if m.value.startswith("**Library:** ")).removeprefix("**Library:** ")
    assert library.startswith("Spotify") and int(next(m.value for m in app.metric if m.label == "Tracks").replace(",", "")) \
        == len(user.expected_tracks())

    app.switch_page("../pages/clusters.py").run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    before = len(user.playlists)
    app.button(key="clusters_spotify").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert len(user.playlists) == before + 1
    made = user.playlists[-1]
    assert made.name.startswith("Tunescope: ") and made.items
    assert {value for _, value in made.items} <= user.expected_tracks()
    assert any(md("Saved 'Tunescope: ") in s.value for s in app.success)
    assert app.get("link_button")[-1].proto.url == f"https://open.spotify.com/playlist/{made.id}"  # Spotify's own address
