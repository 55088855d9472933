"""Format detection by content: ZIP (Spotify's export, or an Excel file by mistake), JSON, CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

from engine.errors import ImportTooLargeError, InputFileError, TunescopeError, UnrecognisedExportError
from engine.library.importers.account import is_history, parse_histories, parse_json_document
from engine.library.importers.base import Parsed, decode_text
from engine.library.importers.limits import (MAX_FILE_BYTES, MAX_ZIP_BYTES, MAX_ZIP_MEMBERS, check_json_entries,
                                             check_read, check_rows, check_rows_left, check_size, import_budget,
                                             summarise)
from engine.library.importers.tabular import parse_csv, sniff_delimiter

_CENTRAL_DIRECTORY_ENTRY = b"PK\x01\x02"
# Files in Spotify's export that hold no music library (identity, payments, searches...): skipped quietly.
_IRRELEVANT = ("userdata", "identity", "payments", "follow", "inferences", "searchqueries", "wrapped",
               "marquee", "soundchecks", "yourvoice", "podcastinteractivity", "video", "audiobook", "read_me", "readme")


def read_file(name: str, data: bytes) -> tuple[list[Parsed], list[str]]:
    """(parsed pieces, problems). A bad single file raises InputFileError; a ZIP reports bad members
    as problems and still returns the good ones. One call is one import (limits.import_budget), unless
    it is part of a larger one."""
    check_size(name, len(data))
    if not data.strip():
        raise InputFileError(f"{name}: the file is empty. Export it again.")
    with import_budget():
        if data.startswith(b"PK\x03\x04"):
            return _read_zip(name, data)
        return [_read_single(name, data)], []


def _read_single(name: str, data: bytes) -> Parsed:
    text, doc = _decode(name, data)
    return parse_csv(name, text) if doc is None else parse_json_document(name, doc)


def _decode(name: str, data: bytes):
    """(text, the parsed JSON document, or None for a table)."""
    text = decode_text(name, data)
    head = text.lstrip()[:1]
    if head in ("{", "[") or name.lower().endswith(".json"):
        check_json_entries(name, text)
        try:
            return text, _without_lone_surrogates(json.loads(text)) if _ESCAPED_SURROGATE in text.lower() else json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputFileError(f"{name}: the JSON is cut off or malformed (line {exc.lineno}, column {exc.colno}: "
                                 f"{exc.msg}). Download or unzip the export again.") from None
        except RecursionError:
            raise InputFileError(f"{name}: the JSON nests lists or objects too deeply (the reader stops near 1,000 "
                                 "levels; Spotify's files nest 5). Use the file as Spotify sent it.") from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise InputFileError(f"{name}: the JSON holds a value Tunescope cannot read ({str(exc)[:80]}). "
                                 "Use the file as Spotify sent it.") from None
    return text, None


_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = "\\ud"  # how JSON writes a UTF-16 surrogate: only a document holding one needs the walk below


def _without_lone_surrogates(doc):
    """The document with each unpaired UTF-16 surrogate ("\\ud83c": legal JSON, half an emoji a tool cut in
    two) replaced by U+FFFD: one broken character must not refuse a whole file, and no text holding one can
    be stored as UTF-8. Paired surrogates are already one character after parsing. Walked without recursion."""
    def clean(text: str) -> str:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace") if _SURROGATE.search(text) else text

    todo = [doc]
    while todo:
        node = todo.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in list(items):
            if isinstance(value, str):
                node[key] = clean(value)
            elif isinstance(value, (dict, list)):
                todo.append(value)
            if isinstance(key, str) and _SURROGATE.search(key):
                node[clean(key)] = node.pop(key)
    return clean(doc) if isinstance(doc, str) else doc


def _read_zip(name: str, data: bytes) -> tuple[list[Parsed], list[str]]:
    # Counted before ZipFile lists them: listing a million empty members alone takes seconds and GBs.
    if data.count(_CENTRAL_DIRECTORY_ENTRY) > MAX_ZIP_MEMBERS:
        raise InputFileError(f"{name}: holds more than {MAX_ZIP_MEMBERS:,} files; Spotify's export holds about 40. "
                             "Unzip it and import the YourLibrary, Playlist and StreamingHistory files.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir() and "__MACOSX" not in m.filename]
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{name}: a damaged ZIP ({exc}). Download Spotify's export again.") from None
    if any(m.filename.startswith("xl/") for m in members):
        raise InputFileError(f"{name}: an Excel workbook. Save it as CSV (File > Save As > CSV UTF-8) and import that.")
    # Declared sizes bound the work: zipfile never unpacks more than a member declares.
    if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        raise InputFileError(f"{name}: unpacks to more than {MAX_ZIP_BYTES // 2**20} MB. Unzip it and import "
                             "the YourLibrary, Playlist and StreamingHistory files.")
    members = [m for m in members if _wanted(m.filename.rsplit("/", 1)[-1].lower())]
    _count_tables_ahead(name, archive, members)
    # History files named _music_ hold music only; the rest (pre-2023 StreamingHistoryN.json) may hold unmarked
    # episodes, which the import sorts out (engine.library.podcasts); podcast and extended files mark their own.
    parsed, problems, histories = [], [], {True: ([], []), False: ([], [])}
    for member in members:
        base = member.filename.rsplit("/", 1)[-1]
        where = f"{name}/{base}"
        try:
            text, doc = _decode(where, _read_member(archive, member, where))
            if is_history(doc):  # counted now, parsed together below: 2,000 small files are one piece
                check_rows(where, len(doc))
                rows, names = histories["_music_" not in base.lower()]
                rows.extend(doc)
                names.append(base)
                continue
            piece = parse_csv(where, text) if doc is None else parse_json_document(where, doc)
        except UnrecognisedExportError:  # other JSON in the export (settings, inferences...) is no problem
            continue
        except ImportTooLargeError:  # the whole import is refused, not this member
            raise
        except TunescopeError as exc:
            problems.append(str(exc))
            continue
        parsed.append(piece)
    for mixed, (history, history_files) in histories.items():
        if not history_files:
            continue
        more = f" and {len(history_files) - 1:,} more history files" if len(history_files) > 1 else ""
        try:
            parsed.append(parse_histories(f"{name}/{history_files[0]}{more}", history, mixed=mixed))
        except TunescopeError as exc:
            problems.append(str(exc))
    if not parsed and not problems:
        raise InputFileError(f"{name}: no library files inside (looked for YourLibrary.json, Playlist*.json, "
                             "StreamingHistory*.json, Streaming_History_Audio_*.json, endsong_*.json or CSVs).")
    return parsed, summarise(name, problems)


def _wanted(lower: str) -> bool:
    return lower.endswith((".json", ".csv")) and not any(word in lower for word in _IRRELEVANT)


def _count_tables_ahead(name: str, archive: zipfile.ZipFile, members: list) -> None:
    """Before any member is parsed: the CSV members' rows, counted with the csv module (no pandas), against
    the import's budget, so a ZIP of several large tables is refused in seconds, not after parsing them."""
    total = 0
    for member in members:
        if not member.filename.lower().endswith(".csv") or member.file_size > MAX_FILE_BYTES:
            continue  # too large: refused on its own when read
        where = f"{name}/{member.filename.rsplit('/', 1)[-1]}"
        try:
            text = decode_text(where, archive.read(member))
            total += max(sum(1 for row in csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text)) if row) - 1, 0)
        except (TunescopeError, csv.Error, zipfile.BadZipFile, OSError, EOFError, RuntimeError):
            continue  # the member's own problem is reported when it is read
        check_rows_left(where, total)


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: str) -> bytes:
    check_read(where, member.file_size)
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:  # RuntimeError: encrypted
        raise InputFileError(f"{where}: cannot be unpacked ({exc}). Download the export again.") from None
