"""One way in (engine.pipeline.facade.Tunescope): the CLI, the dashboard and the engine's own callers read
the same tracks, values, sources and clusters of a stored library, and nothing else assembles the engine."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES
from engine.library.imports import import_files
from engine.schema import CONFIDENCE_COLUMNS, INTERVAL_COLUMNS, normalize_frame

ROOT = Path(__file__).resolve().parents[2]
HISTORY = "AOGbadamosi2018__Visualizing-Spotify-Streaming-Data"
COMPARED = ["key", "title", "artists", *FEATURES, *CONFIDENCE_COLUMNS, "confidence", "source", *INTERVAL_COLUMNS]


@pytest.fixture(scope="module")
def stored(tmp_path_factory, samples):
    """A real Exportify file and a real streaming history imported into a real SQLite store in its own home."""
    from engine.pipeline.facade import Tunescope

    home = tmp_path_factory.mktemp("home")
    app = Tunescope(home)
    files = [sorted((samples / "exportify").glob("deadda7a__2021-12*.csv"))[0],
             *sorted((samples / "listeners" / HISTORY).rglob("*.json"))]
    report = import_files(app.store, files)
    assert report.ok, report.problems
    yield home, app, report.library_id
    app.close()


def _page_view(library_id: int):
    """What the pages read: run inside AppTest, so the dashboard's own caching and account rules apply."""
    import streamlit as st

    from dashboard import resources

    st.session_state["tracks"] = resources.enriched(library_id)
    st.session_state["clusters"] = resources.assignments(library_id)


def test_cli_page_and_engine_read_the_same_library(stored, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from engine.cli.main import main

    home, app, library_id = stored
    monkeypatch.setenv("TUNESCOPE_HOME", str(home))
    lib = app.library(library_id)
    engine_view = lib.tracks.join(lib.assignments())
    assert len(engine_view) > 500 and {"catalog", "predicted"} <= set(engine_view["source"])

    out = tmp_path / "export.csv"
    assert main(["export", "--library", str(library_id), "--output", str(out)]) == 0
    cli_view = pd.read_csv(out, keep_default_na=False, na_values=[""])

    at = AppTest.from_function(_page_view, args=(library_id,), default_timeout=600).run()
    assert not at.exception, at.exception
    page_view = at.session_state["tracks"].join(at.session_state["clusters"])

    for name, view in (("CLI", cli_view), ("page", page_view)):
        assert len(view) == len(engine_view), name
        for column in COMPARED + ["cluster_name"]:
            got, want = view[column].to_numpy(), engine_view[column].to_numpy()
            if column in FEATURES + CONFIDENCE_COLUMNS + INTERVAL_COLUMNS + ["confidence"]:
                np.testing.assert_allclose(got.astype(float), want.astype(float), rtol=1e-6, err_msg=f"{name}: {column}")
            else:
                assert (got.astype(str) == want.astype(str)).all(), f"{name}: {column}"


def test_the_recommender_reads_the_library_normalized_and_matched_once(stored):
    """What the façade hands the recommender equals normalizing and matching the frame again."""
    _, app, library_id = stored
    lib = app.library(library_id)
    again = normalize_frame(lib.recs_frame)
    pd.testing.assert_frame_equal(lib.recs_norm[again.columns], again)
    assert (app.catalog.match(again)[0] == lib.catalog_rows).all() and (lib.catalog_rows >= 0).sum() > 100
    assert {"recent", "days_since_active"}.isdisjoint(lib.tracks.columns)  # the recommender's, not the library's


def test_a_library_version_is_built_once_and_hands_out_copies(stored):
    _, app, library_id = stored
    lib = app.library(library_id)
    frame = lib.tracks
    frame["energy"] = -1.0
    assert (lib.tracks["energy"] >= 0).all()
    assert lib.clusters() is lib.clusters(lib.suggested_k())  # derived once
    assert lib.version == app.library_version(library_id)


def test_the_served_predictor_is_what_load_returns(app):
    """No attribute is patched after load(): AudioPredictor.load with the catalog's tracks is the object that serves."""
    from engine.config import models_dir
    from engine.predictor.bundle import AudioPredictor

    loaded = AudioPredictor.load(models_dir() / "audio_predictor", catalog_tracks=app.catalog.tracks)
    rows = normalize_frame(pd.DataFrame({"title": ["Motion Sickness", "Get Lucky"], "artists": ["Phoebe Bridgers", "Daft Punk"]}))
    pd.testing.assert_frame_equal(app.predictor.predict_frame(rows, app.encoder), loaded.predict_frame(rows, app.encoder))
    assert app.predictor.featurizer.catalog_artists is not None


def test_a_scratch_tunescope_keeps_nothing_but_shares_models_and_the_prediction_cache(tmp_path):
    from engine.pipeline.facade import Tunescope

    app = Tunescope(tmp_path)
    scratch = app.scratch()
    assert scratch.store is not app.store and scratch.store.memory
    assert scratch.catalog is app.catalog and scratch.enricher() is app.enricher()
    assert scratch.cache_store is app.store


# ---- nothing else assembles the engine ----------------------------------------------------------------
BUILDERS = {"Store", "Enricher", "Recommender"}
FACADE = ROOT / "engine" / "pipeline" / "facade.py"


def builds(path: Path, root: Path = ROOT) -> list[str]:
    """Calls that construct a store, an enricher or a recommender: Store(...), Enricher(...), Recommender.load(...)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.attr == "load":
            name = func.value.id
        if name in BUILDERS:
            found.append(f"{path.relative_to(root)}:{node.lineno} {name}")
    return found


def product_files() -> list[Path]:
    return [p for folder in ("engine", "dashboard", "pages", "bench") for p in (ROOT / folder).rglob("*.py")]


def test_only_the_facade_builds_a_store_an_enricher_or_a_recommender():
    offenders = [hit for path in product_files() if path != FACADE for hit in builds(path)]
    assert not offenders, "build these through engine.pipeline.facade.Tunescope:\n" + "\n".join(offenders)
    assert len(builds(FACADE)) >= 3  # the façade itself does build them


def test_the_rule_sees_a_module_that_builds_its_own(tmp_path):
    bad = tmp_path / "builds_its_own.py"
    bad.write_text("from engine.library.store import Store\n\ndef f():\n    return Store(':memory:'), Recommender.load()\n")
    assert builds(bad, tmp_path) == ["builds_its_own.py:4 Store", "builds_its_own.py:4 Recommender"]
