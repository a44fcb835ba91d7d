"""The two threads beside a cycle's event loop: the Writer, the only one that writes to the store
while the cycle runs, and the Courier, which sends the alerts the Writer's feeds queue.

The Courier writes nothing itself: its claims and what became of each alert are written by the
Writer, between two feeds. Two connections that both wrote would leave the Courier waiting on
SQLite's busy handler, whose sleeps grow to 100 ms and keep missing the moments between the
Writer's back-to-back transactions: measured, a cycle of 100 full-text feeds sent 2 of its 500
alerts while its feeds were stored and the rest after them, 1.3 s more (benchmarks/cycle.py)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from .notify import Attempt, Notifiers, attempt, unconfigured
from .store import Store

log = logging.getLogger("monitor.pipeline")
Clock = Callable[[], datetime]
T = TypeVar("T")


class Writer:
    """The cycle's single writer: one thread with its own connection to the store, where every feed
    is stored in turn. The event loop hands it each feed as it comes in and goes on fetching, reading
    and feeding the workers meanwhile, instead of waiting for a feed's transaction and its commit to
    disk. A job given with first=True (the Courier's) goes ahead of the feeds waiting."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._jobs: deque[tuple[Callable[[Store], Any], Future[Any]] | None] = deque()
        self._ready = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="monitor-writer", daemon=True)
        self._thread.start()

    def submit(self, work: Callable[[Store], T], first: bool = False) -> Future[T]:
        done: Future[T] = Future()
        with self._ready:
            if self._closed:  # its thread is gone: the job would wait for ever
                raise RuntimeError("the cycle's writer is closed")
            (self._jobs.appendleft if first else self._jobs.append)((work, done))
            self._ready.notify()
        return done

    async def run(self, work: Callable[[Store], T]) -> T:
        return await asyncio.wrap_future(self.submit(work))

    def _serve(self) -> None:
        store: Store | None = None  # made in the thread that uses it, as sqlite3 asks
        try:
            while True:
                with self._ready:
                    while not self._jobs:
                        self._ready.wait()
                    job = self._jobs.popleft()
                if job is None:
                    return
                work, done = job
                if not done.set_running_or_notify_cancel():
                    continue
                try:
                    if store is None:
                        store = Store(self.path)
                    done.set_result(work(store))
                except BaseException as e:  # noqa: BLE001 - the job's caller gets it
                    done.set_exception(e)
        finally:
            if store is not None:
                store.close()

    def close(self) -> None:
        """After every job given so far."""
        with self._ready:
            self._closed = True
            self._jobs.append(None)
            self._ready.notify()
        self._thread.join()


class Courier:
    """Delivers the alerts each stored feed queued, in a thread of its own with its own connection
    (for reading), so neither the Writer nor the fetching waits for a target to answer. Woken after
    each feed that queued alerts; a round claims the alerts due, in one statement, and sends them.

    What became of each alert is written by the Writer before its next feed, so an alert sent is
    marked sent within one feed's transaction (tens of milliseconds); a crash in between sends it
    again after the restart, with the same id (notify.alert_uid). Claims keep it from sending what
    another sender sends, as with notify.Meanwhile."""

    def __init__(
        self,
        writer: Writer,
        notifiers: Notifiers,
        clock: Clock,
        stop: threading.Event | None,
        skipped: set[str],
    ) -> None:
        self.sent = 0
        self._writer, self._notifiers, self._clock, self._stop, self._skipped = writer, notifiers, clock, stop, skipped
        self._wake = threading.Event()
        self._queued = self._closing = False
        self._done: list[Attempt] = []
        self._done_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="monitor-courier", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._queued = True
        self._wake.set()

    def _stopped(self) -> bool:
        return self._stop is not None and self._stop.is_set()

    def _run(self) -> None:
        self._wake.wait()
        if not self._queued:  # closed before any feed queued an alert: nothing to open the store for
            return
        try:
            with Store(self._writer.path) as store:
                while not self._stopped():
                    self._wake.clear()
                    self._round(store)
                    if self._closing and not self._wake.is_set():
                        return
                    self._wake.wait()
        except Exception:
            log.exception("delivering the cycle's alerts failed; they stay queued for the cycle's last round")

    def _round(self, store: Store) -> None:
        now = self._clock()
        rows = []
        for row in store.pending_alerts(now):
            if row.notifier in self._skipped:
                continue
            dropped = unconfigured(self._notifiers, row, now)
            if dropped is not None:
                self._record(dropped)
            else:
                rows.append(row)
        if not rows:
            return
        claimed = self._writer.submit(lambda w: w.claim_alerts([r.id for r in rows], now), first=True).result()
        # A claim older than notifiers.claim_expiry (twice a send's deadline, and a minute) reads as a
        # dead sender's, and another sender may take it: a round ends after one deadline, and the
        # next claims what is left afresh.
        ends = time.monotonic() + self._notifiers.deadline
        unsent = []
        for row in rows:
            if row.id not in claimed:
                continue  # another sender has it
            if time.monotonic() > ends:
                unsent.append(row.id)
                self._wake.set()  # another round, at once
                continue
            if self._stopped() or row.notifier in self._skipped:
                unsent.append(row.id)
                continue
            done = attempt(store, self._notifiers, row, now, self._stop, self._skipped)
            self.sent += done.sent
            self._record(done)
        if unsent:
            self._writer.submit(lambda w: w.release_alerts(unsent), first=True).result()

    def _record(self, done: Attempt) -> None:
        with self._done_lock:
            self._done.append(done)
            if len(self._done) > 1:  # the Writer is already due to write those waiting
                return
        self._writer.submit(self._write_done, first=True)

    def _write_done(self, store: Store) -> None:
        with self._done_lock:
            batch, self._done = self._done, []
        try:
            with store.transaction():
                for done in batch:
                    done.record(store)
        except Exception:
            log.exception(
                "recording %d deliveries failed; those alerts are sent again once their claims expire", len(batch)
            )

    def close(self) -> int:
        """Wait for its last round (the alerts queued so far); returns how many it delivered. Before
        the Writer closes: the Writer records what this did."""
        self._closing = True
        self._wake.set()
        self._thread.join()
        return self.sent
