"""Column names seen in the wild -> schema names: Exportify in its 12 languages, older Exportify, plain CSVs.

Keys are canonical: accents folded, lower case, whitespace collapsed (see `canonical`).
"""

from __future__ import annotations

import re
import unicodedata

from engine.config import FEATURES
from engine.library.importers.exportify_headers import HEADERS_BY_LANGUAGE

# Plain CSVs and Exportify's English headers of 2020-2026 (before it had translations). Exportify's
# translated headers come from its own translation files (exportify_headers.py), never guessed here.
FIELDS = {
    "track_id": ["track uri", "track id", "spotify id", "spotify uri", "uri", "id", "track_id", "spotify_id"],
    "title": ["track name", "title", "track", "name", "song", "song name", "track_name", "song title", "songtitle"],
    "artists": ["artist name(s)", "artist name", "artist names", "artist", "artists", "artist(s)", "artist_name",
                "track_artist"],
    "album": ["album name", "album", "album_name"],
    "release_date": ["album release date", "release date", "release_date", "year"],
    "duration_ms": ["track duration (ms)", "duration (ms)", "duration_ms"],
    "explicit": ["explicit"],
    "track_number": ["track number", "track_number"],
    "genres": ["genres", "artist genres", "genre"],
    "added_at": ["added at"],
    "artist_uris": ["artist uri(s)", "artist uri", "artist ids"],
}
FEATURE_FIELDS = {feature: [feature] for feature in FEATURES}
_HAND = {alias: target for target, names in {**FIELDS, **FEATURE_FIELDS}.items() for alias in names}
# Exportify's own headers win: a column it writes but Tunescope does not read (None) stays unread,
# so an album artist can never be taken for the track's artist.
ALIASES = {**_HAND, **{name: column for headers in HEADERS_BY_LANGUAGE.values() for name, column in headers.items()}}


def canonical(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text.strip().strip('"').strip()).lower()


def map_headers(columns) -> dict:
    """{original column: schema name} for every column recognised; the first match of a name wins."""
    found: dict = {}
    taken: set[str] = set()
    for col in columns:
        target = ALIASES.get(canonical(col))
        if target and target not in taken:
            found[col] = target
            taken.add(target)
    return found
