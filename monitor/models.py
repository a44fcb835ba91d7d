"""The values that pass between the stages of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed, as the feed describes it."""

    guid: str
    link: str
    title: str
    summary: str
    published: datetime | None
    updated: datetime | None = None
    via: str = ""  # the aggregator link the feed gave, when link is the publisher's URL resolved from it


@dataclass(frozen=True, slots=True)
class Article:
    """An entry with the text it was classified on."""

    entry: Entry
    canonical_url: str
    text: str
    # "page" when the article page was fetched and extracted; else "summary", with the reason.
    text_source: str
    text_note: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """One rule that fired, and the sentence it fired on."""

    rule: str
    category: str
    sentence: str


@dataclass(frozen=True, slots=True)
class Tally:
    """A reported running count of attacks on US or coalition forces."""

    count: int
    qualifier: str  # exact | at_least | more_than | about
    since: date | None
    until: date | None
    region: str  # total | Iraq | Syria | Jordan
    sentence: str = field(default="", compare=False)

    def as_label(self) -> dict:
        return {
            "count": self.count,
            "qualifier": self.qualifier,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "region": self.region,
        }


@dataclass(frozen=True, slots=True)
class Classification:
    categories: tuple[str, ...]
    matches: tuple[Match, ...]
    tallies: tuple[Tally, ...]

    @property
    def is_report(self) -> bool:
        return bool(self.categories)
