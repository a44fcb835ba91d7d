"""One polling cycle, top to bottom: fetch -> parse -> extract -> classify -> dedupe -> store -> alert.

The cycle streams per feed: every due feed is fetched and parsed concurrently (within
fetch.concurrency), the pages of its new items fetched and handed, as each arrives, to a pool of
extraction processes (fetch.workers, one per core by default), and a page is dropped once its text
is out. As soon as one feed's pages are all extracted, that feed is classified, deduplicated and
stored in one transaction by the single writer (this process), and its alerts are delivered, while
other feeds are still on the network. A feed that fails is recorded on the feed and never stops the
others; delivery and the cycle's record always run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

import httpx

from .aggregators import GOOGLE_NEWS, DecodeBudget, aggregator_of, decode_google_online, publisher_entry
from .alerts import ops_failing_alert, ops_recovered_alert, report_alert, tally_alert
from .classify import classify
from .config import Config, Feed
from .dedupe import canonical_url, find_story, text_key, text_keys
from .errors import MonitorError
from .extract import extract_text, load_extractor, watch_parent
from .fetch import Limits, Response, fetch, make_client
from .models import Article, Entry
from .notify import Meanwhile, Notifiers, deliver_pending, queue
from .parse import parse_feed
from .series import NEW_SERIES, RISE, judge
from .wording import plural
from .models import SeriesKey
from .store import (
    CycleCounts,
    FeedState,
    ItemFailure,
    NewItem,
    OutboxAlert,
    Store,
    StoredEntry,
    TallyReport,
    iso,
    parse_iso,
)

if TYPE_CHECKING:
    from .digest import Digest, Period

log = logging.getLogger("monitor.pipeline")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Fresh:
    """One entry of a feed to store or update, with its own page: pages are keyed per entry, since
    two entries of one feed may share a GUID."""

    entry: Entry
    key: str  # entry_key: what the feed says of the item, computed once
    page: Response | str = "page not fetched"  # the page until extracted; then why there is no text, if there is none
    text: str | None = None  # the page's article text, once extracted
    stored: StoredEntry | None = None  # the stored item this entry updates in place
    copy: dict | None = None  # another outlet's item at the same URL: its text is reused


@dataclass
class Harvest:
    """What the network gave for one feed: entries to store or update, with their pages, or why there are none."""

    feed: Feed
    response: Response | None = None
    entries: list[Fresh] = field(default_factory=list)
    failures: list[tuple[Entry, str]] = field(default_factory=list)  # entries that failed before storing
    error: str | None = None
    retry_after: float | None = None  # seconds the feed's server asked us to wait


@dataclass
class FeedOutcome:
    feed: str
    status: str  # updated | not-modified | failed | backing-off
    new_items: int = 0
    error: str = ""
    failed_items: int = 0
    caught_up: bool = False  # stored silently: the feed's first successful poll, or poll --catch-up


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


STOP_POLL_SECONDS = 0.2  # how often a cycle's fetching looks at the stop signal and its budget
# An item that failed this many times is skipped until the feed changes what it says of it (it stays in `status`).
ITEM_ATTEMPTS = 3


def describe(error: BaseException) -> str:
    """One line for the store and `status`: our errors say what happened; others also say what they are."""
    if isinstance(error, MonitorError):
        return str(error)
    text = " ".join(str(error).split())[:300]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Extractor:
    """The pool of extraction processes of one cycle, started at the first page. trafilatura runs
    there, beside the fetching, on every core; a page waits for a free slot before it is fetched,
    so at most `slots` page bodies are held at once, whatever the size of the cycle."""

    def __init__(self, workers: int):
        self.workers = workers
        self.slots = asyncio.Semaphore(workers * 3)
        self._pool: Executor | None = None

    async def text_of(self, page: Response) -> str | None:
        if self._pool is None:
            # Fork after the import, so every worker has trafilatura without importing it again.
            load_extractor()
            self._pool = ProcessPoolExecutor(self.workers, initializer=watch_parent)
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, extract_text, page.body, page.url)
        except BrokenProcessPool:
            if self._pool is pool:  # a worker died on a page: later pages get a new pool
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise MonitorError("the extraction process died on this page") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


async def harvest_feed(
    client: httpx.AsyncClient,
    feed: Feed,
    state: FeedState,
    store: Store,
    limits: Limits,
    gate: asyncio.Semaphore,
    extractor: Extractor,
    decodes: DecodeBudget | None = None,
) -> Harvest:
    """Any error up to the parsed entries is this feed's failure; any error with one entry is that entry's."""
    try:
        async with gate:
            response = await fetch(client, feed.url, limits, state.etag, state.last_modified, trusted_origin=feed.url)
        if response.not_modified:
            return Harvest(feed, response)
        harvest = Harvest(feed, response)
        entries = [publisher_entry(e) for e in parse_feed(response.body)]
        select_fresh(harvest, entries, store)
        log.debug(
            "feed %s: %d bytes, %d entries, %d new or changed",
            feed.name,
            len(response.body),
            len(entries),
            len(harvest.entries),
        )
    except Exception as e:  # whatever a hostile feed causes is its own failure
        if not isinstance(e, MonitorError):
            log.warning("feed %s: unexpected error", feed.name, exc_info=True)
        return Harvest(feed, error=describe(e), retry_after=getattr(e, "retry_after", None))

    async def page(fresh: Fresh) -> None:
        link = fresh.entry.link
        if aggregator_of(link) == GOOGLE_NEWS:  # its page is a JavaScript shell, never the article
            resolution = await decode_google_online(
                link, decodes or DecodeBudget(0), limits.timeout_seconds, limits.user_agent
            )
            log.debug("%s link %s -> %s", resolution.aggregator, link, resolution.url or resolution.reason)
            if resolution.url is None:
                fresh.page = f"{resolution.reason}; the feed's summary is used"
                return
            fresh.entry = replace(fresh.entry, link=resolution.url, via=link)
            link = resolution.url
            if fresh.stored is None:
                fresh.copy = store.item_at_url(canonical_url(link))
                if fresh.copy is not None:
                    return
        if not link.startswith(("http://", "https://")):
            fresh.page = "no http link"
            return
        async with extractor.slots:
            try:
                async with gate:
                    body = await fetch(client, link, limits, trusted_origin=feed.url)
            except Exception as e:  # noqa: BLE001 - a page that cannot be read falls back to the summary
                fresh.page = f"page not fetched: {describe(e)}"
                return
            try:
                fresh.text = await extractor.text_of(body)
                fresh.page = "" if fresh.text else "no article text found in the page"
            except Exception as e:  # noqa: BLE001 - a hostile page falls back to the summary like a missing one
                fresh.page = f"page text not extracted: {describe(e)}"

    await asyncio.gather(*(page(f) for f in harvest.entries if f.copy is None))
    return harvest


def select_fresh(harvest: Harvest, entries: list[Entry], store: Store) -> None:
    """The entries not stored yet, or changed since; an entry that cannot be read is its own failure."""
    feed, seen = harvest.feed, set()
    for entry in entries:
        try:
            key = entry_key(entry)
            if store.item_failure_attempts(feed.name, entry.guid, key) >= ITEM_ATTEMPTS:
                continue
            if store.skipped_as_same(feed.name, entry.guid, key):
                continue  # this outlet's copy of a text it already carries: not fetched again
            url = canonical_url(entry.link)
            if (entry.guid, url) in seen:
                continue
            seen.add((entry.guid, url))
            stored = store.stored_entry(feed.name, entry.guid, url)
            if stored is not None:
                if changed(entry, stored, key):
                    harvest.entries.append(Fresh(entry, key, stored=stored))
                continue
            harvest.entries.append(Fresh(entry, key, copy=store.item_at_url(url)))
        except Exception as e:  # noqa: BLE001 - one entry that cannot be read is its own failure
            harvest.failures.append((entry, describe(e)))


def entry_key(entry: Entry) -> str:
    """What a feed says of an item; when it changes, the item is read again. The feed's own link, not the
    publisher's URL resolved from it, so a link decoded in one cycle and not in the next is no change."""
    return text_key(f"{entry.title}\n{entry.summary}\n{entry.via or entry.link}")


def changed(entry: Entry, stored: StoredEntry, key: str) -> bool:
    if entry.updated is not None and stored.updated and (iso(entry.updated) or "") > stored.updated:
        return True
    return bool(stored.entry_key) and stored.entry_key != key


def to_article(fresh: Fresh) -> Article:
    entry = fresh.entry
    url = canonical_url(entry.link)
    if fresh.copy is not None:
        return copied_article(entry, fresh.copy)
    if fresh.text:
        return Article(entry, url, fresh.text, "page")
    note = fresh.page if isinstance(fresh.page, str) else "page not extracted"
    return Article(entry, url, entry.summary, "summary", note)


def process_harvest(
    harvest: Harvest,
    config: Config,
    store: Store,
    notifiers: Notifiers,
    now: datetime,
    state: FeedState | None = None,
    silent: bool = False,
) -> tuple[int, int, int]:
    """Classify the new and updated entries of one feed, put each in its story, and store them with
    their alerts in one transaction, each entry in a savepoint of its own: an entry that fails is
    undone alone and recorded with its error. Returns (items stored or updated, alerts queued, items failed).
    silent (a catch-up poll) stores items and tally figures, judged as usual, but queues no report or tally alert."""
    feed = harvest.feed
    stored = queued = 0
    with store.transaction():
        store.record_fetch(feed.name, feed.url, now, harvest.response.etag, harvest.response.last_modified)
        if state is not None:
            queued += _recovered(config, store, notifiers, feed, state, now)
        failures = list(harvest.failures)
        # Oldest first, so a series of reported totals grows in the order it was reported.
        for fresh in sorted(harvest.entries, key=lambda f: f.entry.published or now):
            try:
                with store.savepoint():
                    added, alerts = store_entry(fresh, feed, config, store, notifiers, now, silent)
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
    fresh: Fresh, feed: Feed, config: Config, store: Store, notifiers: Notifiers, now: datetime, silent: bool = False
) -> tuple[int, int]:
    """Classify one entry, put it in its story and queue its alerts. Returns (items stored, alerts queued)."""
    e = fresh.entry
    tz = config.settings.schedule.zone
    max_age = config.settings.alerts.max_age_days
    oldest_alerted = now - timedelta(days=max_age) if max_age else None
    window = timedelta(days=config.settings.dedupe.window_days)
    article = to_article(fresh)
    published = e.published or now
    c = classify(e.title, article.text, published.date(), config.rules, config.tally_terms)
    keys = text_keys(article.text)
    key, fp = keys.text_key, keys.fingerprint
    queued = 0
    if fresh.stored is not None:
        item_id, story_id = fresh.stored.id, fresh.stored.story_id
        store.update_item(item_id, article, c, now, key, fp, fresh.key)
        log.info("item %s updated in place: %s", item_id, e.title)
    else:
        earlier = store.stored_entry(feed.name, e.guid, article.canonical_url)
        if earlier:  # stored by this feed earlier in the cycle under another GUID
            store.record_skipped_as_same(feed.name, e.guid, fresh.key, earlier.id, now)
            return 0, 0
        same = store.same_text(key, published - window, published + window)
        mine = [row for row in same if row.feed == feed.name]
        if mine:  # this outlet already carries this very text
            store.record_skipped_as_same(feed.name, e.guid, fresh.key, mine[0].id, now)
            return 0, 0
        joins = (
            same[0].story_id if same else find_story(store, fp, c, published, window, config.settings.dedupe.threshold)
        )
        item_id, story_id = store.insert_item(
            NewItem(
                feed.name,
                article,
                c,
                now,
                joins,
                text_key=key,
                fingerprint=fp,
                entry_key=fresh.key,
                caught_up=silent,
            )
        )
    alerting = not silent and (oldest_alerted is None or published >= oldest_alerted)
    if c.is_report and alerting:
        # Keyed by story: the first report of a story alerts, its copies and updates do not.
        queued += queue(store, notifiers, report_alert(item_id, story_id, article, c, feed.name, tz), now)
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
                store, notifiers, tally_alert(item_id, tally, verdict, previous, article, feed.name, tz), now
            )
    return 1, queued


def copied_article(entry: Entry, other: dict) -> Article:
    return Article(
        entry,
        canonical_url(entry.link),
        other["text"],
        other["text_source"],
        other["text_note"] or f"text of item {other['id']} at the same address",
    )


def is_due(state: FeedState, now: datetime, interval_seconds: int) -> bool:
    """A failing feed waits until its next attempt; a tenth of an interval of slack absorbs scheduler jitter."""
    if not state.next_attempt_at:
        return True
    return parse_iso(state.next_attempt_at) <= now + timedelta(seconds=interval_seconds / 10)


def interval_elapsed(state: FeedState, now: datetime, interval_seconds: int) -> bool:
    """A feed with its own interval is polled again once that much time has passed since its last attempt."""
    if not state.last_attempt_at:
        return True
    return parse_iso(state.last_attempt_at) + timedelta(seconds=interval_seconds * 0.9) <= now


def backoff(failures: int, interval_seconds: int, cap_seconds: int) -> timedelta:
    """After n failures in a row, wait 2**(n-1) poll intervals, at most the cap: the next cycle,
    then one skipped, then three, then seven, ..."""
    return timedelta(seconds=min(interval_seconds * 2 ** min(failures - 1, 30), cap_seconds))


def workers_of(config: Config) -> int:
    return config.settings.fetch.workers or os.cpu_count() or 1


async def _stream(
    config: Config,
    store: Store,
    notifiers: Notifiers,
    due: list[tuple[Feed, FeedState]],
    started: datetime,
    clock: Clock,
    catch_up: bool,
    skipped: set[str],
    stop: threading.Event | None = None,
    budget_seconds: float | None = None,
) -> tuple[list[FeedOutcome], int, int]:
    """Every due feed at once; each is stored and its alerts delivered the moment its own pages are
    extracted. On stop, feeds still being read are dropped (untouched, read next time); past the
    budget, they are failures of their own. Returns the outcomes, the alerts queued and delivered."""
    limits = config.settings.fetch.limits
    gate = asyncio.Semaphore(config.settings.fetch.concurrency)
    decodes = DecodeBudget(config.settings.fetch.google_news_decodes)
    extractor = Extractor(workers_of(config))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget_seconds if budget_seconds else None
    outcomes: list[FeedOutcome] = []
    created = sent = 0

    def settle(h: Harvest) -> None:
        nonlocal created, sent
        state = next(state for f, state in due if f.name == h.feed.name)
        silent = catch_up or (h.feed.catch_up and state.last_success_at is None)
        outcome, queued = _settle(h, config, store, notifiers, state, started, clock(), silent)
        outcomes.append(outcome)
        created += queued
        if queued and not (stop is not None and stop.is_set()):
            sent += deliver_pending(store, notifiers, clock(), stop, skipped)[0]

    try:
        # An AsyncClient belongs to one event loop, and each cycle runs its own: one client per cycle.
        async with make_client(limits, config.settings.fetch.concurrency) as client:
            tasks = {
                asyncio.create_task(harvest_feed(client, f, state, store, limits, gate, extractor, decodes)): f
                for f, state in due
            }
            place = {feed.name: n for n, (feed, _) in enumerate(due)}
            waiting = set(tasks)
            while waiting:
                done, waiting = await asyncio.wait(
                    waiting, timeout=STOP_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                for task in sorted(done, key=lambda t: place[tasks[t].name]):
                    settle(
                        task.result()
                    )  # those read before a stop too: storing them takes moments, reading them again more
                if (stop is not None and stop.is_set()) or (deadline is not None and loop.time() > deadline):
                    break
            for task in waiting:
                task.cancel()
            await asyncio.gather(*waiting, return_exceptions=True)
        if stop is None or not stop.is_set():
            for task in waiting:
                settle(Harvest(tasks[task], error=f"not read within the cycle's budget of {budget_seconds:g} s"))
    finally:
        extractor.close()
    return outcomes, created, sent


# A server's Retry-After is honoured up to a week: past that it is more likely a mistake than a plan.
RETRY_AFTER_CAP = timedelta(days=7)


def _record_failure(
    config: Config,
    store: Store,
    notifiers: Notifiers,
    feed: Feed,
    state: FeedState,
    error: str,
    started: datetime,
    now: datetime,
    retry_after: float | None = None,
) -> int:
    failures = state.consecutive_failures + 1
    wait = backoff(failures, config.interval_of(feed), config.settings.fetch.backoff_max_seconds)
    if retry_after:
        wait = max(wait, min(timedelta(seconds=retry_after), RETRY_AFTER_CAP))
    retry_at = started + wait
    queued = 0
    with store.transaction():
        store.record_fetch(feed.name, feed.url, now, error=error, next_attempt=retry_at)
        if failures == config.settings.alerts.ops_after_failures:
            since = state.failing_since or now.isoformat(timespec="seconds")
            alert = ops_failing_alert(feed.name, failures, since, error, retry_at, config.settings.schedule.zone)
            queued = queue(store, notifiers, alert, now)
    return queued


def _recovered(config: Config, store: Store, notifiers: Notifiers, feed: Feed, state: FeedState, now: datetime) -> int:
    if state.consecutive_failures < config.settings.alerts.ops_after_failures:
        return 0
    alert = ops_recovered_alert(
        feed.name, state.consecutive_failures, state.failing_since or "?", now, config.settings.schedule.zone
    )
    return queue(store, notifiers, alert, now)


def run_cycle(
    config: Config,
    store: Store,
    notifiers: Notifiers,
    clock: Clock = utc_now,
    *,
    force: bool = False,
    catch_up: bool = False,
    stop: threading.Event | None = None,
) -> CycleReport:
    """One full cycle: fetch and process every feed, then deliver every pending alert (those already
    queued go out meanwhile, while the feeds are read). Whatever one
    feed does is that feed's failure; delivery and the cycle's record always run. force polls feeds
    that are backing off; catch_up stores every feed's items silently, as a new feed's first poll does.
    The fetching has a budget of one cycle interval. When stop is set (SIGTERM), feeds not read yet
    are left for the next start, those read are stored, and delivery stops (alerts stay queued)."""
    started = clock()
    cycle_id = store.start_cycle(started)
    outcomes: list[FeedOutcome] = []
    created = sent = pending = 0
    meanwhile = Meanwhile(store.path, notifiers, started, stop)
    skipped: set[str] = set()  # delivery targets that failed or stalled in this cycle: tried once a cycle
    try:
        states = {f.name: store.feed_state(f.name) for f in config.feeds if f.enabled}
        due = []
        for f in (f for f in config.feeds if f.enabled):
            state = states[f.name]
            if not force and not is_due(state, started, config.interval_of(f)):
                outcomes.append(
                    FeedOutcome(
                        f.name,
                        "backing-off",
                        error=f"waiting until {state.next_attempt_at} after "
                        f"{plural(state.consecutive_failures, 'failure')}",
                    )
                )
            elif (
                not force and f.poll_interval_seconds and not interval_elapsed(state, started, f.poll_interval_seconds)
            ):
                outcomes.append(
                    FeedOutcome(
                        f.name, "not-due", error=f"polled at {state.last_attempt_at}, every {f.poll_interval_seconds} s"
                    )
                )
            else:
                due.append((f, state))
        streamed, created, sent = asyncio.run(
            _stream(config, store, notifiers, due, started, clock, catch_up, skipped, stop, config.cycle_seconds)
        )
        order = {f.name: i for i, f in enumerate(config.feeds)}
        outcomes += sorted(streamed, key=lambda o: order[o.feed])
    finally:
        try:
            early = meanwhile.join()
            late, pending = deliver_pending(store, notifiers, clock(), stop, skipped)
            sent += late + early
        except Exception:
            log.exception("delivery failed; pending alerts stay in the outbox for the next cycle")
        failed = [o for o in outcomes if o.status == "failed"]
        store.finish_cycle(
            cycle_id,
            clock(),
            CycleCounts(
                feeds_ok=sum(o.status == "updated" for o in outcomes),
                feeds_not_modified=sum(o.status == "not-modified" for o in outcomes),
                feeds_failed=len(failed),
                items_new=sum(o.new_items for o in outcomes),
                alerts_created=created,
                alerts_sent=sent,
                alerts_pending=pending,
                errors=[{"feed": o.feed, "error": o.error} for o in failed],
            ),
        )
    return CycleReport(outcomes, created, sent, pending)


def _settle(
    h: Harvest,
    config: Config,
    store: Store,
    notifiers: Notifiers,
    state: FeedState,
    started: datetime,
    now: datetime,
    silent: bool = False,
) -> tuple[FeedOutcome, int]:
    """Store one feed's harvest, or record its failure. Returns its outcome and the alerts queued."""
    error = h.error
    if error is None:
        try:
            if h.response.not_modified:
                with store.transaction():
                    store.record_fetch(h.feed.name, h.feed.url, now, h.response.etag, h.response.last_modified)
                    queued = _recovered(config, store, notifiers, h.feed, state, now)
                return FeedOutcome(h.feed.name, "not-modified"), queued
            stored, queued, failed_items = process_harvest(h, config, store, notifiers, now, state, silent)
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
            error = describe(e)
            if isinstance(e, sqlite3.Error):
                problem = store.integrity_problem()
                if problem:
                    log.error("the store at %s is damaged: %s", store.path, problem)
    else:
        log.warning("feed %s failed: %s", h.feed.name, error)
    try:
        queued = _record_failure(config, store, notifiers, h.feed, state, error, started, now, h.retry_after)
    except Exception:  # a store that cannot record it (a full disk) must not stop the others
        log.exception("feed %s: its failure could not be recorded", h.feed.name)
        queued = 0
    return FeedOutcome(h.feed.name, "failed", error=error), queued


def send_digest(
    config: Config, store: Store, notifiers: Notifiers, period: Period, now: datetime
) -> tuple[Digest, int]:
    """Build the digest of a period, record it and queue it for every notifier that wants digests,
    in one transaction: a period is sent once, even across restarts. Returns the digest and how
    many alerts were queued."""
    from .digest import build_digest, draw_chart  # noqa: PLC0415 - a poll needs none of it
    from .digest_render import render_for, title_of  # noqa: PLC0415

    tz = config.settings.schedule.zone
    digest = build_digest(store, period, config.settings.digest.max_stories, config.settings.alerts.max_age_days)
    if digest.empty and not config.settings.digest.send_empty:
        with store.transaction():
            store.record_digest(period.start, period.end, now, 0, None)
        return digest, 0
    if digest.series:
        digest.chart = draw_chart(
            digest.series, store.path.parent / "charts" / f"digest-{period.end:%Y%m%dT%H%M%S}.png"
        )
    title = title_of(digest, tz)
    queued = 0
    with store.transaction():
        store.record_digest(
            period.start,
            period.end,
            now,
            len(digest.stories) + digest.omitted,
            str(digest.chart) if digest.chart else None,
        )
        for name in notifiers.targets("digest"):
            # A target that refuses attachments gets no chart, and no line saying one is attached.
            attach = digest.chart if digest.chart and notifiers.takes_attachments(name) else None
            body = render_for(notifiers.format_of(name), replace(digest, chart=attach), tz)
            queued += store.add_alert(
                OutboxAlert(
                    "digest",
                    f"digest:{iso(period.end)}",
                    None,
                    name,
                    title,
                    body,
                    attach=str(attach) if attach else None,
                ),
                now,
            )
    return digest, queued


def run_due_digest(config: Config, store: Store, notifiers: Notifiers, clock: Clock = utc_now) -> Digest | None:
    """Send the digest owed now, if any (the daemon calls this at every slot and once at start)."""
    trigger = config.settings.schedule.digest_trigger
    if trigger is None:
        return None
    now = clock()
    from .digest import due_period  # noqa: PLC0415 - imported when a digest is due, not by every poll

    period = due_period(store, trigger, now)
    if period is None:
        return None
    digest, queued = send_digest(config, store, notifiers, period, now)
    sent, pending = deliver_pending(store, notifiers, clock())
    log.info(
        "digest for %s to %s: %d stories, %d alerts queued, %d sent, %d pending",
        period.start.isoformat(),
        period.end.isoformat(),
        len(digest.stories),
        queued,
        sent,
        pending,
    )
    return digest
