"""Candidate figures: every number of a sentence, kept as a count of attacks (with its qualifier
and region) or rejected with the reason; and the cheap look at the tokens that skips a sentence
with no possible figure."""

from __future__ import annotations

from typing import Final

import re
from dataclasses import dataclass

from .dates import _date_spans
from .numbers import _ADVERB_COUNTS, _SPACES, NUMBER_WORDS, ORDINAL_WORDS, parse_number
from .period import _may_have_start
from .regions import _region_after, _region_before, _region_of
from .target import (
    _CLAUSE_BREAK,
    _WORDS_AFTER,
    _aimed_at_us,
    _aimed_elsewhere,
    _attacks_rose,
    _total_of_attacks_after,
    _us_struck,
)
from .vocabulary import TallyTerms

# A capitalised word just before a number makes it a name ("Tower 22", "Camp 5"), unless it opens the
# sentence or is a region ("Syria 83").
_NAME_BEFORE: Final = re.compile(r"(?<=\S )([A-Z][a-z][\w-]*) $")
# Capitalised words before a figure that are places, not names: "in the Middle East 38 times".
_PLACE_WORDS: Final = frozenset(("East", "Gulf", "Region", "Kurdistan", "Levant", "Asia", "Africa", "Europe"))
_AIMED_ONCE: Final = re.compile(r"\s+(?:on|against)\s+(?:the\s+)?")
_OWN_START_AFTER: Final = re.compile(
    r"\s+(?:of\s+(?:them|those|these)\s+)?(?:since|(?:in|over|during|within)\s+the\s+(?:past|last)\s+(?:[\w-]+\s+)?"
    r"(?:weeks?|months?|days?|hours?))\b"
)
_INCREMENT: Final = frozenset(("more", "additional", "further", "new"))


def _qualifier_name(text: str | None, terms: "TallyTerms") -> str:
    if not text:
        return "exact"
    return terms.qualifier_of.get(_SPACES.sub(" ", text.lower()), "exact")


@dataclass(frozen=True, slots=True)
class _Count:
    count: int
    qualifier: str
    region: str
    words: str  # the figure as written, with its qualifier
    increment: bool = False  # "two more attacks": what was added, a total only with a start of its own
    at: int = 0  # where the figure starts in its sentence
    ordinal: bool = False  # "the 92nd attack"


_FIGURE_END: Final = re.compile(
    r"\s*(?:-\s|since|between|in\b|over\b|on\b|as\s+of\b|so\s+far\b|to\s+date\b|according\b|,|\.|;|:|$"
    # a headline goes on: "Attacks on U.S. forces near 80 as truce holds"
    r"|as\b|amid\b|after\b|while\b|with\b"
    # "had reached 170 by early February"
    r"|by\b)"
)
_TIMES: Final = re.compile(r"\btimes\b")
# "three times as many", "five times the number", not "attacked 74 times as of Friday"
_RATIO: Final = re.compile(r"\s+(?:as\s+(?!of\b)|the\b|more\b|higher\b|larger\b|greater\b)")
_PART_OF: Final = re.compile(r"\s+of\s+(?P<which>them|those|these|the|which)\b\s*(?P<noun>[\w'’-]+)?")
# What stands between a region and its part: "Syria 83", "Iraq accounted for 57", "Iraq saw 20".


def _figure_matches(lowered: str, words: list[str], terms: TallyTerms) -> list[re.Match[str]]:
    """The figures of a lower-cased sentence, in order."""
    found = list(terms.count.finditer(lowered))
    if not _ADVERB_WORDS.isdisjoint(words):
        found = sorted([*found, *terms.adverb_count.finditer(lowered)], key=lambda m: m.start())
    return found


_ADVERB_WORDS: Final = frozenset(_ADVERB_COUNTS)


def _counts_in(
    sentence: str,
    lowered: str,
    words: list[str],
    terms: TallyTerms,
    after_total: int,
    rejected: list[tuple[str, str]] | None = None,
    answering: bool = False,
) -> list[_Count]:
    """The counts of attacks in a sentence; with rejected, also every other figure and why it is none.
    after_total: the total the sentence refers back to ("Of those, 29 ..."), else 0; answering: the
    sentence answers a question that asked how many attacks, so its first bare figure is their count."""
    masked = sentence
    for start, end in _date_spans(lowered, words):
        masked = masked[:start] + "#" * (end - start) + masked[end:]
        lowered = lowered[:start] + "#" * (end - start) + lowered[end:]
    counts: list[_Count] = []
    list_qualifier = None
    found = _figure_matches(lowered, words, terms)
    for n, m in enumerate(found):
        value, ordinal = parse_number(m.group("num"))
        # "Tower 22", "Camp 5": a capitalised word right before digits; not before a qualifier ("in the
        # Middle East more than 70 times")
        name = (
            _NAME_BEFORE.search(masked, max(0, m.start() - 30), m.start())
            if m.group("num")[0].isdigit() and m.group("qual") is None
            else None
        )
        if name and not terms.regions.fullmatch(name.group(1)) and name.group(1) not in _PLACE_WORDS:
            if rejected is not None:
                rejected.append((m.group(), f"part of a name ({name.group(1)!r} {m.group('num')})"))
            continue
        if value <= 0:
            if rejected is not None:
                rejected.append((m.group(), "not a positive number"))
            continue
        qualifier = _qualifier_name(m.group("qual"), terms)
        rest = masked[m.end() :]
        following = _WORDS_AFTER.findall(lowered, m.end(), m.end() + 120)
        before = masked[: m.start()]
        kind: str | None = None
        region_hint = None
        if ordinal:
            # "the 108th attack", "the 74th time troops were targeted", "the 144th on U.S. troops"; after
            # "such", the noun decides: "the fifth such attack", not "the second such raid in a week"
            noun_at = 1 if following[:1] == ["such"] else 0
            # ... and past what kind: "the third rocket attack", "the fifth such drone attack"
            while noun_at < min(len(following), 4) and following[noun_at] in terms.modifiers:
                noun_at += 1
            if (
                len(following) > noun_at
                and (
                    following[noun_at] in terms.counted
                    # "the 47th this year against U.S. interests"
                    or following[noun_at] in ("time", "on", "against", "since", "this", "targeting")
                    # "the 22nd to target American interests"
                    or (following[noun_at : noun_at + 2] in (["to", "target"], ["to", "hit"], ["to", "strike"]))
                )
            ):
                kind = "count"
            # "its 70th operation against U.S. forces"
            elif (
                len(following) > noun_at
                and following[noun_at] in terms.aimed_nouns
                and _aimed_at_us(rest, following[noun_at], terms)
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
            # Each test below is for a figure no noun above made a count: a count goes on at once.
            if kind is None:
                if following and following[0] in terms.not_counted:
                    if rejected is not None:
                        rejected.append((m.group(), f"counts {following[0]!r}, not attacks"))
                    continue
                if (
                    kind is None
                    and terms.to_figure.search(before[-30:])
                    and not _AT_A_THING.search(before[-30:])
                    and (
                        (_FIGURE_END.match(rest) and _attacks_rose(before, terms))
                        or _total_of_attacks_after(rest, terms)
                    )
                ):
                    kind = "count"
                    # "attacks have topped 140": more than the figure; "attacks near 80": about it
                    if m.group("qual") is None:
                        qualifier = next(
                            (q for said, q in terms.reached_qualifiers if said.search(before[-30:])), qualifier
                        )
                # A second counter after a count, with its own start: "... 74 since Oct. 17, including at
                # least 30 since mid-November".
                if kind is None and (counts or after_total) and _OWN_START_AFTER.match(lowered, m.end()):
                    kind = "count"
                # What is counted said before, the figure aimed at US forces: "the deadliest of more than 150 on
                # U.S. forces since the war began".
                aimed = _AIMED_ONCE.match(lowered, m.end())
                if (
                    kind is None
                    and aimed
                    and terms.target_and_word.match(masked, aimed.end())
                    and not terms.counted.isdisjoint(_WORDS_AFTER.findall(lowered, 0, m.start()))
                ):
                    kind = "count"
                # The answer's figure comes first, said at once ("As of today, 118 - ..."; "About 140."), not
                # a range ("two or three") or a figure deep in its sentence.
                if (
                    kind is None
                    and answering
                    and not counts
                    and not after_total
                    and len(_WORDS_AFTER.findall(_SPEAKER.sub("", before))) <= 6
                    and following[:1] not in (["or"], ["to"])
                ):
                    kind = "count"
                # What is counted said before, the figure with its own start: "no attacks in the past ten days,
                # after roughly 170 since mid-October".
                # The same count said again as an aside: "more than 100 attacks since mid-October - \"roughly 118,\"
                # he said when asked for the precise figure" (two figures for one count are two tallies).
                if (
                    kind is None
                    and counts
                    and _ASIDE.search(before)
                    and counts[-1].region == "total"
                    and counts[-1].count / 2 <= value <= counts[-1].count * 2
                ):
                    kind = "count"
                said_before = _WORDS_AFTER.findall(lowered, 0, m.start())
                # A list line's total: "- Attacks on U.S. forces since Oct. 17: 140".
                if (
                    kind is None
                    and before.rstrip().endswith(":")
                    and not rest.strip(" .")
                    and not terms.counted.isdisjoint(said_before)
                ):
                    kind = "count"
                if (
                    kind is None
                    and lowered.startswith(" since ", m.end())
                    and not terms.counted.isdisjoint(said_before)
                    and terms.casualties.isdisjoint(said_before)
                ):
                    kind = "count"
                part_of = _PART_OF.match(rest)
                noun = (part_of.group("noun") or "").lower() if part_of else ""
                up_to_next = rest[: (found[n + 1].start() - m.end()) if n + 1 < len(found) else len(rest)]
                # What the figure's clause says before the next figure: no one hurt ("two of them wounded troops").
                own_clause = _CLAUSE_BREAK.split(up_to_next, 1)[0]
                # Nor people hurt just before it: "a drone killed six fighters at a base in Syria".
                unhurt = terms.casualties.isdisjoint(_WORDS_AFTER.findall(own_clause.lower()[:80])) and not (
                    terms.casualties.intersection(_WORDS_AFTER.findall(before[-12:].lower()))
                )
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
                if (
                    kind is None
                    and below_total
                    and (not part_of or part_of.group("which") in ("them", "those", "these"))
                ):
                    if noun not in terms.not_counted and unhurt:
                        region_hint = _region_before(before, terms)
                        if region_hint or _region_after(up_to_next, terms) != "total":
                            kind = "part"
        if kind is None:
            if rejected is not None:
                rejected.append((m.group(), "no counted noun, figure reached or regional part after a total"))
            continue
        if _us_struck(before, terms) or (ordinal and _US_STRUCK_AFTER.match(rest)):
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
            # ... and so does one before a total the parts stand beside ("at least 19 times since Oct. 17 -
            # 10 times in Iraq and nine in Syria"), not one the parts are picked out of ("..., including 24
            # in Iraq")
            elif (
                not explicit
                and counts
                and counts[-1].region == "total"
                and counts[-1].qualifier != "exact"
                and _BESIDE.search(masked, counts[-1].at, m.start())
                and not _PICKED_OUT.search(masked, counts[-1].at, m.start())
                and not _OF_THE_BEFORE.search(masked, max(0, counts[-1].at - 8), counts[-1].at)
            ):
                qualifier = list_qualifier = counts[-1].qualifier
        # "twice" is mostly said of one day's attacks: like "two more", a total only with a start of its own.
        increment = (bool(following) and following[0] in _INCREMENT) or m.group("num") in ("twice", "thrice")
        counts.append(_Count(value, qualifier, region, m.group(), increment, m.start(), ordinal))
    return counts


_ASIDE: Final = re.compile(r"\s[-\u2013\u2014]\s*[\"“]?$")
# "at" after a verb of aiming is where something went, not a figure reached: "clearly aimed at one".
_AT_A_THING: Final = re.compile(
    r"\b(?:aimed|fired|launched|directed|shot|looked|looking|pointed)\s+at\s+$", re.IGNORECASE
)
# "the third time the Biden administration has hit Iran-linked targets": the US's strikes counted.
_US_STRUCK_AFTER: Final = re.compile(
    r"\s+(?:such\s+)?time\s+(?:in\s+(?:less\s+than\s+|under\s+)?(?:a|an|\w+)\s+\w+\s+)?(?:that\s+)?(?:the\s+)?(?:mr\.?\s+|president\s+)?(?:biden\s+|trump\s+)?(?:administration|u\.s\.|us|united\s+states"
    r"|washington|pentagon|american\s+forces|american\s+military|coalition|biden|trump|(?:the\s+)?president)"
    r"(?:\s+military|\s+forces)?\s+"
    r"(?:(?:(?:has|have|had)\s+(?!been\b)(?:\w+\s+)?(?:struck|hit|bombed|retaliated|attacked|targeted|carried\s+out|conducted"
    r"|launched|responded|ordered|authorized|approved))|ordered|authorized|approved|retaliated|responded)\b",
    re.IGNORECASE,
)
# A transcript's speaker before the words: "MAJ. GEN. RYDER: ..."
_SPEAKER: Final = re.compile(r"^[^:]{0,40}:\s*")
_BESIDE: Final = re.compile(r"[,:(\u2013\u2014-]\s*$")
_OF_THE_BEFORE: Final = re.compile(r"\bof\s+the\s+$", re.IGNORECASE)
_PICKED_OUT: Final = re.compile(r"\b(?:including|includes|of\s+them|of\s+those|of\s+these|of\s+which|with|among)\b")
_ORDINAL_ENDINGS: Final = frozenset(("st", "nd", "rd", "th"))
_DIGIT: Final = re.compile(r"\d")


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
            # "of more than 150 on U.S. forces": what is counted before it
            or (
                words[i + 1 : i + 2] in (["on"], ["against"], ["since"], []) and not terms.counted.isdisjoint(words[:i])
            )
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
