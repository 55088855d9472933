"""The columns a listener's file had that Tunescope does not read (popularity, key, mode, loudness, time
signature, label, added-at...), kept per track so the enriched CSV gives them back.

At import each file's list of such headers is stored once (table file_headers, migration m10, keyed by a
digest of the list) and each row keeps only its cells, as JSON `{"h": <digest>, "v": [cells]}` in
library_tracks.file_columns; the download unpacks them next to the enriched columns. Header names are cut
to MAX_HEADER_CHARS and at most MAX_KEPT_COLUMNS columns are kept, so the store grows with the cells of
a file, never with its headers times its rows. Rows stored before m10 hold `{header: cell}` and still unpack.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd

COLUMN = "file_columns"
MAX_HEADER_CHARS = 100   # Exportify's longest header is 24 characters
MAX_KEPT_COLUMNS = 100   # Exportify writes 24 columns, a dozen of them unread


def pack(raw: pd.DataFrame, columns: list) -> tuple[pd.Series, dict[str, list[str]]]:
    """(per row the non-empty cells of `columns` as JSON text, '' when none; {digest: header list})."""
    columns = list(columns)[:MAX_KEPT_COLUMNS]
    if not columns:
        return pd.Series("", index=raw.index, dtype=object), {}
    headers = [str(c).replace("\ufeff", "").strip()[:MAX_HEADER_CHARS] for c in columns]
    digest = hashlib.sha1(json.dumps(headers).encode()).hexdigest()[:16]
    cells = raw[columns].astype(str).to_numpy().tolist()
    texts = [json.dumps({"h": digest, "v": [v if v.strip() else "" for v in row]}, ensure_ascii=False)
             if any(v.strip() for v in row) else "" for row in cells]
    return pd.Series(texts, index=raw.index, dtype=object), {digest: headers}


def unpack(frame: pd.DataFrame, headers: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """The frame without the packed column, the file's columns appended in first-seen order; a header
    that names a column already there gets ' (your file)' after it. `headers`: the store's file_headers."""
    if COLUMN not in frame:
        return frame
    out = frame.drop(columns=[COLUMN])
    rows = [_load(text, headers or {}) for text in frame[COLUMN].tolist()]
    names = list(dict.fromkeys(h for row in rows for h in row))
    taken = set(map(str, out.columns))
    for header in names:
        name = header if header not in taken else f"{header} (your file)"
        out[name] = [row.get(header, "") for row in rows]
        taken.add(name)
    return out


def _load(text, headers: dict[str, list[str]]) -> dict:
    if not isinstance(text, str) or not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    if isinstance(value, dict) and "h" in value and isinstance(value.get("v"), list):
        return {h: str(v) for h, v in zip(headers.get(str(value["h"]), []), value["v"]) if str(v)}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
