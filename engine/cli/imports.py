"""`python -m engine import PATH [PATH...] --output LIB.csv [--store]`

Detects each file's format (Exportify CSV, artist/title CSV, Spotify account-data export JSON or
ZIP, extended streaming history), merges them into one library and writes the normalized schema
plus any known features, one row per distinct track. Bad files are named on stderr and skipped;
the exit status is 2 when any file failed. With --store the library is also kept in TUNESCOPE_HOME.
"""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_import(args) -> int:
    from engine.library.imports import import_files, library_csv_frame
    from engine.library.store import Store

    store = Store() if args.store else Store(":memory:")
    report = import_files(store, [Path(p) for p in args.paths], name=args.name,
                          progress=lambda done, total, message: print(f"[{done}/{total}] {message}", file=sys.stderr))
    for result in report.files:
        if not result.error:
            print(f"{result.name}: {result.kind}, {result.tracks} tracks, {result.playlists} playlists, "
                  f"{result.plays} plays, {result.skipped} skipped", file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    frame = library_csv_frame(store, report.library_id)
    if len(frame):
        frame.to_csv(args.output, index=False)
        print(f"wrote {len(frame)} tracks to {args.output}", file=sys.stderr)
    else:
        print("error: nothing was imported, so no output was written.", file=sys.stderr)
    return 2 if report.problems or not len(frame) else 0


def register(sub) -> None:
    parser = sub.add_parser("import", help="import Exportify CSVs, Spotify exports or artist/title CSVs")
    parser.add_argument("paths", nargs="+", metavar="PATH")
    parser.add_argument("--output", required=True, help="CSV to write (normalized schema + known features)")
    parser.add_argument("--name", help="library name (with --store)")
    parser.add_argument("--store", action="store_true", help="also keep the library in the store under TUNESCOPE_HOME")
    parser.set_defaults(func=cmd_import)
