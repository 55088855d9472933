"""Home-page panel: connect Spotify (OAuth PKCE), then sync the library with progress.

    library_id = spotify_panel.render(store)   # None until a library has been synced

The token lives in this session's st.session_state (never a shared file); the PKCE verifier waits
server-side (resources.spotify_sign_ins) for the redirect back, which arrives in a new session.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboard.resources import spotify_client_id, spotify_sign_ins
from engine.errors import TunescopeError
from engine.library.spotify.auth import MappingCacheHandler, SpotifyAuth
from engine.library.spotify.client import SpotifyClient
from engine.library.spotify.sync import sync_library

_TOKEN, _URL, _USER, _LIBRARY = "spotify_token", "spotify_authorize_url", "spotify_user", "spotify_library_id"
_URL_FRESH_S = 540  # a consent link is regenerated before its verifier expires server-side (600 s)


def session_auth(client_id: str | None) -> SpotifyAuth:
    """This session's sign-in: its token in st.session_state, the PKCE verifier server-side."""
    return SpotifyAuth(client_id, MappingCacheHandler(st.session_state, _TOKEN), spotify_sign_ins())


def connected_client() -> SpotifyClient | None:
    """A client on this session's sign-in, or None when the session is not connected."""
    if not st.session_state.get(_TOKEN):
        return None
    return SpotifyClient(session_auth(spotify_client_id() or None))


def render(store) -> int | None:
    """Connect / sync controls; returns the id of the library this session synced, if any."""
    client_id = spotify_client_id()
    if not client_id:
        st.info("To connect Spotify, create an app at developer.spotify.com (redirect URI "
                "`http://127.0.0.1:8501/`) and set its client id in `.streamlit/secrets.toml` as "
                '`SPOTIFY_CLIENT_ID = "..."` or in the `SPOTIFY_CLIENT_ID` environment variable, '
                "then restart. See the README, *Connect Spotify*.")
        return None
    auth = session_auth(client_id)
    _finish_sign_in(auth)
    if not auth.signed_in:
        st.link_button("Connect Spotify", _authorize_url(auth), icon=":material/link:", type="primary")
        st.caption("Opens Spotify's consent page; you come back here signed in. Nothing is posted to your account.")
        return st.session_state.get(_LIBRARY)
    client = SpotifyClient(auth)
    try:
        if _USER not in st.session_state:
            st.session_state[_USER] = client.me()
    except TunescopeError as exc:
        st.error(str(exc))
        return st.session_state.get(_LIBRARY)
    user = st.session_state[_USER]
    left, right = st.columns([3, 1])
    left.markdown(f"Connected to Spotify as **{user.get('display_name') or user['id']}**")
    if right.button("Disconnect", key="spotify_disconnect"):
        auth.sign_out()
        for key in (_USER, _URL):
            st.session_state.pop(key, None)
        st.rerun()
    if st.button("Sync library", type="primary", key="spotify_sync"):
        _sync(store, client)
    return st.session_state.get(_LIBRARY)


def _finish_sign_in(auth: SpotifyAuth) -> None:
    """Back from Spotify: exchange ?code=&state= for tokens, then clear them from the URL."""
    params = st.query_params
    if "error" in params:
        reason = params.get("error")
        st.query_params.clear()
        st.warning(f"Spotify sign-in was not completed ({reason}). Click 'Connect Spotify' to try again.")
        return
    if "code" not in params:
        return
    code, state = params.get("code"), params.get("state", "")
    st.query_params.clear()  # a code works once; a reload must not replay it
    try:
        auth.sign_in(code, state)
    except TunescopeError as exc:
        st.error(str(exc))
        return
    for key in (_USER, _URL):
        st.session_state.pop(key, None)


def _authorize_url(auth: SpotifyAuth) -> str:
    """One consent link per session (not one per rerun), renewed before its verifier expires."""
    url, made = st.session_state.get(_URL, ("", 0.0))
    if not url or time.monotonic() - made > _URL_FRESH_S:
        url = auth.authorize_url()
        st.session_state[_URL] = (url, time.monotonic())
    return url


def _sync(store, client: SpotifyClient) -> None:
    with st.status("Syncing your Spotify library…", expanded=True) as status:
        bar = st.progress(0.0, text="Asking Spotify…")

        def progress(done: int, total: int, message: str) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=f"{message} · page {done} of {total}")

        try:
            report = sync_library(store, client, progress)
        except TunescopeError as exc:
            status.update(label="Sync stopped; run it again to continue where it stopped", state="error")
            st.error(str(exc))
            return
        status.update(label=f"Synced {report.tracks} tracks and {report.playlists} playlists", state="complete")
    st.session_state[_LIBRARY] = report.library_id
    if report.unreadable_playlists:
        st.caption(f"Spotify withholds the items of {len(report.unreadable_playlists)} followed playlists you do not "
                   f"own ({', '.join(report.unreadable_playlists[:5])}…); copy one into your own to include it.")
    if report.audio_features == "unavailable":
        st.caption("Spotify no longer gives audio features to new apps; Tunescope predicts them for you.")
