"""Listening over time (issue 23): totals, tops, trends and habits from a library's plays.

    view = listening_view(store.plays(library_id), enriched, clusters, period="2024", tz="Europe/Berlin")

Reads plays (engine.library.play_tables) and a library frame (enriched or not); never opens the store
itself and never imports streamlit. Plays are user signals, never model inputs.
"""

from engine.listening.periods import ALL, LAST_12, available_periods, parse_period
from engine.listening.view import ListeningView, listening_view, played_keys

__all__ = ["ALL", "LAST_12", "ListeningView", "available_periods", "listening_view", "parse_period", "played_keys"]
