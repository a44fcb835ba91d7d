"""The classifier's commands: classify, explain, eval and check-config, thin click wrappers over
articles.py, added to the `monitor` group by cli.py. Each command imports articles.py when it runs:
it brings in the explainer and the scorer, which every other command (`poll` from cron) would load
for nothing."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:
    from .articles import BadArticle
    from .cli import Context


def _refused(e: BadArticle) -> click.ClickException:
    return click.BadParameter(str(e), param_hint=e.option) if e.option else click.ClickException(str(e))


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.pass_obj
def classify(obj: Context, file: TextIO) -> None:
    """Classify JSON Lines of {"id","title","published","text"} (FILE or - for stdin); one JSON line out per line in."""
    from .articles import BadArticle, classified  # noqa: PLC0415 - loaded when run (module docstring)

    try:
        for row in classified(file, *obj.rules):
            click.echo(json.dumps(row, ensure_ascii=False))
    except BadArticle as e:
        raise _refused(e) from None


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    from .evaluate import published_date  # noqa: PLC0415 - loaded when run (module docstring)

    try:
        return published_date(value)
    except ValueError:
        raise click.BadParameter(f"not a YYYY-MM-DD date: {value!r}", param_hint="--published") from None


@click.command()
@click.argument("source", nargs=-1, required=True)
@click.option("--title", default="", help="The headline, when SOURCE is plain text.")
@click.option(
    "--published",
    callback=_date,
    help="Publication date (YYYY-MM-DD), against which periods are resolved.",
)
@click.option("--id", "article_id", help="In a JSON Lines file, only the article with this id.")
@click.pass_obj
def explain(obj: Context, source: tuple[str, ...], title: str, published: date | None, article_id: str | None) -> None:
    """Why the rules classify a text as they do: every rule that fired and on which sentence, the
    rules that nearly fired and what voided them, every tally figure taken or rejected and why.
    SOURCE is the text itself, a file, or - for stdin; a file of JSON Lines articles (the classify
    form) is explained article by article."""
    if len(source) == 1 and source[0] == "-":
        text = sys.stdin.read()
    elif len(source) == 1 and Path(source[0]).is_file():
        text = Path(source[0]).read_text(encoding="utf-8")
    else:
        text = " ".join(source)
    from .articles import BadArticle, explained  # noqa: PLC0415 - loaded when run (module docstring)

    try:
        for block in explained(text, title, published, article_id, *obj.rules):
            click.echo(block)
    except BadArticle as e:
        raise _refused(e) from None


@click.command("check-config")
@click.pass_obj
def check_config(obj: Context) -> None:
    """Validate the config and the rules; print the effective config with secrets masked."""
    config = obj.config
    config.check_deferred()
    click.echo(json.dumps(config.effective(), indent=2, ensure_ascii=False))
    click.echo(
        f"OK: {config.path}: {len(config.feeds)} feeds, {len(config.notifiers)} notifiers, "
        f"{len(config.rules.rules)} rules",
        err=True,
    )


def _minimums(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> dict[str, float]:
    from .articles import BadArticle, parse_minimums  # noqa: PLC0415 - loaded when run (module docstring)

    try:
        return parse_minimums(value)
    except BadArticle as e:
        raise _refused(e) from None


@click.command("eval")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--min-f1", type=float, default=0.0, show_default=True, help="Fail below this F1 for attack and strike.")
@click.option("--min-tally-f1", type=float, default=0.0, show_default=True, help="Fail below this F1 for tallies.")
@click.option(
    "--min",
    "minimums",
    multiple=True,
    metavar="SCORE=F1",
    callback=_minimums,
    help="Fail below this F1 for one score (attack, strike, total, all); overrides the two above. Repeatable.",
)
@click.option("-v", "--verbose", "show_misses", is_flag=True, help="List every miss.")
@click.pass_obj
def evaluate_cmd(
    obj: Context, file: TextIO, min_f1: float, min_tally_f1: float, minimums: dict[str, float], show_misses: bool
) -> None:
    """Score the classifier on a labelled JSON Lines file (the LABELS.md form)."""
    from .articles import score_file  # noqa: PLC0415 - loaded when run (module docstring)

    scored = score_file(file, getattr(file, "name", "input"), *obj.rules, min_f1, min_tally_f1, minimums)
    click.echo("\n".join(scored.lines(show_misses)))
    if scored.below():
        click.echo("Below threshold: " + "; ".join(scored.below()), err=True)
        sys.exit(1)


COMMANDS = (classify, explain, check_config, evaluate_cmd)
