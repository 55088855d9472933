"""Hypothesis fuzz: 1,100 malformed inputs through the importers into a store that already holds
a library. Every input either imports or yields clear per-file problems (never another exception),
and nothing stored before is lost or blanked out."""

import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.library.imports import import_files
from engine.library.store import Store

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _seeds(samples) -> list[tuple[str, bytes]]:
    seeds = [(p.name, p.read_bytes()) for p in sorted((samples / "exportify").glob("*.csv"))]
    erin = samples / "account_export" / "hobbies-w-erin_2024"
    playlists = json.loads((erin / "Playlist1.json").read_text())
    seeds.append(("Playlist1.json", json.dumps({"playlists": playlists["playlists"][:4]}).encode()))
    library = json.loads((erin / "YourLibrary.json").read_text())
    seeds.append(("YourLibrary.json", json.dumps({**library, "tracks": library["tracks"][:40]}).encode()))
    history = json.loads((erin / "StreamingHistory_music_0.json").read_text())[:60]
    seeds.append(("StreamingHistory_music_0.json", json.dumps(history).encode()))
    extended = samples / "extended_streaming_history" / "Efrrowini" / "Streaming_History_Audio_2022.json"
    seeds.append((extended.name, extended.read_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in seeds[-4:]:
            archive.writestr(f"Spotify Account Data/{name}", data)
    seeds.append(("my_spotify_data.zip", buffer.getvalue()))
    return seeds


class Seeded(tuple):
    """The fuzz state; a short repr keeps Hypothesis' failure reports readable."""

    def __new__(cls, *items):
        return super().__new__(cls, items)

    def __repr__(self) -> str:
        return "Seeded(store with one imported library)"


@pytest.fixture(scope="module")
def seeded(samples, tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    first = import_files(store, [samples / "exportify" / "kyleduong__2024-12__top_tracks_of_2024_global.csv"])
    snapshot = store.library_tracks(first.library_id).set_index("key")
    yield Seeded(store, first.library_id, snapshot, _seeds(samples))
    store.close()


def _mutate(data: bytes, how: str, position: float, payload: bytes) -> bytes:
    cut = int(len(data) * position)
    if how == "truncate":
        return data[:cut]
    if how == "insert":
        return data[:cut] + payload + data[cut:]
    if how == "overwrite":
        return data[:cut] + payload + data[cut + len(payload):]
    if how == "header":  # replace the first line (a CSV header, or the start of a JSON document)
        return payload + data[data.find(b"\n") + 1:] if b"\n" in data else payload
    return payload  # "replace": arbitrary bytes instead of the file


def _check(seeded, name: str, data: bytes) -> None:
    store, library_id, snapshot, _ = seeded
    report = import_files(store, [(name, data)], library_id=library_id)
    assert all(isinstance(p, str) and p and "Traceback" not in p for p in report.problems)
    now = store.library_tracks(library_id).set_index("key")
    assert snapshot.index.isin(now.index).all(), "a stored track was lost"
    # A later file may legitimately bring newer data for the same song; it may never blank it out.
    kept = now.loc[snapshot.index]
    assert (kept["title"] != "").all() and kept["energy"].notna().all(), "a stored track lost its data"


@settings(max_examples=800, **SETTINGS)
@given(data=st.data(),
       how=st.sampled_from(["truncate", "insert", "overwrite", "header", "replace"]),
       position=st.floats(0, 1),
       payload=st.binary(max_size=64) | st.sampled_from([b'"', b",,,,", b"\x00", b"{", b"]", b"\xff\xfe", b"\n\n", b";"]),
       name=st.sampled_from(["library.csv", "export.json", "data.zip", "notes.txt", "Playlist1.json"]))
def test_mutated_real_files_never_crash_or_lose_data(seeded, data, how, position, payload, name):
    seed_name, seed = data.draw(st.sampled_from(seeded[3]))
    _check(seeded, name if how == "replace" else seed_name, _mutate(seed, how, position, payload))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["tracks", "playlists", "items", "track", "trackName", "artistName", "name", "ts",
                         "endTime", "msPlayed", "ms_played", "master_metadata_track_name", "uri", "trackUri"]),
        inner, max_size=5),
    max_leaves=20)


@settings(max_examples=300, **SETTINGS)
@given(doc=json_values, name=st.sampled_from(["YourLibrary.json", "Playlist1.json", "StreamingHistory0.json"]))
def test_well_formed_json_of_the_wrong_shape_never_crashes(seeded, doc, name):
    _check(seeded, name, json.dumps(doc).encode())
