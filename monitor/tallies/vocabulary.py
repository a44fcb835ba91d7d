"""The tally vocabulary, config/tallies.toml, checked and compiled once into TallyTerms: what is
counted, the targets, regions, qualifiers, named events and the lexicon lists the term scan finds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from ..errors import ConfigError
from ..models import rebuilt_from_fields
from ..text import Lexicon, WordStart, term_regex, term_starts, tokenize
from .numbers import _count_regex, _longest_first, _phrase_regex


@dataclass(frozen=True)
class Event:
    phrase: re.Pattern[str]
    day: date
    valid_from: date
    valid_until: date

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return rebuilt_from_fields(self)


@dataclass(frozen=True)
class TallyTerms:
    counted: frozenset[str]
    aimed_nouns: frozenset[str]  # counted only when aimed at US or coalition forces: "strikes on U.S. bases"
    modifiers: frozenset[str]
    target_and_word: re.Pattern[str]  # a target and at most one more word: "US forces (stationed)"
    target_words: int  # the most tokens such a phrase has
    target_names: re.Pattern[str]  # the targets alone
    other_targets: re.Pattern[str]
    not_counted: frozenset[str]
    casualties: frozenset[str]  # what else a figure can be reached by: "raised the death toll to 3"
    regions: re.Pattern[str]  # every region word, longest first, each its own group
    region_of_group: tuple[str, ...]  # the region of each group
    events: tuple[Event, ...]
    count: WordStart  # a figure with its qualifier, in lower-cased text
    adverb_count: re.Pattern[str]  # the same for "once", "twice", "thrice"
    qualifier_of: dict[str, str]  # each qualifier phrase (lower case, single spaces) -> its name
    qualifier_words: frozenset[str]  # the tokens of the qualifier phrases
    reached: frozenset[str]  # the words just before a figure reached: "rose to 40", "stand at 160"
    to_figure: re.Pattern[str]  # the same, at the end of the text before a figure
    lexicon: Lexicon  # targets, attack_words, anaphors, excluded, rolling: matched in one pass over a text
    # the US bases the tallies file names ("Ain al-Asad"), and the words that name a base already named
    # ("the base", "in the area"); None where the tallies file has no [bases]
    bases: re.Pattern[str] | None = None
    base_again: re.Pattern[str] | None = None
    # reached words that say how exact the figure is ("topped 140": more_than), each with its qualifier
    reached_qualifiers: tuple[tuple[re.Pattern[str], str], ...] = ()

    def region_named(self, hit: re.Match[str]) -> str:
        """The region a match of the regions pattern names."""
        return self.region_of_group[(hit.lastindex or 0) - 1]

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        return rebuilt_from_fields(self)


# The tally lists' names in a lexicon, kept apart from the rules' lists when one lexicon holds both
# (a rules file cannot name a list with a dot: TOML reads it as a table).
LEXICON_PREFIX: Final = "tallies."
_TARGETS: Final = LEXICON_PREFIX + "targets"
_ATTACK_WORDS: Final = LEXICON_PREFIX + "attack_words"
_ANAPHORS: Final = LEXICON_PREFIX + "anaphors"
_EXCLUDED: Final = LEXICON_PREFIX + "excluded"
_ROLLING: Final = LEXICON_PREFIX + "rolling"
BASES_OF: Final = LEXICON_PREFIX + "bases."
BASE_AGAIN: Final = LEXICON_PREFIX + "base_again"
# "Of the 66, 32 were in Iraq": the total named again by its figure (grammar, not vocabulary).
_OF_THE: Final = LEXICON_PREFIX + "of_the"


def _alternation(words: list[str]) -> re.Pattern[str]:
    body = "|".join(term_regex(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"{term_starts(words)}(?:{body})", re.IGNORECASE)


def compile_tally_terms(raw: dict[str, Any], source: str) -> TallyTerms:
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
    unknown = (
        set(raw)
        - set(lists)
        - {"regions", "events", "casualties", "reached", "qualifiers", "bases", "base_again", "reached_qualifiers"}
    )
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
    bases = raw.get("bases", {})
    if not isinstance(bases, dict) or set(bases) - set(regions):
        raise ConfigError(source, "bases", "must be a table of region name (one of [regions]) -> list of base names")
    for name, words in bases.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(source, f"bases.{name}", "must be a non-empty list of strings")
    reached_qualifiers = raw.get("reached_qualifiers", {})
    if not isinstance(reached_qualifiers, dict) or set(reached_qualifiers) - {"at_least", "more_than", "about"}:
        raise ConfigError(source, "reached_qualifiers", "must be a table of at_least, more_than or about -> words")
    for name, words in reached_qualifiers.items():
        if not isinstance(words, list) or not words or not all(isinstance(w, str) and w.strip() for w in words):
            raise ConfigError(source, f"reached_qualifiers.{name}", "must be a non-empty list of non-empty strings")
    base_again = raw.get("base_again", [])
    if not isinstance(base_again, list) or not all(isinstance(w, str) and w.strip() for w in base_again):
        raise ConfigError(source, "base_again", "must be a list of non-empty strings")
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

    def lower(key: str) -> frozenset[str]:
        return frozenset(w.lower() for w in lists[key])

    base_names = [w for words in bases.values() for w in words]
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
        regions=re.compile(
            term_starts([w for w, _ in region_words])
            + "(?:"
            + "|".join(f"({term_regex(w)})" for w, _ in region_words)
            + ")",
            re.IGNORECASE,
        ),
        region_of_group=tuple(name for _, name in region_words),
        events=tuple(events),
        count=counts[0],
        adverb_count=counts[1],
        qualifier_of={" ".join(w.lower().split()): name for name, ws in qualifiers.items() for w in ws},
        qualifier_words=frozenset(t for ws in qualifiers.values() for w in ws for t in tokenize(w)),
        reached=lower("reached"),
        to_figure=re.compile(
            # the figure may be quoted: 'puts the figure at "about 20"'
            r"\b(?:" + _longest_first(_phrase_regex(w) for w in lists["reached"]) + r")\s+[\"“']?$",
            re.IGNORECASE,
        ),
        bases=_alternation(base_names) if base_names else None,
        base_again=_alternation(base_again) if base_again else None,
        reached_qualifiers=tuple(
            (re.compile(r"\b(?:" + _longest_first(_phrase_regex(w) for w in words) + r")\s+$", re.IGNORECASE), name)
            for name, words in reached_qualifiers.items()
        ),
        lexicon=Lexicon(
            {
                **{
                    LEXICON_PREFIX + k: lists[k] for k in ("targets", "attack_words", "anaphors", "excluded", "rolling")
                },
                _OF_THE: ["of the"],
                # where the bases of each region are named: which regions an article's bases are in
                **{BASES_OF + name: words for name, words in bases.items()},
                **({BASE_AGAIN: base_again} if base_again else {}),
            }
        ),
    )
