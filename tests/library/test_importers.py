"""Format detection and the CSV importer over real samples and the variants users bring."""

import numpy as np
import pytest

from engine.config import FEATURES
from engine.errors import InputFileError, MissingColumnsError
from engine.library.importers import read_file

ESPRESSO = "kyleduong__2024-12__top_tracks_of_2024_global.csv"


def one(name, data):
    parsed, problems = read_file(name, data)
    assert problems == [] and len(parsed) == 1
    piece = parsed[0]
    return piece.playlists[0][1] if piece.playlists else piece.tracks


def test_every_exportify_sample_is_detected_as_a_playlist(samples):
    for path in sorted((samples / "exportify").glob("*.csv")):
        parsed, _ = read_file(path.name, path.read_bytes())
        piece = parsed[0]
        assert piece.kind == "exportify", path.name
        name, items = piece.playlists[0]
        assert name and len(items) > 0
        assert items["track_id"].str.fullmatch(r"[0-9A-Za-z]{22}").all(), path.name


def test_header_variants_read_the_same_tracks(samples):
    original = (samples / "exportify" / ESPRESSO).read_text(encoding="utf-8-sig")
    header, body = original.split("\n", 1)
    reference = one("top.csv", original.encode())
    variants = {
        "quoted": ",".join(f'"{h}"' for h in header.split(",")) + "\n" + body,
        "bom": "\ufeff" + original,
        "spotify id": header.replace("Track ID", "Spotify ID") + "\n" + body,
        "stray whitespace": ",".join(f" {h}\t " for h in header.split(",")) + "\n" + body,
        "crlf": original.replace("\n", "\r\n"),
    }
    for label, text in variants.items():
        frame = one(f"{label}.csv", text.encode("utf-8"))
        assert frame["title"].tolist() == reference["title"].tolist(), label
        assert frame["artists"].tolist() == reference["artists"].tolist(), label
        assert np.allclose(frame["energy"], reference["energy"]), label


def test_features_in_the_file_are_kept_with_source_export(samples):
    frame = one(ESPRESSO, (samples / "exportify" / ESPRESSO).read_bytes())
    assert (frame["source"] == "export").all()
    espresso = frame[frame["title"] == "Espresso"].iloc[0]
    assert espresso["energy"] == pytest.approx(0.776) and espresso["genres"] == "pop"


def test_old_exportify_without_features_leaves_them_missing(samples):
    frame = one("irish.csv", (samples / "exportify" / "deadda7a__2020-11__irish_like.csv").read_bytes())
    assert np.isnan(frame[FEATURES].to_numpy(dtype=float)).all() and (frame["source"] == "").all()


def test_artist_separators_and_a_name_with_a_comma():
    text = ('"Track URI","Track Name","Artist URI(s)","Artist Name(s)","Album Release Date"\n'
            '"spotify:track:1dnytEWSh6IR3NaamkWmDi","A","spotify:artist:5mdiygu3OgrNzMREgzdy4j, '
            'spotify:artist:0gxyHStUsqpMadRV0Di1Qt","2 Shadows, Righteous Vendetta","11/5/2019"\n'
            '"spotify:track:2dnytEWSh6IR3NaamkWmDi","B","spotify:artist:4V8LLVI7PbaPR0K2TGSxFF","Tyler, The Creator","2017-07-21"\n')
    frame = one("mixed.csv", text.encode())
    assert frame["artists"].tolist() == ["2 Shadows;Righteous Vendetta", "Tyler, The Creator"]
    assert frame["release_date"].tolist() == ["2019-11-05", "2017-07-21"]


def test_plain_artist_title_csv_with_semicolons():
    frame = one("mine.csv", "artist;title\nRadiohead;Karma Police\nDaft Punk;One More Time\n".encode())
    assert frame[["artists", "title"]].values.tolist() == [["Radiohead", "Karma Police"], ["Daft Punk", "One More Time"]]


@pytest.mark.parametrize("name,data,fragment", [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"   \n\n", "empty"),
    ("header.csv", b"Track Name,Artist Name(s)\n", "no tracks"),
    ("wrong.csv", b"colour,shape\nred,circle\n", "title column"),
    ("binary.csv", bytes(range(256)) * 4, "binary"),
    ("cut.json", b'{"playlists": [{"name": "x", "items": [', "cut off"),
    ("other.json", b'{"hello": 1}', "not a Spotify export"),
    ("broken.zip", b"PK\x03\x04garbage", "ZIP"),
])
def test_bad_files_get_one_clear_message_naming_the_file(name, data, fragment):
    with pytest.raises((InputFileError, MissingColumnsError)) as info:
        read_file(name, data)
    message = str(info.value)
    assert message.startswith(name) and fragment in message and "\n" not in message


def test_a_200_megabyte_file_is_refused_before_parsing():
    with pytest.raises(InputFileError, match="MB"):
        read_file("huge.csv", b"a" * (200 * 1024 * 1024))


def test_a_file_that_separates_artists_with_semicolons_keeps_commas_inside_names(samples, memory_store):
    """Issue 29 (2): "Tyler, The Creator" (139 liked songs here) became "Tyler;The Creator", and the
    recommendations said "21 of your tracks are by Tyler"."""
    from engine.library.imports import import_files

    path = samples / "listeners" / "jacobwolfe49__spotify-concert-tracker" / "Liked_Songs.csv"
    report = import_files(memory_store, [path])
    artists = memory_store.library_tracks(report.library_id)["artists"].str.split(";").explode()
    counts = artists.value_counts()
    assert counts.get("Tyler, The Creator", 0) >= 100 and "Tyler" not in counts and "The Creator" not in counts
    assert {"Earth, Wind & Fire", "quickly, quickly", "Hank Williams, Jr."} <= set(counts.index)


def test_a_comma_separated_file_keeps_names_known_to_hold_a_comma(samples):
    """Older files separate with ', ': a name the catalog (or a well-known list, or the same file alone on a
    row) knows to hold a comma stays one artist beside the others."""
    import pandas as pd

    from engine.library.importers.artist_lists import split_artist_lists

    rows = pd.read_csv(samples / "exportify" / "kyleduong__2024-12__top_tracks_of_2024_global.csv", dtype=str,
                       keep_default_na=False, encoding="utf-8-sig")
    split = split_artist_lists(rows["Artist Name(s)"])
    assert "Tyler, The Creator;Kali Uchis" in set(split)
    cells = pd.Series(["Black Country, New Road", "Black Country, New Road, Someone", "Jane Doe, John Roe",
                       "Earth\\, Wind & Fire, The Emotions"])
    uris = pd.Series(["4" * 22, "4" * 22 + "," + "5" * 22, "6" * 22 + "," + "7" * 22, ""])
    assert split_artist_lists(cells, uris).tolist() == ["Black Country, New Road", "Black Country, New Road;Someone",
                                                        "Jane Doe;John Roe", "Earth, Wind & Fire;The Emotions"]
