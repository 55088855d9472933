"""A SQLite connection that fails at the Nth write, as a full disk or a killed process would.

    plan = FaultPlan()
    store = plan.store(":memory:")      # a real Store whose connections count every write
    plan.fail_at = plan.writes + 2      # the 2nd write from now raises InjectedFault
    plan.record = True                  # keep a dump of the store after every COMMIT

A write is one row of an executemany (so a failure can land mid-statement, leaving earlier rows
of it inside the transaction) or one write statement through execute; a COMMIT is a write point
too. A write issued outside any transaction is noted in `plan.outside`: the store promises none.
"""

from __future__ import annotations

import sqlite3

from engine.library.store import Store

WRITE_KEYWORDS = ("insert", "update", "delete", "replace", "create", "drop", "alter")
TIMESTAMPS = {"added_at", "created_at", "opened_at", "started_at", "finished_at", "updated_at"}


class InjectedFault(BaseException):
    """The write the plan chose to fail: a crash, not an error. import_files turns any Exception in one file
    into a named problem and goes on with the others (by design), so a fault that must stop the whole
    operation at that write derives from BaseException, as a kill or an interrupt does."""


def dump(conn: sqlite3.Connection) -> tuple:
    """Every table's rows (timestamps left out: a rerun differs only there), sorted; hashable."""
    run = sqlite3.Connection.execute  # past any counting subclass
    tables = [r[0] for r in run(conn, "select name from sqlite_master where type = 'table' "
                                      "and name not like 'sqlite_%' order by name").fetchall()]
    out = []
    for table in tables:
        cursor = run(conn, f"select * from [{table}]")
        # A run's outcome (status, detail) is bookkeeping written after a crash too; its cursor is compared.
        skip = TIMESTAMPS | ({"status", "detail"} if table == "runs" else set())
        keep = [i for i, d in enumerate(cursor.description) if d[0] not in skip]
        rows = sorted((tuple(row[i] for i in keep) for row in cursor.fetchall()), key=repr)
        out.append((table, tuple(rows)))
    return tuple(out)


class FaultPlan:
    def __init__(self, fail_at: int | None = None):
        self.fail_at, self.writes, self.record = fail_at, 0, False
        self.commits: list[tuple] = []
        self.outside: list[str] = []

    def store(self, path) -> Store:
        plan = self

        class CountingConnection(sqlite3.Connection):
            def execute(self, sql, *args):
                plan._write(self, sql)
                cursor = super().execute(sql, *args)
                if plan.record and sql.strip().upper() == "COMMIT":
                    plan.commits.append(dump(self))
                return cursor

            def executemany(self, sql, rows):
                return super().executemany(sql, (plan._row(self, sql, row) for row in rows))

        return type("FaultyStore", (Store,), {"connection_class": CountingConnection})(path)

    def _tick(self) -> None:
        self.writes += 1
        if self.fail_at is not None and self.writes == self.fail_at:
            raise InjectedFault(f"write {self.writes}")

    def _write(self, conn, sql: str) -> None:
        word = sql.lstrip().split(None, 1)[0].lower() if sql.strip() else ""
        if word in WRITE_KEYWORDS:
            if not conn.in_transaction:
                self.outside.append(sql)
            self._tick()
        elif word == "commit":
            self._tick()

    def _row(self, conn, sql: str, row):
        if not conn.in_transaction:
            self.outside.append(sql)
        self._tick()
        return row
