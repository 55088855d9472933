"""Lyrics commands (registered by engine.cli.main):

  python -m engine train-lyrics [--config configs/lyrics.toml] [--set KEY=VALUE ...] [--members 5] [--seed 0]
        [--output models/lyrics]   (writes train_config.json and train_log.jsonl beside the weights)
  python -m engine evaluate-lyrics [--model models/lyrics]          (prints the docs/models/lyrics.md tables from metrics.json)
  python -m engine lyrics-search (--lyrics TEXT | --file LYRICS.txt) [--k 10] [--title T --artists A] [--year 1975]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from engine.cli import add_config_flags, training_config, user_app
from engine.config import models_dir
from engine.errors import InputFileError, ModelNotFoundError


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_train_lyrics(args) -> None:
    from engine.config import home_dir
    from engine.encoder import CachedEncoder
    from engine.lyrics.train import CONFIG_SCHEMA, train_lyrics
    from engine.training_config import EpochLog

    started = time.time()
    applied = training_config(args, "lyrics", CONFIG_SCHEMA, {"members": args.members, "seed": args.seed})
    encoder = CachedEncoder(home_dir() / "cache" / "lyrics_embeddings.npz")
    epoch_log = EpochLog()
    model, metrics = train_lyrics(encoder, applied.training, log=_log, model_options=applied.model,
                                  epoch_log=epoch_log)
    output = Path(args.output)
    model.save(output)
    applied.write(output)
    epoch_log.write(output)
    (output / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(render_metrics(metrics))
    _log(f"saved {output} ({time.time() - started:.0f}s)")


def cmd_evaluate_lyrics(args) -> None:
    path = Path(args.model) / "metrics.json"
    if not path.exists():
        raise ModelNotFoundError(f"{path} not found. Train the lyrics model with `python -m engine train-lyrics`.")
    print(render_metrics(json.loads(path.read_text())))


def cmd_lyrics_search(args) -> None:
    if args.file:
        path = Path(args.file)
        if not path.exists():
            raise InputFileError(f"{path}: no such file.")
        text = path.read_text(encoding="utf-8", errors="replace")
    else:
        text = args.lyrics
    app = user_app()
    features = app.predict_track(args.title or "", args.artists or "", release_date=args.year or "")
    result = app.lyrics_model.analyze(text, features, year=float(args.year) if args.year else None, k=args.k)
    print(json.dumps({"topics": {t: round(v, 3) for t, v in list(result["topics"].items())[:5]},
                      "updated_features": result["features"],
                      "similar_songs": result["neighbours"].round(3).to_dict("records"),
                      "dataset": result["dataset"]}, indent=2, default=str))


def render_metrics(metrics: dict) -> str:
    """Markdown: per-target R² (model, mean, ridge) and the with/without-lyrics valence and energy table."""
    lines = ["| target | model R² | mean R² | ridge R² |", "|---|---|---|---|"]
    lines += [f"| {t} | {v['model']:.3f} | {v['mean']:.3f} | {v['ridge']:.3f} |" for t, v in metrics["r2"].items()]
    for group, v in metrics["mean_r2"].items():
        lines.append(f"| **mean over {group}** | **{v['model']:.3f}** | {v['mean']:.3f} | {v['ridge']:.3f} |")
    if "stack" in metrics:
        alone = metrics["stack"]["network_alone_mean"]
        lines += ["", f"The network alone (without its linear path): mean R² {alone['topics']:.3f} over topics, "
                  f"{alone['audio']:.3f} over audio features."]
    lines += ["", "| feature | audio predictor as is | model without lyrics | model with lyrics | gain (90% CI, "
              "artists resampled) | ridge without / with lyrics | lyrics fed to the predictor |",
              "|---|---|---|---|---|---|---|"]
    for feat, v in metrics["lyrics_vs_no_lyrics"].items():
        lo, hi = v["gain_ci90"]
        lines.append(f"| {feat} | {v['audio_predictor_as_is']:.3f} | {v['model_without_lyrics']:.3f} | "
                     f"{v['model_with_lyrics']:.3f} | {v['gain']:+.3f} [{lo:+.3f}, {hi:+.3f}] | "
                     f"{v['ridge_without_lyrics']:.3f} / {v['ridge_with_lyrics']:.3f} | {'yes' if v['lyrics_win'] else 'no'} |")
    s = metrics["search"]
    lines += ["", f"Songs about the same things: of each test song's {s['k']} nearest training songs, the share "
              f"with the same dominant topic: shared representation {s['shared_representation']:.3f}, raw MiniLM "
              f"lyrics vectors {s['raw_minilm_lyrics']:.3f}, chance {s['chance']:.3f} ({s['queries']} test songs)."]
    return "\n".join(lines)


def register(subparsers) -> None:
    default = str(models_dir() / "lyrics")
    train = subparsers.add_parser("train-lyrics", help="train and evaluate the lyrics topic/mood model")
    train.add_argument("--members", type=int, default=None, help="shortcut for --set members=N")
    train.add_argument("--seed", type=int, default=None, help="shortcut for --set seed=N")
    train.add_argument("--output", default=default)
    add_config_flags(train, "lyrics")
    train.set_defaults(func=cmd_train_lyrics)
    evaluate = subparsers.add_parser("evaluate-lyrics", help="print the lyrics model's measured results")
    evaluate.add_argument("--model", default=default)
    evaluate.set_defaults(func=cmd_evaluate_lyrics)
    search = subparsers.add_parser("lyrics-search", help="topics of some lyrics and songs about the same things")
    given = search.add_mutually_exclusive_group(required=True)
    given.add_argument("--lyrics")
    given.add_argument("--file")
    search.add_argument("--title")
    search.add_argument("--artists")
    search.add_argument("--year")
    search.add_argument("--k", type=int, default=10)
    search.set_defaults(func=cmd_lyrics_search)
