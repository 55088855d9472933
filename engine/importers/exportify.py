"""Exportify playlist CSVs -> the normalized schema, keeping Spotify's feature columns when present.

Handles every header variant Exportify has written (2020 to 2026): quoted or not, a UTF-8 BOM,
"Track URI" / "Track ID" / "Spotify ID", "Artist Name" / "Artist Name(s)", with or without genres
and audio features. The playlist name is the file name (Exportify names files after the playlist).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.errors import InputFileError
from engine.schema import normalize_frame

COLUMNS = {
    "track uri": "track_id", "track id": "track_id", "spotify id": "track_id",
    "track name": "title", "artist name": "artists", "artist name(s)": "artists",
    "album name": "album", "album release date": "release_date", "release date": "release_date",
    "track duration (ms)": "duration_ms", "duration (ms)": "duration_ms", "explicit": "explicit",
    "track number": "track_number", "artist genres": "genres", "genres": "genres",
}
FEATURE_COLUMNS = {f: f for f in FEATURES}


def playlist_name(path: Path) -> str:
    """'irish_like.csv' -> 'irish like'; the shared samples' 'owner__date__' prefix is dropped."""
    stem = Path(path).stem.split("__")[-1]
    return re.sub(r"[_\s]+", " ", stem).strip()


def read_exportify(path: Path) -> pd.DataFrame:
    """Normalized frame; features (if the file has them) in the 8 feature columns, else NaN."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputFileError(f"{path.name}: not a readable CSV ({exc}).") from exc
    canon = {c: re.sub(r"\s+", " ", c.replace("\ufeff", "")).strip().lower() for c in raw.columns}
    renamed = {c: COLUMNS[k] for c, k in canon.items() if k in COLUMNS}
    features = {c: k for c, k in canon.items() if k in FEATURE_COLUMNS}
    frame = raw[list(renamed)].rename(columns=renamed)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    frame["artists"] = frame.get("artists", "").str.replace(r"\s*,\s*", ";", regex=True)
    if "genres" in frame:
        frame["genres"] = frame["genres"].str.replace(r"\s*,\s*", ";", regex=True)
    frame["playlists"] = playlist_name(path)
    out = normalize_frame(frame, where=path.name)
    for col, feat in features.items():
        out[feat] = pd.to_numeric(raw[col], errors="coerce").to_numpy()
    for feat in FEATURES:
        if feat not in out:
            out[feat] = np.nan
    out["source"] = np.where(out[FEATURES].notna().all(axis=1), "export", "")
    return out
