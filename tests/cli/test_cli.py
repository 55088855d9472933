"""The CLI contract: python -m engine predict --input LIB.csv --output OUT.csv."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from engine.config import FEATURES
from engine.library.importers.exportify import read_exportify

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = FEATURES + [f"{f}_confidence" for f in FEATURES] + ["confidence", "source"]


def run_cli(*args, home):
    env = dict(os.environ, TUNESCOPE_HOME=str(home), HF_HUB_OFFLINE="1")
    return subprocess.run([sys.executable, "-m", "engine", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def library(samples, tmp_path_factory):
    """A real playlist in the normalized schema: features stripped, release dates cut to years, one column gone."""
    frame = read_exportify(samples / "exportify" / "martinkvu__2026-03__Your_Top_Songs_2024.csv")
    frame = frame.drop(columns=FEATURES + ["source", "album_total_tracks"])
    frame["release_date"] = frame["release_date"].str[:4]
    frame = pd.concat([frame, pd.DataFrame({"title": ["A Song Nobody Has", "夜に駆ける"],
                                            "artists": ["Totally Unknown Band", "YOASOBI"]})], ignore_index=True)
    path = tmp_path_factory.mktemp("lib") / "library.csv"
    frame.to_csv(path, index=False)
    return path


def test_predict_keeps_rows_order_and_ids_and_adds_outputs(library, tmp_path):
    out_path = tmp_path / "out.csv"
    result = run_cli("predict", "--input", str(library), "--output", str(out_path), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    given = pd.read_csv(library, dtype=str, keep_default_na=False)
    out = pd.read_csv(out_path, dtype={"track_id": str}, keep_default_na=False)
    assert list(out.columns) == list(given.columns) + OUTPUTS
    assert out["track_id"].tolist() == given["track_id"].tolist()
    assert out["title"].tolist() == given["title"].tolist()
    assert set(out["source"]) <= {"catalog", "predicted", "export", "spotify"}
    assert {"catalog", "predicted"} <= set(out["source"])
    assert out[FEATURES].notna().all().all()
    catalog = out["source"] == "catalog"
    # Catalog values are certain; a catalog table without one feature (Organize Your Music had no
    # instrumentalness) leaves just that feature to the network.
    assert (out.loc[catalog, "energy_confidence"] == 1.0).all()
    assert (out.loc[catalog, "confidence"] > 7 / 8 - 1e-9).all()
    assert out.loc[~catalog, "confidence"].between(0, 1).all() and (out.loc[~catalog, "confidence"] < 1).all()

    again = run_cli("predict", "--input", str(library), "--output", str(tmp_path / "again.csv"), home=tmp_path / "home")
    assert again.returncode == 0, again.stderr
    assert "predicting" in result.stderr and "predicting" not in again.stderr  # the re-run is served from the store
    pd.testing.assert_frame_equal(out, pd.read_csv(tmp_path / "again.csv", dtype={"track_id": str}, keep_default_na=False))


def test_export_features_are_kept_with_source_export(samples, tmp_path):
    frame = read_exportify(samples / "exportify" / "seankmchenry__2023-01__donald_fagen.csv").drop(columns=["source"])
    path = tmp_path / "fagen.csv"
    frame.to_csv(path, index=False)
    result = run_cli("predict", "--input", str(path), "--output", str(tmp_path / "o.csv"), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    out = pd.read_csv(tmp_path / "o.csv")
    assert (out["source"] == "export").all()
    assert out["energy"].tolist() == pytest.approx(frame["energy"].tolist())


def test_csv_without_title_or_artist_gets_one_clear_error(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("song,performer,year\nDreams,Fleetwood Mac,1977\n")
    result = run_cli("predict", "--input", str(path), "--output", str(tmp_path / "o.csv"), home=tmp_path / "home")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "bad.csv" in result.stderr and "'song'" in result.stderr and "'performer'" in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_missing_empty_headerless_and_binary_files_are_clear(tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header_only = tmp_path / "header_only.csv"
    header_only.write_text("title,artists\n")
    for path in (tmp_path / "nope.csv", garbage, empty, header_only):
        result = run_cli("predict", "--input", str(path), "--output", str(tmp_path / "o.csv"), home=tmp_path / "home")
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr and path.name in result.stderr


def test_predict_track_prints_json(tmp_path):
    result = run_cli("predict-track", "--title", "Dreams", "--artists", "Fleetwood Mac", "--genres", "soft rock",
                     home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    import json

    data = json.loads(result.stdout)
    assert 0 <= data["energy"] <= 1 and data["catalog"] is not None
