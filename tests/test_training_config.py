"""Training from config files: a tiny real run from a config with overrides writes its applied config and
per-epoch log; bad overrides are refused with the valid keys; the checked-in configs are what the shipped
artifacts were trained with."""

import json
import shutil

import numpy as np
import pytest

from engine.catalog import datasets as reference
from engine.cli.main import main
from engine.config import models_dir
from engine.training_config import CONFIG_DIR, EpochLog, load, read_log
from engine.lyrics.train import CONFIG_SCHEMA as LYRICS
from engine.predictor.fit import artist_split
from engine.predictor.train import CONFIG_SCHEMA as PREDICTOR, artist_keys, fit_ensemble
from engine.recs.train import CONFIG_SCHEMA as TWO_TOWER


@pytest.mark.data
def test_a_tiny_predictor_run_from_a_config_with_overrides_writes_its_log_and_applied_config(enricher, tmp_path):
    config = tmp_path / "predictor.toml"
    shutil.copy(CONFIG_DIR / "audio_predictor.toml", config)
    applied = load("audio_predictor", PREDICTOR, ["members=1", "max_epochs=2", "batch_size=64", "lr=3e-4",
                                                  "model.dropout=0.2", "model.hidden=[64, 32]"], path=config)
    cfg = applied.training
    cfg.model_options = dict(applied.model)
    tracks = reference.training_tracks().sample(300, random_state=0).reset_index(drop=True)
    parts = artist_split(artist_keys(tracks), {"fit": 0.8, "val": 0.2}, seed=1)
    epoch_log = EpochLog()
    members, model_config = fit_ensemble(enricher.predictor.featurizer, tracks[parts["fit"]], tracks[parts["val"]],
                                         enricher.encoder, cfg, log=lambda _: None, epoch_log=epoch_log)
    out = tmp_path / "artifact"
    out.mkdir()
    applied.write(out)
    epoch_log.write(out)

    assert len(members) == 1 and model_config.dropout == 0.2 and model_config.hidden == [64, 32]
    written = json.loads((out / "train_config.json").read_text())
    assert written["overrides"][-1] == "model.hidden=[64, 32]"
    assert written["training"]["lr"] == 3e-4 and written["training"]["max_epochs"] == 2
    assert written["model"]["dropout"] == 0.2 and written["model"]["text_proj"] == 128  # the file's value kept
    log = read_log(out)
    assert [r["epoch"] for r in log] == [1, 2]
    for record in log:
        assert np.isfinite(record["train_loss"]) and np.isfinite(record["val_loss"]) and record["seconds"] >= 0
        assert record["lr"] <= 3e-4 + 1e-12
    assert log[1]["seconds"] >= log[0]["seconds"]


def refusal(capsys, command: str, override: str) -> str:
    """The one line the CLI prints when it refuses `--set override` (exit status 2)."""
    assert main([command, "--set", override]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("command, override, says", [
    ("train", "bogus=1", "unknown key 'bogus'"),
    ("train", "lr=fast", "lr must be float, not 'fast'"),
    ("train", "model.hidden=[256, \"wide\"]", "hidden must be list[int]"),
    ("train-lyrics", "members=2.5", "members must be int, not 2.5"),
    ("train-lyrics", "optimizer.lr=1", "unknown section 'optimizer'"),
    ("evaluate-recs", "use_popularity=maybe", "use_popularity must be bool"),
    ("evaluate-recs", "steps", "expected KEY=VALUE"),
])
def test_a_bad_override_is_one_clear_line_listing_the_valid_keys(capsys, command, override, says):
    err = refusal(capsys, command, override)
    assert "Traceback" not in err
    assert says in err
    assert "Valid keys: model:" in err and "training:" in err and "seed (int)" in err


def test_a_config_file_with_an_unknown_key_names_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((CONFIG_DIR / "lyrics.toml").read_text().replace("patience = 15", "patience = 15\npatiense = 3"))
    assert main(["train-lyrics", "--config", str(bad)]) == 2
    assert f"{bad} [training]: unknown key 'patiense'" in capsys.readouterr().err


def _same(expected: dict, actual: dict, keys) -> dict:
    return {k: (expected[k], actual[k]) for k in keys if expected[k] != actual[k]}


def test_the_checked_in_configs_are_what_the_shipped_artifacts_were_trained_with():
    predictor = json.loads((models_dir() / "audio_predictor" / "config.json").read_text())
    applied = load("audio_predictor", PREDICTOR)
    training = applied.to_dict()["training"]
    assert _same(predictor["train_config"], training, training) == {}
    assert _same(predictor["model"], applied.model, applied.model) == {}

    lyrics = json.loads((models_dir() / "lyrics" / "config.json").read_text())
    applied = load("lyrics", LYRICS)
    assert _same(lyrics["train_config"], applied.to_dict()["training"], lyrics["train_config"]) == {}
    assert _same(lyrics["model"], applied.model, applied.model) == {}

    two_tower = json.loads((models_dir() / "two_tower" / "config.json").read_text())
    applied = load("two_tower", TWO_TOWER)
    # evaluate-recs trains with and without popularity and ships the variant validation preferred
    assert _same(two_tower["train"], applied.to_dict()["training"], set(two_tower["train"]) - {"use_popularity"}) == {}
    assert _same(two_tower["model"], applied.model, applied.model) == {}


def test_a_half_written_training_log_never_crashes_a_card_and_the_log_is_written_whole(tmp_path):
    """Issue 30 (10): a train_log.jsonl cut mid-line crashed the Models page for everyone."""
    import shutil

    from engine.cards.card import build_card
    from engine.config import models_dir
    from engine.training_config import LOG_FILE, EpochLog

    folder = tmp_path / "two_tower"
    shutil.copytree(models_dir() / "two_tower", folder, ignore=shutil.ignore_patterns("*.npy", "*.pt", "*.parquet"))
    log = EpochLog()
    for step in range(4):
        log(step=step, loss=1.0 / (step + 1))
    whole = log.write(folder).read_text().splitlines()
    (folder / LOG_FILE).write_text("\n".join(whole[:3]) + "\n" + whole[3][: len(whole[3]) // 2])  # cut mid-record
    card = build_card("two_tower", folder)
    assert len(card.curve) == 3 and card.evaluations
    log = EpochLog()
    log(step=1, loss=0.5)
    log.write(folder)
    assert [r["step"] for r in build_card("two_tower", folder).curve] == [1]
    assert [p.name for p in folder.iterdir() if p.name.endswith(".partial")] == []


@pytest.mark.parametrize("command, override, says", [
    ("train", "lr=nan", "lr must be a finite number"),
    ("train", "members=-3", "members must be above 0"),
    ("train", "dropout=5.0", "dropout must be between 0 and 1"),
    ("train", "model.hidden=[256, 0]", "hidden must be above 0"),
    ("train-lyrics", "weight_decay=-0.1", "weight_decay must be 0 or more"),
    ("evaluate-recs", "lr=inf", "lr must be a finite number"),
])
def test_an_override_of_the_right_type_but_no_possible_value_is_refused(capsys, command, override, says):
    """Issue 30 (11): overrides were checked by type only (lr=nan, members=-3, dropout=5.0 were accepted)."""
    err = refusal(capsys, command, override)
    assert says in err, err
