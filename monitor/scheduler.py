"""APScheduler as a clock, nothing more: it ticks; the state (what is new, what is pending) lives in the store."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from types import FrameType
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("monitor.scheduler")


def run_forever(
    cycle: Callable[[], None],
    interval_seconds: int,
    digest: Callable[[], None] | None = None,
    digest_trigger: Any = None,  # an APScheduler trigger
    stopping: threading.Event | None = None,
) -> None:
    """Run cycle now and every interval_seconds, and digest now (to catch up) and at every slot of
    digest_trigger, until SIGINT or SIGTERM; jobs never overlap. stopping is set at the signal: a
    cycle that watches it (run_cycle's stop) ends its work early, and the job under way is awaited."""
    scheduler = BlockingScheduler(timezone=timezone.utc)
    stopping = stopping or threading.Event()
    running = threading.Lock()

    def guarded(job: Callable[[], None], name: str) -> Callable[[], None]:
        def run() -> None:
            with running:
                if stopping.is_set():
                    return
                try:
                    job()
                except Exception:  # APScheduler would swallow it silently; say so and keep the daemon alive
                    log.exception("%s failed; the next one will try again", name)

        return run

    now = datetime.now(timezone.utc)
    scheduler.add_job(
        guarded(cycle, "cycle"),
        IntervalTrigger(seconds=interval_seconds),
        next_run_time=now,
        id="poll",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    if digest is not None and digest_trigger is not None:
        scheduler.add_job(
            guarded(digest, "digest"),
            digest_trigger,
            id="digest",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        # A digest missed while the daemon was down is owed now; the store knows which.
        scheduler.add_job(guarded(digest, "digest"), "date", run_date=now + timedelta(seconds=1), id="digest-catch-up")

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s: stopping after the current cycle", signal.Signals(signum).name)
        stopping.set()
        # wait=True would block inside the signal handler; the main thread waits for running jobs on shutdown.
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    with running:  # a cycle under way sees stopping and finishes the feed it is storing
        pass
