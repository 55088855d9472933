"""The online provider's answer has limits: a size cap, an overall deadline per batch, numbers only,
and one account's lookups cannot starve another's. Against the fake ReccoBeats on 127.0.0.1."""

import threading
import time
import tracemalloc

import pytest
from fake_reccobeats import FakeReccoBeats, real_features

from engine.errors import OnlineFeaturesUnavailableError
from engine.library.providers.fair import FairLookups
from engine.library.providers.lookup import PROVIDER, fetch_features, lookup_steps
from engine.library.providers.reccobeats import MAX_ANSWER_BYTES, ReccoBeatsClient
from engine.library.store import Store


@pytest.fixture(scope="module")
def known():
    return real_features(200)


def _in_thread(call, limit_s: float):
    """call() on a thread: (its result or exception, seconds taken); fails if it runs past limit_s."""
    outcome, started = {}, time.monotonic()

    def run():
        try:
            outcome["value"] = call()
        except Exception as exc:  # noqa: BLE001 - handed to the test
            outcome["value"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit_s)
    assert not worker.is_alive(), f"still running after {limit_s} s"
    return outcome["value"], time.monotonic() - started


def test_a_server_dripping_one_byte_at_a_time_is_cut_off_at_the_batch_deadline(known):
    with FakeReccoBeats(known) as fake:
        fake.inject("drip", delay=0.2)  # every read gets a byte well inside the 10 s read timeout
        client = ReccoBeatsClient(fake.url, backoff_s=0.01, deadline_s=2.0)
        error, elapsed = _in_thread(lambda: client.audio_features(list(known)[:5]), limit_s=10)
    assert isinstance(error, OnlineFeaturesUnavailableError) and "took over 2 s" in str(error)
    assert elapsed < 4


def test_a_huge_answer_is_not_read_past_the_cap(known):
    with FakeReccoBeats(known) as fake:
        fake.inject("huge", size=300 * 2**20)
        tracemalloc.start()
        error, elapsed = _in_thread(lambda: ReccoBeatsClient(fake.url, backoff_s=0.01).audio_features(list(known)[:5]),
                                    limit_s=20)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert isinstance(error, OnlineFeaturesUnavailableError) and "over 1 MB" in str(error)
    assert peak < 4 * MAX_ANSWER_BYTES and elapsed < 10


@pytest.mark.parametrize("payload, shape", [({"content": {"a": 1}}, "object"), ([{"content": []}], "list"),
                                            ({"content": "none"}, "string")])
def test_an_answer_of_the_wrong_shape_is_a_clear_error_and_the_lookup_stops_calmly(known, payload, shape):
    ids = list(known)[:5]
    with FakeReccoBeats(known) as fake:
        fake.inject("payload", payload=payload)
        with pytest.raises(OnlineFeaturesUnavailableError, match=f"unexpected shape \\(a JSON {shape}"):
            ReccoBeatsClient(fake.url, backoff_s=0.01).audio_features(ids)
        fake.inject("payload", payload=payload)
        store = Store(":memory:")
        report = fetch_features(store, ids, ReccoBeatsClient(fake.url, backoff_s=0.01))
    assert "unexpected shape" in report.note and store.online_features(PROVIDER, ids).empty


def test_only_json_numbers_are_values(known):
    track = list(known)[0]
    item = {"href": f"https://open.spotify.com/track/{track}", "energy": True, "danceability": "0.5",
            "valence": None, "tempo": 120, "acousticness": float("nan"), "speechiness": 0.04}
    with FakeReccoBeats(known) as fake:
        fake.inject("payload", payload={"content": [item, "junk", {"href": 5}]})
        found = ReccoBeatsClient(fake.url, backoff_s=0.01).audio_features([track])
    values = found[track]
    assert values["energy"] is None and values["danceability"] is None and values["valence"] is None
    assert values["acousticness"] is None and values["tempo"] == 120.0 and values["speechiness"] == 0.04


def test_one_account_s_stuck_lookups_do_not_hold_another_s(known, tmp_path):
    """Account A asks for 200 ids that the server answers slowly (0.5 s a batch, five batches), three
    times over; account B asks for 5 quick ones just after: on one worker, B's lookup ends after at most
    one more of A's batches, long before A's are done."""
    ids = list(known)
    store = Store(tmp_path / "store.db")
    with FakeReccoBeats(known, slow_delay=0.5) as fake:
        fake.slow_ids = set(ids[:-5])
        lookups = FairLookups(workers=1)
        started = time.monotonic()
        slow = [lookups.submit("a", lookup_steps(store, ids[:-5], ReccoBeatsClient(fake.url))) for _ in range(3)]
        quick = lookups.submit("b", lookup_steps(store, ids[-5:], ReccoBeatsClient(fake.url)))
        assert quick.result(timeout=10).found == 5
        quick_s = time.monotonic() - started
        reports = [f.result(timeout=30) for f in slow]
        slow_s = time.monotonic() - started
    assert quick_s < 1.5 and slow_s > 2.0, (quick_s, slow_s)
    assert reports[0].found == len(ids) - 5 and reports[1].cached == len(ids) - 5  # stored once, then cached
    with pytest.raises(OnlineFeaturesUnavailableError, match="already waiting"):
        for _ in range(5):
            lookups.submit("a", lookup_steps(store, ids[:-5], ReccoBeatsClient(fake.url)))
