"""Article text + keyword rules -> categories, the rules that matched and the sentences they matched.

Rules are data (config/rules.toml): named term lists, and rules that combine
them within one sentence or a window of words. All terms are in one lexicon, so a
text is scanned once whatever the number of rules; a rule is then tried only on
the sentences that hold every list it needs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from datetime import date
from typing import Any, Final

from .errors import ConfigError
from .models import Classification, Match, Tally, rebuilt_from_fields
from .tallies import TallyTerms, clause_starts, tallies_in
from .text import Found, Lexicon, Tokens, normalise, tokenize

_COMPLETE: Final = re.compile(r"[.!?][\"')]*$")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    category: str
    sequence: tuple[str, ...]  # term lists that must appear in this order
    anywhere: tuple[str, ...]  # term lists that must appear too, in any order
    window: int | None  # at most this many words from first to last; None: the same sentence
    exclude: tuple[str, ...]  # any of these in the sentence voids the match
    context: tuple[str, ...]  # each of these must appear somewhere in the article
    context_exclude: tuple[str, ...]  # none of these may appear in the article
    exclude_near: tuple[str, ...] = ()  # any of these within `near` words of the match voids it
    near: int = 3
    exclude_clause: tuple[str, ...] = ()  # any of these in a clause the match touches voids it
    follow: tuple[str, ...] = ()  # lists that must come after the match, in its sentence or the next one
    needs: frozenset[str] = frozenset()  # sequence and anywhere, as a set
    voids: frozenset[str] = frozenset()  # exclude, as a set

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return rebuilt_from_fields(self)


@dataclass(frozen=True)
class Ruleset:
    rules: tuple[Rule, ...]
    categories: tuple[str, ...]
    lexicon: Lexicon
    tally_category: str | None  # a category that a reported running total implies
    # list -> words right after which its terms do not count ("loyal to Iran fired": Iran is no subject)
    not_after: dict[str, frozenset[str]] = field(default_factory=dict)
    # list -> words right before which its terms do not count ("WASHINGTON (AP)": a dateline, no actor);
    # each with the list's terms as token tuples (a term's end is where such a word may be)
    not_before: dict[str, tuple[frozenset[str], frozenset[tuple[str, ...]]]] = field(default_factory=dict)
    _joined: dict[int, tuple[TallyTerms, Lexicon]] = field(default_factory=dict, compare=False, repr=False)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return rebuilt_from_fields(self)

    def lexicon_with(self, tally_terms: TallyTerms) -> Lexicon:
        """The rules' lexicon joined with the tally lists: one scan of a text finds both. Built once
        per tally terms (the pair is kept, so the id cannot be reused while it is cached)."""
        cached = self._joined.get(id(tally_terms))
        if cached is None or cached[0] is not tally_terms:
            self._joined.clear()
            cached = self._joined[id(tally_terms)] = (tally_terms, self.lexicon.joined(tally_terms.lexicon))
        return cached[1]


def compile_rules(raw: dict[str, Any], source: str) -> Ruleset:
    """Validate the rules file's content and compile it; ConfigError names the key at fault."""
    terms = raw.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise ConfigError(source, "terms", "a table of named term lists is required")
    for name, words in terms.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(source, f"terms.{name}", "must be a non-empty list of non-empty strings")
    raw_rules = raw.get("rule")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise ConfigError(source, "rule", "at least one [[rule]] is required")
    allowed = {
        "name",
        "category",
        "sequence",
        "anywhere",
        "window",
        "exclude",
        "exclude_near",
        "near",
        "context",
        "context_exclude",
        "exclude_clause",
        "follow",
    }
    rules = []
    seen = set()
    for i, r in enumerate(raw_rules):
        key = f"rule[{i}]"
        if not isinstance(r, dict):
            raise ConfigError(source, key, "must be a table")
        unknown = set(r) - allowed
        if unknown:
            raise ConfigError(source, f"{key}.{sorted(unknown)[0]}", "unknown key")
        name = r.get("name")
        if not isinstance(name, str) or not name:
            raise ConfigError(source, f"{key}.name", "a rule needs a name")
        if name in seen:
            raise ConfigError(source, f"{key}.name", f"duplicate rule name {name!r}")
        seen.add(name)
        category = r.get("category")
        if not isinstance(category, str) or not category:
            raise ConfigError(source, f"{key}.category", "a rule needs a category")
        lists = {}
        for field_name in (
            "sequence",
            "anywhere",
            "exclude",
            "exclude_near",
            "context",
            "context_exclude",
            "exclude_clause",
            "follow",
        ):
            value = r.get(field_name, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(source, f"{key}.{field_name}", "must be a list of term-list names")
            for v in value:
                if v not in terms:
                    raise ConfigError(source, f"{key}.{field_name}", f"no term list named {v!r}")
            lists[field_name] = tuple(value)
        if not lists["sequence"] and not lists["anywhere"]:
            raise ConfigError(source, f"{key}.sequence", "a rule needs at least one term list to match")
        window = r.get("window", "sentence")
        if window == "sentence":
            window = None
        elif not isinstance(window, int) or isinstance(window, bool) or window < 1:
            raise ConfigError(source, f"{key}.window", 'must be "sentence" or a positive number of words')
        near = r.get("near", 3)
        if not isinstance(near, int) or isinstance(near, bool) or near < 0:
            raise ConfigError(source, f"{key}.near", "must be a number of words (0 or more)")
        needs, voids = frozenset(lists["sequence"] + lists["anywhere"]), frozenset(lists["exclude"])
        rules.append(Rule(name=name, category=category, window=window, near=near, needs=needs, voids=voids, **lists))
    tally_category = raw.get("tally_category", "attack")
    if tally_category is not None and not isinstance(tally_category, str):
        raise ConfigError(source, "tally_category", "must be a category name")

    around = {}
    for side in ("not_after", "not_before"):
        table = raw.get(side, {})
        if not isinstance(table, dict):
            raise ConfigError(source, side, "must be a table of term-list name -> list of words")
        for name, words in table.items():
            if name not in terms:
                raise ConfigError(source, f"{side}.{name}", f"no term list named {name!r}")
            if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
                raise ConfigError(source, f"{side}.{name}", "must be a non-empty list of words")
        around[side] = {name: frozenset(t for w in words for t in tokenize(w)) for name, words in table.items()}
    categories = tuple(dict.fromkeys(r.category for r in rules))
    return Ruleset(
        tuple(rules),
        categories,
        # The not_before words are looked for by the one scan too: a sentence without them costs nothing.
        Lexicon({**terms, **{NOT_BEFORE + name: words for name, words in raw.get("not_before", {}).items()}}),
        tally_category,
        around["not_after"],
        {
            name: (words, frozenset(tuple(tokenize(t.rstrip("*"))) for t in terms[name]))
            for name, words in around["not_before"].items()
        },
    )


def _rule_fires(rule: Rule, positions: dict[str, list[int]], tokens: Tokens, index: int, found_in: Found) -> bool:
    """Whether the rule fires on sentence index, which holds all the lists it needs and none it excludes."""
    return _why_not(rule, positions, sentence_clauses(rule, positions, tokens, index)) is None and (
        not rule.follow or followed(rule, index, found_in, tokens) is not None
    )


def followed(rule: Rule, index: int, found_in: Found, tokens: Tokens) -> int | None:
    """The last sentence a rule's follow lists reach: each after the match's start in its own sentence, or
    in the next sentence of the paragraph, which must hold none of the rule's exclude lists ("U.S. jets
    struck two sites near Abu Kamal. The Pentagon said the sites were used by Kataib Hezbollah")."""
    here = found_in[index]
    start = here[rule.sequence[0] if rule.sequence else rule.anywhere[0]][0]
    following = found_in.get(index + 1)
    reach = index
    for name in rule.follow:
        if any(p > start for p in here.get(name, ())):
            continue
        if (
            following is None
            or name not in following
            or not rule.voids.isdisjoint(following)
            or not tokens.same_paragraph(index, index + 1)
        ):
            return None
        reach = index + 1
    return reach


def sentence_clauses(rule: Rule, positions: dict[str, list[int]], tokens: Tokens, index: int) -> tuple[int, ...]:
    """Where the sentence's clauses start, if the rule needs to know (an exclude_clause list is in it)."""
    if not rule.exclude_clause or positions.keys().isdisjoint(rule.exclude_clause):
        return ()
    return clause_starts(tokens.sentences[index].text, tokens.bounds[index])


# Why a rule whose lists are all in a sentence did not fire there (for `monitor explain`).
OUT_OF_WINDOW: Final = "its lists are not in this order within the window"


def _why_not(rule: Rule, positions: dict[str, list[int]], clauses: Sequence[int] = ()) -> str | None:
    """None when the rule fires on the sentence (which holds every list it needs and none it
    excludes); else what voided it: the order and window, an exclude_near list close to the match,
    or an exclude_clause list in a clause it touches (clauses: where the sentence's clauses after
    the first start, see clause_starts)."""
    if rule.window is None and len(rule.sequence) < 2 and not rule.exclude_near and not rule.exclude_clause:
        return None
    spans = _sequence_spans(rule, positions) if rule.sequence else [(p, p) for p in positions[rule.anywhere[0]]]
    voided = None
    for first, last in spans:
        if rule.window is not None and last - first > rule.window:
            continue
        for name in rule.anywhere:
            if rule.window is None:
                if rule.exclude_near:  # the span reaches the list's nearest occurrence
                    q = min(positions[name], key=lambda q: max(last, q) - min(first, q))
                    first, last = min(first, q), max(last, q)
                continue
            within = [q for q in positions[name] if max(last, q) - min(first, q) <= rule.window]
            if not within:
                break
            q = min(within, key=lambda q: max(last, q) - min(first, q))
            first, last = min(first, q), max(last, q)
        else:
            for name in rule.exclude_near:
                near = positions.get(name)
                if near and any(first - rule.near <= q <= last + rule.near for q in near):
                    voided = f"exclude_near list {name} is within {rule.near} words of the match"
                    break
            else:
                touched = range(bisect_right(clauses, first), bisect_right(clauses, last) + 1)
                for name in rule.exclude_clause:
                    voiding = positions.get(name)
                    if voiding and any(bisect_right(clauses, q) in touched for q in voiding):
                        voided = f"exclude_clause list {name} is in a clause of the match"
                        break
                else:
                    return None
    return voided or OUT_OF_WINDOW


# The lexicon list of the words after which a list's terms do not count (no TOML bare key has a colon).
NOT_BEFORE: Final = "not_before:"


def _drop_before(
    found_in: Found, tokens: Tokens, not_before: dict[str, tuple[frozenset[str], frozenset[tuple[str, ...]]]]
) -> None:
    """Forget the terms of a list that come right before one of its not_before words."""
    marks = [NOT_BEFORE + name for name in not_before]
    for index, here in found_in.items():
        if not any(mark in here for mark in marks):
            continue
        for name, (words, terms) in not_before.items():
            at = here.get(name)
            if at is None or NOT_BEFORE + name not in here:
                continue
            base, sentence_words = tokens.bounds[index], tokens.words[index]
            kept = [p for p in at if not _term_before(sentence_words, p - base, terms, words)]
            if kept:
                here[name] = kept
            else:
                del here[name]


def _term_before(sentence_words: list[str], j: int, terms: frozenset[tuple[str, ...]], words: frozenset[str]) -> bool:
    """Whether a term of terms (at most four tokens) starts at token j and one of words follows it."""
    return any(
        sentence_words[k] in words and tuple(sentence_words[j:k]) in terms
        for k in range(j + 1, min(j + 5, len(sentence_words)))
    )


def _drop_after(found_in: Found, tokens: Tokens, not_after: dict[str, frozenset[str]]) -> None:
    """Forget the terms of a list that come right after one of its not_after words."""
    for index, here in found_in.items():
        if not any(name in here for name in not_after):
            continue
        for name, words in not_after.items():
            at = here.get(name)
            if at is None:
                continue
            base, sentence_words = tokens.bounds[index], tokens.words[index]
            kept = [p for p in at if not (p > base and sentence_words[p - base - 1] in words)]
            if kept:
                here[name] = kept
            else:
                del here[name]


def _sequence_spans(rule: Rule, positions: dict[str, list[int]]) -> list[tuple[int, int]]:
    """For each start of the sequence's first list, the shortest in-order span that completes it."""
    rest = [sorted(positions[name]) for name in rule.sequence[1:]]
    spans = []
    for first in positions[rule.sequence[0]]:
        last = first
        for ordered in rest:
            at = bisect_right(ordered, last)  # the first occurrence after the last one taken
            if at == len(ordered):
                break
            last = ordered[at]
        else:
            spans.append((first, last))
    return spans


def matched_text(rule: Rule, index: int, found_in: Found, tokens: Tokens) -> str:
    """The sentence a rule fired on, with the next one when its follow lists are there."""
    last = followed(rule, index, found_in, tokens) if rule.follow else index
    return " ".join(s.text for s in tokens.sentences[index : (last or index) + 1])


def read_article(title: str, text: str, ruleset: Ruleset, tally_terms: TallyTerms | None) -> tuple[str, Tokens, Found]:
    """The headline as classified, the sentences and tokens of headline and body, and where their terms are."""
    body = normalise(text)
    head = normalise(title or "").strip()
    tokens = Tokens.of(f"{head}\n{body}" if head else body)
    found_in = (ruleset.lexicon if tally_terms is None else ruleset.lexicon_with(tally_terms)).scan(tokens)
    if ruleset.not_after:
        _drop_after(found_in, tokens, ruleset.not_after)
    if ruleset.not_before:
        _drop_before(found_in, tokens, ruleset.not_before)
    return head, tokens, found_in


def classify(
    title: str, text: str, published: date | None, ruleset: Ruleset, tally_terms: TallyTerms | None = None
) -> Classification:
    """Which categories the article reports, on which rules and sentences, and the tallies it gives."""
    head, tokens, found_in = read_article(title, text, ruleset, tally_terms)
    sentences = tokens.sentences
    article_lists = set().union(*found_in.values())
    rules = [
        r
        for r in ruleset.rules
        if all(name in article_lists for name in r.context)
        and not any(name in article_lists for name in r.context_exclude)
    ]
    # A rule can fire only on a sentence that holds its first list: each sentence tries only those rules, in order.
    by_first: dict[str, list[tuple[int, Rule]]] = {}
    for order, rule in enumerate(rules):
        by_first.setdefault(rule.sequence[0] if rule.sequence else rule.anywhere[0], []).append((order, rule))
    fired_in: dict[int, list[Rule]] = {}
    for index, positions in found_in.items():
        tried = [pair for name in positions if name in by_first for pair in by_first[name]]
        if len(tried) > 1:
            tried.sort(key=itemgetter(0))
        fired = [
            rule
            for _, rule in tried
            if all(name in positions for name in rule.sequence)  # tuples, not sets: compiled, faster
            and all(name in positions for name in rule.anywhere)
            and not any(name in positions for name in rule.exclude)
            and _rule_fires(rule, positions, tokens, index, found_in)
        ]
        if fired:
            fired_in[index] = fired

    # Whole sentences explain an alert better than a headline or a fragment: each rule is shown
    # on its first complete sentence, if it fired on one.
    found: list[Match] = []
    fired_rules: set[str] = set()
    for index in sorted(fired_in, key=lambda i: (not _COMPLETE.search(sentences[i].text), i)):
        for rule in fired_in[index]:
            if rule.name not in fired_rules:
                fired_rules.add(rule.name)
                found.append(Match(rule.name, rule.category, matched_text(rule, index, found_in, tokens)))

    tallies: tuple[Tally, ...] = ()
    if tally_terms is not None:
        # The headline is its own paragraph, hence its own sentences; totals are read from the body only.
        first_body = next((i for i, s in enumerate(sentences) if s.start >= len(head)), len(sentences)) if head else 0
        tallies = tuple(tallies_in(tokens, first_body, published, tally_terms, found_in))
        if tallies and ruleset.tally_category and not any(m.category == ruleset.tally_category for m in found):
            found.append(Match("reported-attack-total", ruleset.tally_category, tallies[0].sentence))
    categories = tuple(c for c in dict.fromkeys(m.category for m in found))
    return Classification(categories, tuple(found), tallies)
