"""What a sentence takes from the sentences around it: the total named again by its figure ("Of the
66, ..."), an ordinal after a sentence that names US forces, and the answer to a question that asked
how many attacks there were, and a start stated in the sentence before or after a figure."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any, Final

from ..models import Tally
from ..text import Found, Tokens, lower
from .candidates import _ORDINAL_ENDINGS
from .numbers import ORDINAL_WORDS, parse_number
from .period import _FIRST_CAME, _HALTED, _HALTED_SINCE, _period, _Period
from .vocabulary import _ATTACK_WORDS, _TARGETS, BASES_OF, TallyTerms

_OF_THE_FIGURE: Final = re.compile(r"\s*of\s+the\s+(?P<figure>[\w,-]+),")


def names_the_total(sentence: str, total: int) -> bool:
    """Whether the sentence opens with the total just given, named by its figure: "Of the 66, ..."."""
    m = _OF_THE_FIGURE.match(lower(sentence))
    return m is not None and parse_number(m.group("figure"))[0] == total


def after_target(tokens: Tokens, index: int, found_in: Found) -> bool:
    """Whether the sentence has an ordinal and the sentence before names US or coalition forces: "A drone
    hit U.S. forces at the base. It was the 92nd attack." counts the attacks on them."""
    words = tokens.words[index]
    return (
        index > 0
        and _TARGETS in found_in.get(index - 1, {})
        and (
            not ORDINAL_WORDS.isdisjoint(words) or any(w[-2:] in _ORDINAL_ENDINGS and w[:-2].isdecimal() for w in words)
        )
    )


_HOW_MANY: Final = re.compile(r"\bhow\s+many\b|\b(?:number|count|tally|total)\s+of\s+(?:\w+\s+){0,2}?attacks\b")


def asked_how_many(tokens: Tokens, index: int, found_in: Found) -> int | None:
    """The question the sentence answers, if the one before asked how many attacks on US or coalition
    forces there were ("Q: How many times have U.S. troops been attacked since Oct. 17?" ... "As of
    today, 118 - 51 in Iraq and 67 in Syria."), else None."""
    # The question may be followed by another ("... since Oct. 17? And how does this strike change that?").
    for before in (index - 1, index - 2):
        if before < 0 or not tokens.sentences[before].text.rstrip().endswith("?"):
            return None
        names = found_in.get(before, {})
        # "How many times have U.S. troops been attacked?", "Can you give us the overall number of attacks now?"
        if _ATTACK_WORDS in names and _HOW_MANY.search(lower(tokens.sentences[before].text)):
            return before
    return None


def _period_nearby(
    tokens: Tokens,
    index: int,
    first: int,
    found_in: Found,
    published: date | None,
    terms: TallyTerms,
    tallies: list[Tally],
    figures: list[int],
) -> tuple[str, _Period] | None:
    """A start stated near a figure that has none in its sentence ("... 38 times. The attacks began on
    Oct. 17."): the sentence before, the sentence after (both in its paragraph, both about attacks),
    then the headline. Not the start of a larger total just given: a part of it is no running total;
    unless the figures are its regional parts, which add up to it ("53 in Iraq and 77 in Syria" of 130)."""
    places = []
    if index > first and tokens.same_paragraph(index - 1, index):
        places.append(("the sentence before", index - 1))
    if index >= first and index + 1 < len(tokens.sentences) and tokens.same_paragraph(index, index + 1):
        places.append(("the sentence after", index + 1))
    if index >= first:
        places += [("the headline", i) for i in range(first)]
    for where, j in places:
        names = found_in.get(j, ())
        text = tokens.sentences[j].text
        began = (
            "began" in tokens.words[j]
            or "started" in tokens.words[j]
            # "The first came on Oct. 17."
            or ("first" in tokens.words[j] and not _FIRST_CAME.isdisjoint(tokens.words[j]))
        )
        if _ATTACK_WORDS not in names and _TARGETS not in names and not began:
            continue
        # "attacks have stopped since early February" dates a halt, not the count.
        if not _HALTED.isdisjoint(tokens.words[j]) and _HALTED_SINCE.search(lower(text)):
            continue
        period = _period(text, lower(text), tokens.words[j], published, terms, rolling=False)
        if period.since is None:
            continue
        if any(
            t.sentence == text
            and t.since == period.since
            and t.count > max(figures)
            and not (len(figures) > 1 and t.count == sum(figures))
            for t in tallies
        ):
            continue
        return where, period
    return None


def names_us_forces(names: dict[str, list[int]]) -> bool:
    """Whether a sentence names US or coalition forces, or one of their bases ("Mission Support Site Euphrates")."""
    return _TARGETS in names or any(name.startswith(BASES_OF) for name in names)


_ATTACKS_ON: Final = re.compile(r"\battacks?\s+(?:on|against|targeting)\s+(?:the\s+)?", re.IGNORECASE)


def attacks_on_others(sentence: str, terms: TallyTerms) -> bool:
    """Whether the sentence names attacks on someone other than US or coalition forces ("attacks on Iraqi
    security forces and Peshmerga")."""
    return any(terms.other_targets.match(sentence, m.end()) for m in _ATTACKS_ON.finditer(sentence))


# A line of a list that breaks a total down: "- Iraq: 79", "- In Syria: 34", "- of which in Iraq: 57".
_LIST_PART: Final = re.compile(
    r"^\W{0,3}(?:(?:of\s+which\s+)?in\s+)?(?P<region>[A-Z][a-z]+)\s*[:|]\s*(?P<count>\d{1,4})\W*$", re.I
)


def list_line(sentence: str, terms: TallyTerms) -> tuple[str, int] | None:
    """The region and count of a list line that breaks a total down ("- Iraq: 79"), else None."""
    m = _LIST_PART.match(sentence)
    hit = terms.regions.fullmatch(m.group("region")) if m else None
    return (terms.region_named(hit), int(m.group("count"))) if m and hit else None


def list_part(sentence: str, terms: TallyTerms, tallies: list[Tally], lines_after: int) -> Tally | None:
    """A list line's part of the last total, taken at most four sentences before it, with its period."""
    last = next((t for t in reversed(tallies) if t.region == "total"), None)
    part = list_line(sentence, terms)
    if part is None or last is None or last.region != "total" or part[1] >= last.count or lines_after > 4:
        return None
    return replace(last, count=part[1], qualifier="exact", region=part[0], sentence=sentence)


def date_headline_figures(
    tallies: list[Tally],
    undated: set[int],
    from_headline: set[int],
    taken: list[tuple[Tally, int]],
    trace: list[Any] | None,
) -> None:
    """A headline's figure with no period near it has the start of the body's first total: "Some 60
    attacks on U.S. troops" over "attacked at least 61 times since Oct. 17"."""
    start = next((t.since for t in tallies if id(t) not in from_headline and t.region == "total" and t.since), None)
    for i, t in enumerate(tallies if start else ()):
        if id(t) in undated:
            tallies[i] = dated = replace(t, since=start)
            from_headline.add(id(dated))
            for k, (tally, at) in enumerate(taken):
                if tally is t:
                    taken[k] = (dated, at)
                    if trace is not None:
                        trace[at] = replace(trace[at], tally=dated, reason=f"{trace[at].reason}; start from the body")
