"""The classifier's commands: classify, explain, eval and check-config, thin click wrappers over
classify.py, explain.py and evaluate.py, added to the `monitor` group by cli.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .classify import classify as classify_article
from .evaluate import evaluate, labelled_rows, published_date
from .explain import explain as explain_article, render

if TYPE_CHECKING:
    from .cli import Context


@click.command()
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.pass_obj
def classify(obj: Context, file):
    """Classify JSON Lines of {"id","title","published","text"} (FILE or - for stdin); one JSON line out per line in."""

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


@click.command()
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


@click.command("check-config")
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


@click.command("eval")
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


COMMANDS = (classify, explain, check_config, evaluate_cmd)
