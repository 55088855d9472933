"""Save a set of tracks as a private Spotify playlist, offered only while this session is connected.

The Spotify panel on Home keeps the session's token; a client built on it is this session's
connection (dashboard.spotify_panel.connected_client). Without a sign-in the button is not shown
(the CSV download beside it always is).
"""

from __future__ import annotations

import streamlit as st

from dashboard.engine_errors import engine_errors
from dashboard.formats import count
from dashboard.safe import md

SPOTIFY_WEB = "https://open.spotify.com/"


def playlist_button(name: str, track_ids: list[str], key: str) -> None:
    """'Save as a Spotify playlist' for these tracks (those without a Spotify id are skipped and counted)."""
    from dashboard.spotify_panel import connected_client  # spotipy loads only where a button is drawn

    from dashboard import account

    client = None if account.read_only() else connected_client()
    if client is None:
        st.caption("Connect Spotify on Home to save a cluster as a Spotify playlist.")
        return
    if st.button("Save as a Spotify playlist", key=key, icon=":material/playlist_add:"):
        from engine.library.spotify.export import export_playlist

        with engine_errors(), st.spinner(md(f"Creating '{name}' on Spotify…")):
            made = export_playlist(client, name, track_ids)
        skipped = f" ({count(made['skipped'], 'track')} without a Spotify id skipped)" if made["skipped"] else ""
        st.success(md(f"Saved '{name}' with {count(made['added'], 'track')}{skipped}."))
        if str(made["url"]).startswith(SPOTIFY_WEB):  # a link only to Spotify itself, never one a reply made up
            st.link_button("Open it in Spotify", made["url"], icon=":material/open_in_new:")
