"""The cycle's pool of worker processes, beside the fetching. Pages are extracted there (trafilatura),
and so is a feed's other CPU work when there is enough of it to pay for the trip: reading a large
feed (parse, links, entry keys) and classifying and fingerprinting the texts of its items. The
monitor's own process, the single writer, is left mostly to fetch and store, and every core works."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import cache
from multiprocessing.context import BaseContext
from typing import TypeVar

from .aggregators import publisher_entry
from .classify import Ruleset, classify
from .dedupe import TextKeys, entry_key, text_keys
from .errors import MonitorError
from .extract import extract_text
from .fetch import Response
from .models import Classification, Entry
from .parse import parse_feed
from .tallies import TallyTerms

T = TypeVar("T")

# A feed this large is read in a worker even before the pool is up: about 5 ms of parsing and keys
# for every 10 KB of full text, against some 0.3 s (on another core) to start the pool once.
LARGE_FEED_BYTES = 64_000


# The monitor's own process (the writer, the courier, the fetching) is the cycle's narrowest part
# once the pool is busy: with three busy processes on two cores, it got a third of the machine and
# the writer fell behind. Workers at a lower priority take whatever it leaves, and all of an idle
# machine. A cycle of 100 full-text feeds (benchmarks/cycle.py's world): 5.9 -> 5.3 s.
WORKER_NICENESS = 10


class WorkerDied(MonitorError):
    """The pool broke under a task: its worker died, on this task or on another one."""


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the writer needs of an item's text besides the text: its classification and its keys."""

    classification: Classification
    keys: TextKeys


def analyse(title: str, text: str, day: date | None, rules: Ruleset, terms: TallyTerms) -> Analysis:
    return Analysis(classify(title, text, day, rules, terms), text_keys(text))


# One item to analyse: its title, its text and the day it is dated.
Text = tuple[str, str, date | None]


def _read_page_in_worker(
    body: bytes, url: str, title: str, summary: str, day: date | None
) -> tuple[str | None, Analysis]:
    """A page's article text (None: none found) and the analysis of the text its item will have:
    the page's, else the feed's summary (harvest.to_article). One trip to a worker for both, and the
    text crosses back once."""
    text = extract_text(body, url)
    assert _rules is not None, "a worker is started with the rules"
    return text, analyse(title, text or summary, day, *_rules)


def _analyse_many_in_worker(texts: list[Text]) -> list[Analysis]:
    assert _rules is not None, "a worker is started with the rules"
    return [analyse(title, text, day, *_rules) for title, text, day in texts]


def read_feed(body: bytes) -> list[tuple[Entry, str]]:
    """A feed's entries, with the publisher's links where known offline, each with its entry key."""
    return [(e, entry_key(e)) for e in (publisher_entry(e) for e in parse_feed(body))]


class Workers:
    """The pool of one cycle, started when a feed first has pages to read, or at its first large feed.
    A page waits for a free slot before it is fetched, so at most `slots` page bodies are held at
    once, whatever the size of the cycle; texts wait for one of `queued` places before they are sent.
    At most `workers` feeds are read in the pool at once: the pool takes work first come, first
    served, and a cycle's feeds all come at its start, so the texts of the first feed read (what the
    writer waits for) would queue behind every other feed."""

    def __init__(self, workers: int, rules: Ruleset, terms: TallyTerms):
        self.workers = workers
        self.rules, self.terms = rules, terms
        self.slots = asyncio.Semaphore(workers * 3)
        self.queued = asyncio.Semaphore(workers * 8)
        self.reading = asyncio.Semaphore(workers)
        self._pool: Executor | None = None
        self._starting: asyncio.Future[None] | None = None

    def _new_pool(self) -> Executor:
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=_context(),
            initializer=_start_worker,
            initargs=(os.getpid(), self.rules, self.terms),
        )
        return self._pool

    def expect_pages(self) -> None:
        """The cycle has pages to read: the pool's processes are started now, in a thread, while feeds
        are still fetched and read. Started at the first page instead, they were ready some 0.6 s
        later, and the event loop stood still while the fork server imported trafilatura."""
        if self._pool is None:
            self._starting = asyncio.get_running_loop().run_in_executor(
                None, _start_processes, self._new_pool(), self.workers
            )

    async def _run(self, what: str, work: Callable[..., T], *args: object) -> T:
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)  # a failed start shows at the submit
            self._starting = None
        pool = self._pool or self._new_pool()
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, work, *args)
        except BrokenProcessPool:
            if self._pool is pool:  # a worker died (on this or another task): later work gets a new pool
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise WorkerDied(f"the worker process died on this {what}") from None

    async def read_page(
        self, page: Response, title: str, summary: str, day: date | None
    ) -> tuple[str | None, Analysis]:
        """The page's article text, and the analysis of the text its item will have (_read_page_in_worker)."""
        return await self._run("page", _read_page_in_worker, page.body, page.url, title, summary, day)

    async def read_feed(self, body: bytes) -> list[tuple[Entry, str]]:
        starting = self._starting is not None and not self._starting.done()
        if (self._pool is None or starting) and len(body) < LARGE_FEED_BYTES:
            return read_feed(body)
        async with self.reading:
            try:
                return await self._run("feed", read_feed, body)
            except WorkerDied:  # once more in a new pool: the worker may have died on another's page
                return await self._run("feed", read_feed, body)

    async def analyse(self, title: str, text: str, day: date | None) -> Analysis:
        if self._pool is not None:
            async with self.queued:
                try:
                    return await self._run("text", _analyse_in_worker, title, text, day)
                except WorkerDied:  # the pool broke under it (a hostile page): pure Python, safe here
                    pass
        return analyse(title, text, day, self.rules, self.terms)

    async def analyse_many(self, texts: list[Text]) -> list[Analysis]:
        """Several items of one feed in one trip to a worker: a trip costs the monitor's process as
        much as a short text's analysis."""
        if not texts:
            return []
        if self._pool is not None:
            async with self.queued:
                try:
                    return await self._run("text", _analyse_many_in_worker, texts)
                except WorkerDied:  # the pool broke under it (a hostile page): pure Python, safe here
                    pass
        return [analyse(title, text, day, self.rules, self.terms) for title, text, day in texts]

    def close(self) -> None:
        self._starting = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _start_processes(pool: Executor, workers: int) -> None:
    """Each task given to a pool with no idle process starts one: `workers` of them start them all."""
    try:
        for _ in range(workers):
            pool.submit(os.getpid)
    except (RuntimeError, BrokenProcessPool):  # shut down meanwhile, or broken: the next submit says so
        pass


@cache
def _context() -> BaseContext:
    """Workers are forked from a server process started once, which has imported trafilatura once.
    Not forked from the monitor itself: a cycle runs in the daemon's scheduler thread beside other
    threads (delivery, the scheduler's own), and a fork copies any lock one of them holds, held for
    ever in the child (a worker that hung so kept a SIGTERM from ending the daemon); nor spawned,
    which would import trafilatura in every worker of every cycle. This process never imports it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["monitor.workers", "trafilatura"])
    return context


_rules: tuple[Ruleset, TallyTerms] | None = None  # in a worker: the cycle's rules, from its initializer


# glibc's mmap threshold is left as glibc sets it: it rises to the size of the largest block freed,
# so after a worker's first pages, their bodies and lxml's buffers come from its heap. Held at 128 KB
# instead, every such block was mapped and unmapped again, page by page: on benchmarks/cycle.py's
# cold world the tree peaked at 226 MB instead of 250, for 1.4 s more system time in the workers and
# 1.3 s more wall in a 32 s cycle.
def _start_worker(monitor: int, rules: Ruleset, terms: TallyTerms) -> None:
    global _rules
    _rules = (rules, terms)
    os.nice(WORKER_NICENESS)
    watch_monitor(monitor)


def _analyse_in_worker(title: str, text: str, day: date | None) -> Analysis:
    assert _rules is not None, "a worker is started with the rules"
    return analyse(title, text, day, *_rules)


def watch_monitor(monitor: int) -> None:
    """In a worker: exit when the monitor (process id `monitor`) is gone, killed with -9 say, instead
    of waiting forever for work that will not come (and holding its output pipes open). Its parent is
    the fork server, which exits with the monitor; it may be gone before this runs, so the monitor is
    watched by its id too."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent and not _gone(monitor):
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone (another user's process: its id reused)
        return True
    try:  # killed but not yet reaped: whoever reaps it may be waiting for our end of its pipes
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
