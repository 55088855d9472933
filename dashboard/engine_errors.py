"""Engine errors as messages: a leaf every dashboard module may import (ui and the panels it shows)."""

from __future__ import annotations

from contextlib import contextmanager

import streamlit as st

from dashboard.safe import md
from engine.errors import TunescopeError


@contextmanager
def engine_errors(stop: bool = True):
    """A TunescopeError becomes st.error with its fix (the message says what to do); the page stops,
    or with stop=False only the rest of the block is skipped."""
    try:
        yield
    except TunescopeError as exc:
        st.error(md(exc), icon=":material/error:")  # messages name files and columns users chose
        if stop:
            st.stop()
