"""The ReccoBeats client and the resumable lookup against a fake server on 127.0.0.1 (faults included)."""

import math
import subprocess
import sys
import time

import pytest
from fake_reccobeats import FakeReccoBeats, real_features

from engine.config import FEATURES, ROOT
from engine.errors import OnlineFeaturesUnavailableError
from engine.library.providers.lookup import PROVIDER, fetch_features
from engine.library.providers.reccobeats import ReccoBeatsClient

UNKNOWN = [f"unknownTrack{i:010d}" for i in range(25)]  # 22 characters: Spotify-shaped ids it lacks


@pytest.fixture(scope="module")
def known():
    return real_features(400)


def quick(fake, **options) -> ReccoBeatsClient:
    """The default client with short waits, so a fault test takes a fraction of a second."""
    return ReccoBeatsClient(fake.url, backoff_s=0.01, **options)


def test_features_map_back_by_href_whatever_the_order_and_unknown_ids_stay_missing(known):
    ids = list(known)[:30] + UNKNOWN[:10]
    with FakeReccoBeats(known) as fake:
        found = quick(fake).audio_features(ids)
    assert set(found) == set(ids[:30])
    for track_id in ids[:30]:
        assert found[track_id] == {f: pytest.approx(known[track_id][f]) for f in FEATURES}
    assert len(fake.log) == 1 and sorted(fake.log[0][0]) == sorted(ids)


def test_the_base_url_comes_from_the_environment(known, monkeypatch):
    with FakeReccoBeats(known) as fake:
        monkeypatch.setenv("TUNESCOPE_RECCOBEATS_URL", fake.url)
        assert len(ReccoBeatsClient().audio_features(list(known)[:3])) == 3
    monkeypatch.delenv("TUNESCOPE_RECCOBEATS_URL")
    assert ReccoBeatsClient().base_url == "https://api.reccobeats.com/v1"


def test_not_found_means_none_of_these_ids_is_known(memory_store, known):
    with FakeReccoBeats(known) as fake:
        fake.inject("404")
        report = fetch_features(memory_store, UNKNOWN + list(known)[:50], quick(fake))
    assert report.finished and report.missing == 40 and report.found == 35 and len(fake.received) == 2


def test_429_waits_as_long_as_retry_after_says(known):
    with FakeReccoBeats(known) as fake:
        fake.inject("429", retry_after=1)
        started = time.monotonic()
        found = quick(fake).audio_features(list(known)[:5])
    assert len(found) == 5 and time.monotonic() - started >= 1.0 and fake.too_early == 0


@pytest.mark.parametrize("kind", ["500", "drop", "reset"])
def test_server_errors_and_dropped_connections_are_retried(known, kind):
    with FakeReccoBeats(known) as fake:
        fake.inject(kind, times=2)
        client = quick(fake)
        found = client.audio_features(list(known)[:5])
    assert len(found) == 5 and client.retried == 2 and client.requests == 3


def test_a_slow_answer_times_out_and_is_asked_again(known):
    with FakeReccoBeats(known) as fake:
        fake.inject("slow", delay=1.5)
        client = quick(fake, timeout=0.3)
        assert len(client.audio_features(list(known)[:5])) == 5
    assert client.retried == 1


def test_a_server_that_keeps_failing_ends_in_a_named_error(known):
    with FakeReccoBeats(known) as fake:
        fake.inject("500", times=10)
        with pytest.raises(OnlineFeaturesUnavailableError, match="answered 500 5 times"):
            quick(fake).audio_features(list(known)[:5])
        fake.plan.clear()
        fake.inject("429", times=10, retry_after=600)
        with pytest.raises(OnlineFeaturesUnavailableError, match="rate-limiting"):
            quick(fake).audio_features(list(known)[:5])


def test_every_known_id_gets_its_values_exactly_once_through_random_faults(memory_store, known):
    ids = list(known) + UNKNOWN
    with FakeReccoBeats(known, fault_rate=0.1) as fake:
        client = quick(fake)
        report = fetch_features(memory_store, ids, client)
    assert report.finished and report.found == len(known) and report.missing == len(UNKNOWN)
    assert set(fake.served) == set(known) and set(fake.served.values()) == {1}
    assert report.requests == len(fake.log) <= math.ceil(len(ids) / 40) + client.retried
    stored = memory_store.online_features(PROVIDER, ids)
    assert len(stored) == len(known)
    some = list(known)[7]
    assert stored.loc[some, FEATURES].tolist() == pytest.approx([known[some][f] for f in FEATURES])


def test_a_rerun_asks_only_for_what_is_missing_and_remembers_unknown_ids(memory_store, known):
    ids = list(known)[:100] + UNKNOWN
    with FakeReccoBeats(known) as fake:
        fetch_features(memory_store, ids[:60], quick(fake))
        before = len(fake.log)
        report = fetch_features(memory_store, ids, quick(fake))
        assert report.cached == 60 and report.asked == len(ids) - 60
        assert not set(fake.asked()[-report.asked:]) & set(ids[:60])
        fake.log.clear()
        fake.received.clear()
        again = fetch_features(memory_store, ids, quick(fake))
    assert before == 2 and fake.log == [] and again.asked == 0 and again.cached == len(ids)
    # "not found" is remembered for a while, then asked again
    assert memory_store.pending_online_ids(PROVIDER, UNKNOWN) == []
    assert memory_store.pending_online_ids(PROVIDER, UNKNOWN, miss_ttl_days=0) == UNKNOWN


def test_offline_or_refused_it_stops_with_one_calm_note_and_keeps_what_it_had(memory_store, known):
    ids = list(known)[:120]
    with FakeReccoBeats(known) as fake:
        fake.inject("500", times=50, skip=1)  # the first batch lands, then the service is down
        report = fetch_features(memory_store, ids, quick(fake, retries=2))
    assert not report.finished and "ReccoBeats answered 500" in report.note and report.found == 40
    started = time.monotonic()
    offline = fetch_features(memory_store, ids, ReccoBeatsClient("http://127.0.0.1:9/v1"))  # nothing listens
    assert "could not be reached 2 times" in offline.note and offline.found == 0 and offline.requests == 2
    assert time.monotonic() - started < 3  # offline is told at once, not after minutes of retries
    assert len(memory_store.online_features(PROVIDER, ids)) == 40


def test_turning_consent_off_stops_a_running_lookup_before_the_next_batch(memory_store, known):
    answers = []
    with FakeReccoBeats(known) as fake:
        report = fetch_features(memory_store, list(known)[:200], quick(fake),
                                progress=lambda done, total: answers.append(done), allowed=lambda: not answers)
    assert len(fake.received) == 1 and report.found == 40 and "turned off" in report.note


KILLED_RUN = """
import sys
from engine.library.store import Store
from engine.library.providers.lookup import fetch_features
from engine.library.providers.reccobeats import ReccoBeatsClient
fetch_features(Store(sys.argv[1]), sys.argv[3].split(','), ReccoBeatsClient(sys.argv[2]))
"""


def test_a_killed_run_resumes_without_asking_again(tmp_path, known):
    from engine.library.store import Store

    ids, path = list(known)[:200], tmp_path / "tunescope.db"
    store = Store(path)  # migrated before the child starts; it watches the child's writes land
    with FakeReccoBeats(known, fault_rate=1.0, slow_delay=0.4) as fake:
        fake.rng.choice = lambda kinds: "slow"  # every answer slow, so the kill lands mid-run
        child = subprocess.Popen([sys.executable, "-c", KILLED_RUN, str(path), fake.url, ",".join(ids)],
                                 cwd=str(ROOT))
        while len(store.online_features(PROVIDER, ids)) < 80 and child.poll() is None:
            time.sleep(0.02)
        child.kill()
        child.wait()
        landed = set(store.online_features(PROVIDER, ids).index)
        assert 80 <= len(landed) < len(ids)
        fake.fault_rate, first_run = 0.0, len(fake.asked())
        report = fetch_features(store, ids, quick(fake))
    assert report.finished and len(store.online_features(PROVIDER, ids)) == len(ids)
    assert not set(fake.asked()[first_run:]) & landed


@pytest.mark.slow
def test_ten_thousand_ids_with_five_percent_faults_in_a_minute():
    known = real_features(10_000, seed=1)
    with FakeReccoBeats(known, fault_rate=0.05) as fake:
        from engine.library.store import Store

        store, client, started = Store(":memory:"), ReccoBeatsClient(fake.url), time.monotonic()
        report = fetch_features(store, list(known), client)
        elapsed = time.monotonic() - started
    assert report.found == 10_000 and set(fake.served.values()) == {1}
    assert report.requests <= 250 + client.retried
    assert elapsed <= 60, f"{elapsed:.1f} s"


def test_an_answer_nested_too_deeply_is_a_named_error_and_keeps_what_was_fetched(memory_store, known):
    """Issue 30 (7): 100,000 levels of legal JSON raised RecursionError (a traceback, nothing written)."""
    ids = list(known)[:80]
    with FakeReccoBeats(known) as fake:
        fake.inject("payload", skip=1, payload=b"[" * 100_000 + b"]" * 100_000)
        report = fetch_features(memory_store, ids, quick(fake))
    assert "nested too deeply" in report.note and report.found == 40
    kept = memory_store.online_features(PROVIDER, ids).dropna(subset=FEATURES)
    assert len(kept) == 40  # the first batch of 40, answered before the bad one
