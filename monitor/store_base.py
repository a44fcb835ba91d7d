"""What every part of the store layer shares: times as stored (ISO text, UTC) and the connection the
query classes speak through. Part of the store layer, the only modules that speak SQL."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import StoreError

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


def day_of(moment: datetime) -> int:
    """Days since 1970-01-01 UTC: what the sketch index keys a text's time by."""
    return int(moment.timestamp() // 86400)


class Queries:
    """The connection a part of the store speaks through; Store opens it."""

    db: sqlite_utils.Database
    path: Path

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
