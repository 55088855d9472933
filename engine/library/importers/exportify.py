"""Exportify playlist CSVs read straight from a path (the evaluation's set (c) uses this).

Every header variant (2020 to 2026, quoted or not, BOM, 'Track URI' / 'Track ID' / 'Spotify ID',
translated headers) is handled by the shared CSV importer; the playlist name becomes `playlists`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from engine.errors import InputFileError
from engine.library.importers.base import decode_text
from engine.library.importers.tabular import parse_csv, playlist_from_name


def playlist_name(path: Path) -> str:
    return playlist_from_name(Path(path).name)


def read_exportify(path: Path) -> pd.DataFrame:
    """Normalized frame; features (if the file has them) in the 8 feature columns with source 'export'."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file.")
    parsed = parse_csv(path.name, decode_text(path.name, path.read_bytes()))
    frame = parsed.playlists[0][1] if parsed.playlists else parsed.tracks
    frame = frame.copy()
    frame["playlists"] = playlist_name(path)
    return frame
