"""Values built at most once, safe between threads: one lock per name, so a slow build (the recommender,
a library's clusters) never holds up a reader of another value, and a build may read other values."""

from __future__ import annotations

import threading


class Once:
    def __init__(self):
        self._values: dict = {}
        self._locks: dict = {}
        self._guard = threading.Lock()

    def get(self, name, build):
        """build() the first time `name` is asked for; its value ever after (a build that raises keeps nothing)."""
        with self._guard:
            if name in self._values:
                return self._values[name]
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if name not in self._values:
                self._values[name] = build()
            return self._values[name]

    def __contains__(self, name) -> bool:
        return name in self._values

    def forget(self, keep=()) -> None:
        """Drop every value but those named in `keep` (they are built again when next asked for)."""
        with self._guard:
            self._values = {name: value for name, value in self._values.items() if name in keep}
