"""Issue 29 (5) on real histories, enriched as the page reads them: genres' time split so the shares add
up, "How it sounded" per week or day for a short period, and albums for an account-data history."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from engine.library.imports import import_files
from engine.listening import listening_view
from engine.listening.events import per_track, play_events
from engine.listening.stats import credited, tops
from engine.listening.trends import sound_step
from engine.pipeline.facade import Tunescope

ACCOUNT = ("listeners", "AOGbadamosi2018__Visualizing-Spotify-Streaming-Data", "StreamingHistory0.json")


@pytest.fixture(scope="module")
def shelf(samples, tmp_path_factory):
    """The extended history (Efrrowini) and an account-data history, each a library of one home."""
    ts = Tunescope(tmp_path_factory.mktemp("issue29_home"))
    extended = sorted((samples / "extended_streaming_history" / "Efrrowini").glob("*.json"))
    ids = {"extended": import_files(ts.store, extended).library_id,
           "account": import_files(ts.store, [samples.joinpath(*ACCOUNT)]).library_id}
    libs = {name: ts.library(i) for name, i in ids.items()}
    rows = [r for f in extended for r in json.loads(f.read_text()) if r.get("spotify_track_uri")]
    yield libs, rows
    ts.close()


def test_genre_hours_add_up_to_the_time_of_tracks_with_a_genre(shelf):
    libs, _ = shelf
    lib = libs["extended"]
    tracks, plays = lib.listening_tracks(), lib.plays()
    played = per_track(play_events(plays, tracks), tracks)
    genres = credited(played)["genres"]
    names = played["genres"].str.split(";").map(lambda g: sorted({x.strip() for x in g if x.strip()}))
    tagged = names.map(len) > 0
    assert 0 < tagged.sum() < len(played)  # some tracks have genres, some none
    assert genres["ms"].sum() == pytest.approx(played.loc[tagged, "ms"].sum())
    by_hand = Counter()  # each track's ms split equally among its genres
    for ms, these in zip(played["ms"], names):
        for genre in these:
            by_hand[genre] += ms / len(these)
    assert genres.set_index("genre")["ms"].to_dict() == pytest.approx(dict(by_hand))

    view = listening_view(plays, tracks, period="all")
    assert view.totals["genre_hours"] == pytest.approx(played.loc[tagged, "ms"].sum() / 3.6e6)
    assert view.totals["genre_hours"] <= view.totals["hours"]
    for by in ("time", "plays"):
        every = tops(genres, by, n=len(genres) + 1, whole=view.totals["hours" if by == "time" else "plays"]
                     * (3.6e6 if by == "time" else 1))
        assert 0 < every["share"].sum() <= 1.0 + 1e-9
        top = view.tops[("genres", by)]
        assert top["share"].sum() <= 1.0 + 1e-9 and (top["hours"] <= view.totals["hours"]).all()
    pop = view.tops[("genres", "time")].iloc[0]
    assert pop["share"] == pytest.approx(pop["hours"] / view.totals["hours"])  # a share of all listening time


def test_a_short_period_sounds_per_week_or_day_not_one_dot(shelf):
    libs, _ = shelf
    lib = libs["account"]
    tracks, plays = lib.listening_tracks(), lib.plays()
    month = listening_view(plays, tracks, period="2021-03")
    assert month.features_every == "week"
    energy = month.features[month.features["feature"] == "energy"]
    assert len(energy) >= 4 and energy["week"].is_unique  # five weeks touch March 2021: a line, not a dot
    assert energy["plays"].sum() <= month.totals["plays"]
    assert "features_per_week" in month.tables()
    year = listening_view(plays, tracks, period="all")
    assert year.features_every == "month" and "features_per_month" in year.tables()
    days = play_events(plays, tracks)
    few = days[days["at"] < days["at"].min().normalize() + np.timedelta64(6, "D")]
    assert sound_step(few) == "day"  # under three weeks: per day


def test_albums_of_an_account_history_come_from_the_catalog(shelf):
    libs, _ = shelf
    lib = libs["account"]
    assert (lib.tracks["album"].fillna("") != "").sum() == 0  # the account-data files name no album
    tracks = lib.listening_tracks()
    named = tracks["album"] != ""
    assert named.sum() > 0 and (lib.catalog_rows[named.to_numpy()] >= 0).all()
    albums = listening_view(lib.plays(), tracks, period="all").tops[("albums", "time")]
    assert len(albums) > 0 and set(albums["album"]) <= set(tracks.loc[named, "album"])
    assert len(lib.tracks) == len(tracks) and (lib.tracks["album"].fillna("") == "").all()  # tracks itself unchanged


def test_albums_of_an_extended_history_as_its_files_name_them(shelf):
    libs, rows = shelf
    lib = libs["extended"]
    by_hand = Counter()
    for r in rows:
        by_hand[(r["master_metadata_album_album_name"], r["master_metadata_album_artist_name"])] += r["ms_played"]
    albums = listening_view(lib.plays(), lib.listening_tracks(), period="all").tops[("albums", "time")]
    assert list(zip(albums["album"].head(5), albums["artist"].head(5))) == [a for a, _ in by_hand.most_common(5)]
    assert albums["hours"].head(5).tolist() == pytest.approx([m / 3.6e6 for _, m in by_hand.most_common(5)])
