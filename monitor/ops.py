"""What the operator's commands do, apart from parsing and printing: one cycle now, the daemon, the
health check, a digest now and a test message to the notifiers. Each opens the store it needs and
closes it; the time is read here, at the edge, and passed into the stages.

At the top are only the imports of `poll`, which cron starts every few minutes and whose start-up
is counted to its first fetch; the daemon's scheduler, the digest and the retention pruning are
imported by the functions that use them."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .notify import Notifiers, deliver_pending, send_test
from .pipeline import CycleReport, run_cycle, run_due_digest, send_digest, utc_now
from .store import Store, exclusive

if TYPE_CHECKING:
    from .config import Config
    from .health import Health

log = logging.getLogger("monitor")


def poll(config: Config, force: bool = False, catch_up: bool = False) -> CycleReport:
    """One cycle now, holding the store against any other sender for its length."""
    with exclusive(config.store_path):
        with Store(config.store_path) as store:
            return run_cycle(config, store, Notifiers(config.notifiers, config=config), force=force, catch_up=catch_up)


def cycle_lines(report: CycleReport) -> list[str]:
    """What `monitor poll` says of a cycle: the counts, then each feed that needs a word."""
    updated = sum(o.status == "updated" for o in report.outcomes)
    unchanged = sum(o.status == "not-modified" for o in report.outcomes)
    waiting = [o for o in report.outcomes if o.status == "backing-off"]
    not_due = [o for o in report.outcomes if o.status == "not-due"]
    lines = [
        f"{len(report.outcomes)} feeds: {updated} updated, {unchanged} not modified, {len(report.failed)} failed"
        + (f", {len(waiting)} backing off" if waiting else "")
        + (f", {len(not_due)} not due" if not_due else "")
        + "; "
        f"{report.new_items} new items; {report.alerts_created} alerts queued, {report.alerts_sent} sent, "
        f"{report.alerts_pending} pending"
    ]
    lines += [
        f"caught up: {o.feed}: {o.new_items} items stored without alerts (its first poll, or --catch-up)"
        for o in report.outcomes
        if o.caught_up
    ]
    lines += [f"failed: {o.feed}: {o.error}" for o in report.failed]
    lines += [
        f"items failed: {o.feed}: {o.failed_items} (see `monitor status`)" for o in report.outcomes if o.failed_items
    ]
    lines += [f"backing off: {o.feed}: {o.error} (poll --force tries it now)" for o in waiting]
    lines += [f"not due: {o.feed}: {o.error} (poll --force polls it now)" for o in not_due]
    return lines


def no_feed_answered(report: CycleReport) -> bool:
    """Every feed polled failed or is backing off: a cycle that read nothing, which cron must hear about."""
    answered = any(o.status in ("updated", "not-modified") for o in report.outcomes)
    return bool(report.failed or any(o.status == "backing-off" for o in report.outcomes)) and not answered


def run_daemon(config: Config) -> None:
    """A cycle every schedule.poll_interval_seconds and the digests at their slots, until SIGINT or SIGTERM."""
    config.check_deferred()  # a bad digest schedule or notifier URL stops the daemon before it takes the store
    notifiers = Notifiers(config.notifiers, config=config)
    with exclusive(config.store_path):
        Store(config.store_path).close()  # fail now, not in the first cycle, if the store cannot be opened
        _run_forever(config, notifiers)


def _run_forever(config: Config, notifiers: Notifiers) -> None:
    from .archive import prune_if_due  # noqa: PLC0415 - the daemon's alone (module docstring)
    from .scheduler import run_forever  # noqa: PLC0415

    stopping = threading.Event()  # set by SIGTERM or SIGINT: the cycle under way cuts its work short

    def cycle() -> None:
        # The scheduler runs jobs in a worker thread, and an SQLite connection belongs to its thread.
        with Store(config.store_path) as store:
            report = run_cycle(config, store, notifiers, stop=stopping)
            pruned = prune_if_due(store, config.settings.storage.retention_days, utc_now())
        if pruned:
            log.info("retention: removed %s", pruned.describe())
        log.info(
            "cycle done: %d feeds, %d failed, %d new items, %d alerts sent, %d pending",
            len(report.outcomes),
            len(report.failed),
            report.new_items,
            report.alerts_sent,
            report.alerts_pending,
        )

    def digest() -> None:
        with Store(config.store_path) as store:
            run_due_digest(config, store, notifiers)

    schedule = config.settings.schedule
    has_digest = schedule.digest_trigger is not None
    log.info(
        "monitor running: %d feeds, a cycle every %d s, digests %s, store %s",
        len([f for f in config.feeds if f.enabled]),
        config.cycle_seconds,
        f"at {schedule.digest!r} {schedule.timezone}" if has_digest else "off",
        config.store_path,
    )
    run_forever(
        cycle,
        config.cycle_seconds,
        digest if has_digest else None,
        schedule.digest_trigger,
        stopping,
    )
    log.info("monitor stopped")


def health(config: Config) -> Health:
    """Is the daemon alive and of use: a recent cycle, a store that takes writes, not every feed failing."""
    from .health import check_health  # noqa: PLC0415 - not a poll's (module docstring)

    return check_health(
        config.store_path,
        config.settings.schedule.poll_interval_seconds,
        utc_now(),
        tuple(f.name for f in config.feeds if f.enabled),
        config.settings.health.max_failed_cycles,
    )


def digest_preview(config: Config) -> str:
    """The digest of everything since the last one, as it would be sent now: its title, then its text."""
    from .digest import build_digest, period_until_now  # noqa: PLC0415 - not a poll's (module docstring)
    from .digest_render import render_text, title_of  # noqa: PLC0415

    with Store(config.store_path) as store:
        d = build_digest(
            store,
            period_until_now(store, utc_now()),
            config.settings.digest.max_stories,
            config.settings.alerts.max_age_days,
        )
    tz = config.settings.schedule.zone
    return title_of(d, tz) + "\n" + render_text(d, tz)


@dataclass(frozen=True, slots=True)
class DigestSent:
    stories: int
    series_moved: int
    queued: int  # 0: an empty period with digest.send_empty = false, recorded and not sent
    sent: int
    pending: int  # left in the outbox: a target refused it, and each cycle retries

    def counts(self) -> str:
        return (
            f"{self.stories} stories, {self.series_moved} totals moved; {self.queued} alerts queued, {self.sent} sent, "
            f"{self.pending} pending"
        )


def send_digest_now(config: Config) -> DigestSent:
    """The digest of everything since the last one, recorded, queued for every target and delivered."""
    from .digest import period_until_now  # noqa: PLC0415 - not a poll's (module docstring)

    with Store(config.store_path) as store:
        notifiers = Notifiers(config.notifiers, config=config)
        now = utc_now()
        d, queued = send_digest(config, store, notifiers, period_until_now(store, now), now)
        sent, pending = deliver_pending(store, notifiers, utc_now())
    return DigestSent(len(d.stories), len(d.series), queued, sent, pending)


class UnknownNotifier(LookupError):
    """A notifier name that the config does not have; its message lists the names it has."""


def test_notifiers(config: Config, only: str | None = None) -> list[tuple[str, bool, str | None]]:
    """A [test] message to every notifier (or the one named), stored nowhere: (name, accepted, error) each."""
    notifiers = Notifiers(config.notifiers, config=config)
    if only is not None and only not in notifiers.configs:
        known = ", ".join(notifiers.configs) or "none configured"
        raise UnknownNotifier(f"no notifier named {only!r} (notifiers: {known})")
    return send_test(notifiers, [only] if only else notifiers.targets_all(), utc_now(), config.path)
