"""Is a reported tally news? Tallies that share `since` and `region` form a series; only a
figure above the series' highest known figure is a change."""

from __future__ import annotations

from .models import SeriesHigh, Tally

NEW_SERIES = "new-series"
RISE = "rise"
REPEAT = "repeat"  # the same figure again: syndication, or a later article quoting it
STALE = "stale"  # lower than a figure already known: an older number re-reported


def judge(high: SeriesHigh | None, tally: Tally) -> str:
    if high is None:
        return NEW_SERIES
    if tally.count > high.count:
        return RISE
    return REPEAT if tally.count == high.count else STALE
