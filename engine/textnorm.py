"""Normalizing artist and title strings so that the same song matches across sources.

The version rule (one rule: the catalog matcher and the store both key tracks with `track_keys`):
- A version word makes a different track: extended, live, acoustic, remix, instrumental, demo, edit
  (radio edits too: a different length), "without ..." and "with ... orchestra". A different take or cut
  has different features (a live take must not borrow the studio take's liveness). The key keeps the
  version words only, so "- Live at Wembley" and "(Live at Wembley)" are one key ("song live").
- A remaster, a reissue year, mono/stereo, single/album/original version, explicit/clean are the same
  recording: dropped from the key.
- The album is not part of the key: the same id-less song from two albums is one track.
- Featured-artist credits ("feat.", "ft.", "with X") are dropped from titles and artist strings.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import pandas as pd

_SAME_RECORDING = (
    r"(?:\d{4}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+(?:version|\d{4}))?(?:\s+\d{4})?"
    r"|(?:\d{4}\s+)?re-?master(?:ed)?(?:\s+\d{4})?"
    r"|radio (?:version|mix)|single version|album version|original mix|explicit(?: version)?"
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
# "with" credits a featured artist, except "with (the London Symphony) Orchestra": a version. The
# lookahead reads at most four words, so it stays linear.
_WITH = r"with\s(?!(?:\S+\s+){0,4}orchestra)"
_FEAT_BRACKET = re.compile(rf"(?<!\s)\s*[\(\[](?:feat\.?|ft\.?|featuring|{_WITH})[^\)\]]*[\)\]]", re.IGNORECASE)
_FEAT_DASH = re.compile(rf"(?<!\s)\s+-\s+(?:feat\.?|ft\.?|featuring|{_WITH})(?s:.*)$", re.IGNORECASE)
_ARTIST_FEAT = re.compile(r"(?<!\s)\s+(?:feat\.?|ft\.?|featuring|with|x|vs\.?)\s+(?s:.*)$", re.IGNORECASE)
_KEEP_DASH = re.compile(r"(?<!\s)\s+-\s+((?s:.*))$")
_BRACKET = re.compile(r"[\(\[]([^\(\)\[\]]*)[\)\]]")
_VERSION_WORDS = {"extended": "extended", "live": "live", "acoustic": "acoustic", "remix": "remix",
                  "remixed": "remix", "instrumental": "instrumental", "demo": "demo", "edit": "edit"}


def version_words(suffix: str) -> str:
    """The version a title suffix names, as key words ('' for none): 'Live at Wembley' -> 'live',
    'Without Orchestra' -> 'without orchestra', 'With the LSO Orchestra' -> 'with orchestra'."""
    words = fold(suffix).split()
    found = list(dict.fromkeys(_VERSION_WORDS[w] for w in words if w in _VERSION_WORDS))
    if "without" in words:
        found.append(" ".join(words[words.index("without"):]))
    elif "with" in words and "orchestra" in words[words.index("with"):]:
        found.append("with orchestra")
    return " ".join(found)


def _bracket_version(match: re.Match) -> str:
    version = version_words(match.group(1))
    return f" {version} " if version else match.group(0)


def _drop_feat_brackets(title: str) -> str:
    end = max(title.rfind(")"), title.rfind("]")) + 1
    return _FEAT_BRACKET.sub("", title[:end]) + title[end:]


# Names repeat (a library's artists, the same titles request after request); these are pure, so each
# distinct string is folded once per process. The bound keeps a long-running server's memory flat.
_CACHED = 1 << 16


@lru_cache(maxsize=_CACHED)
def fold(text: str) -> str:
    """Lowercase, strip accents, '&' -> 'and', punctuation to spaces, collapse whitespace."""
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("&", " and ").replace("$", "s")
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=_CACHED)
def title_key(title: str) -> str:
    """Normalized title for matching (see the module docstring for what is kept)."""
    title = str(title)
    title = _drop_feat_brackets(title)
    title = _FEAT_DASH.sub("", title)
    for _ in range(2):  # "Song - 2011 Remaster - Mono" style stacks
        title = _DASH_SUFFIX.sub("", title)
    title = _BRACKET_SUFFIX.sub("", title)
    title = _BRACKET.sub(_bracket_version, title)  # "(Live at X)" -> "live"; other brackets stay
    # A remaining " - Live at X" / " - Extended Version" suffix: only its version words stay.
    match = _KEEP_DASH.search(title)
    if match:
        version = version_words(match.group(1))
        title = title[: match.start()] + (f" {version}" if version else "")
    return fold(title)


@lru_cache(maxsize=_CACHED)
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


_ANY_BRACKET = re.compile(r"[\(\[][^\(\)\[\]]*[\)\]]")
_ANY_DASH = re.compile(r"(?<!\s)\s+-\s+(?s:.*)$")


@lru_cache(maxsize=_CACHED)
def song_key(artists: str, title: str) -> str:
    """'artist|song' whatever the version: a remix, a live take or an edit of a song shares its key
    (track_keys keeps them apart; recommendations use this so a version of an owned song is not offered)."""
    bare = _ANY_DASH.sub("", _ANY_BRACKET.sub(" ", _drop_feat_brackets(str(title))))
    return f"{artist_key(primary_artist(artists))}|{fold(bare) or fold(title)}"
