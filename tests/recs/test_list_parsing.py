"""One recommendation request parses the library's list columns once: each row's genres and moods
are split a single time, however many steps (user tower, owned check, explanations) read them."""

import pandas as pd

import engine.recs.data
import engine.recs.recommend
import engine.schema
from engine.recs.recommend import Recommender
from engine.schema import normalize_frame

SAMPLE = "martinkvu__2026-03__Your_Top_Songs_2024.csv"


def test_a_request_splits_each_list_cell_once(enricher, samples, monkeypatch):
    raw = pd.read_csv(samples / "exportify" / SAMPLE, dtype=str, encoding="utf-8-sig")
    library = enricher.enrich(raw)
    rec = Recommender.load()
    seen: list[str] = []
    original = engine.schema.split_list

    def counting(value):
        seen.append(value)
        return original(value)

    for module in (engine.schema, engine.recs.data, engine.recs.recommend):
        monkeypatch.setattr(module, "split_list", counting)
    for method in ("two_tower", "content"):
        seen.clear()
        out = rec.recommend(library, k=20, method=method)
        assert len(out) == 20
        assert len(seen) == 2 * len(library), (method, len(seen))  # genres and moods, once per row
    assert sum(";" in g for g in normalize_frame(library)["genres"]) > 10  # the sample has lists to split
