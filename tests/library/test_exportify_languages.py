"""Exportify in each of its 12 header languages reads the same tracks as the English file, and
artist names with an escaped comma ('Earth\\, Wind & Fire') stay one artist."""

import csv
import io
import json

import numpy as np
import pytest

from engine.config import FEATURES, data_dir
from engine.library.importers import read_file
from engine.library.importers.make_exportify_headers import build_table, render

LOCALES = data_dir() / "exportify_locales"
LANGUAGES = sorted(p.stem for p in LOCALES.glob("*.json"))
ESPRESSO = "kyleduong__2024-12__top_tracks_of_2024_global.csv"
# The columns Exportify writes today, in its order (src/components/data/TracksBaseData.ts and the
# audio-feature and genre columns it adds).
KEYS = ["track_uri", "track_name", "artist_uris", "artist_names", "album_uri", "album_name",
        "album_artist_uris", "album_artist_names", "album_release_date", "disc_number", "track_number",
        "track_duration", "explicit", "popularity", "added_by", "added_at", "artist.artist_genres",
        *[f"audio_features.{f}" for f in FEATURES], "audio_features.key", "audio_features.mode"]
# Real-shaped rows as Exportify writes them: every comma inside a name escaped, names joined with ', '.
ESCAPED = [
    ("2grjqo0Frpf2okIBiifQKs", "September", "4QQgXkCYTt3BlENzhyNETg", "Earth\\, Wind & Fire",
     "Earth, Wind & Fire"),
    ("0Ypn9O0LiTq3aLmGIHTlDk", "Teach Your Children", "1CYsUq8bF8ceWqaSbgTQ5X",
     "Crosby\\, Stills\\, Nash & Young", "Crosby, Stills, Nash & Young"),
    ("3cYh9aaCCAXp4r5cOw1nnP", "Lucky Man", "0nCiidE5GgDrc5kWN3NZgZ", "Emerson\\, Lake & Palmer",
     "Emerson, Lake & Palmer"),
    ("5wq5mB6yRZkSYHUNfWAEgv", "Ai no Uta", "1mNNNeR0WGuQKZOn3R7NOg",
     "KITAKORE(cv. Daisuke Ono\\,Daisuke Kishio)", "KITAKORE(cv. Daisuke Ono,Daisuke Kishio)"),
    ("7pKfPomDEeI4TPT6EOYjn9", "Boogie Wonderland", "4QQgXkCYTt3BlENzhyNETg, 6mYp0mM4nHyl3fQk5pBHvz",
     "Earth\\, Wind & Fire, The Emotions", "Earth, Wind & Fire;The Emotions"),
]


def _header(language: str) -> list[str]:
    strings = json.loads((LOCALES / f"{language}.json").read_text(encoding="utf-8"))["track"]

    def lookup(key):
        value = strings
        for part in key.split("."):
            value = value[part]
        return value
    return [lookup(key) for key in KEYS]


def _exportify_rows(samples) -> list[list[str]]:
    """The real sample's tracks, then the escaped rows, as Exportify writes them."""
    parsed, _ = read_file(ESPRESSO, (samples / "exportify" / ESPRESSO).read_bytes())
    frame = parsed[0].playlists[0][1]
    rows = []
    for track in frame.itertuples():
        names = ", ".join(a.replace(",", "\\,") for a in track.artists.split(";"))
        rows.append([f"spotify:track:{track.track_id}", track.title, "", names, "", track.album, "", names,
                     track.release_date, "1", "", str(int(track.duration_ms)), "false", "80", "", "", track.genres,
                     *[repr(getattr(track, f)) for f in FEATURES], "5", "1"])
    for track_id, title, artist_ids, names, _ in ESCAPED:
        uris = ", ".join(f"spotify:artist:{a}" for a in artist_ids.split(", "))
        rows.append([f"spotify:track:{track_id}", title, uris, names, "", "Album", "", names, "1978", "1", "1",
                     "215000", "false", "70", "", "2024-01-01T00:00:00Z", "funk", *["0.5"] * 7, "120.0", "5", "1"])
    return rows


def _file(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def _read(name: str, data: bytes):
    parsed, problems = read_file(name, data)
    assert problems == [] and parsed[0].kind == "exportify", name
    return parsed[0].playlists[0][1]


def test_twelve_languages_are_shipped():
    assert LOCALES.is_dir() and len(LANGUAGES) == 12 and "de" in LANGUAGES and "ja" in LANGUAGES


def test_the_shipped_header_table_is_the_one_the_translation_files_give():
    from engine.library.importers import make_exportify_headers
    assert make_exportify_headers.OUTPUT.read_text(encoding="utf-8") == render(build_table(LOCALES))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_reads_the_same_tracks_as_english(language, samples):
    rows = _exportify_rows(samples)
    english = _read("en.csv", _file(_header("en"), rows))
    translated = _read(f"{language}.csv", _file(_header(language), rows))
    assert len(english) == len(rows) == len(translated)
    for column in ("track_id", "title", "artists", "album", "release_date", "genres"):
        assert translated[column].tolist() == english[column].tolist(), (language, column)
    for column in ("duration_ms", "explicit", *FEATURES):
        assert np.allclose(translated[column], english[column], equal_nan=True), (language, column)
    assert english["energy"].notna().all() and (english["source"] == "export").all()


def test_german_header_from_the_issue_is_read(samples):
    """The file the issue was filed about: German headers were refused for want of a title column."""
    frame = _read("de.csv", _file(_header("de"), _exportify_rows(samples)))
    assert _header("de")[:4] == ["Track-URI", "Track-Name", "Künstler-URI(s)", "Künstlername(n)"]
    assert frame["title"].iloc[0] and frame["release_date"].str.match(r"\d{4}").all()


def test_escaped_commas_keep_one_artist_and_unescape(samples):
    frame = _read("en.csv", _file(_header("en"), _exportify_rows(samples)))
    by_title = dict(zip(frame["title"], frame["artists"]))
    for _, title, _, _, expected in ESCAPED:
        assert by_title[title] == expected, title
    assert "Earth" not in frame["artists"].str.split(";").explode().tolist()


def test_escaped_commas_without_an_artist_uri_column():
    text = ('Track Name,Artist Name(s)\n"September","Earth\\, Wind & Fire"\n'
            '"Suite: Judy Blue Eyes","Crosby\\, Stills & Nash, Stephen Stills"\n"Karma Police","Radiohead"\n')
    parsed, _ = read_file("plain.csv", text.encode())
    assert parsed[0].tracks["artists"].tolist() == [
        "Earth, Wind & Fire", "Crosby, Stills & Nash;Stephen Stills", "Radiohead"]


def test_an_album_artist_column_is_never_taken_for_the_artist():
    """Exportify's album-artist column comes after the artist column in every language; it is not read."""
    text = ('"Track Name","Album Artist Name(s)","Artist Name(s)"\n"Song","Various Artists","Real Artist"\n')
    parsed, _ = read_file("album.csv", text.encode())
    assert parsed[0].tracks["artists"].tolist() == ["Real Artist"]
