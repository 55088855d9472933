"""Artists' genres for a sync at the fewest requests: the shipped catalog's artist table first (no
request), then Spotify's batch GET /artists?ids= (50 an answer), and one artist a request only where
the batch is refused (403: development mode since 2026).

    known = catalog_genres({"4Z8W4fKeB5YxbusRsdQVPb": "Radiohead"})   # {id: [genres]} the catalog knows
    found, batch_ok = ask_spotify(client, ["4Z8W..."], batch_ok=True)
"""

from __future__ import annotations

from engine.catalog.items import artist_genre_lists
from engine.errors import ModelNotFoundError, SpotifyRequestError


def catalog_genres(names_by_id: dict[str, str]) -> dict[str, list[str]]:
    """Genres of the artists the catalog's artist table knows by name, with genres. The table has no
    Spotify ids, so names are matched whole (normalized): a name holding ',' or ';' would be split by
    the catalog's lookup and could borrow another artist's genres, so those are left to Spotify."""
    plain = {a: n for a, n in names_by_id.items() if n and "," not in n and ";" not in n}
    try:
        found = artist_genre_lists(list(plain.values()))
    except ModelNotFoundError:  # no shipped catalog here: Spotify answers for every artist
        return {}
    return {artist_id: genres for artist_id, genres in zip(plain, found) if genres}


def ask_spotify(client, artist_ids: list[str], batch_ok: bool = True,
                one_by_one: bool = True) -> tuple[dict[str, list[str]], bool]:
    """Genres of up to 50 artists ([] for one Spotify gives none or no longer serves), and whether the
    batch request is (still) allowed; after a 403 on it, each artist is asked on its own, unless not
    `one_by_one` (a sync leaves those to fetch_later): then nothing is found."""
    if batch_ok:
        try:
            answers = client.artists(artist_ids)
            by_id = {a["id"]: a for a in answers if a and a.get("id")}
            return {i: list((by_id.get(i) or {}).get("genres") or []) for i in artist_ids}, True
        except SpotifyRequestError as exc:
            if exc.status != 403:
                raise
    if not one_by_one:
        return {}, False
    answers = client.artists_one_by_one(artist_ids)
    return {i: list((answers.get(i) or {}).get("genres") or []) for i in artist_ids}, False
