"""One feed's network side of a cycle: fetch the feed, parse it, keep the entries that are new or
changed, and fetch and extract their pages. It reads the store to know what is new, never writes:
the outcome is a value, a Harvest or a FeedFailure, that settle.py stores."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

import httpx

from .aggregators import GOOGLE_NEWS, DecodeBudget, aggregator_of, decode_google_online
from .config import Feed
from .dedupe import canonical_url
from .errors import MonitorError
from .fetch import Limits, Response, fetch
from .models import Article, Entry
from .store import FeedState, ItemRecord, Store, StoredEntry, iso
from .workers import Analysis, Text, Workers

# One logger for every stage of the cycle, so `-v` and log filters name one thing.
log = logging.getLogger("monitor.pipeline")

# An item that failed this many times is skipped until the feed changes what it says of it (it stays in `status`).
ITEM_ATTEMPTS = 3


@dataclass
class Fresh:
    """One entry of a feed to store or update, with its own page: pages are keyed per entry, since
    two entries of one feed may share a GUID."""

    entry: Entry
    key: str  # entry_key: what the feed says of the item, computed once
    page: Response | str = "page not fetched"  # the page until extracted; then why there is no text, if there is none
    text: str | None = None  # the page's article text, once extracted
    stored: StoredEntry | None = None  # the stored item this entry updates in place
    copy: ItemRecord | None = None  # another outlet's item at the same URL: its text is reused
    article: Article | None = None  # once its text is settled: the page's, the copy's or the summary
    analysis: Analysis | None = None  # the article's classification and keys, worked out beside the fetching


@dataclass
class Harvest:
    """What the network gave for one feed that answered: entries to store or update, with their
    pages (none when it answered 304), and the entries that failed before storing."""

    feed: Feed
    response: Response
    entries: list[Fresh] = field(default_factory=list)
    failures: list[tuple[Entry, str]] = field(default_factory=list)


@dataclass(frozen=True)
class FeedFailure:
    """A feed that could not be read or parsed, or was not read in time."""

    feed: Feed
    error: str
    retry_after: float | None = None  # seconds the feed's server asked us to wait


def describe(error: BaseException) -> str:
    """One line for the store and `status`: our errors say what happened; others also say what they are."""
    if isinstance(error, MonitorError):
        return str(error)
    text = " ".join(str(error).split())[:300]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def harvest_feed(
    client: httpx.AsyncClient,
    feed: Feed,
    state: FeedState,
    store: Store,
    limits: Limits,
    gate: asyncio.Semaphore,
    workers: Workers,
    clock: Callable[[], datetime],
    decodes: DecodeBudget | None = None,
) -> Harvest | FeedFailure:
    """Any error up to the parsed entries is this feed's failure; any error with one entry is that entry's."""
    try:
        async with gate:
            response = await fetch(client, feed.url, limits, state.etag, state.last_modified, trusted_origin=feed.url)
        harvest = Harvest(feed, response)
        if response.not_modified:
            return harvest
        entries = await workers.read_feed(response.body)
        select_fresh(harvest, entries, store)
        if any(has_page(f) for f in harvest.entries):
            workers.expect_pages()
        log.debug(
            "feed %s: %d bytes, %d entries, %d new or changed",
            feed.name,
            len(response.body),
            len(entries),
            len(harvest.entries),
        )
    except Exception as e:  # whatever a hostile feed causes is its own failure
        if not isinstance(e, MonitorError):
            log.warning("feed %s: unexpected error", feed.name, exc_info=True)
        return FeedFailure(feed, describe(e), getattr(e, "retry_after", None))

    def day_of(fresh: Fresh) -> date:
        return (fresh.entry.published or clock()).date()

    async def page(fresh: Fresh) -> None:
        """The entry's page fetched, its text extracted and the item analysed; or why there is no page."""
        link = fresh.entry.link
        if aggregator_of(link) == GOOGLE_NEWS:  # its page is a JavaScript shell, never the article
            resolution = await decode_google_online(
                link, decodes or DecodeBudget(0), limits.timeout_seconds, limits.user_agent
            )
            log.debug("%s link %s -> %s", resolution.aggregator, link, resolution.url or resolution.reason)
            if resolution.url is None:
                fresh.page = f"{resolution.reason}; the feed's summary is used"
                return
            fresh.entry = replace(fresh.entry, link=resolution.url, via=link)
            link = resolution.url
            if fresh.stored is None:
                fresh.copy = store.item_at_url(canonical_url(link))
                if fresh.copy is not None:
                    return
        if not link.startswith(("http://", "https://")):
            fresh.page = "no http link"
            return
        async with workers.slots:
            try:
                async with gate:
                    body = await fetch(client, link, limits, trusted_origin=feed.url)
            except Exception as e:  # noqa: BLE001 - a page that cannot be read falls back to the summary
                fresh.page = f"page not fetched: {describe(e)}"
                return
            try:
                entry = fresh.entry
                fresh.text, fresh.analysis = await workers.read_page(body, entry.title, entry.summary, day_of(fresh))
                fresh.page = "" if fresh.text else "no article text found in the page"
            except Exception as e:  # noqa: BLE001 - a hostile page falls back to the summary like a missing one
                fresh.page = f"page text not extracted: {describe(e)}"

    async def read(fresh: Fresh) -> None:
        await page(fresh)
        fresh.article = article = to_article(fresh)
        if fresh.analysis is None:  # no page was read: the summary's analysis, alone
            fresh.analysis = await workers.analyse(fresh.entry.title, article.text, day_of(fresh))

    async def read_pageless(entries: list[Fresh]) -> None:
        """Entries whose text is known without a page (another outlet's copy, or no web link): one trip."""
        articles = [to_article(f) for f in entries]
        texts: list[Text] = [(f.entry.title, a.text, day_of(f)) for f, a in zip(entries, articles)]
        for fresh, article, analysis in zip(entries, articles, await workers.analyse_many(texts)):
            fresh.article, fresh.analysis = article, analysis

    paged = [f for f in harvest.entries if has_page(f)]
    await asyncio.gather(read_pageless([f for f in harvest.entries if not has_page(f)]), *(read(f) for f in paged))
    return harvest


def has_page(fresh: Fresh) -> bool:
    """Whether an entry's text may come from a page of its own (a Google News link's, once decoded)."""
    return fresh.copy is None and fresh.entry.link.startswith(("http://", "https://"))


def select_fresh(harvest: Harvest, entries: list[tuple[Entry, str]], store: Store) -> None:
    """The entries (with their entry keys) not stored yet, or changed since; an entry that cannot be
    read is its own failure."""
    feed, seen = harvest.feed, set()
    for entry, key in entries:
        try:
            if store.item_failure_attempts(feed.name, entry.guid, key) >= ITEM_ATTEMPTS:
                continue
            if store.skipped_as_same(feed.name, entry.guid, key):
                continue  # this outlet's copy of a text it already carries: not fetched again
            url = canonical_url(entry.link)
            if (entry.guid, url) in seen:
                continue
            seen.add((entry.guid, url))
            stored = store.stored_entry(feed.name, entry.guid, url)
            if stored is not None:
                if changed(entry, stored, key):
                    harvest.entries.append(Fresh(entry, key, stored=stored))
                continue
            harvest.entries.append(Fresh(entry, key, copy=store.item_at_url(url)))
        except Exception as e:  # noqa: BLE001 - one entry that cannot be read is its own failure
            harvest.failures.append((entry, describe(e)))


def changed(entry: Entry, stored: StoredEntry, key: str) -> bool:
    updated = iso(entry.updated)
    if updated is not None and stored.updated and updated > stored.updated:
        return True
    return bool(stored.entry_key) and stored.entry_key != key


def to_article(fresh: Fresh) -> Article:
    entry = fresh.entry
    if fresh.copy is not None:
        return copied_article(entry, fresh.copy)
    url = canonical_url(entry.link)
    if fresh.text:
        return Article(entry, url, fresh.text, "page")
    note = fresh.page if isinstance(fresh.page, str) else "page not extracted"
    return Article(entry, url, entry.summary, "summary", note)


def copied_article(entry: Entry, other: ItemRecord) -> Article:
    return Article(
        entry,
        canonical_url(entry.link),
        other.text,
        other.text_source,
        other.text_note or f"text of item {other.id} at the same address",
    )
