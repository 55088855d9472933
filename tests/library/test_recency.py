"""What "lately" means to the recommender, checked by hand against real files: each play and save
halves every 30 days before the library's newest record, and nothing without a date pretends to have one."""

import json

import numpy as np
import pandas as pd
import pytest

from engine.library.imports import import_files, library_csv_frame
from engine.library.recency import HALF_LIFE_DAYS, with_recency
from engine.library.store import Store


def _import(paths):
    store = Store(":memory:")
    report = import_files(store, [(p.name, p.read_bytes()) for p in paths], name="sample")
    return store, report.library_id


def test_a_streaming_history_by_hand(samples):
    path = samples / "listeners" / "Siegeled__Final-Project" / "StreamingHistory0.json"
    store, library_id = _import([path])
    frame = with_recency(store, library_id, library_csv_frame(store, library_id))
    plays = pd.DataFrame(json.loads(path.read_text()))
    plays["at"] = pd.to_datetime(plays["endTime"], utc=True)
    newest = plays["at"].max()
    top = plays.groupby(["artistName", "trackName"]).size().sort_values().index[-1]
    own = plays[(plays["artistName"] == top[0]) & (plays["trackName"] == top[1])].drop_duplicates("at")
    age = (newest - own["at"]).dt.total_seconds() / 86400
    row = frame[(frame["artists"] == top[0]) & (frame["title"] == top[1])]
    assert len(row) == 1
    assert row["days_since_active"].iloc[0] == pytest.approx(age.min())
    assert row["recent"].iloc[0] == pytest.approx((0.5 ** (age / HALF_LIFE_DAYS)).sum())
    assert frame["days_since_active"].min() == 0 and frame["days_since_active"].notna().all()
    assert frame["recent"].max() > frame["recent"].median() > 0


def test_exportify_saves_by_hand(samples):
    path = samples / "listeners" / "LiamWhitenack__exportify-analysis" / "Liked_Songs.csv"
    raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    store, library_id = _import([path])
    frame = with_recency(store, library_id, library_csv_frame(store, library_id))
    added = pd.to_datetime(raw["Added At"], utc=True)
    assert len(frame) == len(raw)
    newest = frame["days_since_active"].idxmin()
    assert frame.loc[newest, "recent"] == pytest.approx(1.0)  # saved at the newest record: weight 1
    by_id = frame.set_index("track_id")
    for i in (0, len(raw) // 2, len(raw) - 1):
        tid = raw["Track URI"].iloc[i].split(":")[-1]
        age = (added.max() - added.iloc[i]).total_seconds() / 86400
        assert by_id.loc[tid, "days_since_active"] == pytest.approx(age)
        assert by_id.loc[tid, "recent"] == pytest.approx(0.5 ** (age / HALF_LIFE_DAYS))


def test_undated_rows_get_no_date(samples):
    """A plain table has no dates: no track is "recent" and none is "old" (nan, not a number of days)."""
    path = next((samples / "exportify").glob("*.csv"))
    text = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    plain = text[[c for c in text.columns if c.lower() in ("track name", "artist name(s)", "album name")]]
    store = Store(":memory:")
    report = import_files(store, [("plain.csv", plain.to_csv(index=False).encode())], name="plain")
    frame = with_recency(store, report.library_id, library_csv_frame(store, report.library_id))
    assert len(frame) == len(plain) and frame["days_since_active"].isna().all() and (frame["recent"] == 0).all()
    from engine.recs.profile import recency_arrays

    assert recency_arrays(frame) is None
