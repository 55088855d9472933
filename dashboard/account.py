"""Who this browser is. A local run has one user (account ''). With TUNESCOPE_SHARED=1 (environment or
.streamlit/secrets.toml) every browser gets its own account: a random token kept in the URL
(`?account=…`), which the user bookmarks to come back to their libraries. Anyone holding the link is
that user: it is a bearer token, not a password (docs/shared-server.md).

    account.current()        # '' locally; this browser's token on a shared server (puts it in the URL)
"""

from __future__ import annotations

import re
import secrets

import streamlit as st

from dashboard.resources import setting

PARAM = "account"
LOCAL = ""
_KEY = "account_token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{22,64}")  # token_urlsafe(18) makes 24 characters
_ON = {"1", "true", "yes", "on"}


def shared() -> bool:
    """True when the server is shared (TUNESCOPE_SHARED): each browser then sees only its own data."""
    return setting("TUNESCOPE_SHARED").lower() in _ON


def current() -> str:
    """This browser's account. On a shared server: the token in the URL when it has one, else a new one;
    kept for the session and written back to the URL on every run (a page switch may drop the query)."""
    if not shared():
        return LOCAL
    token = st.session_state.get(_KEY)
    if token is None:
        given = st.query_params.get(PARAM, "")
        token = given if _TOKEN.fullmatch(given) else secrets.token_urlsafe(18)
        st.session_state[_KEY] = token
    if st.query_params.get(PARAM) != token:
        st.query_params[PARAM] = token
    return token


def spotify_user() -> str | None:
    """The Spotify user id signed in to this session, if any (a Spotify library is seen only by them)."""
    return (st.session_state.get("spotify_user") or {}).get("id")
