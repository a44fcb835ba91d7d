"""The archive's commands (search, items, export, prune, feeds, browse): thin click wrappers over
archive.py, opml.py and browse.py, added to the `monitor` group by cli.py.

Each command imports its module when it runs: they bring in the store (sqlite-utils), tomlkit or
datasette, which `monitor --help` and the other commands do without."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .config import DEFAULT_PATH

if TYPE_CHECKING:
    from .archive import ItemFilter, StoryLine
    from .cli import Context

_AGE = re.compile(r"(\d+)([dh])")


def parse_when(text: str, now: datetime, end: bool = False) -> datetime:
    """A moment from the command line: 2024-02-05 (its start, or with end=True the start of the next
    day, so --until 2024-02-05 includes that day), an ISO time (UTC unless it says), or 7d / 12h ago."""
    text = text.strip()
    m = _AGE.fullmatch(text)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return now - (timedelta(days=n) if unit == "d" else timedelta(hours=n))
    try:
        if len(text) == 10:
            day = datetime.combine(datetime.strptime(text, "%Y-%m-%d").date(), time(), timezone.utc)
            return day + timedelta(days=1) if end else day
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (2024-02-05), an ISO time (2024-02-05T12:00) or an age (7d, 12h)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _when(end: bool) -> Callable[[click.Context, click.Parameter, str | None], datetime | None]:
    """A callback reading --since or --until as a moment (end: a bare date means the end of that day)."""

    def convert(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
        if value is None:
            return None
        try:
            return parse_when(value, datetime.now(timezone.utc), end=end)
        except ValueError as e:
            raise click.BadParameter(str(e), ctx, param) from None

    return convert


def filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """--since, --until, --category and --feed, shared by search, items and export."""
    for option in reversed(
        [
            click.option(
                "--since",
                metavar="WHEN",
                callback=_when(end=False),
                help="From this date or time (2024-02-05, 2024-02-05T12:00, or an age: 7d, 12h).",
            ),
            click.option(
                "--until", metavar="WHEN", callback=_when(end=True), help="Up to this date (that whole day) or time."
            ),
            click.option("--category", type=click.Choice(["attack", "strike"]), help="Only items in this category."),
            click.option(
                "--feed", "feeds", multiple=True, metavar="NAME", help="Only items from this feed (repeatable)."
            ),
        ]
    ):
        command = option(command)
    return command


def _filter(
    since: datetime | None, until: datetime | None, category: str | None, feeds: tuple[str, ...], reports_only: bool
) -> ItemFilter:
    from .archive import ItemFilter  # noqa: PLC0415 - loaded when run (module docstring)

    return ItemFilter(since, until, category, tuple(feeds), reports_only)


@click.command()
@click.argument("query")
@filter_options
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Most stories shown.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of stories instead of lines.")
@click.pass_obj
def search(
    obj: Context,
    query: str,
    since: datetime | None,
    until: datetime | None,
    category: str | None,
    feeds: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """Full-text search of stored titles and texts (SQLite FTS5: words, "a phrase", OR, NOT, prefix*):
    one line per story, best match first (date, outlets, categories, title, link), and the match."""
    from .archive import search_stories  # noqa: PLC0415 - loaded when run (module docstring)

    f = _filter(since, until, category, feeds, False)
    _show(search_stories(obj.config.store_path, query, f, limit), as_json, f"No stored story matches {query!r}.")


@click.command()
@filter_options
@click.option("--all", "everything", is_flag=True, help="Also stories that are not reports (every stored item).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Most stories shown.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of stories instead of lines.")
@click.pass_obj
def items(
    obj: Context,
    since: datetime | None,
    until: datetime | None,
    category: str | None,
    feeds: tuple[str, ...],
    everything: bool,
    limit: int,
    as_json: bool,
) -> None:
    """The latest stories that are reports, newest first: date, outlets, categories, title, link."""
    from .archive import latest_stories  # noqa: PLC0415 - loaded when run (module docstring)

    f = _filter(since, until, category, feeds, not everything)
    _show(latest_stories(obj.config.store_path, f, limit), as_json, "No stored story matches.")


def _show(lines: list[StoryLine], as_json: bool, nothing: str) -> None:
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in lines], indent=2, ensure_ascii=False))
        return
    if not lines:
        click.echo(nothing)
    for s in lines:
        click.echo(s.render())


@click.command()
@click.argument("what", type=click.Choice(["reports", "tallies", "stories"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@filter_options
@click.pass_obj
def export(
    obj: Context,
    what: str,
    fmt: str,
    output: str | None,
    since: datetime | None,
    until: datetime | None,
    category: str | None,
    feeds: tuple[str, ...],
) -> None:
    """Export reports (one row per report item), tallies (series, date, figure, qualifier, outlet,
    verdict, link) or stories as CSV, JSON or JSON Lines."""
    from .archive import export as export_text  # noqa: PLC0415 - loaded when run (module docstring)

    count, text = export_text(obj.config.store_path, what, _filter(since, until, category, feeds, False), fmt)
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        click.echo(f"{count} {what} written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@click.command()
@click.option("--dry-run", is_flag=True, help="Say what would go, remove nothing.")
@click.option(
    "--vacuum", is_flag=True, help="Then VACUUM the store to give the space back to the disk (slow on big stores)."
)
@click.pass_obj
def prune(obj: Context, dry_run: bool, vacuum: bool) -> None:
    """Apply storage.retention_days: texts and fingerprints of older items, older cycle records and
    digest charts go; items' titles, links and categories, stories and tally series stay."""
    from .archive import prune_store  # noqa: PLC0415 - loaded when run (module docstring)

    config = obj.config
    now = datetime.now(timezone.utc)
    click.echo(prune_store(config.store_path, config.settings.storage.retention_days, now, dry_run, vacuum))


@click.group()
def feeds() -> None:
    """Feed lists: import feeds from OPML into the config file, export them as OPML, list each feed's state."""


@feeds.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Say what would be added, change nothing.")
@click.pass_obj
def feeds_import(obj: Context, file: str, dry_run: bool) -> None:
    """Add the feeds of an OPML file to the config file (comments kept); feeds whose URL is there already are skipped."""
    from .opml import import_opml  # noqa: PLC0415 - loaded when run (module docstring)

    config_path = obj.config_path or os.environ.get("MONITOR_CONFIG") or DEFAULT_PATH
    result = import_opml(file, config_path, dry_run)
    verb = "would add" if dry_run else "added"
    click.echo(
        f"{len(result.added)} feeds {verb}, {len(result.duplicates)} already there, {len(result.refused)} refused "
        f"({config_path})"
    )
    for f in result.added:
        click.echo(f"  {verb}: {f.name}  {f.url}")
    for f in result.duplicates:
        click.echo(f"  already there: {f.name}  {f.url}")
    for f, why in result.refused:
        click.echo(f"  refused: {f.name}  {f.url}: {why}")


@feeds.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@click.option("--enabled-only", is_flag=True, help="Leave out feeds with enabled = false.")
@click.pass_obj
def feeds_export(obj: Context, output: str | None, enabled_only: bool) -> None:
    """Write the config's feeds as OPML 2.0, for a feed reader or another monitor."""
    from .opml import write_opml  # noqa: PLC0415 - loaded when run (module docstring)

    listed = [f for f in obj.config.feeds if f.enabled or not enabled_only]
    text = write_opml(listed)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"{len(listed)} feeds written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="A JSON array instead of lines.")
@click.pass_obj
def feeds_list(obj: Context, as_json: bool) -> None:
    """Each configured feed: enabled or not, items stored, last success, and whether it is failing."""
    from .archive import feed_list  # noqa: PLC0415 - loaded when run (module docstring)

    states = feed_list(obj.config.feeds, obj.config.store_path)
    if as_json:
        click.echo(json.dumps(states, indent=2, ensure_ascii=False))
        return
    for s in states:
        click.echo(
            f"{s['name']}: {s['state']}, {s['items_stored']} items, last success {s['last_success_at'] or 'never'}"
            f"  {s['url']}"
        )


@click.command()
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="Address to listen on; only this machine by default."
)
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.pass_obj
def browse(obj: Context, host: str, port: int) -> None:
    """The store in a web page (datasette, read-only): latest reports, a story's outlets, tally series,
    failing feeds, facets and links. Needs the optional extra: pip install "monitor[browse]"."""
    from .browse import check_ready, serve  # noqa: PLC0415 - loaded when run (module docstring)

    config = obj.config
    check_ready(config.store_path)
    click.echo(f"Serving {config.store_path} read-only at http://{host}:{port}/ (Ctrl-C stops)", err=True)
    sys.exit(serve(config.store_path, host, port))


COMMANDS = (search, items, export, prune, feeds, browse)
