"""Normalizing artist and title strings so that the same song matches across sources.

Deliberate choices:
- Remaster, radio-edit, mono/stereo, single/album-version suffixes are dropped: same recording, same features.
- Live, acoustic, remix, instrumental and demo versions are kept in the key: a different recording
  with different features (a live take must not borrow the studio take's liveness).
- Featured-artist credits ("feat.", "ft.", "with") are dropped from titles and artist strings.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

_SAME_RECORDING = (
    r"(?:\d{4}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+(?:version|\d{4}))?(?:\s+\d{4})?"
    r"|(?:\d{4}\s+)?re-?master(?:ed)?(?:\s+\d{4})?"
    r"|radio (?:edit|version|mix)|single (?:edit|version)|album version|original mix|explicit(?: version)?"
    r"|clean(?: version)?|mono(?: version)?|stereo(?: version)?|original version|\d{4} (?:mix|version|stereo mix)"
)
# Linear time on any input (a cell is user text: 400 KB of "(ft " must not stall the server):
# - `(?<!\s)` starts a whitespace run's match only at the run's first character; without it every
#   position inside a long run re-scans the rest of the run (quadratic). The leftmost match always
#   starts there anyway, so the results are the same.
# - `(?s:.*)` reaches the end in one pass; the trailing `.*$` it replaces re-scanned to each newline.
#   Cells are whitespace-collapsed before they get here, so no normal title holds a newline.
# - `_FEAT_BRACKET` only ever matches up to a closing bracket, so it only looks at the text up to the
#   last one (see `_drop_feat_brackets`): an opener with no closer after it would scan to the end.
_DASH_SUFFIX = re.compile(rf"(?<!\s)\s+-\s+(?:{_SAME_RECORDING})\s*$", re.IGNORECASE)
_BRACKET_SUFFIX = re.compile(rf"(?<!\s)\s*[\(\[](?:{_SAME_RECORDING})[\)\]]", re.IGNORECASE)
_FEAT_BRACKET = re.compile(r"(?<!\s)\s*[\(\[](?:feat\.?|ft\.?|featuring|with)\s[^\)\]]*[\)\]]", re.IGNORECASE)
_FEAT_DASH = re.compile(r"(?<!\s)\s+-\s+(?:feat\.?|ft\.?|featuring|with)\s(?s:.*)$", re.IGNORECASE)
_ARTIST_FEAT = re.compile(r"(?<!\s)\s+(?:feat\.?|ft\.?|featuring|with|x|vs\.?)\s+(?s:.*)$", re.IGNORECASE)
_KEEP_DASH = re.compile(r"(?<!\s)\s+-\s+((?s:.*))$")


def _drop_feat_brackets(title: str) -> str:
    end = max(title.rfind(")"), title.rfind("]")) + 1
    return _FEAT_BRACKET.sub("", title[:end]) + title[end:]


def fold(text: str) -> str:
    """Lowercase, strip accents, '&' -> 'and', punctuation to spaces, collapse whitespace."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("$", "s")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def title_key(title: str) -> str:
    """Normalized title for matching (see the module docstring for what is kept)."""
    title = str(title)
    title = _drop_feat_brackets(title)
    title = _FEAT_DASH.sub("", title)
    for _ in range(2):  # "Song - 2011 Remaster - Mono" style stacks
        title = _DASH_SUFFIX.sub("", title)
    title = _BRACKET_SUFFIX.sub("", title)
    # Remaining " - Live at X" / " - Acoustic" suffixes: keep only the version word.
    match = _KEEP_DASH.search(title)
    if match:
        suffix = fold(match.group(1))
        version = next((w for w in ("live", "acoustic", "remix", "instrumental", "demo") if w in suffix.split()), "")
        title = title[: match.start()] + (f" {version}" if version else "")
    return fold(title)


def artist_key(artist: str) -> str:
    """Normalized single artist name: no featured credits, no leading 'the'."""
    name = _ARTIST_FEAT.sub("", str(artist).strip())
    name = fold(name)
    return name[4:] if name.startswith("the ") else name


def primary_artist(artists: str) -> str:
    """First artist of a ';'-separated (or ', '-separated) list."""
    first = str(artists).split(";")[0]
    return first.strip()


def split_artists(artists: str) -> list[str]:
    return [a.strip() for a in str(artists).split(";") if a.strip()]


def track_keys(frame: pd.DataFrame) -> pd.Series:
    """'artist|title' keys for a normalized frame, using the primary artist."""
    artists = frame["artists"].map(lambda a: artist_key(primary_artist(a)))
    titles = frame["title"].map(title_key)
    return artists + "|" + titles
