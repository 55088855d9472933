"""Top genres and genre families over a real library (the shipped demo, whose genres are its artists')."""

import pandas as pd
import pytest

from engine.catalog import artifact
from engine.explore.genres import genre_family, genre_table, in_genre


@pytest.fixture(scope="module")
def demo():
    frame = artifact.demo()
    # A real mix of sources: the demo's catalog-known playlists are real, its discoveries predicted.
    return frame.assign(source=frame["playlist"].map(lambda p: "predicted" if p == "Genius discoveries" else "catalog"))


@pytest.mark.parametrize("genre, family", [
    ("pop punk", "punk"), ("folk rock", "folk"), ("dance pop", "pop"), ("trip hop", "electronic"),
    ("electro swing", "electronic"), ("k-pop", "pop"), ("pop rap", "hip hop"), ("neo soul", "r&b and soul"),
    ("tropical house", "electronic"), ("latin pop", "latin"), ("hard bop", "jazz"), ("album rock", "rock"),
    ("escape room", "other"),
])
def test_a_genre_belongs_to_the_family_of_its_most_specific_word(genre, family):
    assert genre_family(genre) == family


@pytest.mark.parametrize("level", ["genre", "family"])
def test_counts_agree_with_the_tracks_each_name_selects(demo, level):
    table = genre_table(demo, level)
    assert len(table) > 5 and table["tracks"].is_monotonic_decreasing
    assert (table["real"] + table["predicted"] == table["tracks"]).all()
    for row in table.head(8).itertuples():
        members = demo[in_genre(demo, level, row.name)]
        assert len(members) == row.tracks, row.name
        assert int((members["source"] != "predicted").sum()) == row.real, row.name
    with_genres = int((demo["genres"] != "").sum())
    assert table["tracks"].max() <= with_genres <= table["tracks"].sum()


def test_families_gather_genres(demo):
    genres, families = genre_table(demo, "genre"), genre_table(demo, "family")
    assert len(families) < len(genres)
    assert families["real_share"].min() < families["real_share"].max() <= 1  # some families only discoveries
    rock = families.set_index("name").loc["rock", "tracks"]
    assert rock >= genres[genres["name"].str.contains("rock")]["tracks"].max()


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError, match="level"):
        genre_table(pd.DataFrame({"genres": [], "source": []}), "mood")
