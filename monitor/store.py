"""The SQLite store (sqlite-utils, WAL): opening it, transactions, and the one lock per store. The
queries live by concern in store_items (items, stories, near copies), store_entries (entries not
stored: failed or skipped), store_outbox (alerts, digests), store_feeds (feeds, cycles, health), store_series (tally reports) and store_archive (search, export,
retention); Store inherits them all. With the schema modules, the only modules that speak SQL."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType
from typing import IO

from .errors import StoreError
from .models import SeriesHigh, SeriesKey
from .schema import migrate
from .store_archive import ArchiveQueries, ItemFilter
from .store_base import Connection, day_of, iso, parse_iso
from .store_entries import EntryQueries, ItemFailure, ItemFailureRecord
from .store_feeds import CycleCounts, CycleRecord, FeedQueries, FeedRecord, FeedState
from .store_items import (
    SKETCH_FANOUT,
    Candidate,
    ItemQueries,
    ItemRecord,
    NewItem,
    SameText,
    StoredEntry,
    StoryFirstSeen,
    StoryOutlet,
)
from .store_outbox import DigestRecord, OutboxAlert, OutboxQueries, OutboxRow
from .store_series import ReportOfItem, SeriesQueries, TallyReport, TallyReportRecord

__all__ = [
    "SKETCH_FANOUT",
    "Candidate",
    "CycleCounts",
    "CycleRecord",
    "DigestRecord",
    "FeedRecord",
    "FeedState",
    "ItemFailure",
    "ItemFailureRecord",
    "ItemRecord",
    "ItemFilter",
    "NewItem",
    "OutboxAlert",
    "OutboxRow",
    "SameText",
    "SeriesHigh",
    "SeriesKey",
    "Store",
    "StoreBusy",
    "StoredEntry",
    "StoryFirstSeen",
    "StoryOutlet",
    "ReportOfItem",
    "TallyReport",
    "TallyReportRecord",
    "day_of",
    "exclusive",
    "iso",
    "parse_iso",
]


class StoreBusy(StoreError):
    """Another monitor process works on this store."""


@contextmanager
def exclusive(path: str | Path) -> Iterator[None]:
    """One sender per store: an flock on a file beside the store, held for the whole poll or daemon
    (the kernel drops it when the process dies, even by kill -9). A second process gets StoreBusy,
    naming the holder. On entry, a quick integrity check (a damaged store is a StoreError, not a
    traceback at every poll) unless `check_is_due` says the last holder left the file clean and
    untouched, and alerts a dead holder had claimed go back to pending."""
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
            holder = _holder(handle)
            raise StoreBusy(
                f"the store at {path} is in use by {holder}; one monitor poll or run at a time "
                "works on a store: try again when it is done"
            ) from None
        handle.seek(0)
        left = handle.read()
        now = datetime.now(timezone.utc)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{_HOLDER} {os.getpid()} since {now.isoformat(timespec='seconds')}")
        handle.flush()
        checked = last_check(left, file_state(path), now)
        with Store(path) as store:
            try:
                if checked is None:
                    problem = store.integrity_problem()
                    if problem:
                        raise StoreError(
                            f"the store at {path} is damaged: {problem}; restore it from a backup or move it "
                            "aside to start a new one"
                        )
                    checked = now
                store.release_claims()
            except sqlite3.Error as e:
                raise StoreError(f"the store at {path} does not take writes: {e}") from None
        yield
        # Only a holder that got here leaves the file clean; one that raised or was killed leaves its
        # "monitor pid" line, so the next holder checks the whole file.
        handle.seek(0)
        handle.truncate()
        handle.write(released_line(checked, file_state(path)))
        handle.flush()
    finally:
        handle.close()


# The quick check reads the whole file: 2 s on a 1 GB store at every `monitor poll` from cron, most of
# the cost of a poll with a few new articles. After a clean release it runs again only when the file
# changed behind the monitor's back or a day has passed; SQLite errors during a cycle run it as well.
CHECK_EVERY = timedelta(days=1)


def file_state(path: Path) -> list[list[int]]:
    """Size and modification time of the store and its write-ahead log: another writer changes them."""
    state = []
    for part in (path, path.with_name(path.name + "-wal")):
        try:
            info = part.stat()
        except OSError:
            state.append([-1, -1])
            continue
        state.append([info.st_size, info.st_mtime_ns])
    return state


_HOLDER = "monitor pid"


def _holder(handle: IO[str]) -> str:
    """Who holds the lock, as the holder wrote it in the lock file. It writes that just after taking
    the lock, so a process that finds the lock taken may read the file before then (empty, or the last
    holder's "released" line): it reads again for up to half a second."""
    for _ in range(50):
        handle.seek(0)
        holder = handle.read().strip()
        if holder.startswith(_HOLDER):
            return holder
        time.sleep(0.01)
    return "another process"


def released_line(checked: datetime, files: list[list[int]]) -> str:
    """What a holder leaves in the lock file when it ends cleanly."""
    return "released " + json.dumps({"checked": checked.isoformat(), "files": files})


def last_check(left: str, files: list[list[int]], now: datetime) -> datetime | None:
    """When the store was last checked whole, if that still vouches for it: the last holder released
    it cleanly, the file is as it left it, and the check is under a day old. None: check it now."""
    if not left.startswith("released "):
        return None
    try:
        record = json.loads(left.removeprefix("released "))
        checked = datetime.fromisoformat(record["checked"])
        same = record["files"] == files
    except (ValueError, KeyError, TypeError):
        return None
    if not same or checked.tzinfo is None or not timedelta(0) <= now - checked < CHECK_EVERY:
        return None
    return checked


class Store(ItemQueries, EntryQueries, OutboxQueries, FeedQueries, SeriesQueries, ArchiveQueries):
    """An open store; `with Store(path) as store:` closes it at the end of the block."""

    def __init__(self, path: str | Path):
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            self.db = Connection(conn)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            migrate(self.db)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"cannot open the store at {path}: {e}") from None
        self.path = path
        self.unindexed = set()

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside commit together or not at all: an item and its alerts land as one, and
        the transaction's new items enter the search index as it commits."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.unindexed.clear()
            # SQLite rolls back by itself on some errors (a full disk): a second ROLLBACK would hide the first error.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.index_pending()
                conn.execute("COMMIT")
            except BaseException:
                self.unindexed.clear()
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def savepoint(self) -> Iterator[Store]:
        """Inside a transaction: the writes inside are undone alone when they fail, the transaction goes on.
        Outside one, it is the transaction (its release commits), and indexes its new items as one does."""
        conn = self.db.conn
        outermost = not conn.in_transaction
        conn.execute("SAVEPOINT one_item")
        try:
            yield self
            if outermost:
                self.index_pending()
        except BaseException:
            if outermost:
                self.unindexed.clear()
            if conn.in_transaction:
                conn.execute("ROLLBACK TO one_item")
                conn.execute("RELEASE one_item")
            raise
        else:
            conn.execute("RELEASE one_item")
