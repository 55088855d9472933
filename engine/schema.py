"""The one normalized track schema, and coercion of any table into it.

Columns: track_id, title, artists (';'), album, release_date, duration_ms, explicit,
track_number, album_total_tracks, genres (';'), moods (';'), playlists (';').
Only title and artists are required; everything else may be missing or garbage.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.errors import MissingColumnsError

SCHEMA = [
    "track_id", "title", "artists", "album", "release_date", "duration_ms", "explicit",
    "track_number", "album_total_tracks", "genres", "moods", "playlists",
]
TEXT_COLUMNS = ["track_id", "title", "artists", "album", "release_date", "genres", "moods", "playlists"]
NUMERIC_COLUMNS = ["duration_ms", "track_number", "album_total_tracks"]

# What enrichment adds to a library: the 8 features, their confidences, 90% intervals and source.
CONFIDENCE_COLUMNS = [f"{f}_confidence" for f in FEATURES]
INTERVAL_COLUMNS = [c for f in FEATURES for c in (f"{f}_low", f"{f}_high")]
OUTPUT_COLUMNS = FEATURES + CONFIDENCE_COLUMNS + ["confidence", "source"]

# Lenient aliases so a hand-made CSV ("name", "artist") still works.
_ALIASES = {
    "title": ["title", "track_name", "track name", "name", "song", "track"],
    "artists": ["artists", "artist", "artist_name", "artist name", "artist name(s)", "track_artist", "artist(s)"],
    "track_id": ["track_id", "id", "spotify_id", "track id", "spotify id", "track uri", "uri"],
    "album": ["album", "album_name", "album name"],
    "release_date": ["release_date", "release date", "album release date", "year", "release_year"],
    "duration_ms": ["duration_ms", "duration (ms)", "track duration (ms)"],
}

_SPOTIFY_ID = re.compile(r"([0-9A-Za-z]{22})$")
_ID_ONLY = re.compile(r"[0-9A-Za-z]{22}")


def is_spotify_id(value) -> bool:
    """A bare Spotify id (22 base-62 characters): the one test for "this key or value is a Spotify id"
    (store keys are such an id or 'k:' + a hash of the name key)."""
    return isinstance(value, str) and _ID_ONLY.fullmatch(value) is not None
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2,4})$")


def _canon(name: str) -> str:
    return re.sub(r"\s+", " ", str(name).replace("\ufeff", "")).strip().lower()


def normalize_frame(df: pd.DataFrame, where: str = "input") -> pd.DataFrame:
    """Return a copy with exactly the schema columns (extra columns kept after them).

    Raises MissingColumnsError naming the columns found when title or artists is absent.
    """
    by_canon = {_canon(c): c for c in df.columns}
    renames = {}
    for target, aliases in _ALIASES.items():
        for alias in aliases:
            if alias in by_canon and by_canon[alias] not in renames:
                renames[by_canon[alias]] = target
                break
    out = df.rename(columns=renames)
    out = out.loc[:, ~out.columns.duplicated()]
    missing = [c for c in ("title", "artists") if c not in out.columns]
    if missing:
        found = ", ".join(repr(str(c)[:60]) for c in df.columns[:12]) or "(none)"
        raise MissingColumnsError(
            f"{where}: needs columns 'title' and 'artists' but has no {' or '.join(missing)}. "
            f"Columns found: {found}. Rename the track-name column to 'title' and the artist column to 'artists'."
        )
    out = out.copy()
    for col in TEXT_COLUMNS:
        out[col] = clean_text(out[col]) if col in out.columns else ""
    out["track_id"] = out["track_id"].map(_bare_id)
    out["release_date"] = out["release_date"].map(_iso_date)
    for col in NUMERIC_COLUMNS:  # "Infinity" or 1e400 in a cell is no length or position: missing
        out[col] = _finite(pd.to_numeric(out[col], errors="coerce")) if col in out.columns else np.nan
    out["explicit"] = _to_bool_float(out["explicit"]) if "explicit" in out.columns else np.nan
    extra = [c for c in out.columns if c not in SCHEMA]
    return out[SCHEMA + extra].reset_index(drop=True)


def clean_text(col: pd.Series) -> pd.Series:
    """A text column as the schema keeps it: whitespace runs collapsed, stripped, missing as ''."""
    text = col.astype("string").fillna("").astype(str)
    return text.str.replace(r"\s+", " ", regex=True).str.strip().replace({"nan": "", "None": "", "<NA>": ""})


def _finite(col: pd.Series) -> pd.Series:
    col = col.astype(float)
    return col.where(np.isfinite(col))


def _bare_id(value: str) -> str:
    """'spotify:track:ID' or an open.spotify.com URL or a bare id -> the bare 22-char id."""
    value = str(value).split("?")[0].strip()
    match = _SPOTIFY_ID.search(value)
    return match.group(1) if match else value


def _iso_date(value: str) -> str:
    """Keep ISO dates and bare years; turn US 'm/d/yyyy' into ISO; anything else stays as given."""
    value = str(value).strip()
    match = _US_DATE.match(value)
    if match:
        month, day, year = (int(g) for g in match.groups())
        year += 2000 if year < 30 else (1900 if year < 100 else 0)
        return f"{year:04d}-{month:02d}-{day:02d}"
    if re.fullmatch(r"\d{4}\.0", value):  # a year read as float
        return value[:4]
    return value


def _to_bool_float(col: pd.Series) -> pd.Series:
    mapping = {"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0, "yes": 1.0, "no": 0.0, "1.0": 1.0, "0.0": 0.0}
    return col.astype("string").str.strip().str.lower().map(mapping).astype(float)


def placeholder_values(values: pd.DataFrame) -> pd.DataFrame:
    """Where Spotify's "no analysis" placeholders sit among feature values (same shape, True = not a value):
    a tempo of exactly 0, and every feature of a row whose energy, valence and danceability, or whose tempo,
    valence and danceability, are all exactly 0 (a real song is never either: issue 29 found an export row of
    tempo 0, valence 0, danceability 0 beside a nonzero energy). The store's range check and the enricher both
    treat them as unknown."""
    out = pd.DataFrame(False, index=values.index, columns=values.columns)
    numbers = values.apply(pd.to_numeric, errors="coerce") == 0
    if "tempo" in values:
        out["tempo"] = numbers["tempo"]
    empty = pd.Series(False, index=values.index)
    for trio in (["energy", "valence", "danceability"], ["tempo", "valence", "danceability"]):
        if set(trio) <= set(values.columns):
            empty |= numbers[trio].all(axis=1)
    for column in out.columns:
        out[column] |= empty
    return out


def release_year(dates: pd.Series) -> pd.Series:
    """Year from 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' (NaN when absent or unparseable)."""
    years = pd.to_numeric(dates.astype(str).str.extract(r"^\s*(\d{4})", expand=False), errors="coerce")
    return years.astype(float)


def split_list(value: str) -> list[str]:
    """';'-separated field -> list of stripped non-empty items."""
    if not isinstance(value, str) or not value:
        return []
    return [item.strip() for item in value.split(";") if item.strip()]
