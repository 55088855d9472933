"""Importing files into a library in the store (enrichment runs above, in engine.pipeline).

    report = import_files(store, [Path("Liked.csv"), Path("my_spotify_data.zip")])

Each file is written in one transaction: a bad file is reported by name and skipped, and
nothing imported before it (in this call or earlier) is touched. Whatever one file raises, even a
bug's exception, becomes one named problem for that file; the run is always finished.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from engine.config import FEATURES, home_dir
from engine.errors import (DiskFullError, ImportTooLargeError, InputFileError, LibraryAccessError, TunescopeError,
                           is_disk_full)
from engine.library.ranges import dropped_note
from engine.library.importers import Parsed, read_file
from engine.library.importers.limits import check_read, import_budget
from engine.library.podcasts import mixed_shows, music_and_episodes
from engine.library.prepared import PreparedTracks, prepare_tracks
from engine.schema import SCHEMA, normalize_frame

log = logging.getLogger(__name__)


@dataclass
class FileResult:
    name: str
    kind: str = ""
    tracks: int = 0
    playlists: int = 0
    plays: int = 0  # new to the library
    plays_known: int = 0  # already there (an earlier import, or another file of this one)
    episodes: int = 0  # podcast plays new to the library (kept apart from music)
    shows: int = 0  # podcast shows those plays are of
    skipped: int = 0
    error: str = ""
    first_play: str = ""  # UTC stamps of this file's plays
    last_play: str = ""


@dataclass
class ImportReport:
    library_id: int | None  # None: a new library was asked for and every file was refused, so none was made
    added: int = 0  # distinct tracks new to the library
    files: list[FileResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def plays_note(self) -> str:
        """'12,345 plays from 2020-09 to 2021-09 imported, 210 already there' ('' when no file had plays)."""
        spans = [(r.first_play, r.last_play) for r in self.files if r.first_play and not r.error]
        if not spans:
            return ""
        new, known = sum(r.plays for r in self.files), sum(r.plays_known for r in self.files)
        first, last = min(a for a, _ in spans)[:7], max(b for _, b in spans)[:7]
        when = f"in {first}" if first == last else f"from {first} to {last}"
        episodes = sum(r.episodes for r in self.files)
        if episodes and not new and not known:  # a podcast file alone
            return f"{episodes:,} podcast play{'s' * (episodes != 1)} {when} imported, kept apart from the music"
        podcasts = (f" (and {episodes:,} podcast play{'s' * (episodes != 1)}, kept apart from the music)"
                    if episodes else "")
        return (f"{new:,} play{'s' * (new != 1)} {when} imported" + podcasts
                + (f", {known:,} already there" if known else ""))


def _load(item) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        check_read(str(item[0]), len(item[1]))
        return str(item[0]), bytes(item[1])
    path = Path(item)
    if not path.exists():
        raise InputFileError(f"{path}: no such file.")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder. Pass the files inside it (or the ZIP Spotify sent).")
    check_read(path.name, path.stat().st_size)  # before reading 200 MB into memory
    return path.name, path.read_bytes()


def import_files(store, files, library_id: int | None = None, name: str | None = None, progress=None,
                 account: str = "", spotify_user: str | None = None) -> ImportReport:
    """Detect, parse and store every file; several files merge into one library. A new library belongs to
    `account` from the start (shared mode), so no failure later in the import can leave it unowned. An
    existing `library_id` must be one this account may write into (LibraryAccessError otherwise): its own
    import, or a Spotify library of the `spotify_user` signed in; never the demo."""
    try:
        return _import_files(store, list(files), library_id, name, progress, account, spotify_user)
    except Exception as exc:
        if is_disk_full(exc):  # creating the library, or a file: nothing of that step was kept
            raise _disk_full(exc) from None
        raise


def _disk_full(exc: BaseException, stored: bool = False) -> DiskFullError:
    log.info("the disk is full", exc_info=exc)
    done = ("the files before this one were stored; nothing of this one or the rest was" if stored
            else "nothing was changed")
    return DiskFullError(f"The disk is full: free space in {home_dir()} and import again; {done}.")


def _import_files(store, files: list, library_id, name, progress, account, spotify_user) -> ImportReport:
    if library_id is not None and not store.can_write(account, library_id, spotify_user):
        raise LibraryAccessError(f"Library {int(library_id)} is not yours to import into (it belongs to another "
                                 "account, is the read-only demo, or does not exist); nothing was imported. "
                                 "Import into a new library instead.")
    report = ImportReport(library_id=library_id)
    try:
        pieces = _read_all(files, report, progress)
    except ImportTooLargeError as exc:  # over the per-import budget: refused whole, before anything is stored
        report.files, report.problems = [], [str(exc)]
        return report
    if not pieces:  # every file was refused: no library is made for it, and none is touched
        return report
    target = _Target(store, library_id, _label(files, name), account, {"files": len(files), "pid": os.getpid()})
    before = store.library_size(library_id) if library_id is not None else 0
    status = "failed"
    try:
        _store_all(store, target, pieces, report)
        status = "done" if not report.problems else "partial"
    except Exception as exc:
        if is_disk_full(exc):
            stored = target.library_id is not None and store.library_size(target.library_id) > before
            raise _disk_full(exc, stored=stored) from None
        raise
    finally:  # never leave a run "running", whatever escaped (a full disk may refuse even this)
        if target.run_id is not None:
            report.added = store.library_size(target.library_id) - before
            with contextlib.suppress(sqlite3.OperationalError, OSError):
                store.finish_run(target.run_id, status, {"added": report.added, "problems": report.problems})
    report.library_id = target.library_id
    if target.library_id is not None:
        store.touch_library(target.library_id)
    if progress:
        progress(len(files), len(files), f"imported {report.added:,} new track{'s' * (report.added != 1)}")
    return report


def _label(files: list, name: str | None) -> str:
    names = [str(f[0]) if isinstance(f, tuple) else Path(f).name for f in files]
    return name or ("Import: " + ", ".join(names[:2]) + (f" (+{len(names) - 2})" if len(names) > 2 else ""))


class _Target:
    """The library and run an import writes into. A new library and the run are made inside the first file's
    own transaction: an import killed (or refused) before any file is stored leaves neither an empty
    library nor a run stuck at "running" (a run a kill interrupts later is closed when the store next opens)."""

    def __init__(self, store, library_id, label: str, account: str, detail: dict):
        self.store, self.library_id, self.label, self.account, self.detail = store, library_id, label, account, detail
        self.run_id = None

    def open(self) -> None:
        """Inside a piece's transaction: make the library and the run if they are missing."""
        if self.library_id is None:
            self.library_id = self.store.create_library(self.label, "import")
            if self.account:
                self.store.claim_library(self.library_id, self.account)
        if self.run_id is None:
            self.run_id = self.store.start_run(self.library_id, "import", self.detail)

    def rolled_back(self, was: tuple[int | None, int | None]) -> None:
        self.library_id, self.run_id = was


def _store_all(store, target: _Target, pieces: list, report: ImportReport) -> None:
    shows = mixed_shows([p for _, p in pieces], {s for _, p in pieces for s in p.shows})
    # Plays last: they attach to tracks the library and playlists already brought.
    for result, piece in sorted(pieces, key=lambda rp: rp[1].kind == "streaming-history"):
        was = (target.library_id, target.run_id)
        try:
            ready = _prepare(piece, shows)  # before the write lock: nobody waits on the parsing and keying
            with store.transaction():  # the library and the run, when new, commit with the first file stored
                target.open()
                _write_piece(store, target.library_id, ready, result)
            note = dropped_note(piece.name, store.last_dropped)  # the count of the transaction just committed
            if note:
                report.problems.append(note)
        except Exception as exc:  # noqa: BLE001 - the transaction rolled this file back; the others stay
            target.rolled_back(was)  # a library or run made in that transaction went with it
            if is_disk_full(exc):
                raise  # not this file's fault, and every file after it would fail the same way
            result.error = _named(piece.name, exc)
            report.problems.append(result.error)
        report.files.append(result)


def _read_all(files: list, report: ImportReport, progress) -> list[tuple[FileResult, Parsed]]:
    pieces: list[tuple[FileResult, Parsed]] = []
    with import_budget():
        for index, item in enumerate(files):
            label = Path(str(item[0]) if isinstance(item, tuple) else str(item)).name
            if progress:
                progress(index, len(files), f"reading {label}")
            try:
                fname, data = _load(item)
                parsed, problems = read_file(fname, data)
            except ImportTooLargeError:
                raise
            except Exception as exc:  # noqa: BLE001 - one file's failure of any kind must not stop the others
                report.files.append(FileResult(label, error=_named(label, exc)))
                report.problems.append(report.files[-1].error)
                continue
            del data  # the pieces are what is kept; a file's bytes go before the next is read
            report.problems.extend(problems + [note for p in parsed for note in p.notes])
            pieces.extend((FileResult(p.name, p.kind), p) for p in parsed)
    return pieces


def _named(name: str, exc: Exception) -> str:
    """A TunescopeError's own message; anything else named by file and kind, its details only logged
    (file contents, never tokens, reach the log: importers see no credentials)."""
    if isinstance(exc, TunescopeError):
        return str(exc)
    log.info("import of %s failed", name, exc_info=exc)
    return (f"{name}: could not be imported ({type(exc).__name__}); nothing from it was stored and the other "
            "files were. Check it is an Exportify CSV or a file from Spotify's export, unchanged.")


@dataclass
class _Ready:
    """One file's rows prepared for the store (engine.library.prepared), before any lock is taken."""

    piece: Parsed
    tracks: PreparedTracks | None
    playlists: list[tuple[str, PreparedTracks]]
    plays: pd.DataFrame                 # the music plays (podcast episodes apart)
    episodes: pd.DataFrame              # the podcast plays
    played: PreparedTracks | None       # the distinct tracks the music plays are of
    track_of_play: np.ndarray | None    # per play, its row in `played`


def _prepare(piece: Parsed, shows: set[str]) -> _Ready:
    """`shows`: the podcasts among the "artists" of this import's mixed histories (mixed_shows)."""
    tracks = prepare_tracks(piece.tracks) if len(piece.tracks) else None
    # An export of Liked Songs is the listener's saved tracks, not a playlist of others'.
    playlists = [(name, prepare_tracks(items)) for name, items in piece.playlists if len(items)]
    plays, episodes = music_and_episodes(piece, shows)
    if not len(plays):
        return _Ready(piece, tracks, playlists, plays, episodes, None, None)
    ident = ["track_id", "title", "artists"]
    distinct = plays.drop_duplicates(ident).reset_index(drop=True)  # first appearances, as ngroup numbers them
    track_of_play = plays.groupby(ident, sort=False, dropna=False).ngroup().to_numpy()
    played = prepare_tracks(normalize_frame(distinct, where=piece.name))
    return _Ready(piece, tracks, playlists, plays, episodes, played, track_of_play)


def _write_piece(store, library_id: int, ready: _Ready, result: FileResult) -> None:
    """Inside the file's transaction: only key lookups and inserts."""
    piece, plays, episodes = ready.piece, ready.plays, ready.episodes
    store.save_file_headers(piece.file_headers)
    if ready.tracks is not None:
        store.add_tracks(library_id, ready.tracks, saved=True)
    for playlist_name, items in ready.playlists:
        store.add_tracks(library_id, items, saved=_is_liked_songs(playlist_name),
                         playlist={"id": f"import:{playlist_name}", "name": playlist_name})
    if len(episodes):
        result.episodes = store.add_episodes(library_id, episodes)[0]
        result.shows = int(episodes["show"].nunique())
        result.first_play, result.last_play = episodes["played_at"].min(), episodes["played_at"].max()
    if ready.played is not None:
        keys = np.asarray(store.add_tracks(library_id, ready.played, saved=False), dtype=object)
        result.plays, result.plays_known = store.add_plays(library_id, plays.assign(key=keys[ready.track_of_play]))
        first, last = plays["played_at"].min(), plays["played_at"].max()
        result.first_play, result.last_play = min(first, result.first_play or first), max(last, result.last_play or last)
    result.tracks = piece.track_count + (plays.drop_duplicates(["title", "artists"]).shape[0] if len(plays) else 0)
    result.playlists = len(piece.playlists)
    result.skipped = piece.skipped


def _store_piece(store, library_id: int, piece: Parsed, result: FileResult, followed: set[str]) -> None:
    """One file in one transaction (prepared first, outside it)."""
    ready = _prepare(piece, mixed_shows([piece], followed))
    with store.transaction():
        _write_piece(store, library_id, ready, result)


LIKED_SONGS = {"liked songs", "liked", "your liked songs", "liked tracks", "lieblingssongs", "titres likés",
               "canciones que te gustan", "brani che ti piacciono", "músicas curtidas"}  # Exportify names the file so


def _is_liked_songs(playlist_name: str) -> bool:
    return str(playlist_name).strip().lower() in LIKED_SONGS


def current_library(store) -> int | None:
    """The most recently opened library, if any."""
    libraries = store.libraries()
    return None if libraries.empty else int(libraries.iloc[0]["library_id"])


def library_csv_frame(store, library_id: int, online: bool = True) -> pd.DataFrame:
    """The normalized schema plus user signals and any known (export/Spotify) features, one row per track,
    then the columns the listener's files had that Tunescope does not read; online values only when
    `online` (the reader agreed to lookups)."""
    from engine.library.file_columns import COLUMN, unpack

    frame = store.library_tracks(library_id, online=online)
    return unpack(frame[SCHEMA + ["plays", "ms_played"] + FEATURES + ["source", COLUMN]], store.file_headers())
