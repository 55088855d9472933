"""Who this browser is. A local run has one user (account ''). With TUNESCOPE_SHARED=1 (environment or
.streamlit/secrets.toml) every browser gets its own account: a random token, kept in the URL
(`?account=…`, so every page shows the same one) and in a cookie, which is what makes it this browser's.

An account is entered only by the browser that holds it (its cookie, or this session). A link that
carries another token asks first: open that account read-only (nothing is imported, synced, agreed to or
saved to Spotify in it) or stay in your own. A link can therefore neither put you to work inside someone
else's account nor sign you in to their Spotify (docs/shared-server.md).

    account.enter()          # app.py, first thing on every run: the question when a link is foreign
    account.current()        # '' locally; on a shared server the account this session shows
    account.read_only()      # True while viewing another browser's account from a link
    account.session_key()    # who a Spotify sign-in belongs to: this session (shared) or the local user
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

from dashboard.settings import setting

PARAM = "account"
COOKIE = "tunescope_account"
LOCAL = ""
_OWN, _VIEWING, _SESSION, _COOKIE_SET = "account_token", "account_viewing", "account_session", "account_cookie_set"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")  # token_urlsafe(18) makes 24 characters
_ON = {"1", "true", "yes", "on"}
_CALLBACK = ("code", "state", "error")
_COOKIE_MAX_AGE_S = 400 * 24 * 3600  # the longest browsers keep a cookie


def shared() -> bool:
    """True when the server is shared (TUNESCOPE_SHARED): each browser then sees only its own data."""
    return setting("TUNESCOPE_SHARED").lower() in _ON


def _held() -> str | None:
    """The token this browser's cookie holds, if it is a well-formed one."""
    try:
        value = st.context.cookies.get(COOKIE) or ""
    except Exception:  # no browser connection (a bare script run): nothing is held
        value = ""
    return value if isinstance(value, str) and _TOKEN.fullmatch(value) else None  # AppTest has no cookies


def enter() -> None:
    """Settle, once per session, which account this browser uses; ask first when the link's is foreign.
    A foreign link stops the run (nothing else renders) until the listener chooses."""
    if not shared() or _OWN in st.session_state:
        _keep_in_url_and_cookie()
        return
    given, held = st.query_params.get(PARAM, ""), _held()
    if _TOKEN.fullmatch(given) and given != held:
        _ask(given, held)
        st.stop()
    st.session_state[_OWN] = held or secrets.token_urlsafe(18)
    _keep_in_url_and_cookie()


def _ask(given: str, held: str | None) -> None:
    for key in _CALLBACK:  # a Spotify code in someone else's link is never used
        st.query_params.pop(key, None)

    def choose(viewing: str | None) -> None:
        st.session_state[_OWN] = held or secrets.token_urlsafe(18)
        st.session_state[_VIEWING] = viewing

    st.title("This link opens someone else's Tunescope")
    st.markdown("The link you followed carries an account this browser does not hold. Whoever sent it can "
                "see what is imported into that account. Open it **read-only** to look at its libraries "
                "(you cannot import, sync, connect Spotify or change anything there), or stay in your own.")
    left, right = st.columns(2)
    left.button("Open it read-only", key="account_read_only", on_click=choose, args=(given,),
                icon=":material/visibility:")
    right.button("Stay in my own account" if held else "Start my own account", key="account_own",
                 on_click=choose, args=(None,), type="primary", icon=":material/person:")


def _keep_in_url_and_cookie() -> None:
    """The URL shows the account on every page (a page switch may drop the query); the cookie, set once
    per session, is how this browser proves the account is its own next time."""
    if not shared():
        return
    token = current()
    if st.query_params.get(PARAM) != token:
        st.query_params[PARAM] = token
    own = st.session_state[_OWN]
    if not st.session_state.get(_COOKIE_SET) and _held() != own:
        st.session_state[_COOKIE_SET] = True
        # The token is [A-Za-z0-9_-] only (checked or made above), so it cannot break out of the string.
        st.html(f"<script>document.cookie = '{COOKIE}={own}; path=/; max-age={_COOKIE_MAX_AGE_S}; "
                f"SameSite=Lax';</script>", unsafe_allow_javascript=True)


def current() -> str:
    """The account this session shows: '' locally; its own token, or the one it views read-only."""
    if not shared():
        return LOCAL
    if _OWN not in st.session_state:
        enter()
    return st.session_state.get(_VIEWING) or st.session_state[_OWN]


def read_only() -> bool:
    """True while this session views another browser's account (it followed that account's link)."""
    return shared() and bool(st.session_state.get(_VIEWING))


def back_to_own() -> None:
    """Leave the account viewed read-only for this browser's own."""
    st.session_state.pop(_VIEWING, None)
    st.query_params[PARAM] = st.session_state[_OWN]


def session_key() -> str:
    """Who a Spotify sign-in belongs to: on a shared server this browser session alone (whatever account a
    link shows), so a callback link completes nowhere else; locally the one user ('')."""
    if not shared():
        return LOCAL
    return st.session_state.setdefault(_SESSION, secrets.token_urlsafe(18))


def spotify_user() -> str | None:
    """The Spotify user id signed in to this session, if any (a Spotify library is seen only by them)."""
    return (st.session_state.get("spotify_user") or {}).get("id")
