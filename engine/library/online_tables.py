"""Store methods for real features fetched online (engine/library/providers): the per-id cache.

Values a provider served for a Spotify id are stored like Spotify's own, shared by every library
holding the id (features.library_id 0), under the provider's source name with their fetch time
(updated_at). Ids it did not know are remembered in `online_misses` for MISS_TTL_DAYS, so a re-run
asks only for ids it has neither found nor recently missed. Mixed into Store.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd

from engine.config import FEATURES
from engine.library.tables import SHARED, now
from engine.schema import is_spotify_id

MISS_TTL_DAYS = 30  # a track ReccoBeats lacks today may be analysed later: ask again after this
_CHUNK = 900  # SQLite's bound-parameter limit
_COMPLETE = " and ".join(f"f.{f} is not null" for f in FEATURES)


class OnlineTables:
    def lookup_candidates(self, library_id: int) -> list[str]:
        """The library's Spotify ids that lack a complete set of more trusted real values (its own
        export, or Spotify's): the only ids worth sending."""
        sql = f"""select lt.key from library_tracks lt where lt.library_id = :lib and length(lt.key) = 22
                  and not exists (select 1 from features f where f.key = lt.key and {_COMPLETE} and
                     ((f.source = 'export' and f.library_id = :lib) or (f.source = 'spotify' and f.library_id = 0)))
                  order by lt.rowid"""
        return [row[0] for row in self.db.execute(sql, {"lib": library_id}).fetchall()]

    def pending_online_ids(self, provider: str, track_ids: list[str], miss_ttl_days: float = MISS_TTL_DAYS) -> list[str]:
        """Those of `track_ids` (Spotify ids) the provider has not answered yet, nor missed recently; in order."""
        ids = [i for i in dict.fromkeys(map(str, track_ids)) if is_spotify_id(i)]
        since = (datetime.now(timezone.utc) - timedelta(days=miss_ttl_days)).isoformat(timespec="seconds")
        known: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in self.db.execute(
                f"select key from features where source = ? and library_id = {SHARED} and key in ({marks})",
                [provider, *chunk]))
            known.update(r[0] for r in self.db.execute(
                f"select track_id from online_misses where provider = ? and checked_at > ? and track_id in ({marks})",
                [provider, since, *chunk]))
        return [i for i in ids if i not in known]

    def save_online_features(self, provider: str, found: dict[str, dict], missing: list[str]) -> None:
        """One batch's answer in one transaction: values found (out-of-range ones left out, like an
        import's), and the ids it did not know with the time they were asked."""
        with self.transaction():
            if found:
                frame = self._checked(pd.DataFrame(list(found.values()), columns=FEATURES))
                self._store_given_features(frame, list(found), SHARED, source=provider)
                self.db.conn.executemany("delete from online_misses where provider = ? and track_id = ?",
                                         [(provider, i) for i in found])
            stamp = now()
            self.db.conn.executemany("insert or replace into online_misses (provider, track_id, checked_at) "
                                     "values (?, ?, ?)", [(provider, i, stamp) for i in missing])

    def online_features(self, provider: str, track_ids: list[str]) -> pd.DataFrame:
        """Stored values of this provider by Spotify id (index), FEATURES plus `fetched_at`."""
        ids = list(dict.fromkeys(map(str, track_ids)))
        rows = []
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows += list(self.db.query(
                f"select key, {', '.join(FEATURES)}, updated_at as fetched_at from features where source = ? "
                f"and library_id = {SHARED} and key in ({','.join('?' * len(chunk))})", [provider, *chunk]))
        return pd.DataFrame(rows, columns=["key", *FEATURES, "fetched_at"]).set_index("key")

    def online_found(self, provider: str, library_id: int) -> int:
        """How many of the library's tracks have this provider's values (one index lookup per track)."""
        return int(self.db.execute(
            f"select count(*) from library_tracks lt join features f on f.key = lt.key and f.source = ? "
            f"and f.library_id = {SHARED} where lt.library_id = ?", [provider, library_id]).fetchone()[0])

    def online_missed(self, provider: str, library_id: int) -> int:
        """How many of the library's tracks the provider was asked about and did not know."""
        return int(self.db.execute(
            "select count(*) from library_tracks lt join online_misses m on m.track_id = lt.key and m.provider = ? "
            "where lt.library_id = ?", [provider, library_id]).fetchone()[0])
