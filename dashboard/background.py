"""Background work for the pages on daemon threads, so `streamlit run` stops at once on SIGTERM.

concurrent.futures' pools join their threads when the interpreter exits: a stop that arrived while a
cold Map was being built waited for UMAP (half a minute). A daemon thread is simply dropped at exit,
and the work here writes nothing that a stop could leave half-written (the store's writes are
transactions: an interrupted one is rolled back).
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future


class DaemonWorker:
    """One daemon thread running the calls submitted to it in order; each call's Future as a pool's."""

    def __init__(self, name: str):
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def submit(self, fn, *args, **kwargs) -> Future:
        future: Future = Future()
        self._jobs.put((future, fn, args, kwargs))
        return future

    def _run(self) -> None:
        while True:
            future, fn, args, kwargs = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args, **kwargs))
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                future.set_exception(exc)
