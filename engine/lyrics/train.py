"""Training and evaluating the lyrics model in one run, on an artist-grouped split.

Run: python -m engine train-lyrics [--members 5] [--seed 0]   (writes models/lyrics/ with metrics.json)

Every artist is wholly in train (70%), validation (15%, early stopping, ridge alpha, stack blend) or test (15%, every
figure). Baselines come from the same run and split: the training mean, a ridge on the same inputs, and,
for valence and energy, the audio predictor as it is and the same network without its lyrics branch.
"""

from __future__ import annotations

import copy
import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import Ridge

from engine.config import FEATURES
from engine.predictor.fit import artist_split
from engine.lyrics.serving import LyricsModel
from engine.lyrics.data import DATASET_NOTE, TARGETS, TOPICS, dataset_inputs, load_dataset
from engine.lyrics.text import clean_words
from engine.lyrics.model import LyricsConfig, LyricsTopicModel, lyrics_loss
from engine.textnorm import artist_key, primary_artist
from engine.training_config import Schema

MOOD = ["valence", "energy"]
RIDGE_ALPHAS = [0.3, 1.0, 3.0, 10.0, 30.0, 100.0]
BLEND_GRID = np.linspace(0.0, 1.0, 21)  # the network's weight in the stacked prediction


@dataclass
class LyricsTrainConfig:
    members: int = 5
    seed: int = 0
    lr: float = 1e-3
    weight_decay: float = 0.05
    batch_size: int = 256
    max_epochs: int = 200
    patience: int = 15
    drop_year: float = 0.2
    search_k: int = 10


# configs/lyrics.toml: [training] is LyricsTrainConfig, [model] these LyricsConfig fields.
CONFIG_SCHEMA = Schema(LyricsTrainConfig, LyricsConfig, ("lyrics_proj", "audio_proj", "meta_proj", "projection",
                                                         "encoder", "dropout", "lyrics_dropout", "huber_delta",
                                                         "audio_skip"))

def r2(y: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Per-column R² (1 - SSE / SS around the test mean)."""
    return 1 - ((y - pred) ** 2).sum(axis=0) / ((y - y.mean(axis=0)) ** 2).sum(axis=0).clip(1e-12)


def fit_member(config: LyricsConfig, cfg: LyricsTrainConfig, train: list[torch.Tensor], val: list[torch.Tensor],
               seed: int, epoch_log=None) -> tuple[LyricsTopicModel, int]:
    """AdamW with early stopping on validation loss; train/val are [lyrics, audio, meta, z-scored targets].
    `epoch_log(epoch=, train_loss=, val_loss=)` receives one record per epoch."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = LyricsTopicModel(config)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    best, best_state, stale, epoch = float("inf"), None, 0, 0
    for epoch in range(cfg.max_epochs):
        model.train()
        order = torch.randperm(len(train[0]), generator=gen)
        losses = []
        for start in range(0, len(order), cfg.batch_size):
            idx = order[start:start + cfg.batch_size]
            lyrics, audio, meta = (t[idx] for t in train[:3])
            # A pasted song often comes without a year: hide it now and then so "unknown" is a seen input.
            meta = meta.clone()
            meta[torch.rand(len(idx), generator=gen) < cfg.drop_year, :2] = 0.0
            loss = lyrics_loss(model(lyrics, audio, meta), train[3][idx], config.huber_delta)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        with torch.inference_mode():
            current = float(lyrics_loss(model.eval()(*val[:3]), val[3], config.huber_delta))
        if epoch_log:
            epoch_log(epoch=epoch + 1, train_loss=float(np.mean(losses)), val_loss=current,
                      best_val_loss=min(best, current))
        if current < best - 1e-5:
            best, best_state, stale = current, copy.deepcopy(model.state_dict()), 0
        elif (stale := stale + 1) >= cfg.patience:
            break
    model.load_state_dict(best_state)
    return model.eval(), epoch + 1


def fit_ridge(design: np.ndarray, targets: np.ndarray, parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A ridge per target fitted on train, alpha chosen per target on validation: {"coef", "intercept"}."""
    train, val = parts["train"], parts["val"]
    best_score, coef, intercept = None, None, None
    for alpha in RIDGE_ALPHAS:
        ridge = Ridge(alpha=alpha).fit(design[train], targets[train])
        score = r2(targets[val], ridge.predict(design[val]))
        if best_score is None:
            best_score, coef, intercept = score, ridge.coef_, ridge.intercept_
        else:
            better = score > best_score
            best_score = np.where(better, score, best_score)
            coef, intercept = np.where(better[:, None], ridge.coef_, coef), np.where(better, ridge.intercept_, intercept)
    return {"coef": coef.astype(np.float32), "intercept": intercept.astype(np.float32)}


def stack_linear(model: LyricsModel, ridge: dict[str, np.ndarray], blocks_val, y_val: np.ndarray) -> None:
    """Attach the ridge as the model's linear path, the network's weight per target chosen on VALIDATION.

    Why: the network wins on common topics and audio, the ridge on rare topics; a per-target blend keeps both.
    """
    net = model.predict_network(*blocks_val)
    lin = model.linear_design(*blocks_val) @ ridge["coef"].T + ridge["intercept"]
    scores = np.stack([r2(y_val, w * net + (1 - w) * lin) for w in BLEND_GRID])
    model.linear = {**ridge, "blend": BLEND_GRID[scores.argmax(axis=0)].astype(np.float32)}


def bootstrap_gain(y: np.ndarray, with_: np.ndarray, without: np.ndarray, groups: np.ndarray,
                   n_boot: int = 1000, seed: int = 0) -> list[float]:
    """90% interval of R²(with) - R²(without), resampling test artists (songs of one artist move together)."""
    rng = np.random.default_rng(seed)
    unique, codes = np.unique(groups, return_inverse=True)
    rows_of = [np.flatnonzero(codes == g) for g in range(len(unique))]
    gains = []
    for _ in range(n_boot):
        rows = np.concatenate([rows_of[g] for g in rng.integers(0, len(unique), len(unique))])
        gains.append(r2(y[rows, None], with_[rows, None])[0] - r2(y[rows, None], without[rows, None])[0])
    return [float(np.percentile(gains, 5)), float(np.percentile(gains, 95))]


def topic_agreement(query: np.ndarray, index: np.ndarray, q_topic: np.ndarray, i_topic: np.ndarray, k: int) -> float:
    """Share of each query's k nearest index songs (cosine) whose dominant topic is the query's."""
    q = query / np.linalg.norm(query, axis=1, keepdims=True).clip(1e-12)
    i = index / np.linalg.norm(index, axis=1, keepdims=True).clip(1e-12)
    top = np.argsort(-(q @ i.T), axis=1)[:, :k]
    return float((i_topic[top] == q_topic[:, None]).mean())


def train_lyrics(encoder, cfg: LyricsTrainConfig = LyricsTrainConfig(), log=print, model_options: dict | None = None,
                 epoch_log=None) -> tuple[LyricsModel, dict]:
    """Train the shipped model and measure it against its baselines; returns (model, metrics).
    `model_options` sets LyricsConfig fields (configs/lyrics.toml [model]); `epoch_log` gets every epoch."""
    started = time.time()
    frame = load_dataset()
    genre_vocab = sorted(frame["genre"].str.lower().unique())
    x = dataset_inputs(frame, encoder, genre_vocab)
    log(f"  inputs for {len(frame)} songs in {time.time() - started:.0f}s")
    artists = frame["artist_name"].map(lambda a: artist_key(primary_artist(str(a))))
    parts = artist_split(artists, {"train": 0.7, "val": 0.15, "test": 0.15}, seed=cfg.seed + 6)
    train, test = parts["train"], parts["test"]
    scalers = {"audio_mean": x["audio"][train].mean(0), "audio_std": x["audio"][train].std(0).clip(1e-6),
               "target_mean": x["targets"][train].mean(0), "target_std": x["targets"][train].std(0).clip(1e-6)}
    words = sorted({w for text in frame["lyrics"] for w in clean_words(text)})
    z = (x["targets"] - scalers["target_mean"]) / scalers["target_std"]

    def tensors(mask):
        audio = (x["audio"][mask] - scalers["audio_mean"]) / scalers["audio_std"]
        return [torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))
                for a in (x["lyrics"][mask], audio, x["meta"][mask], z[mask])]

    torch.set_num_threads(1)  # measured: on a shared 2-core machine one thread trains ~10x faster than two
    arms = {}
    for use_lyrics in (True, False):
        config = LyricsConfig(lyrics_dim=x["lyrics"].shape[1], audio_dim=x["audio"].shape[1],
                              meta_dim=x["meta"].shape[1], n_targets=len(TARGETS), use_lyrics=use_lyrics,
                              **(model_options or {}))
        members = []
        for m in range(cfg.members):
            arm_log = epoch_log and (lambda _arm=use_lyrics, _m=m, **r: epoch_log(
                arm="with lyrics" if _arm else "without lyrics", member=_m, **r))
            member, epochs = fit_member(config, cfg, tensors(train), tensors(parts["val"]), cfg.seed + m, arm_log)
            members.append(member)
            log(f"  {'with' if use_lyrics else 'without'} lyrics, member {m}: {epochs} epochs")
        arms[use_lyrics] = LyricsModel(config, members, scalers, genre_vocab, words, info={})
    model, plain = arms[True], arms[False]
    y = x["targets"][test]
    blocks = lambda mask: (x["lyrics"][mask], x["audio"][mask], x["meta"][mask])  # noqa: E731
    # The ridge baseline is also the linear path of the stack: the same fit, so "model vs ridge" compares
    # the shipped predictions with that ridge alone. Each arm is stacked with the ridge on its own inputs.
    ridges = {}
    for use_lyrics, arm in arms.items():
        design = arm.linear_design(*blocks(slice(None)))
        linear = fit_ridge(design, x["targets"], parts)
        ridges[use_lyrics] = design[test] @ linear["coef"].T + linear["intercept"]
        stack_linear(arm, linear, blocks(parts["val"]), x["targets"][parts["val"]])
    ridge, ridge_plain = ridges[True], ridges[False]
    pred, pred_plain = model.predict(*blocks(test)), plain.predict(*blocks(test))
    network = model.predict_network(*blocks(test))
    mean_pred = np.broadcast_to(scalers["target_mean"], y.shape)
    scores = {"model": r2(y, pred), "mean": r2(y, mean_pred), "ridge": r2(y, ridge)}
    per_target = {t: {k: float(v[j]) for k, v in scores.items()} for j, t in enumerate(TARGETS)}
    network_r2 = r2(y, network)
    stack = {"network_alone": {t: float(network_r2[j]) for j, t in enumerate(TARGETS)},
             "network_weight": {t: float(w) for t, w in zip(TARGETS, model.linear["blend"])}}

    mood = {}
    for feat in MOOD:
        j = TARGETS.index(feat)
        as_is = x["audio"][test][:, FEATURES.index(feat)]
        row = {"audio_predictor_as_is": float(r2(y[:, [j]], as_is[:, None])[0]),
               "model_without_lyrics": float(r2(y[:, [j]], pred_plain[:, [j]])[0]),
               "model_with_lyrics": float(r2(y[:, [j]], pred[:, [j]])[0]),
               "ridge_without_lyrics": float(r2(y[:, [j]], ridge_plain[:, [j]])[0]),
               "ridge_with_lyrics": float(r2(y[:, [j]], ridge[:, [j]])[0])}
        row["per_member_gain"] = [
            float(r2(y[:, [j]], _member(model, k, blocks(test))[:, [j]])[0]
                  - r2(y[:, [j]], _member(plain, k, blocks(test))[:, [j]])[0]) for k in range(cfg.members)]
        row["gain"] = row["model_with_lyrics"] - row["model_without_lyrics"]
        row["gain_ci90"] = bootstrap_gain(y[:, j], pred[:, j], pred_plain[:, j], artists[test].to_numpy())
        row["lyrics_win"] = bool(row["gain_ci90"][0] > 0 and
                                 row["model_with_lyrics"] > row["audio_predictor_as_is"])
        mood[feat] = row
    feeds = [f for f in MOOD if mood[f]["lyrics_win"]]

    index_rows = parts["train"] | parts["val"]
    topic = frame["topic"].to_numpy()
    rep = model.represent(*blocks(slice(None)))
    search = {"k": cfg.search_k, "queries": int(test.sum()),
              "shared_representation": topic_agreement(rep[test], rep[index_rows], topic[test], topic[index_rows], cfg.search_k),
              "raw_minilm_lyrics": topic_agreement(x["lyrics"][test, :-1], x["lyrics"][index_rows, :-1],
                                                   topic[test], topic[index_rows], cfg.search_k),
              "chance": float(np.mean([(topic[index_rows] == t).mean() for t in topic[test]]))}

    songs = pd.DataFrame({"artist": frame["artist_name"], "title": frame["track_name"],
                          "year": frame["release_date"].astype(int), "topic": topic})
    model.index, model.songs = rep, songs
    metrics = {
        "dataset": DATASET_NOTE, "split": {k: int(v.sum()) for k, v in parts.items()} | {"by": "artist", "seed": cfg.seed + 6},
        "test_artists": int(artists[test].nunique()), "r2": per_target,
        "mean_r2": {group: {k: float(np.mean([per_target[t][k] for t in names])) for k in scores}
                    for group, names in (("topics", TOPICS), ("audio", TARGETS[len(TOPICS):]))},
        "stack": stack | {"network_alone_mean": {
            "topics": float(network_r2[:len(TOPICS)].mean()), "audio": float(network_r2[len(TOPICS):].mean())}},
        "lyrics_vs_no_lyrics": mood, "feeds_predictor": feeds, "search": search,
        "train_config": asdict(cfg), "seconds": round(time.time() - started, 1),
    }
    model.info = {"feeds_predictor": feeds, "train_config": asdict(cfg), "split": metrics["split"]}
    return model, metrics


def _member(model: LyricsModel, k: int, blocks) -> np.ndarray:
    return LyricsModel(model.config, [model.members[k]], model.scalers, model.genre_vocab, model.words,
                       linear=model.linear).predict(*blocks)
