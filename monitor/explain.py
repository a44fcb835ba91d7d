"""Why an article was classified as it was: every rule that fired, every rule that nearly did and
what voided it, and every figure the tally extractor considered. For `monitor explain`, which users
tune the rules with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .classify import Rule, Ruleset, _why_not, classify, followed, matched_text, read_article, sentence_clauses
from .models import Classification
from .tallies import FigureTrace, TallyTerms, explain_tallies
from .text import Found, Tokens, tokenize


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """One rule on one sentence that holds every term list the rule needs: fired, or what voided it."""

    rule: str
    category: str
    sentence: str
    fired: bool
    reason: str  # empty when fired


@dataclass(frozen=True)
class Explanation:
    classification: Classification
    rules: list[RuleTrace]
    figures: list[FigureTrace]


def explain(title: str, text: str, published: date | None, ruleset: Ruleset, tally_terms: TallyTerms) -> Explanation:
    _, tokens, found_in = read_article(title, text, ruleset, tally_terms)
    article_lists = set().union(*found_in.values())
    traces = []
    for index, positions in sorted(found_in.items()):
        for rule in ruleset.rules:
            if not rule.needs <= positions.keys():
                continue
            reason = _void_reason(rule, index, positions, article_lists, found_in, tokens, ruleset)
            sentence = tokens.sentences[index].text if reason else matched_text(rule, index, found_in, tokens)
            traces.append(RuleTrace(rule.name, rule.category, sentence, not reason, reason or ""))
    return Explanation(
        classify(title, text, published, ruleset, tally_terms),
        traces,
        explain_tallies(title, text, published, tally_terms),
    )


def _void_reason(
    rule: Rule,
    index: int,
    positions: dict[str, list[int]],
    article_lists: set[str],
    found_in: Found,
    tokens: Tokens,
    ruleset: Ruleset,
) -> str | None:
    """What kept the rule from firing on a sentence that holds every list it needs; None if it fired.
    Every cause is named, not just the first."""
    reasons = []
    for name in rule.context:
        if name not in article_lists:
            reasons.append(f"context list {name} is nowhere in the article")
    for name in rule.context_exclude:
        if name in article_lists:
            where = next(p for found in found_in.values() for p in found.get(name, ()))
            reasons.append(
                f"context_exclude list {name} is in the article ({_term_at(where, name, tokens, ruleset)!r})"
            )
    for name in rule.exclude:
        if name in positions:
            reasons.append(
                f"exclude list {name} is in the sentence ({_term_at(positions[name][0], name, tokens, ruleset)!r})"
            )
    if not reasons:
        why = _why_not(rule, positions, sentence_clauses(rule, positions, tokens, index))
        if why is not None:
            window = "the sentence" if rule.window is None else f"{rule.window} words"
            reasons.append(f"{why} ({' > '.join(rule.sequence) or ' + '.join(rule.anywhere)} within {window})")
        elif rule.follow and followed(rule, index, found_in, tokens) is None:
            reasons.append(
                f"follow lists {' + '.join(rule.follow)} are not after the match in this sentence or the next"
                " one of the paragraph (without an exclude list)"
            )
    return "; ".join(reasons) or None


def _term_at(position: int, name: str, tokens: Tokens, ruleset: Ruleset) -> str:
    """The longest term of list `name` that starts at a token position of the text, as its tokens."""
    s = next(i for i in range(len(tokens.words)) if tokens.bounds[i] <= position < tokens.bounds[i + 1])
    words = tokens.words[s][position - tokens.bounds[s] :]
    best = words[:1]
    for term in ruleset.lexicon.lists.get(name, ()):
        wild = term.strip().endswith("*")
        parts = tokenize(term.strip().rstrip("*"))
        if not parts or len(parts) > len(words):
            continue
        head, tail = words[: len(parts) - 1], words[len(parts) - 1]
        if (
            head == parts[:-1]
            and (tail.startswith(parts[-1]) if wild else tail == parts[-1])
            and len(parts) >= len(best)
        ):
            best = words[: len(parts)]
    return " ".join(w.replace("u_", "US").replace("k_", "UK") if w in ("u_", "k_") else w for w in best)


def render(e: Explanation) -> list[str]:
    """The explanation as lines of text."""
    c = e.classification
    out = [f"categories: {', '.join(c.categories) or 'none'}"]
    fired = [t for t in e.rules if t.fired]
    out.append(f"rules that fired ({len(fired)}):")
    out += [f"  {t.rule} [{t.category}]: {t.sentence}" for t in fired] or ["  none"]
    if any(m.rule == "reported-attack-total" for m in c.matches):
        m = next(m for m in c.matches if m.rule == "reported-attack-total")
        out.append(f"  reported-attack-total [{m.category}] (a running total is a report of attacks): {m.sentence}")
    near = [t for t in e.rules if not t.fired]
    out.append(f"rules that nearly fired, every list they need in the sentence ({len(near)}):")
    out += [f"  {t.rule} [{t.category}]: voided: {t.reason}\n    in: {t.sentence}" for t in near] or ["  none"]
    out.append(f"tally figures considered ({len(e.figures)}):")
    for f in e.figures:
        if f.taken and f.tally is not None:
            t = f.tally
            label = f"{t.count} {t.qualifier} since {t.since or 'null'} until {t.until or 'null'} {t.region}"
            period = f"; period from {f.period_phrase!r}" if f.period_phrase else "; no period phrase"
            out.append(f"  taken {f.figure!r} -> {label} ({f.reason}{period})\n    in: {f.sentence}")
        else:
            out.append(f"  rejected {f.figure!r}: {f.reason}\n    in: {f.sentence}")
    if not e.figures:
        out.append("  none")
    return out
