"""How much of the shared real samples the shipped catalog matches: by id or name, and by name alone.

  TUNESCOPE_DATA_DIR=../shared/data python bench/catalog_match_rate.py

Every file under <data>/samples (Exportify CSVs, account exports, extended streaming history) is read
as the importer reads it; saved tracks, playlist items and plays are pooled and counted once per
distinct artist/title pair. "By name alone" blanks the ids, so it measures `track_keys` (the version
rule in engine/textnorm.py) against the catalog's keys. Run it before and after a change to the rule.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.catalog.matching import Catalog  # noqa: E402
from engine.config import data_dir  # noqa: E402
from engine.errors import TunescopeError  # noqa: E402
from engine.library.importers import read_file  # noqa: E402


def sample_pairs() -> pd.DataFrame:
    frames = []
    files = sorted(p for p in (data_dir() / "samples").rglob("*") if p.suffix.lower() in (".csv", ".json"))
    for path in files:
        try:
            parsed, _ = read_file(path.name, path.read_bytes())
        except TunescopeError:  # a sample that is no library file (e.g. an export's settings)
            continue
        for piece in parsed:
            frames += [f[["track_id", "title", "artists"]] for f in [piece.tracks, piece.plays, *(items for _, items in piece.playlists)]
                       if len(f)]
    return pd.concat(frames).drop_duplicates(subset=["title", "artists"]).reset_index(drop=True)


def main() -> None:
    pairs, catalog = sample_pairs(), Catalog.load()
    rows, how = catalog.match(pairs)
    by_name, _ = catalog.match(pairs.assign(track_id=""))
    print(f"catalog {catalog.version} ({len(catalog.tracks):,} tracks); {len(pairs):,} distinct artist/title pairs: "
          f"matched {(rows >= 0).mean():.2%} (id {(how == 'id').mean():.2%}, name {(how == 'name').mean():.2%}); "
          f"by name alone {(by_name >= 0).mean():.2%}")


if __name__ == "__main__":
    main()
