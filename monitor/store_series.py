"""Reported totals in the store: each tally report with its verdict, a series' highest figure, and the
reports a digest or the CLI reads. Part of the store layer (the only modules that speak SQL); Store
inherits these queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from .models import SeriesHigh, SeriesKey, Tally
from .store_base import Params, Queries, iso


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


@dataclass(frozen=True, slots=True)
class TallyReportRecord:
    """A reported figure as stored, with its verdict against the series' high before it."""

    id: int
    item_id: int
    since: str  # YYYY-MM-DD: with region, the series (SeriesKey.of)
    region: str
    count: int
    qualifier: str
    until: str | None
    outlet: str
    published: str | None
    url: str
    sentence: str
    verdict: str
    previous_count: int | None


# Named, not *: a store upgraded in place has its columns in the order they were added.
_REPORT_COLUMNS = ", ".join(TallyReportRecord.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class ReportOfItem:
    """A tally report with when its item was published and stored, and whether silently (catch-up)."""

    report: TallyReportRecord
    item_published: str | None
    fetched_at: str
    caught_up: bool


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

    def tally_reports(self) -> list[TallyReportRecord]:
        return self._reports("1 ORDER BY since, region, published, id", [])

    def tally_reports_between(self, start: datetime, end: datetime) -> list[ReportOfItem]:
        """Reports of the items stored in the period, in order of publication."""
        columns = ", ".join(f"t.{name}" for name in TallyReportRecord.__dataclass_fields__)
        return [
            ReportOfItem(TallyReportRecord(*row[:-3]), row[-3], row[-2], bool(row[-1]))
            for row in self.db.execute(
                f"""SELECT {columns}, i.published, i.fetched_at, i.caught_up FROM tally_reports t
                    JOIN items i ON i.id = t.item_id WHERE i.fetched_at > ? AND i.fetched_at <= ?
                    ORDER BY t.published, t.id""",
                [iso(start), iso(end)],
            )
        ]

    def series_reports(self, series: SeriesKey) -> list[TallyReportRecord]:
        return self._reports("since = ? AND region = ? ORDER BY published, id", [iso(series.since), series.region])

    def _reports(self, where: str, params: Params) -> list[TallyReportRecord]:
        return [
            TallyReportRecord(*row)
            for row in self.db.execute(f"SELECT {_REPORT_COLUMNS} FROM tally_reports WHERE {where}", params)
        ]
