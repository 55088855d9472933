"""Spotify track objects (saved tracks, playlist items) as the store's normalized rows.

    frame, artists = track_rows([entry["track"] for entry in page["items"]])
"""

from __future__ import annotations

import pandas as pd

from engine.schema import SCHEMA


def track_rows(tracks: list[dict | None]) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Normalized rows for the music tracks among `tracks` (episodes and removed tracks skipped),
    and each row's artists (Spotify id -> name). Local files have no id: their uri stands in as track_id."""
    rows, artist_ids = [], []
    for track in tracks:
        if not track or track.get("type", "track") != "track" or not track.get("name"):
            continue
        album = track.get("album") or {}
        artists = [a for a in track.get("artists") or [] if a and a.get("name")]
        rows.append({
            "track_id": track.get("id") or track.get("uri") or "",
            "title": track["name"], "artists": ";".join(a["name"] for a in artists),
            "album": album.get("name") or "", "release_date": album.get("release_date") or "",
            "duration_ms": track.get("duration_ms"),
            "explicit": float(track["explicit"]) if isinstance(track.get("explicit"), bool) else None,
            "track_number": track.get("track_number"), "album_total_tracks": album.get("total_tracks"),
            "genres": "", "moods": "", "playlists": "",
        })
        artist_ids.append({a["id"]: a["name"] for a in artists if a.get("id")})
    return pd.DataFrame(rows, columns=SCHEMA), artist_ids
