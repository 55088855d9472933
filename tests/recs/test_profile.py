"""A library profile is reused only for the same content: same answers, an edit is never served stale, and
a caller's own normalisation and catalog match are taken as they are."""

import numpy as np
import pandas as pd
import pytest

import engine.recs.recommend
from engine.recs.profile import ProfileCache, fingerprint
from engine.recs.recommend import Recommender
from engine.schema import normalize_frame


@pytest.fixture(scope="module")
def rec():
    return Recommender.load()  # its own: these tests replace its profile cache


@pytest.fixture(scope="module")
def library(top_songs):
    return top_songs


def fresh(rec):
    rec._profiles = ProfileCache()
    return rec


@pytest.mark.parametrize("method", ["ranker", "two_tower", "content"])
def test_a_profiled_library_gives_the_same_answers_as_a_fresh_one(rec, library, method):
    first = fresh(rec).recommend(library, k=30, method=method)
    assert len(rec._profiles) == 1
    again = rec.recommend(library.copy(), k=30, method=method)  # a new frame with the same content
    assert len(rec._profiles) == 1
    pd.testing.assert_frame_equal(first, again)
    seeded = rec.recommend(library, k=10, method=method, seeds=[library["Track URI"].iloc[3]])
    pd.testing.assert_frame_equal(seeded, fresh(rec).recommend(library, k=10, method=method,
                                                               seeds=[library["Track URI"].iloc[3]]))


def test_a_callers_normalisation_and_match_are_not_computed_again(rec, library, monkeypatch):
    norm = normalize_frame(library, where="library")
    matched = rec.catalog.match(norm)[0]
    expected = fresh(rec).recommend(library, k=20)
    calls = []
    monkeypatch.setattr(engine.recs.recommend, "normalize_frame", lambda *a, **k: calls.append("norm"))
    monkeypatch.setattr(rec.catalog, "match", lambda *a, **k: calls.append("match"))
    profile = fresh(rec).profile(library, norm=norm, matched=matched)
    assert calls == []
    # the catalog's rows as given; models/world fills only rows the catalog did not know
    known = matched >= 0
    assert np.array_equal(profile.matched[known], matched[known]) and (profile.matched[~known] >= len(rec.catalog.tracks)).any()
    assert np.array_equal(profile.matched, rec.index.match(norm, matched))
    assert rec.profile(library) is profile  # cached by content
    pd.testing.assert_frame_equal(fresh(rec).recommend(library, k=20, profile=profile), expected)
    assert len(rec._profiles) == 0  # a given profile is used as it is, not built or stored again


def test_an_edited_library_is_profiled_again(rec, library):
    fresh(rec)
    before = rec.recommend(library, k=20)
    top = before.iloc[0]
    # The listener saves the first recommendation: it is owned now and must not come back.
    saved = pd.concat([library, pd.DataFrame([{"Track URI": f"spotify:track:{top['track_id']}",
                                               "Track Name": top["title"], "Artist Name(s)": top["artists"]}])],
                      ignore_index=True)
    saved[["energy", "valence"]] = saved[["energy", "valence"]].astype(float)
    after = rec.recommend(saved, k=20)
    assert len(rec._profiles) == 2
    assert top["track_id"] not in set(after["track_id"])


def test_the_cache_keeps_only_the_last_few_libraries(rec, library):
    fresh(rec)
    for n in range(6):
        rec.recommend(library.iloc[: 40 + n], k=5)
    assert len(rec._profiles) == rec._profiles.keep


def test_a_frame_that_cannot_be_hashed_is_still_served(rec, library):
    odd = library.assign(extra=[[1, 2]] * len(library))  # lists are not hashable: no reuse, same answer
    assert fingerprint(odd) is None
    pd.testing.assert_frame_equal(fresh(rec).recommend(odd, k=10), fresh(rec).recommend(library, k=10))
