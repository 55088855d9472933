"""Top genres, as Organize Your Music showed them: tracks per artist genre and per genre family, with
the share whose features are real (catalog, your export, Spotify) rather than predicted.

A genre family is the first family whose words a genre holds, in the order below: specific before
broad, so 'pop punk' is punk, 'folk rock' is folk, 'dance pop' is pop and 'trip hop' electronic. Genres
named by no family word ('escape room') are 'other'.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from engine.schema import split_list

LEVELS = ("genre", "family")
NO_FAMILY = "other"
_FAMILY_WORDS = [
    ("hip hop", r"hip hop|rap|trap|drill|grime"),
    ("metal", r"metal|metalcore|deathcore|grindcore|djent"),
    ("punk", r"punk|emo|hardcore|screamo"),
    ("r&b and soul", r"r&b|rnb|soul|funk|motown|disco|quiet storm|new jack swing|urban contemporary"),
    ("christian", r"christian|worship|ccm|gospel"),
    ("jazz", r"jazz|\w*bop|big band|swing"),
    ("easy listening", r"adult standards|easy listening|lounge|show tunes|broadway|hollywood|movie tunes"),
    ("blues", r"blues"),
    ("country", r"country|bluegrass|americana|honky tonk"),
    ("folk", r"folk|singer-songwriter|celtic|irish|sea shanties|stomp and holler|lilith"),
    ("classical", r"classical|orchestra|baroque|opera|romantic era|choral|soundtrack|score"),
    ("latin", r"latin|latino|reggaeton|salsa|bachata|cumbia|merengue|mexican|sertanejo|mpb|flamenco|tango|"
              r"bossa nova|samba|corrido|banda|tropical(?! house)|ranchera"),
    ("reggae", r"reggae|dancehall|ska|dub|roots"),
    ("electronic", r"edm|house|techno|trance|electro|electronica|dubstep|drum and bass|dnb|ambient|idm|"
                   r"downtempo|trip hop|big room|breakbeat|hardstyle|chillwave|synthwave|future bass|lo-fi|lofi"),
    ("pop", r"\w*pop|boy band|girl group|idol|schlager|eurovision|neo mellow|new romantic"),
    ("rock", r"rock|grunge|shoegaze|new wave|indie|alternative|psychedelic|garage|surf|mellow gold|permanent wave"),
]
_FAMILY_PATTERNS = [(family, re.compile(rf"(?<!\w)(?:{words})(?!\w)")) for family, words in _FAMILY_WORDS]
# 'electro swing' is electronic, not jazz: an electronic word wins over a jazz one within one genre.
_BEFORE_JAZZ = re.compile(r"(?<!\w)electro(?:nic|nica)?(?!\w)")


@lru_cache(maxsize=1 << 14)  # a few thousand distinct genre names, each matched against 16 patterns once
def genre_family(genre: str) -> str:
    text = str(genre).strip().lower()
    if _BEFORE_JAZZ.search(text):
        return "electronic"
    return next((family for family, pattern in _FAMILY_PATTERNS if pattern.search(text)), NO_FAMILY)


def _names(genres: str, level: str) -> list[str]:
    """A track's genres (its artists' genres) or their families, each once."""
    names = split_list(genres)
    if level == "family":
        names = [genre_family(g) for g in names]
    return list(dict.fromkeys(names))


def genre_table(frame: pd.DataFrame, level: str = "genre") -> pd.DataFrame:
    """One row per genre (or family), most tracks first: tracks, real, predicted, real_share.
    A track with three genres counts once in each; tracks with no known genre are left out."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    exploded = pd.DataFrame({"name": frame["genres"].map(lambda g: _names(g, level)),
                             "real": (frame["source"] != "predicted").to_numpy()}).explode("name").dropna()
    table = exploded.groupby("name")["real"].agg(tracks="size", real="sum").reset_index()
    table["real"] = table["real"].astype(int)
    table["predicted"] = table["tracks"] - table["real"]
    table["real_share"] = table["real"] / table["tracks"]
    return table.sort_values(["tracks", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)


def in_genre(frame: pd.DataFrame, level: str, name: str) -> pd.Series:
    """Which tracks have this genre (or a genre of this family)."""
    return frame["genres"].map(lambda g: name in _names(g, level)).astype(bool)
