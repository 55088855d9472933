"""Building models/world: the MPD's tracks as recommendable items, and the co-listening that connects them.

  TUNESCOPE_DATA_DIR=../shared/data python -m engine build-world [--playlists N]

- items-<n>.parquet: every Million Playlist Dataset track the reference catalog does not hold (by Spotify id
  or by artist + title), with the catalog's item columns; its 8 features are predicted here by the shipped
  predictor (marked `predicted`, with their confidence), never real. Popularity: Spotify's where a table
  has it, else the playlist count mapped onto Spotify's scale by an isotonic fit on the tracks that have both.
- mpd_membership.npz + mpd_keys.parquet: MPD playlists x items (catalog and world alike, by track key).
- lastfm.npz + lastfm_artists.json: Last.fm users x artists (log plays), artists by the product's own
  name folding (engine.textnorm.artist_key); the match rate to the served items' artists is in config.json.
Both datasets are non-commercial research data (the MPD license; HetRec 2011): so is this artifact.
`--playlists N` builds from the first N playlists only, reproducibly (the tests' fixed subset).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from engine.catalog.items import item_columns
from engine.config import FEATURES, data_dir
from engine.recs.world.crowd import popularity_map
from engine.schema import normalize_frame, release_year
from engine.textnorm import artist_key, song_key, track_keys

PART_ROWS = 100_000   # items per parquet file: each stays well under 25 MB
MPD = "mpd_followed_subset"
LASTFM = "hetrec2011_lastfm_2k"
LICENSE = ("Million Playlist Dataset (RecSys Challenge 2018): non-commercial research use only; HetRec 2011 Last.fm "
           "2k (GroupLens): non-commercial research use only. This artifact is fitted on both: the same terms apply.")


def mpd_rows(playlists: int | None = None) -> pd.DataFrame:
    """pid, track_id, title, artists of every MPD playlist entry (the first `playlists` playlists only)."""
    raw = pd.read_parquet(data_dir() / MPD / "mpd_followed_playlist_tracks.parquet")
    if playlists is not None:
        raw = raw[raw["pid"].isin(np.sort(raw["pid"].unique())[:playlists])]
    return pd.DataFrame({"pid": raw["pid"].to_numpy(), "track_id": raw["track_uri"].str.rsplit(":", n=1).str[-1].to_numpy(),
                         "title": raw["track_name"].to_numpy(), "artists": raw["artist_name"].to_numpy()})


def world_items(rows: pd.DataFrame, catalog_items: pd.DataFrame, predictor, encoder, log=print) -> pd.DataFrame:
    """The MPD tracks the catalog lacks, one per track key (the most playlisted id), as catalog items."""
    counts = rows.groupby("track_id")["pid"].nunique()
    tracks = rows.drop_duplicates("track_id").set_index("track_id").loc[counts.index].reset_index()
    tracks["mpd_playlists"] = counts.to_numpy()
    norm = normalize_frame(tracks[["track_id", "title", "artists"]], where="mpd")
    norm["key"] = track_keys(norm).to_numpy()
    norm["mpd_playlists"] = tracks["mpd_playlists"].to_numpy()
    in_catalog = norm["track_id"].isin(set(catalog_items["track_id"])) | norm["key"].isin(set(catalog_items["key"]))
    pop_of = dict(zip(catalog_items["track_id"], catalog_items["popularity"]))
    fit = popularity_map(norm.loc[in_catalog, "mpd_playlists"].to_numpy(float),
                         norm.loc[in_catalog, "track_id"].map(pop_of).to_numpy(float))
    new = norm[~in_catalog & norm["title"].ne("") & norm["artists"].ne("")]
    new = new.sort_values(["mpd_playlists", "track_id"], ascending=[False, True]).drop_duplicates("key")
    new = new.sort_values("key", kind="stable").reset_index(drop=True)
    extra = item_columns(new.assign(release_date=""), popularity=fit.predict(np.log1p(new["mpd_playlists"].to_numpy(float))))
    log(f"world: {len(new):,} MPD tracks the catalog lacks ({int(in_catalog.sum()):,} it holds); predicting features")
    query = normalize_frame(new[["track_id", "title", "artists"]].assign(genres=extra["genres"].to_numpy()), where="mpd")
    predicted = predict_features(query, predictor, encoder, log)
    out = pd.DataFrame({"track_id": new["track_id"], "title": new["title"], "artists": new["artists"], "album": "",
                        "release_date": "", "key": new["key"], "dataset": "mpd"})
    for feat in FEATURES:
        out[feat] = predicted[feat].to_numpy(dtype=np.float32)
    out["confidence"] = predicted["confidence"].to_numpy(dtype=np.float32)
    out["predicted"] = True
    for col in ("artist", "genres", "moods", "popularity"):
        out[col] = extra[col].to_numpy()
    out["year"] = release_year(out["release_date"]).to_numpy()
    out["mpd_playlists"] = new["mpd_playlists"].to_numpy(dtype=np.int32)
    return with_song_keys(out)


def with_song_keys(items: pd.DataFrame) -> pd.DataFrame:
    """The items with their song keys (engine.textnorm.song_key), so serving need not fold 180,000 names."""
    return items.assign(song=[song_key(a, t) for a, t in zip(items["artists"], items["title"])])


def predict_features(frame: pd.DataFrame, predictor, encoder, log, chunk: int = 20_000) -> pd.DataFrame:
    parts = []
    for start in range(0, len(frame), chunk):
        parts.append(predictor.predict_frame(frame.iloc[start:start + chunk], encoder))
        log(f"  predicted {min(start + chunk, len(frame)):,} / {len(frame):,}")
    return pd.concat(parts) if parts else pd.DataFrame(columns=[*FEATURES, "confidence"])


def mpd_membership(rows: pd.DataFrame) -> tuple[sparse.csr_matrix, pd.Series]:
    """(playlists x distinct track keys, the keys): a playlist holding two versions of a song holds it once."""
    norm = normalize_frame(rows[["track_id", "title", "artists"]], where="mpd")
    keys = track_keys(norm)
    codes, uniques = pd.factorize(keys)
    pids, pid_index = pd.factorize(rows["pid"])
    pairs = np.unique(np.stack([pids, codes], 1), axis=0)
    matrix = sparse.csr_matrix((np.ones(len(pairs), np.float32), (pairs[:, 0], pairs[:, 1])),
                               shape=(len(pid_index), len(uniques)))
    return matrix, pd.Series(uniques)


def lastfm_matrix() -> tuple[sparse.csr_matrix, list[str], dict]:
    """(users x artist keys with log(1 + plays), the keys, counts): artists folded as the product folds them."""
    folder = data_dir() / LASTFM
    names = pd.read_csv(folder / "artists.dat", sep="\t", usecols=["id", "name"], quoting=3, encoding="utf-8")
    plays = pd.read_csv(folder / "user_artists.dat", sep="\t")
    key_of = dict(zip(names["id"], names["name"].astype(str).map(artist_key)))
    plays["key"] = plays["artistID"].map(key_of)
    plays = plays[plays["key"].fillna("").ne("")].groupby(["userID", "key"], as_index=False)["weight"].sum()
    users, _ = pd.factorize(plays["userID"])
    cols, keys = pd.factorize(plays["key"])
    matrix = sparse.csr_matrix((np.log1p(plays["weight"].to_numpy(float)).astype(np.float32), (users, cols)),
                               shape=(users.max() + 1, len(keys)))
    return matrix, list(keys), {"users": int(users.max() + 1), "artists": len(keys), "pairs": len(plays)}


def build_world(app, path: Path, playlists: int | None = None, log=print) -> dict:
    """app: the engine.pipeline.facade.Tunescope whose catalog and predictor serve; returns config.json."""
    from engine.catalog.items import catalog_items

    log = log or (lambda message: None)
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("items-*.parquet"):
        old.unlink()
    catalog = catalog_items(app.catalog)
    rows = mpd_rows(playlists)
    items = world_items(rows, catalog, app.predictor, app.encoder, log)
    written = []
    for n, start in enumerate(range(0, max(len(items), 1), PART_ROWS)):
        name = f"items-{n}.parquet"
        items.iloc[start:start + PART_ROWS].to_parquet(path / name, index=False, compression="zstd")
        written.append(name)
    membership, keys = mpd_membership(rows)
    sparse.save_npz(path / "mpd_membership.npz", membership)
    pd.DataFrame({"key": keys}).to_parquet(path / "mpd_keys.parquet", index=False, compression="zstd")
    lastfm, artists, counts = lastfm_matrix()
    sparse.save_npz(path / "lastfm.npz", lastfm)
    (path / "lastfm_artists.json").write_text(json.dumps(artists, ensure_ascii=False))
    served = set(catalog["artist"]) | set(items["artist"])
    weight = np.asarray(lastfm.sum(0)).ravel()
    found = np.array([a in served for a in artists])
    digest = hashlib.sha1()
    for name in [*written, "mpd_membership.npz", "mpd_keys.parquet", "lastfm.npz", "lastfm_artists.json"]:
        digest.update((path / name).read_bytes())
    config = {"version": digest.hexdigest()[:12], "catalog_version": app.catalog.version, "items": written,
              "rows": len(items), "mpd_playlists": int(membership.shape[0]), "mpd_tracks": int(rows["track_id"].nunique()),
              "lastfm": {**counts, "artists_matched": float(found.mean()),
                         "play_weight_matched": float(weight[found].sum() / max(weight.sum(), 1e-9))},
              "features": "predicted by models/audio_predictor at build time (never real)",
              "popularity": "Spotify's where known, else MPD playlist count mapped by an isotonic fit",
              "license": LICENSE, "command": "TUNESCOPE_DATA_DIR=../shared/data python -m engine build-world"
              + (f" --playlists {playlists}" if playlists else "")}
    (path / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
    log(f"world: {len(items):,} items, {membership.shape[0]:,} MPD playlists, Last.fm {counts['users']:,} users; "
        f"{config['lastfm']['artists_matched']:.0%} of Last.fm artists match a served artist -> {path}")
    return config

