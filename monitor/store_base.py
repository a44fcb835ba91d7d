"""What every part of the store layer shares: times as stored (ISO text, UTC) and the connection the
query classes speak through. Part of the store layer, the only modules that speak SQL."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import StoreError

if TYPE_CHECKING:
    import sqlite_utils

# A statement's parameters, as sqlite3 takes them.
Params = list[Any]


def iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
    return moment.isoformat()


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class Connection:
    """The store's connection as its queries speak to it: the calls of sqlite-utils' Database that
    they make, on sqlite3 alone. sqlite-utils is loaded only to apply a schema step (database()):
    its imports would be a tenth of the start-up of every `monitor poll` from cron."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # As sqlite-utils' Database sets it: a row that REPLACE deletes fires its delete triggers (search).
        conn.execute("PRAGMA recursive_triggers=on")

    def execute(self, sql: str, parameters: Params | dict[str, Any] | None = None) -> sqlite3.Cursor:
        return self.conn.execute(sql, [] if parameters is None else parameters)

    def query(self, sql: str, parameters: Params | dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """A SELECT's rows as dicts of column names; like sqlite-utils' query, it runs now, not when read."""
        cursor = self.execute(sql, parameters)
        columns = [c[0] for c in cursor.description]
        return (dict(zip(columns, row)) for row in cursor)


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils' view of an open connection, for the schema steps, without its plugins (the store
    uses none; finding them reads every installed package's metadata)."""
    if "sqlite_utils" not in sys.modules:
        # sqlite-utils imports numpy and pandas, when installed, only to convert their values on
        # insert: 60 ms of start-up for values the store never inserts. They read as absent while it
        # loads (numpy, for the digest's chart, imports as ever afterwards), unless loaded already.
        absent = [name for name in ("numpy", "pandas") if name not in sys.modules]
        sys.modules.update(dict.fromkeys(absent))  # type: ignore[arg-type]  # None: ImportError
        try:
            import sqlite_utils  # noqa: PLC0415
        finally:
            for name in absent:
                del sys.modules[name]
    import sqlite_utils  # noqa: PLC0415

    return sqlite_utils.Database(conn, execute_plugins=False)


def day_of(moment: datetime) -> int:
    """Days since 1970-01-01 UTC: what the sketch index keys a text's time by."""
    return int(moment.timestamp() // 86400)


# Bound values per statement: well under SQLite's limit (32,766).
_IDS_A_STATEMENT = 500


class Queries:
    """The connection a part of the store speaks through; Store opens it."""

    db: Connection
    path: Path
    # Items written in the open transaction that the search index does not hold yet (see index_pending).
    unindexed: set[int]

    def index_pending(self) -> None:
        """Put the items written in this transaction into the search index, all in one statement.
        Written item by item (an insert trigger), each inside its own savepoint, every item made a
        search segment of its own (FTS5 writes out what it holds at every savepoint): 0.25 ms an
        item more. An id whose savepoint was undone is gone from items, or taken by a later item."""
        ids = sorted(self.unindexed)
        self.unindexed.clear()
        for start in range(0, len(ids), _IDS_A_STATEMENT):
            chunk = ids[start : start + _IDS_A_STATEMENT]
            self.db.execute(
                f"""INSERT INTO items_fts (rowid, title, text) SELECT id, title, text FROM items
                    WHERE id IN ({",".join("?" * len(chunk))})""",
                chunk,
            )

    def _one(self, sql: str, params: Params) -> Any:
        return self.db.execute(sql, params).fetchone()

    def _insert(self, sql: str, params: Params) -> int:
        """Run an INSERT; the new row's id."""
        row_id = self.db.execute(sql, params).lastrowid
        if row_id is None:
            raise StoreError(f"the store at {self.path} gave no id for a new row")
        return row_id

    def _error(self, e: sqlite3.Error) -> str:
        return f"the store at {self.path} does not take writes: {e}"
