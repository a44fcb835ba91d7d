"""WordStart finds what its plain pattern finds, only faster: the same matches, spans and groups."""

from __future__ import annotations

import re

import pytest
from conftest import REPO

from monitor.config import load_rules
from monitor.text import WordStart, lower

_, TERMS = load_rules(REPO / "config" / "monitor.toml")

TEXTS = [
    "",
    "7",
    "at least 12",
    "12 rockets, 3 drones and at least twenty-one mortar rounds hit the camp",
    "Militants have fired on the garrison more than five dozen times since the spring",
    "no fewer than one hundred and twelve strikes, half a dozen of them at night",
    "a dozen, a hundred, a minimum of 4,500 and a.5 or 3.5 or 1,2 or 7-day",
    "the 31st and thirty-second raids came on 2024-03-01 at 10:30",
    "over 9 - over the line - around 40% of about nineteen",
    "Some 60 were counted; some were not.  Nearly 8 ",
]


def spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], dict[str, str | None]]]:
    return [(m.span(), m.groupdict()) for m in matches]


@pytest.mark.parametrize("text", TEXTS)
def test_the_figure_pattern_finds_what_a_plain_search_finds(text):
    count = TERMS.count
    low = lower(text)
    assert spans(count.finditer(low)) == spans(list(count.pattern.finditer(low)))
    for pos in range(len(low) + 1):
        assert spans(count.finditer(low, pos)) == spans(list(count.pattern.finditer(low, pos)))
        fast, plain = count.search(low, pos), count.pattern.search(low, pos)
        assert (fast and fast.span()) == (plain and plain.span())


def test_a_match_may_start_where_the_one_before_ends():
    # The body ends with a character that may come before a match: the next one starts right there.
    pattern = WordStart(r"[a-z]+ ", first="[a-z]")
    text = "one two  three four"
    assert [m.group() for m in pattern.finditer(text)] == ["one ", "two ", "three "]
    for pos in range(len(text) + 1):
        assert spans(pattern.finditer(text, pos)) == spans(list(pattern.pattern.finditer(text, pos)))
        fast, plain = pattern.search(text, pos), pattern.pattern.search(text, pos)
        assert (fast and fast.span()) == (plain and plain.span())
