"""LyricsTopicModel: lyrics, audio and metadata branches -> fusion -> projection -> encoder -> 22 targets. No I/O.

The encoder's output is the shared representation: the regression head reads it, and the
"songs about the same things" search compares songs by it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn


@dataclass
class LyricsConfig:
    lyrics_dim: int = 385        # pooled MiniLM vector + scaled word count
    audio_dim: int = 8           # Tunescope's 8 audio features (tempo / 200)
    meta_dim: int = 4            # year, year-known flag, genre one-hot (+ other)
    n_targets: int = 22          # 16 topics + 6 audio features
    use_lyrics: bool = True      # False: the same network without the lyrics branch (the "without lyrics" arm)
    lyrics_proj: int = 128
    audio_proj: int = 16
    meta_proj: int = 8
    projection: int = 128        # the fused vector is projected to this size
    encoder: list[int] = field(default_factory=lambda: [128, 64])  # last size = the shared representation
    dropout: float = 0.3
    lyrics_dropout: float = 0.2   # measured on validation with MSE: 0.5 starved the rare topics (see docs/models/lyrics.md)
    huber_delta: float | None = None  # None = MSE. Measured: Huber(1.0) on z-scored, skewed topic scores treats a
                                      # rare topic's few high scores as outliers and the net collapses to the mean
    audio_skip: bool = True      # a linear path from audio + metadata straight to the targets

    def to_dict(self) -> dict:
        return asdict(self)


def _dense(width_in: int, width_out: int, dropout: float) -> list[nn.Module]:
    return [nn.Linear(width_in, width_out), nn.LayerNorm(width_out), nn.GELU(), nn.Dropout(dropout)]


class LyricsTopicModel(nn.Module):
    """Outputs (N, n_targets) on the standardized target scale (each target z-scored on the training split)."""

    def __init__(self, config: LyricsConfig):
        super().__init__()
        self.config = c = config
        self.lyrics = (nn.Sequential(nn.Dropout(c.lyrics_dropout), nn.Linear(c.lyrics_dim, c.lyrics_proj), nn.GELU())
                       if c.use_lyrics else None)
        self.audio = nn.Sequential(nn.Linear(c.audio_dim, c.audio_proj), nn.GELU())
        self.meta = nn.Sequential(nn.Linear(c.meta_dim, c.meta_proj), nn.GELU())
        fused = c.audio_proj + c.meta_proj + (c.lyrics_proj if c.use_lyrics else 0)
        self.projection = nn.Sequential(*_dense(fused, c.projection, c.dropout))
        layers, width = [], c.projection
        for size in c.encoder[:-1]:
            layers += _dense(width, size, c.dropout)
            width = size
        # The representation ends in a LayerNorm, not dropout: search compares these vectors directly.
        layers += [nn.Linear(width, c.encoder[-1]), nn.LayerNorm(c.encoder[-1]), nn.GELU()]
        self.encoder = nn.Sequential(*layers)
        self.head = nn.Linear(c.encoder[-1], c.n_targets)
        # Why the skip: the predicted audio features already carry most of what is known about a song's
        # valence and energy; without a direct path, the deep branch must relearn that through the
        # bottleneck and the noisier lyrics drown it.
        self.skip = nn.Linear(c.audio_dim + c.meta_dim, c.n_targets) if c.audio_skip else None

    def represent(self, lyrics: torch.Tensor, audio: torch.Tensor, meta: torch.Tensor) -> torch.Tensor:
        """The shared representation, (N, encoder[-1])."""
        parts = [self.audio(audio), self.meta(meta)]
        if self.lyrics is not None:
            parts.insert(0, self.lyrics(lyrics))
        return self.encoder(self.projection(torch.cat(parts, dim=1)))

    def forward(self, lyrics: torch.Tensor, audio: torch.Tensor, meta: torch.Tensor) -> torch.Tensor:
        out = self.head(self.represent(lyrics, audio, meta))
        return out + self.skip(torch.cat([audio, meta], dim=1)) if self.skip is not None else out


def lyrics_loss(pred: torch.Tensor, target: torch.Tensor, delta: float | None = None) -> torch.Tensor:
    """MSE (or Huber when delta is set) on standardized targets, every target weighing the same."""
    if delta is None:
        return nn.functional.mse_loss(pred, target)
    return nn.functional.huber_loss(pred, target, delta=delta)
