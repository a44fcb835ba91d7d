"""Whether a figure counts attacks on US or coalition forces: who it is aimed at, who struck, and
what a figure reached ("rose to 40") is the count of."""

from __future__ import annotations

from typing import Final

import re

from .regions import _WORD_START
from .vocabulary import TallyTerms

_WORDS_AFTER: Final = re.compile(r"[\w'’-]+")
_AIMED_AT: Final = re.compile(
    # the noun or the target may be quoted: 200 "operations" against "American occupation bases"
    r"[\"”']?\s*(?:[\w'’-]+\s+){0,4}?(?:on|against|at|into|toward|targeting|hit|struck|targeted)\s+[\"“']?(?P<what>(?:[\w'’.-]+\s+){0,3})"
)
# What may follow a figure reached: "rose to 40 since ...", "climbed to 40 on Monday", "... so far".

_CLAUSE_BREAK: Final = re.compile(r"[,;:](?!\d)")
_TOTAL_WORDS: Final = frozenset(("total", "tally", "count", "number", "figure"))


def _attacks_rose(before: str, terms: TallyTerms) -> bool:
    """Whether what reached the figure can be the count of attacks: in the clause before it, a
    counted noun ("attacks rose to 130") or a total ("came under fire again, bringing the total to
    76"), and no casualty word after them ("the attack raised the death toll to 3" is not)."""
    words = _WORDS_AFTER.findall(_CLAUSE_BREAK.split(before)[-1].lower())
    last = max(
        (i for i, w in enumerate(words) if w in _TOTAL_WORDS or (w in terms.counted and w != "times")), default=None
    )
    # "The number of U.S. service members diagnosed with brain injuries after the attack has risen to 109":
    # the number is of people.
    numbers_of = (i for i, w in enumerate(words[:-1]) if w in _TOTAL_WORDS and words[i + 1] == "of")
    if any(
        terms.counted.isdisjoint(words[i + 2 : i + 5]) and not terms.not_counted.isdisjoint(words[i + 2 : i + 5])
        for i in numbers_of
    ):
        return False
    return last is not None and terms.casualties.isdisjoint(words[last + 1 :])


_TOTAL_OF: Final = re.compile(
    r"\s+the\s+(?:total\s+)?(?:number|total|tally|count)\s+of\s+((?:[\w'-]+\s+){0,3}?[\w'-]+)"
)


def _total_of_attacks_after(rest: str, terms: TallyTerms) -> bool:
    """'brings to 200 the number of attacks': the figure reached is named after it."""
    m = _TOTAL_OF.match(rest)
    return m is not None and not terms.counted.isdisjoint(m.group(1).lower().split())


def _aimed_at_us(rest: str, noun: str, terms: TallyTerms) -> bool:
    """Whether the noun after a figure is aimed at US or coalition forces: "strikes against its forces"."""
    at = rest.lower().find(noun)
    tail = rest[at + len(noun) :] + " "
    m = _AIMED_AT.match(tail) if at >= 0 else None
    what = _ARTICLE.sub("", m.group("what")) if m else ""
    return (
        m is not None
        and _AT_ONCE.match(rest, at + len(noun)) is not None
        and bool(terms.target_and_word.match(what) or _BASES_OF_US.match(tail, m.start("what")))
    )


# "operations against the bases of the American occupation"
_BASES_OF_US: Final = re.compile(
    r"(?:the\s+)?(?:bases|positions|forces)\s+of\s+(?:the\s+)?(?:american|us|u\.s\.|coalition)\b", re.IGNORECASE
)
# the noun may be quoted: 'roughly 200 "operations" against US bases'
_AT_ONCE: Final = re.compile(r"[\"”']?\s+(?:on|against|targeting|at)\s")
_ARTICLE: Final = re.compile(r"^(?:the|an?)\s+", re.IGNORECASE)


# A target followed by an active verb of striking is the one who struck: "U.S. forces have struck
# militia sites seven times", not "U.S. forces have been struck seven times".
_STRUCK_BY_THEM: Final = re.compile(
    r"\s+(?:have\s+|has\s+|had\s+)?(?:struck|hit|bombed|attacked|targeted|raided|carried\s+out|conducted|launched)\b"
    # "targeted by militias", a headline's "U.S. forces targeted for 38th time": passive
    r"(?!\s+(?:by|for)\b)",
    re.IGNORECASE,
)


_STRUCK_BACK: Final = re.compile(r"\b(?:struck|hit|fought|lashed)\s+back\b|\bretaliated\b", re.IGNORECASE)


def _us_struck(before: str, terms: TallyTerms) -> bool:
    """Whether, in the figure's clause, the last US or coalition force named is the one that struck."""
    clause = _CLAUSE_BREAK.split(before)[-1]
    # "Washington has struck back on five occasions": the count is of its responses.
    if _STRUCK_BACK.search(clause):
        return True
    # Only a verb with a target just before it can be one: most clauses have none, and finding the
    # last target of a clause costs a scan of it.
    if not any(_ends_with_name(clause[: v.start()], terms) for v in _STRUCK_BY_THEM.finditer(clause)):
        return False
    named = list(terms.target_names.finditer(clause))
    last = named[-1] if named else None
    verb = _STRUCK_BY_THEM.match(clause, last.end()) if last else None
    # Something struck between the verb and the figure; a headline's "US troops hit 5 times" is passive.
    return verb is not None and bool(clause[verb.end() :].strip())


def _ends_with_name(text: str, terms: TallyTerms) -> bool:
    """Whether text ends with a target, tried from its last few word starts."""
    starts = [m.start() for m in _WORD_START.finditer(text, max(0, len(text) - 60))]
    return any(terms.target_names.fullmatch(text, p) for p in starts[-terms.target_words :])


def _aimed_elsewhere(rest: str, terms: TallyTerms) -> bool:
    """'27 attacks on ships', 'more than 50 attacks against Israel': a count of attacks on someone else."""
    m = _AIMED_AT.match(rest + " ")
    return bool(m and terms.other_targets.search(m.group("what")))
