"""Artists' genres a development-mode sync left for later (Spotify then serves /artists/{id} only, one
request an artist): fetched after the library is in, in small steps, each stored with what is left in
one transaction, so a stopped fetch resumes where it stopped and never asks an artist twice.

    left = pending_genres(store, library_id)                     # artists still to ask (0: none)
    report = fetch_pending_genres(store, client, library_id, progress=lambda done, total: ...)

Artists Spotify gives no genres are remembered as asked ([]) and change nothing; the next sync carries
every answer (CARRIED in sync.py), so it asks none of them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable

from engine.library.spotify.client import ONE_BY_ONE_WORKERS

STEP = 5 * ONE_BY_ONE_WORKERS  # artists per stored step: a stop loses at most this many answers


@dataclass
class GenresReport:
    asked: int = 0          # artists asked this time
    with_genres: int = 0    # of them, those Spotify gave genres
    left: int = 0           # still pending (stopped early)
    tracks_updated: int = 0


def _last_sync(store, library_id: int) -> tuple[int | None, dict]:
    row = store.db.execute("select id, cursor from runs where library_id = ? and kind = 'sync' and status = 'done' "
                           "order by id desc limit 1", [library_id]).fetchone()
    return (row[0], json.loads(row[1] or "{}")) if row else (None, {})


def pending_genres(store, library_id: int) -> int:
    """How many artists the library's last sync left to ask."""
    return len(_last_sync(store, library_id)[1].get("genres_pending") or [])


def fetch_pending_genres(store, client, library_id: int, progress: Callable[[int, int], None] | None = None,
                         keep_going: Callable[[], bool] = lambda: True) -> GenresReport:
    """Ask Spotify, artist by artist, for the genres the last sync left pending, and store them on the
    library's tracks; keep_going() is asked before each step (a stopping server, a signed-out user)."""
    run_id, cursor = _last_sync(store, library_id)
    pending = list(cursor.get("genres_pending") or [])
    report, total = GenresReport(), len(pending)
    known, credits = cursor.setdefault("artist_genres", {}), cursor.get("credits") or {}
    while pending and keep_going():
        step, pending = pending[:STEP], pending[STEP:]
        answers = client.artists_one_by_one(step)
        found = {a: list((answers.get(a) or {}).get("genres") or []) for a in step}
        known.update(found)
        cursor["genres_pending"] = pending
        asked = set(found)
        by_key = {}
        for key, artist_ids in credits.items():
            if asked & set(artist_ids):
                genres = ";".join(dict.fromkeys(g for a in artist_ids for g in known.get(a, [])))
                if genres:
                    by_key[key] = genres
        store.set_genres(library_id, by_key, run_id, cursor)  # the genres and what is left, together
        report.asked += len(step)
        report.with_genres += sum(1 for g in found.values() if g)
        report.tracks_updated += len(by_key)
        if progress:
            progress(total - len(pending), total)
    report.left = len(pending)
    return report
