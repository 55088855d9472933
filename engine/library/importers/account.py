"""Spotify's account-data export (YourLibrary, Playlist*, StreamingHistory*) and the extended
streaming history (Streaming_History_Audio_*, endsong_*). Podcast episodes are kept apart from the music
(Parsed.episodes; engine/library/podcasts.py); audiobooks stay out.

Play counts and listening time are user signals for the dashboard, never model inputs.
"""

from __future__ import annotations

import pandas as pd

from engine.errors import InputFileError, UnrecognisedExportError
from engine.library.importers.base import EPISODE_COLUMNS, PLAY_COLUMNS, UTC_STAMP, Parsed, with_feature_columns
from engine.library.importers.limits import MAX_CELL_CHARS, cap_cells, check_rows, play_ms
from engine.schema import normalize_frame


def _frame(rows: list[dict], where: str, notes: list[str]) -> pd.DataFrame:
    if not rows:
        return with_feature_columns(normalize_frame(pd.DataFrame(columns=["title", "artists"]), where=where))
    frame, cut_note = cap_cells(pd.DataFrame(rows), where)
    notes.extend([cut_note] if cut_note else [])
    frame = normalize_frame(frame, where=where)
    frame = frame[(frame["title"] != "") & (frame["artists"] != "")].reset_index(drop=True)
    return with_feature_columns(frame)


def _text(value) -> str:
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _uri(value) -> str:
    value = value or ""
    return value if isinstance(value, str) and value.startswith("spotify:track:") else ""


def parse_library(name: str, doc: dict) -> Parsed:
    """YourLibrary.json: saved tracks (2020 exports have no URIs; 2024 ones do)."""
    items = doc.get("tracks")
    if not isinstance(items, list):
        raise InputFileError(f"{name}: a YourLibrary file without a 'tracks' list. Use the file from Spotify's export as it came.")
    check_rows(name, len(items))
    notes: list[str] = []
    rows = [{"title": _text(t.get("track")), "artists": _text(t.get("artist")), "album": _text(t.get("album")),
             "track_id": _uri(t.get("uri"))} for t in items if isinstance(t, dict)]
    tracks = _frame(rows, name, notes)
    skipped = sum(len(doc.get(k) or []) for k in ("shows", "episodes")) + (len(items) - len(tracks))
    shows = {str(s.get("name")) for s in doc.get("shows") or [] if isinstance(s, dict) and s.get("name")}
    return Parsed(name=name, kind="account-library", tracks=tracks, skipped=skipped, shows=shows, notes=notes)


def parse_playlists(name: str, doc: dict) -> Parsed:
    """Playlist1.json ...: each playlist with its ordered items; episodes and local-only items are skipped."""
    playlists, skipped, notes = [], 0, []
    if not isinstance(doc.get("playlists"), list):
        raise InputFileError(f"{name}: 'playlists' is not a list. Use the Playlist file as Spotify sent it.")
    check_rows(name, sum(len(p.get("items") or []) for p in doc["playlists"] if isinstance(p, dict)))
    for index, playlist in enumerate(doc["playlists"]):
        if not isinstance(playlist, dict):
            continue
        rows = []
        for item in playlist.get("items") or []:
            track = (item or {}).get("track") if isinstance(item, dict) else None
            if not isinstance(track, dict):
                skipped += 1
                continue
            rows.append({"title": _text(track.get("trackName")), "artists": _text(track.get("artistName")),
                         "album": _text(track.get("albumName")), "track_id": _uri(track.get("trackUri"))})
        title = str(playlist.get("name") or f"Playlist {index + 1}")[:MAX_CELL_CHARS].strip()
        playlists.append((title, _frame(rows, f"{name}, playlist {title[:80]!r}", notes)))
    return Parsed(name=name, kind="account-playlists", playlists=playlists, skipped=skipped, notes=notes)


def parse_history(name: str, rows: list, counted: bool = False, mixed: bool | None = None) -> Parsed:
    """StreamingHistory*.json (endTime, artistName, trackName, msPlayed; a podcast file's rows name podcastName
    and episodeName) or the extended history (ts, master_metadata_*, spotify_track_uri, ms_played, skipped;
    episodes carry episode_show_name). Marked episodes become `episodes`, never tracks; audiobooks and rows
    without a readable time are skipped. Both files give UTC end times; `played_at` becomes
    'YYYY-MM-DDTHH:MM:SSZ' (minutes-only files get :00), `skipped` 1/0, or None where not recorded.
    `counted`: the rows were already drawn from the import's budget, file by file (a ZIP's histories).
    `mixed`: the account-data plays may hold unmarked episodes (default: unless the file is named _music_)."""
    if not counted:
        check_rows(name, len(rows))
    plays, episodes, skipped, account_rows = [], [], 0, 0
    for row in rows:
        if not isinstance(row, dict):
            skipped += 1
            continue
        if "ts" in row:  # extended history
            title, artist = _text(row.get("master_metadata_track_name")), _text(row.get("master_metadata_album_artist_name"))
            show = _text(row.get("episode_show_name"))
            if row.get("spotify_episode_uri") or show:
                episodes.append(_episode(show, _text(row.get("episode_name")), row.get("ts"), row.get("ms_played")))
                continue
            if not title or not artist or row.get("audiobook_uri"):
                skipped += 1
                continue
            plays.append({"track_id": _uri(row.get("spotify_track_uri")), "title": title, "artists": artist,
                          "album": _text(row.get("master_metadata_album_album_name")),
                          "played_at": str(row.get("ts")), "ms_played": play_ms(row.get("ms_played")),
                          "skipped": _flag(row.get("skipped"))})
        else:
            if row.get("podcastName") or row.get("episodeName"):  # StreamingHistory_podcast_N.json
                episodes.append(_episode(_text(row.get("podcastName")), _text(row.get("episodeName")),
                                         row.get("endTime"), row.get("msPlayed")))
                continue
            title, artist = _text(row.get("trackName")), _text(row.get("artistName"))
            if not title or not artist:
                skipped += 1
                continue
            account_rows += 1
            plays.append({"track_id": "", "title": title, "artists": artist, "album": "",
                          "played_at": str(row.get("endTime")), "ms_played": play_ms(row.get("msPlayed")),
                          "skipped": None})
    frame, cut_note = cap_cells(pd.DataFrame(plays, columns=PLAY_COLUMNS), name)
    for col in ("title", "artists", "album", "track_id"):
        frame[col] = frame[col].fillna("").map(str).str.strip()
    frame, future, timeless = _stamped(frame)
    shows, episode_cut = cap_cells(pd.DataFrame(episodes, columns=EPISODE_COLUMNS), name)
    shows = shows[shows["show"].fillna("").astype(str).str.strip() != ""]
    shows, show_future, show_timeless = _stamped(shows.assign(show=shows["show"].astype(str).str.strip(),
                                                              episode=shows["episode"].fillna("").astype(str)))
    notes = [note for note in (cut_note, episode_cut) if note]
    if future + show_future:
        notes.append(f"{name}: {future + show_future:,} plays stamped in the future (after today) were skipped.")
    if mixed is None:
        mixed = "_music_" not in name.lower()
    return Parsed(name=name, kind="streaming-history", plays=frame, episodes=shows, mixed=mixed and account_rows > 0,
                  skipped=skipped + timeless + show_timeless + (len(episodes) - len(shows) - show_timeless), notes=notes)


def _episode(show: str, episode: str, at, ms) -> dict:
    return {"show": show, "episode": episode, "played_at": str(at), "ms_played": play_ms(ms)}


def _stamped(frame: pd.DataFrame) -> tuple[pd.DataFrame, int, int]:
    """(the rows with a readable UTC stamp, as UTC_STAMP; how many were in the future; how many were dropped)."""
    stamps = pd.to_datetime(frame["played_at"], errors="coerce", utc=True, format="ISO8601")
    frame = frame.assign(played_at=stamps.dt.strftime(UTC_STAMP))
    # A play stamped after tomorrow cannot have happened (one stamped 2262 made "the last 12 months" that year).
    future = (stamps > pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)).to_numpy()
    timeless = stamps.isna().to_numpy() | future
    return frame[~timeless].reset_index(drop=True), int(future.sum()), int(timeless.sum())


def _flag(value) -> int | None:
    return int(value) if isinstance(value, bool) else None


def parse_json_document(name: str, doc) -> Parsed:
    """Recognise an account-export JSON by its shape, whatever the file is called."""
    try:
        return _dispatch(name, doc)
    except (TypeError, AttributeError, ValueError, KeyError) as exc:  # right keys, wrong value types
        raise InputFileError(f"{name}: has the keys of a Spotify export but not its structure ({type(exc).__name__}: "
                             f"{str(exc)[:80]}). Use the file as Spotify sent it.") from None


def is_history(doc) -> bool:
    return isinstance(doc, list) and (not doc or (isinstance(doc[0], dict) and
                                                  bool({"ts", "endTime", "msPlayed", "ms_played"} & set(doc[0]))))


def parse_histories(name: str, rows: list, mixed: bool = True) -> Parsed:
    """Several history files' rows (already counted) as one piece: one parse and one store for all."""
    try:
        return parse_history(name, rows, counted=True, mixed=mixed)
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        raise InputFileError(f"{name}: has the keys of a Spotify export but not its structure ({type(exc).__name__}: "
                             f"{str(exc)[:80]}). Use the files as Spotify sent them.") from None


def _dispatch(name: str, doc) -> Parsed:
    if isinstance(doc, dict) and "playlists" in doc:
        return parse_playlists(name, doc)
    if isinstance(doc, dict) and "tracks" in doc:
        return parse_library(name, doc)
    if is_history(doc):
        return parse_history(name, doc)
    raise UnrecognisedExportError(f"{name}: JSON, but not a Spotify export file Tunescope knows (YourLibrary, Playlist, "
                         "StreamingHistory or Streaming_History_Audio). Check you picked the right file.")
