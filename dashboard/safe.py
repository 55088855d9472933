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

# Every ASCII punctuation character may be backslash-escaped in CommonMark, and an escaped one never
# starts a link, an image, emphasis, a heading, an autolink, LaTeX ($) or a Streamlit directive (:red[…]).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# Streamlit's Markdown is GFM (remark-gfm), whose autolink literals are found in the text *after* escapes
# are resolved (mdast-util-gfm-autolink-literal: /(https?:\/\/|www(?=\.))/i and word@domain.tld), so a
# backslash cannot stop them. An invisible word joiner inside each trigger does: "http\u2060://",
# "www\u2060.", "@\u2060domain" match none of them, and the text still reads the same.
WORD_JOINER = "\u2060"
_AUTOLINK_START = re.compile(r"(?i)(https?(?=:)|ftp(?=:)|www(?=\.)|mailto(?=:)|xmpp(?=:)|@)")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


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


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV for a download: formulas neutralised, and RFC 4180 line ends, so a cell holding a
    carriage return is quoted (with pandas' bare '\n' it would split the row in a spreadsheet)."""
    return csv_safe(frame).to_csv(index=False, lineterminator="\r\n")


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas: a cell starting with = + - @ tab or
    CR gets a leading quote. Numeric columns, and text cells that are plain numbers (-3.5), stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column]):
            continue
        out[column] = out[column].map(_neutralise)
    return out


def _neutralise(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
