"""Article page -> article text, with trafilatura, in a pool of processes beside the fetching. No text
is a value (None), not an error: the pipeline then uses the feed's summary and says so in the record."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from multiprocessing.context import BaseContext
from types import ModuleType

from .errors import MonitorError
from .fetch import Response


def load_extractor() -> ModuleType:
    """trafilatura, imported on first use: it costs a quarter of a second that a warm poll never needs."""
    import trafilatura  # noqa: PLC0415

    return trafilatura


def watch_monitor(monitor: int) -> None:
    """In an extraction process: exit when the monitor (process id `monitor`) is gone, killed with -9
    say, instead of waiting forever for pages that will not come (and holding its output pipes open).
    Its parent is the fork server, which exits with the monitor; it may be gone before this runs, so
    the monitor is watched by its id too."""
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


def extract_text(page: bytes | str, url: str = "") -> str | None:
    trafilatura = load_extractor()
    # deduplicate=True keeps a process-wide cache that would drop repeated text across articles
    # of a long-running daemon; comments and tables are not the story.
    text: str | None = trafilatura.extract(
        page,
        url=url or None,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
        with_metadata=False,
        favor_precision=True,
    )
    if not text or len(text.split()) < 20:
        return None
    return text


@cache
def _context() -> BaseContext:
    """Workers are forked from a server process started once, which has imported trafilatura once.
    Not forked from the monitor itself: a cycle runs in the daemon's scheduler thread beside other
    threads (delivery, the scheduler's own), and a fork copies any lock one of them holds, held for
    ever in the child (a worker that hung so kept a SIGTERM from ending the daemon); nor spawned,
    which would import trafilatura in every worker of every cycle. This process never imports it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["monitor.extract", "trafilatura"])
    return context


class Extractor:
    """The pool of extraction processes of one cycle, started at the first page. trafilatura runs
    there, beside the fetching, on every core; a page waits for a free slot before it is fetched,
    so at most `slots` page bodies are held at once, whatever the size of the cycle."""

    def __init__(self, workers: int):
        self.workers = workers
        self.slots = asyncio.Semaphore(workers * 3)
        self._pool: Executor | None = None

    async def text_of(self, page: Response) -> str | None:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=_context(), initializer=watch_monitor, initargs=(os.getpid(),)
            )
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, extract_text, page.body, page.url)
        except BrokenProcessPool:
            if self._pool is pool:  # a worker died on a page: later pages get a new pool
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise MonitorError("the extraction process died on this page") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
