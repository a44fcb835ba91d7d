"""The thread a send runs in, so that a deadline can bound it: kept between sends, one for each
thread that sends (the courier, the daemon's delivery, the CLI), so one send never waits behind
another's. A send in a thread started for it cost 0.25-0.4 ms more CPU than in one kept (apprise's
json:// on loopback, 1.63 against 1.35 ms a send), in the process that stores the feeds.

A send still running at its deadline is left to finish alone in its thread, which ends after it;
the next send of that caller gets a new thread. The threads are daemons: a target that never answers
does not keep the monitor from exiting."""

from __future__ import annotations

import queue
import threading
import time
import weakref
from collections.abc import Callable

Job = Callable[[], None]


class _Kept:
    """A thread that runs the jobs given to it, one at a time, until it is given None: when its
    caller's thread ends (and this object with that thread's data), or it is left behind a job."""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        threading.Thread(target=_serve, args=(self.jobs,), name="monitor-send", daemon=True).start()
        weakref.finalize(self, self.jobs.put, None)


def _serve(jobs: queue.SimpleQueue[Job | None]) -> None:
    while (job := jobs.get()) is not None:
        job()


_callers = threading.local()


def run_within(job: Job, seconds: float, stop: threading.Event | None = None) -> bool:
    """Run job() in the calling thread's kept thread; True when it ended within seconds, and
    before stop was set."""
    kept: _Kept | None = getattr(_callers, "kept", None)
    if kept is None:
        kept = _callers.kept = _Kept()
    done = threading.Event()

    def tracked() -> None:
        try:
            job()
        finally:
            done.set()

    kept.jobs.put(tracked)
    until = time.monotonic() + seconds
    while not done.is_set():
        left = until - time.monotonic()
        if left <= 0 or (stop is not None and stop.is_set()):
            _callers.kept = None
            kept.jobs.put(None)  # it ends once the job does
            return False
        done.wait(min(0.2, left))
    return True
