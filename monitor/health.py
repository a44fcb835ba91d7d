"""Is the daemon alive? Its last completed cycle is recent and the store takes writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from .errors import StoreError
from .store import Store, parse_iso


@dataclass(frozen=True)
class Health:
    ok: bool
    reason: str


def check_health(store_path: Path, poll_interval_seconds: int, now: datetime) -> Health:
    if not store_path.exists():
        return Health(False, f"no store at {store_path}: the daemon has not completed a cycle yet")
    try:
        store = Store(store_path)
    except StoreError as e:
        return Health(False, str(e))
    try:
        try:
            store.touch(now)
        except StoreError as e:
            return Health(False, str(e))
        cycle = store.last_cycle()
        if cycle is None:
            return Health(False, "no cycle has completed yet")
        finished = parse_iso(cycle["finished_at"])
        limit = timedelta(seconds=2 * poll_interval_seconds)
        age = now - finished
        if age > limit:
            return Health(False, f"last cycle finished {int(age.total_seconds())} s ago, more than twice the "
                                 f"poll interval ({2 * poll_interval_seconds} s)")
        return Health(True, f"last cycle finished {int(age.total_seconds())} s ago: {cycle['feeds_ok']} feeds updated, "
                            f"{cycle['feeds_not_modified']} not modified, {cycle['feeds_failed']} failed")
    finally:
        store.close()
