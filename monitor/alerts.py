"""What an alert says: a report, a move of a running total, a feed failing or recovered. Each is
an Alert, with the facts a structured webhook sends (webhook.py); notify.py queues and delivers it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from . import webhook
from .models import Article, Classification, SeriesHigh, SeriesKey, Tally
from .series import NEW_SERIES
from .wording import local_time


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str  # report | tally | digest | ops
    key: str  # one alert per key and notifier, ever
    title: str  # begins with the kind in brackets, for mail filters and chat searches
    body: str
    item_id: int | None = None
    facts: dict[str, Any] | None = None  # what a structured webhook receives (webhook.py)


def _when(moment: datetime | None, tz: ZoneInfo) -> str:
    return local_time(moment, tz, missing="time not given")


def _quote(sentence: str, limit: int = 400) -> str:
    s = " ".join(sentence.split())
    return f'"{s if len(s) <= limit else s[: limit - 1] + "…"}"'


def report_alert(item_id: int, story_id: int, article: Article, c: Classification, outlet: str, tz: ZoneInfo) -> Alert:
    e = article.entry
    lines = [
        f"Categories: {', '.join(c.categories)}",
        f"Outlet: {outlet}, published {_when(e.published, tz)}",
    ]
    for m in c.matches:
        lines.append(f"Why ({m.category}): rule {m.rule} matched {_quote(m.sentence)}")
    if c.tallies:
        lines.append(
            "Reported totals: "
            + "; ".join(
                f"{t.count} ({t.qualifier.replace('_', ' ')}) {t.region}"
                + (f" since {t.since.isoformat()}" if t.since else "")
                for t in c.tallies
            )
        )
    if article.text_source != "page":
        lines.append(f"Text: from the feed's summary ({article.text_note})")
    lines.append(f"Link: {e.link}")
    return Alert(
        "report",
        f"story:{story_id}",
        f"[report] {e.title}",
        "\n".join(lines),
        item_id,
        webhook.report_facts(item_id, story_id, article, c, outlet),
    )


def tally_alert(
    item_id: int, tally: Tally, verdict: str, previous: SeriesHigh | None, article: Article, outlet: str, tz: ZoneInfo
) -> Alert:
    if tally.since is None:
        raise ValueError("a total with no start date is in no series, so it raises no tally alert")
    name = SeriesKey.of_tally(tally).name
    qual = tally.qualifier.replace("_", " ")
    if verdict == NEW_SERIES or previous is None:
        title = f"[tally] New series: {name}: {tally.count}"
        lines = [f"Series: {name} (first figure reported)"]
    else:
        diff = tally.count - previous.count
        title = f"[tally] {name}: {previous.count} -> {tally.count} (+{diff})"
        lines = [
            f"Series: {name}",
            f"Previous: {previous.count} ({previous.qualifier.replace('_', ' ')}), reported "
            f"{previous.published[:10] if previous.published else 'at an unknown date'} by {previous.outlet} ({previous.url})",
        ]
    lines += [
        f"New: {tally.count} ({qual}), reported {_when(article.entry.published, tz)} by {outlet}",
    ]
    if previous is not None and verdict != NEW_SERIES:
        lines.append(f"Change: +{tally.count - previous.count}")
    lines += [f"Sentence: {_quote(tally.sentence)}", f"Link: {article.entry.link}"]
    key = f"tally:{SeriesKey.of_tally(tally).key}:{tally.count}"
    facts = webhook.tally_facts(
        item_id, tally, verdict, None if verdict == NEW_SERIES else previous, article, outlet, name
    )
    return Alert("tally", key, title, "\n".join(lines), item_id, facts)


def ops_failing_alert(
    feed: str, failures: int, since: str, error: str, retry_at: datetime | None, tz: ZoneInfo
) -> Alert:
    retry = f"Next attempt: {_when(retry_at, tz)} (waits double after each failure, up to a cap)" if retry_at else ""
    body = "\n".join(
        x
        for x in [
            f"Feed: {feed}",
            f"Failures in a row: {failures}, since {since}",
            f"Last error: {error}",
            retry,
            "No reports from this feed arrive until it recovers; another [ops] alert says when it does.",
        ]
        if x
    )
    return Alert(
        "ops",
        f"feed-failing:{feed}:{since}",
        f"[ops] Feed failing: {feed} ({failures} failures in a row)",
        body,
        facts=webhook.ops_facts(feed, "failing", failures, since, error, retry_at),
    )


def ops_recovered_alert(feed: str, failures: int, since: str, now: datetime, tz: ZoneInfo) -> Alert:
    body = f"Feed: {feed}\nRecovered: {_when(now, tz)}, after {failures} failures in a row since {since}"
    return Alert(
        "ops",
        f"feed-recovered:{feed}:{since}",
        f"[ops] Feed recovered: {feed}",
        body,
        facts=webhook.ops_facts(feed, "recovered", failures, since),
    )
