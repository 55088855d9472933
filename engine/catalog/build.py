"""Building the shipped catalog (models/catalog) from the datasets in TUNESCOPE_DATA_DIR.

  python -m engine build-catalog      # rewrites models/catalog; training and evaluation call it too

Only training and evaluation read the datasets; serving reads what this writes (engine.catalog.artifact).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from engine.catalog import artifact, datasets
from engine.catalog.artifact import DEMO_DISCOVERIES, DEMO_PLAYLISTS
from engine.catalog.items import ITEM_COLUMNS, item_columns
from engine.catalog.matching import CATALOG_COLUMNS, Catalog
from engine.schema import normalize_frame
from engine.textnorm import artist_key, primary_artist

DISCOVERY_COUNT = 150
_POPULARITY_TABLES = {  # file -> (id column, popularity column)
    "tidytuesday_spotify_songs.parquet": ("track_id", "track_popularity"),
    "spotify_top_tracks_2010s_kattapriyatham.parquet": ("track_id", "popularity"),
    "spotify_music_dataset_high_popularity.parquet": ("track_id", "track_popularity"),
    "spotify_music_dataset_low_popularity.parquet": ("track_id", "track_popularity"),
}
SOURCES = {
    "tracks.parquet": "TidyTuesday 2020-01-21 Spotify songs (MIT repository; data from Spotify's API), "
                      "kattapriyatham top tracks 2010s, top songs audio features, top hits 2000-2019, data_moods, "
                      "Spotify music dataset 2024 (high/low popularity), most streamed 2023, Organize Your Music top "
                      "2000s and top10s; artist genres from yamaerenay data_w_genres 2021-01",
    "artists.parquet": "yamaerenay data_w_genres 2021-01 (artist, genres, track count)",
    "demo.parquet": "five TidyTuesday playlists and 150 Genius-tagged songs (musictags_genius_metadata part 1, "
                    "free for educational, research and non-commercial use) the catalog does not know",
}


def popularity(track_ids: pd.Series) -> np.ndarray:
    """Spotify track popularity (0..1) where a table carries it, else NaN."""
    found: dict[str, float] = {}
    for file, (id_col, pop_col) in _POPULARITY_TABLES.items():
        raw = datasets._read(file)[[id_col, pop_col]].dropna()
        for tid, pop in zip(raw[id_col], raw[pop_col]):
            found.setdefault(tid, float(pop) / 100.0)
    return np.array([found.get(t, np.nan) for t in track_ids], dtype=float)


def build_catalog(path: Path | None = None, log=print) -> dict:
    """Write tracks, artists, demo and config.json; returns the config."""
    path = Path(path or artifact.catalog_dir())
    path.mkdir(parents=True, exist_ok=True)
    artists = datasets.artist_table()[["artist", "genres", "count"]].reset_index(drop=True)
    tracks = datasets.catalog_tracks()[CATALOG_COLUMNS].reset_index(drop=True)
    items = item_columns(tracks, artists, popularity(tracks["track_id"]))
    full = pd.concat([tracks, items[ITEM_COLUMNS]], axis=1)
    demo = demo_frame(Catalog(tracks), artists)
    written = {"tracks.parquet": full, "artists.parquet": artists, "demo.parquet": demo}
    digest = hashlib.sha1()
    for name, frame in written.items():
        frame.to_parquet(path / name, index=False, compression="zstd")
        digest.update((path / name).read_bytes())
    config = {"version": digest.hexdigest()[:12], "format": 1,
              "rows": {name: len(frame) for name, frame in written.items()},
              "datasets": tracks["dataset"].value_counts().to_dict(), "sources": SOURCES,
              "command": "python -m engine build-catalog"}
    (path / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    artifact.clear()
    if log:
        log(f"catalog: {len(full):,} tracks, {len(artists):,} artists, {len(demo)} demo rows -> {path}")
    return config


def demo_frame(catalog: Catalog, artists: pd.DataFrame) -> pd.DataFrame:
    """Five real playlists (features known to the catalog) and songs the catalog does not know."""
    raw = datasets._read("tidytuesday_spotify_songs.parquet")
    genres = dict(zip(artists["artist"].map(lambda a: artist_key(str(a))), artists["genres"]))
    parts = []
    for name in DEMO_PLAYLISTS:
        rows = raw[raw["playlist_name"] == name].drop_duplicates("track_id")
        frame = pd.DataFrame({"track_id": rows["track_id"], "title": rows["track_name"],
                              "artists": rows["track_artist"], "album": rows["track_album_name"],
                              "release_date": rows["track_album_release_date"], "duration_ms": rows["duration_ms"]})
        frame["genres"] = frame["artists"].map(lambda a: genres.get(artist_key(primary_artist(str(a))), ""))
        parts.append(normalize_frame(frame, where="demo").assign(playlist=name))
    parts.append(_discoveries(catalog).assign(playlist=DEMO_DISCOVERIES))
    return pd.concat(parts, ignore_index=True)


def _discoveries(catalog: Catalog) -> pd.DataFrame:
    """Recent Genius-tagged songs with no catalog features: the tracks Tunescope must predict."""
    raw = datasets._read("musictags_genius_metadata_part1.parquet")
    raw = raw[pd.to_numeric(raw["Year"], errors="coerce") >= 2008].sample(frac=1.0, random_state=7)
    frame = pd.DataFrame({"title": raw["SongTitle"], "artists": raw["Artist"], "release_date": raw["Year"].map(str),
                          "genres": raw["Genius_Tags"].fillna("").str.lower().str.replace(r"\s*,\s*", ";", regex=True)})
    frame = normalize_frame(frame.head(DISCOVERY_COUNT * 3), where="demo")
    rows, _ = catalog.match(frame)
    frame = frame[rows < 0].drop_duplicates(["title", "artists"]).head(DISCOVERY_COUNT)
    return frame.reset_index(drop=True)
