"""Numbers as they are written in news text: digits, words, ordinals, dozens and hundreds, and the
pattern that finds a figure with the qualifier before it ("at least 23", "more than five dozen")."""

from __future__ import annotations

from typing import Final

import re
from collections.abc import Iterable

from ..text import WordStart

_UNITS: Final = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS: Final = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
# Ordinal words count ("the fifth attack since Wednesday"); "first" does not: a first attack is no running total.
_ORDINAL_UNITS: Final = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
}
_ORDINAL_TENS: Final = {
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
}
# A trie of words: each letter to the rest; "" marks the end of a word.
_Node = dict[str, "_Node"]
_ORDINAL_DIGITS: Final = {"first": 1, **{k: v for k, v in _ORDINAL_UNITS.items() if v < 10}}


def _longest_first(words: Iterable[str]) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _trie(words: Iterable[str]) -> str:
    """Words (a space: any run of spaces) as one regex that branches letter by letter ("fo(?:ur(?:teen|th)?|rty)"): the same
    words, longest first where one is a prefix of another, without trying every word at every
    offset of a text."""
    tree: _Node = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: _Node) -> str:
        ends = "" in node
        branches = [(r"\s+" if ch == " " else re.escape(ch)) + walk(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            # A longer word first, then the word that ends here.
            return "(?:" + body + ")?" if len(branches) == 1 else body + "?"
        return body

    return "(?:" + walk(tree) + ")"


_BELOW_HUNDRED: Final = (
    r"(?:" + _trie(_TENS) + r"(?:[\s-]" + _trie(k for k in _UNITS if _UNITS[k] < 10) + r")?"
    r"|" + _trie(_UNITS) + r")"
)
# "one hundred and thirty-five", "a hundred", "two hundred"
_WORD_NUMBER: Final = (
    r"(?:(?:a|"
    + "|".join(k for k in _UNITS if _UNITS[k] < 10)
    + r")\s+hundred(?:\s+(?:and\s+)?"
    + _BELOW_HUNDRED
    + r")?"
    r"|" + _BELOW_HUNDRED + r")"
)
_WORD_ORDINAL: Final = (
    r"(?:" + _trie(_TENS) + r"[\s-]" + _trie(_ORDINAL_DIGITS) + r"|" + _trie([*_ORDINAL_UNITS, *_ORDINAL_TENS]) + r")"
)
_NUMBER: Final = (
    r"(?P<num>"
    r"(?:half\s+a|a|" + _WORD_NUMBER + r")\s+dozen"
    r"|\d{1,3}(?:,\d{3})+|\d+(?:st|nd|rd|th)?"
    r"|" + _WORD_ORDINAL + r"|" + _WORD_NUMBER + r")(?![\w:/.,]\d)(?!\w)(?!-[a-z])"
)
# The words a number in words can open with ("half a dozen", "a hundred", "twenty-fifth").
_FIRST_WORDS: Final = frozenset([*_UNITS, *_TENS, *_ORDINAL_UNITS, *_ORDINAL_TENS, "a", "half"])
# Counts that carry their own "times": "attacked twice since Sunday", "... and once in Jordan".
_ADVERB_COUNTS: Final = {"once": 1, "twice": 2, "thrice": 3}
_SPACES: Final = re.compile(r"\s+")
_DIGITS: Final = re.compile(r"(\d+)(st|nd|rd|th)?")
# The tokens of a number in words: a sentence without one of them or a digit holds no figure.
NUMBER_WORDS: Final = frozenset([*_UNITS, *_TENS, *_ORDINAL_UNITS, *_ORDINAL_TENS, *_ADVERB_COUNTS, "dozen", "hundred"])
ORDINAL_WORDS: Final = frozenset([*_ORDINAL_UNITS, *_ORDINAL_TENS])


def parse_number(words: str) -> tuple[int, bool]:
    """'five dozen' -> 60, '23rd' -> (23, ordinal), 'twenty-three' -> 23, 'one hundred and eight' -> 108,
    'twenty-fifth' -> (25, ordinal)."""
    if words.isdecimal():
        return int(words), False
    w = words.lower().replace(",", "")
    w = _SPACES.sub(" ", w)
    if w.endswith("dozen"):
        head = w[: -len("dozen")].strip()
        if head == "a":
            return 12, False
        if head == "half a":
            return 6, False
        return parse_number(head)[0] * 12, False
    m = _DIGITS.fullmatch(w)
    if m:
        return int(m.group(1)), bool(m.group(2))
    if w in _ADVERB_COUNTS:
        return _ADVERB_COUNTS[w], False
    total, ordinal = 0, False
    for part in re.split(r"[\s-]", w):
        if part == "hundred":
            total = (total or 1) * 100
        elif part in _ORDINAL_DIGITS or part in _ORDINAL_UNITS or part in _ORDINAL_TENS:
            total += _ORDINAL_DIGITS.get(part) or _ORDINAL_UNITS.get(part) or _ORDINAL_TENS[part]
            ordinal = True
        else:
            total += _TENS.get(part, 0) + _UNITS.get(part, 0)
    return total, ordinal


def _phrase_regex(phrase: str) -> str:
    return r"\s+".join(re.escape(w) for w in phrase.lower().split())


def _count_regex(qualifiers: dict[str, list[str]]) -> tuple[WordStart, re.Pattern[str]]:
    """A figure and the qualifier before it; and "once", "twice", "thrice" with theirs, a pattern
    apart that runs only on a sentence with one of them (a longer alternation costs at every word).
    Matched against lower-cased text: case-blind matching of these alternations costs three times
    as much."""
    words = {" ".join(w.lower().split()) for ws in qualifiers.values() for w in ws}
    qualifier = r"(?:(?P<qual>" + _trie(words) + r")\s+(?:the\s+)?)?"
    # What a figure opens with: a digit, or the first word of a qualifier or of a number in words.
    first = r"\d|" + _trie({*_FIRST_WORDS, *(w.split(" ")[0] for w in words)}) + r"(?!\w)"
    return WordStart(qualifier + _NUMBER, r"\w.,-", first=first), re.compile(
        r"(?<![\w.,-])" + qualifier + r"(?P<num>once|twice|thrice)(?!\w)(?!-[a-z])"
    )
