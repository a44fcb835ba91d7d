"""A figure's period: since and until, from its own clause, its sentence, its neighbours in the
paragraph, then the headline."""

from __future__ import annotations

from typing import Final

import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..text import lower
from .dates import (
    _DAY,
    _DAY_MONTH,
    _MONTH,
    _MONTH_ONLY,
    _MONTH_TOKENS,
    _START_OF_YEAR,
    _THIS_YEAR,
    _WEEKDAYS,
    _YEAR,
    _find_date,
    _month_number,
    _on_or_before,
)
from .numbers import _UNITS
from .vocabulary import TallyTerms


@dataclass(frozen=True, slots=True)
class _Period:
    since: date | None
    until: date | None
    explicit: bool  # the sentence itself states the start, or says the window rolls
    phrase: str | None = None  # the words that set since or until


# These read the lower-cased sentence (see _count_regex), as does _THIS_YEAR.
_SINCE: Final = re.compile(r"\bsince\b")
# Words that open a start when a date or a named event follows at once: "after Hamas' Oct. 7 attack",
# "the attacks began on Oct. 17", "from October 17th until now".
# Who began, when a start is said with "began": the attacks ("they began on Oct. 17", "militias began
# targeting them on Oct. 17"), not the US ("the U.S. military began airstrikes on Feb. 2").
_ATTACKS_SUBJECT: Final = re.compile(
    r"(?:\b(?:they|these|those|which|attacks|campaign|militias|groups|proxies)"
    # "a string of attacks on U.S. personnel that began on Oct. 17", not "a pause that began"
    r"|\battacks\b[^,;]{0,40}?\bthat)\s+(?:had\s+|have\s+)?$"
)
_ATTACK_VERB_AFTER: Final = re.compile(r"\s*(?:targeting|attacking|firing|launching)\b")
_START_WORDS: Final = re.compile(
    r"\b(?:after|following|from|beginning|starting|began|begun|started"
    # "the first came on Oct. 17", "the first attack was on Oct. 17"
    r"|first\s+(?:one\s+|attack\s+|of\s+them\s+)?(?:came|was|occurred|took\s+place))\b(?:\s+on\b)?"
)
_BETWEEN: Final = re.compile(r"\b(?:between|from)\s+(?P<a>.{3,80}?)\s+(?:and|to|through|until)\s+")
_CLAUSE_COMMA: Final = re.compile(r",(?=\s+(?!to\b|and\b|until\b|through\b)[a-z])")
_DAY_FIRST: Final = re.compile(r"[0-3]?\d(?:st|nd|rd|th)?\b")
_WEEKDAY_RANGE: Final = re.compile(
    r"\b(?:on|between|from)\s+(?P<a>"
    + "|".join(_WEEKDAYS)
    + r")\s+(?:and|to|through|until)\s+(?P<b>"
    + "|".join(_WEEKDAYS)
    + r")\b"
)
_REPORTED_ON: Final = re.compile(
    r"\b(?:said|says|told|reported|announced|stated|briefing|noted|confirmed|disclosed)\b[^.;]{0,40}?\bon\s+(?P<d>"
    + _MONTH
    + r"\s+"
    + _DAY
    + r")"
    + _YEAR
)
# "By Oct. 30, the Pentagon counted 23": only opening the sentence, where it dates the count.
_AS_OF: Final = re.compile(r"\b(?:as\s+of|as\s+at|through|up\s+to)\s+|^by\s+|\bthat\s+by\s+")
_CLAUSE_END: Final = re.compile(r"[;:]|,\s+(?:according|a\s|an\s|the\s|said|when|while|who|which)|\baccording to\b")
# A window that rolls, said with a number: "in two days", "over the past 48 hours", "in less than a week".
_ROLLING_SPAN: Final = re.compile(
    r"\b(?:in|over|within|during|for)\s+(?:the\s+)?(?:past|last|previous|preceding|recent|less\s+than|under|just)?\s*"
    r"(?:(?:a|an|" + "|".join(_UNITS) + r"|\d+|few|several|couple\s+of)\s+)?(?:hours?|days?|weeks?|months?)\b"
)


def _start_in(clause: str, published: date | None, terms: TallyTerms) -> tuple[date, int] | None:
    """The first start the clause names, and where: a named event ("the war in Gaza began"), a date,
    a month ("since January", "since mid-October"), or this year. The earliest in the clause wins:
    "since mid-October, after Hamas' Oct. 7 attack" starts in mid-October."""
    day = _find_date(clause, published)
    if day and day[0] and day[1] == 0:
        # "since Oct. 17": only an event said at the same place comes first ("since Oct. 7 attack").
        for ev in terms.events:
            if published is not None and ev.valid_from <= published <= ev.valid_until and ev.phrase.match(clause):
                return ev.day, 0
        return day[0], 0
    found: list[tuple[int, date]] = []
    if published is not None:
        for ev in terms.events:
            if ev.valid_from <= published <= ev.valid_until:
                m = ev.phrase.search(clause)
                if m:
                    found.append((m.start(), ev.day))
    if day and day[0]:
        found.append((day[1], day[0]))
    m = _MONTH_ONLY.search(clause)
    # Months as words are capitalised; "may" is otherwise a verb.
    if m and published is not None and m.group("month")[0].isupper():
        month = _month_number(m.group("month"))
        part = {"mid": 15, "late": 21}.get((m.group("part") or "").lower(), 1)
        year = m.group("year")
        # "since October last year": that month of the year before publication
        if year is None and _LAST_YEAR.match(clause, m.end()):
            year = str(published.year - 1)
        d = _on_or_before(published, month, part, year)
        if d:
            found.append((m.start("part") if m.group("part") else m.start("month"), d))
    this_year = _THIS_YEAR.search(lower(clause)) if published is not None else None
    if this_year and published is not None:
        found.append((this_year.start(), date(published.year, 1, 1)))
    year_start = _START_OF_YEAR.search(lower(clause)) if "of 2" in clause or "of 1" in clause else None
    if year_start:
        found.append((year_start.start(), date(int(year_start.group("year")), 1, 1)))
    if not found:
        return None
    at, d = min(found, key=lambda f: f[0])
    return d, at


def _resolve_since(clause: str, published: date | None, terms: TallyTerms) -> date | None:
    found = _start_in(clause, published, terms)
    return found[0] if found else None


def _clause_after(sentence: str, low: str, at: int, words: int = 14) -> str:
    """The words of the clause from offset at, at most so many; the clause keeps its case (a capital
    tells the month May from the verb)."""
    cut = _CLAUSE_END.search(low, at)
    return " ".join(sentence[at : cut.start() if cut else len(sentence)].split()[:words])


def _period(
    sentence: str, low: str, words: list[str], published: date | None, terms: TallyTerms, rolling: bool
) -> _Period:
    """The period a sentence's counts cover (low: the sentence lower-cased). Tried in this order:
    "between A and B" (both ends), "since A" anywhere in the clause after it, a start word ("after",
    "began on", "from") right before a date or event, "this year"; "as of B" or "said on B" set the
    end. Each pattern is tried only when the sentence has the tokens it needs: the words are at
    hand, the regex searches cost more."""
    until = None
    until_phrase = None
    has = frozenset(words).__contains__
    m = _REPORTED_ON.search(low) if has("on") and not _MONTH_TOKENS.isdisjoint(words) else None
    if m:
        d = _on_or_before(published, _month_number(m.group("month")), int(m.group("day")), m.group("year"))
        if d and published and d < published:
            until = d
            until_phrase = sentence[m.start() : m.end()]
    if has("as") or has("through") or has("up") or (has("by") and (low.startswith("by ") or "that by " in low)):
        for m in _AS_OF.finditer(low):
            today = _TODAY.match(low, m.end()) if published is not None else None
            if today and published is not None:
                # "as of today", "as of this morning": the day it was said, the publication day
                until, until_phrase = published, sentence[m.start() : today.end()]
                break
            if published is not None and low.startswith("yesterday", m.end()):
                until, until_phrase = published - timedelta(days=1), sentence[m.start() : m.end() + 9]
                break
            found = _find_date(low[m.end() : m.end() + 30], published)
            if found and found[0] and found[1] == 0:
                until = found[0]
                until_phrase = sentence[m.start() : m.end() + found[2]]
                break
    m = _BETWEEN.search(low) if has("between") or has("from") else None
    # "from" spans no clause: "a tally compiled from Pentagon statements, despite a pause ... until Friday".
    if m and m.group().startswith("from") and _CLAUSE_COMMA.search(m.group("a")):
        m = None
    if m:
        start = _start_in(sentence[m.start("a") : m.end("a")], published, terms)
        if start:
            # "... and the 4th of February", "... to the end of January 2024"
            lead = 4 if low.startswith("the ", m.end()) else 0
            end_text = low[m.end() + lead : m.end() + lead + 25]
            month_end = _MONTH_END.match(end_text)
            day_only = _DAY_FIRST.match(end_text) if not _DAY_MONTH.match(end_text) else None
            if month_end:
                month = _month_number(month_end.group("month"))
                first_day = _on_or_before(published, month, 1, month_end.group("year"))
                if first_day:
                    last_day = (first_day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
                    end_text = f"{last_day.strftime('%B')} {last_day.day}, {last_day.year}"
            elif day_only:  # "between October 17th and 24th"
                end_text = f"{start[0].strftime('%B')} {day_only.group()}"
            end = _find_date(end_text, published)
            # The end is a date said at once ("and Nov. 13"), not "and early February" or a later date.
            end_day = end[0] if end and end[1] == 0 else until
            return _Period(
                start[0],
                end_day,
                True,
                _phrases(sentence[m.start() : m.end() + (end[2] if end and end[1] == 0 else 0)], None),
            )
    m = _WEEKDAY_RANGE.search(low) if has("and") else None
    if m:
        first, last = _find_date(m.group("a"), published), _find_date(m.group("b"), published)
        if first and last and first[0] and last[0] and first[0] <= last[0]:
            return _Period(first[0], last[0], True, sentence[m.start() : m.end()])
    m = _SINCE.search(low) if has("since") else None
    if m:
        clause = _clause_after(sentence, low, m.end())
        since = _resolve_since(clause, published, terms)
        if since:
            return _Period(since, until, True, _phrases("since " + clause, until_phrase))
    for m in _START_WORDS.finditer(low):
        # "counting from the first drone attacks of the campaign on Oct. 17": the start a few words on
        counting = m.group().startswith("from") and low.endswith("counting ", 0, m.start())
        clause = _clause_after(sentence, low, m.end(), 12 if counting else 8)
        start = _start_in(clause, published, terms)
        # After "began" the start may come a few words on ("began targeting them on Oct. 17"); else only
        # at once ("after Hamas' attack", "after the Oct. 7 attack"), not later in the clause ("after
        # the drone hit the base on Sunday").
        if start and (
            bool(
                _ATTACKS_SUBJECT.search(low[max(0, m.start() - 60) : m.start()])
                or _ATTACK_VERB_AFTER.match(low, m.end())
            )
            if m.group().startswith(("began", "begun", "started"))
            else counting or len(clause[: start[1]].split()) <= 1
        ):
            return _Period(start[0], until, True, _phrases(m.group() + " " + clause, until_phrase))
    # "In the first four months of the Gaza war they launched more than 160 attacks": from the war's start
    m = _FIRST_SPAN_OF.search(low) if has("first") else None
    if m:
        clause = _clause_after(sentence, low, m.end(), 8)
        start = _start_in(clause, published, terms)
        if start and len(clause[: start[1]].split()) <= 1:
            return _Period(start[0], until, True, _phrases(sentence[m.start() : m.end() + 20], until_phrase))
    this_month = _THIS_MONTH.search(low) if has("month") and published is not None else None
    if this_month and published is not None:
        # "at least four times this month": from the month's first day, as "this year" is from 1 January
        return _Period(
            published.replace(day=1),
            until,
            True,
            _phrases(sentence[this_month.start() : this_month.end()], until_phrase),
        )
    this_year = _THIS_YEAR.search(low) if has("year") and published is not None else None
    if this_year and published is not None:
        return _Period(
            date(published.year, 1, 1),
            until,
            True,
            _phrases(sentence[this_year.start() : this_year.end()], until_phrase),
        )
    in_year = _IN_YEAR.search(low) if published is not None else None
    if in_year and published is not None and int(in_year.group("year")) <= published.year:
        # "53 attacks on US bases in Syria throughout 2024": that year, to its end once it is over
        year = int(in_year.group("year"))
        year_end = date(year, 12, 31) if year < published.year else until
        return _Period(date(year, 1, 1), year_end, True, sentence[in_year.start() : in_year.end()])
    if rolling or _ROLLING_SPAN.search(low):
        return _Period(None, until, True, _phrases("a rolling window", until_phrase))
    # One day's or one weekend's count, where no "as of" day ends a longer one.
    m = _WEEKEND.search(low) if has("weekend") and published is not None and until is None else None
    if m and published is not None:
        # The last Saturday and Sunday before publication (or the Saturday before a Sunday's paper).
        saturday = published - timedelta(days=(published.weekday() - 5) % 7 or 7)
        return _Period(saturday, saturday + timedelta(days=1), True, sentence[m.start() : m.end()])
    for m in _ONE_DAY.finditer(low) if has("on") and until is None else ():
        if m.group("counted") or m.group("alone"):
            day = _find_date(m.group("when"), published)
            if day and day[0]:
                return _Period(day[0], day[0], True, sentence[m.start("when") : m.end("when")])
    return _Period(None, until, False, until_phrase)


_TODAY: Final = re.compile(r"today|this\s+(?:morning|afternoon|evening)|tonight|now\b")
_LAST_YEAR: Final = re.compile(r"\s+(?:of\s+)?last\s+year\b", re.IGNORECASE)
_MONTH_END: Final = re.compile(r"end\s+of\s+" + _MONTH + r"\b" + _YEAR)
_IN_YEAR: Final = re.compile(r"\b(?:in|throughout|during)\s+(?:all\s+of\s+)?(?P<year>(?:19|20)\d\d)\b(?![,.]?\s*\d)")
_FIRST_SPAN_OF: Final = re.compile(
    r"\b(?:in|during|over)\s+the\s+first\s+(?:[\w-]+\s+){1,4}?(?:days|weeks|months|years?)\s+of\s+"
)
_THIS_MONTH: Final = re.compile(r"\b(?:this\s+month|the\s+(?:start|beginning)\s+of\s+the\s+month)\b")

# A weekend's count: "attacked U.S. forces half a dozen times over the weekend" is Saturday to Sunday.
_WEEKEND: Final = re.compile(r"\b(?:over|during|at|on|this|last)\s+(?:the\s+)?weekend\b")

# One day's count: "attacked U.S. forces three times on Thursday", "two attacks on U.S. troops on Nov. 9",
# "On Thursday alone, ..." (not "said on Thursday": only after the counted noun, or with "alone").
_ONE_DAY: Final = re.compile(
    r"(?P<counted>\b(?:times|attacks)\s+(?:[\w.'-]+\s+){0,3}?)?\bon\s+(?P<when>"
    + "|".join(_WEEKDAYS)
    + r"|"
    + _MONTH
    + r"\s+"
    + _DAY
    + r")\b(?!\s*,?\s*(?:and|or|to|through)\b)(?P<alone>\s+alone\b)?"
)


def _phrases(since: str | None, until: str | None) -> str | None:
    return "; ".join(p for p in (since, until) if p) or None


# Every token that one of _period's ways to a start needs, but a range of weekdays ("on Friday and Saturday").
_HALTED: Final = frozenset("stopped halted paused ceased".split())
_HALTED_SINCE: Final = re.compile(r"\b(?:stopped|halted|paused|ceased)\s+(?:[\w-]+\s+){0,2}?since\b")
_START_TOKENS: Final = frozenset(
    "since between from after following beginning starting began begun started year month weekend".split()
)
_WEEKDAY_TOKENS: Final = frozenset(_WEEKDAYS)
# One day's count (_ONE_DAY) needs one of these beside "on" and a day.
_ONE_DAY_TOKENS: Final = frozenset("times attacks alone".split())


# "the first came on Oct. 17": "first" is common, so it needs one of these verbs beside it
_FIRST_CAME: Final = frozenset("came was occurred took".split())


def _may_have_start(words: list[str]) -> bool:
    """Whether _period can find a start in a sentence of these tokens."""
    return (
        not _START_TOKENS.isdisjoint(words)
        or (not _WEEKDAY_TOKENS.isdisjoint(words) and sum(w in _WEEKDAY_TOKENS for w in words) >= 2)
        or ("first" in words and not _FIRST_CAME.isdisjoint(words))
        or (
            "on" in words
            and not _ONE_DAY_TOKENS.isdisjoint(words)
            and not (_WEEKDAY_TOKENS.isdisjoint(words) and _MONTH_TOKENS.isdisjoint(words))
        )
    )
