"""The columns a listener's file had that Tunescope does not read (popularity, key, mode, loudness, time
signature, label, added-at...), kept per track so the enriched CSV gives them back.

At import they are packed, under the file's own headers, into one JSON text per row (library_tracks.
file_columns, migration m8); the download unpacks them next to the enriched columns.
"""

from __future__ import annotations

import json

import pandas as pd

COLUMN = "file_columns"


def pack(raw: pd.DataFrame, columns: list) -> pd.Series:
    """Per row, {header: cell} of `columns` with non-empty cells, as JSON text ('' when none)."""
    if not columns:
        return pd.Series("", index=raw.index, dtype=object)
    headers = [str(c).replace("\ufeff", "").strip() for c in columns]
    cells = raw[columns].astype(str).to_numpy().tolist()
    return pd.Series([json.dumps({h: v for h, v in zip(headers, row) if v.strip()}, ensure_ascii=False)
                      if any(v.strip() for v in row) else "" for row in cells], index=raw.index, dtype=object)


def unpack(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without the packed column, the file's columns appended in first-seen order; a header
    that names a column already there gets ' (your file)' after it."""
    if COLUMN not in frame:
        return frame
    out = frame.drop(columns=[COLUMN])
    rows = [_load(text) for text in frame[COLUMN].tolist()]
    headers = list(dict.fromkeys(h for row in rows for h in row))
    taken = set(map(str, out.columns))
    for header in headers:
        name = header if header not in taken else f"{header} (your file)"
        out[name] = [row.get(header, "") for row in rows]
        taken.add(name)
    return out


def _load(text) -> dict:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
