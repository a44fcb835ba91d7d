"""Entries a feed gave that were not stored: those that failed (with their error, so one poisoned
item is seen and not retried forever) and those skipped as a text their outlet already carries.
Part of the store layer (the only modules that speak SQL); Store inherits these queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .store_base import Queries, iso


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """An entry that could not be stored, as the feed describes it, and why."""

    feed: str
    guid: str
    title: str
    link: str
    entry_key: str
    error: str


@dataclass(frozen=True, slots=True)
class ItemFailureRecord(ItemFailure):
    """An entry that could not be stored, as recorded: how often, since when, the last error."""

    attempts: int
    first_failed_at: str
    last_failed_at: str


class EntryQueries(Queries):
    def record_item_failure(self, failure: ItemFailure, now: datetime) -> None:
        """An item that could not be stored, with its error; attempts count again from 1 when the feed changes it."""
        f = failure
        self.db.execute(
            """INSERT INTO item_failures (feed, guid, title, link, entry_key, error, first_failed_at, last_failed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (feed, guid) DO UPDATE SET error = excluded.error,
               title = excluded.title, link = excluded.link, last_failed_at = excluded.last_failed_at,
               attempts = CASE WHEN entry_key = excluded.entry_key THEN attempts + 1 ELSE 1 END,
               entry_key = excluded.entry_key""",
            [f.feed, f.guid, f.title, f.link, f.entry_key, f.error, iso(now), iso(now)],
        )

    def item_failure_attempts(self, feed: str, guid: str, entry_key: str) -> int:
        """How many times this very entry (as the feed describes it now) failed."""
        row = self._one(
            "SELECT attempts FROM item_failures WHERE feed = ? AND guid = ? AND entry_key = ?", [feed, guid, entry_key]
        )
        return int(row[0]) if row else 0

    def clear_item_failure(self, feed: str, guid: str) -> None:
        self.db.execute("DELETE FROM item_failures WHERE feed = ? AND guid = ?", [feed, guid])

    def item_failures(self) -> list[ItemFailureRecord]:
        return [
            ItemFailureRecord(*row)
            for row in self.db.execute(
                f"""SELECT {", ".join(ItemFailureRecord.__dataclass_fields__)} FROM item_failures
                    ORDER BY last_failed_at DESC, feed, guid"""
            )
        ]

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
