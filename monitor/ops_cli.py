"""The daemon and its state: poll, run, health, status, digest, notify and tallies, thin click wrappers
over the pipeline, the store and the notifiers, added to the `monitor` group by cli.py."""

from __future__ import annotations

import json
import logging
import sys
import threading
from collections import defaultdict
from zoneinfo import ZoneInfo
from typing import TYPE_CHECKING

import click

from .wording import local_time, plural

if TYPE_CHECKING:
    from .cli import Context

log = logging.getLogger("monitor")
NO_FEED_ANSWERED = 3  # poll's exit code when every feed failed, so cron and supervisors can tell


def _open(ctx_obj: Context):
    from .notify import Notifiers  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .store import Store  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    config = ctx_obj.config
    return config, Store(config.store_path), Notifiers(config.notifiers, config=config)


@click.command()
@click.option("--force", is_flag=True, help="Poll feeds that are backing off after failures too.")
@click.option(
    "--catch-up",
    "catch_up",
    is_flag=True,
    help="Store every feed's items and figures silently (no report or tally alerts), as a new feed's first poll does.",
)
@click.pass_obj
def poll(obj: Context, force: bool, catch_up: bool):
    """Run one full cycle: fetch every feed, store and classify new items, deliver pending alerts."""
    from .pipeline import run_cycle  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .store import exclusive  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    with exclusive(obj.config.store_path):
        config, store, notifiers = _open(obj)
        try:
            report = run_cycle(config, store, notifiers, force=force, catch_up=catch_up)
        finally:
            store.close()
    updated = sum(o.status == "updated" for o in report.outcomes)
    unchanged = sum(o.status == "not-modified" for o in report.outcomes)
    waiting = [o for o in report.outcomes if o.status == "backing-off"]
    not_due = [o for o in report.outcomes if o.status == "not-due"]
    click.echo(
        f"{len(report.outcomes)} feeds: {updated} updated, {unchanged} not modified, {len(report.failed)} failed"
        + (f", {len(waiting)} backing off" if waiting else "")
        + (f", {len(not_due)} not due" if not_due else "")
        + "; "
        f"{report.new_items} new items; {report.alerts_created} alerts queued, {report.alerts_sent} sent, "
        f"{report.alerts_pending} pending"
    )
    for o in report.outcomes:
        if o.caught_up:
            click.echo(
                f"caught up: {o.feed}: {o.new_items} items stored without alerts (its first poll, or --catch-up)"
            )
    for o in report.failed:
        click.echo(f"failed: {o.feed}: {o.error}")
    for o in report.outcomes:
        if o.failed_items:
            click.echo(f"items failed: {o.feed}: {o.failed_items} (see `monitor status`)")
    for o in waiting:
        click.echo(f"backing off: {o.feed}: {o.error} (poll --force tries it now)")
    for o in not_due:
        click.echo(f"not due: {o.feed}: {o.error} (poll --force polls it now)")
    if (waiting or report.failed) and not updated and not unchanged:
        click.echo("no feed answered: exit 3", err=True)
        sys.exit(NO_FEED_ANSWERED)


@click.command()
@click.pass_obj
def run(obj: Context):
    """The daemon: a cycle every schedule.poll_interval_seconds until SIGINT or SIGTERM."""
    from .notify import Notifiers  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .store import Store, exclusive  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    config = obj.config
    notifiers = Notifiers(config.notifiers, config=config)
    with exclusive(config.store_path):
        Store(config.store_path).close()  # fail now, not in the first cycle, if the store cannot be opened
        _run_daemon(config, notifiers)


def _run_daemon(config, notifiers) -> None:
    from .archive import prune_if_due  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .pipeline import digest_trigger, run_cycle, run_due_digest, utc_now  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .scheduler import run_forever  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .store import Store  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    stopping = threading.Event()  # set by SIGTERM or SIGINT: the cycle under way cuts its work short

    def cycle() -> None:
        # The scheduler runs jobs in a worker thread, and an SQLite connection belongs to its thread.
        store = Store(config.store_path)
        try:
            report = run_cycle(config, store, notifiers, stop=stopping)
            pruned = prune_if_due(store, config["storage.retention_days"], utc_now())
        finally:
            store.close()
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
        store = Store(config.store_path)
        try:
            run_due_digest(config, store, notifiers)
        finally:
            store.close()

    has_digest = bool(config["schedule.digest"].strip())
    log.info(
        "monitor running: %d feeds, a cycle every %d s, digests %s, store %s",
        len([f for f in config.feeds if f.enabled]),
        config.cycle_seconds,
        f"at {config['schedule.digest']!r} {config['schedule.timezone']}" if has_digest else "off",
        config.store_path,
    )
    run_forever(
        cycle,
        config.cycle_seconds,
        digest if has_digest else None,
        digest_trigger(config) if has_digest else None,
        stopping,
    )
    log.info("monitor stopped")


@click.command()
@click.pass_obj
def health(obj: Context):
    """Exit 0 when the daemon's last cycle is recent (within twice the poll interval), the store takes
    writes and not every feed has failed health.max_failed_cycles times in a row; else exit 1 with the
    reason. For container health checks."""
    from .health import check_health  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .pipeline import utc_now  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    config = obj.config
    result = check_health(
        config.store_path,
        config["schedule.poll_interval_seconds"],
        utc_now(),
        tuple(f.name for f in config.feeds if f.enabled),
        config["health.max_failed_cycles"],
    )
    click.echo(("healthy: " if result.ok else "unhealthy: ") + result.reason, err=not result.ok)
    sys.exit(0 if result.ok else 1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of lines.")
@click.pass_obj
def status(obj: Context, as_json: bool = False):
    """Each feed's last success and error, failures in a row and items stored; pending alerts; the last cycle."""
    from .store import Store  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    config = obj.config
    if not config.store_path.exists():
        click.echo(f"No store at {config.store_path} yet: run `monitor poll` or `monitor run`.")
        return
    store = Store(config.store_path)
    try:
        feeds = {f["name"]: f for f in store.feeds()}
        pending = store.alerts("status IN ('pending', 'sending')")
        failed_alerts = store.alerts("status = 'failed'")
        failed_items = store.item_failures()
        cycle = store.last_cycle(finished=False)
        last_digest = store.last_digest()
    finally:
        store.close()
    if as_json:
        from .archive import status_document  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

        click.echo(json.dumps(status_document(config, feeds, failed_items, pending, last_digest, cycle), indent=2))
        return
    tz = ZoneInfo(config["schedule.timezone"])
    click.echo(f"Feeds (times in {config['schedule.timezone']}):")
    for feed in config.feeds:
        f = feeds.get(feed.name)
        if f is None:
            click.echo(
                f"  {feed.name}: never polled"
                + (
                    " (disabled)"
                    if not feed.enabled
                    else "; its first good poll stores its items without alerts (catch_up)"
                    if feed.catch_up
                    else ""
                )
            )
            continue
        line = (
            f"  {feed.name}: {plural(f['items_stored'], 'item')}, last success {local_time(f['last_success_at'], tz)}"
        )
        if f["consecutive_failures"]:
            line += (
                f", FAILING: {plural(f['consecutive_failures'], 'failure')} in a row since "
                f"{local_time(f['failing_since'], tz)}: {f['last_error']}"
            )
            if f["next_attempt_at"]:
                line += f"; next attempt {local_time(f['next_attempt_at'], tz)} (`monitor poll --force` tries it now)"
        elif f["last_error"]:
            line += f", last error {local_time(f['last_error_at'], tz)}: {f['last_error']}"
        click.echo(line)
    if failed_items:
        click.echo(f"Items that could not be stored: {len(failed_items)}")
        for i in failed_items[:20]:
            click.echo(
                f"  {i['feed']}: {i['title'] or i['guid']} ({plural(i['attempts'], 'attempt')}, last "
                f"{local_time(i['last_failed_at'], tz)}): {i['error']}"
            )
    click.echo(f"Pending alerts: {len(pending)}")
    for a in pending[:20]:
        click.echo(
            f"  {local_time(a['created_at'], tz)} {a['notifier']}: {a['title']} ({plural(a['attempts'], 'attempt')}; "
            f"{a['last_error'] or 'not tried yet'})"
            + (f"; next try {local_time(a['next_attempt_at'], tz)}" if a.get("next_attempt_at") else "")
        )
    if failed_alerts:
        click.echo(f"Alerts given up after every retry (FAILED): {len(failed_alerts)}")
        for a in failed_alerts[:20]:
            click.echo(
                f"  {local_time(a['created_at'], tz)} {a['notifier']}: {a['title']} ({plural(a['attempts'], 'attempt')}; "
                f"last {a['last_error']})"
            )
    if last_digest is None:
        click.echo("Last digest: none")
    else:
        click.echo(
            f"Last digest: {local_time(last_digest['period_start'], tz)} to {local_time(last_digest['period_end'], tz)}, "
            f"{plural(last_digest['stories'], 'story', 'stories')}, recorded {local_time(last_digest['created_at'], tz)}"
        )
    if cycle is None:
        click.echo("Last cycle: none")
    else:
        click.echo(
            f"Last cycle: started {local_time(cycle['started_at'], tz)}, "
            + (
                f"finished {local_time(cycle['finished_at'], tz)}: {cycle['feeds_ok']} updated, {cycle['feeds_not_modified']} not modified, "
                f"{cycle['feeds_failed']} failed, {plural(cycle['items_new'], 'new item')}, {plural(cycle['alerts_sent'], 'alert')} sent"
                if cycle["finished_at"]
                else "still running or interrupted"
            )
        )


@click.command()
@click.option(
    "--print", "mode", flag_value="print", default=True, help="Show the digest that would be sent now (default)."
)
@click.option("--send", "mode", flag_value="send", help="Send it now and record it.")
@click.pass_obj
def digest(obj: Context, mode: str):
    """The digest of everything since the last one: --print shows it without sending or recording it,
    --send sends and records it."""
    from .digest import build_digest, period_until_now, render_text, title_of  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .pipeline import send_digest, utc_now  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .notify import deliver_pending  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    config, store, notifiers = _open(obj)
    try:
        now = utc_now()
        period = period_until_now(store, now)
        if mode == "print":
            d = build_digest(store, period, config["digest.max_stories"], config["alerts.max_age_days"])
            tz = ZoneInfo(config["schedule.timezone"])
            click.echo(title_of(d, tz))
            click.echo(render_text(d, tz))
            return
        d, queued = send_digest(config, store, notifiers, period, now)
        sent, pending = deliver_pending(store, notifiers, utc_now())
        counts = f"{len(d.stories)} stories, {len(d.series)} totals moved; {queued} alerts queued, {sent} sent, {pending} pending"
        if not queued:
            click.echo(f"digest recorded, nothing sent (an empty period and digest.send_empty = false): {counts}")
        elif pending:
            click.echo(
                f"digest NOT delivered to every target, will retry each cycle: {counts}; "
                "`monitor notify --test` checks the targets",
                err=True,
            )
            sys.exit(1)
        else:
            click.echo(f"digest sent: {counts}")
    finally:
        store.close()


@click.command()
@click.option("--test", "test", is_flag=True, required=True, help="Send a [test] message to each notifier.")
@click.option("--notifier", "only", metavar="NAME", help="Only this notifier (its `name` in the config).")
@click.pass_obj
def notify(obj: Context, test: bool, only: str | None):
    """Send a [test] message to every notifier (or one) now and say, for each, whether apprise accepted
    it; exit 1 if any refused. Nothing is stored: digests, alerts and the outbox are untouched."""
    from .notify import Notifiers, send_test  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)
    from .pipeline import utc_now  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    config = obj.config
    notifiers = Notifiers(config.notifiers, config=config)
    if only is not None and only not in notifiers.configs:
        known = ", ".join(notifiers.configs) or "none configured"
        raise click.UsageError(f"no notifier named {only!r} (notifiers: {known})")
    if not notifiers.configs:
        click.echo("No notifiers configured: alerts go to the console. The test message:")
    results = send_test(notifiers, [only] if only else notifiers.targets_all(), utc_now(), config.path)
    for name, ok, error in results:
        click.echo(f"{name}: {'accepted by apprise' if ok else 'FAILED: ' + (error or 'apprise reported failure')}")
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array of series, each with its reports.")
@click.pass_obj
def tallies(obj: Context, as_json: bool = False):
    """Each series of reported attack totals as a timeline: date, figure, qualifier, outlet, repeats."""
    from .store import Store  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

    store = Store(obj.config.store_path)
    try:
        reports = store.tally_reports()
    finally:
        store.close()
    if as_json:
        from .archive import tally_series_document  # noqa: PLC0415 (imported when run, so `monitor --help` starts fast)

        click.echo(json.dumps(tally_series_document(reports), indent=2, ensure_ascii=False))
        return
    if not reports:
        click.echo("No reported totals stored yet.")
        return
    series: dict[tuple, list[dict]] = defaultdict(list)
    for r in reports:
        series[(r["since"], r["region"])].append(r)
    for (since, region), rows in series.items():
        click.echo(f"Attacks on US forces since {since}, {region}:")
        by_figure: dict[int, list[dict]] = defaultdict(list)
        for r in rows:
            by_figure[r["count"]].append(r)
        for count, group in sorted(by_figure.items(), key=lambda kv: (min(r["published"] or "" for r in kv[1]), kv[0])):
            first = min(group, key=lambda r: (r["published"] or "", r["id"]))
            outlets = {r["outlet"] for r in group}
            repeats = f", repeated by {len(outlets) - 1} other outlet(s)" if len(outlets) > 1 else ""
            late = sum(r["verdict"] == "stale" for r in group)
            stale = f", {late} stale re-report(s)" if late else ""
            click.echo(
                f"  {(first['published'] or '?')[:10]}  {count:>5}  {first['qualifier']:<9} {first['outlet']}{repeats}{stale}"
            )


COMMANDS = (poll, run, health, status, digest, notify, tallies)
