"""Real listeners for the ranker's one evaluation protocol, each cut in time (examples and truth).

Every dated record a listener's files hold (plays, playlist items with addedDate, Exportify rows with
Added At) is split at a share of that listener's own timeline (first to last dated record): TEST_CUT for
the scored example, the earlier cuts of configs/ranker.toml for training examples. The records before the
cut, plus the undated ones (YourLibrary, 2020 playlists), are written back as files and imported through
the product's own importers into a fresh empty store the caller supplies: that store's library is exactly
what the product would have had. The records after the cut are read by the same importers; their
tracks that the catalog knows (same id, or the same song by the catalog matcher) and that the library
does not already own are the truth.
  (used by `python -m engine evaluate-recs --listeners`)
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

TEST_CUT = 0.75  # the scored example of every listener: the one place this share is written
MIN_TRUTH_MS = 30_000  # a play after the cut counts as "added" only when it lasted at least 30 s
TIME_KEYS = ("ts", "endTime", "addedDate")
SPOTIFY_LAUNCH = "2006-01-01"  # an earlier date is a placeholder (Spotify's "Your Top Songs" says 1970-01-01): undated


@dataclass
class Listener:
    name: str
    kind: str
    library: pd.DataFrame            # library_csv_frame of the pre-cut import (plays counted before the cut)
    owned: np.ndarray                # catalog rows the library holds
    truth: np.ndarray                # catalog rows first added or played after the cut, not owned
    cut: str = ""
    notes: list[str] = field(default_factory=list)


def sample_owners(samples: Path) -> dict[str, tuple[str, list[Path]]]:
    """owner -> (kind, files): the extended-history owner, each account export, Exportify files pooled per owner."""
    owners: dict[str, tuple[str, list[Path]]] = {}
    for folder in sorted((samples / "extended_streaming_history").glob("*")):
        owners[folder.name] = ("extended history", sorted(folder.glob("*.json")))
    for folder in sorted((samples / "account_export").glob("*")):
        owners[folder.name] = ("account export", sorted(folder.glob("*.json")))
    for path in sorted((samples / "exportify").glob("*.csv")):
        owner = path.name.split("__")[0]
        owners.setdefault(owner, ("exportify", []))[1].append(path)
    for folder in sorted(p for p in (samples / "listeners").glob("*") if p.is_dir()):
        files = sorted([*folder.glob("*.json"), *folder.glob("*.csv")])
        kind = "exportify" if any(f.suffix == ".csv" for f in files) else "streaming history"
        owners[folder.name.split("__")[0]] = (kind, files)
    return owners


# ---- splitting a file's records at a time ---------------------------------------------------------

def _clock(text) -> str | None:
    text = str(text or "").replace("T", " ").rstrip("Z")[:19]
    return text if text >= SPOTIFY_LAUNCH else None


def _record_time(record: dict) -> str | None:
    return next((t for t in (_clock(record.get(key)) for key in TIME_KEYS) if t), None)


def _csv_rows(data: bytes) -> tuple[list[str], list[list[str]], int | None]:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0] if rows else []
    where = header.index("Added At") if "Added At" in header else None
    return header, rows[1:], where


def record_times(path: Path) -> list[str]:
    """Every dated record's time in one file ("YYYY-MM-DD HH:MM:SS" prefix, comparable as text)."""
    data = path.read_bytes()
    if path.suffix == ".csv":
        _, rows, where = _csv_rows(data)
        return [] if where is None else [t for r in rows if len(r) > where and (t := _clock(r[where]))]
    doc = json.loads(data.decode("utf-8-sig"))
    records = doc if isinstance(doc, list) else [i for p in doc.get("playlists", []) for i in p.get("items", [])]
    return [t for t in map(_record_time, records) if t]


def split_file(path: Path, cut: str) -> tuple[bytes | None, bytes | None]:
    """(bytes before the cut incl. undated records, bytes after the cut); None where nothing is left."""
    data = path.read_bytes()
    if path.suffix == ".csv":
        header, rows, where = _csv_rows(data)
        if where is None:
            return data, None
        before = [r for r in rows if (t := _clock(r[where] if len(r) > where else "")) is None or t < cut]
        after = [r for r in rows if r not in before]
        return _csv_bytes(header, before), _csv_bytes(header, after)
    doc = json.loads(data.decode("utf-8-sig"))

    def early(record) -> bool:
        t = _record_time(record)
        return t is None or t < cut

    if isinstance(doc, list):
        return _json_bytes([r for r in doc if early(r)]), _json_bytes([r for r in doc if not early(r)])
    if "playlists" in doc:
        pre = {**doc, "playlists": [{**p, "items": [i for i in p.get("items", []) if early(i)]} for p in doc["playlists"]]}
        post = {**doc, "playlists": [{**p, "items": [i for i in p.get("items", []) if not early(i)]}
                                     for p in doc["playlists"]]}
        post["playlists"] = [p for p in post["playlists"] if p["items"]]
        pre["playlists"] = [p for p in pre["playlists"] if p["items"]]
        return (_json_bytes(pre) if pre["playlists"] else None), (_json_bytes(post) if post["playlists"] else None)
    return data, None  # YourLibrary: undated, part of the library


def _csv_bytes(header, rows) -> bytes | None:
    if not rows:
        return None
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    return out.getvalue().encode()


def _json_bytes(doc) -> bytes | None:
    return json.dumps(doc).encode() if doc else None


# ---- one listener ---------------------------------------------------------------------------------

def cut_time(files: list[Path], share: float = TEST_CUT) -> str | None:
    times = sorted(t for f in files for t in record_times(f))
    if len(times) < 2:
        return None
    first, last = pd.Timestamp(times[0]), pd.Timestamp(times[-1])
    return str(first + (last - first) * share)[:19]


def build_listener(name: str, kind: str, files: list[Path], catalog, new_store, share: float = TEST_CUT,
                   cut: str | None = None) -> Listener:
    """The pre-cut library through the real importers, and the catalog-known truth after the cut
    (at `share` of the listener's timeline, or at the time `cut` when given). new_store(): a fresh empty
    engine.library.store.Store to import into (closed here once the library is read)."""
    from engine.library.importers import read_file
    from engine.library.imports import import_files, library_csv_frame
    from engine.library.recency import with_recency
    from engine.schema import normalize_frame

    cut = cut or cut_time(files, share)
    if cut is None:
        return Listener(name, kind, pd.DataFrame(), np.zeros(0, int), np.zeros(0, int),
                        notes=["fewer than two dated records: no timeline to cut (skipped)"])
    parts = [(f.name, split_file(f, cut)) for f in files]
    store = new_store()
    report = import_files(store, [(n, pre) for n, (pre, _) in parts if pre is not None], name=name)
    library = with_recency(store, report.library_id, library_csv_frame(store, report.library_id))
    store.close()
    owned_rows = catalog.match(normalize_frame(library, where=name))[0]
    owned = np.unique(owned_rows[owned_rows >= 0])
    later = []
    for fname, (_, post) in parts:
        if post is None:
            continue
        for piece in read_file(fname, post)[0]:
            plays = piece.plays[pd.to_numeric(piece.plays["ms_played"], errors="coerce").fillna(0) >= MIN_TRUTH_MS] \
                if len(piece.plays) else piece.plays
            later += [piece.tracks, *[items for _, items in piece.playlists], plays]
    later = [f[["track_id", "title", "artists"]] for f in later if len(f)]
    truth = np.zeros(0, int)
    if later:
        rows = catalog.match(normalize_frame(pd.concat(later, ignore_index=True), where=name))[0]
        truth = np.setdiff1d(np.unique(rows[rows >= 0]), owned)
    notes = [] if len(truth) else ["no track added or played after the cut is in the catalog (skipped)"]
    return Listener(name, kind, library, owned, truth, cut, notes)


def build_listeners(samples: Path, catalog, new_store, share: float = TEST_CUT,
                    only: list[str] | None = None) -> list[Listener]:
    return [build_listener(name, kind, files, catalog, new_store, share)
            for name, (kind, files) in sample_owners(samples).items() if only is None or name in only]


def unenriched(library: pd.DataFrame) -> pd.DataFrame:
    """The imported library as the recommender receives it before enrichment: the features the files
    brought, the rest missing (the recommender reads them as unknown, confidence 0)."""
    from engine.config import FEATURES

    return library.assign(**{f: np.nan for f in FEATURES if f not in library})
