"""Home-page panel: connect Spotify (OAuth PKCE), then sync the library with progress.

    library_id = spotify_panel.render(store)   # None until a library has been synced

The token lives in this session's st.session_state (never a shared file); the PKCE verifier waits
server-side (resources.spotify_sign_ins) for the redirect back, which arrives in a new session (a new
tab: the consent link opens one). A sign-in belongs to whoever started it (account.session_key()):
locally the one user, so the new tab finishes it; on a shared server the owner session that clicked
'Connect Spotify', whatever account a link shows, so the new tab hands the code back and the starting
tab, which watches for it, finishes it. A session viewing another account read-only never signs in.
"""

from __future__ import annotations

import time

import streamlit as st

from dashboard import account
from dashboard.resources import genres_job, spotify_sign_ins
from dashboard.settings import spotify_client_id
from dashboard.formats import count
from dashboard.safe import md
from engine.errors import TunescopeError
from engine.library.spotify.auth import MappingCacheHandler, SignInElsewhereError, SpotifyAuth
from engine.library.spotify.client import SpotifyClient
from engine.library.spotify.sync import sync_library

_TOKEN, _URL, _USER, _LIBRARY = "spotify_token", "spotify_authorize_url", "spotify_user", "spotify_library_id"
_URL_FRESH_S = 540  # a consent link is regenerated before its verifier expires server-side (600 s)
_WATCH_S = 2  # how often a tab that sent its user to Spotify looks for the code coming back elsewhere
_CALLBACK = ("code", "state", "error")


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
                "then restart. See docs/spotify.md.")
        return None
    if account.read_only():
        st.info("This account is open read-only, so Spotify cannot be connected or synced here. "
                "Go back to your own account (sidebar) to connect yours.", icon=":material/visibility:")
        return None
    auth, owner = session_auth(client_id), account.session_key()
    _finish_sign_in(auth, owner)
    if not auth.signed_in:
        _collect_handed_in(auth, owner)
    if not auth.signed_in:
        st.link_button("Connect Spotify", _authorize_url(auth, owner), icon=":material/link:", type="primary")
        st.caption("Opens Spotify's consent page; you come back here signed in. Nothing is posted to your account.")
        if account.shared():
            _watch_for_return(auth, owner)
        return st.session_state.get(_LIBRARY)
    client = SpotifyClient(auth)
    try:
        if _USER not in st.session_state:
            st.session_state[_USER] = client.me()
    except TunescopeError as exc:
        st.error(md(exc))
        return st.session_state.get(_LIBRARY)
    user = st.session_state[_USER]
    left, right = st.columns([3, 1])
    left.markdown(f"Connected to Spotify as **{md(user.get('display_name') or user['id'])}**")
    if right.button("Disconnect", key="spotify_disconnect"):
        auth.sign_out()
        for key in (_USER, _URL):
            st.session_state.pop(key, None)
        st.rerun()
    if st.button("Sync library", type="primary", key="spotify_sync"):
        _sync(store, client)
    if st.session_state.get(_LIBRARY) is not None:
        _genres_status(store, st.session_state[_LIBRARY], client_id)
    return st.session_state.get(_LIBRARY)


def _genres_status(store, library_id: int, client_id: str) -> None:
    """Artists' genres a development-mode sync left pending: fetched behind the pages, with progress.
    The fetch runs off the script thread, where session state cannot be read: it gets its own copy of
    this session's token (kept in memory only, like the session's)."""
    detached = MappingCacheHandler({_TOKEN: st.session_state.get(_TOKEN)}, _TOKEN)
    job = genres_job(store, library_id, SpotifyClient(SpotifyAuth(client_id, detached, spotify_sign_ins())))
    if job is None:
        return
    if not job["future"].done():
        st.progress(job["done"] / max(job["total"], 1),
                    text=f"Artists' genres: {job['done']:,} of {job['total']:,} (Spotify answers this app one "
                         "artist at a time; the library is ready meanwhile)")
    elif job["future"].exception() is not None:
        st.caption("Fetching artists' genres stopped; it continues where it stopped on the next visit.")


def _finish_sign_in(auth: SpotifyAuth, owner: str) -> None:
    """Back from Spotify: exchange ?code=&state= for tokens when this session (owner) started the
    sign-in, else hand the code to the session that did; then clear them from the URL (the account token stays)."""
    params = {k: st.query_params.get(k) for k in _CALLBACK if k in st.query_params}
    for key in params:  # a code works once; a reload must not replay it
        del st.query_params[key]
    if "error" in params:
        st.warning(f"Spotify sign-in was not completed ({md(params['error'])}). "
                   "Click 'Connect Spotify' to try again.")
        return
    if "code" not in params:
        return
    try:
        auth.sign_in(params["code"], params.get("state") or "", owner)
    except SignInElsewhereError as exc:
        auth.pending.hand_in(params.get("state") or "", params["code"])  # only the session that started it can use it
        st.info("Spotify sent you back in a new tab. If you clicked 'Connect Spotify' in another Tunescope tab, "
                "go back to it: it finishes signing in there, and you can close this one. " + md(exc))
        return
    except TunescopeError as exc:
        st.error(md(exc))
        return
    _signed_in()


def _signed_in() -> None:
    for key in (_USER, _URL):
        st.session_state.pop(key, None)


def _collect_handed_in(auth: SpotifyAuth, owner: str) -> None:
    """Finish a sign-in this session started whose code came back in another tab."""
    returned = auth.pending.handed_in(owner)
    if returned is None:
        return
    state, code = returned
    try:
        auth.sign_in(code, state, owner)
    except TunescopeError as exc:
        st.error(md(exc))
        return
    _signed_in()


def _watch_for_return(auth: SpotifyAuth, owner: str) -> None:
    """While this tab's consent link is out, rerun the page once its code comes back in another tab."""
    if _URL not in st.session_state:
        return

    @st.fragment(run_every=_WATCH_S)
    def watch() -> None:
        if auth.pending.handed_in(owner) is not None:
            st.rerun()

    watch()


def _authorize_url(auth: SpotifyAuth, owner: str) -> str:
    """One consent link per session (not one per rerun), renewed before its verifier expires."""
    url, made = st.session_state.get(_URL, ("", 0.0))
    if not url or time.monotonic() - made > _URL_FRESH_S:
        url = auth.authorize_url(owner)
        st.session_state[_URL] = (url, time.monotonic())
    return url


def _sync(store, client: SpotifyClient) -> None:
    with st.status("Syncing your Spotify library…", expanded=True) as status:
        bar = st.progress(0.0, text="Asking Spotify…")

        def progress(done: int, total: int, message: str) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=f"{md(message)} · page {done} of {total}")

        try:
            report = sync_library(store, client, progress)
        except TunescopeError as exc:
            status.update(label="Sync stopped; run it again to continue where it stopped", state="error")
            st.error(md(exc))
            return
        status.update(label=f"Synced {count(report.tracks, 'track')} and {count(report.playlists, 'playlist')}", state="complete")
    store.claim_library(report.library_id, account.current())  # every library has an owning account
    st.session_state[_LIBRARY] = report.library_id
    if report.unreadable_playlists:
        st.caption(f"Spotify withholds the items of {len(report.unreadable_playlists)} followed playlists you do not "
                   f"own ({md(', '.join(report.unreadable_playlists[:5]))}…); copy one into your own to include it.")
    if report.audio_features == "unavailable":
        st.caption("Spotify no longer gives audio features to new apps; Tunescope predicts them for you.")
