"""One polling cycle, top to bottom: fetch -> parse -> extract -> classify -> dedupe -> store -> alert.

Network work (feeds, then pages of items not seen before) runs concurrently
within a bound; the rest runs feed by feed, each feed's items and alerts in one
transaction. A feed that fails is recorded on the feed and never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx

from .classify import classify
from .config import Config, Feed
from .dedupe import Fingerprint, canonical_url, conflicting_totals, fingerprint, resemblance, text_key
from .digest import Digest, Period, build_digest, draw_chart, due_period, render_for, title_of, trigger
from .errors import FetchError, MonitorError, ParseError
from .extract import extract_text
from .fetch import Limits, Response, fetch, make_client
from .models import Article, Entry
from .notify import (
    Notifiers,
    deliver_pending,
    ops_failing_alert,
    ops_recovered_alert,
    queue,
    report_alert,
    tally_alert,
)
from .parse import parse_feed
from .series import NEW_SERIES, RISE, judge
from .store import FeedState, Store, iso, parse_iso

log = logging.getLogger("monitor.pipeline")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Harvest:
    """What the network gave for one feed: entries to store or update, with their pages, or why there are none."""

    feed: Feed
    response: Response | None = None
    entries: list[Entry] = field(default_factory=list)
    pages: dict[str, Response | str] = field(default_factory=dict)  # guid -> page, or why it is missing
    updates: dict[str, dict] = field(default_factory=dict)  # guid -> the stored item (id, story_id), changed in place
    copies: dict[str, dict] = field(default_factory=dict)  # guid -> another outlet's item at the same URL
    error: str | None = None


@dataclass
class FeedOutcome:
    feed: str
    status: str  # updated | not-modified | failed | backing-off
    new_items: int = 0
    error: str = ""


@dataclass
class CycleReport:
    outcomes: list[FeedOutcome]
    alerts_created: int
    alerts_sent: int
    alerts_pending: int

    @property
    def failed(self) -> list[FeedOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def new_items(self) -> int:
        return sum(o.new_items for o in self.outcomes)


def limits_of(config: Config) -> Limits:
    from . import USER_AGENT

    return Limits(
        timeout_seconds=config["fetch.timeout_seconds"],
        max_bytes=config["fetch.max_bytes"],
        max_redirects=config["fetch.max_redirects"],
        user_agent=config["fetch.user_agent"] or USER_AGENT,
    )


async def harvest_feed(client: httpx.AsyncClient, feed: Feed, state: FeedState, store: Store, limits: Limits,
                       gate: asyncio.Semaphore) -> Harvest:
    try:
        async with gate:
            response = await fetch(client, feed.url, limits, state.etag, state.last_modified)
        if response.not_modified:
            return Harvest(feed, response)
        entries = parse_feed(response.body)
    except (FetchError, ParseError) as e:
        return Harvest(feed, error=str(e))

    fresh, seen = [], set()
    updates: dict[str, dict] = {}
    copies: dict[str, dict] = {}
    for entry in entries:
        url = canonical_url(entry.link)
        if (entry.guid, url) in seen:
            continue
        seen.add((entry.guid, url))
        stored = store.stored_entry(feed.name, entry.guid, url)
        if stored is not None:
            if changed(entry, stored):
                updates[entry.guid] = stored
                fresh.append(entry)
            continue
        other = store.item_at_url(url)
        if other is not None:
            copies[entry.guid] = other  # another outlet's copy: same text, no fetch
        fresh.append(entry)

    async def page(entry: Entry) -> tuple[str, Response | str]:
        if not entry.link.startswith(("http://", "https://")):
            return entry.guid, "no http link"
        try:
            async with gate:
                return entry.guid, await fetch(client, entry.link, limits)
        except FetchError as e:
            return entry.guid, f"page not fetched: {e}"

    pages = dict(await asyncio.gather(*(page(e) for e in fresh if e.guid not in copies)))
    return Harvest(feed, response, fresh, pages, updates, copies)


def entry_key(entry: Entry) -> str:
    """What a feed says of an item; when it changes, the item is read again."""
    return text_key(f"{entry.title}\n{entry.summary}\n{entry.link}")


def changed(entry: Entry, stored: dict) -> bool:
    if entry.updated is not None and stored["updated"] and iso(entry.updated) > stored["updated"]:
        return True
    return bool(stored["entry_key"]) and stored["entry_key"] != entry_key(entry)


def to_article(entry: Entry, page: Response | str) -> Article:
    url = canonical_url(entry.link)
    if isinstance(page, Response):
        text = extract_text(page.body, page.url)
        if text:
            return Article(entry, url, text, "page")
        note = "no article text found in the page"
    else:
        note = page
    return Article(entry, url, entry.summary, "summary", note)


def process_harvest(harvest: Harvest, config: Config, store: Store, notifiers: Notifiers, now: datetime,
                    state: FeedState | None = None) -> tuple[int, int]:
    """Classify the new and updated entries of one feed, put each in its story, and store them with
    their alerts in one transaction. Returns (items stored or updated, alerts queued)."""
    feed = harvest.feed
    tz = ZoneInfo(config["schedule.timezone"])
    max_age = config["alerts.max_age_days"]
    oldest_alerted = now - timedelta(days=max_age) if max_age else None
    window = timedelta(days=config["dedupe.window_days"])
    # Oldest first, so a series of reported totals grows in the order it was reported.
    entries = sorted(harvest.entries, key=lambda e: e.published or now)
    articles = [
        copied_article(e, harvest.copies[e.guid]) if e.guid in harvest.copies
        else to_article(e, harvest.pages.get(e.guid, "page not fetched"))
        for e in entries
    ]
    classified = [
        classify(a.entry.title, a.text, (a.entry.published or now).date(), config.rules, config.tally_terms) for a in articles
    ]
    stored = queued = 0
    with store.transaction():
        store.record_fetch(feed.name, feed.url, now, harvest.response.etag, harvest.response.last_modified)
        if state is not None:
            queued += _recovered(config, store, notifiers, feed, state, now)
        for article, c in zip(articles, classified, strict=True):
            e = article.entry
            key, fp = text_key(article.text), fingerprint(article.text)
            published = e.published or now
            if e.guid in harvest.updates:
                item_id, story_id = harvest.updates[e.guid]["id"], harvest.updates[e.guid]["story_id"]
                store.update_item(item_id, article, c, now, key, fp, entry_key(e))
                log.info("item %s updated in place: %s", item_id, e.title)
            else:
                if store.stored_entry(feed.name, e.guid, article.canonical_url):
                    continue  # stored by this feed earlier in the cycle under another GUID
                same = store.same_text(key, published - window, published + window)
                if any(row["feed"] == feed.name for row in same):
                    continue  # this outlet already carries this very text
                story_id = same[0]["story_id"] if same else find_story(store, fp, c, published, window,
                                                                       config["dedupe.threshold"])
                item_id, story_id = store.insert_item(feed.name, article, c, now, story_id, key, fp, entry_key(e))
            stored += 1
            alerting = oldest_alerted is None or published >= oldest_alerted
            if c.is_report and alerting:
                # Keyed by story: the first report of a story alerts, its copies and updates do not.
                queued += queue(store, notifiers, report_alert(item_id, story_id, article, c, feed.name, tz), now)
            for tally in c.tallies:
                if tally.since is None:
                    continue  # a rolling window ("in the past week") is no running total
                previous = store.series_high(tally.since, tally.region)
                verdict = judge(previous, tally)
                store.insert_tally_report(item_id, tally, feed.name, published, e.link, verdict,
                                          previous.count if previous else None)
                if alerting and verdict in (NEW_SERIES, RISE):
                    queued += queue(store, notifiers, tally_alert(item_id, tally, verdict, previous, article, feed.name, tz), now)
    return stored, queued


def copied_article(entry: Entry, other: dict) -> Article:
    return Article(entry, canonical_url(entry.link), other["text"], other["text_source"],
                   other["text_note"] or f"text of item {other['id']} at the same address")


def find_story(store: Store, fp: Fingerprint, c, published: datetime, window: timedelta, threshold: float) -> int | None:
    """The story this text is a copy of: the most alike stored text within the window, if alike enough
    and not reporting a different figure for the same series."""
    best, best_score = None, threshold
    tallies = [t.as_label() for t in c.tallies]
    for candidate in store.near_duplicate_candidates(fp.sketch, published - window, published + window):
        score = resemblance(fp, Fingerprint(candidate["sketch"], candidate["shingles"]))
        if score >= best_score and not conflicting_totals(tallies, candidate["tallies"]):
            best, best_score = candidate["story_id"], score
    return best


def is_due(state: FeedState, now: datetime, interval_seconds: int) -> bool:
    """A failing feed waits until its next attempt; a tenth of an interval of slack absorbs scheduler jitter."""
    if not state.next_attempt_at:
        return True
    return parse_iso(state.next_attempt_at) <= now + timedelta(seconds=interval_seconds / 10)


def backoff(failures: int, interval_seconds: int, cap_seconds: int) -> timedelta:
    """After n failures in a row, wait 2**(n-1) poll intervals, at most the cap: the next cycle,
    then one skipped, then three, then seven, ..."""
    return timedelta(seconds=min(interval_seconds * 2 ** min(failures - 1, 30), cap_seconds))


async def _harvest_all(config: Config, store: Store, feeds: list[tuple[Feed, FeedState]]) -> list[Harvest]:
    limits = limits_of(config)
    gate = asyncio.Semaphore(config["fetch.concurrency"])
    # An AsyncClient belongs to one event loop, and each cycle runs its own: one client per cycle.
    async with make_client(limits, config["fetch.concurrency"]) as client:
        return list(await asyncio.gather(*(harvest_feed(client, f, state, store, limits, gate) for f, state in feeds)))


def _record_failure(config: Config, store: Store, notifiers: Notifiers, feed: Feed, state: FeedState, error: str,
                    started: datetime, now: datetime) -> int:
    failures = state.consecutive_failures + 1
    retry_at = started + backoff(failures, config["schedule.poll_interval_seconds"], config["fetch.backoff_max_seconds"])
    queued = 0
    with store.transaction():
        store.record_fetch(feed.name, feed.url, now, error=error, next_attempt=retry_at)
        if failures == config["alerts.ops_after_failures"]:
            since = state.failing_since or now.isoformat(timespec="seconds")
            alert = ops_failing_alert(feed.name, failures, since, error, retry_at, ZoneInfo(config["schedule.timezone"]))
            queued = queue(store, notifiers, alert, now)
    return queued


def _recovered(config: Config, store: Store, notifiers: Notifiers, feed: Feed, state: FeedState, now: datetime) -> int:
    if state.consecutive_failures < config["alerts.ops_after_failures"]:
        return 0
    alert = ops_recovered_alert(feed.name, state.consecutive_failures, state.failing_since or "?", now,
                                ZoneInfo(config["schedule.timezone"]))
    return queue(store, notifiers, alert, now)


def run_cycle(config: Config, store: Store, notifiers: Notifiers, clock: Clock = utc_now) -> CycleReport:
    """One full cycle: fetch and process every feed, then deliver every pending alert."""
    started = clock()
    cycle_id = store.start_cycle(started)
    interval = config["schedule.poll_interval_seconds"]
    states = {f.name: store.feed_state(f.name) for f in config.feeds if f.enabled}
    due = [(f, states[f.name]) for f in config.feeds if f.enabled and is_due(states[f.name], started, interval)]
    outcomes: list[FeedOutcome] = [
        FeedOutcome(f.name, "backing-off", error=f"waiting until {states[f.name].next_attempt_at} after "
                                                 f"{states[f.name].consecutive_failures} failures")
        for f in config.feeds if f.enabled and not is_due(states[f.name], started, interval)
    ]
    harvests = asyncio.run(_harvest_all(config, store, due))
    created = 0
    for h in harvests:
        now = clock()
        state = states[h.feed.name]
        if h.error is not None:
            created += _record_failure(config, store, notifiers, h.feed, state, h.error, started, now)
            outcomes.append(FeedOutcome(h.feed.name, "failed", error=h.error))
            log.warning("feed %s failed: %s", h.feed.name, h.error)
            continue
        if h.response.not_modified:
            with store.transaction():
                store.record_fetch(h.feed.name, h.feed.url, now, h.response.etag, h.response.last_modified)
                created += _recovered(config, store, notifiers, h.feed, state, now)
            outcomes.append(FeedOutcome(h.feed.name, "not-modified"))
            continue
        try:
            stored, queued = process_harvest(h, config, store, notifiers, now, state)
        except MonitorError as e:  # the feed's items are rolled back; the next cycle tries again
            created += _record_failure(config, store, notifiers, h.feed, state, str(e), started, now)
            outcomes.append(FeedOutcome(h.feed.name, "failed", error=str(e)))
            log.error("feed %s not stored: %s", h.feed.name, e)
            continue
        created += queued
        outcomes.append(FeedOutcome(h.feed.name, "updated", stored))
        log.info("feed %s: %d new items, %d alerts queued", h.feed.name, stored, queued)
    sent, pending = deliver_pending(store, notifiers, clock())
    report = CycleReport(outcomes, created, sent, pending)
    store.finish_cycle(
        cycle_id, clock(),
        feeds_ok=sum(o.status == "updated" for o in outcomes),
        feeds_not_modified=sum(o.status == "not-modified" for o in outcomes),
        feeds_failed=len(report.failed),
        items_new=report.new_items,
        alerts_created=created,
        alerts_sent=sent,
        alerts_pending=pending,
        errors=[{"feed": o.feed, "error": o.error} for o in report.failed],
    )
    return report


def send_digest(config: Config, store: Store, notifiers: Notifiers, period: Period, now: datetime) -> tuple[Digest, int]:
    """Build the digest of a period, record it and queue it for every notifier that wants digests,
    in one transaction: a period is sent once, even across restarts. Returns the digest and how
    many alerts were queued."""
    tz = ZoneInfo(config["schedule.timezone"])
    digest = build_digest(store, period, config["digest.max_stories"], config["alerts.max_age_days"])
    if digest.empty and not config["digest.send_empty"]:
        with store.transaction():
            store.record_digest(period.start, period.end, now, 0, None)
        return digest, 0
    if digest.series:
        digest.chart = draw_chart(digest.series, store.path.parent / "charts" / f"digest-{period.end:%Y%m%dT%H%M%S}.png")
    title = title_of(digest, tz)
    queued = 0
    with store.transaction():
        store.record_digest(period.start, period.end, now, len(digest.stories) + digest.omitted,
                            str(digest.chart) if digest.chart else None)
        for name in notifiers.targets("digest"):
            body = render_for(notifiers.format_of(name), digest, tz)
            queued += store.add_alert("digest", f"digest:{iso(period.end)}", None, name, title, body, now,
                                      attach=str(digest.chart) if digest.chart and name != "console" else None)
    return digest, queued


def run_due_digest(config: Config, store: Store, notifiers: Notifiers, clock: Clock = utc_now) -> Digest | None:
    """Send the digest owed now, if any (the daemon calls this at every slot and once at start)."""
    if not config["schedule.digest"].strip():
        return None
    now = clock()
    period = due_period(store, digest_trigger(config), now)
    if period is None:
        return None
    digest, queued = send_digest(config, store, notifiers, period, now)
    sent, pending = deliver_pending(store, notifiers, clock())
    log.info("digest for %s to %s: %d stories, %d alerts queued, %d sent, %d pending",
             period.start.isoformat(), period.end.isoformat(), len(digest.stories), queued, sent, pending)
    return digest


def digest_trigger(config: Config):
    return trigger(config["schedule.digest"], config["schedule.timezone"])
