"""Column names seen in the wild -> schema names. Exportify (2020-2026, its translations) and plain CSVs.

Keys are canonical: accents folded, lower case, whitespace collapsed (see `canonical`).
"""

from __future__ import annotations

import re
import unicodedata

FIELDS = {
    "track_id": ["track uri", "track id", "spotify id", "spotify uri", "uri", "id", "track_id", "spotify_id",
                 "titel-uri", "titel uri", "song-uri", "track-uri", "uri de la piste", "uri de la cancion",
                 "uri da faixa", "uri del brano"],
    "title": ["track name", "title", "track", "name", "song", "song name", "track_name", "song title", "songtitle",
              "titelname", "titel", "songname", "nom du titre", "titre", "nombre de la cancion", "cancion",
              "nome da faixa", "nome del brano", "titolo", "naam nummer"],
    "artists": ["artist name(s)", "artist name", "artist names", "artist", "artists", "artist(s)", "artist_name",
                "track_artist", "kunstlername(n)", "kunstlername", "kunstler", "interpret", "interpret(en)",
                "nom(s) de l'artiste", "nom de l'artiste", "artiste", "artistes", "nombre(s) del artista",
                "nombre del artista", "artista", "artistas", "nome(s) do artista", "nome dell'artista",
                "artiest"],
    "album": ["album name", "album", "album_name", "albumname", "albumtitel", "nom de l'album",
              "nombre del album", "nome do album", "nome dell'album"],
    "release_date": ["album release date", "release date", "release_date", "year", "veroffentlichungsdatum",
                     "erscheinungsdatum", "date de sortie", "fecha de lanzamiento", "data de lancamento",
                     "data di uscita", "jahr", "annee", "ano", "anno"],
    "duration_ms": ["track duration (ms)", "duration (ms)", "duration_ms", "dauer (ms)", "titeldauer (ms)",
                    "duree (ms)", "duracion (ms)", "duracao (ms)", "durata (ms)"],
    "explicit": ["explicit", "explizit", "explicite", "explicito", "esplicito"],
    "track_number": ["track number", "track_number", "titelnummer", "numero de piste", "numero de pista"],
    "genres": ["genres", "artist genres", "genre", "genres de l'artiste", "generos", "genere", "generi",
               "kunstler-genres", "kunstlergenres"],
    "added_at": ["added at", "hinzugefugt am", "ajoute le", "anadido el", "adicionado em", "aggiunto il"],
    "artist_uris": ["artist uri(s)", "artist uri", "artist ids", "kunstler-uri(s)", "kunstler-uri"],
}
FEATURE_FIELDS = {
    "danceability": ["danceability", "tanzbarkeit", "dansabilite", "bailabilidad", "dancabilidade", "ballabilita"],
    "energy": ["energy", "energie", "energia"],
    "speechiness": ["speechiness", "sprachanteil", "sprechanteil", "sprachlichkeit", "parole"],
    "acousticness": ["acousticness", "akustik", "akustikanteil", "acoustique", "acustica", "acustico"],
    "instrumentalness": ["instrumentalness", "instrumentalitat", "instrumentalanteil", "instrumental",
                         "instrumentalidad", "instrumentalidade", "strumentalita"],
    "liveness": ["liveness", "lebendigkeit", "live-anteil", "liveanteil", "vivacite", "en vivo", "ao vivo"],
    "valence": ["valence", "valenz", "valencia", "valencia", "valenza", "stimmung"],
    "tempo": ["tempo", "bpm"],
}
ALIASES = {alias: target for target, names in {**FIELDS, **FEATURE_FIELDS}.items() for alias in names}


def canonical(name: str) -> str:
    text = unicodedata.normalize("NFKD", str(name).replace("\ufeff", ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text.strip().strip('"').strip()).lower()


def map_headers(columns) -> dict:
    """{original column: schema name} for every column recognised; the first match of a name wins."""
    found: dict = {}
    taken: set[str] = set()
    for col in columns:
        target = ALIASES.get(canonical(col))
        if target and target not in taken:
            found[col] = target
            taken.add(target)
    return found
