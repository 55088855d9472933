"""AppTest for the Listening page on a real extended streaming history (figures against a hand count of
the raw files), on a library without plays, and the hand-over to the track table and Recommendations."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "dashboard" / "app.py")


@pytest.fixture(scope="module")
def libraries(tmp_path_factory, samples):
    """A home of its own: the history as one library, a playlist without plays as another."""
    from engine.library.imports import import_files
    from engine.library.store import Store

    home = tmp_path_factory.mktemp("listening_home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TUNESCOPE_HOME", str(home))
        store = Store()
        files = sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))
        history = import_files(store, files, name="Efrrowini's history").library_id
        playlist = import_files(store, [samples / "exportify" / "deadda7a__2023-01__covers.csv"]).library_id
        store.close()
        rows = [r for f in files for r in json.loads(f.read_text()) if r.get("spotify_track_uri")]
        yield {"history": history, "playlist": playlist, "rows": rows}


def open_listening(library_id: int) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.session_state["library_id"] = library_id
    at.switch_page("../pages/listening.py").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def captions(at: AppTest) -> list[str]:
    """Captions as people read them (the Markdown escapes of user-named text undone)."""
    return [re.sub(r"\\(.)", r"\1", c.value) for c in at.caption]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def hand(rows, month_prefix: str):
    """ms, plays (one per track and second) and ms per artist, for the plays whose UTC stamp starts so."""
    chosen = [r for r in rows if r["ts"].startswith(month_prefix)]
    artists = Counter()
    for r in chosen:
        artists[r["master_metadata_album_artist_name"]] += r["ms_played"]
    return sum(r["ms_played"] for r in chosen), len({(r["ts"], r["spotify_track_uri"]) for r in chosen}), artists


def test_the_page_shows_the_history_as_counted_by_hand(libraries):
    at = open_listening(libraries["history"])
    ms, plays, artists = hand(libraries["rows"], "2023")  # the last 12 months of this history: 2023-01 to 2023-12
    assert metric(at, "Plays") == f"{plays:,}"
    assert metric(at, "Listening time") == f"{ms / 3.6e6:,.0f} h"
    assert any("the last 12 months of your history (2023-01 to 2023-12)" in c for c in captions(at))
    top = at.dataframe[1].value  # tabs: tracks, artists, ...
    assert top["artist"].head(5).tolist() == [a for a, _ in artists.most_common(5)]
    assert len(at.get("plotly_chart")) >= 5  # time, new artists, feature, clusters, heat map

    at.selectbox(key="listening_period").set_value("2023-06").run()
    ms, plays, artists = hand(libraries["rows"], "2023-06")
    assert metric(at, "Plays") == f"{plays:,}"
    assert at.dataframe[1].value["artist"].iloc[0] == artists.most_common(1)[0][0]
    at.radio(key="listening_by").set_value("plays").run()
    by_plays = Counter()
    for r in libraries["rows"]:
        if r["ts"].startswith("2023-06"):
            by_plays[r["master_metadata_album_artist_name"]] += 1
    assert at.dataframe[1].value["plays"].iloc[0] == max(by_plays.values())
    # Issue 29 (5): one month is drawn per day on named bars (no time axis to stretch one bar across)
    bars = json.loads(at.get("plotly_chart")[0].proto.spec)
    days = sorted({r["ts"][:10] for r in libraries["rows"] if r["ts"].startswith("2023-06")})
    first, last = (pd.Timestamp(d) for d in (days[0], days[-1]))
    assert bars["layout"]["xaxis"]["type"] == "category" and len(bars["data"][0]["x"]) == (last - first).days + 1
    assert bars["data"][0]["x"][0] == f"{first:%a} {first.day} {first:%b %Y}"
    at.radio(key="listening_every_month").set_value("week").run()
    assert not at.exception
    weeks = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]["x"]
    monday = first - pd.Timedelta(days=first.day_of_week)
    assert weeks[0] == f"week of {monday.day} {monday:%b %Y}" and all(w.startswith("week of ") for w in weeks)  # by Monday
    at.selectbox(key="listening_tz").set_value("Asia/Kolkata").run()  # UTC+5:30: some June plays move month
    assert not at.exception
    assert any("Asia/Kolkata time" in c for c in captions(at))


def test_a_period_and_a_cluster_filter_the_track_table_and_seed_recommendations(libraries):
    at = open_listening(libraries["history"])
    at.selectbox(key="listening_period").set_value("2023-06").run()
    _, plays, _ = hand(libraries["rows"], "2023-06")
    cluster = at.selectbox(key="listening_pick").options[1].removeprefix("tracks played in ")  # shown as people read it
    at.selectbox(key="listening_pick").set_value(cluster).run()
    at.button[0].click().run()
    in_cluster = at.session_state["listening_filter"]
    assert in_cluster["label"] == f"played in June 2023, sound cluster {cluster}"
    at.selectbox(key="listening_pick").set_value("").run()
    at.button[0].click().run()
    chosen = at.session_state["listening_filter"]
    assert 0 < len(in_cluster["keys"]) < len(chosen["keys"]) and set(in_cluster["keys"]) < set(chosen["keys"])
    assert chosen["label"] == "played in June 2023"
    tracks = len({r["spotify_track_uri"].rsplit(":", 1)[-1] for r in libraries["rows"] if r["ts"].startswith("2023-06")})
    assert len(chosen["keys"]) == tracks
    at.switch_page("../pages/coverage.py").run()
    assert not at.exception
    assert any(f"shows the {tracks:,} tracks you played in June 2023" in c for c in captions(at))
    table_caption = next(c for c in captions(at) if c.startswith("Tracks 1–"))
    assert table_caption.startswith(f"Tracks 1–{tracks} of {tracks}.") and tracks < 500  # of 594 in the library
    at.switch_page("../pages/recommendations.py").run()
    assert not at.exception
    assert at.radio(key="recs_scope").value == "what I played"
    assert any(h.value == "For what you played in June 2023" for h in at.subheader)
    assert len(at.dataframe[0].value) > 0


def test_a_library_without_plays_gets_a_note_instead_of_the_page(libraries):
    at = open_listening(libraries["playlist"])
    assert any("This library has no plays" in i.value for i in at.info)
    assert not at.metric


def test_podcasts_have_their_own_section_and_stay_out_of_the_music(libraries, samples):
    """Issue 29 (1): the history's 13 episodes are summed apart; no music table names a show."""
    files = sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))
    episodes = [r for f in files for r in json.loads(f.read_text()) if r.get("spotify_episode_uri")]
    at = open_listening(libraries["history"])
    at.selectbox(key="listening_period").set_value("all").run()
    assert [s.value for s in at.subheader].count("Podcasts") == 1
    assert metric(at, "Podcast plays") == f"{len(episodes):,}"
    assert metric(at, "Podcast time") == f"{sum(r['ms_played'] for r in episodes) / 3.6e6:,.1f} h"
    shows = {r["episode_show_name"].strip() for r in episodes}
    podcast_table = next(d.value for d in at.dataframe if "show" in d.value.columns)
    assert set(podcast_table["show"]) == shows
    music_artists = set(at.dataframe[1].value["artist"])
    assert not shows & music_artists
    music = {(r["ts"], r["spotify_track_uri"]) for r in libraries["rows"]}  # one play per track and second
    assert metric(at, "Plays") == f"{len(music):,}"  # music only: the rows with a track


def test_a_month_sounds_per_week_and_genre_shares_add_up(libraries):
    """Issue 29 (5): "How it sounded" for one month is a line of weeks, not one dot; the genres' shares are
    of all the listening time, their hours split among each track's genres (the caption says so)."""
    at = open_listening(libraries["history"])
    at.selectbox(key="listening_period").set_value("2023-06").run()
    sounded = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                   if any(d.get("name", "").startswith("mean ") for d in json.loads(c.proto.spec)["data"]))
    mean = next(d for d in sounded["data"] if d.get("name", "").startswith("mean "))
    assert len(mean["x"]) >= 4 and all(x.startswith("week of ") for x in mean["x"])
    assert any("each week (this period is short, so per week)" in c for c in captions(at))
    genres = next(d.value for d in at.dataframe if "genre" in d.value.columns)
    hours = float(metric(at, "Listening time").removesuffix(" h").replace(",", ""))
    assert genres["share"].sum() <= 100.0 + 1e-6 and genres["hours"].sum() <= hours + 0.5
    assert any("split equally among its genres" in c for c in captions(at))
    albums = next(d.value for d in at.dataframe if "album" in d.value.columns and "title" not in d.value.columns)
    assert len(albums) > 0  # the extended history names every album
