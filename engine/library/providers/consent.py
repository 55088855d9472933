"""The listener's choice about online lookups, remembered under TUNESCOPE_HOME (online.json).

Off until the user turns it on: nothing is sent to any online source before. Keyed by account, so on a
shared server each browser decides for itself ('' is the local user).

    consent.allowed()            # False until set
    consent.remember(True)       # Home's toggle, or `python -m engine predict --online`
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import threading
from pathlib import Path

from engine.config import home_dir
from engine.errors import DiskFullError, SettingNotSavedError, is_disk_full
from engine.library.tables import now

FILE = "online.json"
LOCK = "online.lock"
WHAT_IS_SENT = ("Spotify track ids, nothing else (no titles, no account, no listening history), "
                "to ReccoBeats (api.reccobeats.com), which answers with measured audio features.")
_lock = threading.Lock()  # flock is per open file: threads of one process also queue here


def _read() -> dict:
    try:
        data = json.loads((home_dir() / FILE).read_text())
    except (OSError, ValueError):
        return {}  # missing or unreadable: nobody agreed
    return data if isinstance(data, dict) else {}


def allowed(account: str = "") -> bool:
    entry = _read().get(account)
    return bool(isinstance(entry, dict) and entry.get("reccobeats") is True)


def remember(on: bool, account: str = "") -> None:
    """Record this account's choice. The read-change-write runs under an exclusive lock on a lock file,
    so the CLI and every dashboard process take turns (none can overwrite another's "off"), and the new
    file replaces the old whole, from a temporary file of its own. SettingNotSavedError (or
    DiskFullError) when it cannot be written; the previous choice then stands and no temporary is left."""
    home = home_dir()
    try:
        with _lock, open(home / LOCK, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if this process dies
            data = _read()
            data[account] = {"reccobeats": bool(on), "changed_at": now()}
            _replace(home / FILE, json.dumps(data, indent=1))
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFullError(f"The disk is full: free space in {home} and try again; your choice about "
                                "online lookups was not changed.") from None
        raise SettingNotSavedError(f"Could not save your choice about online lookups in {home} "
                                   f"({exc.strerror or type(exc).__name__}); it was not changed. "
                                   "Check that folder is writable.") from None


def _replace(path: Path, text: str) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)  # whole or not at all: a crash never leaves half a file
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
