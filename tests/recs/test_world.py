"""models/world and the shelves over it, on real data: the build is reproducible, the shipped artifact is
complete, seed mode never calls an owned artist new, an empty shelf names its cause, `match` tells a strong
candidate from a weak one, and every number a "why" cites is the number in the data it names."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES, data_dir, models_dir
from engine.library.imports import import_files
from engine.recs.world.build import LICENSE, build_world
from engine.textnorm import artist_key, primary_artist, song_key, track_keys
from engine.schema import normalize_frame

WORLD = models_dir() / "world"
HISTORY = "bunnyfic__spotify-listening-analysis"


@pytest.fixture(scope="module")
def rec(recommender):
    return recommender


@pytest.fixture(scope="module")
def history(app, samples):
    """A real streaming history through the importers into a real store, enriched by the façade."""
    scratch = app.scratch()
    report = import_files(scratch.store, sorted((samples / "listeners" / HISTORY).glob("*.json")))
    assert report.ok, report.problems
    return scratch.library(report.library_id)


@pytest.mark.data
def test_the_world_build_is_reproducible_on_a_fixed_subset(app, tmp_path):
    first = build_world(app, tmp_path / "a", playlists=30, log=None)
    second = build_world(app, tmp_path / "b", playlists=30, log=None)
    assert first["version"] == second["version"] and first["rows"] == second["rows"] > 500
    assert first["command"].endswith("--playlists 30") and first["license"] == LICENSE
    items = pd.read_parquet(tmp_path / "a" / "items-0.parquet")
    assert items["predicted"].all() and (items["dataset"] == "mpd").all()
    assert not set(items["track_id"]) & set(app.catalog.tracks["track_id"])  # the catalog's own tracks stay its
    assert items["key"].is_unique and items["energy"].between(0, 1).all()
    # popularity rises with the playlists holding a track (an increasing fit where Spotify's is unknown)
    by_count = items.groupby("mpd_playlists")["popularity"].mean()
    assert by_count.is_monotonic_increasing


def test_the_shipped_world_is_complete_and_small():
    config = json.loads((WORLD / "config.json").read_text())
    assert all(p.stat().st_size < 25 * 2**20 for p in WORLD.iterdir())
    items = pd.concat([pd.read_parquet(WORLD / name) for name in config["items"]])
    assert len(items) == config["rows"] > 150_000 and items["predicted"].all()
    assert "non-commercial" in config["license"] and 0.3 < config["lastfm"]["artists_matched"] < 1
    sample = items.sample(2000, random_state=0)  # the stored song keys are today's song_key
    assert list(sample["song"]) == [song_key(a, t) for a, t in zip(sample["artists"], sample["title"])]


def test_the_recommender_serves_the_world(rec):
    assert rec.index.world is not None and rec.index.predicted.sum() == rec.index.world.config["rows"]
    assert not rec.index.embedded[rec.index.predicted].any()  # the two-tower never embedded them


def _library_artists(library) -> set[str]:
    norm = normalize_frame(library.recs_frame)
    return set(norm["artists"].map(lambda a: artist_key(primary_artist(a))))


def test_seed_mode_never_shows_an_owned_artist_as_new(app, history):
    owned = _library_artists(history)
    frame = history.recs_frame
    keys = track_keys(normalize_frame(frame)).to_numpy()  # an account export has no track ids: seeds by key
    for seed in keys[np.argsort(-pd.to_numeric(frame["plays"], errors="coerce").fillna(0).to_numpy())[:3]]:
        recs = app.recommend(history, shelf="new", seeds=[seed], k=20)
        assert len(recs) > 10
        found = set(recs["artists"].map(lambda a: artist_key(primary_artist(a))))
        assert not found & owned, found & owned


def test_an_empty_shelf_names_its_cause(app, history):
    recs = app.recommend(history, shelf="new", tempo=(249.0, 250.0))
    assert recs.empty and "tempo range" in recs.attrs["empty"]


def test_an_empty_own_artist_shelf_says_every_track_is_owned(app, rec):
    """A library holding every served track of one artist: from that artist there is nothing left."""
    items = rec.items
    artist = items["artist"].value_counts().index[40]
    library = items[items["artist"] == artist][["track_id", "title", "artists", "album", "release_date", "genres",
                                                *FEATURES]].reset_index(drop=True)
    recs = app.recommend_table(library, shelf="yours", seeds=[library["track_id"].iloc[0]])
    assert recs.empty and "in your library already" in recs.attrs["empty"]


@pytest.mark.parametrize("shelf", ["yours", "new"])
def test_match_tells_strong_from_weak_on_a_real_shelf(app, history, shelf):
    recs = app.recommend(history, shelf=shelf, k=30)
    assert recs["match"].nunique() > 1 and recs["match"].between(0, 100).all()
    assert recs["match"].iloc[0] > recs["match"].iloc[-1]


def _raw_lastfm() -> pd.DataFrame:
    folder = data_dir() / "hetrec2011_lastfm_2k"
    names = pd.read_csv(folder / "artists.dat", sep="\t", usecols=["id", "name"], quoting=3)
    plays = pd.read_csv(folder / "user_artists.dat", sep="\t")
    return plays.assign(key=plays["artistID"].map(dict(zip(names["id"], names["name"].astype(str).map(artist_key)))))


def test_every_why_number_is_the_number_in_the_data_it_cites(app, history):
    library = history.recs_frame
    norm = normalize_frame(library)
    artist_plays = pd.Series(pd.to_numeric(library["plays"], errors="coerce").fillna(0).to_numpy()).groupby(
        norm["artists"].map(lambda a: artist_key(primary_artist(a))).to_numpy()).sum()
    lastfm = _raw_lastfm()
    users_of = lastfm.groupby("key")["userID"].apply(set)
    mpd = pd.read_parquet(data_dir() / "mpd_followed_subset" / "mpd_followed_playlist_tracks.parquet")
    mpd_keys = track_keys(normalize_frame(pd.DataFrame({"track_id": mpd["track_uri"].str[14:],
                                                        "title": mpd["track_name"], "artists": mpd["artist_name"]})))
    matched = app.recommender().matcher.match(norm)[0]  # the served items the library holds, by the product's match
    owned_keys = set(app.recommender().items["key"].to_numpy()[matched[matched >= 0]])
    owning = set(mpd["pid"][mpd_keys.isin(owned_keys).to_numpy()])
    checked = {"plays": 0, "lastfm": 0, "mpd": 0}
    for shelf in ("yours", "new"):
        recs = app.recommend(history, shelf=shelf, k=30)
        for _, row in recs.iterrows():
            why = row["why"]
            if m := re.search(r"you played (.+?) ([\d,]+) times", why):
                assert artist_plays[artist_key(m.group(1))] == int(m.group(2).replace(",", "")), why
                checked["plays"] += 1
            if m := re.search(r"([\d,]+) of the ([\d,]+) Last\.fm listeners who play (.+?) also play (.+?)(;|$)", why):
                partner, candidate = users_of[artist_key(m.group(3))], users_of[artist_key(m.group(4))]
                assert len(partner) == int(m.group(2).replace(",", "")), why
                assert len(partner & candidate) == int(m.group(1).replace(",", "")), why
                checked["lastfm"] += 1
            if m := re.search(r"in ([\d,]+) of 7,071 MPD playlists with your tracks", why):
                key = track_keys(normalize_frame(pd.DataFrame([row[["track_id", "title", "artists"]]]))).iloc[0]
                holding = set(mpd["pid"][(mpd_keys == key).to_numpy()])
                assert len(holding & owning) == int(m.group(1).replace(",", "")), why
                checked["mpd"] += 1
    assert all(checked.values()), checked  # each kind of number was cited, and checked, at least once
