"""Save a set of tracks as a private Spotify playlist, offered only while this session is connected.

The Spotify panel on Home keeps the session's token in st.session_state["spotify_token"]; a client
built on that token is this session's connection. Without the Spotify client installed, or without a
sign-in, the button is simply not shown (the CSV download beside it always is).
"""

from __future__ import annotations

import streamlit as st

from dashboard.ui import engine_errors

TOKEN_KEY = "spotify_token"  # the key dashboard/spotify_panel.py stores the token under


def connected_client():
    """A SpotifyClient for this session's sign-in, or None when not connected."""
    if not st.session_state.get(TOKEN_KEY):
        return None
    try:
        from dashboard.resources import spotify_client_id, spotify_sign_ins
        from engine.spotify.auth import MappingCacheHandler, SpotifyAuth
        from engine.spotify.client import SpotifyClient
    except ImportError:  # the Spotify client (issue 3) is not part of this build
        return None
    auth = SpotifyAuth(spotify_client_id() or None, MappingCacheHandler(st.session_state, TOKEN_KEY), spotify_sign_ins())
    return SpotifyClient(auth)


def playlist_button(name: str, track_ids: list[str], key: str) -> None:
    """'Save as a Spotify playlist' for these tracks (those without a Spotify id are skipped and counted)."""
    client = connected_client()
    if client is None:
        st.caption("Connect Spotify on Home to save a cluster as a Spotify playlist.")
        return
    if st.button("Save as a Spotify playlist", key=key, icon=":material/playlist_add:"):
        from engine.spotify.sync import export_playlist

        with engine_errors(), st.spinner(f"Creating '{name}' on Spotify…"):
            made = export_playlist(client, name, track_ids)
        skipped = f" ({made['skipped']} tracks without a Spotify id skipped)" if made["skipped"] else ""
        st.success(f"Saved '{name}' with {made['added']} tracks{skipped}. [Open it in Spotify]({made['url']})")
