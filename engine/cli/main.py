"""Command line: a thin shell over the engine. Every TunescopeError becomes one line on stderr, exit 2.

  python -m engine train [--config configs/audio_predictor.toml] [--set lr=3e-4 ...] [--members 5] [--seed 0]
        [--output models/audio_predictor]   (writes train_config.json and train_log.jsonl beside the weights)
  python -m engine evaluate [--members 5] [--set KEY=VALUE ...]
  python -m engine recalibrate        (the shipped model's intervals, on real-library-like sets; no retraining)
  python -m engine predict --input LIB.csv --output OUT.csv [--no-catalog] [--intervals] [--online|--offline]
        (optional `lyrics` column; --online fetches real values from ReccoBeats, remembered until --offline)
  python -m engine import PATH [PATH...] --output LIB.csv [--store] [--online|--offline]
  python -m engine listening --input HISTORY.json [...] [--period 2024] [--tz Europe/Berlin] --output DIR
  python -m engine build-catalog      (models/catalog from TUNESCOPE_DATA_DIR; serving reads only that)
  python -m engine predict-track --title T --artists A [--genres "g1;g2"] [--moods m] [--release-date 1999] ...
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import sys
import time
from pathlib import Path

from engine.cli import add_config_flags, add_online_flags, online_allowed, online_note, training_config, user_app
from engine.config import models_dir
from engine.csvfiles import write_csv
from engine.errors import InputFileError, TunescopeError


# Each feature's commands live in their own module with `register(subparsers)`.
COMMAND_MODULES: list[str] = [
    "engine.cli.imports",
    "engine.cli.listening",
    "engine.cli.lyrics",
    "engine.cli.recs",
]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def log_steps(done: int, total: int, message: str) -> None:
    """An enrichment's progress on the terminal: each step once, when it starts."""
    if done == 0:
        _log(message)


def read_table(path: Path):
    """CSV (any encoding pandas can guess as UTF-8, BOM or not) -> DataFrame of strings."""
    import pandas as pd

    if not path.exists():
        raise InputFileError(f"{path}: no such file.")
    if path.stat().st_size == 0:
        raise InputFileError(f"{path}: the file is empty. Export the library again, with a header row.")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=None, engine="python")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise InputFileError(f"{path}: not a readable CSV file ({str(exc).splitlines()[0]}). "
                             "Save it as UTF-8 CSV with a header row.") from exc
    if frame.empty:
        raise InputFileError(f"{path}: has a header ({', '.join(map(str, frame.columns))}) but no tracks. "
                             "Add at least one row with a title and an artist.")
    return frame


def cmd_train(args) -> None:
    from engine.catalog import datasets as reference
    from engine.config import home_dir
    from engine.encoder import CachedEncoder
    from engine.predictor.evaluate import ood_tables
    from engine.predictor.fit import train_predictor
    from engine.training_config import EpochLog

    started = time.time()
    applied = _predictor_config(args)
    encoder = CachedEncoder(home_dir() / "cache" / "train_embeddings.npz")
    calibration_rows, _ = ood_tables()
    epoch_log = EpochLog()
    predictor = train_predictor(reference.training_tracks(), encoder, applied.training,
                                ood_calibration=calibration_rows, log=_log, epoch_log=epoch_log)
    predictor.save(Path(args.output))
    applied.write(Path(args.output))
    epoch_log.write(Path(args.output))
    _log(f"saved {args.output} with train_config.json and train_log.jsonl ({time.time() - started:.0f}s)")


def _predictor_config(args):
    """configs/audio_predictor.toml with --members/--seed/--set applied; [model] becomes model_options."""
    from engine.predictor.train import CONFIG_SCHEMA

    applied = training_config(args, "audio_predictor", CONFIG_SCHEMA, {"members": args.members, "seed": args.seed})
    applied.training.model_options = dict(applied.model)
    return applied


def cmd_evaluate(args) -> None:
    from engine.config import home_dir
    from engine.encoder import CachedEncoder
    from engine.predictor.evaluate import evaluate, write_metrics
    from engine.report import render

    cfg = _predictor_config(args).training
    encoder = CachedEncoder(home_dir() / "cache" / "train_embeddings.npz")
    report = evaluate(encoder, cfg, log=_log)
    write_metrics(report)
    print(render(report))


def cmd_recalibrate(args) -> None:
    from engine.config import home_dir, models_dir
    from engine.encoder import CachedEncoder
    from engine.predictor.recalibration.fit import recalibrate

    encoder = CachedEncoder(home_dir() / "cache" / "train_embeddings.npz")
    print(recalibrate(models_dir() / "audio_predictor", encoder))


def cmd_predict(args) -> None:
    from engine.schema import INTERVAL_COLUMNS

    frame = read_table(Path(args.input))
    app = user_app()
    if online_allowed(args, _log):
        frame, report = app.with_online_features(frame)
        online_note(report, _log)
    out = app.enrich(frame, where=Path(args.input).name, progress=log_steps, use_catalog=not args.no_catalog)
    if any(str(c).strip().lower() == "lyrics" for c in frame.columns):
        from engine.lyrics.serving import add_lyrics_columns

        out = add_lyrics_columns(out, log=_log)
    drop = ["match"] + ([] if args.intervals else INTERVAL_COLUMNS)
    write_csv(out.drop(columns=drop), args.output)
    counts = out["source"].value_counts().to_dict()
    _log(f"wrote {len(out)} rows to {args.output}: {counts}")


def cmd_predict_track(args) -> None:
    fields = {k: v for k, v in vars(args).items()
              if k in {"album", "release_date", "duration_ms", "explicit", "track_number", "album_total_tracks",
                       "genres", "moods", "playlists"} and v is not None}
    result = user_app().predict_track(args.title, args.artists, **fields)
    print(json.dumps(result, indent=2, default=float))


def cmd_build_catalog(args) -> None:
    from engine.catalog.build import build_catalog

    build_catalog(Path(args.output), log=_log)


def build_parser() -> argparse.ArgumentParser:
    prog = "tunescope" if Path(sys.argv[0]).name == "tunescope" else "python -m engine"  # the console script, or -m
    parser = argparse.ArgumentParser(prog=prog, description="Tunescope engine")
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train the audio-feature predictor ensemble")
    train.add_argument("--members", type=int, default=None, help="shortcut for --set members=N")
    train.add_argument("--seed", type=int, default=None, help="shortcut for --set seed=N")
    train.add_argument("--output", default=str(models_dir() / "audio_predictor"))
    add_config_flags(train, "audio_predictor")
    train.set_defaults(func=cmd_train)
    evaluate = sub.add_parser("evaluate", help="evaluate on artist-holdout, temporal and out-of-distribution sets")
    evaluate.add_argument("--members", type=int, default=None, help="shortcut for --set members=N")
    evaluate.add_argument("--seed", type=int, default=None, help="shortcut for --set seed=N")
    add_config_flags(evaluate, "audio_predictor")
    evaluate.set_defaults(func=cmd_evaluate)
    recal = sub.add_parser("recalibrate", help="refit the shipped predictor's 90%% intervals on real-library-like sets")
    recal.set_defaults(func=cmd_recalibrate)
    predict = sub.add_parser("predict", help="enrich a library CSV with the 8 features and confidences")
    predict.add_argument("--input", required=True)
    predict.add_argument("--output", required=True)
    predict.add_argument("--no-catalog", action="store_true", help="predict every track, even known ones")
    predict.add_argument("--intervals", action="store_true", help="also write <feature>_low/_high (90%%)")
    add_online_flags(predict)
    predict.set_defaults(func=cmd_predict)
    track = sub.add_parser("predict-track", help="predict one track")
    track.add_argument("--title", required=True)
    track.add_argument("--artists", required=True)
    for name in ("album", "release-date", "genres", "moods", "playlists", "explicit"):
        track.add_argument(f"--{name}")
    for name in ("duration-ms", "track-number", "album-total-tracks"):
        track.add_argument(f"--{name}", type=float)
    track.set_defaults(func=cmd_predict_track)
    catalog = sub.add_parser("build-catalog", help="rebuild the shipped catalog (models/catalog) from TUNESCOPE_DATA_DIR")
    catalog.add_argument("--output", default=str(models_dir() / "catalog"))
    catalog.set_defaults(func=cmd_build_catalog)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args)
    except TunescopeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return code or 0
