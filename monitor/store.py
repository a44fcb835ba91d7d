"""The SQLite store (sqlite-utils, WAL): feeds and their fetch state, items, tally reports,
the alert outbox and the record of cycles. The only module that speaks SQL."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import sqlite_utils

from .errors import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    failing_since TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    guid TEXT NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    updated TEXT,
    fetched_at TEXT NOT NULL,
    text TEXT NOT NULL,
    text_source TEXT NOT NULL,
    text_note TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL,
    matches TEXT NOT NULL,
    tallies TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS items_feed_guid ON items (feed, guid);
CREATE INDEX IF NOT EXISTS items_canonical_url ON items (canonical_url);
CREATE INDEX IF NOT EXISTS items_fetched_at ON items (fetched_at);
CREATE TABLE IF NOT EXISTS tally_reports (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    since TEXT NOT NULL,
    region TEXT NOT NULL,
    count INTEGER NOT NULL,
    qualifier TEXT NOT NULL,
    until TEXT,
    outlet TEXT NOT NULL,
    published TEXT,
    url TEXT NOT NULL,
    sentence TEXT NOT NULL,
    verdict TEXT NOT NULL,
    previous_count INTEGER
);
CREATE INDEX IF NOT EXISTS tally_reports_series ON tally_reports (since, region, count);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    item_id INTEGER REFERENCES items (id),
    notifier TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error TEXT,
    sent_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_once ON alerts (kind, key, notifier);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status);
CREATE TABLE IF NOT EXISTS heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cycles (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    feeds_ok INTEGER,
    feeds_not_modified INTEGER,
    feeds_failed INTEGER,
    items_new INTEGER,
    alerts_created INTEGER,
    alerts_sent INTEGER,
    alerts_pending INTEGER,
    errors TEXT
);
"""


def iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).isoformat(timespec="seconds")
    return moment.isoformat()


def parse_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True, slots=True)
class FeedState:
    etag: str | None
    last_modified: str | None
    consecutive_failures: int
    failing_since: str | None = None
    next_attempt_at: str | None = None


@dataclass(frozen=True, slots=True)
class SeriesHigh:
    """The highest figure known for a series, and who reported it when."""

    count: int
    qualifier: str
    outlet: str
    published: str | None
    url: str


class Store:
    def __init__(self, path: str | Path):
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.conn.executescript(SCHEMA)
            self._add_new_columns()
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"cannot open the store at {path}: {e}") from None
        self.path = path

    def _add_new_columns(self) -> None:
        """Stores made by an older version get the columns added since (CREATE IF NOT EXISTS adds none)."""
        added = {"feeds": {"next_attempt_at": str}}
        for table, columns in added.items():
            have = self.db[table].columns_dict
            for name, kind in columns.items():
                if name not in have:
                    self.db[table].add_column(name, kind)

    def close(self) -> None:
        self.db.conn.close()

    @contextmanager
    def transaction(self):
        """All writes inside commit together or not at all: an item and its alerts land as one."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    # ------------------------------------------------------------ feeds

    def feed_state(self, name: str) -> FeedState:
        row = self._one(
            "SELECT etag, last_modified, consecutive_failures, failing_since, next_attempt_at FROM feeds WHERE name = ?",
            [name],
        )
        return FeedState(*row) if row else FeedState(None, None, 0)

    def record_fetch(self, name: str, url: str, now: datetime, etag=None, last_modified=None, error: str | None = None,
                     next_attempt: datetime | None = None) -> None:
        self.db.execute(
            "INSERT INTO feeds (name, url) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET url = excluded.url", [name, url]
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

    def feeds(self) -> list[dict]:
        return list(self.db.query(
            """SELECT f.*, (SELECT COUNT(*) FROM items i WHERE i.feed = f.name) AS items_stored
               FROM feeds f ORDER BY name"""
        ))

    # ------------------------------------------------------------ items

    def knows(self, feed: str, guid: str, canonical_url: str) -> bool:
        """Seen before: the same GUID from this feed, or the same canonical URL from any."""
        if self._one("SELECT 1 FROM items WHERE feed = ? AND guid = ?", [feed, guid]):
            return True
        return bool(canonical_url) and bool(self._one("SELECT 1 FROM items WHERE canonical_url = ?", [canonical_url]))

    def insert_item(self, feed: str, article, classification, now: datetime) -> int:
        e = article.entry
        cursor = self.db.execute(
            """INSERT INTO items (feed, guid, url, canonical_url, title, published, updated, fetched_at, text,
               text_source, text_note, categories, matches, tallies) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                feed, e.guid, e.link, article.canonical_url, e.title, iso(e.published), iso(e.updated), iso(now),
                article.text, article.text_source, article.text_note,
                json.dumps(list(classification.categories)),
                json.dumps([{"rule": m.rule, "category": m.category, "sentence": m.sentence} for m in classification.matches]),
                json.dumps([dict(t.as_label(), sentence=t.sentence) for t in classification.tallies]),
            ],
        )
        return cursor.lastrowid

    def count_items(self) -> int:
        return self._one("SELECT COUNT(*) FROM items", [])[0]

    def items(self, where: str = "1", params: list | None = None) -> list[dict]:
        return [
            dict(r, categories=json.loads(r["categories"]), matches=json.loads(r["matches"]), tallies=json.loads(r["tallies"]))
            for r in self.db.query(f"SELECT * FROM items WHERE {where} ORDER BY id", params or [])
        ]

    # ------------------------------------------------------------ tallies

    def series_high(self, since: date, region: str) -> SeriesHigh | None:
        row = self._one(
            """SELECT count, qualifier, outlet, published, url FROM tally_reports WHERE since = ? AND region = ?
               ORDER BY count DESC, published ASC, id ASC LIMIT 1""",
            [iso(since), region],
        )
        return SeriesHigh(*row) if row else None

    def insert_tally_report(self, item_id: int, tally, outlet: str, published, url: str, verdict: str, previous: int | None) -> None:
        self.db.execute(
            """INSERT INTO tally_reports (item_id, since, region, count, qualifier, until, outlet, published, url,
               sentence, verdict, previous_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [item_id, iso(tally.since), tally.region, tally.count, tally.qualifier, iso(tally.until), outlet,
             iso(published), url, tally.sentence, verdict, previous],
        )

    def tally_reports(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM tally_reports ORDER BY since, region, published, id"))

    # ------------------------------------------------------------ alerts (the outbox)

    def add_alert(self, kind: str, key: str, item_id: int | None, notifier: str, title: str, body: str, now: datetime) -> bool:
        """Queue an alert for one notifier; False when that alert was queued before."""
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO alerts (kind, key, item_id, notifier, title, body, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            [kind, key, item_id, notifier, title, body, iso(now)],
        )
        return cursor.rowcount == 1

    def pending_alerts(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM alerts WHERE status = 'pending' ORDER BY id"))

    def mark_alert(self, alert_id: int, now: datetime, sent: bool, error: str | None = None, status: str | None = None) -> None:
        self.db.execute(
            """UPDATE alerts SET attempts = attempts + 1, last_attempt_at = ?, status = ?, last_error = ?,
               sent_at = CASE WHEN ? THEN ? ELSE sent_at END WHERE id = ?""",
            [iso(now), status or ("sent" if sent else "pending"), error, sent, iso(now), alert_id],
        )

    def alerts(self, where: str = "1", params: list | None = None) -> list[dict]:
        return list(self.db.query(f"SELECT * FROM alerts WHERE {where} ORDER BY id", params or []))

    # ------------------------------------------------------------ cycles

    def start_cycle(self, now: datetime) -> int:
        return self.db.execute("INSERT INTO cycles (started_at) VALUES (?)", [iso(now)]).lastrowid

    def finish_cycle(self, cycle_id: int, now: datetime, **counts) -> None:
        errors = counts.pop("errors", [])
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.db.execute(
            f"UPDATE cycles SET finished_at = ?, errors = ?, {sets} WHERE id = ?",
            [iso(now), json.dumps(errors), *counts.values(), cycle_id],
        )

    def touch(self, now: datetime) -> None:
        """A real write, so a health check knows the store takes them."""
        try:
            self.db.execute(
                "INSERT INTO heartbeat (id, checked_at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
                [iso(now)],
            )
        except sqlite3.Error as e:
            raise StoreError(f"the store at {self.path} does not take writes: {e}") from None

    def last_cycle(self, finished: bool = True) -> dict | None:
        where = "finished_at IS NOT NULL" if finished else "1"
        rows = list(self.db.query(f"SELECT * FROM cycles WHERE {where} ORDER BY id DESC LIMIT 1"))
        return rows[0] if rows else None

    # ------------------------------------------------------------

    def _one(self, sql: str, params: list):
        return self.db.execute(sql, params).fetchone()
