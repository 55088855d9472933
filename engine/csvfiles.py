"""The one way Tunescope writes a CSV: the CLI's --output files and the dashboard's downloads.

A title, an artist or a playlist name is data, but a spreadsheet opening the file runs a cell that starts
with = + - @ (or a tab or CR before one) as a formula: such a text cell gets a leading quote. Lines end
in CRLF (RFC 4180), so a cell holding a carriage return is quoted instead of splitting its row.

    write_csv(frame, "library.csv")    # a path, or an open text stream such as sys.stdout
    csv_text(frame)                    # the same bytes as a string (a download)
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text: formulas neutralised, CRLF line ends, no index."""
    return csv_safe(frame).to_csv(index=False, lineterminator="\r\n")


def write_csv(frame: pd.DataFrame, target) -> None:
    """Write the frame as csv_text to a path (UTF-8) or to an open text stream."""
    text = csv_text(frame)
    if hasattr(target, "write"):
        target.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8", newline="")  # keep CRLF as written


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas: a cell starting with = + - @ tab or
    CR gets a leading quote. Numeric columns, and text cells that are plain numbers (-3.5), stay numbers.
    Column names are cells of the header row: a name from a listener's file (`=HYPERLINK(…)`) gets the same."""
    out = frame.copy()
    out.columns = [_neutralise(c) for c in out.columns]
    for column in out.columns:
        if pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_bool_dtype(out[column]):
            continue
        out[column] = out[column].map(_neutralise)
    return out


def _neutralise(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
