"""One feed's storing side of a cycle, in the single writer: a Harvest is classified, put in its
stories and stored with its alerts in one transaction; a FeedFailure is recorded on the feed and
backed off. The outcome is a FeedOutcome. Decisions are the stages' own (dedupe.place, series.judge,
notify's alerts); this module orders them and keeps one entry's failure its own."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from .classify import classify
from .config import Config, Feed
from .dedupe import entry_key, place, text_keys
from .errors import MonitorError
from .harvest import FeedFailure, Fresh, Harvest, describe, to_article
from .models import SeriesKey
from .alerts import ops_failing_alert, ops_recovered_alert, report_alert, tally_alert
from .notify import Notifiers, queue
from .series import NEW_SERIES, RISE, judge
from .store import FeedState, ItemFailure, NewItem, Store, TallyReport

log = logging.getLogger("monitor.pipeline")

Status = Literal["updated", "not-modified", "failed", "backing-off", "not-due"]


@dataclass
class FeedOutcome:
    feed: str
    status: Status
    new_items: int = 0
    error: str = ""
    failed_items: int = 0
    caught_up: bool = False  # stored silently: the feed's first successful poll, or poll --catch-up


@dataclass(frozen=True)
class Judging:
    """The settings every entry of a cycle is stored by, read once a cycle."""

    tz: ZoneInfo
    max_age: timedelta | None  # older items are stored without alerts; None: no limit
    window: timedelta  # the dedupe window either side of an item's date
    threshold: float  # the resemblance that makes a near copy

    @classmethod
    def of(cls, config: Config) -> Judging:
        settings = config.settings
        max_age = settings.alerts.max_age_days
        return cls(
            settings.schedule.zone,
            timedelta(days=max_age) if max_age else None,
            timedelta(days=settings.dedupe.window_days),
            settings.dedupe.threshold,
        )


# A server's Retry-After is honoured up to a week: past that it is more likely a mistake than a plan.
RETRY_AFTER_CAP = timedelta(days=7)


def settle(
    h: Harvest | FeedFailure,
    config: Config,
    store: Store,
    notifiers: Notifiers,
    state: FeedState,
    started: datetime,
    now: datetime,
    silent: bool = False,
    judging: Judging | None = None,
) -> tuple[FeedOutcome, int]:
    """Store one feed's harvest, or record its failure. Returns its outcome and the alerts queued."""
    if isinstance(h, FeedFailure):
        log.warning("feed %s failed: %s", h.feed.name, h.error)
        return _failed(h, config, store, notifiers, state, started, now)
    try:
        if h.response.not_modified:
            with store.transaction():
                return _unchanged(h, config, store, notifiers, state, now)
        stored, queued, failed_items = store_feed(h, config, store, notifiers, now, state, silent, judging)
        log.info(
            "feed %s: %d new items%s, %d alerts queued, %d items failed",
            h.feed.name,
            stored,
            " stored silently (catch-up)" if silent else "",
            queued,
            failed_items,
        )
        return FeedOutcome(h.feed.name, "updated", stored, failed_items=failed_items, caught_up=silent), queued
    except Exception as e:  # the feed's items are rolled back; the next cycle tries again
        log.error("feed %s not stored: %s", h.feed.name, describe(e), exc_info=not isinstance(e, MonitorError))
        if isinstance(e, sqlite3.Error):
            problem = store.integrity_problem()
            if problem:
                log.error("the store at %s is damaged: %s", store.path, problem)
        return _failed(FeedFailure(h.feed, describe(e)), config, store, notifiers, state, started, now)


def settle_unchanged(
    harvests: list[Harvest],
    config: Config,
    store: Store,
    notifiers: Notifiers,
    states: dict[str, FeedState],
    started: datetime,
    now: datetime,
) -> list[tuple[FeedOutcome, int]]:
    """Feeds that answered 304, recorded in one transaction: most feeds of a warm cycle, where a
    transaction (and a sync to disk) each cost the writer more than the fetching. Should the batch
    fail, each feed is settled alone, so one feed's trouble stays its own."""
    try:
        with store.transaction():
            return [_unchanged(h, config, store, notifiers, states[h.feed.name], now) for h in harvests]
    except Exception:  # noqa: BLE001 - rolled back; settle() records each feed's own outcome
        return [settle(h, config, store, notifiers, states[h.feed.name], started, now) for h in harvests]


def _unchanged(
    h: Harvest, config: Config, store: Store, notifiers: Notifiers, state: FeedState, now: datetime
) -> tuple[FeedOutcome, int]:
    """A feed that answered 304, recorded inside the caller's transaction: a success, and its
    recovery alert if it had been failing."""
    store.record_fetch(h.feed.name, h.feed.url, now, h.response.etag, h.response.last_modified)
    return FeedOutcome(h.feed.name, "not-modified"), recovered(config, store, notifiers, h.feed, state, now)


def _failed(
    failure: FeedFailure,
    config: Config,
    store: Store,
    notifiers: Notifiers,
    state: FeedState,
    started: datetime,
    now: datetime,
) -> tuple[FeedOutcome, int]:
    try:
        queued = record_failure(config, store, notifiers, failure, state, started, now)
    except Exception:  # a store that cannot record it (a full disk) must not stop the others
        log.exception("feed %s: its failure could not be recorded", failure.feed.name)
        queued = 0
    return FeedOutcome(failure.feed.name, "failed", error=failure.error), queued


def store_feed(
    harvest: Harvest,
    config: Config,
    store: Store,
    notifiers: Notifiers,
    now: datetime,
    state: FeedState | None = None,
    silent: bool = False,
    judging: Judging | None = None,
) -> tuple[int, int, int]:
    """Classify the new and updated entries of one feed, put each in its story, and store them with
    their alerts in one transaction, each entry in a savepoint of its own: an entry that fails is
    undone alone and recorded with its error. Returns (items stored or updated, alerts queued, items failed).
    silent (a catch-up poll) stores items and tally figures, judged as usual, but queues no report or tally alert."""
    feed = harvest.feed
    judging = judging or Judging.of(config)
    stored = queued = 0
    with store.transaction():
        store.record_fetch(feed.name, feed.url, now, harvest.response.etag, harvest.response.last_modified)
        if state is not None:
            queued += recovered(config, store, notifiers, feed, state, now)
        failures = list(harvest.failures)
        # Oldest first, so a series of reported totals grows in the order it was reported.
        for fresh in sorted(harvest.entries, key=lambda f: f.entry.published or now):
            try:
                with store.savepoint():
                    added, alerts = store_entry(fresh, feed, config, store, notifiers, now, silent, judging)
                    store.clear_item_failure(feed.name, fresh.entry.guid)
            except Exception as e:  # one poisoned item never costs the others
                log.warning("feed %s: item %r not stored", feed.name, fresh.entry.guid, exc_info=True)
                failures.append((fresh.entry, describe(e)))
                continue
            stored += added
            queued += alerts
        for entry, error in failures:
            store.record_item_failure(
                ItemFailure(feed.name, entry.guid, entry.title, entry.link, entry_key(entry), error), now
            )
    return stored, queued, len(failures)


def store_entry(
    fresh: Fresh,
    feed: Feed,
    config: Config,
    store: Store,
    notifiers: Notifiers,
    now: datetime,
    silent: bool = False,
    judging: Judging | None = None,
) -> tuple[int, int]:
    """Classify one entry, put it in its story and queue its alerts. Returns (items stored, alerts queued)."""
    e = fresh.entry
    j = judging or Judging.of(config)
    article = fresh.article or to_article(fresh)
    published = e.published or now
    if fresh.analysis is not None:  # worked out while the feed was read
        c, keys = fresh.analysis.classification, fresh.analysis.keys
    else:
        c = classify(e.title, article.text, published.date(), config.rules, config.tally_terms)
        keys = text_keys(article.text)
    queued = 0
    if fresh.stored is not None:
        item_id, story_id = fresh.stored.id, fresh.stored.story_id
        store.update_item(item_id, article, c, now, keys.text_key, keys.fingerprint, fresh.key)
        log.info("item %s updated in place: %s", item_id, e.title)
    else:
        placed = place(
            store, feed.name, e.guid, article.canonical_url, keys, c, published, j.window, j.threshold, article.text
        )
        if placed.same_as is not None:
            store.record_skipped_as_same(feed.name, e.guid, fresh.key, placed.same_as, now)
            return 0, 0
        item_id, story_id = store.insert_item(
            NewItem(
                feed.name,
                article,
                c,
                now,
                placed.story_id,
                text_key=keys.text_key,
                fingerprint=keys.fingerprint,
                entry_key=fresh.key,
                caught_up=silent,
            )
        )
    alerting = not silent and (j.max_age is None or published >= now - j.max_age)
    if c.is_report and alerting:
        # Keyed by story: the first report of a story alerts, its copies and updates do not.
        queued += queue(store, notifiers, report_alert(item_id, story_id, article, c, feed.name, j.tz), now)
    for tally in c.tallies:
        if tally.since is None:
            continue  # a rolling window ("in the past week") is no running total
        previous = store.series_high(SeriesKey.of_tally(tally))
        verdict = judge(previous, tally)
        store.insert_tally_report(
            TallyReport(item_id, tally, feed.name, published, e.link, verdict, previous.count if previous else None)
        )
        if alerting and verdict in (NEW_SERIES, RISE):
            queued += queue(
                store, notifiers, tally_alert(item_id, tally, verdict, previous, article, feed.name, j.tz), now
            )
    return 1, queued


def backoff(failures: int, interval_seconds: int, cap_seconds: int) -> timedelta:
    """After n failures in a row, wait 2**(n-1) poll intervals, at most the cap: the next cycle,
    then one skipped, then three, then seven, ..."""
    return timedelta(seconds=min(interval_seconds * 2 ** min(failures - 1, 30), cap_seconds))


def record_failure(
    config: Config,
    store: Store,
    notifiers: Notifiers,
    failure: FeedFailure,
    state: FeedState,
    started: datetime,
    now: datetime,
) -> int:
    """Record a feed's failure and when to try it again; the failure that makes it a run of
    alerts.ops_after_failures queues an [ops] alert. Returns the alerts queued."""
    feed, error = failure.feed, failure.error
    failures = state.consecutive_failures + 1
    wait = backoff(failures, config.interval_of(feed), config.settings.fetch.backoff_max_seconds)
    if failure.retry_after:
        wait = max(wait, min(timedelta(seconds=failure.retry_after), RETRY_AFTER_CAP))
    retry_at = started + wait
    queued = 0
    with store.transaction():
        store.record_fetch(feed.name, feed.url, now, error=error, next_attempt=retry_at)
        if failures == config.settings.alerts.ops_after_failures:
            since = state.failing_since or now.isoformat(timespec="seconds")
            alert = ops_failing_alert(feed.name, failures, since, error, retry_at, config.settings.schedule.zone)
            queued = queue(store, notifiers, alert, now)
    return queued


def recovered(config: Config, store: Store, notifiers: Notifiers, feed: Feed, state: FeedState, now: datetime) -> int:
    if state.consecutive_failures < config.settings.alerts.ops_after_failures:
        return 0
    alert = ops_recovered_alert(
        feed.name, state.consecutive_failures, state.failing_since or "?", now, config.settings.schedule.zone
    )
    return queue(store, notifiers, alert, now)
