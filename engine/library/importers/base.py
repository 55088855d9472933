"""What an importer returns, and the text decoding every format shares."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.config import FEATURES
from engine.errors import InputFileError
from engine.schema import SCHEMA

EPISODE_COLUMNS = ["show", "episode", "played_at", "ms_played"]
PLAY_COLUMNS = ["track_id", "title", "artists", "album", "played_at", "ms_played", "skipped"]
UTC_STAMP = "%Y-%m-%dT%H:%M:%SZ"  # how plays keep their time (engine.library.migrations.m7_play_events)


@dataclass
class Parsed:
    """One file's contribution: library tracks, playlists with ordered items, and plays."""

    name: str
    kind: str
    tracks: pd.DataFrame = field(default_factory=lambda: empty_tracks())
    playlists: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    plays: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PLAY_COLUMNS))
    # Podcast plays the file marks as such (engine.library.podcasts.EPISODE_COLUMNS); never tracks.
    episodes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EPISODE_COLUMNS))
    mixed: bool = False  # plays from a file that may hold unmarked episodes (a pre-2023 StreamingHistoryN.json)
    skipped: int = 0  # audiobooks, removed or local-only items left out
    shows: set[str] = field(default_factory=set)  # the podcasts a person follows (YourLibrary), for mixed histories
    notes: list[str] = field(default_factory=list)  # what was changed to fit a limit (cells cut...), for the user
    file_headers: dict[str, list[str]] = field(default_factory=dict)  # engine.library.file_columns.pack's

    @property
    def track_count(self) -> int:
        return len(self.tracks) + sum(len(items) for _, items in self.playlists)


def empty_tracks() -> pd.DataFrame:
    return pd.DataFrame(columns=SCHEMA + FEATURES + ["source"])


def with_feature_columns(frame: pd.DataFrame) -> pd.DataFrame:
    for feat in FEATURES:
        if feat not in frame:
            frame[feat] = np.nan
    if "source" not in frame:
        frame["source"] = np.where(frame[FEATURES].notna().all(axis=1), "export", "")
    return frame


def decode_text(name: str, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252; NUL bytes mean binary."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputFileError(f"{name}: starts like UTF-16 text but is damaged. Save it again as UTF-8 CSV.") from None
    if b"\x00" in data[:4096]:
        raise InputFileError(f"{name}: looks like a binary file, not CSV or JSON. "
                             "Import an Exportify CSV, a Spotify data export (.json or .zip) or an artist/title CSV.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        if text.count("\ufffd") > max(8, len(text) // 100):
            raise InputFileError(f"{name}: is not text in a known encoding. Save it as UTF-8 CSV or JSON.") from None
        return text
