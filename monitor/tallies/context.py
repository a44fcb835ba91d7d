"""What a sentence takes from the sentences around it: the total named again by its figure ("Of the
66, ..."), an ordinal after a sentence that names US forces, and the answer to a question that asked
how many attacks there were."""

from __future__ import annotations

import re

from ..text import Found, Tokens, lower
from .candidates import _ORDINAL_ENDINGS
from .numbers import ORDINAL_WORDS, parse_number
from .vocabulary import _ATTACK_WORDS, _TARGETS

_OF_THE_FIGURE = re.compile(r"\s*of\s+the\s+(?P<figure>[\w,-]+),")


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


_HOW_MANY = re.compile(r"\bhow\s+many\b|\b(?:number|count|tally|total)\s+of\s+(?:\w+\s+){0,2}?attacks\b")


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
