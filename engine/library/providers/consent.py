"""The listener's choice about online lookups, remembered under TUNESCOPE_HOME (online.json).

Off until the user turns it on: nothing is sent to any online source before. Keyed by account, so on a
shared server each browser decides for itself ('' is the local user).

    consent.allowed()            # False until set
    consent.remember(True)       # Home's toggle, or `python -m engine predict --online`
"""

from __future__ import annotations

import json
import threading

from engine.config import home_dir
from engine.library.tables import now

FILE = "online.json"
WHAT_IS_SENT = ("Spotify track ids, nothing else (no titles, no account, no listening history), "
                "to ReccoBeats (api.reccobeats.com), which answers with measured audio features.")
_lock = threading.Lock()


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
    with _lock:
        data = _read()
        data[account] = {"reccobeats": bool(on), "changed_at": now()}
        path = home_dir() / FILE
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1))
        temporary.replace(path)  # whole or not at all: a crash never leaves half a file
