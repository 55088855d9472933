"""Showing what users brought without letting it act: Markdown, Plotly hover text and CSV downloads.

A title, a playlist or library name, a file name or a query parameter is data. Where Streamlit renders
Markdown (messages, captions, headers, metrics, button labels) it could become a link or a remote
image; in Plotly hover text, an <a href>; in a spreadsheet opening our CSV, a formula.

    st.warning(md(message))            # every user string, or a message that embeds one
    hover_safe(frame, ["title"])       # before handing text columns to Plotly
    csv_text(frame)                    # a download's bytes
"""

from __future__ import annotations

import html
import re

import pandas as pd

from engine.csvsafe import csv_safe, csv_text  # noqa: F401  (the dashboard's downloads use them from here)

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one never
# starts a link, an image, emphasis, a heading, an autolink, LaTeX ($) or a Streamlit directive (:red[…]).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def md(text) -> str:
    """Text that renders literally wherever Streamlit renders Markdown."""
    return _PUNCTUATION.sub(r"\\\1", str(text)).replace("\n", "  \n")  # a newline stays a line break


def hover_safe(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy with these text columns HTML-escaped: Plotly renders <a>, <b>, <span> in hover and labels."""
    return frame.assign(**{c: frame[c].astype(str).map(html.escape) for c in columns if c in frame})


def plot_text(text) -> str:
    return html.escape(str(text))
