"""ReccoBeats: Spotify-style audio features for Spotify track ids, free and without a key
(facts and response shapes: ../shared/design/real_feature_providers.md).

Each endpoint is a few lines over one `_call` that owns HTTP, retries and errors:
  429 waits Retry-After; 5xx, timeouts and dropped connections back off and retry; whatever still
  fails becomes OnlineFeaturesUnavailableError with a clear message. Only Spotify track ids are sent.
  An answer is read in pieces and dropped past MAX_ANSWER_BYTES, and one batch, retries included,
  ends at its deadline (a server sending one byte every few seconds never trips a per-read timeout).
  Values are taken only as JSON numbers (true is not 1.0); an answer of another shape is an error.

    client = ReccoBeatsClient()        # base URL: TUNESCOPE_RECCOBEATS_URL, else the real service
    client.audio_features(["4uLU6hMCjMI75M1A2tKUQC", ...])   # {spotify id: {feature: value}}, ≤ 40 ids
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from typing import Callable

import requests
from urllib3.exceptions import HTTPError as ReadError, NewConnectionError, ReadTimeoutError

from engine.config import FEATURES
from engine.errors import OnlineFeaturesUnavailableError

API_URL = "https://api.reccobeats.com/v1"
BATCH = 40  # the most ids /audio-features takes in one request
MAX_ANSWER_BYTES = 1 * 2**20  # 40 items are ~25 KB; past this the answer is not read on
BATCH_DEADLINE_S = 60.0  # one batch, retries and waits included
_TRANSIENT = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError, ValueError)
log = logging.getLogger(__name__)


class ReccoBeatsClient:
    def __init__(self, base_url: str | None = None, *, timeout: float = 10.0, retries: int = 4,
                 backoff_s: float = 1.0, max_retry_after_s: float = 120.0,
                 sleep: Callable[[float], None] = time.sleep, deadline_s: float = BATCH_DEADLINE_S):
        self.base_url = (base_url or os.environ.get("TUNESCOPE_RECCOBEATS_URL") or API_URL).rstrip("/")
        self.timeout, self.retries, self.backoff_s = timeout, retries, backoff_s
        self.max_retry_after_s, self.sleep, self.deadline_s = max_retry_after_s, sleep, deadline_s
        self.session = requests.Session()
        self.requests = 0  # every HTTP request sent, retries included, for reports and tests
        self.retried = 0
        self.answered = 0  # HTTP answers received: none yet and no connection means offline, so stop soon

    # --- the one call --------------------------------------------------------------------------
    def _call(self, path: str, params: dict):
        failures, waited = 0, 0
        deadline = time.monotonic() + self.deadline_s
        while True:
            self.requests += 1
            try:
                left = self._left(deadline)
                answer = self.session.get(f"{self.base_url}/{path}", params=params, stream=True,
                                          timeout=min(self.timeout, left))
                with answer:
                    self.answered += 1
                    if answer.status_code == 429:
                        wait = _retry_after(answer.headers.get("Retry-After"), self.backoff_s)
                        if wait > self.max_retry_after_s or waited >= self.retries:
                            raise OnlineFeaturesUnavailableError(
                                f"ReccoBeats is rate-limiting requests (asked to wait {wait:.0f} s). Real values "
                                "fetched so far are kept; try again later and it asks only for what is missing.")
                        waited += 1
                        self._pause(wait, "429", deadline)
                        continue
                    if answer.status_code >= 500:
                        raise _ServerError(answer.status_code)
                    if answer.status_code == 404:  # documented for unknown resources: none of these ids is known
                        return {"content": []}
                    answer.raise_for_status()
                    # A cut-off body raises ValueError: retried like a dropped connection.
                    return _parsed(self._body(answer, deadline))
            except (_ServerError, *_TRANSIENT) as exc:
                failures += 1
                offline = _unreachable(exc) and not self.answered
                if failures > (1 if offline else self.retries):
                    raise OnlineFeaturesUnavailableError(
                        f"ReccoBeats {_what(exc)} {failures} times in a row. Check the internet connection; "
                        "real values fetched so far are kept, and a re-run asks only for what is missing.") from None
                self._pause(self.backoff_s * 2 ** (failures - 1), type(exc).__name__, deadline)
            except requests.HTTPError as exc:
                raise OnlineFeaturesUnavailableError(
                    f"ReccoBeats refused the request ({exc.response.status_code}); "
                    "the features stay predicted.") from None

    def _body(self, answer: requests.Response, deadline: float) -> bytes:
        """The whole body, read as it arrives, within the size cap and the batch's deadline."""
        declared = answer.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise _too_large(int(declared))
        body = bytearray()
        while True:
            self._left(deadline)
            try:
                piece = answer.raw.read1(65536, decode_content=True)  # whatever has arrived, never waits for more
            except ReadTimeoutError as exc:
                raise requests.Timeout(str(exc)) from None
            except ReadError as exc:
                raise requests.exceptions.ChunkedEncodingError(str(exc)) from None
            if not piece:
                return bytes(body)
            body += piece
            if len(body) > MAX_ANSWER_BYTES:
                raise _too_large(len(body))

    def _left(self, deadline: float) -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise OnlineFeaturesUnavailableError(
                f"ReccoBeats took over {self.deadline_s:.0f} s to answer for one batch of ids, so the lookup "
                "stopped. Real values fetched so far are kept; a re-run asks only for what is missing.")
        return left

    def _pause(self, seconds: float, why: str, deadline: float) -> None:
        if seconds >= self._left(deadline):
            self.sleep(max(0.0, deadline - time.monotonic()))
            self._left(deadline)  # raises: waiting would end past the deadline
        log.info("ReccoBeats: %s; retrying in %.2f s", why, seconds)
        self.retried += 1
        self.sleep(seconds)

    # --- endpoints -----------------------------------------------------------------------------
    def audio_features(self, spotify_ids: list[str]) -> dict[str, dict[str, float]]:
        """The 8 features per Spotify id for up to 40 ids. Items map back by their `href`; ids the
        service has no features for are absent from the answer, and so from the result."""
        asked = list(dict.fromkeys(spotify_ids))[:BATCH]
        if not asked:
            return {}
        answer = self._call("audio-features", {"ids": ",".join(asked)})
        content = answer.get("content") if isinstance(answer, dict) else None
        if not isinstance(content, list):
            shape = type(content if isinstance(answer, dict) else answer).__name__
            raise OnlineFeaturesUnavailableError(
                f"ReccoBeats answered in an unexpected shape (a JSON {_JSON_NAMES.get(shape, shape)} where a list "
                "of tracks belongs), so nothing from it was stored; the features stay predicted.")
        wanted, found = set(asked), {}
        for item in content:
            if not isinstance(item, dict) or not isinstance(item.get("href"), str):
                continue
            spotify_id = item["href"].split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            if spotify_id in wanted:
                found[spotify_id] = {f: _number(item.get(f)) for f in FEATURES}
        return found


class _ServerError(Exception):
    def __init__(self, status: int):
        super().__init__(status)
        self.status = status


def _unreachable(exc: Exception) -> bool:
    """No connection could be opened at all (refused, no network, name not resolved)."""
    reason = getattr(exc.args[0], "reason", None) if isinstance(exc, requests.ConnectionError) and exc.args else None
    return isinstance(reason, NewConnectionError)


def _what(exc: Exception) -> str:
    if isinstance(exc, _ServerError):
        return f"answered {exc.status}"
    if _unreachable(exc):
        return "could not be reached"
    return "timed out" if isinstance(exc, requests.Timeout) else "dropped the connection"


def _retry_after(header, default: float) -> float:
    try:
        return max(0.0, float(header))
    except (TypeError, ValueError):
        return default


_JSON_NAMES = {"dict": "object", "list": "list", "str": "string", "int": "number", "float": "number",
               "bool": "boolean", "NoneType": "null"}


def _parsed(body: bytes):
    """The answer's JSON. Nesting too deep for the parser is no answer to retry or a crash: a named error."""
    try:
        return json.loads(body)
    except RecursionError:
        raise OnlineFeaturesUnavailableError("ReccoBeats sent an answer nested too deeply to read; the features "
                                             "stay predicted, and real values fetched so far are kept.") from None


def _too_large(size: int) -> OnlineFeaturesUnavailableError:
    return OnlineFeaturesUnavailableError(
        f"ReccoBeats sent an answer of over {MAX_ANSWER_BYTES // 2**20} MB for one batch of ids (about 25 KB is "
        f"usual; {size:,} bytes so far), so it was not read on; the features stay predicted.")


def _number(value) -> float | None:
    """A JSON number as a float; anything else (true, "0.5", null, NaN) is no value."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None
