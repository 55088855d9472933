"""The map: the committed UMAP artifact places library tracks, round-trips, and keeps neighbourhoods."""

import numpy as np
import pandas as pd
import pytest

from engine.config import FEATURES
from engine.errors import BadParameterError, EmptyLibraryError, ModelNotFoundError
from engine.explore.projection import MapModel


@pytest.fixture(scope="module")
def map_model():
    return MapModel.load()


@pytest.fixture(scope="module")
def library(enricher, samples):
    raw = pd.read_csv(samples / "exportify" / "martinkvu__2026-03__Your_Top_Songs_2024.csv", dtype=str,
                      encoding="utf-8-sig")
    return enricher.enrich(raw.drop(columns=[c for c in raw.columns if c.lower() in FEATURES]))


def test_numba_cache_lives_under_tunescope_home(tmp_path):
    """In a fresh process (this one may already have imported umap under another home)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | {"TUNESCOPE_HOME": str(tmp_path)}
    code = "import os; from engine.explore.projection import umap_module; umap_module(); print(os.environ['NUMBA_CACHE_DIR'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "numba")


def test_transform_places_every_track(map_model, library):
    for dims in (2, 3):
        coords = map_model.transform(library, dims=dims)
        assert coords.shape == (len(library), dims) and np.isfinite(coords).all()
        fitted = map_model.catalog_points(dims)
        lo, hi = fitted[list("xyz"[:dims])].min().to_numpy(), fitted[list("xyz"[:dims])].max().to_numpy()
        span = hi - lo
        assert ((coords >= lo - 0.1 * span) & (coords <= hi + 0.1 * span)).all()


def test_catalog_points_carry_context(map_model):
    points = map_model.catalog_points(dims=3, sample=500)
    assert len(points) == 500
    assert list(points.columns[:3]) == ["x", "y", "z"]
    assert {"title", "artists", "genres", *FEATURES} <= set(points.columns)


def test_save_load_round_trip(map_model, library, tmp_path):
    map_model.save(tmp_path)
    again = MapModel.load(tmp_path)
    np.testing.assert_allclose(again.transform(library, 2), map_model.transform(library, 2), atol=1e-5)


def test_map_keeps_neighbourhoods(map_model):
    """Trustworthiness of placed (unseen) catalog tracks against the standardized feature space."""
    from engine.catalog.items import catalog_items

    items = catalog_items()
    unseen = items[~items["key"].isin(map_model.points_["key"])]
    assert map_model.trustworthiness(unseen, dims=2, n=800) > 0.85


def test_bad_inputs(map_model, library, tmp_path):
    assert map_model.transform(library.iloc[:0]).shape == (0, 2)
    assert map_model.transform(library.iloc[:1]).shape == (1, 2)
    with pytest.raises(BadParameterError):
        map_model.transform(library, dims=4)
    with pytest.raises(EmptyLibraryError):
        map_model.transform(pd.DataFrame({"title": ["x"], "artists": ["y"]}))
    with pytest.raises(ModelNotFoundError):
        MapModel.load(tmp_path / "nothing")
