"""APScheduler as a clock, nothing more: it ticks; the state (what is new, what is pending) lives in the store."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime, timezone

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger("monitor.scheduler")


def run_forever(cycle: Callable[[], None], interval_seconds: int) -> None:
    """Run cycle now and every interval_seconds until SIGINT or SIGTERM; a running cycle finishes first."""
    scheduler = BlockingScheduler(timezone=timezone.utc)
    stopping = threading.Event()
    running = threading.Lock()

    def guarded() -> None:
        with running:
            if stopping.is_set():
                return
            try:
                cycle()
            except Exception:  # APScheduler would swallow it silently; say so and keep the daemon alive
                log.exception("cycle failed; the next one will try again")

    scheduler.add_job(
        guarded, IntervalTrigger(seconds=interval_seconds), next_run_time=datetime.now(timezone.utc),
        id="poll", max_instances=1, coalesce=True, misfire_grace_time=None,
    )

    def stop(signum, _frame) -> None:
        log.info("received %s: stopping after the current cycle", signal.Signals(signum).name)
        stopping.set()
        # wait=True would block inside the signal handler; the main thread waits for running jobs on shutdown.
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    scheduler.start()
    with running:  # a cycle under way finishes its writes; fetch timeouts bound how long that takes
        pass
