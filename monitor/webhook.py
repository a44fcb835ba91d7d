"""Structured webhooks: every alert as a JSON document of facts, POSTed with httpx to a
`webhook+http://` or `webhook+https://` notifier (the URL without its `webhook+` prefix).

apprise's json:// carries a title and a message only, so a receiver (a SIEM, a ticket queue) would
have to parse prose. The facts are gathered when the alert is made and kept in the outbox row with
it, so a retry sends the very same document; the alert's outbox id and key identify it, and
`Idempotency-Key` carries the key so a receiver can drop a repeat delivery.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import httpx

from .models import Article, Classification, SeriesHigh, SeriesKey, Tally

if TYPE_CHECKING:
    from .store_outbox import OutboxRow

SCHEMES = ("webhook+http://", "webhook+https://")
VERSION = 1  # of the document's shape; a field removed or changed in meaning raises it


def is_webhook(url: str) -> bool:
    return url.startswith(SCHEMES)


def target_url(url: str) -> str:
    return url.removeprefix("webhook+")


def _iso(moment: date | None) -> str | None:
    return moment.isoformat() if moment else None


def report_facts(item_id: int, story_id: int, article: Article, c: Classification, outlet: str) -> dict[str, Any]:
    e = article.entry
    first = c.matches[0] if c.matches else None
    return {
        "story_id": story_id,
        "item_id": item_id,
        "categories": list(c.categories),
        "outlet": outlet,
        "headline": e.title,
        "link": e.link,
        "published": _iso(e.published),
        "rule": first.rule if first else None,
        "sentence": first.sentence if first else None,
        "matches": [{"rule": m.rule, "category": m.category, "sentence": m.sentence} for m in c.matches],
        "tallies": [t.as_label() for t in c.tallies],
        "text_source": article.text_source,
    }


def tally_facts(
    item_id: int, tally: Tally, verdict: str, previous: SeriesHigh | None, article: Article, outlet: str, name: str
) -> dict[str, Any]:
    """previous: the series' high before this figure, None for a new series."""
    e = article.entry
    since = _iso(tally.since)
    return {
        "item_id": item_id,
        "categories": ["attack"],
        "outlet": outlet,
        "headline": e.title,
        "link": e.link,
        "published": _iso(e.published),
        "rule": None,
        "sentence": tally.sentence,
        "series_key": SeriesKey.of_tally(tally).key,
        "series": name,
        "since": since,
        "region": tally.region,
        "verdict": verdict,
        "new_figure": tally.count,
        "qualifier": tally.qualifier,
        "previous_figure": previous.count if previous else None,
        "change": tally.count - previous.count if previous else None,
        "previous": {
            "figure": previous.count,
            "qualifier": previous.qualifier,
            "outlet": previous.outlet,
            "published": previous.published,
            "link": previous.url,
        }
        if previous
        else None,
    }


def ops_facts(
    feed: str, state: str, failures: int, since: str, error: str | None = None, next_attempt: datetime | None = None
) -> dict[str, Any]:
    return {
        "feed": feed,
        "state": state,
        "failures": failures,
        "failing_since": since,
        "error": error,
        "next_attempt": _iso(next_attempt),
    }


def document(row: OutboxRow, story_id: int | None = None) -> dict[str, Any]:
    """The document POSTed for one outbox row: who and when, then the facts of its kind (a digest,
    which is prose by nature, carries its text)."""
    facts = json.loads(row.facts) if row.facts else {}
    doc = {
        "version": VERSION,
        "kind": row.kind,
        "alert_id": row.id,
        "alert_key": row.key,
        "title": row.title,
        "created_at": row.created_at,
    }
    if row.kind in ("report", "tally"):
        doc["story_id"] = facts.pop("story_id", story_id)
    doc.update(facts)
    if row.kind == "digest":
        period = row.key.removeprefix("digest:")
        doc.update(period_end=period, text=row.body)
    return doc


def post(client: httpx.Client, url: str, headers: dict[str, str], doc: dict[str, Any]) -> tuple[bool, str | None]:
    """POST one document; delivered only on a 2xx answer. Errors name no URL: callers mask them anyway."""
    try:
        response = client.post(target_url(url), json=doc, headers={**headers, "Idempotency-Key": doc["alert_key"]})
    except httpx.HTTPError as e:
        return False, f"webhook: {type(e).__name__}: {e}"
    if 200 <= response.status_code < 300:
        return True, None
    return False, f"webhook: HTTP {response.status_code}"
