"""Two-tower recommender: a user tower over a playlist's (or library's) preferences and an item tower
over a track's content. No I/O.

Differences from the design doc, and why:
- No learnable user-id embedding: at serving time the user is a new library, never seen in training,
  so the user is described only by what its tracks say (genre, mood and artist preferences, audio
  averages and spreads, activity-like statistics).
- Genre and artist embedding tables are shared by both towers: a user's genre preference is the
  weighted mean of the same genre vectors the items use.
- Wide part: the embedding's tail is the raw artist and genre vectors on both sides, so "this artist /
  these genres are in the playlist" reaches the score directly instead of through two MLPs
  (measured: validation NDCG@10 up from 0.06; see models/two_tower/metrics.json).
- Score = cos(u, v) / temperature + item bias(v's inputs), trained with a softmax over the whole
  candidate set. For serving, items are stored as [v / temperature, bias] and users as [u, 1], so an
  exact inner-product index ranks by the model's score.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class TwoTowerConfig:
    num_artists: int = 1            # row 0 = unknown artist
    num_genres: int = 1             # row 0 = padding
    num_moods: int = 20
    text_dim: int = 384
    audio_dim: int = 17             # 8 features, 8 confidences, predicted flag
    item_meta_dim: int = 4          # popularity, popularity-missing, year, year-missing
    user_audio_dim: int = 16        # mean and spread of the 8 features
    user_stats_dim: int = 10
    artist_dim: int = 32
    genre_dim: int = 32
    mood_dim: int = 16
    text_proj: int = 64
    hidden: int = 256
    output_dim: int = 64
    dropout: float = 0.2
    temperature: float = 0.05
    use_popularity: bool = True
    wide: bool = True               # also match artist and genre embeddings directly (see the docstring)

    def to_dict(self) -> dict:
        return asdict(self)


def _mlp(width: int, hidden: int, out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(nn.Linear(width, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Dropout(dropout),
                         nn.Linear(hidden, hidden // 2), nn.GELU(), nn.Linear(hidden // 2, out))


class TwoTowerModel(nn.Module):
    def __init__(self, config: TwoTowerConfig):
        super().__init__()
        c = self.config = config
        self.artist = nn.Embedding(c.num_artists, c.artist_dim)
        self.genre = nn.EmbeddingBag(c.num_genres, c.genre_dim, mode="mean", padding_idx=0)
        nn.init.normal_(self.artist.weight, std=0.1)
        nn.init.normal_(self.genre.weight, std=0.1)
        self.item_mood = nn.Linear(c.num_moods, c.mood_dim)
        self.text = nn.Sequential(nn.Dropout(0.1), nn.Linear(c.text_dim, c.text_proj))
        self.item_audio = nn.Sequential(nn.Linear(c.audio_dim, 32), nn.GELU())
        self.item_meta = nn.Sequential(nn.Linear(c.item_meta_dim, 16), nn.GELU())
        item_width = c.text_proj + c.artist_dim + c.genre_dim + c.mood_dim + 32 + 16
        self.item_mlp = _mlp(item_width, c.hidden, c.output_dim, c.dropout)
        self.item_bias = nn.Sequential(nn.Linear(item_width, 32), nn.GELU(), nn.Linear(32, 1))
        self.user_mood = nn.Linear(c.num_moods, c.mood_dim)
        self.user_audio = nn.Sequential(nn.Linear(c.user_audio_dim, 32), nn.GELU())
        self.user_stats = nn.Sequential(nn.Linear(c.user_stats_dim, 16), nn.GELU())
        user_width = c.artist_dim + c.genre_dim + c.mood_dim + 32 + 16
        self.user_mlp = _mlp(user_width, c.hidden, c.output_dim, c.dropout)

    def _item_hidden(self, text, artist, genres, moods, audio, meta):
        if not self.config.use_popularity:
            meta = torch.cat([torch.zeros_like(meta[:, :2]), meta[:, 2:]], dim=1)
        return torch.cat([self.text(text), self.artist(artist), self.genre(genres), self.item_mood(moods),
                          self.item_audio(audio), self.item_meta(meta)], dim=1)

    def item_tower(self, text, artist, genres, moods, audio, meta):
        """(unit item embeddings (N, d), item bias (N,))."""
        h = self._item_hidden(text, artist, genres, moods, audio, meta)
        wide = [self.artist(artist), self.genre(genres)] if self.config.wide else []
        return F.normalize(torch.cat([self.item_mlp(h), *wide], dim=1), dim=1), self.item_bias(h).squeeze(1)

    def user_tower(self, artist_hist, genre_hist, moods, audio, stats):
        """Unit user embeddings (B, d). artist_hist (B, num_artists) and genre_hist (B, num_genres) are
        row-normalized preference weights over the shared embedding tables."""
        artists, genres = artist_hist @ self.artist.weight, genre_hist @ self.genre.weight
        h = torch.cat([artists, genres, self.user_mood(moods), self.user_audio(audio), self.user_stats(stats)], dim=1)
        wide = [artists, genres] if self.config.wide else []
        return F.normalize(torch.cat([self.user_mlp(h), *wide], dim=1), dim=1)

    def scores(self, user, item, bias):
        return user @ item.T / self.config.temperature + bias[None, :]

    def serving_items(self, item, bias):
        """[v / temperature, bias]: inner product with serving_users(u) equals scores(u, v, bias)."""
        return torch.cat([item / self.config.temperature, bias[:, None]], dim=1)

    @staticmethod
    def serving_users(user):
        return torch.cat([user, torch.ones_like(user[:, :1])], dim=1)


def softmax_loss(logits: torch.Tensor, targets: torch.Tensor, context: torch.Tensor) -> torch.Tensor:
    """Multi-positive softmax: each target item against every candidate the user does not already hold.
    targets and context are (B, N) 0/1 masks."""
    logits = logits.masked_fill(context > 0, float("-inf"))
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    per_user = -(log_prob.masked_fill(targets == 0, 0.0)).sum(1) / targets.sum(1).clamp(min=1)
    return per_user.mean()
