"""Background work for the pages on daemon threads, so `streamlit run` stops at once on SIGTERM.

concurrent.futures' pools join their threads when the interpreter exits: a stop that arrived while a
cold Map was being built waited for UMAP (half a minute). A daemon thread is simply dropped at exit,
and the work here writes nothing that a stop could leave half-written (the store's writes are
transactions: an interrupted one is rolled back).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import sys
import threading
import time
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


STOP_GRACE_S = 1.0  # after the server starts stopping: sessions end, then the process does


def exit_promptly() -> None:
    """Under `streamlit run`: once the server starts stopping (SIGTERM, Ctrl+C), the process ends within
    STOP_GRACE_S. Left to itself, a stop waited for a UMAP compile holding the interpreter, then tore a
    heap of models down object by object: 13-30 s. Nothing can be left half-written by ending early:
    the store's writes are transactions (SQLite rolls an interrupted one back) and the server writes
    no other file."""
    from streamlit import runtime
    from streamlit.runtime.runtime import Runtime

    served = "streamlit.web.bootstrap" in sys.modules and runtime.exists()
    if _started or not served or not isinstance(runtime.get_instance(), Runtime):  # AppTest: a mock runtime
        return
    _started.append(True)
    atexit.register(_exit_now)  # a normal stop: skip the interpreter's teardown
    threading.Thread(target=_watch, args=(runtime.get_instance(),), name="tunescope-stop", daemon=True).start()


_started: list = []


def _watch(the_runtime) -> None:
    from streamlit.runtime.runtime import RuntimeState

    while the_runtime.state not in (RuntimeState.STOPPING, RuntimeState.STOPPED):
        time.sleep(0.1)
    time.sleep(STOP_GRACE_S)
    _exit_now()


def _exit_now() -> None:
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
