"""Articles handed to the classifier from outside, as JSON Lines or plain text: classified one JSON line
out per line in, explained article by article, or scored against their labels with thresholds."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from .classify import Ruleset, classify
from .evaluate import Score, evaluate, labelled_rows, published_date
from .explain import explain, render
from .tallies import TallyTerms

# `--min SCORE=F1`: the names a threshold is given by, and the scores they stand for.
SCORE_NAMES = {"attack": "attack", "strike": "strike", "total": "total tallies", "all": "all tallies"}


class BadArticle(ValueError):
    """An input the classifier cannot take; `option` names the command-line option at fault, if one is."""

    def __init__(self, message: str, option: str | None = None):
        super().__init__(message)
        self.option = option


def classified(lines: Iterable[str], rules: Ruleset, terms: TallyTerms) -> Iterator[dict[str, Any]]:
    """Each JSON Lines article classified, as the row `monitor classify` prints; blank lines skipped."""
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            published = published_date(row.get("published"))
        except (json.JSONDecodeError, ValueError, AttributeError) as e:
            raise BadArticle(f"line {n}: not a JSON object with a valid published date: {e}") from None
        c = classify(row.get("title", ""), row.get("text", ""), published, rules, terms)
        yield {
            "id": row.get("id"),
            "attack": "attack" in c.categories,
            "strike": "strike" in c.categories,
            "categories": list(c.categories),
            "tallies": [t.as_label() for t in c.tallies],
            "rules": [{"rule": m.rule, "category": m.category, "sentence": m.sentence} for m in c.matches],
        }


def explained(
    text: str,
    title: str,
    published: date | None,
    article_id: str | None,
    rules: Ruleset,
    terms: TallyTerms,
) -> Iterator[str]:
    """Why the rules decide as they do on a text, or on each article of a JSON Lines text (only the one
    with article_id, if given): blocks of lines, each article's block after a heading of its own.
    published, when given, stands for every article's own date."""
    articles = json_articles(text)
    if articles is None:
        articles = [{"title": title, "text": text}]
    elif article_id is not None:
        articles = [a for a in articles if a.get("id") == article_id]
        if not articles:
            raise BadArticle(f"no article with id {article_id!r}", "--id")
    for n, a in enumerate(articles):
        if len(articles) > 1 or "id" in a:
            yield ("\n" if n else "") + f"== {a.get('id', n + 1)}: {a.get('title', '')}"
        try:
            when = published or published_date(a.get("published"))
        except ValueError:
            raise BadArticle(f"article {a.get('id', n + 1)}: published is not a date") from None
        yield "\n".join(render(explain(str(a.get("title") or ""), str(a.get("text") or ""), when, rules, terms)))


def json_articles(text: str) -> list[dict[str, Any]] | None:
    """The articles of a JSON Lines text, or None when it is not one (plain text to explain)."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError:
        return None
    return rows if all(isinstance(r, dict) and "text" in r for r in rows) else None


@dataclass(frozen=True, slots=True)
class Scored:
    articles: int
    scores: dict[str, Score]
    thresholds: dict[str, float]

    def lines(self, show_misses: bool = False) -> list[str]:
        out = [f"{self.articles} articles"]
        for name, s in self.scores.items():
            out.append(
                f"{name:<14} precision {s.precision:.3f}  recall {s.recall:.3f}  F1 {s.f1:.3f}  "
                f"(tp {s.tp}, fp {s.fp}, fn {s.fn})"
            )
            out += [f"    {miss}" for miss in s.misses] if show_misses else []
        return out

    def below(self) -> list[str]:
        """Each score under its threshold, said with both figures; empty when all pass."""
        return [
            f"{name} F1 {s.f1:.3f} < {self.thresholds[name]}"
            for name, s in self.scores.items()
            if s.f1 < self.thresholds[name]
        ]


def parse_minimums(items: Iterable[str]) -> dict[str, float]:
    """`--min SCORE=F1` items as thresholds by score name; a bad one is a BadArticle naming the option."""
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        try:
            out[SCORE_NAMES[key.strip()]] = float(value)
        except (KeyError, ValueError):
            raise BadArticle(
                f"{item!r}: expected SCORE=F1 with SCORE one of {', '.join(SCORE_NAMES)}", "--min"
            ) from None
    return out


def score_file(
    lines: Iterable[str],
    source: str,
    rules: Ruleset,
    terms: TallyTerms,
    min_f1: float = 0.0,
    min_tally_f1: float = 0.0,
    minimums: dict[str, float] | None = None,
) -> Scored:
    """The classifier scored on a labelled JSON Lines file (the LABELS.md form), with the threshold of
    each score: min_tally_f1 for tallies, min_f1 for the categories, minimums over both by score name."""
    thresholds = {name: (min_tally_f1 if "tallies" in name else min_f1) for name in SCORE_NAMES.values()}
    thresholds.update(minimums or {})
    rows = labelled_rows(lines, source)
    return Scored(len(rows), evaluate(rows, rules, terms), thresholds)
