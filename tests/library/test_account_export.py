"""Spotify's account-data export, loose or zipped, and the extended streaming history."""

import io
import json
import zipfile

from engine.library.importers import read_file

ERIN = "account_export/hobbies-w-erin_2024"
MALVIKA = "account_export/malvikarajeev_2020"


def test_your_library_2024_has_uris_and_drops_podcasts(samples):
    [piece], _ = read_file("YourLibrary.json", (samples / ERIN / "YourLibrary.json").read_bytes())
    assert piece.kind == "account-library" and len(piece.tracks) == 931
    assert piece.tracks["track_id"].str.len().eq(22).all()
    assert piece.skipped >= 85 + 61 and "A BA Study Podcast" in piece.shows


def test_playlists_keep_order_and_skip_episodes(samples):
    [piece], _ = read_file("Playlist1.json", (samples / ERIN / "Playlist1.json").read_bytes())
    doc = json.loads((samples / ERIN / "Playlist1.json").read_text())
    episodes = sum(1 for p in doc["playlists"] for i in p["items"] if i.get("track") is None)
    assert len(piece.playlists) == 40 and piece.skipped == episodes > 0
    name, items = piece.playlists[0]
    assert name == doc["playlists"][0]["name"]
    assert items["title"].tolist()[0] == doc["playlists"][0]["items"][0]["track"]["trackName"]


def test_2020_export_has_no_uris_and_still_reads(samples):
    [piece], _ = read_file("YourLibrary.json", (samples / MALVIKA / "YourLibrary.json").read_bytes())
    assert len(piece.tracks) == 930 and (piece.tracks["track_id"] == "").all()


def test_both_streaming_history_formats(samples):
    [old], _ = read_file("StreamingHistory0.json", (samples / MALVIKA / "StreamingHistory0.json").read_bytes())
    assert old.kind == "streaming-history" and len(old.plays) + old.skipped == 10000
    path = samples / "extended_streaming_history" / "Efrrowini" / "Streaming_History_Audio_2023.json"
    [ext], _ = read_file(path.name, path.read_bytes())
    rows = json.loads(path.read_text())
    podcasts = sum(1 for r in rows if not r.get("master_metadata_track_name"))
    # Episodes are podcast plays of their own now, not skipped rows (issue 29, item 1).
    assert len(ext.plays) == len(rows) - podcasts and ext.skipped == 0 and len(ext.episodes) == podcasts == 13
    assert ext.plays["ms_played"].sum() == sum(r["ms_played"] for r in rows if r.get("master_metadata_track_name"))


def test_the_zip_spotify_sends_reads_every_library_file_and_ignores_the_rest(samples):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((samples / ERIN).glob("*.json")):
            archive.write(path, f"Spotify Account Data/{path.name}")
        archive.writestr("Spotify Account Data/Userdata.json", json.dumps({"username": "x"}))
        archive.writestr("Spotify Account Data/Read_Me_First.pdf", b"%PDF-1.4")
        archive.writestr("Spotify Account Data/Playlist2.json", '{"playlists": [')  # truncated member
    parsed, problems = read_file("my_spotify_data.zip", buffer.getvalue())
    assert sorted(p.kind for p in parsed) == ["account-library", "account-playlists", "streaming-history"]
    assert len(problems) == 1 and problems[0].startswith("my_spotify_data.zip/Playlist2.json") and "cut off" in problems[0]
