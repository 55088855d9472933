"""`python -m engine listening --input PATH [PATH...] [--period 2024] [--tz Europe/Berlin] --output DIR`

Imports streaming-history files (StreamingHistory*.json, Streaming_History_Audio_*.json, endsong_*.json
or Spotify's ZIP) into a temporary library, enriches it and writes the Listening page's tables to DIR,
one CSV each (totals.csv, top_artists_by_time.csv, features_per_month.csv or, for a short period,
features_per_week.csv / features_per_day.csv, ...). `--library ID` reads
a library of the store under TUNESCOPE_HOME instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.cli import user_app
from engine.errors import InputFileError


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_listening(args) -> int:
    from engine.csvfiles import write_csv
    from engine.library.imports import import_files
    from engine.listening import listening_view, parse_period
    from engine.listening.periods import time_zone

    period = parse_period(args.period)  # a typo fails before minutes of work
    time_zone(args.tz)
    app = user_app()  # its prediction cache makes a re-run quick, whichever store holds the plays
    if args.library is not None:
        library_id = int(args.library)
    else:
        if not args.input:
            raise InputFileError("Give the streaming history with --input (files or the ZIP), or --library ID.")
        app = app.scratch()
        report = import_files(app.store, [Path(p) for p in args.input])
        for problem in report.problems:
            _log(f"error: {problem}")
        library_id = report.library_id
        _log(report.plays_note or "no plays in these files")
    if library_id is None or app.store.play_count(library_id) + app.store.episode_count(library_id) == 0:
        raise InputFileError("No plays to summarise: import StreamingHistory*.json or Streaming_History_Audio_*.json "
                             "(Spotify's account data or extended streaming history).")
    from engine.cli.main import log_steps

    lib = app.library(library_id, progress=log_steps)
    # the library's own clusters at its suggested k: the ones the Listening and Clusters pages show
    view = listening_view(lib.plays(), lib.listening_tracks(), lib.cluster_names(), period=period, tz=args.tz,
                          episodes=lib.episodes())
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in view.tables().items():
        write_csv(table, out / f"{name}.csv")
    totals = view.totals
    print(f"{view.label}, {args.tz}: {totals['hours']:,.1f} h, {totals['plays']:,} plays, {totals['tracks']:,} tracks, "
          f"{totals['artists']:,} artists; {len(view.tables())} tables in {out}")
    if view.podcasts.get("plays"):
        pods = view.podcasts
        print(f"podcasts, apart from the music: {pods['hours']:,.1f} h, {pods['plays']:,} plays of {pods['episodes']:,} "
              f"episodes from {pods['shows']:,} shows")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("listening", help="listening over time from a streaming history: tops, trends, habits")
    parser.add_argument("--input", nargs="+", metavar="PATH", help="StreamingHistory / Streaming_History_Audio JSON or the ZIP")
    parser.add_argument("--library", type=int, help="a library of the store under TUNESCOPE_HOME instead of --input")
    parser.add_argument("--period", default="last-12-months",
                        help="all, last-12-months (default: of your history), a year (2024) or a month (2024-03)")
    parser.add_argument("--tz", default="UTC", help="IANA time zone for hours, days and months (default UTC)")
    parser.add_argument("--output", required=True, help="folder for the CSV tables")
    parser.set_defaults(func=cmd_listening)
