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

    @property
    def snapshot_id(self) -> str:
        return f"{self.id}-v{self.version}"

    def simplified(self, base: str, user: "FakeUser") -> dict:
        ref = {"href": f"{base}/v1/playlists/{self.id}/items", "total": len(self.items)}
        return {"collaborative": False, "description": "", "external_urls": {"spotify": f"https://open.spotify.com/playlist/{self.id}"},
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

    def catalog_track(self, uri: str) -> dict | None:
        return self.tracks.get(uri.rsplit(":", 1)[-1]) if uri.startswith("spotify:track:") else None

    def create_playlist(self, name: str, description: str, base: str) -> dict:
        playlist = FakePlaylist(_id(random.Random(name + str(len(self.playlists)))), name, self.id)
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
              genres: bool = True) -> FakeUser:
    listing = json.loads((fixtures / "zmb3-spotify__playlist_items_tracks.json").read_text())
    entry_template = _strip(copy.deepcopy(listing["items"][0]))
    track_template = _strip(copy.deepcopy(entry_template["track"]))
    _strip(track_template["album"])
    artist_template = _strip(json.loads((fixtures / "jmperez__artists.json").read_text()))
    saved_fixture = json.loads((fixtures / "jmperez__user_saved_tracks.json").read_text())["items"][0]
    saved_template = {"added_at": saved_fixture["added_at"]}

    artists = {}
    for i in range(max(3, n_tracks // 8)):
        aid = _id(rng)
        artist = copy.deepcopy(artist_template)
        artist.update(id=aid, name=f"{rng.choice(_WORDS)} {user_id.title()} Band {i}", uri=f"spotify:artist:{aid}",
                      href=f"https://api.spotify.com/v1/artists/{aid}", external_urls={"spotify": f"https://open.spotify.com/artist/{aid}"},
                      genres=rng.sample(_GENRES, rng.randint(0, 3)) if genres else [])
        artists[aid] = artist
    artist_ids = list(artists)
    tracks = {}
    for i in range(n_tracks):
        tid = _id(rng)
        track = copy.deepcopy(track_template)
        credited = [artists[a] for a in rng.sample(artist_ids, 1 if rng.random() < 0.8 else 2)]
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
    saved = ids[: int(n_tracks * 0.8)]  # the rest reach the library only through playlists
    playlists = []
    for p in range(n_playlists):
        size = rng.randint(max(1, n_tracks // (2 * n_playlists)), max(2, n_tracks // n_playlists))
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
