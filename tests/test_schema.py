import numpy as np
import pandas as pd
import pytest

from engine.errors import MissingColumnsError
from engine.schema import SCHEMA, normalize_frame, release_year, split_list


def test_normalize_fills_every_schema_column_and_keeps_extras():
    frame = pd.DataFrame({"Title": ["Dreams"], "Artist": ["Fleetwood Mac"], "note": ["x"]})
    out = normalize_frame(frame)
    assert list(out.columns[: len(SCHEMA)]) == SCHEMA
    assert out.loc[0, "title"] == "Dreams" and out.loc[0, "artists"] == "Fleetwood Mac"
    assert out.loc[0, "note"] == "x"
    assert np.isnan(out.loc[0, "duration_ms"]) and out.loc[0, "genres"] == ""


def test_ids_dates_and_booleans_are_coerced():
    frame = pd.DataFrame({
        "title": ["a", "b", "c"], "artists": ["x", "y", "z"],
        "track_id": ["spotify:track:4uLU6hMCjMI75M1A2tKUQC", "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=1", ""],
        "release_date": ["1977", "2/4/1977", "1977-02-04"], "explicit": ["true", "0", "maybe"],
        "duration_ms": ["250000", "oops", None],
    })
    out = normalize_frame(frame)
    assert out["track_id"].tolist()[:2] == ["4uLU6hMCjMI75M1A2tKUQC"] * 2
    assert out["release_date"].tolist() == ["1977", "1977-02-04", "1977-02-04"]
    assert release_year(out["release_date"]).tolist() == [1977.0] * 3
    assert out["explicit"].tolist()[:2] == [1.0, 0.0] and np.isnan(out["explicit"][2])
    assert out["duration_ms"][0] == 250000 and np.isnan(out["duration_ms"][1])


def test_missing_title_or_artist_names_the_columns_found():
    frame = pd.DataFrame({"song_title_here": ["a"], "performer": ["b"]})
    with pytest.raises(MissingColumnsError) as err:
        normalize_frame(frame, where="lib.csv")
    message = str(err.value)
    assert "lib.csv" in message and "'song_title_here'" in message and "'performer'" in message
    assert "title" in message and "artists" in message


def test_split_list_ignores_blanks():
    assert split_list(" pop; ;indie pop ") == ["pop", "indie pop"]
    assert split_list("") == []
