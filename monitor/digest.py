"""Digests: what was reported in a period, where the running totals stand, which feeds failed, and
a chart of the totals that moved (digest_render.py words it for each channel).

A digest covers exactly the period since the previous one. Periods end on the slots of the
schedule.digest crontab; the store remembers which periods were sent, so a restart sends nothing
twice and a daemon that was down across several slots sends one digest for the whole gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .series import NEW_SERIES, RISE
from .models import SeriesKey
from .store import Store, parse_iso

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    includes_start: bool = False  # the first period starts with the first cycle, and holds what it stored

    @property
    def after(self) -> datetime:
        """The store is asked for what came after this moment (stored times have one-second grain)."""
        return self.start - timedelta(seconds=1) if self.includes_start else self.start


@dataclass(frozen=True)
class StoryLine:
    title: str
    link: str
    outlet: str
    outlets: int
    categories: tuple[str, ...]
    sentence: str
    published: datetime | None  # None when the feed gave no time


@dataclass(frozen=True)
class OlderStored:
    """Report stories first stored in the period but published long before: a new feed's back catalogue,
    or items older than alerts.max_age_days when first seen. Counted, never listed as new."""

    stories: int
    earliest: datetime | None
    latest: datetime | None


@dataclass(frozen=True)
class Point:
    day: str  # YYYY-MM-DD of publication
    count: int
    qualifier: str
    outlet: str
    in_period: bool


@dataclass(frozen=True)
class SeriesMove:
    since: str
    region: str
    points: tuple[Point, ...]  # every report of the series, oldest first
    before: int | None  # the highest figure known before the period

    @property
    def name(self) -> str:
        return SeriesKey.of(self.since, self.region).title

    def steps(self) -> list[tuple[str, int]]:
        """The rises in the period, with the figure known before it: 13 -> 23 -> 103."""
        high = self.before or 0
        out = [("before", self.before)] if self.before is not None else []
        for p in self.points:
            if p.in_period and p.count > high:
                out.append((p.day, p.count))
                high = p.count
        return out


@dataclass(frozen=True)
class FeedTrouble:
    name: str
    failures: int
    failing_since: str | None
    last_error: str | None
    recovered: bool


@dataclass
class Digest:
    period: Period
    stories: list[StoryLine]
    attack_reports: int
    strike_reports: int
    series: list[SeriesMove]
    troubles: list[FeedTrouble]
    omitted: int = 0  # stories not listed for want of room
    chart: Path | None = field(default=None)
    older: OlderStored | None = None
    cycles: int = 0  # polling cycles finished in the period

    @property
    def empty(self) -> bool:
        return not self.stories and not self.series and not self.troubles and not self.omitted


# ---------------------------------------------------------------- periods


def latest_slot(cron: CronTrigger, after: datetime, now: datetime) -> datetime | None:
    """The last slot of the schedule in (after, now], if any."""
    slot, found = cron.get_next_fire_time(None, after + timedelta(seconds=1)), None
    while slot is not None and slot <= now:
        found = slot
        slot = cron.get_next_fire_time(slot, slot + timedelta(seconds=1))
    return found


def due_period(store: Store, cron: CronTrigger, now: datetime) -> Period | None:
    """The period a digest is owed for now, or None. After downtime across several slots: one period
    from the end of the last digest to the latest slot, not one per missed slot."""
    last = store.last_digest()
    last_end = parse_iso(last.period_end) if last else None
    slot = latest_slot(cron, last_end or now - timedelta(days=8), now)
    if slot is None:
        return None
    if last_end is None:
        # The first digest starts when the monitor first ran: a period before that would say
        # "every feed answered" of cycles that never happened.
        first_cycle = store.first_cycle_started()
        if first_cycle is None or first_cycle >= slot:
            return None
        previous = latest_slot(cron, slot - timedelta(days=8), slot - timedelta(seconds=1))
        start = previous or slot - timedelta(days=1)
        return Period(first_cycle, slot, includes_start=True) if first_cycle > start else Period(start, slot)
    return Period(last_end, slot)


def period_until_now(store: Store, now: datetime) -> Period:
    last = store.last_digest()
    if last:
        return Period(datetime.fromisoformat(last.period_end), now)
    first_cycle = store.first_cycle_started() or now
    return (
        Period(first_cycle, now, includes_start=True)
        if first_cycle > now - timedelta(days=1)
        else Period(now - timedelta(days=1), now)
    )


def backfilled(published: datetime | None, first_seen: datetime, caught_up: bool, max_age_days: float) -> bool:
    """Stored now but not news now: a catch-up poll's item, or one published long before it was first seen
    (the same test that keeps it from alerting)."""
    if caught_up:
        return True
    return bool(max_age_days) and published is not None and published < first_seen - timedelta(days=max_age_days)


# ---------------------------------------------------------------- content


def build_digest(store: Store, period: Period, max_stories: int, max_age_days: float = 0) -> Digest:
    stories = []
    older: list[datetime | None] = []
    attack = strike = 0
    for s in store.stories_first_seen(period.after, period.end):
        first = s.items[0]
        published = parse_iso(first.published)
        if backfilled(published, datetime.fromisoformat(s.first_seen), first.caught_up, max_age_days):
            older.append(published)
            continue
        categories = tuple(dict.fromkeys(c for item in s.items for c in item.categories))
        attack += "attack" in categories
        strike += "strike" in categories
        sentence = first.matches[0]["sentence"] if first.matches else ""
        stories.append(StoryLine(first.title, first.url, first.feed, s.outlets, categories, sentence, published))
    omitted = max(0, len(stories) - max_stories)
    dated = [p for p in older if p is not None]
    older_stored = OlderStored(len(older), min(dated, default=None), max(dated, default=None)) if older else None

    series = []
    reported = [
        r.report
        for r in store.tally_reports_between(period.after, period.end)
        if not backfilled(parse_iso(r.item_published), datetime.fromisoformat(r.fetched_at), r.caught_up, max_age_days)
    ]
    moved = {(r.since, r.region) for r in reported if r.verdict in (NEW_SERIES, RISE)}
    in_period = {r.id for r in reported}
    for since, region in sorted(moved):
        reports = store.series_reports(SeriesKey.of(since, region))
        points = tuple(
            Point((r.published or "")[:10], r.count, r.qualifier, r.outlet, r.id in in_period) for r in reports
        )
        before = [p.count for p in points if not p.in_period]
        series.append(SeriesMove(since, region, points, max(before) if before else None))

    troubles = [
        FeedTrouble(f.name, f.consecutive_failures, f.failing_since, f.last_error, f.consecutive_failures == 0)
        for f in store.feeds_in_trouble(period.after, period.end)
    ]
    return Digest(
        period,
        stories[:max_stories],
        attack,
        strike,
        series,
        troubles,
        omitted,
        older=older_stored,
        cycles=store.cycles_finished_between(period.after, period.end),
    )


# ---------------------------------------------------------------- chart


SERIES_PER_PANEL = 4  # beyond this, one panel per series: lines and labels would cover each other


def draw_chart(series: list[SeriesMove], path: Path) -> Path | None:
    """Figure against date for each moving series, every report a point, the running high a step line.
    Up to SERIES_PER_PANEL series share one panel with the legend beside it, never over the data; more
    get one small panel each, titled with the series. Ticks are dates (concise, month and year once)."""
    if not series:
        return None
    import matplotlib  # noqa: PLC0415  (heavy: only when a digest has a chart to draw)

    matplotlib.use("Agg")
    import matplotlib.dates as mdates  # noqa: PLC0415
    import matplotlib.pyplot as plt  # noqa: PLC0415

    shared = len(series) <= SERIES_PER_PANEL
    if shared:
        fig, ax = plt.subplots(figsize=(9, 3.6), dpi=110)
        axes = [ax] * len(series)
    else:
        fig, grid = plt.subplots(len(series), 1, figsize=(7, 1.9 * len(series)), dpi=110, sharex=True, squeeze=False)
        axes = [row[0] for row in grid]
    try:
        for s, ax in zip(series, axes):
            points = [p for p in s.points if p.day]
            if not points:
                continue
            days = [datetime.fromisoformat(p.day) for p in points]
            counts = [p.count for p in points]
            high, highs = 0, []
            for c in counts:
                high = max(high, c)
                highs.append(high)
            # matplotlib takes datetimes through its date converter; its stubs list only numbers.
            line = ax.step(days, highs, where="post", linewidth=1.6, label=s.name)[0]  # type: ignore[arg-type]
            ax.scatter(days, counts, s=18, color=line.get_color(), zorder=3)  # type: ignore[arg-type]
            ax.annotate(str(highs[-1]), (days[-1], highs[-1]), textcoords="offset points", xytext=(4, 4), fontsize=8)
            if not shared:
                ax.set_title(s.name, fontsize=8, loc="left")
        for ax in dict.fromkeys(axes):
            ax.margins(x=0.04, y=0.2)
            ax.grid(alpha=0.3)
            locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
            ax.tick_params(labelsize=7)
        if shared:
            axes[0].set_ylabel("reported attacks")
            axes[0].set_title("Reported attack totals (each dot a report)", fontsize=10)
            axes[0].legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
        else:
            fig.suptitle("Reported attack totals (each dot a report)", fontsize=10)
            fig.supylabel("reported attacks", fontsize=8)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
