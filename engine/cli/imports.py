"""`python -m engine import PATH [PATH...] --output LIB.csv [--store] [--online|--offline]`

Detects each file's format (Exportify CSV, artist/title CSV, Spotify account-data export JSON or
ZIP, extended streaming history), merges them into one library and writes the normalized schema
plus any known features, one row per distinct track. Bad files are named on stderr and skipped;
the exit status is 2 when any file failed. With --store the library is also kept in TUNESCOPE_HOME.
With --online (remembered until --offline) real features are fetched from ReccoBeats for the tracks
that have a Spotify id and no real values yet; the output names them source 'reccobeats'.
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.cli import add_online_flags, online_allowed, online_note, user_app


def cmd_import(args) -> int:
    from engine.csvfiles import write_csv
    from engine.library.imports import import_files, library_csv_frame

    app = user_app()
    store = (app if args.store else app.scratch()).store
    report = import_files(store, [Path(p) for p in args.paths], name=args.name,
                          progress=lambda done, total, message: print(f"[{done}/{total}] {message}", file=sys.stderr))
    for result in report.files:
        if not result.error:
            print(f"{result.name}: {result.kind}, {result.tracks} tracks, {result.playlists} playlists, "
                  f"{result.plays} plays, {result.skipped} skipped", file=sys.stderr)
    if report.plays_note:
        print(report.plays_note, file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    online = online_allowed(args, _log)
    if report.library_id is None:  # every file was refused: no library was made
        print("error: nothing was imported, so no output was written.", file=sys.stderr)
        return 2
    if online:
        fetch_online(app.store, store, report.library_id)
    frame = library_csv_frame(store, report.library_id, online=online)
    if len(frame):
        write_csv(frame, args.output)
        print(f"wrote {len(frame)} tracks to {args.output}", file=sys.stderr)
    else:
        print("error: nothing was imported, so no output was written.", file=sys.stderr)
    return 2 if report.problems or not len(frame) else 0


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def fetch_online(cache, store, library_id: int) -> None:
    """Real values for the library's Spotify ids. The per-id cache is always the user's store (`cache`),
    so a re-run without --store still asks only for what is missing."""
    from engine.config import FEATURES
    from engine.library.providers.lookup import PROVIDER, fetch_features

    ids = store.lookup_candidates(library_id)
    online_note(fetch_features(cache, ids), _log)
    if cache is not store:
        store.save_online_features(PROVIDER, cache.online_features(PROVIDER, ids)[FEATURES].to_dict("index"), [])


def cmd_export(args) -> int:
    """A stored library as every view reads it: tracks, the 8 values with sources, confidences and
    90% intervals, and each track's cluster in the library's own cluster model (as on the Clusters page)."""
    from engine.csvfiles import write_csv
    from engine.errors import BadParameterError

    app = user_app()
    known = app.store.libraries()
    if args.library is None or int(args.library) not in set(known.get("library_id", [])):
        listing = "; ".join(f"{row.library_id}: {row.name}" for row in known.itertuples()) or "none yet"
        raise BadParameterError(f"Give --library with one of the stored libraries ({listing}).")
    lib = app.library(int(args.library), online=online_allowed(args, _log))
    frame = lib.tracks.drop(columns=["file_columns", "match"], errors="ignore")
    if len(frame):
        frame = frame.join(lib.assignments(args.k))
    write_csv(frame, args.output)
    _log(f"wrote {len(frame)} tracks of {lib.name} to {args.output}"
         + (f" in {lib.clusters(args.k).sizes_.size} clusters" if len(frame) else ""))
    return 0


def register(sub) -> None:
    parser = sub.add_parser("import", help="import Exportify CSVs, Spotify exports or artist/title CSVs")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--output", required=True, help="CSV to write (normalized schema + known features)")
    parser.add_argument("--name", help="library name (with --store)")
    parser.add_argument("--store", action="store_true", help="also keep the library in the store under TUNESCOPE_HOME")
    add_online_flags(parser)
    parser.set_defaults(func=cmd_import)
    export = sub.add_parser("export", help="write a stored library, enriched and clustered, as on the dashboard")
    export.add_argument("--library", type=int, help="the library's id (the command lists them when it is missing)")
    export.add_argument("--k", type=int, default=None, help="clusters (default: the suggested k, as the dashboard)")
    export.add_argument("--output", required=True, help="CSV to write")
    add_online_flags(export)
    export.set_defaults(func=cmd_export)
