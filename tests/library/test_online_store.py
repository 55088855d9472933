"""Real values fetched online in the store: trust order, which ids are worth asking, and consent."""

import json

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES
from engine.library.importers.exportify import read_exportify
from engine.library.providers import consent
from engine.library.providers.lookup import PROVIDER
from engine.library.tables import SHARED

SAMPLE = "deadda7a__2021-12__casual.csv"


def values(base: float) -> dict:
    return {f: (base * 120 if f == "tempo" else base) for f in FEATURES}


@pytest.fixture()
def library(memory_store, samples):
    """A real Exportify playlist, its features left out, as a library."""
    frame = read_exportify(samples / "exportify" / SAMPLE)
    library_id = memory_store.create_library("covers", "import")
    keys = memory_store.add_tracks(library_id, frame.drop(columns=[c for c in FEATURES + ["source"] if c in frame]))
    return library_id, keys


def test_trust_order_is_export_then_spotify_then_reccobeats_per_feature(memory_store, library):
    library_id, keys = library
    a, b, c = keys[:3]
    export = pd.DataFrame([{"track_id": a, **values(0.1), "energy": None}])  # the file lacks energy
    memory_store.add_tracks(library_id, export.assign(title="x", artists="y"))
    memory_store.add_given_features([a, b], pd.DataFrame([values(0.2), values(0.2)]))
    memory_store.save_online_features(PROVIDER, {a: values(0.3), b: values(0.3), c: values(0.3)}, [])
    tracks = memory_store.library_tracks(library_id).set_index("key")
    assert tracks.loc[a, "source"] == "export" and tracks.loc[a, "valence"] == 0.1
    assert tracks.loc[a, "energy"] == 0.2  # the blank export cell: Spotify's value, not ReccoBeats'
    assert tracks.loc[b, "source"] == "spotify" and tracks.loc[b, "valence"] == 0.2
    assert tracks.loc[c, "source"] == "reccobeats" and tracks.loc[c, FEATURES].tolist() == list(values(0.3).values())
    assert tracks.drop(index=[a, b, c])["source"].eq("").all()


def test_reccobeats_values_outrank_the_catalog_and_the_predictor(memory_store, library, app):

    library_id, keys = library
    before = app.over(memory_store).library(library_id).tracks.set_index("key")
    known = before.index[before["source"] == "catalog"][:2].tolist()
    predicted = before.index[before["source"] == "predicted"][:2].tolist()
    assert known and predicted
    memory_store.save_online_features(PROVIDER, {k: values(0.42) for k in known + predicted}, [])
    after = app.over(memory_store).library(library_id).tracks.set_index("key")
    assert (after.loc[known + predicted, "source"] == "reccobeats").all()
    assert np.allclose(after.loc[known + predicted, "energy"], 0.42)
    assert (after.loc[known + predicted, "confidence"] == 1.0).all()
    others = after.index.difference(known + predicted)
    assert after.loc[others, "source"].tolist() == before.loc[others, "source"].tolist()


def test_only_ids_without_complete_more_trusted_values_are_worth_asking(memory_store, library):
    library_id, keys = library
    memory_store.add_given_features([keys[0]], pd.DataFrame([values(0.2)]))
    partial = {**values(0.2), "tempo": None}
    memory_store.add_given_features([keys[1]], pd.DataFrame([partial]))
    memory_store.add_tracks(library_id, pd.DataFrame([{"track_id": keys[2], "title": "t", "artists": "a",
                                                       **values(0.1)}]))
    candidates = memory_store.lookup_candidates(library_id)
    assert candidates == [k for k in keys if k not in (keys[0], keys[2])]
    other = memory_store.create_library("other", "import")  # another library's export is not this one's
    memory_store.add_tracks(other, pd.DataFrame([{"track_id": keys[3], "title": "t", "artists": "a", **values(0.1)}]))
    assert keys[3] in memory_store.lookup_candidates(library_id)


def test_fetched_values_are_shared_with_their_fetch_time_and_impossible_ones_left_out(memory_store, library):
    library_id, keys = library
    memory_store.save_online_features(PROVIDER, {keys[0]: {**values(0.5), "energy": 7.0}}, [keys[1]])
    row = memory_store.db.execute("select library_id, energy, valence, updated_at from features where key = ? and "
                                  "source = ?", [keys[0], PROVIDER]).fetchone()
    assert row[0] == SHARED and row[1] is None and row[2] == 0.5 and row[3].startswith("20")
    assert memory_store.online_found(PROVIDER, library_id) == 1 and memory_store.online_missed(PROVIDER, library_id) == 1
    memory_store.save_online_features(PROVIDER, {keys[1]: values(0.6)}, [])  # found later: no longer a miss
    assert memory_store.online_missed(PROVIDER, library_id) == 0


def test_consent_is_off_until_turned_on_remembered_per_account_and_survives_a_bad_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TUNESCOPE_HOME", str(tmp_path))
    assert consent.allowed() is False
    consent.remember(True)
    assert consent.allowed() and not consent.allowed("someone-else")
    assert json.loads((tmp_path / consent.FILE).read_text())[""]["reccobeats"] is True
    consent.remember(False)
    assert consent.allowed() is False
    (tmp_path / consent.FILE).write_text("{not json")
    assert consent.allowed() is False
    assert "Spotify track ids, nothing else" in consent.WHAT_IS_SENT
