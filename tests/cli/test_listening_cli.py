"""`python -m engine listening` end to end, in a subprocess like a user runs it, on a real extended
streaming history (Efrrowini's 2022 file) counted by hand from the raw JSON."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "-m", "engine", "listening", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def test_listening_writes_the_tables_counted_by_hand(samples, tmp_path):
    rows = json.loads((samples / "extended_streaming_history" / "Efrrowini" / "Streaming_History_Audio_2022.json").read_text())
    hostile = {**rows[-1], "ts": "2022-12-31T20:00:00Z", "master_metadata_album_artist_name": "=HYPERLINK(\"http://x\")",
               "master_metadata_track_name": "Formula", "spotify_track_uri": "spotify:track:0000000000000000000001"}
    history = tmp_path / "Streaming_History_Audio_2022.json"
    history.write_text(json.dumps(rows + [hostile]))
    out = tmp_path / "tables"
    # Kolkata is UTC+5:30: the 20:00 UTC play of Dec 31 falls on Jan 1 2023 there, out of the year 2022.
    result = run("--input", history, "--period", "2022", "--tz", "Asia/Kolkata", "--output", out)
    assert result.returncode == 0, result.stderr
    music = [r for r in rows if r.get("spotify_track_uri")]
    artists = Counter()
    for r in music:
        artists[r["master_metadata_album_artist_name"]] += r["ms_played"]
    totals = pd.read_csv(out / "totals.csv").iloc[0]
    assert totals["plays"] == len({(r["ts"], r["spotify_track_uri"]) for r in music})
    assert totals["hours"] == pytest.approx(sum(r["ms_played"] for r in music) / 3.6e6)
    assert totals["time_zone"] == "Asia/Kolkata" and str(totals["period"]) == "2022"
    top = pd.read_csv(out / "top_artists_by_time.csv")
    assert top["artist"].head(5).tolist() == [a for a, _ in artists.most_common(5)]
    assert {"features_per_month.csv", "clusters_per_month.csv", "hour_by_weekday.csv", "top_genres_by_plays.csv",
            "new_artists.csv", "listening_per_week.csv"} <= {p.name for p in out.iterdir()}
    features = pd.read_csv(out / "features_per_month.csv")
    assert set(features["feature"]) >= {"energy", "tempo"} and features["predicted"].between(0, 1).all()

    whole = tmp_path / "all"
    assert run("--input", history, "--period", "all", "--output", whole).returncode == 0
    everything = pd.read_csv(whole / "top_artists_by_time.csv")
    assert "'=HYPERLINK(\"http://x\")" in everything["artist"].tolist()  # a spreadsheet shows it, never runs it


def test_a_bad_period_or_time_zone_is_one_line_and_exit_2(tmp_path):
    result = run("--input", tmp_path / "none.json", "--period", "2024-13", "--output", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Unknown period '2024-13'" in result.stderr
    result = run("--input", tmp_path / "none.json", "--tz", "Berlin", "--output", tmp_path)
    assert result.returncode == 2 and "Unknown time zone 'Berlin'" in result.stderr
