"""One parser of artist lists for every table a listener brings (the account export and a Spotify sync give
one name per artist and need none).

Which separator a file uses decides what a comma is:
- a file that separates artists with ';' anywhere (newer Exportify, hand-made tables): ';' splits, and a
  comma belongs to the name ("Tyler, The Creator;Kali Uchis" is two artists);
- a file that separates them with ', ' (older Exportify): a comma splits, except an escaped one
  ('Earth\\, Wind & Fire'), a row whose artist URIs say there is one artist, and a name known to hold a
  comma: the reference catalog's artist names, a few well-known ones, and the names the same file lists
  alone on a row (so "Black Country, New Road" on one row keeps it whole on the rows it shares).
The result is the schema's ';'-separated list.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

SEPARATOR = r"(?<!\s)\s*[,;]\s*"
_PROTECTED = "\x00"  # a comma inside a name while splitting (no cell holds a NUL: such a file is refused as binary)
_URI = r"(?:spotify:artist:)?[0-9A-Za-z]{22}"
WELL_KNOWN = ("Tyler, The Creator", "Black Country, New Road", "Earth, Wind & Fire", "Crosby, Stills, Nash & Young",
              "Crosby, Stills & Nash", "Emerson, Lake & Palmer", "Blood, Sweat & Tears", "Peter, Paul and Mary",
              "Grover Washington, Jr.", "Harry Connick, Jr.", "Sammy Davis, Jr.", "Hank Williams, Jr.",
              "Ernest Tubb, Jr.", "Dave Dee, Dozy, Beaky, Mick & Tich", "10,000 Maniacs", "quickly, quickly")


def split_artist_lists(cells: pd.Series, uris: pd.Series | None = None) -> pd.Series:
    """Each cell's artists as a ';'-separated list; `uris`: the file's artist-URI column, if it has one."""
    names = cells.fillna("").astype(str).str.replace("\\,", _PROTECTED, regex=False)
    if names.str.contains(";", regex=False).any():  # this file separates with ';': a comma is part of a name
        return names.str.replace(r"\s*;\s*", ";", regex=True).str.replace(_PROTECTED, ",", regex=False)
    single = uris.fillna("").astype(str).str.count(_URI) == 1 if uris is not None else pd.Series(False, index=names.index)
    pattern = _known_pattern(frozenset(names[single & names.str.contains(",", regex=False)]))
    if pattern is not None:
        names = names.map(lambda cell: pattern.sub(lambda m: m.group(0).replace(",", _PROTECTED), cell)
                          if "," in cell else cell)
    split = names.str.replace(SEPARATOR, ";", regex=True).where(~single, names)
    return split.str.replace(_PROTECTED, ",", regex=False)


def _known_pattern(from_file: frozenset) -> re.Pattern | None:
    known = sorted(set(_catalog_comma_names()) | set(WELL_KNOWN) | set(from_file), key=len, reverse=True)
    if not known:
        return None
    # A known name counts only as a whole list item: at the start or after a comma, up to a comma or the end.
    return re.compile(r"(?:^|(?<=,))\s*(?:" + "|".join(map(re.escape, known)) + r")(?=\s*,|\s*$)", flags=re.IGNORECASE)


@lru_cache(maxsize=1)
def _catalog_comma_names() -> tuple[str, ...]:
    """The reference catalog's artist names holding a comma (185 today), read once per process."""
    from engine.catalog import artifact

    try:
        names = artifact.artists()["artist"].astype(str)
    except Exception:  # noqa: BLE001 - no shipped catalog (a bare checkout's tests): the other sources still apply
        return ()
    return tuple(n for n in names[names.str.contains(",", regex=False)] if len(n) <= 60)
