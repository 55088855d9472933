"""Which browser account owns which library, for a server several people share (TUNESCOPE_SHARED).

Mixed into Store. Every library has an `account` (migration m3): '' for a local single-user run and for
libraries made before accounts existed, else the random token a browser keeps (dashboard/account.py).
Who sees what:
  - imports: the account that made them;
  - a Spotify library: whoever is signed in to Spotify as its owner, from any account (the sign-in proves it);
  - the demo: everyone, and nobody writes into it.
"""

from __future__ import annotations

import pandas as pd

from engine.library.tables import now

_COLUMNS = ["library_id", "name", "kind", "owner", "account", "created_at", "opened_at", "tracks"]
_VISIBLE = "(l.kind = 'demo' or (l.kind = 'spotify' and l.owner = :spotify) " \
           "or (l.kind not in ('demo', 'spotify') and l.account = :account))"


class LibraryAccounts:
    """Mixed into Store; `self.db` is a sqlite_utils.Database, `self.transaction()` its write scope."""

    def account_libraries(self, account: str, spotify_user: str | None = None) -> pd.DataFrame:
        """The libraries this account may open, most recently opened first, with track counts."""
        sql = f"""select l.id as library_id, l.name, l.kind, l.owner, l.account, l.created_at, l.opened_at,
                         (select count(*) from library_tracks t where t.library_id = l.id) as tracks
                  from libraries l where {_VISIBLE} order by l.opened_at desc, l.id desc"""
        rows = self.db.query(sql, {"account": account, "spotify": spotify_user or "\0"})  # '\0': no Spotify user
        return pd.DataFrame(list(rows), columns=_COLUMNS)

    def can_open(self, account: str, library_id: int, spotify_user: str | None = None) -> bool:
        sql = f"select 1 from libraries l where l.id = :id and {_VISIBLE}"
        return self.db.execute(sql, {"id": int(library_id), "account": account,
                                     "spotify": spotify_user or "\0"}).fetchone() is not None

    def can_write(self, account: str, library_id: int, spotify_user: str | None = None) -> bool:
        """Importing into a library: one this account may open, and never the demo (a shared reference)."""
        kind = self.db.execute("select kind from libraries where id = ?", [int(library_id)]).fetchone()
        return kind is not None and kind[0] != "demo" and self.can_open(account, library_id, spotify_user)

    def library_account(self, library_id: int) -> str | None:
        row = self.db.execute("select account from libraries where id = ?", [int(library_id)]).fetchone()
        return row[0] if row else None

    def claim_library(self, library_id: int, account: str) -> bool:
        """Give an unclaimed library (account '') to this account; one already owned never changes hands."""
        with self.transaction():
            cursor = self.db.execute("update libraries set account = ?, opened_at = ? where id = ? and account = ''",
                                     [account, now(), int(library_id)])
        return cursor.rowcount == 1 or self.library_account(library_id) == account
