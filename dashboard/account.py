"""Who this browser is. A local run has one user (account ''). With TUNESCOPE_SHARED=1 (environment or
.streamlit/secrets.toml) every browser gets its own account, and a link is a way to look, never a key.

Ownership comes only from the owner secret in the HttpOnly cookie the server sets (dashboard/owner_cookie.py,
read here server-side from the WebSocket handshake's cookies). The account is the secret's public id
(`owner_cookie.account_of`): the store records it and the URL shows it (`?account=…`, so every page shows the
same one and a link can be shared), but nothing in a URL, and no cookie a page script could set, makes a
browser the owner. A link with any other id (someone's, or an old-style link from when the link token was
the cookie) asks first: open that account read-only (nothing is imported, synced, agreed to or saved to
Spotify in it) or stay in your own (docs/shared-server.md).

A browser that sent no secret (cookies off, or a server started without dashboard/server.py) gets an
account for this session only: it can work in it, and nothing of anyone else's.

    account.enter()          # app.py, first thing on every run: the question when a link is foreign
    account.current()        # '' locally; on a shared server the account this session shows
    account.read_only()      # True while viewing another account from a link
    account.session_only()   # True when this browser holds no owner secret (its account ends with the session)
    account.session_key()    # who a Spotify sign-in belongs to: this session (shared) or the local user
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

from dashboard.owner_cookie import account_of, new_secret, secret_in
from dashboard.settings import setting

PARAM = "account"
LOCAL = ""
_OWN, _VIEWING, _SESSION, _SESSION_ONLY = "account_token", "account_viewing", "account_session", "account_session_only"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")  # a public id: account_of() makes 24 characters, as old tokens had
_ON = {"1", "true", "yes", "on"}
_CALLBACK = ("code", "state", "error")


def shared() -> bool:
    """True when the server is shared (TUNESCOPE_SHARED): each browser then sees only its own data."""
    return setting("TUNESCOPE_SHARED").lower() in _ON


def _held_secret() -> str | None:
    """The owner secret this browser's request carried, if a well-formed one (server-side only)."""
    try:
        return secret_in(dict(st.context.cookies))
    except Exception:  # no browser connection (a bare script run, AppTest): nothing is held
        return None


def enter() -> None:
    """Settle, once per session, which account this browser owns; ask first when the link's is another.
    A foreign link stops the run (nothing else renders) until the listener chooses."""
    if not shared() or _OWN in st.session_state:
        _keep_in_url()
        return
    secret = _held_secret()
    own = account_of(secret or new_secret())
    given = st.query_params.get(PARAM, "")
    if _TOKEN.fullmatch(given) and given != own:
        _ask(given, own, held=secret is not None)
        st.stop()
    _settle(own, None, session_only=secret is None)
    _keep_in_url()


def _settle(own: str, viewing: str | None, session_only: bool) -> None:
    st.session_state[_OWN], st.session_state[_VIEWING] = own, viewing
    st.session_state[_SESSION_ONLY] = session_only


def _ask(given: str, own: str, held: bool) -> None:
    for key in _CALLBACK:  # a Spotify code in someone else's link is never used
        st.query_params.pop(key, None)
    st.title("This link opens someone else's Tunescope")
    st.markdown("The link you followed shows an account this browser does not own. A link lets anyone see "
                "what is imported into that account, never change it. Open it **read-only** to look at its "
                "libraries (you cannot import, sync, connect Spotify or change anything there), or stay in your "
                "own. A link made by an earlier version of Tunescope, whose links doubled as the owner's key, "
                "opens read-only for everyone, its maker included.")
    left, right = st.columns(2)
    left.button("Open it read-only", key="account_read_only", on_click=_settle, args=(own, given, not held),
                icon=":material/visibility:")
    right.button("Stay in my own account" if held else "Start my own account", key="account_own",
                 on_click=_settle, args=(own, None, not held), type="primary", icon=":material/person:")


def _keep_in_url() -> None:
    """The URL shows the account on every page (a page switch may drop the query): a public id only."""
    if shared() and st.query_params.get(PARAM) != current():
        st.query_params[PARAM] = current()


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


def session_only() -> bool:
    """True when this browser sent no owner secret: its account lasts as long as this session."""
    return shared() and bool(st.session_state.get(_SESSION_ONLY))


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
