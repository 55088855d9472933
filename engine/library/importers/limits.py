"""How much work one file may cause, and the one message each limit gives (docs/importing.md: "Limits").

A file is user input on a server others share: bytes alone do not bound the work (600,000 tiny
rows fit in 9 MB), so rows, columns, cell length, JSON nesting and ZIP members are bounded too,
each checked before the expensive step it protects.
"""

from __future__ import annotations

import csv
import math

import pandas as pd

from engine.errors import InputFileError

MAX_FILE_BYTES = 100 * 1024 * 1024  # a year of extended history is ~15 MB; larger is not a library file
MAX_ROWS = 200_000  # per file; Spotify splits its history into files of ~15,000 plays
MAX_COLUMNS = 1_000  # Exportify writes 24
MAX_CELL_CHARS = 2_000  # the longest title or artist list in the reference datasets is 223
MAX_ZIP_MEMBERS = 2_000  # Spotify's account export holds about 40 files
MAX_ZIP_BYTES = 5 * MAX_FILE_BYTES  # unpacked, all members together
MAX_PLAY_MS = 24 * 3600 * 1000  # one play longer than a day is not a play
MAX_PROBLEM_LINES = 3  # per ZIP: the first bad members are named, the rest counted


def check_size(name: str, size: int) -> None:
    """Refuse a file over the limit before it is read or parsed."""
    if size > MAX_FILE_BYTES:
        raise InputFileError(f"{name}: is {size / 2**20:.0f} MB; Tunescope reads files up to "
                             f"{MAX_FILE_BYTES // 2**20} MB. Split it, or import the export's JSON files one by one.")


def check_rows(name: str, rows: int) -> None:
    if rows > MAX_ROWS:
        raise InputFileError(f"{name}: has more than {MAX_ROWS:,} rows; Tunescope reads up to {MAX_ROWS:,} per file. "
                             "Split it into smaller files (Exportify writes one per playlist) and import them together.")


def check_json_entries(name: str, text: str) -> None:
    """Before parsing: each row of a Spotify JSON is at least one object, and a parsed object costs
    ~50x its bytes, so a file with far more objects than rows allowed is refused unparsed."""
    if text.count("{") > 4 * MAX_ROWS:
        check_rows(name, text.count("{"))


def check_columns(name: str, text: str, delimiter: str) -> None:
    header = first_lines(text.lstrip("\ufeff"), 1)
    try:
        fields = len(next(csv.reader(header, delimiter=delimiter), []))
    except csv.Error:  # a header cell over the csv module's 128 KB: no column name is that long
        raise InputFileError(f"{name}: the first row is not a row of column names (one is over 128 KB). "
                             "Export the playlist again with Exportify, or add a header row.") from None
    if fields > MAX_COLUMNS:
        raise InputFileError(f"{name}: has {fields:,} columns; a library table has at most {MAX_COLUMNS:,}. "
                             "Check the separator, or export the playlist again with Exportify.")


def first_lines(text: str, count: int) -> list[str]:
    """The first `count` lines without splitting the whole (up to 100 MB) text."""
    lines, start = [], 0
    while len(lines) < count and start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        lines.append(text[start:end].rstrip("\r\n"))
        start = end
    return lines


def cap_cells(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, str]:
    """Text cells cut to MAX_CELL_CHARS (before any cleaning looks at them); a note when any was cut."""
    cut = 0
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            text = frame[col].astype(str)
            long = text.str.len() > MAX_CELL_CHARS
            if long.any():
                cut += int(long.sum())
                frame[col] = frame[col].where(~long, text.str.slice(0, MAX_CELL_CHARS))
    note = (f"{name}: {cut:,} cell(s) longer than {MAX_CELL_CHARS:,} characters were cut to that length. "
            "Check the file was exported as a CSV of tracks.") if cut else ""
    return frame, note


def play_ms(value) -> int:
    """msPlayed / ms_played as a whole number of ms: missing, non-numeric, infinite or more than a
    day counts as 0 (an unknown length), never an OverflowError or a number SQLite cannot hold."""
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return int(number) if math.isfinite(number) and 0 <= number <= MAX_PLAY_MS else 0


def summarise(name: str, problems: list[str]) -> list[str]:
    """At most MAX_PROBLEM_LINES + 1 lines for any number of bad members of one ZIP."""
    if len(problems) <= MAX_PROBLEM_LINES + 1:
        return problems
    rest = len(problems) - MAX_PROBLEM_LINES
    return problems[:MAX_PROBLEM_LINES] + [f"{name}: and {rest:,} more files inside could not be read."]
