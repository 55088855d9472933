"""Fetching real features online for a set of Spotify ids, resumably: only ids the store has neither
found nor recently missed are asked, in batches of 40, and each batch's answer is stored in its own
transaction before the next is asked, so a killed run resumes without asking again.

    report = fetch_features(store, store.lookup_candidates(library_id))      # after consent only
    report.found, report.requests, report.note    # note: one calm sentence when it had to stop

Failures never escape: offline, refused or rate-limited, the lookup stops with a note and whatever
it stored stays; the library keeps its catalog values and predictions for the rest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Generator

from engine.errors import OnlineFeaturesUnavailableError
from engine.library.providers.reccobeats import BATCH, ReccoBeatsClient
from engine.schema import is_spotify_id

PROVIDER = "reccobeats"
log = logging.getLogger(__name__)


@dataclass
class LookupReport:
    asked: int = 0      # ids sent (each once)
    found: int = 0      # ids that came back with values
    missing: int = 0    # ids the service does not know
    cached: int = 0     # ids skipped: already found, or missed recently
    requests: int = 0   # HTTP requests, retries included
    retried: int = 0
    note: str = ""      # why it stopped early, in one calm sentence; '' when it finished

    @property
    def finished(self) -> bool:
        return not self.note


def fetch_features(store, track_ids: list[str], client: ReccoBeatsClient | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   allowed: Callable[[], bool] = lambda: True) -> LookupReport:
    """Ask the provider for those ids still unknown to the store. progress(done, total) after each batch;
    allowed() is asked before each batch, so turning consent off stops a running lookup at once."""
    steps = lookup_steps(store, track_ids, client, progress, allowed)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def lookup_steps(store, track_ids: list[str], client: ReccoBeatsClient | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 allowed: Callable[[], bool] = lambda: True) -> Generator[None, None, LookupReport]:
    """fetch_features one batch per step (a generator returning the report): FairLookups runs the steps
    of many accounts' lookups in turn."""
    client = client or ReccoBeatsClient()
    todo = store.pending_online_ids(PROVIDER, track_ids)
    report = LookupReport(cached=len({i for i in map(str, track_ids) if is_spotify_id(i)}) - len(todo))
    try:
        for start in range(0, len(todo), BATCH):
            if not allowed():
                report.note = "Fetching real values online was turned off; nothing more is sent."
                break
            batch = todo[start:start + BATCH]
            found = client.audio_features(batch)
            store.save_online_features(PROVIDER, found, [i for i in batch if i not in found])
            report.asked += len(batch)
            report.found += len(found)
            report.missing += len(batch) - len(found)
            if progress:
                progress(start + len(batch), len(todo))
            if start + BATCH < len(todo):
                yield
    except OnlineFeaturesUnavailableError as exc:
        log.info("online lookup stopped: %s", exc)
        report.note = str(exc)
    report.requests, report.retried = client.requests, client.retried
    return report
