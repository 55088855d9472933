"""One recommendation request parses the library's list columns once: each row's genres and moods
are split a single time, however many steps (user tower, owned check, explanations) read them; the next
request on the same library splits nothing (its profile, engine.recs.profile, is reused)."""

import engine.recs.catalog_index
import engine.recs.data
import engine.schema
from engine.library.demo import open_demo
from engine.recs.profile import ProfileCache
from engine.recs.recommend import Recommender


def test_a_request_splits_each_list_cell_once(memory_store, app, monkeypatch):
    library = app.over(memory_store).library(open_demo(memory_store)).tracks
    assert (library["genres"].str.count(";") > 0).sum() > 100  # the demo has real lists to split
    rec = Recommender.load()
    seen: list[str] = []
    original = engine.schema.split_list

    def counting(value):
        seen.append(value)
        return original(value)

    for module in (engine.schema, engine.recs.data, engine.recs.catalog_index):
        monkeypatch.setattr(module, "split_list", counting)
    for method in ("ranker", "two_tower", "content"):
        rec._profiles = ProfileCache()
        seen.clear()
        out = rec.recommend(library, k=20, method=method)
        assert len(out) == 20
        assert len(seen) == 2 * len(library), (method, len(seen))  # genres and moods, once per row
        seen.clear()
        assert len(rec.recommend(library, k=10, method=method, energy=(0.2, 0.8))) == 10
        assert seen == [], (method, len(seen))
