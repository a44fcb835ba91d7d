"""Calendar dates in news text ("Oct. 17", "17 October 2023", "Friday"), resolved against the
publication date, and the spans of numbers that are no counts (years, clock times, percentages)."""

from __future__ import annotations

from typing import Final

import re
from collections.abc import Iterable
from datetime import date, timedelta

from ..text import WordStart, is_word_character

_MONTHS: Final = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH: Final = (
    r"(?P<month>jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?"
    r"|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DAY: Final = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR: Final = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
# These read lower-cased text (see _count_regex). A pattern that opens with \b or a look-around is tried at
# every offset, one that opens with a set of characters only where one is: so _MONTH_DAY is tried
# only where str.find finds a month (_month_days), and _DAY_MONTH and _NOT_COUNTS open with a digit
# and check the word boundary before it after it.
_MONTH_DAY: Final = re.compile(_MONTH + r"\s+" + _DAY + r"\b" + _YEAR)
# The same where a word starts, for a text without its tokens at hand (its months unknown).
_MONTH_DAY_AT_WORD: Final = WordStart(_MONTH_DAY.pattern)
_DAY_MONTH: Final = re.compile(
    r"(?P<day>\d(?<!\w\d)(?:(?<=[0-3])\d)?)(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b" + _YEAR
)
_MONTH_ONLY: Final = re.compile(r"\b(?P<part>early|mid|late)?[\s-]*" + _MONTH + r"\b" + _YEAR, re.IGNORECASE)
_WEEKDAYS: Final = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY: Final = re.compile(r"\b(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b")
# Numbers that are no counts: years (19xx, 20xx), clock times, percentages.
_NOT_COUNTS: Final = re.compile(
    r"\d(?:(?<=1)(?<!\w1)9\d\d\b|(?<=2)(?<!\w2)0\d\d\b|\d*:\d+|\d*(?:\.\d+)?\s*(?:%|percent))"
)
_THIS_YEAR: Final = re.compile(r"\b(?:this\s+year|the\s+start\s+of\s+the\s+year|the\s+beginning\s+of\s+the\s+year)\b")
# "since the start of 2021": 1 January of that year.
_START_OF_YEAR: Final = re.compile(r"\b(?:the\s+)?(?:start|beginning)\s+of\s+(?P<year>(?:19|20)\d\d)\b")


def _month_number(name: str) -> int:
    return _MONTHS[name.lower().rstrip(".")[:4].rstrip("e") if name.lower().startswith("sept") else name.lower()[:3]]


def _on_or_before(published: date | None, month: int, day: int, year: str | None) -> date | None:
    """A month and day without a year is the latest such day not after publication."""
    try:
        if year:
            return date(int(year), month, day)
        if published is None:
            return None
        candidate = date(published.year, month, day)
        if candidate > published:
            candidate = date(published.year - 1, month, day)
        return candidate
    except ValueError:
        return None


def _find_date(text: str, published: date | None) -> tuple[date | None, int, int] | None:
    """The first calendar date in text (month-day, day-month, or a weekday), with its span."""
    text = text.lower()
    found = []
    month_days = _month_days(text)
    for m in (month_days[0] if month_days else None, _DAY_MONTH.search(text)):
        if m:
            year = m.group("year")
            # "the 28th of October of last year"
            if year is None and published is not None and text.startswith(" of last year", m.end()):
                year = str(published.year - 1)
            d = _on_or_before(published, _month_number(m.group("month")), int(m.group("day")), year)
            found.append((m.start(), m.end(), d))
    m = _WEEKDAY.search(text)
    if m and published is not None:
        # The latest such weekday before publication: "since Friday" in a Monday article.
        back = (published.weekday() - _WEEKDAYS.index(m.group("weekday"))) % 7 or 7
        found.append((m.start(), m.end(), published - timedelta(days=back)))
    if not found:
        return None
    start, end, d = min(found, key=lambda f: f[0])
    return d, start, end


# The tokens _MONTH matches: a sentence without one holds no month-day date.
_MONTH_TOKENS: Final = frozenset(
    "jan january feb february mar march apr april may jun june jul july aug august "
    "sep sept sepember september oct october nov november dec december".split()
)


def _date_spans(lowered: str, words: list[str]) -> list[tuple[int, int]]:
    """Where the sentence has dates, years, clock times and percentages: numbers that are no counts.
    Each pattern runs only if the sentence has what it needs (a month word, 19 or 20, ":", "%")."""
    spans = []
    if "19" in lowered or "20" in lowered or ":" in lowered or "%" in lowered or "percent" in lowered:
        spans += [m.span() for m in _NOT_COUNTS.finditer(lowered)]
    months = _MONTH_TOKENS.intersection(words)
    if months:
        spans += [m.span() for m in _month_days(lowered, months)] + [m.span() for m in _DAY_MONTH.finditer(lowered)]
    return spans


def _month_days(lowered: str, months: Iterable[str] | None = None) -> list[re.Match[str]]:
    """Month-day dates ("oct. 17, 2023"), in order: _MONTH_DAY tried where one of the months (the
    month words a sentence has, else any month) starts a word. No two such dates can overlap, so
    trying each start alone finds what a scan of the text would."""
    if months is None:
        return _MONTH_DAY_AT_WORD.finditer(lowered)
    starts = set()
    for month in months:
        at = lowered.find(month)
        while at >= 0:
            if not (at and is_word_character(lowered[at - 1])):
                starts.add(at)
            at = lowered.find(month, at + 1)
    return [m for m in (_MONTH_DAY.match(lowered, at) for at in sorted(starts)) if m]
