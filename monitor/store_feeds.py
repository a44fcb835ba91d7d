"""Feeds and their fetch state, the record of cycles, and the store's own health (a heartbeat write,
SQLite's quick check). Part of the store layer (the only modules that speak SQL); Store inherits these
queries."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from .errors import StoreError
from .store_base import Queries, iso, parse_iso


@dataclass(frozen=True, slots=True)
class FeedState:
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    failing_since: str | None = None
    next_attempt_at: str | None = None
    last_success_at: str | None = None  # None: the feed has never answered, its next good poll is its first
    last_attempt_at: str | None = None


@dataclass(frozen=True, slots=True)
class FeedRecord:
    """A feed as the store knows it: its fetch state and how many items it has stored."""

    name: str
    url: str
    etag: str | None
    last_modified: str | None
    last_attempt_at: str | None
    last_success_at: str | None
    last_error: str | None
    last_error_at: str | None
    failing_since: str | None
    consecutive_failures: int
    next_attempt_at: str | None
    items_stored: int = 0


# Named, not *: a store upgraded in place has its columns in the order they were added.
_FEED_COLUMNS = ", ".join(f"f.{name}" for name in list(FeedRecord.__dataclass_fields__)[:-1])


@dataclass(frozen=True, slots=True)
class CycleCounts:
    """What a cycle did, as its record keeps it."""

    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    items_new: int = 0
    alerts_created: int = 0
    alerts_sent: int = 0
    alerts_pending: int = 0
    errors: list[dict[str, str | None]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CycleRecord:
    """A cycle as recorded: finished_at None while it runs, or when it was cut short."""

    id: int
    started_at: str
    finished_at: str | None
    feeds_ok: int | None
    feeds_not_modified: int | None
    feeds_failed: int | None
    items_new: int | None
    alerts_created: int | None
    alerts_sent: int | None
    alerts_pending: int | None
    errors: list[dict[str, str | None]]  # feeds that failed, with their error


class FeedQueries(Queries):
    # ------------------------------------------------------------ feeds

    def feed_state(self, name: str) -> FeedState:
        row = self._one(
            """SELECT etag, last_modified, consecutive_failures, failing_since, next_attempt_at, last_success_at,
               last_attempt_at FROM feeds WHERE name = ?""",
            [name],
        )
        return FeedState(*row) if row else FeedState(None, None, 0)

    def record_fetch(
        self,
        name: str,
        url: str,
        now: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
        error: str | None = None,
        next_attempt: datetime | None = None,
    ) -> None:
        self.db.execute(
            "INSERT INTO feeds (name, url) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET url = excluded.url",
            [name, url],
        )
        if error is None:
            self.db.execute(
                """UPDATE feeds SET etag = ?, last_modified = ?, last_attempt_at = ?, last_success_at = ?,
                   consecutive_failures = 0, failing_since = NULL, next_attempt_at = NULL WHERE name = ?""",
                [etag, last_modified, iso(now), iso(now), name],
            )
        else:
            self.db.execute(
                """UPDATE feeds SET last_attempt_at = ?, last_error = ?, last_error_at = ?,
                   failing_since = COALESCE(failing_since, ?), consecutive_failures = consecutive_failures + 1,
                   next_attempt_at = ? WHERE name = ?""",
                [iso(now), error, iso(now), iso(now), iso(next_attempt), name],
            )

    def feeds(self) -> dict[str, FeedRecord]:
        """Every feed the store knows, by name."""
        return {
            row[0]: FeedRecord(*row)
            for row in self.db.execute(
                f"""SELECT {_FEED_COLUMNS}, (SELECT COUNT(*) FROM items i WHERE i.feed = f.name)
                    FROM feeds f ORDER BY name"""
            )
        }

    def feeds_in_trouble(self, start: datetime, end: datetime) -> list[FeedRecord]:
        """Feeds that failed in the period or are failing at its end (items_stored not counted)."""
        return [
            FeedRecord(*row)
            for row in self.db.execute(
                f"""SELECT {_FEED_COLUMNS} FROM feeds f WHERE (last_error_at > ? AND last_error_at <= ?)
                    OR (consecutive_failures > 0 AND failing_since <= ?) ORDER BY name""",
                [iso(start), iso(end), iso(end)],
            )
        ]

    # ------------------------------------------------------------ cycles

    def first_cycle_started(self) -> datetime | None:
        """When the monitor first ran on this store: no digest reaches back before it."""
        row = self._one("SELECT MIN(started_at) FROM cycles", [])
        return parse_iso(row[0]) if row and row[0] else None

    def cycles_finished_between(self, start: datetime, end: datetime) -> int:
        return int(
            self._one("SELECT COUNT(*) FROM cycles WHERE finished_at > ? AND finished_at <= ?", [iso(start), iso(end)])[
                0
            ]
        )

    def start_cycle(self, now: datetime) -> int:
        """The cycle's first write: a store that takes none stops the cycle here, with a message, before any fetch."""
        try:
            return self._insert("INSERT INTO cycles (started_at) VALUES (?)", [iso(now)])
        except sqlite3.Error as e:
            raise StoreError(self._error(e)) from None

    def finish_cycle(self, cycle_id: int, now: datetime, counts: CycleCounts) -> None:
        c = counts
        self.db.execute(
            """UPDATE cycles SET finished_at = ?, errors = ?, feeds_ok = ?, feeds_not_modified = ?, feeds_failed = ?,
               items_new = ?, alerts_created = ?, alerts_sent = ?, alerts_pending = ? WHERE id = ?""",
            [
                iso(now),
                json.dumps(c.errors),
                c.feeds_ok,
                c.feeds_not_modified,
                c.feeds_failed,
                c.items_new,
                c.alerts_created,
                c.alerts_sent,
                c.alerts_pending,
                cycle_id,
            ],
        )

    def last_cycle(self, finished: bool = True) -> CycleRecord | None:
        where = "finished_at IS NOT NULL" if finished else "1"
        row = self._one(
            f"""SELECT id, started_at, finished_at, feeds_ok, feeds_not_modified, feeds_failed, items_new,
                alerts_created, alerts_sent, alerts_pending, errors FROM cycles WHERE {where} ORDER BY id DESC LIMIT 1""",
            [],
        )
        if row is None:
            return None
        errors: list[dict[str, str | None]] = json.loads(row[-1] or "[]")
        return CycleRecord(
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], errors=errors
        )

    # ------------------------------------------------------------ the store's health

    def integrity_problem(self) -> str | None:
        """What SQLite's quick check finds wrong with the file (damaged pages, broken indexes), or None."""
        try:
            rows = [r for (r,) in self.db.execute("PRAGMA quick_check(5)").fetchall()]
        except sqlite3.DatabaseError as e:
            return str(e)
        return None if rows == ["ok"] else "; ".join(rows)

    def touch(self, now: datetime) -> None:
        """A real write, so a health check knows the store takes them."""
        try:
            self.db.execute(
                "INSERT INTO heartbeat (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                [iso(now)],
            )
        except sqlite3.Error as e:
            raise StoreError(self._error(e)) from None
