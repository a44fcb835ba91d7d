"""Reported totals in the store: each tally report with its verdict, a series' highest figure, and the
reports a digest or the CLI reads. Part of the store layer (the only modules that speak SQL); Store
inherits these queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import SeriesHigh, SeriesKey, Tally
from .store_base import Queries, iso


@dataclass(frozen=True, slots=True)
class TallyReport:
    """One reported figure of a series, as judged against the series' high before it."""

    item_id: int
    tally: Tally
    outlet: str
    published: datetime | None
    url: str
    verdict: str
    previous: int | None  # the series' high before this report, None for a new series


class SeriesQueries(Queries):
    def series_high(self, series: SeriesKey) -> SeriesHigh | None:
        row = self._one(
            """SELECT count, qualifier, outlet, published, url FROM tally_reports WHERE since = ? AND region = ?
               ORDER BY count DESC, published ASC, id ASC LIMIT 1""",
            [iso(series.since), series.region],
        )
        return SeriesHigh(*row) if row else None

    def insert_tally_report(self, report: TallyReport) -> None:
        r, t = report, report.tally
        self.db.execute(
            """INSERT INTO tally_reports (item_id, since, region, count, qualifier, until, outlet, published, url,
               sentence, verdict, previous_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                r.item_id,
                iso(t.since),
                t.region,
                t.count,
                t.qualifier,
                iso(t.until),
                r.outlet,
                iso(r.published),
                r.url,
                t.sentence,
                r.verdict,
                r.previous,
            ],
        )

    def tally_reports(self) -> list[dict[str, Any]]:
        return self._rows("SELECT * FROM tally_reports ORDER BY since, region, published, id")

    def tally_reports_between(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return self._rows(
            """SELECT t.*, i.fetched_at, i.published AS item_published, i.caught_up FROM tally_reports t
               JOIN items i ON i.id = t.item_id WHERE i.fetched_at > ? AND i.fetched_at <= ? ORDER BY t.published, t.id""",
            [iso(start), iso(end)],
        )

    def series_reports(self, series: SeriesKey) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT * FROM tally_reports WHERE since = ? AND region = ? ORDER BY published, id",
            [iso(series.since), series.region],
        )
