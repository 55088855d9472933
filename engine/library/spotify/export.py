"""A set of tracks (e.g. one cluster) as a new private playlist on the user's Spotify account.

    made = export_playlist(SpotifyClient(auth), "Tunescope cluster 3", track_ids)   # {'id', 'url', 'added', 'skipped'}
"""

from __future__ import annotations

from engine.errors import NothingToExportError
from engine.library.spotify.client import SpotifyClient
from engine.schema import is_spotify_id


def export_playlist(client: SpotifyClient, name: str, track_ids: list[str],
                    description: str = "Made with Tunescope") -> dict:
    """Create a private playlist of the tracks that have Spotify ids (e.g. one cluster); returns
    {'id', 'url', 'added', 'skipped'}."""
    ids = list(dict.fromkeys(t for t in track_ids if is_spotify_id(t)))
    if not ids:
        raise NothingToExportError(f"None of the {len(track_ids)} tracks has a Spotify id, so '{name}' "
                                   "cannot become a Spotify playlist. Sync from Spotify or import a file with track URIs.")
    playlist = client.create_playlist(name, description)
    client.add_items(playlist["id"], [f"spotify:track:{i}" for i in ids])
    return {"id": playlist["id"], "url": (playlist.get("external_urls") or {}).get("spotify", ""),
            "added": len(ids), "skipped": len(track_ids) - len(ids)}
