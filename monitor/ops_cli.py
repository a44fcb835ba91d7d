"""The daemon and its state: poll, run, health, status, digest, notify and tallies, thin click wrappers
over ops.py, status.py and timeline.py, added to the `monitor` group by cli.py.

Each command imports its module when it runs: they bring in the store, the pipeline and apprise,
which `monitor --help` and the classifier's commands do without."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .cli import Context

NO_FEED_ANSWERED = 3  # poll's exit code when every feed failed, so cron and supervisors can tell


@click.command()
@click.option("--force", is_flag=True, help="Poll feeds that are backing off after failures too.")
@click.option(
    "--catch-up",
    "catch_up",
    is_flag=True,
    help="Store every feed's items and figures silently (no report or tally alerts), as a new feed's first poll does.",
)
@click.pass_obj
def poll(obj: Context, force: bool, catch_up: bool) -> None:
    """Run one full cycle: fetch every feed, store and classify new items, deliver pending alerts."""
    from .fetch import build_tls_ahead  # noqa: PLC0415 - loaded when run (module docstring)

    build_tls_ahead()  # on the other core while the pipeline is imported: 20-30 ms less to the first fetch
    from . import ops  # noqa: PLC0415 - loaded when run (module docstring)

    report = ops.poll(obj.config, force=force, catch_up=catch_up)
    for line in ops.cycle_lines(report):
        click.echo(line)
    if ops.no_feed_answered(report):
        click.echo("no feed answered: exit 3", err=True)
        sys.exit(NO_FEED_ANSWERED)


@click.command()
@click.pass_obj
def run(obj: Context) -> None:
    """The daemon: a cycle every schedule.poll_interval_seconds until SIGINT or SIGTERM."""
    from .ops import run_daemon  # noqa: PLC0415 - loaded when run (module docstring)

    run_daemon(obj.config)


@click.command()
@click.pass_obj
def health(obj: Context) -> None:
    """Exit 0 when the daemon's last cycle is recent (within twice the poll interval), the store takes
    writes and not every feed has failed health.max_failed_cycles times in a row; else exit 1 with the
    reason. For container health checks."""
    from .ops import health as check  # noqa: PLC0415 - loaded when run (module docstring)

    result = check(obj.config)
    click.echo(("healthy: " if result.ok else "unhealthy: ") + result.reason, err=not result.ok)
    sys.exit(0 if result.ok else 1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of lines.")
@click.pass_obj
def status(obj: Context, as_json: bool = False) -> None:
    """Each feed's last success and error, failures in a row and items stored; pending alerts; the last cycle."""
    from .status import read_status  # noqa: PLC0415 - loaded when run (module docstring)

    state = read_status(obj.config)
    if state is None:
        click.echo(f"No store at {obj.config.store_path} yet: run `monitor poll` or `monitor run`.")
    elif as_json:
        click.echo(json.dumps(state.document(), indent=2))
    else:
        click.echo("\n".join(state.lines()))


@click.command()
@click.option(
    "--print", "mode", flag_value="print", default=True, help="Show the digest that would be sent now (default)."
)
@click.option("--send", "mode", flag_value="send", help="Send it now and record it.")
@click.pass_obj
def digest(obj: Context, mode: str) -> None:
    """The digest of everything since the last one: --print shows it without sending or recording it,
    --send sends and records it."""
    from . import ops  # noqa: PLC0415 - loaded when run (module docstring)

    if mode == "print":
        click.echo(ops.digest_preview(obj.config))
        return
    sent = ops.send_digest_now(obj.config)
    if not sent.queued:
        click.echo(f"digest recorded, nothing sent (an empty period and digest.send_empty = false): {sent.counts()}")
    elif sent.pending:
        click.echo(
            f"digest NOT delivered to every target, will retry each cycle: {sent.counts()}; "
            "`monitor notify --test` checks the targets",
            err=True,
        )
        sys.exit(1)
    else:
        click.echo(f"digest sent: {sent.counts()}")


@click.command()
@click.option("--test", "test", is_flag=True, required=True, help="Send a [test] message to each notifier.")
@click.option("--notifier", "only", metavar="NAME", help="Only this notifier (its `name` in the config).")
@click.pass_obj
def notify(obj: Context, test: bool, only: str | None) -> None:
    """Send a [test] message to every notifier (or one) now and say, for each, whether apprise accepted
    it; exit 1 if any refused. Nothing is stored: digests, alerts and the outbox are untouched."""
    from .ops import UnknownNotifier, test_notifiers  # noqa: PLC0415 - loaded when run (module docstring)

    config = obj.config
    if only is None and not config.notifiers:
        click.echo("No notifiers configured: alerts go to the console. The test message:")
    try:
        results = test_notifiers(config, only)
    except UnknownNotifier as e:
        raise click.UsageError(str(e)) from None
    for name, ok, error in results:
        click.echo(f"{name}: {'accepted by apprise' if ok else 'FAILED: ' + (error or 'apprise reported failure')}")
    sys.exit(0 if all(ok for _, ok, _ in results) else 1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array of series, each with its reports.")
@click.pass_obj
def tallies(obj: Context, as_json: bool = False) -> None:
    """Each series of reported attack totals as a timeline: date, figure, qualifier, outlet, repeats."""
    from .timeline import read_timelines  # noqa: PLC0415 - loaded when run (module docstring)

    series = read_timelines(obj.config.store_path)
    if as_json:
        click.echo(json.dumps([s.document() for s in series], indent=2, ensure_ascii=False))
        return
    if not series:
        click.echo("No reported totals stored yet.")
    for s in series:
        click.echo("\n".join(s.lines()))


COMMANDS = (poll, run, health, status, digest, notify, tallies)
