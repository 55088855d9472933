import pandas as pd
import pytest

from engine.catalog.matching import Catalog
from engine.schema import normalize_frame
from engine.textnorm import artist_key, title_key


@pytest.mark.parametrize("title, expected", [
    ("Paint It Black - Remastered 2011", "paint it black"),
    ("Let It Be - 2009 Remaster", "let it be"),
    ("Wonderwall (Remastered)", "wonderwall"),
    ("Sunflower (feat. Swae Lee)", "sunflower"),
    ("Señorita - Radio Edit", "senorita edit"),  # an edit is a different cut: a version
    ("Hocus Pocus - Extended Version", "hocus pocus extended"),
    ("I Believe in Father Christmas - Without Orchestra", "i believe in father christmas without orchestra"),
    ("Nights in White Satin - With the London Festival Orchestra", "nights in white satin with orchestra"),
    ("Love Me Do (with Paul McCartney)", "love me do"),  # a credit, not a version
    ("Layla (Live at the Royal Albert Hall)", "layla live"),
    ("Strobe (Extended Mix) [Remastered 2012]", "strobe extended"),
    ("Yesterday - Mono", "yesterday"),
    ("(Don't Fear) The Reaper", "don t fear the reaper"),
    ("Hotel California - Live", "hotel california live"),
    ("Layla - Live at the Royal Albert Hall", "layla live"),
    ("Blinding Lights - Remix", "blinding lights remix"),
    ("Don't Stop Me Now!", "don t stop me now"),
])
def test_title_keys_drop_same_recording_suffixes_but_keep_versions(title, expected):
    assert title_key(title) == expected


def test_artist_keys_fold_accents_the_and_credits():
    assert artist_key("The Beatles") == artist_key("beatles")
    assert artist_key("Beyoncé") == artist_key("Beyonce")
    assert artist_key("Simon & Garfunkel") == artist_key("Simon and Garfunkel")
    assert artist_key("Calvin Harris feat. Rihanna") == artist_key("Calvin Harris")


@pytest.fixture(scope="module")
def catalog():
    return Catalog.load()


def test_catalog_is_deduplicated_union_of_real_feature_tables(catalog):
    tracks = catalog.tracks
    assert len(tracks) > 40000
    assert tracks["key"].is_unique
    assert tracks["energy"].between(0, 1).all()  # 0-100 tables were rescaled
    assert set(tracks["dataset"]) >= {"tidytuesday", "kattapriyatham", "top_2000s"}


def test_match_by_id_then_by_normalized_name(catalog):
    real = catalog.tracks[catalog.tracks["dataset"] == "tidytuesday"].iloc[0]
    library = normalize_frame(pd.DataFrame({
        "track_id": [real["track_id"], "", "", ""],
        "title": ["whatever", real["title"].upper() + " - Remastered 2011", real["title"] + " - Live", "No Such Song xyz"],
        "artists": ["nobody", real["artists"], real["artists"], "Nobody At All"],
    }))
    rows, how = catalog.match(library)
    assert rows[0] == rows[1] and rows[0] >= 0
    assert list(how[:2]) == ["id", "name"]
    assert rows[2] == -1 or catalog.tracks.loc[rows[2], "key"].endswith("live")
    assert rows[3] == -1
    features = catalog.features(rows)
    assert features[0, 0] == pytest.approx(real["energy"])
