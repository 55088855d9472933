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
    # Bob connects in browser b; the redirect's tab hands the code back and b, which asked, finishes.
    back = connect(fake, b, "bob")
    b_tab = browser(fake, code=back["code"], state=back["state"])
    assert "spotify_token" not in b_tab.session_state
    ok(b.run())
    assert b.session_state["spotify_user"]["id"] == "bob"
    b.button(key="spotify_sync").click().run()
    ok(a), ok(b)
    assert libraries(a) == {DEMO_NAME, "A's records", "Spotify: Alice Listener"}
    assert libraries(b) == {DEMO_NAME, "B's records", "Spotify: Bob Listener"}
    assert "Spotify: Alice Listener" not in libraries(ok(b.run()))

    # Each browser's pages (and the CSV beside them) show its own library, even when asked for another's.
    b.session_state["library_id"] = a_import
    b.switch_page("../pages/coverage.py").run()
    ok(b)
    shown = next(c.value for c in b.caption if c.value.startswith("Library"))
    assert md("A's records") not in shown and md("Spotify: Bob Listener") in shown  # its own, not the one asked for
    a.session_state["library_id"] = a_import
    a.switch_page("../pages/coverage.py").run()
    assert md("A's records") in next(c.value for c in ok(a).caption if c.value.startswith("Library"))

    # a's link opened in a browser that does not hold it (no cookie here: AppTest is a fresh browser) asks
    # first; read-only it shows a's imports (not a's Spotify library, which needs a's Spotify sign-in).
    again = browser(fake, account=token_a)
    again.button(key="account_read_only").click().run()
    assert libraries(ok(again)) == {DEMO_NAME, "A's records"}


def asked(app: AppTest) -> bool:
    """The page shows only the question a foreign link asks: nothing of Home has run."""
    return bool(app.button(key="account_read_only")) and not app.get("tabs") and not app.file_uploader


def test_a_link_with_someone_elses_account_asks_first_and_read_only_changes_nothing(fake):
    sender = browser(fake)
    import_file(sender, FILES["a"], "Sender's records")
    token = sender.query_params["account"]

    stay = browser(fake, account=token)
    assert asked(stay)
    stay.button(key="account_own").click().run()
    assert stay.query_params["account"] != token and libraries(ok(stay)) == {DEMO_NAME}

    view = browser(fake, account=token)
    view.button(key="account_read_only").click().run()
    assert libraries(ok(view)) == {DEMO_NAME, "Sender's records"} and view.query_params["account"] == token
    assert not view.file_uploader and not view.get("link_button")  # no import, no Spotify sign-in
    assert view.toggle(key="online_consent").disabled
    assert next(b for b in view.button if b.label == "Open the demo library").disabled
    view.switch_page("../pages/clusters.py").run()
    assert not any(b.key and "spotify" in b.key for b in ok(view).button)  # no export to Spotify either
    assert any("Connect Spotify on Home" in c.value for c in view.caption)

    view.button(key="account_back").click().run()
    view.switch_page("../pages/home.py").run()
    own = view.query_params["account"]
    assert own != token and libraries(ok(view)) == {DEMO_NAME}
    import_file(view, FILES["b"], "Viewer's records")  # back in its own account, it writes there
    assert libraries(ok(sender.run())) == {DEMO_NAME, "Sender's records"}


def test_a_callback_link_from_one_browser_does_not_sign_in_another(fake):
    attacker = browser(fake)
    back = connect(fake, attacker, "bob")  # the attacker approves their own account, then sends the link
    with_account = browser(fake, account=attacker.query_params["account"], code=back["code"], state=back["state"])
    assert asked(with_account) and "code" not in with_account.query_params  # asked before the code is touched
    with_account.button(key="account_read_only").click().run()
    assert "spotify_token" not in ok(with_account).session_state
    assert not with_account.get("link_button")  # read-only: no way to sign in at all

    bare = browser(fake, code=back["code"], state=back["state"])  # the same callback, no account in it
    assert "spotify_token" not in bare.session_state and "spotify_user" not in bare.session_state
    assert any("started in another browser" in i.value for i in bare.info)
    assert not any("Connected to Spotify" in m.value for m in bare.markdown)
    assert bare.get("link_button")  # the victim's own way in is still offered
    ok(attacker.run())
    assert attacker.session_state["spotify_user"]["id"] == "bob"  # only the session that asked is signed in
    assert "spotify_token" not in ok(bare.run()).session_state
