"""Shared mode in a real browser (headless Debian chromium): the server's HttpOnly owner cookie that makes a
browser the owner of its account, a foreign link that asks first, a link (or a cookie set to it) that never
gives write, and user strings holding bare URLs that GFM would
autolink (in ?error=) rendered with no link at all (what AppTest cannot show: cookies and the browser's own Markdown)."""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import parse_qs, urlparse

import pytest
from test_e2e_browser import CHROMIUM, _settle, browser, streamlit_server  # noqa: F401 - browser is a fixture

from dashboard.owner_cookie import COOKIE, LEGACY_COOKIE, account_of

pytestmark = pytest.mark.e2e
BARE = "http://evil.example www.evil.example"


@pytest.fixture(scope="module")
def shared_server(dashboard_home):
    with streamlit_server(dashboard_home, TUNESCOPE_SHARED="1", SPOTIFY_CLIENT_ID="some-client") as url:
        yield url


def account_in(page) -> str:
    return parse_qs(urlparse(page.url).query)["account"][0]


def open_home(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", name="Tunescope").first.wait_for(timeout=150_000)
    page.get_by_text("Recent libraries").first.wait_for(timeout=200_000)  # a first run opens the demo first
    _settle(page, 150_000)


def test_a_browser_keeps_its_account_and_a_foreign_link_asks_first(shared_server, browser):
    mine = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = mine.new_page()
    open_home(page, shared_server)
    token = account_in(page)
    owner = next(c for c in mine.cookies() if c["name"] == COOKIE)
    assert owner["httpOnly"] and owner["sameSite"] == "Lax" and not owner["secure"]  # plain http here
    assert account_of(owner["value"]) == token != owner["value"]  # the link shows the secret's public id
    assert COOKIE not in page.evaluate("document.cookie")  # no page script can read the secret

    # A bare URL in the ?error= parameter Spotify's redirect carries is shown as text, not linked.
    page.goto(f"{shared_server}/?account={token}&error=access_denied {BARE}")
    warning = page.locator('[data-testid="stAlert"]', has_text="sign-in was not completed")
    warning.wait_for(timeout=60_000)
    assert "evil.example" in warning.inner_text()
    assert warning.locator("a").count() == 0 and page.locator('a[href*="evil"]').count() == 0

    # The same browser comes back through its link (a bookmark, a reload, a new tab): straight in.
    again = mine.new_page()
    open_home(again, f"{shared_server}/?account={token}")
    assert again.get_by_text("This link opens someone else's Tunescope").count() == 0
    again.get_by_text("Recent libraries").first.wait_for(timeout=60_000)
    assert account_in(again) == token

    # Another browser following that link is asked, and its own account is a new one.
    other = browser.new_context().new_page()
    other.goto(f"{shared_server}/?account={token}&code=stolen&state=stolen", wait_until="commit", timeout=120_000)
    other.get_by_text("This link opens someone else's Tunescope").wait_for(timeout=60_000)
    assert other.get_by_role("tab", name="Import files").count() == 0  # nothing of Home ran
    assert "code" not in parse_qs(urlparse(other.url).query)
    other.get_by_role("button", name="Stay in my own account").click()  # the server gave it a secret of its own
    other.get_by_text("Recent libraries").first.wait_for(timeout=120_000)
    _settle(other)
    assert account_in(other) != token


def test_a_link_or_a_cookie_set_to_its_value_gives_no_write(shared_server, browser, dashboard_home):
    victim = browser.new_context().new_page()
    open_home(victim, shared_server)
    token = account_in(victim)
    secret = next(c["value"] for c in victim.context.cookies() if c["name"] == COOKIE)

    # Only the link; then the link's value planted as the owner cookie and as the old script-set cookie.
    for planted in ({}, {COOKIE: token, LEGACY_COOKIE: token}):
        thief = browser.new_context()
        if planted:
            thief.add_cookies([{"name": k, "value": v, "url": shared_server} for k, v in planted.items()])
        page = thief.new_page()
        page.goto(f"{shared_server}/?account={token}", wait_until="commit", timeout=120_000)
        page.get_by_text("This link opens someone else's Tunescope").wait_for(timeout=120_000)
        page.get_by_role("button", name="Open it read-only").click()
        page.get_by_text("Recent libraries").first.wait_for(timeout=120_000)
        _settle(page)
        assert account_in(page) == token  # viewing the victim's account...
        assert page.get_by_text("You are viewing someone else's account read-only").count() == 1
        page.get_by_role("tab", name="Import files").click()
        page.get_by_text("to import files").wait_for(timeout=30_000)
        assert page.locator('[data-testid="stFileUploader"]').count() == 0  # ...with nothing to import
        consent = page.get_by_label("Fetch real audio features online")
        assert consent.is_disabled()  # ...and the online lookups switch cannot be turned on
        consent.click(force=True)
        _settle(page)
        held = {c["name"]: c["value"] for c in thief.cookies()}
        assert held[COOKIE] not in (token, secret) and account_of(held[COOKIE]) != token
        assert LEGACY_COOKIE not in held  # the server expired the old cookie
        thief.close()

    online = dashboard_home / "online.json"
    assert token not in (json.loads(online.read_text()) if online.exists() else {})
    with sqlite3.connect(dashboard_home / "tunescope.db") as db:
        assert db.execute("select count(*) from libraries where account = ?", [token]).fetchone()[0] == 0
    # The owner's own browser still owns it: straight in, and its switch can be used.
    open_home(victim, f"{shared_server}/?account={token}")
    assert victim.get_by_text("This link opens someone else's Tunescope").count() == 0
    assert not victim.get_by_label("Fetch real audio features online").is_disabled()
