"""Showing what users brought without letting it act: Markdown and Plotly hover text (CSV files, the
dashboard's downloads included, are written by engine.csvfiles).

A title, a playlist or library name, a file name or a query parameter is data. Where Streamlit renders
Markdown (messages, captions, headers, metrics, button labels) it could become a link or a remote
image; in Plotly hover text, an <a href>.

    st.warning(md(message))            # every user string, or a message that embeds one
    hover_safe(frame, ["title"])       # before handing text columns to Plotly
"""

from __future__ import annotations

import html
import re

import pandas as pd


# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one never
# starts a link, an image, emphasis, a heading, an autolink, LaTeX ($) or a Streamlit directive (:red[…]).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's Markdown is GFM (remark-gfm), whose autolink literals are found in the text *after* escapes
# are resolved (mdast-util-gfm-autolink-literal: /(https?:\/\/|www(?=\.))/i and word@domain.tld), so a
# backslash cannot stop them. An invisible word joiner inside each trigger does: "http\u2060://",
# "www\u2060.", "@\u2060domain" match none of them, and the text still reads the same.
WORD_JOINER = "\u2060"
_AUTOLINK_START = re.compile(r"(?i)(https?(?=:)|ftp(?=:)|www(?=\.)|mailto(?=:)|xmpp(?=:)|@)")


def md(text) -> str:
    """Text that renders literally wherever Streamlit renders Markdown: no link, image, emphasis, and no
    autolinked bare URL, www. name or e-mail address."""
    text = _AUTOLINK_START.sub("\\1" + WORD_JOINER, str(text))
    return _PUNCTUATION.sub(r"\\\1", text).replace("\n", "  \n")  # a newline stays a line break


def hover_safe(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy with these text columns HTML-escaped: Plotly renders <a>, <b>, <span> in hover and labels."""
    return frame.assign(**{c: frame[c].astype(str).map(html.escape) for c in columns if c in frame})


def plot_text(text) -> str:
    return html.escape(str(text))
