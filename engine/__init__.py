"""Tunescope engine: data, models, prediction and evaluation. Never imports streamlit."""

from engine.config import FEATURES, BOUNDED_FEATURES

__all__ = ["FEATURES", "BOUNDED_FEATURES"]
