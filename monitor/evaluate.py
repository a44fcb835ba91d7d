"""Score the classifier on labelled articles (the LABELS.md form): precision, recall and F1."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from collections.abc import Iterable
from datetime import date
from typing import Any

from .classify import Ruleset, classify
from .errors import ConfigError
from .tallies import TallyTerms


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def labelled_rows(lines: Iterable[str], source: str) -> list[dict[str, Any]]:
    """The labelled articles of a JSON Lines file; a line that is no article with an `expect` table
    is a ConfigError naming the line (an unlabelled file would otherwise score 1.000)."""
    rows = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ConfigError(source, f"line {n}", f"not JSON ({e})") from None
        if not isinstance(row, dict):
            raise ConfigError(source, f"line {n}", "not a JSON object")
        expect = row.get("expect")
        if not isinstance(expect, dict):
            raise ConfigError(source, f"line {n}", "no `expect` table: an article needs its labels to be scored")
        tallies = expect.get("tallies", [])
        if not isinstance(tallies, list) or not all(isinstance(t, dict) for t in tallies):
            raise ConfigError(source, f"line {n}", "`expect.tallies` must be a list of tables")
        try:
            published_date(row.get("published"))
        except ValueError as e:
            raise ConfigError(source, f"line {n}", f"published is not a date ({e})") from None
        row.setdefault("id", f"line {n}")
        rows.append(row)
    return rows


def published_date(value: object) -> date | None:
    if not value:
        return None
    return date.fromisoformat(str(value)[:10])


def _keys(tallies: list[dict[str, Any]], fields: tuple[str, ...], total_only: bool) -> set[str]:
    return {
        json.dumps({f: t.get(f) for f in fields}, sort_keys=True)
        for t in tallies
        if not total_only or t.get("region") == "total"
    }


def evaluate(rows: list[dict[str, Any]], rules: Ruleset, terms: TallyTerms) -> dict[str, Score]:
    scores = {name: Score() for name in ("attack", "strike", "total tallies", "all tallies")}
    for row in rows:
        c = classify(row.get("title", ""), row.get("text", ""), published_date(row.get("published")), rules, terms)
        expect = row.get("expect", {})
        for category in ("attack", "strike"):
            got, want = category in c.categories, bool(expect.get(category))
            s = scores[category]
            if got and want:
                s.tp += 1
            elif got:
                s.fp += 1
                s.misses.append(f"{row['id']}: flagged {category}, labelled not")
            elif want:
                s.fn += 1
                s.misses.append(f"{row['id']}: missed {category}")
        got_tallies = [t.as_label() for t in c.tallies]
        for name, fields, total_only in (
            ("total tallies", ("count", "since", "region"), True),
            ("all tallies", ("count", "qualifier", "since", "until", "region"), False),
        ):
            got_k = _keys(got_tallies, fields, total_only)
            want_k = _keys(expect.get("tallies", []), fields, total_only)
            s = scores[name]
            s.tp += len(got_k & want_k)
            s.fp += len(got_k - want_k)
            s.fn += len(want_k - got_k)
            s.misses += [f"{row['id']}: extra {k}" for k in sorted(got_k - want_k)]
            s.misses += [f"{row['id']}: missed {k}" for k in sorted(want_k - got_k)]
    return scores
