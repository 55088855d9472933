"""The ranker's settings come only from the config system: configs/ranker.toml through
engine.training_config, `--set` validated, no defaults in the dataclasses, serving reads the artifact."""

import dataclasses
import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from engine.config import models_dir
from engine.errors import TrainingConfigError
from engine.recs.ranker.candidates import STAGES
from engine.recs.ranker.model import RankerConfig, TreeSettings
from engine.recs.ranker.serve import load_ranker
from engine.recs.ranker.train import CONFIG_SCHEMA, settings
from engine.training_config import config_path, load

ROOT = Path(__file__).resolve().parents[2]


def test_the_dataclasses_carry_no_defaults_of_their_own():
    for cls in (TreeSettings, RankerConfig):
        for f in dataclasses.fields(cls):
            assert f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING, (cls, f.name)
    with pytest.raises(TypeError):
        RankerConfig()


def test_the_toml_is_the_one_set_of_values_and_the_shipped_ranker_was_fitted_with_it():
    raw = tomllib.loads(config_path("ranker").read_text())
    trees, config = settings(load("ranker", CONFIG_SCHEMA))
    assert dataclasses.asdict(trees) == raw["model"]
    assert dataclasses.asdict(config) == raw["training"]
    assert set(config.candidates) == set(STAGES)
    shipped = json.loads((models_dir() / "ranker" / "config.json").read_text())["config"]
    assert shipped == {**raw["model"], **raw["training"]}
    served = load_ranker(models_dir() / "ranker")
    assert served.trees == trees and served.config == config  # serving read the artifact's copy


def test_set_overrides_apply_and_are_validated():
    trees, config = settings(load("ranker", CONFIG_SCHEMA, ["max_iter=50", "training.folds=3",
                                                            "blend_cooccurrence=0.25"]))
    assert (trees.max_iter, config.folds, config.blend_cooccurrence) == (50, 3, 0.25)
    assert trees.min_samples_leaf == 100  # the rest stays as the file says
    for bad, message in (("max_iter=many", "max_iter must be"), ("bogus=1", "unknown key"),
                         ("candidates={genre = 3}", "every stage"), ("cuts=0.5", "cuts must be")):
        with pytest.raises(TrainingConfigError, match=message):
            settings(load("ranker", CONFIG_SCHEMA, [bad]))


def test_no_module_reads_the_ranker_settings_any_other_way():
    recs = ROOT / "engine" / "recs"
    for path in recs.rglob("*.py"):
        text = path.read_text()
        assert "tomllib" not in text and "ranker.toml\")" not in text, path
    assert not (recs / "ranker.toml").exists()


def test_the_cli_refuses_a_bad_override_before_any_work(tunescope_home):
    done = subprocess.run([sys.executable, "-m", "engine", "evaluate-recs", "--listeners", "--set", "max_iter=many"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 2 and "max_iter must be" in done.stderr and "Traceback" not in done.stderr
