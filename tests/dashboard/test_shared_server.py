"""A server several people share (TUNESCOPE_SHARED=1), in AppTest: two browsers side by side import, sync
and open their libraries, and neither sees nor changes the other's; a callback link from one does not
sign in the other. Each AppTest is one browser session; its ?account= token is what the browser keeps."""

from pathlib import Path

import pandas as pd
import pytest
from fake_spotify import FakeSpotify
from streamlit.testing.v1 import AppTest

from dashboard.safe import md
from engine.config import data_dir
from engine.library.demo import DEMO_NAME

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
SAMPLES = data_dir() / "samples" / "exportify"
FILES = {"a": SAMPLES / "seankmchenry__2023-01__donald_fagen.csv", "b": SAMPLES / "deadda7a__2023-01__covers.csv"}


@pytest.fixture()
def fake(monkeypatch, dashboard_home):
    monkeypatch.setenv("TUNESCOPE_HOME", str(dashboard_home))
    monkeypatch.setenv("TUNESCOPE_SHARED", "1")
    with FakeSpotify(users={"alice": 30, "bob": 20}, playlists=1) as server:
        monkeypatch.setenv("TUNESCOPE_SPOTIFY_ACCOUNTS_URL", server.accounts_url)
        monkeypatch.setenv("TUNESCOPE_SPOTIFY_API_URL", server.api_url)
        monkeypatch.delenv("SPOTIFY_CLIENT_ID", raising=False)
        yield server


def browser(fake, **query) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    app.secrets["SPOTIFY_CLIENT_ID"] = fake.client_id
    app.query_params.update(query)
    return ok(app.run())


def ok(app: AppTest) -> AppTest:
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    return app


def libraries(app: AppTest) -> set[str]:
    return set(next(df.value for df in app.dataframe if "kind" in df.value.columns)["name"])


def tracks(app: AppTest) -> int:
    return int(next(m.value for m in app.metric if m.label == "Tracks").replace(",", ""))


def import_file(app: AppTest, path: Path, name: str) -> AppTest:
    app.file_uploader[0].set_value([(path.name, path.read_bytes(), "text/csv")]).run()
    app.text_input(key="import_name").set_value(name).run()
    next(b for b in app.button if b.label.startswith("Import")).click().run()
    return ok(app)


def connect(fake, app: AppTest, user: str) -> dict:
    """Click 'Connect Spotify' in this browser and approve as `user`: the callback's code and state."""
    fake.approve_as = user
    return fake.authorize(app.get("link_button")[0].proto.url)


def test_two_browsers_import_sync_and_open_only_their_own_libraries(fake):
    a, b = browser(fake), browser(fake)
    token_a, token_b = a.query_params["account"], b.query_params["account"]
    assert token_a != token_b and len(token_a) >= 22
    assert libraries(a) == {DEMO_NAME} == libraries(b)  # nothing of anyone else's, not even older local imports
    assert a.radio(key="import_target").disabled  # the open library is the demo: read-only

    import_file(a, FILES["a"], "A's records")
    a_import = int(a.session_state["library_id"])
    import_file(b, FILES["b"], "B's records")
    assert libraries(a) == {DEMO_NAME, "A's records"} and libraries(b) == {DEMO_NAME, "B's records"}
    assert tracks(a) == len(pd.read_csv(FILES["a"])) and tracks(b) == len(pd.read_csv(FILES["b"]))

    # Alice connects in browser a; Spotify's redirect opens a new tab with no account of its own.
    back = connect(fake, a, "alice")
    tab = browser(fake, code=back["code"], state=back["state"])
    assert "spotify_token" not in tab.session_state and "go back to it" in tab.info[0].value
    assert tab.query_params["account"] not in (token_a, token_b) and "code" not in tab.query_params
    ok(a.run())  # the tab that asked finishes the sign-in
    assert a.session_state["spotify_user"]["id"] == "alice"
    a.button(key="spotify_sync").click().run()
    # Bob connects in browser b and comes back in a tab of the same browser (its bookmark): it finishes there.
    back = connect(fake, b, "bob")
    b_tab = browser(fake, account=token_b, code=back["code"], state=back["state"])
    assert b_tab.session_state["spotify_user"]["id"] == "bob"
    b_tab.button(key="spotify_sync").click().run()
    ok(a), ok(b_tab)
    assert libraries(a) == {DEMO_NAME, "A's records", "Spotify: Alice Listener"}
    assert libraries(b_tab) == {DEMO_NAME, "B's records", "Spotify: Bob Listener"}
    assert "Spotify: Alice Listener" not in libraries(ok(b.run()))

    # Each browser's pages (and the CSV beside them) show its own library, even when asked for another's.
    b.session_state["library_id"] = a_import
    b.switch_page("../pages/coverage.py").run()
    ok(b)
    shown = next(c.value for c in b.caption if c.value.startswith("Library"))
    assert md("A's records") not in shown and md("B's records") in shown  # its own, not the one it asked for
    assert f"{len(pd.read_csv(FILES['b'])):,} tracks" in shown
    a.session_state["library_id"] = a_import
    a.switch_page("../pages/coverage.py").run()
    assert md("A's records") in next(c.value for c in ok(a).caption if c.value.startswith("Library"))

    # A bookmark brings browser a back to its own libraries in a new session; no one else's come with them.
    again = browser(fake, account=token_a)
    assert libraries(again) == {DEMO_NAME, "A's records"}  # its Spotify library needs the Spotify sign-in again


def test_a_callback_link_from_one_browser_does_not_sign_in_another(fake):
    attacker, victim = browser(fake), browser(fake)
    back = connect(fake, attacker, "bob")  # the attacker approves their own account, then sends the link
    link = browser(fake, account=victim.query_params["account"], code=back["code"], state=back["state"])
    assert "spotify_token" not in link.session_state and "spotify_user" not in link.session_state
    assert any("started in another browser" in i.value for i in link.info)
    assert not any("Connected to Spotify" in m.value for m in link.markdown)
    assert link.get("link_button")  # the victim's own way in is still offered
    ok(attacker.run())
    assert attacker.session_state["spotify_user"]["id"] == "bob"  # only the browser that asked is signed in
