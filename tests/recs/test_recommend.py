"""Recommendations from the committed two-tower artifact and the feature index, on a real library."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES
from engine.errors import BadParameterError, EmptyLibraryError, UnknownSeedError
from engine.recs.recommend import OUTPUT_COLUMNS
from engine.schema import normalize_frame
from engine.recs.shelves import first_k
from engine.textnorm import song_key, track_keys

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]
from conftest import TOP_SONGS as SAMPLE


@pytest.fixture(scope="module")
def rec(recommender):
    return recommender


@pytest.fixture(scope="module")
def library(top_songs):
    return top_songs


def owned_keys(library):
    norm = normalize_frame(library)
    return set(norm["track_id"]) - {""}, set(track_keys(norm))


def assert_not_owned(rec, recs, library):
    ids, keys = owned_keys(library)
    assert not (set(recs["track_id"]) & ids)
    rec_keys = set(track_keys(normalize_frame(recs[["track_id", "title", "artists"]])))
    assert not (rec_keys & keys)
    rows, _ = rec.matcher.match(normalize_frame(library))
    assert not set(rec.items["key"].iloc[rows[rows >= 0]]) & rec_keys


@pytest.mark.parametrize("method", ["two_tower", "content"])
def test_library_recommendations_exclude_owned(rec, library, method):
    recs = rec.recommend(library, k=20, method=method)
    assert list(recs.columns) == OUTPUT_COLUMNS
    assert len(recs) == 20 and list(recs["rank"]) == list(range(1, 21))
    assert recs["match"].is_monotonic_decreasing and recs["match"].between(0, 100).all()
    assert recs["why"].str.contains("close in").all()
    assert (recs["artists"] + "|" + recs["title"]).is_unique  # catalog rows without a Spotify id have ""
    assert_not_owned(rec, recs, library)


def test_seed_track_steers_recommendations(rec, library):
    seed = library["Track URI"].iloc[5]  # a full spotify:track: URI, as the export has it
    by_seed = rec.recommend(library, k=10, seeds=[seed])
    whole = rec.recommend(library, k=10)
    assert set(by_seed["track_id"]) != set(whole["track_id"])
    assert_not_owned(rec, by_seed, library)
    with pytest.raises(UnknownSeedError, match="not in the library"):
        rec.recommend(library, seeds=["not-a-track"])


def test_two_tower_index_is_exact(rec, library):
    """The FAISS answer equals a brute-force numpy ranking by the model's score."""
    user = rec.user_vector(library)
    scores = rec.index.vectors @ user[0]
    owned_rows = rec.matcher.match(normalize_frame(library))[0]
    owned_keys_ = set(rec.items["key"].iloc[owned_rows[owned_rows >= 0]])
    norm = normalize_frame(library)
    songs = {song_key(a, t) for a, t in zip(norm["artists"], norm["title"])}
    allowed = ~rec.items["key"].isin(owned_keys_).to_numpy() & ~np.isin(rec.index.song_keys, list(songs))
    allowed &= rec.index.embedded  # the world's MPD tracks have no two-tower vector
    brute = np.flatnonzero(allowed)[np.argsort(-scores[allowed], kind="stable")[:200]]
    brute = brute[first_k(brute, rec.index.artist, 10, None, rec.index.song_keys)]  # one version per song
    recs = rec.recommend(library, k=10, method="two_tower", max_per_artist=None)  # pure ranking
    assert list(recs["track_id"]) == list(rec.items["track_id"].iloc[brute])


def test_filters(rec, library):
    recs = rec.recommend(library, k=15, tempo=(90, 110), energy=(0.2, 0.6), method="content")
    assert recs["tempo"].between(90, 110).all() and recs["energy"].between(0.2, 0.6).all()
    top_artist = rec.recommend(library, k=5)["artists"].iloc[0]
    again = rec.recommend(library, k=20, exclude_artists=[top_artist.split(";")[0]])
    assert not again["artists"].str.split(";").str[0].eq(top_artist.split(";")[0]).any()


def test_bad_libraries(rec, library):
    with pytest.raises(EmptyLibraryError):
        rec.recommend(library.iloc[:0])
    with pytest.raises(EmptyLibraryError, match="(?i)enrich"):
        rec.recommend(pd.DataFrame({"title": ["a"], "artists": ["b"]}))
    with pytest.raises(BadParameterError):
        rec.recommend(library, k=0)
    for retired in ("magic", "hybrid"):
        with pytest.raises(BadParameterError, match="method must be one of ranker, two_tower, content"):
            rec.recommend(library, method=retired)
    one = rec.recommend(library.iloc[:1], k=5)
    assert len(one) == 5
    assert_not_owned(rec, one, library.iloc[:1])
    low = library.copy()
    low["source"] = "predicted"
    low["confidence"] = 0.1
    low[[f"{f}_confidence" for f in FEATURES]] = 0.1
    shaky = rec.recommend(low, k=10)
    assert len(shaky) == 10 and "low confidence" in shaky.attrs["note"]
    assert_not_owned(rec, shaky, library)


def test_cli_recommend(samples, tmp_path, tunescope_home):
    out = tmp_path / "recs.csv"
    cmd = [sys.executable, "-m", "engine", "recommend", "--input", str(samples / "exportify" / SAMPLE),
           "-k", "7", "--output", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    recs = pd.read_csv(out)
    assert list(recs.columns[:7]) == ["rank", "track_id", "title", "artists", "genres", "match", "why"]
    assert len(recs) == 7
    empty = tmp_path / "empty.csv"
    empty.write_text("title,artists\n")
    bad = subprocess.run([sys.executable, "-m", "engine", "recommend", "--input", str(empty)],
                         capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert bad.returncode == 2 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr


def test_one_artist_never_fills_the_list(rec, library):
    capped = rec.recommend(library, k=20, max_per_artist=2)
    assert len(capped) == 20 and capped["artists"].value_counts().max() <= 2
    assert capped["match"].is_monotonic_decreasing
    pure = rec.recommend(library, k=20, max_per_artist=None)
    assert pure["match"].iloc[0] == capped["match"].iloc[0]


def test_without_the_playlists_artifact_the_ranker_refuses_and_the_rest_serve(tmp_path, library):
    import shutil

    from engine.config import models_dir
    from engine.errors import ModelNotFoundError
    from engine.recs.recommend import Recommender

    shutil.copytree(models_dir() / "two_tower", tmp_path / "two_tower")
    shutil.copytree(models_dir() / "ranker", tmp_path / "ranker")  # a ranker, but no models/playlists beside it
    bare = Recommender.load(tmp_path / "two_tower")
    assert bare.ranker is None and bare.index.membership.shape[0] == 0
    with pytest.raises(ModelNotFoundError, match="models/playlists"):
        bare.recommend(library, k=5)
    for method in ("two_tower", "content"):
        assert len(bare.recommend(library, k=5, method=method)) == 5
