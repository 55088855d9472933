"""Every Exportify header variant in the shared samples reads into the normalized schema."""

import numpy as np
import pytest

from engine.config import FEATURES
from engine.library.importers.exportify import playlist_name, read_exportify


def test_every_sample_reads_with_titles_artists_and_ids(samples):
    files = sorted((samples / "exportify").glob("*.csv"))
    assert len(files) >= 9
    for path in files:
        frame = read_exportify(path)
        assert len(frame) > 0, path.name
        assert (frame["title"] != "").all() and (frame["artists"] != "").all(), path.name
        assert frame["track_id"].str.fullmatch(r"[0-9A-Za-z]{22}").all(), path.name
        assert (frame["playlists"] == playlist_name(path)).all()


def test_feature_columns_are_kept_as_export(samples):
    frame = read_exportify(samples / "exportify" / "kyleduong__2024-12__top_tracks_of_2024_global.csv")
    assert (frame["source"] == "export").all()
    assert frame["energy"].between(0, 1).all() and frame["tempo"].between(40, 250).all()
    espresso = frame[frame["title"] == "Espresso"].iloc[0]
    assert espresso["energy"] == pytest.approx(0.776) and espresso["genres"] == "pop"


def test_multi_artist_and_genre_lists_become_semicolon_lists(samples):
    covers = read_exportify(samples / "exportify" / "deadda7a__2023-01__covers.csv")
    assert "2 Shadows;Righteous Vendetta" in covers["artists"].tolist()
    fagen = read_exportify(samples / "exportify" / "seankmchenry__2023-01__donald_fagen.csv")
    assert fagen["genres"][0].split(";")[:2] == ["folk rock", "mellow gold"]
    old = read_exportify(samples / "exportify" / "deadda7a__2020-11__irish_like.csv")
    assert np.isnan(old[FEATURES].to_numpy(dtype=float)).all() and (old["source"] == "").all()
