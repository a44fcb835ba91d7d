"""Aggregator links -> the publisher's URL, so the page fetched is the article and copies of one
article reached through an aggregator and directly fold into one story.

Google News: /rss/articles/<id>, /articles/<id> and /read/<id>. Ids made before mid-2024 carry the
publisher's URL in their protobuf bytes and decode offline; newer ones carry an opaque key ("AU_yqL...")
that only Google's own endpoint turns into the URL (googlenewsdecoder, two requests each, within a
per-cycle budget). Bing News: the `url` query parameter of its click-through links.
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlsplit

from .models import Entry

log = logging.getLogger("monitor.aggregators")

GOOGLE_NEWS = "Google News"
BING_NEWS = "Bing News"


@dataclass(frozen=True, slots=True)
class Resolution:
    aggregator: str | None  # None: not an aggregator link
    url: str | None  # the publisher's URL, when known
    reason: str = ""  # why url is None


def aggregator_of(link: str) -> str | None:
    try:
        parts = urlsplit(link)
    except ValueError:  # a malformed link ("http://[bad") is its item's problem, met when it is fetched
        return None
    host = (parts.hostname or "").lower()
    if host == "news.google.com" and google_article_id(link):
        return GOOGLE_NEWS
    if host in ("bing.com", "www.bing.com") and parts.path.lower().startswith("/news/"):
        return BING_NEWS
    return None


def resolve_offline(link: str) -> Resolution:
    """What can be known without a request: Bing's url parameter, or the URL inside an old Google id."""
    aggregator = aggregator_of(link)
    if aggregator is None:
        return Resolution(None, link)
    if aggregator == BING_NEWS:
        target = parse_qs(urlsplit(link).query).get("url", [""])[0]
        if target.startswith(("http://", "https://")):
            return Resolution(BING_NEWS, target)
        return Resolution(BING_NEWS, None, "Bing News link without a url parameter")
    return _google_offline(google_article_id(link) or "")


def google_article_id(link: str) -> str | None:
    path = urlsplit(link).path.rstrip("/").split("/")
    if len(path) >= 2 and path[-2] in ("articles", "read") and path[-1]:
        return path[-1]
    return None


def _google_offline(article_id: str) -> Resolution:
    try:
        raw = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (ValueError, TypeError):
        return Resolution(GOOGLE_NEWS, None, "Google News id is not base64")
    # Field 4 (tag 0x22, length-delimited) of the id's protobuf message holds the URL or the opaque key.
    start = raw.find(b"\x22")
    if start < 0:
        return Resolution(GOOGLE_NEWS, None, "Google News id of an unknown form")
    length, pos = _varint(raw, start + 1)
    if length is None:
        return Resolution(GOOGLE_NEWS, None, "Google News id of an unknown form")
    value = raw[pos : pos + length].decode("utf-8", "replace")
    if value.startswith(("http://", "https://")):
        return Resolution(GOOGLE_NEWS, value)
    return Resolution(GOOGLE_NEWS, None, "Google News id needs Google's decoding endpoint")


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    value = shift = 0
    while pos < len(data) and shift < 35:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    return None, pos


def publisher_entry(entry: Entry) -> Entry:
    """The entry with its link replaced by the publisher's, when that is known offline; `via` keeps the feed's link."""
    resolution = resolve_offline(entry.link)
    if resolution.aggregator is None or resolution.url is None:
        return entry
    return replace(entry, link=resolution.url, via=entry.link)


class DecodeBudget:
    """How many Google News links one cycle may decode online (each costs two requests to news.google.com,
    which answers too many with 429s)."""

    def __init__(self, limit: int):
        self.remaining = limit

    def take(self) -> bool:
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True


async def decode_google_online(link: str, budget: DecodeBudget, timeout: float, user_agent: str) -> Resolution:
    """Google's decoding endpoint through googlenewsdecoder, within the cycle's budget; never raises."""
    if not budget.take():
        return Resolution(
            GOOGLE_NEWS, None, "Google News decoding budget of this cycle spent (fetch.google_news_decodes)"
        )
    try:
        from googlenewsdecoder import GoogleDecoderAsync  # noqa: PLC0415  (only when a feed has such links)

        async with GoogleDecoderAsync(timeout=timeout, user_agent=user_agent) as decoder:
            result = await decoder.decode_google_news_url(link)
    except Exception as e:  # noqa: BLE001 - a third-party scraper of a private endpoint: any failure is a fallback
        return Resolution(GOOGLE_NEWS, None, f"Google News link not decoded: {type(e).__name__}")
    url = result.get("decoded_url") if result.get("success") else None
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return Resolution(GOOGLE_NEWS, url)
    return Resolution(GOOGLE_NEWS, None, f"Google News link not decoded: {str(result.get('message', 'no URL'))[:120]}")
