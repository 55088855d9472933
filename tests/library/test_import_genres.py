"""Genres for every imported track whose artist the catalog knows, whatever the file carried: a German-header
Exportify playlist without a genre column and an extended streaming history (real samples) both get them,
and a file's own genres are kept as they are."""

from __future__ import annotations

import csv
import io
import json

import pytest

from engine.catalog.items import artist_genres
from engine.config import data_dir
from engine.explore.genres import genre_table
from engine.library.imports import import_files
from engine.library.store import Store
from engine.predictor.enrich import Enricher

PLAYLIST = "deadda7a__2021-12__casual.csv"  # a real playlist exported without Exportify's genre column
HISTORY = "extended_streaming_history/Efrrowini/Streaming_History_Audio_2022.json"
WITH_GENRES = "kyleduong__2024-12__top_tracks_of_2024_global.csv"


def _track_strings(language: str) -> dict[str, str]:
    def flat(section, prefix=""):
        out = {}
        for key, value in section.items():
            out.update(flat(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key: value})
        return out
    return flat(json.loads((data_dir() / "exportify_locales" / f"{language}.json").read_text("utf-8"))["track"])


def german_playlist(samples) -> bytes:
    """The real playlist as Exportify writes it for a German listener: the same rows, German headers."""
    english, german = _track_strings("en"), _track_strings("de")
    to_german = {english[key]: german[key] for key in english}
    rows = list(csv.reader(io.StringIO((samples / "exportify" / PLAYLIST).read_text("utf-8-sig"))))
    assert all(h in to_german for h in rows[0]) and "Artist Genres" not in rows[0]
    rows[0] = [to_german[h] for h in rows[0]]
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("genres") / "tunescope.db")
    yield store, Enricher(store=store, library_intervals=False)  # one model load; intervals are not the point here
    store.close()


def _import(store_and_enricher, files):
    store, enricher = store_and_enricher
    report = import_files(store, files)
    assert report.ok, report.problems
    return enricher.enrich(store.library_tracks(report.library_id))


@pytest.mark.parametrize("which", ["german playlist", "streaming history"])
def test_every_track_whose_artist_the_catalog_knows_gets_its_genres(which, store, samples):
    files = ([("Wiedergabeliste.csv", german_playlist(samples))] if which == "german playlist"
             else [samples / HISTORY])
    frame = _import(store, files)
    catalog = artist_genres(frame["artists"])
    known = [bool(g) for g in catalog]
    assert sum(known) >= len(frame) // 2  # most of these artists are in the catalog's artist table
    assert (frame["genres"].fillna("") != "").tolist() == known
    assert frame.loc[known, "genres"].tolist() == [g for g in catalog if g]
    predicted = frame["source"] == "predicted"
    assert (frame.loc[predicted, "genres"] != "").any()  # not only the catalog-matched tracks
    assert not genre_table(frame, "genre").empty and not genre_table(frame, "family").empty


def test_a_files_own_genres_are_kept(store, samples):
    from engine.library.importers import read_file

    path = samples / "exportify" / WITH_GENRES
    parsed, _ = read_file(path.name, path.read_bytes())
    own = parsed[0].playlists[0][1].set_index("title")["genres"]
    frame = _import(store, [path]).set_index("title")
    have = own[own != ""]
    assert len(have) > 0 and (frame.loc[have.index, "genres"] == have).all()
