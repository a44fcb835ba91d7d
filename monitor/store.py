"""The SQLite store (sqlite-utils, WAL): opening it, transactions, and the one lock per store. The
queries live by concern in store_items (items, stories, near copies), store_entries (entries not
stored: failed or skipped), store_outbox (alerts, digests), store_feeds (feeds, cycles, health), store_series (tally reports) and store_archive (search, export,
retention); Store inherits them all. With schema.py, the only modules that speak SQL."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType

import sqlite_utils

from .errors import StoreError
from .models import SeriesHigh, SeriesKey
from .schema import migrate
from .store_archive import ArchiveQueries, ItemFilter
from .store_base import day_of, iso, parse_iso
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
        with Store(path) as store:
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
        yield
    finally:
        handle.close()


class Store(ItemQueries, EntryQueries, OutboxQueries, FeedQueries, SeriesQueries, ArchiveQueries):
    """An open store; `with Store(path) as store:` closes it at the end of the block."""

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

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Store]:
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
    def savepoint(self) -> Iterator[Store]:
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
