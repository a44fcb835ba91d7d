"""The `monitor` command: a thin click layer, and the only place exceptions become exit codes.

Exit codes: 0 done (poll also when some feeds failed: it names them), 1 an error
at run time (or a notifier that refused a test alert), 2 a bad config or bad usage,
3 poll: no feed answered (every feed failed or is backing off).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
from collections import defaultdict

import click

from .config import Config, load_config, load_rules, mask_secrets
from .errors import ConfigError, MonitorError, StoreError

log = logging.getLogger("monitor")
NO_FEED_ANSWERED = 3  # poll's exit code when every feed failed, so cron and supervisors can tell


class SecretFilter(logging.Filter):
    """Masks notifier URLs and their tokens in every log record, whoever logs it."""

    def __init__(self):
        super().__init__()
        self.config: Config | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if self.config is not None:
            record.msg = mask_secrets(record.getMessage(), self.config)
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = mask_secrets(record.exc_text, self.config)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line; a record's traceback stays with it, as the field `traceback`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line)


_secret_filter = SecretFilter()


def _setup_logging(fmt: str, verbose: bool, quiet: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_secret_filter)
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Libraries say only warnings; -v and -q move our own lines (the "monitor" loggers) alone.
    root.setLevel(logging.WARNING)
    log.setLevel(logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO)
    # apprise logs every delivery at INFO, with target hosts; our own lines say what matters.
    logging.getLogger("apprise").setLevel(logging.ERROR if not verbose else logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("trafilatura").setLevel(logging.ERROR)


class Context:
    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
            _secret_filter.config = self._config
        return self._config

    @property
    def rules(self):
        """The rules and tally terms alone: what classify, eval and explain need (no notifier URLs)."""
        if self._config is not None:
            return self._config.rules, self._config.tally_terms
        return load_rules(self.config_path)


def _fail(e: MonitorError, ctx: Context | None = None) -> None:
    config = ctx._config if ctx else None
    click.echo(f"Error: {mask_secrets(str(e), config)}", err=True)
    sys.exit(2 if isinstance(e, ConfigError) else 1)


GLOBAL_FLAGS = ("-v", "--verbose", "-q", "--quiet")
_GLOBAL_WITH_VALUE = ("--config", "--log-format")


class Group(click.Group):
    def parse_args(self, ctx, args):
        """-v and -q are accepted after the subcommand too (`monitor poll -v`), unless the subcommand has
        its own option of that name (`monitor eval FILE -v` lists misses)."""
        args, i = list(args), 0
        while i < len(args) and args[i] not in self.commands:
            i += 2 if args[i] in _GLOBAL_WITH_VALUE else 1
        if i < len(args):
            own = {opt for p in self.commands[args[i]].params for opt in getattr(p, "opts", [])}
            rest = args[i + 1 :]
            stop = rest.index("--") if "--" in rest else len(rest)
            moved = [a for a in rest[:stop] if a in GLOBAL_FLAGS and a not in own]
            if moved:
                kept = [a for a in rest[:stop] if a not in moved] + rest[stop:]
                args = moved + args[: i + 1] + kept
        return super().parse_args(ctx, args)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except MonitorError as e:
            _fail(e, ctx.obj)
        except sqlite3.Error as e:
            # A damaged or unwritable store deep in a command: a message naming it, the traceback in the log.
            config = ctx.obj._config if ctx.obj else None
            where = f"the store at {config.store_path}" if config else "the store"
            log.debug("store error", exc_info=True)
            _fail(StoreError(f"{where} failed: {e} (`monitor health` checks it)"), ctx.obj)


@click.group(cls=Group)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="MONITOR_CONFIG",
    help="Config file (default config/monitor.toml; or set MONITOR_CONFIG).",
)
@click.option(
    "--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Log line format."
)
@click.option(
    "-v", "--verbose", is_flag=True, help="Our debug lines too (libraries stay at warnings); also after the command."
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors; also after the command.")
@click.version_option(package_name="monitor")
@click.pass_context
def cli(ctx, config_path, log_format, verbose, quiet):
    """Watch news feeds for attacks by Iran-backed groups on US forces in Iraq, Syria and Jordan,
    and the US strikes that answer them; alert on new reports and on moving attack totals."""
    _setup_logging(log_format, verbose, quiet)
    ctx.obj = Context(config_path)


def _open(ctx_obj: Context):
    from .notify import Notifiers
    from .store import Store

    config = ctx_obj.config
    return config, Store(config.store_path), Notifiers(config.notifiers, config=config)


@cli.command()
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
    from .pipeline import run_cycle
    from .store import exclusive

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


@cli.command()
@click.pass_obj
def run(obj: Context):
    """The daemon: a cycle every schedule.poll_interval_seconds until SIGINT or SIGTERM."""
    from .notify import Notifiers
    from .store import Store, exclusive

    config = obj.config
    notifiers = Notifiers(config.notifiers, config=config)
    with exclusive(config.store_path):
        Store(config.store_path).close()  # fail now, not in the first cycle, if the store cannot be opened
        _run_daemon(config, notifiers)


def _run_daemon(config, notifiers) -> None:
    from .archive import prune_if_due
    from .pipeline import digest_trigger, run_cycle, run_due_digest, utc_now
    from .scheduler import run_forever
    from .store import Store

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


@cli.command()
@click.pass_obj
def health(obj: Context):
    """Exit 0 when the daemon's last cycle is recent (within twice the poll interval), the store takes
    writes and not every feed has failed health.max_failed_cycles times in a row; else exit 1 with the
    reason. For container health checks."""
    from .health import check_health
    from .pipeline import utc_now

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


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of lines.")
@click.pass_obj
def status(obj: Context, as_json: bool = False):
    """Each feed's last success and error, failures in a row and items stored; pending alerts; the last cycle."""
    from .store import Store

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
        from .archive import status_document

        click.echo(json.dumps(status_document(config, feeds, failed_items, pending, last_digest, cycle), indent=2))
        return
    from zoneinfo import ZoneInfo

    from .wording import local_time, plural

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


@cli.command()
@click.option(
    "--print", "mode", flag_value="print", default=True, help="Show the digest that would be sent now (default)."
)
@click.option("--send", "mode", flag_value="send", help="Send it now and record it.")
@click.pass_obj
def digest(obj: Context, mode: str):
    """The digest of everything since the last one: --print shows it without sending or recording it,
    --send sends and records it."""
    from zoneinfo import ZoneInfo

    from .digest import build_digest, period_until_now, render_text, title_of
    from .pipeline import send_digest, utc_now
    from .notify import deliver_pending

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


@cli.command()
@click.option("--test", "test", is_flag=True, required=True, help="Send a [test] message to each notifier.")
@click.option("--notifier", "only", metavar="NAME", help="Only this notifier (its `name` in the config).")
@click.pass_obj
def notify(obj: Context, test: bool, only: str | None):
    """Send a [test] message to every notifier (or one) now and say, for each, whether apprise accepted
    it; exit 1 if any refused. Nothing is stored: digests, alerts and the outbox are untouched."""
    from .notify import Notifiers, send_test
    from .pipeline import utc_now

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


@cli.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.pass_obj
def classify(obj: Context, file):
    """Classify JSON Lines of {"id","title","published","text"} (FILE or - for stdin); one JSON line out per line in."""
    from .classify import classify as classify_article
    from .evaluate import published_date

    rules, tally_terms = obj.rules
    for n, line in enumerate(file, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            published = published_date(row.get("published"))
        except (json.JSONDecodeError, ValueError, AttributeError) as e:
            raise click.ClickException(f"line {n}: not a JSON object with a valid published date: {e}") from None
        c = classify_article(row.get("title", ""), row.get("text", ""), published, rules, tally_terms)
        click.echo(
            json.dumps(
                {
                    "id": row.get("id"),
                    "attack": "attack" in c.categories,
                    "strike": "strike" in c.categories,
                    "categories": list(c.categories),
                    "tallies": [t.as_label() for t in c.tallies],
                    "rules": [{"rule": m.rule, "category": m.category, "sentence": m.sentence} for m in c.matches],
                },
                ensure_ascii=False,
            )
        )


@cli.command()
@click.argument("source", nargs=-1, required=True)
@click.option("--title", default="", help="The headline, when SOURCE is plain text.")
@click.option("--published", "published_on", help="Publication date (YYYY-MM-DD), against which periods are resolved.")
@click.option("--id", "article_id", help="In a JSON Lines file, only the article with this id.")
@click.pass_obj
def explain(obj: Context, source, title, published_on, article_id):
    """Why the rules classify a text as they do: every rule that fired and on which sentence, the
    rules that nearly fired and what voided them, every tally figure taken or rejected and why.
    SOURCE is the text itself, a file, or - for stdin; a file of JSON Lines articles (the classify
    form) is explained article by article."""
    from pathlib import Path

    from .evaluate import published_date
    from .explain import explain as explain_article, render

    if len(source) == 1 and source[0] == "-":
        text = sys.stdin.read()
    elif len(source) == 1 and Path(source[0]).is_file():
        text = Path(source[0]).read_text(encoding="utf-8")
    else:
        text = " ".join(source)
    try:
        published = published_date(published_on)
    except ValueError:
        raise click.BadParameter(f"not a YYYY-MM-DD date: {published_on!r}", param_hint="--published") from None
    articles = _json_articles(text)
    if articles is None:
        articles = [{"title": title, "text": text, "published": published_on}]
    elif article_id is not None:
        articles = [a for a in articles if a.get("id") == article_id]
        if not articles:
            raise click.BadParameter(f"no article with id {article_id!r}", param_hint="--id")
    rules, tally_terms = obj.rules
    for n, a in enumerate(articles):
        if len(articles) > 1 or "id" in a:
            click.echo(("\n" if n else "") + f"== {a.get('id', n + 1)}: {a.get('title', '')}")
        try:
            when = published if published_on else published_date(a.get("published"))
        except ValueError:
            raise click.ClickException(f"article {a.get('id', n + 1)}: published is not a date") from None
        e = explain_article(str(a.get("title") or ""), str(a.get("text") or ""), when, rules, tally_terms)
        click.echo("\n".join(render(e)))


def _json_articles(text: str) -> list[dict] | None:
    """The articles of a JSON Lines text, or None when it is not one (plain text to explain)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError:
        return None
    return rows if all(isinstance(r, dict) and "text" in r for r in rows) else None


@cli.command("check-config")
@click.pass_obj
def check_config(obj: Context):
    """Validate the config and the rules; print the effective config with secrets masked."""
    config = obj.config
    click.echo(json.dumps(config.effective(), indent=2, ensure_ascii=False))
    click.echo(
        f"OK: {config.path}: {len(config.feeds)} feeds, {len(config.notifiers)} notifiers, "
        f"{len(config.rules.rules)} rules",
        err=True,
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON array of series, each with its reports.")
@click.pass_obj
def tallies(obj: Context, as_json: bool = False):
    """Each series of reported attack totals as a timeline: date, figure, qualifier, outlet, repeats."""
    from .store import Store

    store = Store(obj.config.store_path)
    try:
        reports = store.tally_reports()
    finally:
        store.close()
    if as_json:
        from .archive import tally_series_document

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


@cli.command("eval")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--min-f1", type=float, default=0.0, show_default=True, help="Fail below this F1 for attack and strike.")
@click.option("--min-tally-f1", type=float, default=0.0, show_default=True, help="Fail below this F1 for tallies.")
@click.option(
    "--min",
    "minimums",
    multiple=True,
    metavar="SCORE=F1",
    help="Fail below this F1 for one score (attack, strike, total, all); overrides the two above. Repeatable.",
)
@click.option("-v", "--verbose", "show_misses", is_flag=True, help="List every miss.")
@click.pass_obj
def evaluate_cmd(obj: Context, file, min_f1, min_tally_f1, minimums, show_misses):
    """Score the classifier on a labelled JSON Lines file (the LABELS.md form)."""
    from .evaluate import evaluate, labelled_rows

    names = {"attack": "attack", "strike": "strike", "total": "total tallies", "all": "all tallies"}
    thresholds = {name: (min_tally_f1 if "tallies" in name else min_f1) for name in names.values()}
    for item in minimums:
        key, _, value = item.partition("=")
        try:
            thresholds[names[key.strip()]] = float(value)
        except (KeyError, ValueError):
            raise click.BadParameter(
                f"{item!r}: expected SCORE=F1 with SCORE one of {', '.join(names)}", param_hint="--min"
            ) from None
    rows = labelled_rows(file, getattr(file, "name", "input"))
    rules, tally_terms = obj.rules
    scores = evaluate(rows, rules, tally_terms)
    click.echo(f"{len(rows)} articles")
    failed = []
    for name, s in scores.items():
        click.echo(
            f"{name:<14} precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  (tp {s.tp}, fp {s.fp}, fn {s.fn})"
        )
        if show_misses:
            for miss in s.misses:
                click.echo(f"    {miss}")
        if s.f1 < thresholds[name]:
            failed.append(f"{name} F1 {s.f1:.3f} < {thresholds[name]}")
    if failed:
        click.echo("Below threshold: " + "; ".join(failed), err=True)
        sys.exit(1)


from .archive_cli import COMMANDS as _ARCHIVE_COMMANDS  # noqa: E402  (they need the group above)

for _command in _ARCHIVE_COMMANDS:
    cli.add_command(_command)
