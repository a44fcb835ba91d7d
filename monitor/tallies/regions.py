"""Regions last: the one region a figure counts ("14 times in Iraq", "Iraq accounted for 57"), else
the total."""

from __future__ import annotations

from typing import Final

import re
from collections.abc import Sequence

from ..text import Found
from .vocabulary import BASES_OF, TallyTerms

_PLACE_AFTER: Final = re.compile(r"\s*(?:[\w'’.-]+\s+){0,8}?(?:in|inside|within)\s+(?P<place>[^.;]{0,80})")
_BEFORE_REGION: Final = re.compile(r"(?:the\s+)?(?:[a-z][\w-]*\s+)?")
_BETWEEN_REGIONS: Final = re.compile(r"\s*(?:,|and|or|as well as)?\s*(?:in\s+)?")


def _region_after(rest: str, terms: TallyTerms) -> str:
    """The one region a count is in ("14 times in Iraq"), else total ("in Iraq and Syria", or none named)."""
    m = _PLACE_AFTER.match(rest)
    if not m:
        return "total"
    place = m.group("place")
    found = [(hit.start(), hit.end(), terms.region_named(hit)) for hit in terms.regions.finditer(place)]
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
        return terms.region_named(last)
    return None


def _region_of(masked: str, m: re.Match[str], following: int, earlier: Sequence[object], terms: TallyTerms) -> str:
    """The region of the count m: named after it, before the following count; else named before it
    ("US forces in Syria were attacked nine times"); else the total."""
    region = _region_after(masked[m.end() : following], terms)
    if region != "total":
        return region
    # Only in the figure's clause: "U.S. forces in Syria were attacked on Tuesday, officials said, the
    # 74th time troops in the region were targeted" counts the region's total, not Syria's.
    before = masked[: m.start()]
    before = before[max(before.rfind(","), before.rfind(";")) + 1 :]
    places = list(_IN_PLACE.finditer(before))
    if places:
        last = places[-1].start()
        region = _region_after(before[last:], terms)
        # Only a place that follows the target itself counts ("US forces in Syria"), not any earlier one;
        # after another count, only one after its own bases ("..., while bases in Syria drew more than 70").
        if region != "total" and (
            _BASES_BEFORE.search(before, 0, last)
            or (not earlier and _ends_with_target(before[max(0, last - 40) : last], terms))
        ):
            return region
    # "In Syria alone, militias have struck 48 times": the sentence opens with its one region.
    opening = _OPENING_REGION.match(masked)
    if opening:
        hits = {terms.region_named(hit) for hit in terms.regions.finditer(masked)}
        if len(hits) == 1:
            return hits.pop()
    return "total"


_OPENING_REGION: Final = re.compile(
    r"\s*(?:In|Inside|Within)\s+(?:[A-Z][\w-]*\s+)?[A-Z][\w-]*(?:\s+(?:alone|only))?\s*,"
)
_IN_PLACE: Final = re.compile(r"\s+(?:in|inside|within)\s+")
_BASES_BEFORE: Final = re.compile(
    r"\b(?:bases|outposts|installations|garrisons|sites|facilities|positions)$", re.IGNORECASE
)
_WORD_START: Final = re.compile(r"(?<![\w-])\w")


def _ends_with_target(text: str, terms: TallyTerms) -> bool:
    """Whether text ends with a target and at most one more word ("US troops stationed"). Tried from
    the last few word starts only: a search anchored at the end would try every offset."""
    starts = [m.start() for m in _WORD_START.finditer(text)]
    return any(terms.target_and_word.fullmatch(text, p) for p in starts[-terms.target_words :])


_AIMED_AFTER_FIGURE: Final = re.compile(
    r"\S+\s+(?:[\w'’-]+\s+){0,2}?(?:on|against|targeting)\s+(?:the\s+)?", re.IGNORECASE
)
_SINCE_AFTER: Final = re.compile(r"\S+\s+since\b", re.IGNORECASE)
_REGION_THEN_FIGURE: Final = re.compile(r"\s+(?:(?:accounted\s+for|saw|had|recorded|registered|with|was|were)\s+)?$")


def bases_region(found_in: Found) -> str | None:
    """The one region of every US base the text names ("Ain al-Asad", "Harir": Iraq), else None."""
    found = {name for lists in found_in.values() for name in lists if name.startswith(BASES_OF)}
    return found.pop()[len(BASES_OF) :] if len(found) == 1 else None


def counts_at_a_base(sentence: str, at: int, region: str, terms: TallyTerms, ordinal: bool = False) -> bool:
    """Whether the figure at offset at counts attacks on bases of the region alone (the only region
    whose bases the text names): between commas with it, one of them is named, or the base named
    before ("the base", "in the area"); and the sentence names no other region ("in Iraq and Syria")."""
    bases, base_again = terms.bases, terms.base_again
    if bases is None or base_again is None:
        return False

    def names_a_base(text: str) -> bool:
        return bool(bases.search(text) or base_again.search(text))

    start = max(sentence.rfind(",", 0, at), sentence.rfind(";", 0, at)) + 1
    end = min((i for i in (sentence.find(",", at), sentence.find(";", at)) if i >= 0), default=len(sentence))
    stretch = sentence[start:end]
    if not names_a_base(stretch):
        return False
    # "an attack on Harir was its 70th operation against U.S. forces since ...": the ordinal counts
    # attacks on the forces it names, not on the base of the one attack named before it.
    after = sentence[at:end]
    aimed = _AIMED_AFTER_FIGURE.match(after) if ordinal else None
    if aimed and terms.target_and_word.match(after, aimed.end()) and not names_a_base(after):
        return False
    # Nor does one with a long start that names the base only before it: "Sunday's drone attack on the
    # al-Omar base was the 170th since October 17" counts the campaign's attacks, not the base's.
    if ordinal and _SINCE_AFTER.match(after) and not names_a_base(after):
        return False
    return all(terms.region_named(hit) == region for hit in terms.regions.finditer(sentence))
