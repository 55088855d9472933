"""The lyrics model on its shipped artifact: round trip, chunking, bad lyrics, CLI `lyrics` column, the form's panel."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from engine.config import FEATURES
from engine.errors import LyricsError
from engine.lyrics.serving import ARTIFACT_FILES, LyricsModel, add_lyrics_columns, default_path, topic_column
from engine.lyrics.data import TARGETS, TOPICS, load_dataset
from engine.lyrics.text import CHUNK_TOKENS, LyricsEmbedder, clean_words
from engine.lyrics.train import stack_linear

ROOT = Path(__file__).resolve().parents[2]
SAD = ("[Verse 1]\nTears keep falling down tonight, my heart is broken and I cry alone.\n"
       "You said goodbye and walked away, now I'm lonely in the cold and empty room.\n[Chorus]\n"
       "I miss you, I miss you, the pain won't let me go,\nevery tear a memory of the love we used to know.")
WAR = ("Blood on the streets, the soldiers fight and kill,\nguns in the night, another brother dies,\n"
       "we fight the war, we burn, we shoot, the enemy is coming,\ndeath is all around, the battle rages, blood and fire.")
GARBAGE = "asdkj qwpoe zxmnv lkjhg poiuy mnbvc qazwsx edcrfv tgbyhn"
FEATURE_VALUES = dict(zip(FEATURES, [0.4, 0.3, 0.5, 0.6, 0.0, 0.15, 0.04, 110.0]))


@pytest.fixture(scope="module")
def model():
    return LyricsModel.load()


def test_artifact_is_complete_small_and_carries_its_evaluation():
    path = default_path()
    assert all((path / f).exists() for f in ARTIFACT_FILES + ["metrics.json"])
    assert sum(f.stat().st_size for f in path.iterdir()) < 25 * 2**20
    metrics = json.loads((path / "metrics.json").read_text())
    assert set(metrics["r2"]) == set(TARGETS)
    assert all(set(v) == {"model", "mean", "ridge"} for v in metrics["r2"].values())
    assert metrics["split"]["by"] == "artist" and metrics["test_artists"] > 50
    assert metrics["mean_r2"]["topics"]["model"] > 0.2  # the words do say what a song is about
    # The shipped (stacked) model beats the ridge on the same inputs, same held-out artists, same run.
    for group in ("topics", "audio"):
        assert metrics["mean_r2"][group]["model"] >= metrics["mean_r2"][group]["ridge"]
    assert set(metrics["stack"]["network_weight"]) == set(TARGETS)
    config = json.loads((path / "config.json").read_text())
    assert "pop only" in config["dataset"] and "torch" in config["versions"]
    assert config["feeds_predictor"] == metrics["feeds_predictor"]


def test_save_load_round_trip(model, tmp_path):
    rng = np.random.default_rng(0)
    c = model.config
    lyrics = rng.normal(size=(5, c.lyrics_dim)).astype(np.float32)
    audio = np.abs(rng.normal(0.5, 0.2, size=(5, c.audio_dim))).astype(np.float32)
    meta = np.abs(rng.normal(size=(5, c.meta_dim))).astype(np.float32)
    model.save(tmp_path / "copy")
    again = LyricsModel.load(tmp_path / "copy", encoder=model.encoder)
    np.testing.assert_allclose(again.predict(lyrics, audio, meta), model.predict(lyrics, audio, meta), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(again.represent(lyrics, audio, meta), model.represent(lyrics, audio, meta), atol=1e-6)
    np.testing.assert_allclose(again.index.astype(np.float32), model.index.astype(np.float32))
    assert again.feeds == model.feeds and again.vocabulary == model.vocabulary
    assert model.linear is not None and set(again.linear) == {"coef", "intercept", "blend"}
    np.testing.assert_allclose(again.linear["blend"], model.linear["blend"])
    pd.testing.assert_frame_equal(again.songs, model.songs)


def test_stack_picks_each_targets_blend_on_validation(model):
    """A target the linear path explains gets weight 0 on the network, one the network explains weight 1."""
    rng = np.random.default_rng(1)
    c = model.config
    blocks = (rng.normal(size=(200, c.lyrics_dim)).astype(np.float32),
              np.abs(rng.normal(0.5, 0.2, size=(200, c.audio_dim))).astype(np.float32),
              np.abs(rng.normal(size=(200, c.meta_dim))).astype(np.float32))
    net_only = LyricsModel(c, model.members, model.scalers, model.genre_vocab, model.words)
    ridge = {"coef": rng.normal(0, 0.05, size=(c.n_targets, net_only.linear_design(*blocks).shape[1])).astype(np.float32),
             "intercept": np.zeros(c.n_targets, np.float32)}
    net = net_only.predict_network(*blocks)
    lin = net_only.linear_design(*blocks) @ ridge["coef"].T
    y = np.where(np.arange(c.n_targets) % 2 == 0, lin, net)
    stack_linear(net_only, ridge, blocks, y)
    assert net_only.linear["blend"][0::2].tolist() == [0.0] * len(range(0, c.n_targets, 2))
    assert net_only.linear["blend"][1::2].tolist() == [1.0] * len(range(1, c.n_targets, 2))
    np.testing.assert_allclose(net_only.predict(*blocks), y, rtol=1e-4, atol=1e-4)


@pytest.mark.data
def test_long_lyrics_are_chunked_within_minilm_limits_and_pooled(model):
    longest = max(load_dataset()["lyrics"], key=lambda t: len(t.split()))
    words = clean_words(longest) * 3
    embedder = LyricsEmbedder(model.encoder)
    chunks = embedder.chunks(words)
    assert len(chunks) > 3
    assert " ".join(chunks).split() == words  # every word kept, in order
    tokenizer = model.encoder.model.tokenizer
    assert max(len(tokenizer.tokenize(c)) for c in chunks) <= CHUNK_TOKENS < model.encoder.model.max_seq_length
    once, thrice, first = embedder.embed([clean_words(longest), words, chunks[0].split()])
    assert np.linalg.norm(thrice) == pytest.approx(1.0, abs=1e-5)
    assert float(once @ thrice) > 0.97  # pooling, not truncation: repeating a song barely moves it
    assert float(first @ thrice) < float(once @ thrice)


def test_pasted_lyrics_are_cleaned_like_the_training_lyrics():
    words = clean_words(SAD)
    assert "chorus" not in words and "verse" not in words and "the" not in words and "i" not in words
    assert words[:4] == ["tears", "falling", "tonight", "heart"] and "won't" not in " ".join(words)


@pytest.mark.parametrize("text, says", [("", "no words"), ("   \n 123 456 !!! ", "no words"),
                                        ("love you baby", "only 2 meaningful"), (GARBAGE, "does not look like")])
def test_empty_short_and_garbage_lyrics_raise_a_clear_error(model, text, says):
    with pytest.raises(LyricsError, match=says):
        model.analyze(text, FEATURE_VALUES)


def test_lyrics_longer_than_any_song_are_refused_before_any_work(model, monkeypatch):
    """Issue 30 (6): 600 KB in the box cost 52 s of CPU on every rerun."""
    from engine.lyrics.serving import MAX_LYRICS_CHARS

    monkeypatch.setattr(model, "blocks", lambda *a, **k: pytest.fail("the model ran on 600 KB of text"))
    with pytest.raises(LyricsError, match=f"up to {MAX_LYRICS_CHARS:,}"):
        model.analyze(SAD * (600_000 // len(SAD) + 1), FEATURE_VALUES)


def test_the_panel_answers_a_rerun_with_the_same_lyrics_from_its_cache(monkeypatch):
    from engine.lyrics.serving import LyricsModel

    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=180).run()
    app.switch_page("../pages/predictor.py").run()
    app.text_area(key="lyrics").set_value(WAR).run()
    calls = []
    original = LyricsModel.analyze
    monkeypatch.setattr(LyricsModel, "analyze", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    app.run()  # another widget moved: the same lyrics and features
    assert not app.exception and calls == []


def test_topics_and_similar_songs_follow_the_words(model):
    sad, war = model.analyze(SAD, FEATURE_VALUES, k=5), model.analyze(WAR, FEATURE_VALUES, year=1980, k=5)
    assert list(sad["topics"])[0] == "sadness"
    assert "violence" in list(war["topics"])[:2]
    assert len(sad["neighbours"]) == 5 and sad["neighbours"]["similarity"].is_monotonic_decreasing
    assert (sad["neighbours"]["topic"] == "sadness").sum() > (war["neighbours"]["topic"] == "sadness").sum()
    assert set(sad["features"]) == set(model.feeds)


def test_lyrics_columns_update_only_the_features_lyrics_feed(model):
    enriched = pd.DataFrame({"title": ["A", "B", "C"], "artists": ["X", "Y", "Z"], "lyrics": [SAD, "", GARBAGE],
                             "release_date": ["1975", "", ""], "source": ["predicted", "predicted", "catalog"],
                             **{f: [v] * 3 for f, v in FEATURE_VALUES.items()}})
    lines = []
    out = add_lyrics_columns(enriched, model, log=lines.append)
    assert out.loc[0, "top_topic"] == "sadness" and out.loc[0, topic_column("sadness")] > 0.2
    assert out.loc[[1, 2], "top_topic"].tolist() == ["", ""] and out.loc[[1, 2], topic_column("sadness")].isna().all()
    assert len(lines) == 1 and "row 4" in lines[0] and "does not look like" in lines[0]
    unchanged = [f for f in FEATURES if f not in model.feeds]
    pd.testing.assert_frame_equal(out[unchanged], enriched[unchanged])
    feeding = LyricsModel(model.config, model.members, model.scalers, model.genre_vocab, model.words,
                          model.index, model.songs, {"feeds_predictor": ["valence"]}, model.encoder, model.linear)
    fed = add_lyrics_columns(enriched, feeding, log=lines.append)
    assert fed.loc[0, "valence"] != enriched.loc[0, "valence"] and fed.loc[1:, "valence"].tolist() == [0.3, 0.3]


def test_cli_predict_fills_topic_columns_from_a_lyrics_column(tmp_path):
    path = tmp_path / "with_lyrics.csv"
    pd.DataFrame({"title": ["Rainy Night Song", "No Words Here", "Keyboard Mash"],
                  "artists": ["Nobody Known", "Someone Else", "Third Act"],
                  "lyrics": [SAD, "", GARBAGE]}).to_csv(path, index=False)
    env = dict(os.environ, TUNESCOPE_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")
    result = subprocess.run([sys.executable, "-m", "engine", "predict", "--input", str(path), "--output",
                             str(tmp_path / "out.csv"), "--no-catalog"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "row 4" in result.stderr and "Traceback" not in result.stderr
    out = pd.read_csv(tmp_path / "out.csv", keep_default_na=False)
    assert out.columns[-17:].tolist() == ["top_topic"] + [topic_column(t) for t in TOPICS]
    assert out["top_topic"].tolist() == ["sadness", "", ""]
    assert out[FEATURES].notna().all().all()


def test_predictor_page_lyrics_panel():
    app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=180).run()
    app.switch_page("../pages/predictor.py").run()
    assert any("Paste lyrics" in i.value for i in app.info)
    assert any("pop only" in c.value for c in app.caption)
    charts = len(app.get("plotly_chart"))
    app.text_area(key="lyrics").set_value(SAD).run()
    assert not app.exception
    assert len(app.get("plotly_chart")) == charts + 1
    words = next(m.value for m in app.markdown if m.value.startswith("**Top topics**"))
    import re

    assert f"of {len(re.findall(r'[A-Za-z]+', SAD.replace(chr(39), '')))} words (" in words  # as a reader counts them
    updates = [d.value for d in app.dataframe if "with lyrics" in d.value.columns]
    assert all(str(v).endswith("%") for table in updates for v in table["with lyrics"])  # % as the page above
    neighbours = app.dataframe[-1].value
    assert list(neighbours.columns) == ["artist", "title", "year", "topic", "similarity"] and len(neighbours) == 8
    app.text_area(key="lyrics").set_value(GARBAGE).run()
    assert not app.exception and any("does not look like" in w.value for w in app.warning)
