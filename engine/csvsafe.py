"""CSV that a spreadsheet opens as data: a text cell starting with = + - @ tab or CR could run as a formula.

    csv_text(frame)               # the download's text (the dashboard)
    write_csv(frame, path)        # a file (the CLI)
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV: formulas neutralised, and RFC 4180 line ends, so a cell holding a carriage
    return is quoted (with pandas' bare '\\n' it would split the row in a spreadsheet)."""
    return csv_safe(frame).to_csv(index=False, lineterminator="\r\n")


def write_csv(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).write_text(csv_text(frame), encoding="utf-8", newline="")


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
