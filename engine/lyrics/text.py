"""Lyrics as the model sees them: cleaned words, token-bounded chunks, one pooled MiniLM vector.

The training lyrics (tcc_ceds) come pre-processed: lower case, punctuation and English stop words
removed. Pasted lyrics get the same treatment so both land in the same region of embedding space.
MiniLM reads at most 256 word pieces and was trained on 128, so long lyrics are cut into chunks of
at most CHUNK_TOKENS word pieces, embedded one by one and pooled (mean weighted by chunk length).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from engine.encoder import DIM
from engine.errors import LyricsError

CHUNK_TOKENS = 128
MIN_WORDS = 3            # fewer cleaned words than this say nothing about topics
MIN_KNOWN_SHARE = 0.3    # below this share of words the training lyrics ever used, the text is not lyrics
_SECTION = re.compile(r"\[[^\]]*\]")            # [Chorus], [Verse 2: ...]
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")  # letters in any script, with one inner apostrophe
_STOP = frozenset(ENGLISH_STOP_WORDS) | {"oh", "ooh", "yeah", "la", "na", "da", "hey", "uh", "ah", "whoa"}


def clean_words(text: str) -> list[str]:
    """Lower-case words without section markers, digits, punctuation or stop words."""
    if not isinstance(text, str):
        return []
    words = _WORD.findall(_SECTION.sub(" ", text).lower())
    return [w.replace("'", "") for w in words if w not in _STOP and len(w) > 1]


def check_lyrics(words: list[str], vocabulary: set[str], where: str = "lyrics") -> None:
    """Raise LyricsError when the cleaned words are too few or mostly unknown (not lyrics)."""
    if not words:
        raise LyricsError(f"{where}: no words found. Paste the song's lyrics (at least a few lines of text).")
    if len(words) < MIN_WORDS:
        raise LyricsError(f"{where}: only {len(words)} meaningful word(s) ({' '.join(words)}); "
                          "paste a few lines of the song's lyrics.")
    known = sum(w in vocabulary for w in words) / len(words)
    if known < MIN_KNOWN_SHARE:
        raise LyricsError(f"{where}: only {known:.0%} of the words are ones the lyrics model knows; this does not "
                          "look like song lyrics in English. Paste the lyrics as plain text.")


def chunk_words(words: list[str], count_tokens, max_tokens: int = CHUNK_TOKENS) -> list[str]:
    """Consecutive word runs of at most max_tokens word pieces each (a single longer word is cut off)."""
    chunks, current, used = [], [], 0
    for word in words:
        n = min(count_tokens(word), max_tokens)
        if current and used + n > max_tokens:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(word)
        used += n
    if current:
        chunks.append(" ".join(current))
    return chunks


class LyricsEmbedder:
    """Cleaned lyrics -> one unit-norm 384-d vector per song (chunks embedded, then pooled)."""

    def __init__(self, encoder):
        self.encoder = encoder
        self._tokens = lru_cache(maxsize=200_000)(self._count)

    def _count(self, word: str) -> int:
        return len(self.encoder.model.tokenizer.tokenize(word))

    def chunks(self, words: list[str]) -> list[str]:
        return chunk_words(words, self._tokens)

    def embed(self, word_lists: list[list[str]]) -> np.ndarray:
        """(N, DIM) pooled vectors; an empty word list gets zeros."""
        chunked = [self.chunks(words) for words in word_lists]
        flat = [c for chunks in chunked for c in chunks]
        vectors = self.encoder.encode(flat) if flat else np.zeros((0, DIM), np.float32)
        out = np.zeros((len(word_lists), DIM), np.float32)
        start = 0
        for i, chunks in enumerate(chunked):
            if chunks:
                weights = np.array([len(c.split()) for c in chunks], np.float32)
                pooled = (vectors[start:start + len(chunks)] * weights[:, None]).sum(axis=0)
                out[i] = pooled / max(np.linalg.norm(pooled), 1e-12)
            start += len(chunks)
        return out
