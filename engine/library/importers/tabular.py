"""CSV libraries: Exportify in every header variant and language, and plain artist/title tables."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.errors import InputFileError, MissingColumnsError
from engine.library.file_columns import COLUMN as FILE_COLUMNS, pack
from engine.library.importers.artist_lists import SEPARATOR, split_artist_lists
from engine.library.importers.base import Parsed, with_feature_columns
from engine.library.importers.limits import cap_cells, check_columns, check_rows, first_lines, rows_allowed
from engine.library.importers.headers import map_headers
from engine.schema import normalize_frame

_EXPORTIFY_MARKERS = {"track_id", "added_at", "artist_uris"}
# ',' or ';' with the spaces around it. `(?<!\s)` keeps it linear: a match starts only at the first
# space of a run (without it, a 20,000-space cell took 2 s, every position re-scanning the run).


def sniff_delimiter(text: str) -> str:
    """The separator giving the same number (>1) of fields on the first lines; most fields wins.
    Stray tabs inside a comma header don't fool it: the data lines would disagree."""
    sample = first_lines(text.lstrip("\ufeff"), 6)
    best, best_fields = ",", 1
    for delimiter in (",", ";", "\t", "|"):
        try:
            widths = {len(row) for row in csv.reader(sample, delimiter=delimiter) if row}
        except csv.Error:
            continue
        if len(widths) == 1 and (fields := widths.pop()) > best_fields:
            best, best_fields = delimiter, fields
    return best


def parse_csv(name: str, text: str) -> Parsed:
    """A table with at least a title and an artist column -> tracks; an Exportify file is a playlist
    named after the file (Exportify names files after the playlist)."""
    if not text.strip():
        raise InputFileError(f"{name}: the file is empty. Export the playlist again, with its header row.")
    delimiter = sniff_delimiter(text)
    check_columns(name, text, delimiter)
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=delimiter,
                          skipinitialspace=True, on_bad_lines="error", nrows=rows_allowed() + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f" near line {line.group(1)}" if line else ""
        raise InputFileError(f"{name}: not a well-formed CSV{where} ({str(exc).splitlines()[0]}). "
                             "Check for an unclosed quote or a row with extra separators.") from exc
    renames = map_headers(raw.columns)
    if not {"title", "artists"} <= set(renames.values()):
        cols = ", ".join(repr(str(c).strip()[:60]) for c in raw.columns[:12]) or "(none)"
        raise MissingColumnsError(f"{name}: needs a track-title column and an artist column; found {cols}. "
                                  "Rename them to 'title' and 'artist', or export with Exportify.")
    if raw.empty:
        raise InputFileError(f"{name}: has a header but no tracks. Add at least one row.")
    check_rows(name, len(raw))
    frame, cut_note = cap_cells(raw[list(renames)].rename(columns=renames), name)
    # What the file had beyond the schema (popularity, key, label, added-at...) goes back out with the
    # enriched CSV; a column the schema reads is not kept twice.
    unread = [c for c in raw.columns if renames.get(c) in (None, "added_at", "artist_uris")]
    frame[FILE_COLUMNS], file_headers = pack(cap_cells(raw[unread].copy(), name)[0], unread)
    frame["artists"] = _split_artists(frame)
    if "genres" in frame:
        frame["genres"] = frame["genres"].str.replace(SEPARATOR, ";", regex=True)
    for feat in FEATURES:
        frame[feat] = pd.to_numeric(frame[feat].str.replace(",", ".", regex=False), errors="coerce") \
            if feat in frame else np.nan
    if "track_id" in frame:  # local files and garbage ids must not pose as Spotify ids
        frame["track_id"] = frame["track_id"].where(frame["track_id"].str.contains(r"[0-9A-Za-z]{22}\s*$"), "")
    out = normalize_frame(frame.drop(columns=[c for c in ("added_at", "artist_uris") if c in frame]), where=name)
    out = out[(out["title"] != "") | (out["artists"] != "")].reset_index(drop=True)
    if out.empty:
        raise InputFileError(f"{name}: every row has an empty title and artist. Nothing to import.")
    out = with_feature_columns(out)
    kind = "exportify" if _EXPORTIFY_MARKERS & set(renames.values()) else "csv"
    notes = [cut_note] if cut_note else []
    if kind == "exportify":
        return Parsed(name=name, kind=kind, playlists=[(playlist_from_name(name), out)], notes=notes,
                      file_headers=file_headers)
    return Parsed(name=name, kind=kind, tracks=out, notes=notes, file_headers=file_headers)


def _split_artists(frame: pd.DataFrame) -> pd.Series:
    """The file's artist column as the schema's ';' list (engine.library.importers.artist_lists)."""
    return split_artist_lists(frame["artists"], frame["artist_uris"] if "artist_uris" in frame else None)


def playlist_from_name(name: str) -> str:
    """'irish_like.csv' -> 'irish like'; the shared samples' 'owner__date__' prefix is dropped."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,4}$", "", name.rsplit("/", 1)[-1]).split("__")[-1]
    return re.sub(r"[_\s]+", " ", stem).strip() or "Imported"
