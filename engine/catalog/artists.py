"""Artists by normalized name: the index the catalog's genre lookup and the predictor's priors share."""

from __future__ import annotations

import pandas as pd

from engine.schema import split_list
from engine.textnorm import artist_key, split_artists


class ArtistIndex:
    """artist -> row by normalized name (the most-counted row wins a tie), with each row's ';' genres."""

    def __init__(self, table: pd.DataFrame):
        table = table.copy()
        table["key"] = table["artist"].map(artist_key)
        table = table.sort_values("count", ascending=False).drop_duplicates("key")
        self.table = table.reset_index(drop=True)
        self.index = dict(zip(self.table["key"], range(len(self.table))))
        self.genres = self.table["genres"].tolist()
        self.genre_lists = [split_list(g) for g in self.genres]  # parsed once, read per request

    def find(self, artists: str) -> list[int]:
        """Rows of every listed artist found; a comma inside one name is tried whole first."""
        rows = []
        for name in split_artists(artists):
            row = self.index.get(artist_key(name))
            if row is None and "," in name:
                row = self.index.get(artist_key(name.split(",")[0]))
            if row is not None and row not in rows:
                rows.append(row)
        return rows
