"""Feed bytes -> entries. feedparser gets bytes, so it honours the XML encoding declaration."""

from __future__ import annotations

import hashlib
import html
import re
from calendar import timegm
from dataclasses import replace
from datetime import datetime, timezone
from functools import cache
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from .errors import ParseError
from .models import Entry

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_NOT_TEXT = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg")
_BLOCKS = (
    "p",
    "div",
    "li",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "blockquote",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "pre",
    "table",
    "ul",
    "ol",
)


def parse_feed(body: bytes) -> list[Entry]:
    feedparser = _feedparser()
    # The sanitiser and URI resolver cost 40 % of parsing and we strip markup ourselves.
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    # A feed with no items is still a feed; what is not a feed has no version feedparser knows.
    if not parsed.entries and not parsed.get("version"):
        reason = _reason(parsed.get("bozo_exception")) if parsed.bozo else "no RSS or Atom root element"
        raise ParseError(f"not a feed: {reason}")
    return distinct_guids([e for e in (_entry(raw) for raw in parsed.entries) if e is not None])


@cache
def _feedparser() -> Any:
    """feedparser, imported when a feed has changed (not for a poll of unchanged feeds), with its
    Windows-1252 table as a string: feedparser maps U+0080-U+009F in every text it gives through
    str.translate, and with its dict every other non-ASCII character raises and catches a KeyError
    (0.25 ms of a 10 KB article); a string indexed by code point maps the same characters, and
    those past its end keep themselves as before (IndexError is a LookupError too)."""
    import feedparser  # noqa: PLC0415 - see above

    mixin: Any = getattr(feedparser, "mixin", None)
    table = getattr(mixin, "_cp1252", None)
    if isinstance(table, dict) and all(isinstance(k, int) and k < 0x10000 for k in table):
        mixin._cp1252 = "".join(table.get(i, chr(i)) for i in range(0x10000))
    api: Any = getattr(feedparser, "api", None)
    if isinstance(getattr(api, "PREFERRED_XML_PARSERS", None), list):
        # xml.sax.make_parser imports each module named here and calls its create_parser.
        api.PREFERRED_XML_PARSERS = [__name__]
    return feedparser


def create_parser() -> Any:
    """The SAX parser feedparser reads a feed with (it asks xml.sax.make_parser for this module):
    expat as xml.sax makes it, but handing over each run of text at once. Unbuffered, expat calls
    feedparser once for every piece between two entity references, and escaped HTML in a feed
    (&lt;p&gt;) has one every few words: 230 calls for a 10 KB article, a fifth of its parsing.
    Also spares the failed import of feedparser's first choice (libxml2) at every feed."""
    return _buffered_expat()()


@cache
def _buffered_expat() -> Any:
    from xml.sax.expatreader import ExpatParser  # noqa: PLC0415 - it imports urllib.request: 25 ms of start-up

    class BufferedExpatParser(ExpatParser):
        def reset(self) -> None:
            super().reset()
            parser: Any = getattr(self, "_parser", None)
            parser.buffer_text = True

    return BufferedExpatParser


def distinct_guids(entries: list[Entry]) -> list[Entry]:
    """Entries that share a GUID but not a link are different items (a feed's template bug): each
    gets its link appended to the GUID, so neither is taken for the other."""
    links: dict[str, set[str]] = {}
    for e in entries:
        links.setdefault(e.guid, set()).add(e.link)
    shared = {guid for guid, seen in links.items() if len(seen) > 1}
    return [replace(e, guid=f"{e.guid}#{e.link}") if e.guid in shared else e for e in entries]


def _reason(exc: object) -> str:
    text = str(exc) if exc else "unreadable"
    return text.splitlines()[0][:200] if text else type(exc).__name__


def _entry(raw: Any) -> Entry | None:  # a FeedParserDict
    link = (raw.get("link") or "").strip()
    title = html_to_text(raw.get("title") or "").strip()
    summary = ""
    if raw.get("content"):
        summary = html_to_text(raw["content"][0].get("value", ""))
    if not summary:
        summary = html_to_text(raw.get("summary") or raw.get("description") or "")
    if not link and not title and not summary:
        return None
    if not title:  # a description-only item (RSS allows it): its first words stand for the title
        first = summary.strip().splitlines()[0] if summary.strip() else link
        title = first if len(first) <= 100 else first[:99].rsplit(" ", 1)[0] + "…"
    guid = (raw.get("id") or raw.get("guid") or link or "").strip()
    if not guid:
        guid = "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode()).hexdigest()
    # dict.get: FeedParserDict.get maps a missing updated_parsed to published_parsed, with a warning.
    updated = _time(dict.get(raw, "updated_parsed"))
    published = _time(dict.get(raw, "published_parsed")) or updated
    return Entry(guid=guid, link=link, title=title, summary=summary.strip(), published=published, updated=updated)


# Dates outside these years are typos or attacks (year 1, year 9999): read as unknown, since a
# window of days around them would leave the range of a datetime.
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


def _time(struct: Any) -> datetime | None:  # a time.struct_time, or None
    if not struct:
        return None
    try:
        moment = datetime.fromtimestamp(timegm(struct), tz=timezone.utc)
    except (OverflowError, ValueError, TypeError, OSError):
        return None
    return moment if EARLIEST_YEAR <= moment.year <= LATEST_YEAR else None


def html_to_text(fragment: str) -> str:
    """Feed summaries are HTML fragments: keep the words, one paragraph a line. Parsed by lxml, so the
    text of <script>, <style> and the like is dropped rather than classified, and entities are decoded."""
    if "<" not in fragment:
        return _lines(html.unescape(fragment))
    try:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):  # not HTML after all (or nothing but a declaration)
        return _lines(html.unescape(_TAG.sub(" ", fragment)))
    for element in list(root.iter(*_NOT_TEXT)):
        element.drop_tree()  # keeps the text after the element
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return _lines(root.text_content())


def _lines(text: str) -> str:
    # One pass over the whole text, and the regex only where it has something to fold: one regex
    # call per line cost 0.25 ms on a 10 KB article. Once joined on "\n", the only characters of
    # _SPACE left are spaces and tabs (splitlines breaks on the others).
    joined = "\n".join(text.splitlines())
    if "  " in joined or "\t" in joined:
        joined = _SPACE.sub(" ", joined)
    return "\n".join(line for line in map(str.strip, joined.split("\n")) if line)
