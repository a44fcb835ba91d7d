"""The archive's commands (search, items, export, prune, feeds, browse): thin click wrappers over
archive.py, opml.py and browse.py, added to the `monitor` group by cli.py."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .errors import StoreError


class When(click.ParamType):
    name = "when"

    def __init__(self, end: bool = False):
        self.end = end

    def convert(self, value, param, ctx):
        from .archive import parse_when  # noqa: PLC0415
        from .pipeline import utc_now  # noqa: PLC0415

        try:
            return parse_when(value, utc_now(), end=self.end)
        except ValueError as e:
            self.fail(str(e), param, ctx)


def filter_options(command):
    """--since, --until, --category and --feed, shared by search, items and export."""
    for option in reversed(
        [
            click.option(
                "--since",
                type=When(),
                help="From this date or time (2024-02-05, 2024-02-05T12:00, or an age: 7d, 12h).",
            ),
            click.option("--until", type=When(end=True), help="Up to this date (that whole day) or time."),
            click.option("--category", type=click.Choice(["attack", "strike"]), help="Only items in this category."),
            click.option(
                "--feed", "feeds", multiple=True, metavar="NAME", help="Only items from this feed (repeatable)."
            ),
        ]
    ):
        command = option(command)
    return command


def _filter(since, until, category, feeds, reports_only=False):
    from .store import ItemFilter  # noqa: PLC0415

    return ItemFilter(since, until, category, tuple(feeds), reports_only)


def _existing_store(config):
    from .store import Store  # noqa: PLC0415

    if not config.store_path.exists():
        raise StoreError(f"no store at {config.store_path} yet: run `monitor poll` or `monitor run` first")
    return Store(config.store_path)


@click.command()
@click.argument("query")
@filter_options
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Most stories shown.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of stories instead of lines.")
@click.pass_obj
def search(obj, query, since, until, category, feeds, limit, as_json):
    """Full-text search of stored titles and texts (SQLite FTS5: words, "a phrase", OR, NOT, prefix*):
    one line per story, best match first (date, outlets, categories, title, link), and the match."""
    from . import archive  # noqa: PLC0415

    store = _existing_store(obj.config)
    try:
        lines = archive.search(store, query, _filter(since, until, category, feeds), limit)
    finally:
        store.close()
    _show(lines, as_json, f"No stored story matches {query!r}.")


@click.command()
@filter_options
@click.option("--all", "everything", is_flag=True, help="Also stories that are not reports (every stored item).")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Most stories shown.")
@click.option("--json", "as_json", is_flag=True, help="A JSON array of stories instead of lines.")
@click.pass_obj
def items(obj, since, until, category, feeds, everything, limit, as_json):
    """The latest stories that are reports, newest first: date, outlets, categories, title, link."""
    from . import archive  # noqa: PLC0415

    store = _existing_store(obj.config)
    try:
        lines = archive.latest(store, _filter(since, until, category, feeds, not everything), limit)
    finally:
        store.close()
    _show(lines, as_json, "No stored story matches.")


def _show(lines, as_json: bool, nothing: str) -> None:
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in lines], indent=2, ensure_ascii=False))
    elif not lines:
        click.echo(nothing)
    for s in [] if as_json else lines:
        click.echo(s.render())


@click.command()
@click.argument("what", type=click.Choice(["reports", "tallies", "stories"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "jsonl"]), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write to FILE instead of stdout.")
@filter_options
@click.pass_obj
def export(obj, what, fmt, output, since, until, category, feeds):
    """Export reports (one row per report item), tallies (series, date, figure, qualifier, outlet,
    verdict, link) or stories as CSV, JSON or JSON Lines."""
    from . import archive  # noqa: PLC0415

    store = _existing_store(obj.config)
    try:
        rows = archive.export_rows(store, what, _filter(since, until, category, feeds))
    finally:
        store.close()
    text = archive.render_export(rows, fmt, what)
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        click.echo(f"{len(rows)} {what} written to {output}", err=True)
    else:
        click.echo(text, nl=False)


@click.command()
@click.option("--dry-run", is_flag=True, help="Say what would go, remove nothing.")
@click.option(
    "--vacuum", is_flag=True, help="Then VACUUM the store to give the space back to the disk (slow on big stores)."
)
@click.pass_obj
def prune(obj, dry_run, vacuum):
    """Apply storage.retention_days: texts and fingerprints of older items, older cycle records and
    digest charts go; items' titles, links and categories, stories and tally series stay."""
    from . import archive  # noqa: PLC0415
    from .pipeline import utc_now  # noqa: PLC0415

    config = obj.config
    store = _existing_store(config)
    now = utc_now()
    try:
        plan = archive.plan_prune(store, config.settings.storage.retention_days, now)
        if plan is None:
            click.echo("storage.retention_days is 0: everything is kept, nothing to prune.")
            if vacuum and not dry_run:
                store.vacuum()
            return
        if dry_run:
            click.echo("Would remove " + plan.describe())
            return
        archive.prune(store, plan, now, vacuum)
    finally:
        store.close()
    click.echo("Removed " + plan.describe() + ("; store vacuumed" if vacuum else ""))


@click.group()
def feeds():
    """Feed lists: import feeds from OPML into the config file, export them as OPML, list each feed's state."""


@feeds.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Say what would be added, change nothing.")
@click.pass_obj
def feeds_import(obj, file, dry_run):
    """Add the feeds of an OPML file to the config file (comments kept); feeds whose URL is there already are skipped."""
    from .config import DEFAULT_PATH  # noqa: PLC0415
    from .opml import add_feeds, read_opml  # noqa: PLC0415

    config_path = obj.config_path or os.environ.get("MONITOR_CONFIG") or DEFAULT_PATH
    result = add_feeds(config_path, read_opml(file), dry_run)
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
def feeds_export(obj, output, enabled_only):
    """Write the config's feeds as OPML 2.0, for a feed reader or another monitor."""
    from .opml import write_opml  # noqa: PLC0415

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
def feeds_list(obj, as_json):
    """Each configured feed: enabled or not, items stored, last success, and whether it is failing."""
    from .archive import feed_states  # noqa: PLC0415
    from .store import Store  # noqa: PLC0415

    config = obj.config
    stored = {}
    if config.store_path.exists():
        store = Store(config.store_path)
        try:
            stored = {f["name"]: f for f in store.feeds()}
        finally:
            store.close()
    states = feed_states(config.feeds, stored)
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
def browse(obj, host, port):
    """The store in a web page (datasette, read-only): latest reports, a story's outlets, tally series,
    failing feeds, facets and links. Needs the optional extra: pip install "monitor[browse]"."""
    from .browse import check_ready, serve  # noqa: PLC0415

    config = obj.config
    check_ready(config.store_path)
    click.echo(f"Serving {config.store_path} read-only at http://{host}:{port}/ (Ctrl-C stops)", err=True)
    sys.exit(serve(config.store_path, host, port))


COMMANDS = (search, items, export, prune, feeds, browse)
