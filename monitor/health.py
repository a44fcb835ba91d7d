"""Is the daemon alive and of use? Its last completed cycle is recent, the store takes writes, and
not every feed has been failing for several cycles."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .errors import StoreError
from .store import Store


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def check_health(
    store_path: Path, poll_interval_seconds: int, now: datetime, feeds: tuple[str, ...] = (), max_failed_cycles: int = 3
) -> Health:
    """feeds: the enabled feeds' names; when every one has failed max_failed_cycles times in a row the
    daemon runs but reads nothing, which a supervisor must hear about."""
    if not store_path.exists():
        return Health(False, f"no store at {store_path}: the daemon has not completed a cycle yet")
    try:
        store = Store(store_path)
    except StoreError as e:
        return Health(False, str(e))
    with store:
        try:
            return _check(store, store_path, poll_interval_seconds, now, feeds, max_failed_cycles)
        except sqlite3.DatabaseError as e:
            return Health(False, f"the store at {store_path} cannot be read: {e}")


def _check(
    store: Store,
    store_path: Path,
    poll_interval_seconds: int,
    now: datetime,
    feeds: tuple[str, ...],
    max_failed_cycles: int,
) -> Health:
    problem = store.integrity_problem()
    if problem:
        return Health(False, f"the store at {store_path} is damaged: {problem}")
    try:
        store.touch(now)
    except StoreError as e:
        return Health(False, str(e))
    cycle = store.last_cycle()
    if cycle is None:
        return Health(False, "no cycle has completed yet")
    finished = datetime.fromisoformat(cycle.finished_at or "")  # last_cycle() gives only finished ones
    limit = timedelta(seconds=2 * poll_interval_seconds)
    age = now - finished
    if age > limit:
        return Health(
            False,
            f"last cycle finished {int(age.total_seconds())} s ago, more than twice the "
            f"poll interval ({2 * poll_interval_seconds} s)",
        )
    states = store.feeds()
    failing = [
        states[name] for name in feeds if name in states and states[name].consecutive_failures >= max_failed_cycles
    ]
    if feeds and len(failing) == len(feeds):
        first = failing[0]
        return Health(
            False,
            f"every feed ({len(feeds)}) has failed at least {max_failed_cycles} times in a row "
            f"(health.max_failed_cycles); {first.name}: {first.last_error}",
        )
    return Health(
        True,
        f"last cycle finished {int(age.total_seconds())} s ago: {cycle.feeds_ok} feeds updated, "
        f"{cycle.feeds_not_modified} not modified, {cycle.feeds_failed} failed",
    )
