"""Online lookups of many accounts on a few threads, so that none can starve the others.

A lookup is a generator that does one batch per step (lookup.lookup_steps). Each account has its own
bounded queue; the workers take the next account in turn and run one step of its oldest lookup, at most
one step per account at a time. A slow, stuck or huge lookup therefore holds one worker for one batch
(bounded by the client's batch deadline), and every other account's next batch comes before its next.

    lookups = FairLookups(workers=2)
    future = lookups.submit("account-a", lookup_steps(store, ids))   # future.result() -> LookupReport

Workers are daemon threads: they never hold a stopping server (each step commits whole or not at all).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from concurrent.futures import Future
from typing import Generator

from engine.errors import OnlineFeaturesUnavailableError

PER_ACCOUNT = 4  # lookups one account may have waiting or running


class FairLookups:
    def __init__(self, workers: int = 2, per_account: int = PER_ACCOUNT):
        self.per_account = per_account
        self._queues: OrderedDict[str, deque] = OrderedDict()  # account -> its lookups, in turn order
        self._busy: set[str] = set()  # accounts with a step running now
        self._ready = threading.Condition()
        for index in range(workers):
            threading.Thread(target=self._work, name=f"tunescope-online-{index}", daemon=True).start()

    def submit(self, account: str, steps: Generator) -> Future:
        """Queue a lookup for `account`; refused when the account already has `per_account` of them."""
        future: Future = Future()
        with self._ready:
            queue = self._queues.setdefault(account, deque())
            if len(queue) >= self.per_account:
                raise OnlineFeaturesUnavailableError(
                    f"{self.per_account} lookups of real values are already waiting for this account; "
                    "try again when they have finished.")
            queue.append((steps, future))
            self._ready.notify()
        return future

    def _next(self):
        """The oldest lookup of the first account in turn that has none running; that account goes last."""
        for account, queue in self._queues.items():
            if account not in self._busy and queue:
                self._busy.add(account)
                self._queues.move_to_end(account)
                return account, queue[0]
        return None

    def _work(self) -> None:
        while True:
            with self._ready:
                picked = self._next()
                while picked is None:
                    self._ready.wait()
                    picked = self._next()
            account, (steps, future) = picked
            finished = True
            try:
                next(steps)
                finished = False
            except StopIteration as stop:
                future.set_result(stop.value)
            except BaseException as exc:  # noqa: BLE001 - handed to whoever waits on the future
                future.set_exception(exc)
            with self._ready:
                self._busy.discard(account)
                queue = self._queues[account]
                if finished:
                    queue.popleft()
                if not queue:
                    del self._queues[account]
                self._ready.notify_all()
