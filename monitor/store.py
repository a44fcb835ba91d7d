"""The SQLite store (sqlite-utils, WAL): feeds and their fetch state, items, tally reports,
the alert outbox and the record of cycles. The only module that speaks SQL."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from .errors import StoreError
from .schema import migrate, sketch_blob, sketch_of_blob
from .store_archive import ArchiveQueries, ItemFilter  # noqa: F401  (ItemFilter: the archive's queries take it)


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


# Most items one sketch value is followed to (see near_duplicate_candidates).
SKETCH_FANOUT = 50


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
class SeriesHigh:
    """The highest figure known for a series, and who reported it when."""

    count: int
    qualifier: str
    outlet: str
    published: str | None
    url: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored item that may be a copy of a new text: what story matching needs of it."""

    id: int
    shared: int  # sketch values found shared by the lookup (each value followed to at most SKETCH_FANOUT items)
    story_id: int
    shingles: int
    sketch: tuple[int, ...]
    tallies_json: str

    def tallies(self) -> list[dict[str, Any]]:
        """Parsed only for the few candidates alike enough to be compared on their figures."""
        loaded: list[dict[str, Any]] = json.loads(self.tallies_json)
        return loaded


class StoreBusy(StoreError):
    """Another monitor process works on this store."""


@contextmanager
def exclusive(path: str | Path):
    """One sender per store: an flock on a file beside the store, held for the whole poll or daemon
    (the kernel drops it when the process dies, even by kill -9). A second process gets StoreBusy,
    naming the holder. On entry, a quick integrity check (a damaged store is a StoreError, not a
    traceback at every poll), and alerts a dead holder had claimed go back to pending."""
    import fcntl  # noqa: PLC0415 - POSIX only, like the daemon

    path = Path(path)
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock_path, "a+")
    except OSError as e:
        raise StoreError(f"cannot open the store at {path}: cannot take its lock {lock_path.name}: {e}") from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreBusy(
                f"the store at {path} is in use by {holder}; one monitor poll or run at a time "
                "works on a store: try again when it is done"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"monitor pid {os.getpid()} since {datetime.now(timezone.utc).isoformat(timespec='seconds')}")
        handle.flush()
        store = Store(path)
        try:
            problem = store.integrity_problem()
            if problem:
                raise StoreError(
                    f"the store at {path} is damaged: {problem}; restore it from a backup or move it "
                    "aside to start a new one"
                )
            store.release_claims()
        except sqlite3.Error as e:
            raise StoreError(f"the store at {path} does not take writes: {e}") from None
        finally:
            store.close()
        yield
    finally:
        handle.close()


class Store(ArchiveQueries):
    def __init__(self, path: str | Path):
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db = sqlite_utils.Database(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            migrate(self.db)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"cannot open the store at {path}: {e}") from None
        self.path = path

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
            # SQLite rolls back by itself on some errors (a full disk): a second ROLLBACK would hide the first error.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def savepoint(self):
        """Inside a transaction: the writes inside are undone alone when they fail, the transaction goes on."""
        conn = self.db.conn
        conn.execute("SAVEPOINT one_item")
        try:
            yield self
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO one_item")
                conn.execute("RELEASE one_item")
            raise
        else:
            conn.execute("RELEASE one_item")

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
        etag=None,
        last_modified=None,
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

    def feeds(self) -> list[dict]:
        return list(
            self.db.query(
                """SELECT f.*, (SELECT COUNT(*) FROM items i WHERE i.feed = f.name) AS items_stored
               FROM feeds f ORDER BY name"""
            )
        )

    # ------------------------------------------------------------ items

    def stored_entry(self, feed: str, guid: str, canonical_url: str) -> dict | None:
        rows = list(
            self.db.query(
                """SELECT id, story_id, updated, entry_key FROM items WHERE feed = ? AND (guid = ? OR canonical_url = ?)
               ORDER BY id LIMIT 1""",
                [feed, guid, canonical_url or "\0"],
            )
        )
        return rows[0] if rows else None

    def item_at_url(self, canonical_url: str) -> dict | None:
        """The item another outlet stored for this canonical URL, if any: its text need not be fetched again."""
        if not canonical_url:
            return None
        rows = self.items("id = (SELECT MIN(id) FROM items WHERE canonical_url = ?)", [canonical_url])
        return rows[0] if rows else None

    def insert_item(
        self,
        feed: str,
        article,
        classification,
        now: datetime,
        story_id: int | None = None,
        text_key: str = "",
        fingerprint=None,
        entry_key: str = "",
        caught_up: bool = False,
    ) -> tuple[int, int]:
        """Store an item in story_id, or in a new story of its own; returns (item id, story id)."""
        e = article.entry
        cursor = self.db.execute(
            """INSERT INTO items (feed, guid, url, canonical_url, title, published, updated, fetched_at, text,
               text_source, text_note, categories, matches, tallies, story_id, text_key, shingles, entry_key, seen_at,
               caught_up, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                feed,
                e.guid,
                e.link,
                article.canonical_url,
                e.title,
                iso(e.published),
                iso(e.updated),
                iso(now),
                article.text,
                article.text_source,
                article.text_note,
                *self._classification(classification),
                story_id,
                text_key,
                fingerprint.shingles if fingerprint else 0,
                entry_key,
                iso(e.published or now),
                int(caught_up),
                sketch_blob(fingerprint.sketch) if fingerprint else None,
            ],
        )
        item_id = cursor.lastrowid
        if story_id is None:
            story_id = self.db.execute(
                "INSERT INTO stories (first_item_id, created_at) VALUES (?, ?)", [item_id, iso(now)]
            ).lastrowid
            self.db.execute("UPDATE items SET story_id = ? WHERE id = ?", [story_id, item_id])
        if fingerprint is not None:
            self._save_sketch(item_id, fingerprint, day_of(e.published or now))
        return item_id, story_id

    def update_item(
        self, item_id: int, article, classification, now: datetime, text_key: str, fingerprint, entry_key: str
    ) -> None:
        e = article.entry
        self.db.execute(
            """UPDATE items SET title = ?, url = ?, updated = ?, fetched_at = ?, text = ?, text_source = ?, text_note = ?,
               categories = ?, matches = ?, tallies = ?, text_key = ?, shingles = ?, entry_key = ?, sketch = ? WHERE id = ?""",
            [
                e.title,
                e.link,
                iso(e.updated),
                iso(now),
                article.text,
                article.text_source,
                article.text_note,
                *self._classification(classification),
                text_key,
                fingerprint.shingles,
                entry_key,
                sketch_blob(fingerprint.sketch),
                item_id,
            ],
        )
        self.db.execute("DELETE FROM sketches WHERE item_id = ?", [item_id])
        seen_at = self._one("SELECT seen_at FROM items WHERE id = ?", [item_id])[0]
        self._save_sketch(item_id, fingerprint, day_of(parse_iso(seen_at)) if seen_at else None)

    @staticmethod
    def _classification(c) -> list[str]:
        return [
            json.dumps(list(c.categories)),
            json.dumps([{"rule": m.rule, "category": m.category, "sentence": m.sentence} for m in c.matches]),
            json.dumps([dict(t.as_label(), sentence=t.sentence) for t in c.tallies]),
        ]

    def _save_sketch(self, item_id: int, fingerprint, day: int | None) -> None:
        self.db.conn.executemany(
            "INSERT INTO sketches (hash, item_id, day) VALUES (?, ?, ?)",
            [(h, item_id, day) for h in fingerprint.sketch],
        )

    def record_item_failure(
        self, feed: str, guid: str, title: str, link: str, entry_key: str, error: str, now: datetime
    ) -> None:
        """An item that could not be stored, with its error; attempts count again from 1 when the feed changes it."""
        self.db.execute(
            """INSERT INTO item_failures (feed, guid, title, link, entry_key, error, first_failed_at, last_failed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (feed, guid) DO UPDATE SET error = excluded.error,
               title = excluded.title, link = excluded.link, last_failed_at = excluded.last_failed_at,
               attempts = CASE WHEN entry_key = excluded.entry_key THEN attempts + 1 ELSE 1 END,
               entry_key = excluded.entry_key""",
            [feed, guid, title, link, entry_key, error, iso(now), iso(now)],
        )

    def item_failure_attempts(self, feed: str, guid: str, entry_key: str) -> int:
        """How many times this very entry (as the feed describes it now) failed."""
        row = self._one(
            "SELECT attempts FROM item_failures WHERE feed = ? AND guid = ? AND entry_key = ?", [feed, guid, entry_key]
        )
        return row[0] if row else 0

    def clear_item_failure(self, feed: str, guid: str) -> None:
        self.db.execute("DELETE FROM item_failures WHERE feed = ? AND guid = ?", [feed, guid])

    def record_skipped_as_same(self, feed: str, guid: str, entry_key: str, same_as_item: int, now: datetime) -> None:
        self.db.execute(
            """INSERT INTO skipped_entries (feed, guid, entry_key, same_as_item, skipped_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (feed, guid) DO UPDATE SET entry_key = excluded.entry_key,
               same_as_item = excluded.same_as_item, skipped_at = excluded.skipped_at""",
            [feed, guid, entry_key, same_as_item, iso(now)],
        )

    def skipped_as_same(self, feed: str, guid: str, entry_key: str) -> bool:
        return (
            self._one(
                "SELECT 1 FROM skipped_entries WHERE feed = ? AND guid = ? AND entry_key = ?", [feed, guid, entry_key]
            )
            is not None
        )

    def item_failures(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM item_failures ORDER BY last_failed_at DESC, feed, guid"))

    # ------------------------------------------------------------ stories

    def same_text(self, text_key: str, start: datetime, end: datetime) -> list[dict]:
        return list(
            self.db.query(
                "SELECT id, feed, story_id FROM items WHERE text_key = ? AND seen_at BETWEEN ? AND ? ORDER BY id",
                [text_key, iso(start), iso(end)],
            )
        )

    def near_duplicate_candidates(
        self, sketch: tuple[int, ...], start: datetime, end: datetime, min_shared: int = 2, limit: int = 20
    ) -> list[Candidate]:
        """Items seen between start and end that share at least min_shared sketch values with this one,
        most shared first: index lookups only, on (hash, day, item_id), so the window is applied inside
        the index, stored items outside it cost nothing, and no table row is read per match. A value is
        followed to at most SKETCH_FANOUT items: boilerplate shared by thousands of texts adds no more
        than that, and a real copy shares many other values anyway."""
        if not sketch:
            return []
        per_hash = (
            "SELECT item_id FROM (SELECT item_id FROM sketches WHERE hash = ? AND day BETWEEN ? AND ? "
            "ORDER BY day DESC LIMIT ?)"
        )
        first, last = day_of(start), day_of(end)
        params: list = []
        for h in sketch:
            params += [h, first, last, SKETCH_FANOUT]
        shared = self.db.execute(
            f"""SELECT item_id, COUNT(*) AS shared FROM ({" UNION ALL ".join([per_hash] * len(sketch))})
                GROUP BY item_id HAVING COUNT(*) >= ? ORDER BY shared DESC, item_id LIMIT ?""",
            [*params, min_shared, limit * 2],
        ).fetchall()
        if not shared:
            return []
        marks = ",".join("?" * len(shared))
        ids = [item_id for item_id, _ in shared]
        # The day bounds are whole days: the exact window is checked on the few candidates left.
        items = {
            row[0]: row
            for row in self.db.execute(
                f"""SELECT id, story_id, shingles, tallies, sketch FROM items WHERE id IN ({marks}) AND seen_at BETWEEN ? AND ?""",
                [*ids, iso(start), iso(end)],
            )
        }
        counts = dict(shared)
        return [
            Candidate(i, counts[i], items[i][1], items[i][2], sketch_of_blob(items[i][4]), items[i][3])
            for i in [i for i in ids if i in items][:limit]
        ]

    def story_outlets(self, story_id: int) -> list[dict]:
        """Who carried a story and when: one row per outlet, first time it did."""
        return list(
            self.db.query(
                """SELECT feed AS outlet, MIN(COALESCE(published, fetched_at)) AS carried_at, COUNT(*) AS items
               FROM items WHERE story_id = ? GROUP BY feed ORDER BY carried_at, MIN(id)""",
                [story_id],
            )
        )

    def items(self, where: str = "1", params: list | None = None) -> list[dict]:
        return [
            dict(
                r,
                categories=json.loads(r["categories"]),
                matches=json.loads(r["matches"]),
                tallies=json.loads(r["tallies"]),
            )
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

    def insert_tally_report(
        self, item_id: int, tally, outlet: str, published, url: str, verdict: str, previous: int | None
    ) -> None:
        self.db.execute(
            """INSERT INTO tally_reports (item_id, since, region, count, qualifier, until, outlet, published, url,
               sentence, verdict, previous_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                item_id,
                iso(tally.since),
                tally.region,
                tally.count,
                tally.qualifier,
                iso(tally.until),
                outlet,
                iso(published),
                url,
                tally.sentence,
                verdict,
                previous,
            ],
        )

    def tally_reports(self) -> list[dict]:
        return list(self.db.query("SELECT * FROM tally_reports ORDER BY since, region, published, id"))

    # ------------------------------------------------------------ alerts (the outbox)

    def add_alert(
        self,
        kind: str,
        key: str,
        item_id: int | None,
        notifier: str,
        title: str,
        body: str,
        now: datetime,
        attach: str | None = None,
        facts: str | None = None,
    ) -> bool:
        """Queue an alert for one notifier; False when that alert was queued before. facts: JSON for webhooks."""
        cursor = self.db.execute(
            """INSERT OR IGNORE INTO alerts (kind, key, item_id, notifier, title, body, created_at, attach, facts)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [kind, key, item_id, notifier, title, body, iso(now), attach, facts],
        )
        return cursor.rowcount == 1

    def pending_alerts(self, now: datetime | None = None) -> list[dict]:
        """Alerts waiting to be sent whose next attempt is due by now (all pending ones without now)."""
        if now is None:
            return list(self.db.query("SELECT * FROM alerts WHERE status = 'pending' ORDER BY id"))
        return list(
            self.db.query(
                "SELECT * FROM alerts WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id",
                [iso(now)],
            )
        )

    def claim_alert(self, alert_id: int, now: datetime) -> bool:
        """Take a pending alert for sending; False when another process took it first (one atomic UPDATE)."""
        cursor = self.db.execute(
            "UPDATE alerts SET status = 'sending', claimed_at = ? WHERE id = ? AND status = 'pending'",
            [iso(now), alert_id],
        )
        return cursor.rowcount == 1

    def release_claims(self, claimed_before: datetime | None = None) -> int:
        """Alerts claimed by a process that died before it knew whether they went out: pending again
        (at least once). All claims when claimed_before is None: only for the store's lock holder."""
        if claimed_before is None:
            cursor = self.db.execute("UPDATE alerts SET status = 'pending' WHERE status = 'sending'")
        else:
            cursor = self.db.execute(
                "UPDATE alerts SET status = 'pending' WHERE status = 'sending' AND claimed_at < ?",
                [iso(claimed_before)],
            )
        return cursor.rowcount

    def mark_alert(
        self,
        alert_id: int,
        now: datetime,
        sent: bool,
        error: str | None = None,
        status: str | None = None,
        next_attempt: datetime | None = None,
    ) -> None:
        self.db.execute(
            """UPDATE alerts SET attempts = attempts + 1, last_attempt_at = ?, status = ?, last_error = ?,
               sent_at = CASE WHEN ? THEN ? ELSE sent_at END, next_attempt_at = ? WHERE id = ?""",
            [iso(now), status or ("sent" if sent else "pending"), error, sent, iso(now), iso(next_attempt), alert_id],
        )

    def alerts(self, where: str = "1", params: list | None = None) -> list[dict]:
        return list(self.db.query(f"SELECT * FROM alerts WHERE {where} ORDER BY id", params or []))

    # ------------------------------------------------------------ digests

    def last_digest(self) -> dict | None:
        rows = list(self.db.query("SELECT * FROM digests ORDER BY period_end DESC LIMIT 1"))
        return rows[0] if rows else None

    def record_digest(self, start: datetime, end: datetime, now: datetime, stories: int, chart: str | None) -> int:
        return self.db.execute(
            "INSERT INTO digests (period_start, period_end, created_at, stories, chart) VALUES (?, ?, ?, ?, ?)",
            [iso(start), iso(end), iso(now), stories, chart],
        ).lastrowid

    def stories_first_seen(self, start: datetime, end: datetime) -> list[dict]:
        """Stories whose first item was stored in the period, with their report items, newest first."""
        stories = list(
            self.db.query(
                """SELECT story_id, MIN(fetched_at) AS first_seen, COUNT(DISTINCT feed) AS outlets FROM items
               GROUP BY story_id HAVING MIN(fetched_at) > ? AND MIN(fetched_at) <= ? ORDER BY first_seen DESC""",
                [iso(start), iso(end)],
            )
        )
        for story in stories:
            story["items"] = self.items("story_id = ? AND categories != '[]'", [story["story_id"]])
        return [s for s in stories if s["items"]]

    def tally_reports_between(self, start: datetime, end: datetime) -> list[dict]:
        return list(
            self.db.query(
                """SELECT t.*, i.fetched_at, i.published AS item_published, i.caught_up FROM tally_reports t JOIN items i ON i.id = t.item_id
               WHERE i.fetched_at > ? AND i.fetched_at <= ? ORDER BY t.published, t.id""",
                [iso(start), iso(end)],
            )
        )

    def series_reports(self, since: str, region: str) -> list[dict]:
        return list(
            self.db.query(
                "SELECT * FROM tally_reports WHERE since = ? AND region = ? ORDER BY published, id", [since, region]
            )
        )

    def feeds_in_trouble(self, start: datetime, end: datetime) -> list[dict]:
        return list(
            self.db.query(
                """SELECT * FROM feeds WHERE (last_error_at > ? AND last_error_at <= ?)
               OR (consecutive_failures > 0 AND failing_since <= ?) ORDER BY name""",
                [iso(start), iso(end), iso(end)],
            )
        )

    # ------------------------------------------------------------ cycles

    def first_cycle_started(self) -> datetime | None:
        """When the monitor first ran on this store: no digest reaches back before it."""
        row = self._one("SELECT MIN(started_at) FROM cycles", [])
        return parse_iso(row[0]) if row and row[0] else None

    def cycles_finished_between(self, start: datetime, end: datetime) -> int:
        return self._one(
            "SELECT COUNT(*) FROM cycles WHERE finished_at > ? AND finished_at <= ?", [iso(start), iso(end)]
        )[0]

    def start_cycle(self, now: datetime) -> int:
        """The cycle's first write: a store that takes none stops the cycle here, with a message, before any fetch."""
        try:
            return self.db.execute("INSERT INTO cycles (started_at) VALUES (?)", [iso(now)]).lastrowid
        except sqlite3.Error as e:
            raise StoreError(f"the store at {self.path} does not take writes: {e}") from None

    def finish_cycle(self, cycle_id: int, now: datetime, **counts) -> None:
        errors = counts.pop("errors", [])
        sets = ", ".join(f"{k} = ?" for k in counts)
        self.db.execute(
            f"UPDATE cycles SET finished_at = ?, errors = ?, {sets} WHERE id = ?",
            [iso(now), json.dumps(errors), *counts.values(), cycle_id],
        )

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
            raise StoreError(f"the store at {self.path} does not take writes: {e}") from None

    def last_cycle(self, finished: bool = True) -> dict | None:
        where = "finished_at IS NOT NULL" if finished else "1"
        rows = list(self.db.query(f"SELECT * FROM cycles WHERE {where} ORDER BY id DESC LIMIT 1"))
        return rows[0] if rows else None

    # ------------------------------------------------------------

    def _one(self, sql: str, params: list):
        return self.db.execute(sql, params).fetchone()
