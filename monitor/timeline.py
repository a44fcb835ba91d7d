"""Each series of reported attack totals (the tallies sharing `since` and `region`) as a timeline:
the figures in the order they were first reported, who reported each first, who repeated it, and
how often it came back after a higher one was known. `monitor tallies` shows it; series.py judges
one figure at a time as it is stored."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .models import SeriesKey
from .series import STALE
from .store import Store, TallyReportRecord

Report = TallyReportRecord


@dataclass(frozen=True, slots=True)
class Figure:
    """One figure of a series, as first reported."""

    date: str  # YYYY-MM-DD, or ? when its report had no date
    count: int
    qualifier: str
    outlet: str
    other_outlets: int  # outlets that repeated it
    stale: int  # reports of it after a higher figure was known

    def line(self) -> str:
        repeats = f", repeated by {self.other_outlets} other outlet(s)" if self.other_outlets else ""
        stale = f", {self.stale} stale re-report(s)" if self.stale else ""
        return f"  {self.date}  {self.count:>5}  {self.qualifier:<9} {self.outlet}{repeats}{stale}"


@dataclass(frozen=True, slots=True)
class Timeline:
    since: str
    region: str
    reports: list[Report]  # in date order

    def figures(self) -> list[Figure]:
        by_figure: dict[int, list[Report]] = defaultdict(list)
        for r in self.reports:
            by_figure[r.count].append(r)
        figures = []
        for count, group in sorted(by_figure.items(), key=lambda kv: (min(r.published or "" for r in kv[1]), kv[0])):
            first = min(group, key=lambda r: (r.published or "", r.id))
            figures.append(
                Figure(
                    (first.published or "?")[:10],
                    count,
                    first.qualifier,
                    first.outlet,
                    len({r.outlet for r in group}) - 1,
                    sum(r.verdict == STALE for r in group),
                )
            )
        return figures

    def lines(self) -> list[str]:
        return [f"{SeriesKey.of(self.since, self.region).title}:"] + [f.line() for f in self.figures()]

    def document(self) -> dict[str, Any]:
        """`monitor tallies --json`: the series with every report of it, in date order."""
        return {
            "series": f"{self.since} {self.region}",
            "since": self.since,
            "region": self.region,
            "high": max(r.count for r in self.reports),
            "reports": [
                {
                    "date": (r.published or "")[:10] or None,
                    "figure": r.count,
                    "qualifier": r.qualifier,
                    "outlet": r.outlet,
                    "verdict": r.verdict,
                    "previous_figure": r.previous_count,
                    "link": r.url,
                    "published": r.published,
                    "item_id": r.item_id,
                }
                for r in self.reports
            ],
        }


def timelines(reports: list[Report]) -> list[Timeline]:
    """The series of the reports given in date order, in the order their first report comes."""
    series: dict[tuple[str, str], list[Report]] = defaultdict(list)
    for r in reports:
        series[(r.since, r.region)].append(r)
    return [Timeline(since, region, rows) for (since, region), rows in series.items()]


def read_timelines(store_path: Path) -> list[Timeline]:
    """Every series in the store."""
    with Store(store_path) as store:
        return timelines(store.tally_reports())
