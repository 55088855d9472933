"""Shared mode in a real browser (headless Debian chromium): the account cookie that makes a browser the
holder of its account, a foreign link that asks first, and user strings holding bare URLs that GFM would
autolink (in ?error=) rendered with no link at all (what AppTest cannot show: cookies and the browser's own Markdown)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from test_e2e_browser import CHROMIUM, _settle, browser, streamlit_server  # noqa: F401 - browser is a fixture

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
    assert any(c["name"] == "tunescope_account" and c["value"] == token for c in mine.cookies())

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
    other.get_by_role("button", name="Start my own account").click()
    other.get_by_text("Recent libraries").first.wait_for(timeout=120_000)
    _settle(other)
    assert account_in(other) != token
