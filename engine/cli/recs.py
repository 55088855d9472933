"""Commands for clusters, the map and recommendations (registered into `python -m engine`).

  python -m engine fit-clusters [--k K]          # K omitted: chosen by silhouette over 3..12
  python -m engine fit-map
  python -m engine evaluate-recs [--steps N] [--set KEY=VALUE ...]   # configs/two_tower.toml; trains and saves
                                                 # models/two_tower (+ train_config.json, train_log.jsonl), ranks five methods
                                                 # (same split, same run) -> models/two_tower/metrics.json
  TUNESCOPE_DATA_DIR=../shared/data python -m engine evaluate-recs --listeners [--set KEY=VALUE ...]
                                                 # configs/ranker.toml; rebuilds models/playlists, cross-validates
                                                 # the learned ranker on real listeners against the simple rules and
                                                 # ships it (models/ranker + train_config.json)
  TUNESCOPE_DATA_DIR=../shared/data python -m engine build-world [--playlists N]
                                                 # models/world: MPD tracks (features predicted), MPD and Last.fm
                                                 # co-listening; then retrain the ranker (evaluate-recs --listeners)
  python -m engine recommend --input LIB.csv -k 20 [--shelf blend|yours|new] [--seed TRACK_ID ...]
                             [--method ranker|two_tower|content] [--output OUT.csv]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from engine.cli import add_config_flags, training_config, user_app
from engine.config import models_dir
from engine.csvfiles import write_csv


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_fit_clusters(args) -> None:
    from engine.explore.clusters import ClusterModel, choose_k, default_k
    from engine.catalog.items import catalog_items

    items = catalog_items()
    table = choose_k(items, range(3, 13), seed=args.seed)
    k = args.k or default_k(table)
    model = ClusterModel(k=k, seed=args.seed).fit(items)
    out = Path(args.output)
    model.save(out)
    metrics = {"k": k, "rule": "largest k with silhouette within 0.02 of the best, k in 3..12",
               "silhouette": model.silhouette_, "silhouette_by_k": table.to_dict("records"),
               "sizes": dict(zip(model.names_, map(int, model.sizes_))), "tracks": len(items),
               "profiles": model.profiles().round(3).assign(name=model.names_).to_dict("records")}
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    print(table.to_string(index=False))
    print(f"k={k} silhouette={model.silhouette_:.3f}: {', '.join(model.names_)}")


def cmd_fit_map(args) -> None:
    from engine.catalog.items import catalog_items
    from engine.explore.projection import MapModel

    items = catalog_items()
    model = MapModel(seed=args.seed).fit(items, log=_log)
    held_out = items[~items["key"].isin(model.points_["key"])]  # tracks the fit never saw
    metrics = {"fit_tracks": len(model.points_), "fit_seconds": model.fit_seconds_,
               "trustworthiness_fit_sample": {d: model.trustworthiness(dims=d) for d in (2, 3)},
               "trustworthiness_held_out_transform": {d: model.trustworthiness(held_out, dims=d) for d in (2, 3)}}
    model.save(args.output, metrics)
    print(json.dumps(metrics, indent=2))


def cmd_evaluate_recs(args) -> None:
    if args.listeners:
        from engine.config import data_dir
        from engine.recs.ranker.train import CONFIG_SCHEMA as RANKER_SCHEMA, evaluate_ranker

        applied = training_config(args, "ranker", RANKER_SCHEMA, {"seed": args.seed})
        app = user_app()
        # the ranker's own training needs none of it (its features may change); each listener is imported
        # into a fresh in-memory store, as a new user's files would be
        print(evaluate_ranker(Path(args.ranker_output), Path(args.playlists_output),
                              Path(args.samples or data_dir() / "samples"), app.recommender(ranker=False),
                              lambda: app.scratch().store, applied, log=_log, cache=args.cache))
        return
    from engine.recs.evaluate import evaluate_all, render
    from engine.recs.train import CONFIG_SCHEMA
    from engine.training_config import EpochLog

    applied = training_config(args, "two_tower", CONFIG_SCHEMA, {"steps": args.steps, "seed": args.seed})
    epoch_log = EpochLog()
    report = evaluate_all(applied.training, log=_log, save_to=Path(args.output), model_options=applied.model,
                          epoch_log=epoch_log)
    applied.write(Path(args.output))
    epoch_log.write(Path(args.output))
    print(render(report))


def cmd_recommend(args) -> None:
    from engine.cli.main import log_steps, read_table
    from engine.library.recency import file_recency

    frame = read_table(Path(args.input))
    app = user_app()
    library = app.enrich(frame, where=Path(args.input).name, progress=log_steps)
    if len(library) == len(frame):  # "lately", from the file's save dates (Exportify's Added At)
        library = library.assign(**{c: v.to_numpy() for c, v in file_recency(frame).items()})
    recs = app.recommend_table(library, k=args.k, seeds=args.seed or None, method=args.method,
                                        max_per_artist=args.max_per_artist or None, shelf=args.shelf)
    columns = ["rank", "track_id", "title", "artists", "genres", "match", "why"]
    target = args.output or sys.stdout
    write_csv(recs[columns + [c for c in recs.columns if c not in columns]], target)
    if args.output:
        _log(f"wrote {len(recs)} recommendations to {args.output}")


def cmd_build_world(args) -> None:
    from engine.recs.world.build import build_world

    build_world(user_app(), Path(args.output), playlists=args.playlists, log=_log)


def register(sub) -> None:
    world = sub.add_parser("build-world", help="the MPD tracks as recommendable items, with MPD and Last.fm "
                           "co-listening (models/world; features predicted by the shipped predictor)")
    world.add_argument("--playlists", type=int, default=None, help="only the first N MPD playlists (a fixed subset)")
    world.add_argument("--output", default=str(models_dir() / "world"))
    world.set_defaults(func=cmd_build_world)
    clusters = sub.add_parser("fit-clusters", help="fit the catalog clusters (models/clusters)")
    clusters.add_argument("--k", type=int, default=None)
    clusters.add_argument("--seed", type=int, default=0)
    clusters.add_argument("--output", default=str(models_dir() / "clusters"))
    clusters.set_defaults(func=cmd_fit_clusters)
    fmap = sub.add_parser("fit-map", help="fit the 2-D and 3-D UMAP map on the catalog (models/map)")
    fmap.add_argument("--seed", type=int, default=0)
    fmap.add_argument("--output", default=str(models_dir() / "map"))
    fmap.set_defaults(func=cmd_fit_map)
    evaluate = sub.add_parser("evaluate-recs", help="train the two-tower (models/two_tower) and rank it against random, "
                              "popularity, content-KNN on features and on text: same split, same run; with "
                              "--listeners, the learned ranker (models/ranker) on real listeners instead")
    evaluate.add_argument("--steps", type=int, default=None, help="shortcut for --set steps=N")
    evaluate.add_argument("--seed", type=int, default=None, help="shortcut for --set seed=N")
    add_config_flags(evaluate, "two_tower")  # with --listeners: configs/ranker.toml
    evaluate.add_argument("--output", default=str(models_dir() / "two_tower"))
    evaluate.add_argument("--listeners", action="store_true",
                          help="cross-validate and ship the learned ranker on real listeners (samples/), "
                               "settings from configs/ranker.toml (--config, --set apply to it)")
    evaluate.add_argument("--samples", default=None, help="listener files (default: <data dir>/samples)")
    evaluate.add_argument("--playlists-output", default=str(models_dir() / "playlists"))
    evaluate.add_argument("--ranker-output", default=str(models_dir() / "ranker"))
    evaluate.add_argument("--cache", default=None, help="with --listeners: a folder to keep the cut listeners in")
    evaluate.set_defaults(func=cmd_evaluate_recs)
    rec = sub.add_parser("recommend", help="recommend catalog tracks for a library CSV")
    rec.add_argument("--input", required=True)
    rec.add_argument("-k", type=int, default=20)
    rec.add_argument("--seed", action="append", help="a library track id to recommend from (repeatable)")
    rec.add_argument("--method", default="ranker", choices=["ranker", "two_tower", "content"])
    rec.add_argument("--shelf", default="blend", choices=["blend", "yours", "new"],
                     help="ranker only: both shelves mixed (default), artists you play, or artists new to you")
    rec.add_argument("--max-per-artist", type=int, default=3, help="at most this many tracks per artist (0: no cap)")
    rec.add_argument("--output", default=None, help="CSV path (default: stdout)")
    rec.set_defaults(func=cmd_recommend)
