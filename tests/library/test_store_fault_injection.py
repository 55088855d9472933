"""Seeded random failures at any write of real imports, Spotify syncs and re-keys leave no partial
write: after each, the store equals one of the states a clean run committed, and a sync resumes
from there to a complete library."""

import random

import pytest
from fake_spotify import FakeSpotify
from faulty_sqlite import FaultPlan, InjectedFault, dump
from test_spotify_sync import assert_complete, client_for, sign_in

from engine.library.imports import import_files
from engine.library.spotify.sync import sync_library

HISTORY = "extended_streaming_history/Efrrowini/Streaming_History_Audio_2023.json"
FILES = ["exportify/seankmchenry__2023-01__donald_fagen.csv", "exportify/deadda7a__2021-12__casual.csv",
         "account_export/hobbies-w-erin_2024/YourLibrary.json", HISTORY]


def _import(samples, tmp_path, client):
    def setup(store):
        return None

    def run(store, _):
        import_files(store, [samples / f for f in FILES])
    return setup, run


def _rekey(samples, tmp_path, client):
    plain = tmp_path / "plain.csv"
    plain.write_text("artist,title\nSabrina Carpenter,Espresso\nBillie Eilish,BIRDS OF A FEATHER\nNobody,Unheard\n")

    def setup(store):
        return import_files(store, [plain]).library_id

    def run(store, library_id):
        import_files(store, [samples / "exportify/kyleduong__2024-12__top_tracks_of_2024_global.csv"],
                     library_id=library_id)
    return setup, run


def _sync(samples, tmp_path, client):
    def setup(store):
        return None

    def run(store, _):
        sync_library(store, client)
    return setup, run


def _committed_states(operation, where):
    """(states a clean run passes through, its number of write points)."""
    plan = FaultPlan()
    store = plan.store(where)
    setup, run = operation
    context = setup(store)
    plan.commits, plan.record, start = [_state(store)], True, plan.writes
    run(store, context)
    store.close()
    return set(plan.commits), plan.writes - start, plan.outside


def _state(store):
    return dump(store.db.conn)


def trials(samples, tmp_path, count, seed):
    rng = random.Random(seed)
    partial, failed, resumed_ok = 0, 0, 0
    with FakeSpotify(users={"alice": 120}, playlists=3, audio_features=True) as fake:
        client = client_for(fake, sign_in(fake))
        operations = {name: make(samples, tmp_path, client) for name, make in
                      (("import", _import), ("sync", _sync), ("rekey", _rekey))}
        clean = {name: _committed_states(op, ":memory:") for name, op in operations.items()}
        for name, (_, _, outside) in clean.items():
            assert not outside, f"{name} wrote outside a transaction: {outside[:3]}"
        for trial in range(count):
            name = ("import", "sync", "rekey")[trial % 3]
            states, writes, _ = clean[name]
            setup, run = operations[name]
            plan = FaultPlan()
            store = plan.store(":memory:")
            context = setup(store)
            plan.fail_at = plan.writes + rng.randint(1, writes)
            try:
                run(store, context)
            except InjectedFault:
                failed += 1
            partial += _state(store) not in states
            if name == "sync":  # the interrupted sync resumes to the whole library
                plan.fail_at = None
                report = sync_library(store, client)
                assert_complete(store, report, fake.users["alice"])
                resumed_ok += 1
            store.close()
    return partial, failed, resumed_ok


def test_random_failures_in_imports_syncs_and_rekeys_leave_no_partial_write(samples, tmp_path):
    partial, failed, resumed = trials(samples, tmp_path, count=30, seed=14)
    assert (partial, failed, resumed) == (0, 30, 10)


@pytest.mark.slow
def test_200_random_failures_leave_no_partial_write(samples, tmp_path):
    partial, failed, resumed = trials(samples, tmp_path, count=200, seed=2014)
    print(f"200 injected failures: {failed} raised, {partial} partial writes, {resumed} syncs resumed whole")
    assert (partial, failed) == (0, 200)
