"""AudioFeaturePredictor: text, genre, mood, metadata and prior branches -> fusion -> 8 heads. No I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from engine.config import ARTIST_BLOCK, CATALOG_BLOCK, FEATURES, GENRE_BLOCK

# The design's per-feature loss weights (harder features weigh more).
LOSS_WEIGHTS = {"energy": 1.0, "valence": 1.0, "danceability": 1.2, "tempo": 1.2, "acousticness": 1.5,
                "instrumentalness": 1.5, "liveness": 2.0, "speechiness": 2.0}


@dataclass
class PredictorConfig:
    text_dim: int = 384
    genre_dim: int = 384          # genre strings arrive as MiniLM vectors (unseen micro-genres still land somewhere)
    mood_dim: int = 20            # mood/tag words (multi-hot)
    playlist_dim: int = 384       # MiniLM of the user's playlist names, appended to the mood input (0 = off)
    meta_dim: int = 49
    prior_dim: int = 30
    text_proj: int = 128
    genre_proj: int = 64          # the design's genre embedding size
    mood_proj: int = 32           # the design's mood embedding size
    meta_proj: int = 32           # the design's metadata transform size
    prior_proj: int = 32
    hidden: list[int] = field(default_factory=lambda: [256, 128])
    dropout: float = 0.3
    text_dropout: float = 0.1
    # Training means of the 8 targets (tempo / 200): the prior block is centred on them.
    feature_mean: list[float] = field(default_factory=lambda: [0.5] * 8)
    anchor_on_prior: bool = True

    def to_dict(self) -> dict:
        return asdict(self)


class AudioFeaturePredictor(nn.Module):
    """Outputs (N, 8) on the training scale: seven sigmoids in 0..1 and tempo / 200.

    The prior branch carries the artist and genre priors with their evidence (found flags, track count,
    genre similarity). With anchor_on_prior, each head is a residual on top of the best prior at hand
    (artist, else genre, else the training mean), shrunk towards the mean by a learned per-feature trust,
    and starts at zero: where the network knows little, the answer stays at the prior, and it learns from
    the evidence how far to move away from it.
    """

    def __init__(self, config: PredictorConfig):
        super().__init__()
        self.config = config
        c = config
        self.text = nn.Sequential(nn.Dropout(c.text_dropout), nn.Linear(c.text_dim, c.text_proj), nn.GELU())
        self.genre = nn.Sequential(nn.Linear(c.genre_dim, c.genre_proj), nn.GELU())
        self.mood = nn.Linear(c.mood_dim, c.mood_proj, bias=False)  # multi-hot @ W = pooled mood embeddings
        self.playlist = nn.Linear(c.playlist_dim, c.mood_proj, bias=False) if c.playlist_dim else None
        self.meta = nn.Sequential(nn.Linear(c.meta_dim, c.meta_proj), nn.GELU())
        self.prior = nn.Sequential(nn.Linear(c.prior_dim, c.prior_proj), nn.GELU())
        layers, width = [], c.text_proj + c.genre_proj + c.mood_proj + c.meta_proj + c.prior_proj
        for hidden in c.hidden:
            layers += [nn.Linear(width, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(c.dropout)]
            width = hidden
        self.fusion = nn.Sequential(*layers)
        self.heads = nn.ModuleDict({name: nn.Linear(width, 1) for name in FEATURES})
        self.register_buffer("feature_mean", torch.tensor(c.feature_mean, dtype=torch.float32))
        # How far each feature's anchor moves from the training mean towards the prior, learned:
        # an artist's mean tempo says little about one of its songs, its mean acousticness says a lot.
        self.prior_trust = nn.Parameter(torch.full((len(FEATURES),), 2.0))
        if c.anchor_on_prior:
            for head in self.heads.values():
                nn.init.zeros_(head.weight)
                nn.init.zeros_(head.bias)


    def forward(self, text, genre, mood, meta, prior) -> torch.Tensor:
        words = mood[:, :self.config.mood_dim]
        mood_out = self.mood(words / words.sum(dim=1, keepdim=True).clamp(min=1.0))
        if self.playlist is not None:
            mood_out = mood_out + self.playlist(mood[:, self.config.mood_dim:])
        combined = torch.cat([
            self.text(text), self.genre(genre), mood_out, self.meta(meta), self.prior(prior),
        ], dim=1)
        x = self.fusion(combined)
        delta = torch.cat([self.heads[name](x) for name in FEATURES], dim=1)
        if not self.config.anchor_on_prior:
            return torch.cat([torch.sigmoid(delta[:, :-1]), delta[:, -1:]], dim=1)
        trust = torch.sigmoid(self.prior_trust)
        base = self.feature_mean + trust * (prior_anchor(prior, self.feature_mean) - self.feature_mean)
        bounded = torch.sigmoid(torch.logit(base[:, :-1].clamp(0.01, 0.99)) + delta[:, :-1])
        return torch.cat([bounded, base[:, -1:] + delta[:, -1:]], dim=1)


def prior_anchor(prior: torch.Tensor, feature_mean: torch.Tensor) -> torch.Tensor:
    """Best prior per row (layout in engine.config): the artist's means (yamaerenay and catalog,
    weighted by their track counts) where known, else the genre prior, else the training mean."""
    n = len(FEATURES)

    def block(part: slice):
        values = prior[:, part.start:part.start + n] + feature_mean
        found, evidence = prior[:, part.start + n:part.start + n + 1], prior[:, part.start + n + 1:part.stop]
        return values, found, evidence

    yam, yam_found, yam_evidence = block(ARTIST_BLOCK)
    cat, cat_found, cat_evidence = block(CATALOG_BLOCK)
    genre, genre_found, _ = block(GENRE_BLOCK)
    yam_n = torch.expm1(yam_evidence * 8.0) * yam_found
    cat_n = torch.expm1(cat_evidence * 8.0) * cat_found
    total = yam_n + cat_n
    artist = (yam_n * yam + cat_n * cat) / total.clamp(min=1e-6)
    base = torch.where(genre_found > 0, genre, feature_mean.expand_as(genre))
    return torch.where(total > 0, artist, base)


def multitask_loss(pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None) -> torch.Tensor:
    """Design-weighted MSE over the 8 features; NaN targets (a table without a feature) are skipped."""
    mask = torch.isfinite(target)
    diff = torch.where(mask, pred - torch.nan_to_num(target), torch.zeros_like(pred))
    per_row = diff.pow(2)
    if weight is not None:
        per_row = per_row * weight[:, None]
        mask = mask * weight[:, None]
    feature_weights = torch.tensor([LOSS_WEIGHTS[f] for f in FEATURES], device=pred.device)
    per_feature = per_row.sum(dim=0) / mask.float().sum(dim=0).clamp(min=1e-6)
    return (per_feature * feature_weights).sum() / feature_weights.sum()
