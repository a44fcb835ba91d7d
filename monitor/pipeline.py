"""One polling cycle: a small scheduler of per-feed work.

Every due feed is read at once (harvest.py: fetch, parse, the new or changed entries, their pages
extracted in a pool of processes beside the fetching, within fetch.concurrency), and each is stored
the moment its own pages are in (settle.py: classified, put in its stories and stored with its
alerts in one transaction by the single writer, this process; feeds that answered 304 together), and
its alerts are delivered then, while other feeds are still on the network. A feed's failure is a
value (FeedFailure), recorded on the feed; it never stops the others. Delivery and the cycle's record
always run."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import TYPE_CHECKING

from .aggregators import DecodeBudget
from .config import Config, Feed
from .fetch import make_client
from .harvest import FeedFailure, Harvest, harvest_feed
from .notify import Meanwhile, Notifiers, deliver_pending
from .settle import FeedOutcome, Judging, settle, settle_unchanged
from .workers import Workers
from .writer import Clock, Courier, Writer
from .store import CycleCounts, FeedState, OutboxAlert, Store, iso, parse_iso
from .wording import plural

if TYPE_CHECKING:
    from .digest import Digest, Period

log = logging.getLogger("monitor.pipeline")

STOP_POLL_SECONDS = 0.2  # how often a cycle's fetching looks at the stop signal and its budget
# Feeds that answered 304 are recorded this many at a time, and the rest when the fetching is over:
# a turn of the writer (a transaction and its sync to disk) costs more than a 304, and each turn
# beside the fetching slowed a warm cycle of 100 feeds by some 5 ms. Lost in a crash, they are
# fetched again next time.
UNCHANGED_BATCH = 50


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


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


def is_due(state: FeedState, now: datetime, interval_seconds: int) -> bool:
    """A failing feed waits until its next attempt; a tenth of an interval of slack absorbs scheduler jitter."""
    next_attempt = parse_iso(state.next_attempt_at)
    return next_attempt is None or next_attempt <= now + timedelta(seconds=interval_seconds / 10)


def interval_elapsed(state: FeedState, now: datetime, interval_seconds: int) -> bool:
    """A feed with its own interval is polled again once that much time has passed since its last attempt."""
    last_attempt = parse_iso(state.last_attempt_at)
    return last_attempt is None or last_attempt + timedelta(seconds=interval_seconds * 0.9) <= now


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
    """Every due feed at once; each is stored (by the Writer) the moment its own pages are extracted,
    and its alerts delivered (by the Courier) then. On stop, feeds still being read are dropped (untouched, read next time);
    past the budget, they are failures of their own. Returns the outcomes, the alerts queued and delivered."""
    limits = config.settings.fetch.limits
    gate = asyncio.Semaphore(config.settings.fetch.concurrency)
    decodes = DecodeBudget(config.settings.fetch.google_news_decodes)
    workers = Workers(workers_of(config), config.rules, config.tally_terms)
    writer = Writer(store.path)
    courier = Courier(writer, notifiers, clock, stop, skipped)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget_seconds if budget_seconds else None
    outcomes: list[FeedOutcome] = []
    created = 0
    storing: list[asyncio.Future[None]] = []

    states = {feed.name: state for feed, state in due}
    judging = Judging.of(config)

    def record(outcome: FeedOutcome, queued: int) -> None:
        nonlocal created
        outcomes.append(outcome)
        created += queued
        if queued:
            courier.wake()

    def settle_in_writer(h: Harvest | FeedFailure, writing: Store) -> None:
        state = states[h.feed.name]
        silent = catch_up or (h.feed.catch_up and state.last_success_at is None)
        record(*settle(h, config, writing, notifiers, state, started, clock(), silent, judging))

    unchanged: list[Harvest] = []  # answered 304: recorded by the writer UNCHANGED_BATCH at a time, in one go
    unchanged_lock = threading.Lock()

    def settle_unchanged_in_writer(writing: Store) -> None:
        with unchanged_lock:
            batch, unchanged[:] = unchanged[:], []
        if batch:
            for settled_one in settle_unchanged(batch, config, writing, notifiers, states, started, clock()):
                record(*settled_one)

    def record_unchanged() -> None:
        storing.append(asyncio.ensure_future(writer.run(settle_unchanged_in_writer)))

    def settled(h: Harvest | FeedFailure) -> None:
        if isinstance(h, Harvest) and h.response.not_modified:
            with unchanged_lock:
                unchanged.append(h)
                if len(unchanged) < UNCHANGED_BATCH:  # the rest, when the fetching is over
                    return
            record_unchanged()
            return
        storing.append(asyncio.ensure_future(writer.run(partial(settle_in_writer, h))))

    try:
        # An AsyncClient belongs to one event loop, and each cycle runs its own: one client per cycle.
        async with make_client(limits, config.settings.fetch.concurrency) as client:
            tasks: dict[asyncio.Task[Harvest | FeedFailure], Feed] = {
                asyncio.create_task(harvest_feed(client, f, state, store, limits, gate, workers, clock, decodes)): f
                for f, state in due
            }
            place = {feed.name: n for n, (feed, _) in enumerate(due)}
            waiting = set(tasks)
            while waiting:
                done, waiting = await asyncio.wait(
                    waiting, timeout=STOP_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                # Those read before a stop too: storing them takes moments, reading them again more.
                for task in sorted(done, key=lambda t: place[tasks[t].name]):
                    settled(task.result())
                    # A finished task holds its harvest (the feed's body, its texts and their analyses)
                    # for as long as it is kept: held to the cycle's end, they grew the process by
                    # some 25 KB an article.
                    del tasks[task]
                if (stop is not None and stop.is_set()) or (deadline is not None and loop.time() > deadline):
                    break
            for task in waiting:
                task.cancel()
            await asyncio.gather(*waiting, return_exceptions=True)
            record_unchanged()
        if stop is None or not stop.is_set():
            for task in waiting:
                settled(FeedFailure(tasks[task], f"not read within the cycle's budget of {budget_seconds:g} s"))
        await asyncio.gather(*storing)
    finally:
        try:
            # Whatever is still being stored is waited for (a feed's transaction is never cut short).
            await asyncio.gather(*storing, return_exceptions=True)
        finally:
            try:
                workers.close()
            finally:
                try:
                    sent = courier.close()  # before the writer: it records what the courier did
                finally:
                    writer.close()
    return outcomes, created, sent


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
    meanwhile = Meanwhile(store, notifiers, started, stop)
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
