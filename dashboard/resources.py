"""The one place that caches: models and connections as resources, frames as data."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # pages run as scripts; make `engine` importable
    sys.path.insert(0, str(ROOT))


@st.cache_resource(show_spinner="Loading the predictor…")
def enricher():
    """One Enricher per server: the model, the encoder and the catalog load once."""
    from engine.service import Enricher

    return Enricher()


def predict_track(title: str, artists: str, **fields) -> dict:
    return enricher().predict_track(title, artists, **fields)


@st.cache_resource
def spotify_sign_ins():
    """PKCE verifiers by OAuth state, one store per server: the redirect back from Spotify opens a
    new Streamlit session, so a verifier kept in session state would be lost."""
    from engine.spotify.auth import PendingSignIns

    return PendingSignIns(ttl_s=600)


def spotify_client_id() -> str:
    """SPOTIFY_CLIENT_ID from .streamlit/secrets.toml, else the environment; '' when neither."""
    import os

    try:
        value = st.secrets.get("SPOTIFY_CLIENT_ID", "")
    except Exception:  # no secrets.toml at all: Streamlit raises rather than returning the default
        value = ""
    return str(value or os.environ.get("SPOTIFY_CLIENT_ID", "")).strip()


@st.cache_resource(show_spinner="Loading the lyrics model…")
def lyrics_model():
    """The lyrics model, sharing the predictor's MiniLM encoder."""
    from engine.lyrics import LyricsModel

    return LyricsModel.load(encoder=enricher().encoder)


def analyze_lyrics(text: str, features: dict, k: int = 8) -> dict:
    return lyrics_model().analyze(text, features, k=k)
