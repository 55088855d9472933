"""How much work one file and one import may cause, and the one message each limit gives
(docs/importing.md: "Limits").

A file is user input on a server others share: bytes alone do not bound the work (600,000 tiny
rows fit in 9 MB), so rows, columns, cell length, JSON nesting and ZIP members are bounded too,
each checked before the expensive step it protects. Rows, bytes and time are also bounded per
import (`with import_budget():`): five files, or five ZIP members, at the per-file cap must not
make five times the work. An import over its budget is refused whole, before anything is stored.
"""

from __future__ import annotations

import csv
import math
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import pandas as pd

from engine.errors import ImportTooLargeError, InputFileError

MAX_FILE_BYTES = 100 * 1024 * 1024  # a year of extended history is ~15 MB; larger is not a library file
MAX_ROWS = 200_000  # per file; Spotify splits its history into files of ~15,000 plays
MAX_COLUMNS = 1_000  # Exportify writes 24
MAX_CELL_CHARS = 2_000  # the longest title or artist list in the reference datasets is 223
MAX_ZIP_MEMBERS = 2_000  # Spotify's account export holds about 40 files
MAX_ZIP_BYTES = 5 * MAX_FILE_BYTES  # unpacked, all members together
MAX_IMPORT_ROWS = 220_000  # per import, loose files and ZIP members together: a file at the cap and a few more
MAX_IMPORT_BYTES = MAX_ZIP_BYTES  # read per import: loose files plus every ZIP member unpacked
MAX_IMPORT_SECONDS = 120  # reading and parsing one import (storing is bounded by its rows)
# Every parsed JSON value is a Python object of 50-100 bytes however small its text ("[]," is 3 bytes and a
# 56-byte list), and each needs one structural character: an extended-history row holds 23 values, a
# playlist item about 4. Counted before parsing, so a file of a million empty lists is refused unparsed.
VALUES_PER_ROW = 30
MAX_JSON_VALUES = VALUES_PER_ROW * MAX_ROWS  # per file
MAX_IMPORT_JSON_VALUES = VALUES_PER_ROW * MAX_IMPORT_ROWS  # per import: files and ZIP members together
MAX_PLAY_MS = 24 * 3600 * 1000  # one play longer than a day is not a play
MAX_PROBLEM_LINES = 3  # per ZIP: the first bad members are named, the rest counted


def check_size(name: str, size: int) -> None:
    """Refuse a file over the limit before it is read or parsed."""
    if size > MAX_FILE_BYTES:
        raise InputFileError(f"{name}: is {size / 2**20:.0f} MB; Tunescope reads files up to "
                             f"{MAX_FILE_BYTES // 2**20} MB. Split it, or import the export's JSON files one by one.")


def check_rows(name: str, rows: int) -> None:
    """Refuse a file over the per-file cap; inside an import, draw its rows from the import's budget."""
    if rows > MAX_ROWS:
        raise InputFileError(f"{name}: has more than {MAX_ROWS:,} rows; Tunescope reads up to {MAX_ROWS:,} per file. "
                             "Split it into smaller files (Exportify writes one per playlist) and import them together.")
    budget = _budget.get()
    if budget is not None:
        budget.take_rows(name, rows)


def rows_allowed() -> int:
    """The most rows the next file may have: a parser reads one more and stops (nothing past it is parsed)."""
    budget = _budget.get()
    return MAX_ROWS if budget is None else max(0, min(MAX_ROWS, budget.rows_left))


def check_rows_left(name: str, rows: int) -> None:
    """Refuse the import if `rows` more (counted ahead, not yet drawn) would pass its budget."""
    budget = _budget.get()
    if budget is not None:
        budget.check_rows_left(name, rows)


def check_read(name: str, size: int) -> None:
    """Before reading `size` bytes (a file, or a ZIP member unpacked): the per-file cap, then the import's."""
    check_size(name, size)
    budget = _budget.get()
    if budget is not None:
        budget.take_bytes(name, size)


@dataclass
class ImportBudget:
    """What is left of one import's rows, bytes and time."""

    rows_left: int = MAX_IMPORT_ROWS
    bytes_left: int = MAX_IMPORT_BYTES
    values_left: int = MAX_IMPORT_JSON_VALUES
    deadline: float = field(default_factory=lambda: time.monotonic() + MAX_IMPORT_SECONDS)

    def take_rows(self, name: str, rows: int) -> None:
        self.check_rows_left(name, rows)
        self.rows_left -= rows

    def check_rows_left(self, name: str, rows: int) -> None:
        self.check_time(name)
        if rows > self.rows_left:
            raise ImportTooLargeError(
                f"{name}: with this file the import passes {MAX_IMPORT_ROWS:,} rows, the limit per import (loose files "
                "and files inside ZIPs count together); nothing was imported. Import the files in smaller groups.")

    def take_bytes(self, name: str, size: int) -> None:
        self._take(name, "bytes_left", size, f"{MAX_IMPORT_BYTES // 2**20} MB", ", unpacked,")

    def take_values(self, name: str, values: int) -> None:
        self._take(name, "values_left", values, f"{MAX_IMPORT_JSON_VALUES:,} JSON values")

    def _take(self, name: str, left: str, amount: int, limit: str, how: str = "") -> None:
        """Draw `amount` from the budget's `left`, or refuse the whole import naming `limit`."""
        self.check_time(name)
        if amount > getattr(self, left):
            raise ImportTooLargeError(
                f"{name}: with this file the import passes {limit}, the limit per import (loose files and files "
                f"inside ZIPs{how} count together); nothing was imported. Import the files in smaller groups.")
        setattr(self, left, getattr(self, left) - amount)

    def check_time(self, name: str) -> None:
        if time.monotonic() > self.deadline:
            raise ImportTooLargeError(
                f"{name}: reading this import took over {MAX_IMPORT_SECONDS} s, the limit per import; nothing was "
                "imported. Import the files in smaller groups.")


_budget: ContextVar[ImportBudget | None] = ContextVar("import_budget", default=None)


@contextmanager
def import_budget():
    """Every check_rows / check_read inside draws from one ImportBudget (one import, on this thread);
    inside another import_budget, the outer one goes on."""
    if _budget.get() is not None:
        yield _budget.get()
        return
    token = _budget.set(ImportBudget())
    try:
        yield _budget.get()
    finally:
        _budget.reset(token)


def check_json_entries(name: str, text: str) -> None:
    """Before parsing: each row of a Spotify JSON is at least one object, and every value costs Python
    an object, so a file with far more objects than rows allowed, or more values than MAX_JSON_VALUES
    (counted by the characters that separate or open them), is refused unparsed; the values are drawn
    from the import's budget. Commas inside strings count too: an over-count, never an under-count."""
    objects = text.count("{")
    if objects > 4 * MAX_ROWS:
        check_rows(name, objects)
    values = objects + text.count("[") + text.count(",")
    if values > MAX_JSON_VALUES:
        raise InputFileError(f"{name}: holds more than {MAX_JSON_VALUES:,} JSON values (lists, objects, numbers, "
                             f"strings); a Spotify file of {MAX_ROWS:,} rows holds under {MAX_JSON_VALUES:,}. "
                             "Use the files as Spotify sent them.")
    budget = _budget.get()
    if budget is not None:
        budget.take_values(name, values)


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
