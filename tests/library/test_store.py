from engine.library.store import MIGRATIONS, Store


def test_migrations_bring_a_new_store_to_the_latest_version(memory_store):
    assert memory_store.version == len(MIGRATIONS)
    assert "prediction_cache" in memory_store.db.table_names()


def test_reopening_keeps_data_and_does_not_rerun_migrations(tmp_path):
    path = tmp_path / "t.db"
    store = Store(path)
    store.cache_predictions({"k1": {"energy": 0.5}})
    store.close()
    again = Store(path)
    assert again.version == len(MIGRATIONS)
    assert again.cached_predictions(["k1", "k2"]) == {"k1": {"energy": 0.5}}


def test_cache_lookup_handles_more_keys_than_sqlite_parameters(memory_store):
    payloads = {f"key{i}": {"i": i} for i in range(2500)}
    memory_store.cache_predictions(payloads)
    found = memory_store.cached_predictions(list(payloads) + ["missing"])
    assert len(found) == 2500 and found["key2499"] == {"i": 2499}
