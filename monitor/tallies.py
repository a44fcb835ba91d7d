"""Article text -> the running totals of attacks on US forces that it reports.

A tally is a count ("at least 23 attacks", "169 times", "the 144th attack")
with its qualifier, the period it covers (since, until, resolved against the
publication date) and its region. The words (what is counted, targets,
regions, rolling windows, named events) come from config/tallies.toml; the
grammar of numbers, qualifiers and dates is here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from collections.abc import Iterable
from datetime import date, timedelta

from .errors import ConfigError
from .models import Tally
from .text import Found, Lexicon, Tokens, is_word_character, lower, normalise, term_regex, tokenize

# ---------------------------------------------------------------- numbers

_UNITS = {
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
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
# Ordinal words count ("the fifth attack since Wednesday"); "first" does not: a first attack is no running total.
_ORDINAL_UNITS = {
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
_ORDINAL_TENS = {
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
}
_ORDINAL_DIGITS = {"first": 1, **{k: v for k, v in _ORDINAL_UNITS.items() if v < 10}}


def _longest_first(words) -> str:
    return "|".join(sorted(words, key=len, reverse=True))


def _trie(words) -> str:
    """Words (a space: any run of spaces) as one regex that branches letter by letter ("fo(?:ur(?:teen|th)?|rty)"): the same
    words, longest first where one is a prefix of another, without trying every word at every
    offset of a text."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def walk(node: dict) -> str:
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


_BELOW_HUNDRED = (
    r"(?:" + _trie(_TENS) + r"(?:[\s-]" + _trie(k for k in _UNITS if _UNITS[k] < 10) + r")?"
    r"|" + _trie(_UNITS) + r")"
)
# "one hundred and thirty-five", "a hundred", "two hundred"
_WORD_NUMBER = (
    r"(?:(?:a|"
    + "|".join(k for k in _UNITS if _UNITS[k] < 10)
    + r")\s+hundred(?:\s+(?:and\s+)?"
    + _BELOW_HUNDRED
    + r")?"
    r"|" + _BELOW_HUNDRED + r")"
)
_WORD_ORDINAL = (
    r"(?:" + _trie(_TENS) + r"[\s-]" + _trie(_ORDINAL_DIGITS) + r"|" + _trie([*_ORDINAL_UNITS, *_ORDINAL_TENS]) + r")"
)
_NUMBER = (
    r"(?P<num>"
    r"(?:half\s+a|a|" + _WORD_NUMBER + r")\s+dozen"
    r"|\d{1,3}(?:,\d{3})+|\d+(?:st|nd|rd|th)?"
    r"|" + _WORD_ORDINAL + r"|" + _WORD_NUMBER + r")(?![\w:/.,]\d)(?!\w)(?!-[a-z])"
)
# Counts that carry their own "times": "attacked twice since Sunday", "... and once in Jordan".
_ADVERB_COUNTS = {"once": 1, "twice": 2, "thrice": 3}
_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"(\d+)(st|nd|rd|th)?")
# The tokens of a number in words: a sentence without one of them or a digit holds no figure.
NUMBER_WORDS = frozenset([*_UNITS, *_TENS, *_ORDINAL_UNITS, *_ORDINAL_TENS, *_ADVERB_COUNTS, "dozen", "hundred"])
ORDINAL_WORDS = frozenset([*_ORDINAL_UNITS, *_ORDINAL_TENS])


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


def _count_regex(qualifiers: dict[str, list[str]]) -> tuple[re.Pattern, re.Pattern]:
    """A figure and the qualifier before it; and "once", "twice", "thrice" with theirs, a pattern
    apart that runs only on a sentence with one of them (a longer alternation costs at every word).
    Matched against lower-cased text: case-blind matching of these alternations costs three times
    as much."""
    words = {" ".join(w.lower().split()) for ws in qualifiers.values() for w in ws}
    qualifier = r"(?:(?P<qual>" + _trie(words) + r")\s+(?:the\s+)?)?"
    return re.compile(r"(?<![\w.,-])" + qualifier + _NUMBER), re.compile(
        r"(?<![\w.,-])" + qualifier + r"(?P<num>once|twice|thrice)(?!\w)(?!-[a-z])"
    )


def _qualifier_name(text: str | None, terms: "TallyTerms") -> str:
    if not text:
        return "exact"
    return terms.qualifier_of.get(_SPACES.sub(" ", text.lower()), "exact")


# ---------------------------------------------------------------- dates

_MONTHS = {
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
_MONTH = (
    r"(?P<month>jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?"
    r"|sept?(?:ember|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
# These read lower-cased text (see _count_regex). A pattern that opens with \b or a look-around is tried at
# every offset, one that opens with a set of characters only where one is: so _MONTH_DAY is tried
# only where str.find finds a month (_month_days), and _DAY_MONTH and _NOT_COUNTS open with a digit
# and check the word boundary before it after it.
_MONTH_DAY = re.compile(_MONTH + r"\s+" + _DAY + r"\b" + _YEAR)
_MONTH_PREFIXES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAY_MONTH = re.compile(r"(?P<day>\d(?<!\w\d)(?:(?<=[0-3])\d)?)(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b" + _YEAR)
_MONTH_ONLY = re.compile(r"\b(?P<part>early|mid|late)?[\s-]*" + _MONTH + r"\b" + _YEAR, re.IGNORECASE)
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY = re.compile(r"\b(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b")
# Numbers that are no counts: years (19xx, 20xx), clock times, percentages.
_NOT_COUNTS = re.compile(r"\d(?:(?<=1)(?<!\w1)9\d\d\b|(?<=2)(?<!\w2)0\d\d\b|\d*:\d+|\d*(?:\.\d+)?\s*(?:%|percent))")
_THIS_YEAR = re.compile(r"\b(?:this\s+year|the\s+start\s+of\s+the\s+year|the\s+beginning\s+of\s+the\s+year)\b")


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
    for m in ((_month_days(text) or [None])[0], _DAY_MONTH.search(text)):
        if m:
            d = _on_or_before(published, _month_number(m.group("month")), int(m.group("day")), m.group("year"))
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
_MONTH_TOKENS = frozenset(
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


def _month_days(lowered: str, months: Iterable[str] = _MONTH_PREFIXES) -> list[re.Match]:
    """Month-day dates ("oct. 17, 2023"), in order: _MONTH_DAY tried where one of the months (the
    month words a sentence has, else every month's first three letters) starts a word. No two such
    dates can overlap, so trying each start alone finds what a scan of the text would."""
    starts = set()
    for month in months:
        at = lowered.find(month)
        while at >= 0:
            if not (at and is_word_character(lowered[at - 1])):
                starts.add(at)
            at = lowered.find(month, at + 1)
    return [m for m in (_MONTH_DAY.match(lowered, at) for at in sorted(starts)) if m]


# ---------------------------------------------------------------- terms


@dataclass(frozen=True)
class Event:
    phrase: re.Pattern
    day: date
    valid_from: date
    valid_until: date


@dataclass(frozen=True)
class TallyTerms:
    counted: frozenset[str]
    aimed_nouns: frozenset[str]  # counted only when aimed at US or coalition forces: "strikes on U.S. bases"
    modifiers: frozenset[str]
    target_and_word: re.Pattern  # a target and at most one more word: "US forces (stationed)"
    target_words: int  # the most tokens such a phrase has
    target_names: re.Pattern  # the targets alone
    other_targets: re.Pattern
    not_counted: frozenset[str]
    casualties: frozenset[str]  # what else a figure can be reached by: "raised the death toll to 3"
    regions: re.Pattern  # every region word, longest first, each its own group
    region_of_group: tuple[str, ...]  # the region of each group
    events: tuple[Event, ...]
    count: re.Pattern  # a figure with its qualifier, in lower-cased text
    adverb_count: re.Pattern  # the same for "once", "twice", "thrice"
    qualifier_of: dict[str, str]  # each qualifier phrase (lower case, single spaces) -> its name
    qualifier_words: frozenset[str]  # the tokens of the qualifier phrases
    reached: frozenset[str]  # the words just before a figure reached: "rose to 40", "stand at 160"
    to_figure: re.Pattern  # the same, at the end of the text before a figure
    lexicon: Lexicon  # targets, attack_words, anaphors, excluded, rolling: matched in one pass over a text


# The tally lists' names in a lexicon, kept apart from the rules' lists when one lexicon holds both
# (a rules file cannot name a list with a dot: TOML reads it as a table).
LEXICON_PREFIX = "tallies."
_TARGETS, _ATTACK_WORDS, _ANAPHORS, _EXCLUDED, _ROLLING = (
    LEXICON_PREFIX + k for k in ("targets", "attack_words", "anaphors", "excluded", "rolling")
)


def _alternation(words: list[str]) -> re.Pattern:
    return re.compile("|".join(term_regex(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)


def compile_tally_terms(raw: dict, source: str) -> TallyTerms:
    lists = {}
    for key in (
        "counted",
        "modifiers",
        "targets",
        "attack_words",
        "anaphors",
        "excluded",
        "other_targets",
        "not_counted",
        "rolling",
        "reached",
        "aimed_nouns",
    ):
        value = raw.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise ConfigError(source, key, "must be a non-empty list of non-empty strings")
        lists[key] = value
    # Optional, so that a tallies file written before it was added still loads.
    casualties = raw.get("casualties", [])
    if not isinstance(casualties, list) or not all(isinstance(v, str) and v.strip() for v in casualties):
        raise ConfigError(source, "casualties", "must be a list of non-empty strings")
    unknown = set(raw) - set(lists) - {"regions", "events", "casualties", "reached", "qualifiers"}
    if unknown:
        raise ConfigError(source, sorted(unknown)[0], "unknown key")
    qualifiers = raw.get("qualifiers")
    if not isinstance(qualifiers, dict) or set(qualifiers) != {"at_least", "more_than", "about"}:
        raise ConfigError(source, "qualifiers", "must be a table with at_least, more_than and about")
    for name, words in qualifiers.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(source, f"qualifiers.{name}", "must be a non-empty list of non-empty strings")
    regions = raw.get("regions")
    if not isinstance(regions, dict) or not regions:
        raise ConfigError(source, "regions", "must be a table of region name -> list of words")
    for name, words in regions.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise ConfigError(source, f"regions.{name}", "must be a non-empty list of strings")
    events = []
    for i, ev in enumerate(raw.get("events", [])):
        key = f"events[{i}]"
        if not isinstance(ev, dict) or set(ev) - {"phrases", "date", "valid_from", "valid_until"}:
            raise ConfigError(source, key, "takes phrases, date, valid_from and valid_until")
        phrases = ev.get("phrases")
        if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) for p in phrases):
            raise ConfigError(source, f"{key}.phrases", "must be a non-empty list of strings")
        days = []
        for field_name in ("date", "valid_from", "valid_until"):
            value = ev.get(field_name)
            if isinstance(value, str):
                try:
                    value = date.fromisoformat(value)
                except ValueError:
                    raise ConfigError(source, f"{key}.{field_name}", "must be a date, YYYY-MM-DD") from None
            if not isinstance(value, date):
                raise ConfigError(source, f"{key}.{field_name}", "must be a date, YYYY-MM-DD")
            days.append(value)
        events.append(Event(_alternation(phrases), *days))
    lower = lambda key: frozenset(w.lower() for w in lists[key])  # noqa: E731
    region_words = sorted(((w, name) for name, words in regions.items() for w in words), key=lambda wn: -len(wn[0]))
    counts = _count_regex(qualifiers)
    return TallyTerms(
        counted=lower("counted"),
        aimed_nouns=lower("aimed_nouns"),
        modifiers=lower("modifiers"),
        # A target, and at most one more word, just before "in": "US troops stationed in Syria".
        target_and_word=re.compile(
            "(?:" + _alternation(lists["targets"]).pattern + r")(?:\s+[\w-]+)?\s*", re.IGNORECASE
        ),
        target_names=_alternation(lists["targets"]),
        target_words=1 + max(len(tokenize(t)) for t in lists["targets"]),
        other_targets=_alternation(lists["other_targets"]),
        not_counted=lower("not_counted"),
        casualties=frozenset(w.lower() for w in casualties),
        regions=re.compile("|".join(f"({term_regex(w)})" for w, _ in region_words), re.IGNORECASE),
        region_of_group=tuple(name for _, name in region_words),
        events=tuple(events),
        count=counts[0],
        adverb_count=counts[1],
        qualifier_of={" ".join(w.lower().split()): name for name, ws in qualifiers.items() for w in ws},
        qualifier_words=frozenset(t for ws in qualifiers.values() for w in ws for t in tokenize(w)),
        reached=lower("reached"),
        to_figure=re.compile(
            r"\b(?:" + _longest_first(_phrase_regex(w) for w in lists["reached"]) + r")\s+$", re.IGNORECASE
        ),
        lexicon=Lexicon(
            {LEXICON_PREFIX + k: lists[k] for k in ("targets", "attack_words", "anaphors", "excluded", "rolling")}
        ),
    )


# ---------------------------------------------------------------- periods


@dataclass(frozen=True, slots=True)
class _Period:
    since: date | None
    until: date | None
    explicit: bool  # the sentence itself states the start, or says the window rolls
    phrase: str | None = None  # the words that set since or until


# These read the lower-cased sentence (see _count_regex), as does _THIS_YEAR.
_SINCE = re.compile(r"\bsince\b")
# Words that open a start when a date or a named event follows at once: "after Hamas' Oct. 7 attack",
# "the attacks began on Oct. 17", "from October 17th until now".
# Who began, when a start is said with "began": the attacks ("they began on Oct. 17", "militias began
# targeting them on Oct. 17"), not the US ("the U.S. military began airstrikes on Feb. 2").
_ATTACKS_SUBJECT = re.compile(
    r"\b(?:they|these|those|which|attacks|campaign|militias|groups|proxies)\s+(?:had\s+|have\s+)?$"
)
_ATTACK_VERB_AFTER = re.compile(r"\s*(?:targeting|attacking|firing|launching)\b")
_START_WORDS = re.compile(r"\b(?:after|following|from|beginning|starting|began|begun|started)\b(?:\s+on\b)?")
_BETWEEN = re.compile(r"\b(?:between|from)\s+(?P<a>.{3,80}?)\s+(?:and|to|through|until)\s+")
_DAY_FIRST = re.compile(r"[0-3]?\d(?:st|nd|rd|th)?\b")
_WEEKDAY_RANGE = re.compile(
    r"\b(?:on|between|from)\s+(?P<a>"
    + "|".join(_WEEKDAYS)
    + r")\s+(?:and|to|through|until)\s+(?P<b>"
    + "|".join(_WEEKDAYS)
    + r")\b"
)
_REPORTED_ON = re.compile(
    r"\b(?:said|says|told|reported|announced|stated|briefing|noted|confirmed|disclosed)\b[^.;]{0,40}?\bon\s+(?P<d>"
    + _MONTH
    + r"\s+"
    + _DAY
    + r")"
    + _YEAR
)
_AS_OF = re.compile(r"\b(?:as\s+of|as\s+at|through|up\s+to)\s+")
_CLAUSE_END = re.compile(r"[;:]|,\s+(?:according|a\s|an\s|the\s|said|when|while|who|which)|\baccording to\b")
# A window that rolls, said with a number: "in two days", "over the past 48 hours", "in less than a week".
_ROLLING_SPAN = re.compile(
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
        d = _on_or_before(published, month, part, m.group("year"))
        if d:
            found.append((m.start("part") if m.group("part") else m.start("month"), d))
    this_year = _THIS_YEAR.search(lower(clause)) if published is not None else None
    if this_year:
        found.append((this_year.start(), date(published.year, 1, 1)))
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
    if has("as") or has("through") or has("up"):
        for m in _AS_OF.finditer(low):
            found = _find_date(low[m.end() : m.end() + 30], published)
            if found and found[0] and found[1] == 0:
                until = found[0]
                until_phrase = sentence[m.start() : m.end() + found[2]]
                break
    m = _BETWEEN.search(low) if has("between") or has("from") else None
    if m:
        start = _start_in(sentence[m.start("a") : m.end("a")], published, terms)
        if start:
            end_text = low[m.end() : m.end() + 25]
            day_only = _DAY_FIRST.match(end_text)
            if day_only:  # "between October 17th and 24th"
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
        if first and last and first[0] <= last[0]:
            return _Period(first[0], last[0], True, sentence[m.start() : m.end()])
    m = _SINCE.search(low) if has("since") else None
    if m:
        clause = _clause_after(sentence, low, m.end())
        since = _resolve_since(clause, published, terms)
        if since:
            return _Period(since, until, True, _phrases("since " + clause, until_phrase))
    for m in _START_WORDS.finditer(low):
        clause = _clause_after(sentence, low, m.end(), 8)
        start = _start_in(clause, published, terms)
        # After "began" the start may come a few words on ("began targeting them on Oct. 17"); else only
        # at once ("after Hamas' attack", "after the Oct. 7 attack"), not later in the clause ("after
        # the drone hit the base on Sunday").
        if start and (
            bool(
                _ATTACKS_SUBJECT.search(low[max(0, m.start() - 30) : m.start()])
                or _ATTACK_VERB_AFTER.match(low, m.end())
            )
            if m.group().startswith(("began", "begun", "started"))
            else len(clause[: start[1]].split()) <= 1
        ):
            return _Period(start[0], until, True, _phrases(m.group() + " " + clause, until_phrase))
    this_year = _THIS_YEAR.search(low) if has("year") and published is not None else None
    if this_year:
        return _Period(
            date(published.year, 1, 1),
            until,
            True,
            _phrases(sentence[this_year.start() : this_year.end()], until_phrase),
        )
    if rolling or _ROLLING_SPAN.search(low):
        return _Period(None, until, True, _phrases("a rolling window", until_phrase))
    return _Period(None, until, False, until_phrase)


def _phrases(since: str | None, until: str | None) -> str | None:
    return "; ".join(p for p in (since, until) if p) or None


# ---------------------------------------------------------------- counts


@dataclass(frozen=True, slots=True)
class _Count:
    count: int
    qualifier: str
    region: str
    explicit_qualifier: bool
    is_part: bool  # a regional part of a list ("... and 11 in Syria")
    words: str  # the figure as written, with its qualifier
    increment: bool = False  # "two more attacks": what was added, a total only with a start of its own
    at: int = 0  # where the figure starts in its sentence


_WORDS_AFTER = re.compile(r"[\w'’-]+")

_PLACE_AFTER = re.compile(r"\s*(?:[\w'’.-]+\s+){0,8}?in\s+(?P<place>[^.;]{0,80})")
_BEFORE_REGION = re.compile(r"(?:the\s+)?(?:[a-z][\w-]*\s+)?")
_BETWEEN_REGIONS = re.compile(r"\s*(?:,|and|or|as well as)?\s*(?:in\s+)?")


def _region_after(rest: str, terms: TallyTerms) -> str:
    """The one region a count is in ("14 times in Iraq"), else total ("in Iraq and Syria", or none named)."""
    m = _PLACE_AFTER.match(rest)
    if not m:
        return "total"
    place = m.group("place")
    found = [
        (hit.start(), hit.end(), terms.region_of_group[hit.lastindex - 1]) for hit in terms.regions.finditer(place)
    ]
    # The region must open the place phrase ("in eastern Syria"), not come later in the sentence.
    if not found or not _BEFORE_REGION.fullmatch(place, 0, found[0][0]):
        return "total"
    _, first_end, first = found[0]
    for start, _, name in found[1:]:
        if name != first and _BETWEEN_REGIONS.fullmatch(place, first_end, start):
            return "total"
    return first


def _region_before(before: str, terms: TallyTerms) -> str | None:
    """The region named just before a figure: "Iraq accounted for 57 and Syria 83"."""
    tail = before[-40:]
    last = None
    for last in terms.regions.finditer(tail):  # noqa: B007 - the loop only finds the last match
        pass
    if last and _REGION_THEN_FIGURE.fullmatch(tail, last.end()):
        return terms.region_of_group[last.lastindex - 1]
    return None


def _region_of(masked: str, m: re.Match, following: int, earlier: list, terms: TallyTerms) -> str:
    """The region of the count m: named after it, before the following count; else named before it
    ("US forces in Syria were attacked nine times"); else the total."""
    region = _region_after(masked[m.end() : following], terms)
    if region != "total" or earlier:
        return region
    # Only in the figure's clause: "U.S. forces in Syria were attacked on Tuesday, officials said, the
    # 74th time troops in the region were targeted" counts the region's total, not Syria's.
    before = masked[: m.start()]
    before = before[max(before.rfind(","), before.rfind(";")) + 1 :]
    places = list(_IN_PLACE.finditer(before))
    if places:
        last = places[-1].start()
        region = _region_after(before[last:], terms)
        # Only a place that follows the target itself counts ("US forces in Syria"), not any earlier one.
        if region != "total" and _ends_with_target(before[max(0, last - 40) : last], terms):
            return region
    return "total"


_IN_PLACE = re.compile(r"\s+in\s+")
_WORD_START = re.compile(r"(?<![\w-])\w")


def _ends_with_target(text: str, terms: TallyTerms) -> bool:
    """Whether text ends with a target and at most one more word ("US troops stationed"). Tried from
    the last few word starts only: a search anchored at the end would try every offset."""
    starts = [m.start() for m in _WORD_START.finditer(text)]
    return any(terms.target_and_word.fullmatch(text, p) for p in starts[-terms.target_words :])


_AIMED_AT = re.compile(
    r"\s*(?:[\w'’-]+\s+){0,4}?(?:on|against|at|into|toward|targeting)\s+(?P<what>(?:[\w'’.-]+\s+){0,3})"
)
# What may follow a figure reached: "rose to 40 since ...", "climbed to 40 on Monday", "... so far".
_FIGURE_END = re.compile(r"\s*(?:since|between|in\b|over\b|on\b|as\s+of\b|so\s+far\b|to\s+date\b|according\b|,|\.|$)")
_TIMES = re.compile(r"\btimes\b")
_RATIO = re.compile(r"\s+(?:as|the|more|higher|larger|greater)\b")
_PART_OF = re.compile(r"\s+of\s+(?P<which>them|those|these|the|which)\b\s*(?P<noun>[\w'’-]+)?")
# What stands between a region and its part: "Syria 83", "Iraq accounted for 57", "Iraq saw 20".
_REGION_THEN_FIGURE = re.compile(r"\s+(?:(?:accounted\s+for|saw|had|recorded|registered|with|was|were)\s+)?$")


_INCREMENT = frozenset(("more", "additional", "further", "new"))
_CLAUSE_BREAK = re.compile(r"[,;:](?!\d)")
_TOTAL_WORDS = frozenset(("total", "tally", "count", "number"))


def _attacks_rose(before: str, terms: TallyTerms) -> bool:
    """Whether what reached the figure can be the count of attacks: in the clause before it, a
    counted noun ("attacks rose to 130") or a total ("came under fire again, bringing the total to
    76"), and no casualty word after them ("the attack raised the death toll to 3" is not)."""
    words = _WORDS_AFTER.findall(_CLAUSE_BREAK.split(before)[-1].lower())
    last = max(
        (i for i, w in enumerate(words) if w in _TOTAL_WORDS or (w in terms.counted and w != "times")), default=None
    )
    return last is not None and terms.casualties.isdisjoint(words[last + 1 :])


_TOTAL_OF = re.compile(r"\s+the\s+(?:total\s+)?(?:number|total|tally|count)\s+of\s+((?:[\w'-]+\s+){0,3}?[\w'-]+)")


def _total_of_attacks_after(rest: str, terms: TallyTerms) -> bool:
    """'brings to 200 the number of attacks': the figure reached is named after it."""
    m = _TOTAL_OF.match(rest)
    return bool(m) and not terms.counted.isdisjoint(m.group(1).lower().split())


def _aimed_at_us(rest: str, noun: str, terms: TallyTerms) -> bool:
    """Whether the noun after a figure is aimed at US or coalition forces: "strikes against its forces"."""
    at = rest.lower().find(noun)
    m = _AIMED_AT.match(rest[at + len(noun) :] + " ") if at >= 0 else None
    what = _ARTICLE.sub("", m.group("what")) if m else ""
    return bool(m) and _AT_ONCE.match(rest, at + len(noun)) is not None and bool(terms.target_and_word.match(what))


_AT_ONCE = re.compile(r"\s+(?:on|against|targeting|at)\s")
_ARTICLE = re.compile(r"^(?:the|an?)\s+", re.IGNORECASE)


# A target followed by an active verb of striking is the one who struck: "U.S. forces have struck
# militia sites seven times", not "U.S. forces have been struck seven times".
_STRUCK_BY_THEM = re.compile(
    r"\s+(?:have\s+|has\s+|had\s+)?(?:struck|hit|bombed|attacked|targeted|raided|carried\s+out|conducted|launched)\b(?!\s+by\b)",
    re.IGNORECASE,
)


def _us_struck(before: str, terms: TallyTerms) -> bool:
    """Whether, in the figure's clause, the last US or coalition force named is the one that struck."""
    clause = _CLAUSE_BREAK.split(before)[-1]
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


def _figure_matches(lowered: str, words: list[str], terms: TallyTerms) -> list[re.Match]:
    """The figures of a lower-cased sentence, in order."""
    found = list(terms.count.finditer(lowered))
    if not _ADVERB_WORDS.isdisjoint(words):
        found = sorted([*found, *terms.adverb_count.finditer(lowered)], key=lambda m: m.start())
    return found


_ADVERB_WORDS = frozenset(_ADVERB_COUNTS)


def _counts_in(
    sentence: str,
    lowered: str,
    words: list[str],
    terms: TallyTerms,
    after_total: int,
    rejected: list[tuple[str, str]] | None = None,
) -> list[_Count]:
    """The counts of attacks in a sentence; with rejected, also every other figure and why it is none.
    after_total: the total the sentence refers back to ("Of those, 29 ..."), else 0."""
    masked = sentence
    for start, end in _date_spans(lowered, words):
        masked = masked[:start] + "#" * (end - start) + masked[end:]
        lowered = lowered[:start] + "#" * (end - start) + lowered[end:]
    counts: list[_Count] = []
    list_qualifier = None
    found = _figure_matches(lowered, words, terms)
    for n, m in enumerate(found):
        value, ordinal = parse_number(m.group("num"))
        if value <= 0:
            if rejected is not None:
                rejected.append((m.group(), "not a positive number"))
            continue
        qualifier = _qualifier_name(m.group("qual"), terms)
        rest = masked[m.end() :]
        following = _WORDS_AFTER.findall(lowered, m.end(), m.end() + 120)
        before = masked[: m.start()]
        kind = None
        region_hint = None
        if ordinal:
            # "the 108th attack", "the 74th time troops were targeted", "the 144th on U.S. troops"
            if following and (
                following[0] in terms.counted or following[0] in ("time", "on", "against", "such", "since")
            ):
                kind = "count"
            # "the 74th on U.S. forces since Oct. 17, and the 40th in Syria"
            elif (
                following and following[0] == "in" and (counts or after_total) and _region_after(rest, terms) != "total"
            ):
                kind = "part"
        elif m.group("num") in ("twice", "thrice"):
            if not _RATIO.match(lowered, m.end()):
                kind = "count"
        else:
            for k, word in enumerate(following[:6]):
                if word in terms.counted:
                    # "three times the number", "five times as many": a ratio, unless a comma or a
                    # stop comes first ("attacked 46 times, the Pentagon said").
                    times = _TIMES.search(lowered, m.end()) if word == "times" else None
                    if times and _RATIO.match(lowered, times.end()):
                        break
                    # "two one-way attack drones": the noun is what is counted, not its modifier.
                    if k + 1 < len(following) and following[k + 1] in terms.not_counted:
                        break
                    kind = "count"
                    break
                if word in terms.aimed_nouns:
                    # "103 strikes against its forces", not "85 strikes on militia sites"
                    if _aimed_at_us(rest, word, terms):
                        kind = "count"
                    break
                if word not in terms.modifiers:
                    break
            if kind is None and following and following[0] in terms.not_counted:
                if rejected is not None:
                    rejected.append((m.group(), f"counts {following[0]!r}, not attacks"))
                continue
            if (
                kind is None
                and terms.to_figure.search(before[-30:])
                and ((_FIGURE_END.match(rest) and _attacks_rose(before, terms)) or _total_of_attacks_after(rest, terms))
            ):
                kind = "count"
            part_of = _PART_OF.match(rest)
            noun = (part_of.group("noun") or "").lower() if part_of else ""
            up_to_next = rest[: (found[n + 1].start() - m.end()) if n + 1 < len(found) else len(rest)]
            # What the figure's clause says before the next figure: no one hurt ("two of them wounded troops").
            own_clause = _CLAUSE_BREAK.split(up_to_next, 1)[0]
            unhurt = terms.casualties.isdisjoint(_WORDS_AFTER.findall(own_clause.lower()[:80]))
            if kind is None and part_of and noun in terms.counted and part_of.group("which") != "which" and unhurt:
                # "52 of those attacks", "five of the attacks were in Iraq"
                region_named = _region_after(rest, terms) != "total"
                # "not during one of the attacks" is no count; "one of them in Jordan" is a part.
                if region_named or value > 1:
                    kind = "part" if region_named else "count"
            totals = [c.count for c in counts if c.region == "total"] + ([after_total] if after_total else [])
            below_total = bool(counts or after_total) and (not totals or value < max(totals))
            # A part of a total given before it, in this sentence or the one referred back to: smaller
            # than the total, and its clause names one region ("the other 18 were aimed at bases in Syria",
            # "Iraq accounted for 57", "20 of them in Iraq"), and no one hurt ("two were wounded in Syria").
            if kind is None and below_total and (not part_of or part_of.group("which") in ("them", "those", "these")):
                if noun not in terms.not_counted and unhurt:
                    region_hint = _region_before(before, terms)
                    if region_hint or _region_after(up_to_next, terms) != "total":
                        kind = "part"
        if kind is None:
            if rejected is not None:
                rejected.append((m.group(), "no counted noun, figure reached or regional part after a total"))
            continue
        if _us_struck(before, terms):
            if rejected is not None:
                rejected.append(
                    (m.group(), "US or coalition forces did the striking ('U.S. forces have struck ... seven times')")
                )
            continue
        if _aimed_elsewhere(rest, terms):
            if rejected is not None:
                rejected.append((m.group(), "counts attacks on someone other than US or coalition forces"))
            continue
        explicit = m.group("qual") is not None
        following_count = found[n + 1].start() if n + 1 < len(found) else len(masked)
        region = region_hint or _region_of(masked, m, following_count, counts, terms)
        # A qualifier before a list of parts applies to each ("at least 14 in Iraq and nine in Syria");
        # one before a total does not pass to the parts that follow it ("at least 52, including 24 in Iraq").
        if region != "total":
            if explicit and list_qualifier is None:
                list_qualifier = qualifier
            elif not explicit and list_qualifier:
                qualifier = list_qualifier
        # "twice" is mostly said of one day's attacks: like "two more", a total only with a start of its own.
        increment = (bool(following) and following[0] in _INCREMENT) or m.group("num") in ("twice", "thrice")
        counts.append(_Count(value, qualifier, region, explicit, kind == "part", m.group(), increment, m.start()))
    return counts


# ---------------------------------------------------------------- extraction


_ORDINAL_ENDINGS = frozenset(("st", "nd", "rd", "th"))
_DIGIT = re.compile(r"\d")


def _may_hold_count(words: list[str], terms: TallyTerms) -> bool:
    """A cheap look at the tokens before the count grammar runs: a number followed closely by what
    is counted ("23 separate attacks"), an ordinal ("144th"), or a figure reached ("climbed to 130")."""
    for i, word in enumerate(words):
        if not (word[0].isdigit() or word in NUMBER_WORDS):
            continue
        ordinal = (word[-2:] in _ORDINAL_ENDINGS and word[:-2].isdecimal()) or word in ORDINAL_WORDS
        # "twice" counts only with a start in its sentence (see increment in _counts_in).
        if word in ("twice", "thrice") and _may_have_start(words):
            return True
        if (
            ordinal
            or not terms.counted.isdisjoint(words[i + 1 : i + 8])
            or not terms.aimed_nouns.isdisjoint(words[i + 1 : i + 8])
        ):
            return True
        # A figure reached, perhaps qualified: "stood at no fewer than 19".
        j = i - 1
        while j >= 0:
            if words[j] in terms.reached:
                return True
            if words[j] not in terms.qualifier_words:
                break
            j -= 1
    return False


def extract_tallies(text: str, published: date | None, terms: TallyTerms) -> list[Tally]:
    """Every reported count of attacks on US or coalition forces in the text, in order, each once."""
    text = normalise(text)
    return tallies_in(Tokens.of(text), 0, published, terms)


@dataclass(frozen=True)
class FigureTrace:
    """One figure the extractor looked at: taken as a tally or not, and why (for `monitor explain`)."""

    sentence: str
    figure: str  # the words of the figure, with its qualifier
    taken: bool
    reason: str
    period_phrase: str | None  # the words that set since or until
    tally: Tally | None


def explain_tallies(title: str, text: str, published: date | None, terms: TallyTerms) -> list[FigureTrace]:
    """Every figure of the article's sentences, taken or not and why, the way classify reads them:
    the headline is read for periods only, the body for tallies."""
    head = normalise(title or "").strip()
    body = normalise(text)
    tokens = Tokens.of(f"{head}\n{body}" if head else body)
    first = (
        next((i for i, s in enumerate(tokens.sentences) if s.start >= len(head)), len(tokens.sentences)) if head else 0
    )
    trace: list[FigureTrace] = []
    tallies_in(tokens, first, published, terms, trace=trace)
    return trace


def _figures(sentence: str, terms: TallyTerms) -> list[str]:
    """The numbers of a sentence, dates and years aside: what a rejected sentence is shown with."""
    low = lower(sentence)
    for start, end in _date_spans(low, tokenize(sentence)):
        low = low[:start] + "#" * (end - start) + low[end:]
    return [m.group() for m in _figure_matches(low, tokenize(sentence), terms)]


def tallies_in(
    tokens: Tokens,
    first: int,
    published: date | None,
    terms: TallyTerms,
    found_in: Found | None = None,
    trace: list[FigureTrace] | None = None,
    gate: bool = True,
) -> list[Tally]:
    """The tallies of a text already split and tokenised, its terms already found by a lexicon that
    holds the tally lists (else they are looked up). Sentences before index first are the headline:
    read for tallies like the body, and as the last place a figure's period is looked for.

    A figure's period is looked for in this order: its own sentence (see _period); the total before
    it, when the sentence refers back to one ("Of those, 29 ..."); the sentence before it and the
    sentence after it in the same paragraph; the headline. With trace, every figure of every sentence is recorded there, taken or not, and why; with gate
    off, the cheap look for a figure is skipped (the grammar alone decides: for testing the gate)."""
    tallies: list[Tally] = []
    if found_in is None:
        found_in = terms.lexicon.scan(tokens)
    read: set[str] = set()
    taken: list[tuple[Tally, int]] = []  # each tally taken, and its place in trace
    from_headline: set[int] = set()

    def reject(sentence: str, reason: str, figures: list[str] | None = None) -> None:
        if trace is not None:
            trace.extend(
                FigureTrace(sentence, f, False, reason, None, None) for f in (figures or _figures(sentence, terms))
            )

    indices = range(len(tokens.sentences)) if trace is not None else found_in
    # Only a sentence with attack words, or one referring back to a total, can hold a tally.
    for index in indices:
        names = found_in.get(index, {})
        s = tokens.sentences[index].text
        if _ATTACK_WORDS not in names and _ANAPHORS not in names:
            reject(s, "no attack word in the sentence")
            continue
        # Pages repeat paragraphs (a pull quote, a botched template): the same figure said twice is one tally.
        if s in read:
            reject(s, "the sentence was read before")
            continue
        read.add(s)
        if _EXCLUDED in names:
            reject(s, "the sentence names something else that is attacked or counted (an excluded term)")
            continue
        has_target = _TARGETS in names
        refers_back = bool(tallies) and _ANAPHORS in names
        if not refers_back and _ATTACK_WORDS not in names:
            reject(s, "refers back to a total, but none was given before")
            continue
        words = tokens.words[index]
        # Without a target, a figure needs a start of its own (below), and _period finds one only
        # where one of these words is: looked at first, so an unrelated sentence costs nothing more.
        if not has_target and not refers_back and not tallies and not _may_have_start(words):
            reject(s, "no US or coalition target named, and no start of its own")
            continue
        if gate and NUMBER_WORDS.isdisjoint(words) and not _DIGIT.search(s):
            continue
        if gate and not refers_back and not _may_hold_count(words, terms):
            reject(s, "no number with a counted noun, an ordinal or a figure reached")
            continue
        low = lower(s)
        rejected: list[tuple[str, str]] | None = [] if trace is not None else None
        counts = _counts_in(
            s, low, words, terms, after_total=tallies[-1].count if refers_back else 0, rejected=rejected
        )
        if rejected:
            trace.extend(FigureTrace(s, f, False, why, None, None) for f, why in rejected)
        if not counts:
            continue
        period = _period(s, low, words, published, terms, rolling=_ROLLING in names)
        if period.since is None and any(c.increment for c in counts):
            reject(
                s,
                "what was added ('two more attacks'), with no start of its own",
                [c.words for c in counts if c.increment],
            )
            counts = [c for c in counts if not c.increment]
            if not counts:
                continue
        # Without a target named, a figure counts only beside a total already given: the same figure
        # again ("27 attacks in all"), or one with its own start ("83 attacks since Biden took office").
        if (
            not has_target
            and not refers_back
            and period.since is None
            and not any(c.count == t.count for c in counts for t in tallies)
        ):
            reject(
                s,
                "no US or coalition target named, no start of its own, and not a figure given before",
                [c.words for c in counts],
            )
            continue
        since, until, phrase = period.since, period.until, period.phrase
        how = "period from its own sentence" if period.explicit else "no period stated"
        if not period.explicit and refers_back:
            since, until = tallies[-1].since, tallies[-1].until
            phrase = next((trace[at].period_phrase for tally, at in reversed(taken) if tally is tallies[-1]), None)
            how = "refers back to the total before, and takes its period"
        elif not period.explicit:
            found = _period_nearby(tokens, index, first, found_in, published, terms, tallies, counts)
            if found:
                where, near = found
                since, until, phrase = near.since, until or near.until, near.phrase
                how = f"period from {where}"
        group = [Tally(c.count, c.qualifier, since, until, c.region, s) for c in counts]
        phrases = [phrase] * len(group)
        if len(counts) > 1:
            # A clause of its own may state its own start: "120 times since Biden took office, and 45 of
            # those attacks came after Hamas' Oct. 7 assault".
            for i, own in enumerate(_clause_periods(s, low, counts, published, terms)):
                if own is not None:
                    group[i] = replace(group[i], since=own.since, until=own.until or group[i].until)
                    phrases[i] = own.phrase
        figures = [c.words for c in counts]
        totals = [t for t in group if t.region == "total"]
        parts = [t for t in group if t.region != "total"]
        # A total stated beside "at least" parts is itself at least ("at least 14 ... and nine ..., for a total of 23").
        part_qualifiers = {t.qualifier for t in parts}
        if len(part_qualifiers) == 1 and "exact" not in part_qualifiers:
            group = [
                replace(t, qualifier=next(iter(part_qualifiers)))
                if t.region == "total" and t.qualifier == "exact"
                else t
                for t in group
            ]
            totals = [t for t in group if t.region == "total"]
        if len(parts) > 1 and not totals and not refers_back:
            qualifier = next(iter(part_qualifiers)) if len(part_qualifiers) == 1 else "at_least"
            group.append(Tally(sum(t.count for t in parts), qualifier, since, until, "total", s))
            figures.append(" + ".join(c.words for c in counts))
        tallies.extend(group)
        if index < first:
            from_headline.update(map(id, group))
        if trace is not None:
            for tally, figure, said in zip(group, figures, phrases + [phrase]):
                kind = "the sum of its regional parts" if "+" in figure else (f"a count of attacks ({tally.region})")
                taken.append((tally, len(trace)))
                trace.append(
                    FigureTrace(
                        s,
                        figure,
                        True,
                        f"{kind}; {how if said is phrase else 'period from its own clause'}",
                        said,
                        tally,
                    )
                )
    # A headline is terse ("27 attacks, six of them since the Oct. 26 strikes"): its figure counts only
    # where the body does not give the same one.
    body_counts = {t.count for t in tallies if id(t) not in from_headline}
    out = _one_each([t for t in tallies if id(t) not in from_headline or t.count not in body_counts])
    if trace is not None:
        for tally, at in taken:
            if not any(tally is o for o in out):
                trace[at] = replace(
                    trace[at],
                    taken=False,
                    tally=None,
                    reason="the same figure as one given elsewhere in the article: one tally",
                )
    return out


_CLAUSE_SPLIT = re.compile(r";|,\s+(?:and|but|while|whereas)\s+|\s+-\s+")


def _clause_periods(
    sentence: str, low: str, counts: list[_Count], published: date | None, terms: TallyTerms
) -> list[_Period | None]:
    """For each count, the start its own clause states, where the sentence has more than one clause
    with counts; else None (the sentence's period holds)."""
    cuts = [m.start() for m in _CLAUSE_SPLIT.finditer(low)]
    if not cuts:
        return [None] * len(counts)
    bounds = [0, *cuts, len(sentence)]
    clause_of = [next(i for i in range(len(bounds) - 1) if bounds[i] <= c.at < bounds[i + 1]) for c in counts]
    if len(set(clause_of)) < 2:
        return [None] * len(counts)
    own: dict[int, _Period | None] = {}
    for i in set(clause_of):
        text = sentence[bounds[i] : bounds[i + 1]]
        period = _period(text, low[bounds[i] : bounds[i + 1]], tokenize(text), published, terms, rolling=False)
        own[i] = period if period.since is not None else None
    return [own[i] for i in clause_of]


# Every token that one of _period's ways to a start needs, but a range of weekdays ("on Friday and Saturday").
_START_TOKENS = frozenset("since between from after following beginning starting began begun started year".split())
_WEEKDAY_TOKENS = frozenset(_WEEKDAYS)


def _may_have_start(words: list[str]) -> bool:
    """Whether _period can find a start in a sentence of these tokens."""
    return not _START_TOKENS.isdisjoint(words) or sum(w in _WEEKDAY_TOKENS for w in words) >= 2


def _period_nearby(
    tokens: Tokens,
    index: int,
    first: int,
    found_in: Found,
    published: date | None,
    terms: TallyTerms,
    tallies: list[Tally],
    counts: list[_Count],
) -> tuple[str, _Period] | None:
    """A start stated near a figure that has none in its sentence ("... 38 times. The attacks began on
    Oct. 17."): the sentence before, the sentence after (both in its paragraph, both about attacks),
    then the headline. Not the start of a smaller total just given: a part of it is no running total."""
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
        began = "began" in tokens.words[j] or "started" in tokens.words[j]
        if _ATTACK_WORDS not in names and _TARGETS not in names and not began:
            continue
        period = _period(text, lower(text), tokens.words[j], published, terms, rolling=False)
        if period.since is None:
            continue
        if any(
            t.sentence == text and t.since == period.since and t.count > max(c.count for c in counts) for t in tallies
        ):
            continue
        return where, period
    return None


def _one_each(tallies: list[Tally]) -> list[Tally]:
    """The same figure said twice is one tally; where one mention gives its start, keep that one."""
    out: list[Tally] = []
    for t in tallies:
        twin = next(
            (
                i
                for i, o in enumerate(out)
                if o.count == t.count
                and o.region == t.region
                and (o.since == t.since or o.since is None or t.since is None)
            ),
            None,
        )
        if twin is None:
            out.append(t)
        elif out[twin].since is None and t.since is not None:
            out[twin] = t
    # Parts that took no start of their own follow their total's start, if it has one.
    return out
