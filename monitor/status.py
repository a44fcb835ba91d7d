"""`monitor status`: each feed's state, items that could not be stored, the outbox, the last digest and
the last cycle, read from the store at once and told as lines or as one JSON document."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from .config import Config
from .store import Store
from .store_feeds import CycleRecord, FeedRecord
from .store_entries import ItemFailureRecord
from .store_outbox import FAILED, PENDING, SENDING, DigestRecord, OutboxRow
from .wording import local_time, plural

SHOWN = 20  # rows listed of each kind; the count says how many there are


@dataclass(frozen=True, slots=True)
class Status:
    config: Config
    feeds: dict[str, FeedRecord]  # by feed name; a feed never polled has none
    failed_items: list[ItemFailureRecord]
    pending: list[OutboxRow]
    failed_alerts: list[OutboxRow]
    last_digest: DigestRecord | None
    cycle: CycleRecord | None

    def lines(self) -> list[str]:
        tz = self.config.settings.schedule.zone
        out = [f"Feeds (times in {self.config.settings.schedule.timezone}):"]
        out += [self._feed_line(feed, tz) for feed in self.config.feeds]
        if self.failed_items:
            out.append(f"Items that could not be stored: {len(self.failed_items)}")
            out += [
                f"  {i.feed}: {i.title or i.guid} ({plural(i.attempts, 'attempt')}, last "
                f"{local_time(i.last_failed_at, tz)}): {i.error}"
                for i in self.failed_items[:SHOWN]
            ]
        out.append(f"Pending alerts: {len(self.pending)}")
        out += [
            f"  {local_time(a.created_at, tz)} {a.notifier}: {a.title} ({plural(a.attempts, 'attempt')}; "
            f"{a.last_error or 'not tried yet'})"
            + (f"; next try {local_time(a.next_attempt_at, tz)}" if a.next_attempt_at else "")
            for a in self.pending[:SHOWN]
        ]
        if self.failed_alerts:
            out.append(f"Alerts given up after every retry (FAILED): {len(self.failed_alerts)}")
            out += [
                f"  {local_time(a.created_at, tz)} {a.notifier}: {a.title} ({plural(a.attempts, 'attempt')}; "
                f"last {a.last_error})"
                for a in self.failed_alerts[:SHOWN]
            ]
        out.append(self._digest_line(tz))
        out.append(self._cycle_line(tz))
        return out

    def _feed_line(self, feed: Any, tz: ZoneInfo) -> str:
        f = self.feeds.get(feed.name)
        if f is None:
            why = (
                " (disabled)"
                if not feed.enabled
                else "; its first good poll stores its items without alerts (catch_up)"
                if feed.catch_up
                else ""
            )
            return f"  {feed.name}: never polled{why}"
        line = f"  {feed.name}: {plural(f.items_stored, 'item')}, last success {local_time(f.last_success_at, tz)}"
        if f.consecutive_failures:
            line += (
                f", FAILING: {plural(f.consecutive_failures, 'failure')} in a row since "
                f"{local_time(f.failing_since, tz)}: {f.last_error}"
            )
            if f.next_attempt_at:
                line += f"; next attempt {local_time(f.next_attempt_at, tz)} (`monitor poll --force` tries it now)"
        elif f.last_error:
            line += f", last error {local_time(f.last_error_at, tz)}: {f.last_error}"
        return line

    def _digest_line(self, tz: ZoneInfo) -> str:
        d = self.last_digest
        if d is None:
            return "Last digest: none"
        return (
            f"Last digest: {local_time(d.period_start, tz)} to {local_time(d.period_end, tz)}, "
            f"{plural(d.stories, 'story', 'stories')}, recorded {local_time(d.created_at, tz)}"
        )

    def _cycle_line(self, tz: ZoneInfo) -> str:
        c = self.cycle
        if c is None:
            return "Last cycle: none"
        return f"Last cycle: started {local_time(c.started_at, tz)}, " + (
            f"finished {local_time(c.finished_at, tz)}: {c.feeds_ok} updated, {c.feeds_not_modified} not modified, "
            f"{c.feeds_failed} failed, {plural(c.items_new or 0, 'new item')}, {plural(c.alerts_sent or 0, 'alert')} sent"
            if c.finished_at
            else "still running or interrupted"
        )

    def document(self) -> dict[str, Any]:
        """`monitor status --json`: the same facts as its lines. Notifiers appear by name only."""
        out_feeds = []
        for feed in self.config.feeds:
            f = self.feeds.get(feed.name)
            out_feeds.append(
                {
                    "name": feed.name,
                    "url": feed.url,
                    "enabled": feed.enabled,
                    "polled": f is not None,
                    "items_stored": f.items_stored if f else 0,
                    "last_success_at": f.last_success_at if f else None,
                    "last_error": f.last_error if f else None,
                    "last_error_at": f.last_error_at if f else None,
                    "consecutive_failures": f.consecutive_failures if f else 0,
                    "failing_since": f.failing_since if f else None,
                    "next_attempt_at": f.next_attempt_at if f else None,
                }
            )
        cycle = self.cycle
        return {
            "feeds": out_feeds,
            "item_failures": [asdict(i) for i in self.failed_items],
            "pending_alerts": [
                {k: getattr(a, k) for k in ("id", "kind", "notifier", "title", "created_at", "attempts", "last_error")}
                for a in self.pending
            ],
            "last_digest": asdict(self.last_digest) if self.last_digest else None,
            "last_cycle": asdict(cycle) if cycle else None,
        }


def read_status(config: Config) -> Status | None:
    """The store's account of the monitor now; None when there is no store yet (nothing has run)."""
    if not config.store_path.exists():
        return None
    with Store(config.store_path) as store:
        return Status(
            config,
            store.feeds(),
            store.item_failures(),
            store.alerts(statuses=(PENDING, SENDING)),
            store.alerts(statuses=(FAILED,)),
            store.last_digest(),
            store.last_cycle(finished=False),
        )
