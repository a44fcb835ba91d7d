"""`monitor browse`: the store in a web page, served by datasette (an optional extra), read-only,
with metadata that makes it a desk's page: titles, descriptions, canned queries, facets and the
links the schema's foreign keys give."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .errors import MonitorError
from .store_archive import BROWSE_QUERIES

INSTALL_HINT = (
    "datasette is not installed: it is the optional extra `browse`. Install it with "
    "`pip install 'monitor[browse]'`, or `pip install -e \".[browse]\"` from the repository."
)


class BrowseError(MonitorError):
    pass


def have_datasette() -> bool:
    try:
        import datasette  # noqa: F401, PLC0415 - the optional extra: only `monitor browse` asks whether it imports
    except ImportError:
        return False
    return True


TABLES = {
    "items": {
        "title": "Items: every article stored, one row per outlet",
        "description": "Classified items. categories is a JSON list (attack, strike); matches holds each rule that "
        "fired and its sentence; tallies the reported totals. An item links to its feed and its story; "
        "its row page lists the tally reports and alerts it caused.",
        "facets": [{"array": "categories"}, "feed", "text_source"],
        "sort_desc": "id",
        "label_column": "title",
    },
    "stories": {
        "title": "Stories: items of several outlets that tell the same thing",
        "description": "A story's row page lists its items (one per outlet and copy); first_item_id is the item it began with.",
        "sort_desc": "id",
    },
    "feeds": {
        "title": "Feeds and their fetch state",
        "description": "consecutive_failures > 0 means failing since failing_since; next_attempt_at is the backoff.",
        "facets": ["consecutive_failures"],
        "label_column": "name",
    },
    "tally_reports": {
        "title": "Tally reports: each reported running total of attacks",
        "description": "A series is (since, region). verdict: new-series, rise (above the series' high), "
        "repeat (the same figure again) or stale (below a figure already known).",
        "facets": ["outlet", "verdict", "region", "since"],
        "sort_desc": "id",
    },
    "alerts": {
        "title": "Alerts: the outbox",
        "description": "One row per alert and notifier; pending rows are retried every cycle.",
        "facets": ["kind", "status", "notifier"],
        "sort_desc": "id",
        "label_column": "title",
    },
    "digests": {"title": "Digests sent", "sort_desc": "period_end"},
    "cycles": {"title": "Polling cycles", "sort_desc": "id"},
    "schema_version": {"title": "Schema steps applied to this store"},
    "prunes": {"title": "Retention runs"},
    "item_failures": {"title": "Items that could not be stored"},
    "sketches": {"hidden": True},
    "heartbeat": {"hidden": True},
}


def metadata(store_path: Path) -> dict[str, Any]:
    return {
        "title": "monitor: attacks on US forces and US strikes",
        "description": "The monitor's store, read-only. Start with the canned queries: the latest reports, "
        "one story's outlets, each tally series over time, failing feeds.",
        "databases": {
            store_path.stem: {
                "title": "The monitor's store",
                "tables": TABLES,
                "queries": BROWSE_QUERIES,
            }
        },
    }


def check_ready(store_path: Path) -> None:
    if not have_datasette():
        raise BrowseError(INSTALL_HINT)
    if not store_path.exists():
        raise BrowseError(f"no store at {store_path} yet: run `monitor poll` or `monitor run` first")


def serve(store_path: Path, host: str, port: int) -> int:
    """Run datasette on the store until interrupted; returns its exit code."""
    check_ready(store_path)
    with tempfile.TemporaryDirectory(prefix="monitor-browse-") as folder:
        meta = Path(folder) / "metadata.json"
        meta.write_text(json.dumps(metadata(store_path), indent=2))
        command = [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            str(store_path),
            "--host",
            host,
            "--port",
            str(port),
            "--metadata",
            str(meta),
            # Reads only: datasette opens the file with mode=ro; no canned query writes; no uploads.
            "--setting",
            "default_page_size",
            "50",
            "--setting",
            "sql_time_limit_ms",
            "3000",
            "--setting",
            "allow_download",
            "off",
        ]
        # datasette runs as a child: a SIGTERM to the monitor (a service manager, a container's stop)
        # must stop it too, or it goes on serving the store after the monitor is gone.
        child = subprocess.Popen(command)
        previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.terminate())
        try:
            return child.wait()
        except KeyboardInterrupt:
            child.terminate()
            child.wait()
            return 0
        finally:
            signal.signal(signal.SIGTERM, previous)
