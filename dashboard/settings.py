"""The server's settings: .streamlit/secrets.toml first, else the environment (a leaf: imports no dashboard module)."""

from __future__ import annotations

import os

import streamlit as st


def setting(name: str) -> str:
    """A setting from .streamlit/secrets.toml, else the environment; '' when neither."""
    try:
        value = st.secrets.get(name, "")
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning the default
        value = ""
    return str(value or os.environ.get(name, "")).strip()


def spotify_client_id() -> str:
    """SPOTIFY_CLIENT_ID from .streamlit/secrets.toml, else the environment; '' when neither."""
    return setting("SPOTIFY_CLIENT_ID")
