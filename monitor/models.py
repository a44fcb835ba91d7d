"""The values that pass between the stages of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any


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

    def as_label(self) -> dict[str, Any]:
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


@dataclass(frozen=True, slots=True, order=True)
class SeriesKey:
    """A series of reported totals: the tallies that count from one start, in one region."""

    since: date
    region: str  # total | Iraq | Syria | Jordan

    @classmethod
    def of_tally(cls, tally: Tally) -> SeriesKey:
        if tally.since is None:
            raise ValueError("a count with no start (in the past week) is in no series")
        return cls(tally.since, tally.region)

    @classmethod
    def of(cls, since: date | str, region: str) -> SeriesKey:
        """The key as stored (since as YYYY-MM-DD text) or as classified."""
        return cls(date.fromisoformat(since) if isinstance(since, str) else since, region)

    @property
    def name(self) -> str:
        """What the series is called wherever people read it: alerts, digests, the CLI."""
        where = "Iraq, Syria and Jordan" if self.region == "total" else self.region
        return f"attacks on US forces in {where} since {self.since.isoformat()}"

    @property
    def title(self) -> str:
        """The name at the head of a line or a heading."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def key(self) -> str:
        """The series as a machine reads it (alert keys, webhook documents): since:region."""
        return f"{self.since.isoformat()}:{self.region}"


@dataclass(frozen=True, slots=True)
class SeriesHigh:
    """The highest figure known for a series, and who reported it when."""

    count: int
    qualifier: str
    outlet: str
    published: str | None
    url: str


def rebuilt_from_fields(value: Any) -> tuple[type, tuple[Any, ...]]:
    """A frozen dataclass's __reduce__: pickled as a call with its fields. Compiled (mypyc), a class
    is otherwise unpickled by setting its attributes one by one, which frozen refuses; caches
    (compare=False) are left behind."""
    return (type(value), tuple(getattr(value, f.name) for f in fields(value) if f.init and f.compare))
