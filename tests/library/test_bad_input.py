"""Garbage fields get a prediction with lower confidence, never a crash."""

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES

GARBAGE = pd.DataFrame({
    "title": ["", "Song", "Song", "夜に駆ける", "🔥🔥🔥", None, "x" * 5000, "Song"],
    "artists": ["Someone", "Someone", "Someone", "YOASOBI", "🎸", "Someone", "Someone", None],
    "duration_ms": [0, 36_000_000, float("nan"), -5, "abc", None, 1e30, 200000],
    "release_date": ["3000", "0000-00-00", "", "2020-13-45", "yesterday", None, "1850", "nan"],
    "explicit": ["maybe", None, "1", "", "TRUE", "0", "x", None],
    "track_number": [-1, 1e9, None, "two", 3, None, 0, 1],
    "genres": [None, ";;;", "🤖", "j-pop", "", "nan", "pop;" * 200, ""],
})


def test_garbage_rows_predict_finite_values(enricher):
    out = enricher.enrich(GARBAGE.copy())
    assert len(out) == len(GARBAGE)
    values = out[FEATURES].to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert ((values[:, :7] >= 0) & (values[:, :7] <= 1)).all()
    assert (out["source"] == "predicted").all()


@pytest.mark.parametrize("artists, genres, moods", [
    ("Coldplay", "permanent wave;pop", "chill"), ("Someone Unknown", "indie pop", "chill"), ("Someone Unknown", "", ""),
])
def test_garbage_metadata_lowers_confidence(enricher, artists, genres, moods):
    clean = pd.DataFrame({"title": ["Some New Song"], "artists": [artists], "duration_ms": [200000],
                          "release_date": ["2015-05-01"], "explicit": ["false"], "track_number": [3],
                          "album_total_tracks": [12], "genres": [genres], "moods": [moods]})
    zero_and_future = clean.assign(duration_ms=[0], release_date=["3000"], explicit=["maybe"], track_number=[-4],
                                   album_total_tracks=[0])
    ten_hours_nan = clean.assign(duration_ms=[36_000_000], release_date=[float("nan")], explicit=[None])
    c_clean = enricher.enrich(clean)["confidence"][0]
    assert enricher.enrich(zero_and_future)["confidence"][0] < c_clean
    assert enricher.enrich(ten_hours_nan)["confidence"][0] < c_clean


def test_an_empty_library_enriches_to_an_empty_table_with_every_output_column(enricher):
    out = enricher.enrich(pd.DataFrame(columns=["title", "artists"]))
    assert len(out) == 0 and {"energy", "confidence", "source"} <= set(out.columns)
