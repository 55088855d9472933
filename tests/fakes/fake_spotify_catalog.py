"""The fake Spotify's users: a generated library per user, built from real response bodies.

Tracks follow the real track JSON of `zmb3-spotify__playlist_items_tracks.json` and artists that of
`jmperez__artists.json`, with ids and names varied and the fields Spotify removed in 2026
(popularity, followers, external_ids, available_markets) dropped. Playlists hold duplicates,
removed tracks (`track: null`), podcast episodes and local files, as real ones do.
"""

from __future__ import annotations

import copy
import json
import random
import string
from dataclasses import dataclass, field
from pathlib import Path

_BASE62 = string.ascii_letters + string.digits
_REMOVED = ("popularity", "followers", "external_ids", "available_markets")
_GENRES = ["indie pop", "neo soul", "alt z", "modern rock", "deep house", "bossa nova", "k-pop", "trip hop",
           "art pop", "drill", "cool jazz", "synthwave", "afrobeats", "shoegaze", "latin pop"]
_WORDS = ["Midnight", "Golden", "River", "Echo", "Paper", "Neon", "Velvet", "Static", "Harbor", "Signal",
          "Summer", "Glass", "Orbit", "Quiet", "Wild", "Silver", "Hollow", "Electric", "Ocean", "Ember"]


def _strip(obj: dict) -> dict:
    for name in _REMOVED:
        obj.pop(name, None)
    return obj


def _id(rng: random.Random) -> str:
    return "".join(rng.choice(_BASE62) for _ in range(22))


@dataclass
class FakePlaylist:
    id: str
    name: str
    owner: str
    items: list = field(default_factory=list)  # ("track", id) | ("null", None) | ("episode", dict) | ("local", dict)
    version: int = 1
    description: str = ""

    @property
    def snapshot_id(self) -> str:
        return f"{self.id}-v{self.version}"

    def simplified(self, base: str, user: "FakeUser") -> dict:
        ref = {"href": f"{base}/v1/playlists/{self.id}/items", "total": len(self.items)}
        return {"collaborative": False, "description": self.description, "external_urls": {"spotify": f"https://open.spotify.com/playlist/{self.id}"},
                "href": f"{base}/v1/playlists/{self.id}", "id": self.id, "images": [], "name": self.name,
                "owner": {"display_name": user.display_name, "external_urls": {}, "href": f"{base}/v1/users/{user.id}",
                          "id": user.id, "type": "user", "uri": f"spotify:user:{user.id}"},
                "public": False, "snapshot_id": self.snapshot_id, "items": ref, "tracks": ref,
                "type": "playlist", "uri": f"spotify:playlist:{self.id}"}

    def entries(self, items: list, field: str) -> list[dict]:
        """Playlist item objects; `field` is 'item' (the /items path) or 'track' (the old /tracks)."""
        out = []
        for kind, value in items:
            entry = copy.deepcopy(self.entry_template)
            entry.pop("track", None)
            entry["is_local"] = kind == "local"
            entry[field] = self.catalog[value] if kind == "track" else value  # None for a removed track
            out.append(entry)
        return out

    def add(self, uris: list[str], user: "FakeUser") -> None:
        self.items += [("track", u.rsplit(":", 1)[-1]) for u in uris]
        self.version += 1


@dataclass
class FakeUser:
    id: str
    display_name: str
    tracks: dict  # id -> track JSON
    artists: dict  # id -> artist JSON
    saved: list  # track ids, newest first
    playlists: list
    saved_template: dict

    def profile(self, base: str) -> dict:
        return {"display_name": self.display_name, "external_urls": {"spotify": f"https://open.spotify.com/user/{self.id}"},
                "href": f"{base}/v1/users/{self.id}", "id": self.id, "images": [], "type": "user",
                "uri": f"spotify:user:{self.id}"}

    def saved_entries(self, ids: list[str]) -> list[dict]:
        return [{**self.saved_template, "track": self.tracks[t]} for t in ids]

    def playlist(self, playlist_id: str) -> FakePlaylist | None:
        return next((p for p in self.playlists if p.id == playlist_id), None)

    def save_new_track(self) -> str:
        """The user saves a track (a copy of the first one under a new id) while a sync runs: it goes on top."""
        track = copy.deepcopy(self.tracks[self.saved[0]])
        tid = _id(random.Random(f"saved-{len(self.tracks)}"))
        track.update(id=tid, uri=f"spotify:track:{tid}", name=f"Saved Meanwhile No. {len(self.tracks)}")
        self.tracks[tid] = track
        self.saved.insert(0, tid)
        return tid

    def catalog_track(self, uri: str) -> dict | None:
        return self.tracks.get(uri.rsplit(":", 1)[-1]) if uri.startswith("spotify:track:") else None

    def create_playlist(self, name: str, description: str, base: str) -> dict:
        playlist = FakePlaylist(_id(random.Random(name + str(len(self.playlists)))), name, self.id, description=description)
        playlist.entry_template, playlist.catalog = self.playlists[0].entry_template, self.tracks
        self.playlists.append(playlist)
        return {**playlist.simplified(base, self), "description": description}

    # what a correct sync must end with
    def expected_tracks(self) -> set[str]:
        """Distinct music tracks: saved ones and playlist ones (local files by uri)."""
        found = set(self.saved)
        for playlist in self.readable_playlists():
            found |= {key for key in map(_item_key, playlist.items) if key}
        return found

    def readable_playlists(self) -> list[FakePlaylist]:
        return [p for p in self.playlists if p.owner == self.id]

    def expected_playlist(self, playlist_id: str) -> list[str]:
        return [key for key in map(_item_key, self.playlist(playlist_id).items) if key]


def _item_key(item) -> str | None:
    kind, value = item
    return value if kind == "track" else (value["uri"] if kind == "local" else None)


def make_user(user_id: str, n_tracks: int, n_playlists: int, rng: random.Random, fixtures: Path,
              genres: bool = True, shape: "HeavyShape | None" = None) -> FakeUser:
    """A generated library; `shape` (a heavy user's account) sets saved count, artists and playlist sizes."""
    listing = json.loads((fixtures / "zmb3-spotify__playlist_items_tracks.json").read_text())
    entry_template = _strip(copy.deepcopy(listing["items"][0]))
    track_template = _strip(copy.deepcopy(entry_template["track"]))
    _strip(track_template["album"])
    artist_template = _strip(json.loads((fixtures / "jmperez__artists.json").read_text()))
    saved_fixture = json.loads((fixtures / "jmperez__user_saved_tracks.json").read_text())["items"][0]
    saved_template = {"added_at": saved_fixture["added_at"]}

    n_artists = shape.artists if shape else max(3, n_tracks // 8)
    known = _catalog_artists(rng, round(n_artists * shape.in_catalog)) if shape else []
    artists = {}
    for i in range(n_artists):
        aid = _id(rng)
        artist = copy.deepcopy(artist_template)
        name, catalog_genres = known[i] if i < len(known) else (f"{rng.choice(_WORDS)} {user_id.title()} Band {i}", None)
        artist.update(id=aid, name=name, uri=f"spotify:artist:{aid}",
                      href=f"https://api.spotify.com/v1/artists/{aid}", external_urls={"spotify": f"https://open.spotify.com/artist/{aid}"},
                      genres=catalog_genres if catalog_genres is not None
                      else rng.sample(_GENRES, rng.randint(0, 3)) if genres else [])
        artists[aid] = artist
    artist_ids = list(artists)
    tracks = {}
    for i in range(n_tracks):
        tid = _id(rng)
        track = copy.deepcopy(track_template)
        credited = [artists[a] for a in rng.sample(artist_ids, 1 if rng.random() < 0.8 else 2)]
        if shape:  # every artist credited somewhere: the account has `shape.artists` distinct artists
            credited = [artists[artist_ids[i % n_artists]]] + [a for a in credited[1:] if a["id"] != artist_ids[i % n_artists]]
        simple = [{k: a[k] for k in ("external_urls", "href", "id", "name", "type", "uri")} for a in credited]
        album_id = _id(rng)
        track["album"].update(id=album_id, name=f"{rng.choice(_WORDS)} Album {i // 10}", artists=simple[:1],
                              uri=f"spotify:album:{album_id}", release_date=f"{rng.randint(1965, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                              total_tracks=rng.randint(1, 20))
        track.update(id=tid, name=f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} No. {i}", artists=simple,
                     uri=f"spotify:track:{tid}", href=f"https://api.spotify.com/v1/tracks/{tid}",
                     external_urls={"spotify": f"https://open.spotify.com/track/{tid}"},
                     duration_ms=rng.randint(90_000, 420_000), explicit=rng.random() < 0.2,
                     track_number=rng.randint(1, 12), preview_url=None)
        tracks[tid] = track
    ids = list(tracks)
    saved = ids[: shape.saved if shape else int(n_tracks * 0.8)]  # the rest reach the library only through playlists
    playlists = []
    per_playlist = (shape.playlist_items // n_playlists) if shape else n_tracks // n_playlists
    for p in range(n_playlists):
        size = rng.randint(max(1, per_playlist // 2), max(2, per_playlist)) if not shape else per_playlist
        items = [("track", t) for t in rng.sample(ids, min(size, len(ids)))]
        items += [("track", items[0][1]), ("null", None)]  # a duplicate and a removed track
        if p % 2 == 0:
            items.append(("episode", _episode(rng)))
            items.append(("local", _local(track_template, f"{user_id} local {p}", rng)))
        rng.shuffle(items)
        playlist = FakePlaylist(_id(rng), f"{rng.choice(_WORDS)} mix {p}", user_id, items)
        playlist.entry_template, playlist.catalog = entry_template, tracks
        playlists.append(playlist)
    if ids:  # every unsaved track in some playlist, so the expected library is known exactly
        playlists[-1].items += [("track", t) for t in ids[len(saved):]]
    followed = FakePlaylist(_id(rng), "Someone else's mix", "someone-else", [("track", t) for t in ids[:5]])
    followed.entry_template, followed.catalog = entry_template, tracks
    playlists.insert(len(playlists) // 2, followed)
    return FakeUser(user_id, f"{user_id.title()} Listener", tracks, artists, saved, playlists, saved_template)


@dataclass
class HeavyShape:
    """A heavy user's account: saved tracks, distinct artists (the share named as catalog artists, whose
    Spotify genres are the catalog's), and playlist items in all."""
    saved: int = 2500
    artists: int = 2000
    in_catalog: float = 0.85
    playlist_items: int = 1400  # with the playlist-only tracks and repeats: about 1,700 items


def _catalog_artists(rng: random.Random, n: int) -> list[tuple[str, list[str]]]:
    """n distinct artists of the shipped catalog's artist table that have genres: (name, genres)."""
    from engine.catalog import artifact
    from engine.textnorm import artist_key

    table = artifact.artists()
    table = table.sort_values("count", ascending=False)
    table = table[~table["artist"].map(artist_key).duplicated()]  # one row per name, as the catalog's index keeps
    table = table[table["genres"] != ""]
    rows = table.iloc[sorted(rng.sample(range(len(table)), n))]
    return [(a, g.split(";")) for a, g in zip(rows["artist"], rows["genres"])]


def _episode(rng: random.Random) -> dict:
    eid = _id(rng)
    return {"type": "episode", "id": eid, "name": "A podcast episode", "uri": f"spotify:episode:{eid}",
            "duration_ms": 1_800_000, "explicit": False, "show": {"name": "A podcast", "id": _id(rng)}}


def _local(template: dict, title: str, rng: random.Random) -> dict:
    track = copy.deepcopy(template)
    track.update(id=None, is_local=True, name=title.title(), href=None, external_urls={}, popularity=0,
                 uri=f"spotify:local:Home+Recordings:Tapes:{title.replace(' ', '+')}:{rng.randint(100, 300)}",
                 artists=[{"external_urls": {}, "href": None, "id": None, "name": "Home Recordings",
                           "type": "artist", "uri": "spotify:artist:"}])
    track["album"] = {"album_type": None, "artists": [], "external_urls": {}, "href": None, "id": None,
                      "images": [], "name": "Tapes", "release_date": None, "type": "album", "uri": None}
    track.pop("popularity")
    return track
