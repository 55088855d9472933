"""The Models page (AppTest): a card for every shipped model, its figures read from that model's metrics.json,
the predictor's calibration and reliability, and a training curve wherever a train_log.jsonl is shipped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from engine.cards import build_card, model_cards
from engine.cards.predictor import HEADLINE_SET
from engine.config import FEATURES, models_dir
from engine.training_config import EpochLog

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "models.py")


def shipped() -> list[str]:
    return sorted(p.name for p in models_dir().iterdir() if (p / "metrics.json").exists()) + ["catalog"]


def metrics(name: str) -> dict:
    return json.loads((models_dir() / name / "metrics.json").read_text())


def run_page() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def tab(at: AppTest, title: str):
    return next(t for t in at.tabs if t.label == title)


def text_of(block) -> str:
    return "\n".join(m.value for m in block.markdown).replace("\\", "")


@pytest.fixture(scope="module")
def page() -> AppTest:
    return run_page()


def test_every_shipped_model_has_a_card_with_its_evaluation(page):
    cards = {c.key: c for c in model_cards()}
    assert sorted(cards) == sorted(shipped())
    assert [t.label for t in page.tabs] == [c.title for c in model_cards()]
    for card in cards.values():
        block = tab(page, card.title)
        assert card.trust and all(line.replace("\\", "")[:40] in text_of(block).replace("\\", "") for line in card.trust)
        assert len(block.dataframe) >= len(card.evaluations) >= 1, card.key


def test_the_figures_are_read_from_each_metrics_json(page):
    head = metrics("audio_predictor")["out_of_distribution"][HEADLINE_SET]
    predictor = text_of(tab(page, "Audio-feature predictor"))
    for method in ("model", "prior_lookup", "ridge"):
        assert f"{head[method]['mean_skill_bounded']:.3f}" in predictor
    ranker = metrics("ranker")["real_listeners"]
    served = text_of(tab(page, "Recommendations: the learned ranker (served)"))
    assert f"{ranker['ranker_vs_best_baseline_recall@50']['ratio']:.2f}×" in served
    assert f"{ranker['ranker_vs_best_discovery_baseline']['ratio']:.2f}×" in served
    two = metrics("two_tower")["evaluation"]
    assert f"{two['two_tower_vs_best_baseline']:.2f}×" in text_of(tab(page, "Recommendations: the two-tower model"))
    lyrics = metrics("lyrics")["mean_r2"]["topics"]
    assert f"{lyrics['model']:.3f}" in text_of(tab(page, "Lyrics: topics and mood"))
    assert f"{metrics('clusters')['silhouette']:.3f}" in text_of(tab(page, "Clusters"))


def test_the_predictor_card_shows_coverage_per_feature_and_reliability(page):
    block = tab(page, "Audio-feature predictor")
    real = metrics("audio_predictor")["real_library_sets"]
    coverage = next(d.value for d in block.dataframe if "set" in d.value and "energy" in d.value)
    assert list(coverage["set"]) == list(real["sets"])
    first = next(iter(real["sets"].values()))["all rows"]["coverage_90"]
    assert coverage.iloc[0][list(first)].round(2).tolist() == [round(v, 2) for v in first.values()]
    bins = real["reliability"]["features"]
    assert set(bins) == set(FEATURES) and all(len(rows) == 5 for rows in bins.values())
    charts = block.get("plotly_chart")
    assert len(charts) >= 2
    traces = json.loads(charts[0].proto.spec)["data"]
    assert {t["name"] for t in traces} == set(FEATURES)


def test_a_model_without_a_training_log_says_so_plainly(page):
    for card in model_cards():
        block = tab(page, card.title)
        if card.curve is None:
            assert any(card.curve_note.split(":")[0] in i.value.replace("\\", "") for i in block.info), card.key


def test_a_shipped_training_log_becomes_a_curve_and_an_unknown_schema_a_plain_table(tmp_path, monkeypatch):
    root = tmp_path / "models"
    shutil.copytree(models_dir() / "lyrics", root / "lyrics", ignore=shutil.ignore_patterns("*.pt", "*.npz", "*.parquet"))
    log = EpochLog()
    for epoch, (train, val) in enumerate([(1.0, 0.9), (0.8, 0.85), (0.7, 0.84)], start=1):
        log(arm="with lyrics", member=0, epoch=epoch, train_loss=train, val_loss=val)
    log.write(root / "lyrics")
    (root / "mystery").mkdir()
    (root / "mystery" / "metrics.json").write_text(json.dumps({"accuracy": 0.5, "nested": {"x": [1, 2]}}))
    (root / "odd").mkdir()
    (root / "odd" / "metrics.json").write_text(json.dumps({"k": "seven"}))
    shutil.copytree(root / "odd", root / "clusters")  # a known model whose metrics lack what its builder reads

    assert build_card("clusters", root / "clusters").notes[0].startswith("metrics.json has a shape")
    monkeypatch.setattr("engine.config.models_dir", lambda: root)
    monkeypatch.setattr("engine.cards.card.models_dir", lambda: root)
    at = run_page()
    assert [t.label for t in at.tabs] == ["Clusters", "Lyrics: topics and mood", "Mystery", "Odd"]
    lyrics = tab(at, "Lyrics: topics and mood")
    curve = json.loads(lyrics.get("plotly_chart")[-1].proto.spec)["data"]
    assert [t["y"] for t in curve] == [[1.0, 0.8, 0.7], [0.9, 0.85, 0.84]]
    mystery = tab(at, "Mystery")
    assert mystery.dataframe[0].value.to_dict("records") == [{"figure": "accuracy", "value": 0.5}]
    assert any("shape this card does not know" in w.value.replace("\\", "") for w in tab(at, "Clusters").warning)
