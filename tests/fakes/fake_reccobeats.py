"""A fake ReccoBeats API: a real HTTP server on 127.0.0.1 for the tests, built from the documented
shapes (../shared/design/real_feature_providers.md) and real feature values (TidyTuesday's tracks).

    with FakeReccoBeats(known=ids) as fake:                  # fake.url -> TUNESCOPE_RECCOBEATS_URL
        fake.inject("429", retry_after=1)                     # the next request is rate-limited
        fake.inject("500", times=2, skip=3)                   # the 4th and 5th fail
        fake = FakeReccoBeats(known=ids, fault_rate=0.05)     # 5% of requests fault at random

GET /v1/audio-features?ids=a,b (or repeated ids=): up to 40 ids, else 400. The answer is
{"content": [...]}, items in shuffled order, each with a ReccoBeats `id` and the Spotify `href`;
ids it does not know are left out. Faults: '429' (Retry-After, enforced), '404', '500', 'slow' (answers
after `delay` s), 'drop' (half the body, then the connection closes), 'reset' (closes, no answer),
'drip' (the answer one byte every `delay` s), 'huge' (a valid answer padded to `size` bytes, sent without a
Content-Length), 'payload' (answers `payload` as it is: a JSON object where a list belongs, true for a value).
`slow_ids`: any request holding one of them answers after `slow_delay` s (one account's stuck lookups).
`served` counts every id delivered in a complete answer; `received` keeps the ids of each request as
it arrives, `log` (ids, status) as it is answered.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pandas as pd

from engine.config import FEATURES, data_dir

RANDOM_FAULTS = ("429", "500", "drop", "slow")


def real_features(n: int, seed: int = 0) -> dict[str, dict]:
    """n real tracks' values by Spotify id (TidyTuesday), as ReccoBeats would measure them."""
    table = pd.read_parquet(data_dir() / "tidytuesday_spotify_songs.parquet",
                            columns=["track_id", *FEATURES, "key", "loudness", "mode"])
    table = table.drop_duplicates("track_id").sample(n=n, random_state=seed)
    return {row.pop("track_id"): row for row in table.to_dict("records")}


class FakeReccoBeats:
    def __init__(self, known: dict[str, dict], *, fault_rate: float = 0.0, slow_delay: float = 0.3,
                 seed: int = 13):
        self.known = known
        self.uuids = {i: str(uuid.UUID(int=random.Random(i).getrandbits(128))) for i in known}
        self.fault_rate, self.slow_delay, self.rng = fault_rate, slow_delay, random.Random(seed)
        self.slow_ids: set[str] = set()
        self.plan: list[dict | None] = []  # the faults of the next requests, in order (None: answer well)
        self.log: list[tuple[list[str], int]] = []
        self.received: list[list[str]] = []  # ids of each request as it arrives (before any delay)
        self.served: Counter = Counter()
        self.too_early = 0  # requests that ignored a Retry-After
        self._blocked_until = 0.0
        self.lock = threading.Lock()

    def __enter__(self) -> "FakeReccoBeats":
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"server_fake": self}))
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/v1" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, kind: str, times: int = 1, skip: int = 0, **options) -> None:
        """Fault the next `times` requests after letting `skip` through (each planned request in turn)."""
        with self.lock:
            self.plan += [None] * skip + [{"kind": kind, **options}] * times

    def asked(self) -> list[str]:
        """Every id in every request received, in order of arrival (retries repeat ids)."""
        return [i for ids in self.received for i in ids]

    def fault(self) -> dict | None:
        with self.lock:
            if self.plan:
                return self.plan.pop(0)
            if self.fault_rate and self.rng.random() < self.fault_rate:
                return {"kind": self.rng.choice(RANDOM_FAULTS), "retry_after": 1, "delay": self.slow_delay}
        return None

    def answer(self, ids: list[str]) -> dict:
        items = [{"id": self.uuids[i], "href": f"https://open.spotify.com/track/{i}", **self.known[i]}
                 for i in ids if i in self.known]
        with self.lock:
            self.rng.shuffle(items)  # the documented order is not guaranteed
        return {"content": items}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_fake: FakeReccoBeats

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        try:
            self._get()
        except (BrokenPipeError, ConnectionResetError):  # the client gave up on a slow answer
            self.close_connection = True

    def _get(self) -> None:
        fake, url = self.server_fake, urlparse(self.path)
        ids = [i for value in parse_qs(url.query).get("ids", []) for i in value.split(",") if i]
        fake.received.append(ids)
        if url.path.rstrip("/") != "/v1/audio-features":
            return self._write(ids, 404, {"error": "Not found"})
        if time.time() < fake._blocked_until:
            fake.too_early += 1
            return self._write(ids, 429, {"error": "Too many requests"}, retry_after=1)
        fault = fake.fault() or {"kind": None}
        kind = fault["kind"]
        if kind == "429":
            fake._blocked_until = time.time() + fault.get("retry_after", 1)
            return self._write(ids, 429, {"error": "Too many requests"}, retry_after=fault.get("retry_after", 1))
        if kind in ("404", "500"):
            return self._write(ids, int(kind), {"error": "Not found" if kind == "404" else "Internal server error"})
        if kind == "reset":
            fake.log.append((ids, 0))
            return self._hang_up()
        if kind == "slow":
            time.sleep(fault.get("delay", 2.0))
        if fake.slow_ids & set(ids):
            time.sleep(fake.slow_delay)
        if not 1 <= len(ids) <= 40:
            return self._write(ids, 400, {"error": "ids: between 1 and 40"})
        if kind == "payload":
            return self._write(ids, 200, fault["payload"])
        if kind == "drip":
            return self._drip(ids, json.dumps(fake.answer(ids)).encode(), fault.get("delay", 5.0))
        if kind == "huge":
            return self._huge(ids, fault.get("size", 300 * 2**20))
        payload = fake.answer(ids)
        self._write(ids, 200, payload, cut=kind == "drop")
        if kind != "drop":
            with fake.lock:
                fake.served.update(item["href"].rsplit("/", 1)[-1] for item in payload["content"])

    def _write(self, ids: list[str], status: int, payload, retry_after: float | None = None, cut: bool = False) -> None:
        """Answer with JSON; `cut`: only half the body, then the connection closes (a dropped answer)."""
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()  # bytes: a body as it is
        self.server_fake.log.append((ids, -1 if cut else status))
        self.send_response(status)
        headers = {"Content-Type": "application/json", "Content-Length": str(len(data))}
        if retry_after is not None:
            headers["Retry-After"] = str(retry_after)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if cut else data)
        if cut:
            self.wfile.flush()
            self._hang_up()

    def _drip(self, ids: list[str], data: bytes, delay: float) -> None:
        self.server_fake.log.append((ids, 200))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        for byte in data:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(delay)

    def _huge(self, ids: list[str], size: int) -> None:
        """`{"content": [` + spaces + `]}`, `size` bytes in all, its length undeclared (read until closed)."""
        self.server_fake.log.append((ids, 200))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        self.wfile.write(b'{"content": [')
        chunk, sent = b" " * 2**16, 0
        while sent < size:
            self.wfile.write(chunk)
            sent += len(chunk)
        self.wfile.write(b"]}")

    def _hang_up(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
