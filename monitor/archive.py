"""The store as an archive: search and list stories, export reports, tallies and stories as CSV,
JSON or JSON Lines, and prune what retention lets go. The queries are the store's; this module
shapes what they return."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from .config import Feed
from .errors import StoreError
from .store import FeedRecord, Store
from .store_archive import ItemFilter as ItemFilter  # the commands build their filter from here

Row = dict[str, Any]

EXPORTS = ("reports", "tallies", "stories")
FORMATS = ("csv", "json", "jsonl")


@dataclass(frozen=True, slots=True)
class StoryLine:
    """One story as the listings show it; snippet only in search results."""

    story_id: int
    first_seen: str
    last_seen: str
    outlets: list[str]
    items: int
    categories: list[str]
    title: str
    link: str
    lead_item_id: int
    snippet: str = ""

    def as_dict(self) -> Row:
        d = {k: getattr(self, k) for k in self.__slots__}
        d["outlet_count"] = len(self.outlets)
        if not self.snippet:
            del d["snippet"]
        return d

    def render(self) -> str:
        n = len(self.outlets)
        outlets = f"{n} outlet{'' if n == 1 else 's'}"
        line = f"{self.first_seen[:10]}  {outlets:<10} {','.join(self.categories) or '-':<13} {self.title}  {self.link}"
        return line + (f"\n    {self.snippet}" if self.snippet else "")


def search(store: Store, query: str, f: ItemFilter, limit: int = 20) -> list[StoryLine]:
    matches = store.search_matches(query, f, limit)
    summaries = store.story_summaries([m["story_id"] for m in matches])
    return [StoryLine(**summaries[m["story_id"]], snippet=m["snippet"]) for m in matches]


def latest(store: Store, f: ItemFilter, limit: int | None = 20) -> list[StoryLine]:
    ids = store.latest_story_ids(f, limit)
    summaries = store.story_summaries(ids)
    return [StoryLine(**summaries[i]) for i in ids]


def export_rows(store: Store, what: str, f: ItemFilter) -> list[Row]:
    if what == "reports":
        return store.report_rows(f)
    if what == "tallies":
        return store.tally_rows(f)
    if what == "stories":
        return [s.as_dict() for s in latest(store, f, None)]
    raise ValueError(f"unknown export {what!r}; expected one of {', '.join(EXPORTS)}")


def _flat(value: object) -> object:
    """A CSV cell: lists joined with '; ', rule matches by rule name."""
    if isinstance(value, list):
        return "; ".join(v["rule"] if isinstance(v, dict) and "rule" in v else str(v) for v in value)
    return value


def render_export(rows: list[Row], fmt: str, what: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    out = io.StringIO()
    fields = list(rows[0]) if rows else list(EMPTY_HEADERS[what])
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: _flat(v) for k, v in r.items()})
    return out.getvalue()


# The header of an empty export, so a spreadsheet or a script gets the columns either way.
EMPTY_HEADERS = {
    "reports": (
        "id",
        "story_id",
        "outlet",
        "published",
        "fetched_at",
        "title",
        "link",
        "categories",
        "rules",
        "text_source",
        "text_note",
    ),
    "tallies": (
        "series",
        "since",
        "region",
        "date",
        "figure",
        "qualifier",
        "outlet",
        "verdict",
        "previous_figure",
        "link",
        "published",
        "sentence",
        "item_id",
        "story_id",
        "id",
    ),
    "stories": (
        "story_id",
        "first_seen",
        "last_seen",
        "outlets",
        "items",
        "categories",
        "title",
        "link",
        "lead_item_id",
        "outlet_count",
    ),
}


# ---------------------------------------------------------------- retention


@dataclass(frozen=True, slots=True)
class PrunePlan:
    before: datetime
    texts: int  # items whose text and fingerprint go
    sketches: int
    cycles: int
    charts: list[Path]

    def describe(self) -> str:
        return (
            f"before {self.before.isoformat(timespec='seconds')}: {self.texts} item texts and {self.sketches} "
            f"fingerprint rows, {self.cycles} cycle records, {len(self.charts)} chart files"
        )


def plan_prune(store: Store, retention_days: float, now: datetime) -> PrunePlan | None:
    """What retention lets go now; None when retention is off (0 days)."""
    if not retention_days:
        return None
    before = now - timedelta(days=retention_days)
    counts = store.prunable(before)
    charts_dir = store.path.parent / "charts"
    charts = (
        sorted(p for p in charts_dir.glob("*.png") if datetime.fromtimestamp(p.stat().st_mtime, timezone.utc) < before)
        if charts_dir.is_dir()
        else []
    )
    return PrunePlan(before, counts["texts"], counts["sketches"], counts["cycles"], charts)


def prune(store: Store, plan: PrunePlan, now: datetime, vacuum: bool = False) -> None:
    with store.transaction():
        store.prune_before(plan.before)
        store.forget_charts([str(p) for p in plan.charts])
        store.record_prune(
            now,
            plan.before,
            {"texts": plan.texts, "sketches": plan.sketches, "cycles": plan.cycles, "charts": len(plan.charts)},
        )
    for chart in plan.charts:
        chart.unlink(missing_ok=True)
    if vacuum:
        store.vacuum()


def prune_if_due(store: Store, retention_days: float, now: datetime) -> PrunePlan | None:
    """The daemon's daily prune: runs when retention is on and the last prune is a day old or more."""
    last = store.last_prune()
    if not retention_days or (last and datetime.fromisoformat(last) > now - timedelta(days=1)):
        return None
    plan = plan_prune(store, retention_days, now)
    if plan is not None:
        prune(store, plan, now)
    return plan


# ---------------------------------------------------------------- what the commands call


def open_existing(store_path: Path) -> Store:
    """The store, which a reading command must not create."""
    if not store_path.exists():
        raise StoreError(f"no store at {store_path} yet: run `monitor poll` or `monitor run` first")
    return Store(store_path)


def search_stories(store_path: Path, query: str, f: ItemFilter, limit: int = 20) -> list[StoryLine]:
    """`monitor search`: the stories whose items match an FTS5 query, best first."""
    with open_existing(store_path) as store:
        return search(store, query, f, limit)


def latest_stories(store_path: Path, f: ItemFilter, limit: int | None = 20) -> list[StoryLine]:
    """`monitor items`: the latest stories, newest first."""
    with open_existing(store_path) as store:
        return latest(store, f, limit)


def export(store_path: Path, what: str, f: ItemFilter, fmt: str) -> tuple[int, str]:
    """`monitor export`: how many rows, and the text of them in the format asked."""
    with open_existing(store_path) as store:
        rows = export_rows(store, what, f)
    return len(rows), render_export(rows, fmt, what)


def prune_store(store_path: Path, retention_days: float, now: datetime, dry_run: bool, vacuum: bool) -> str:
    """`monitor prune`: apply retention now (or only say what it would remove); the sentence saying what happened."""
    with open_existing(store_path) as store:
        plan = plan_prune(store, retention_days, now)
        if plan is None:
            if vacuum and not dry_run:
                store.vacuum()
            return "storage.retention_days is 0: everything is kept, nothing to prune."
        if dry_run:
            return "Would remove " + plan.describe()
        prune(store, plan, now, vacuum)
    return "Removed " + plan.describe() + ("; store vacuumed" if vacuum else "")


def feed_list(feeds: tuple[Feed, ...], store_path: Path) -> list[Row]:
    """`monitor feeds list`: each configured feed with its state, from the store if there is one."""
    stored: dict[str, FeedRecord] = {}
    if store_path.exists():
        with Store(store_path) as store:
            stored = store.feeds()
    return feed_states(feeds, stored)


def feed_states(feeds: tuple[Feed, ...], stored: dict[str, FeedRecord]) -> list[Row]:
    """`monitor feeds list`: each configured feed with its state: disabled, never polled, failing or ok."""
    out = []
    for feed in feeds:
        f = stored.get(feed.name)
        if not feed.enabled:
            state = "disabled"
        elif f is None:
            state = "never polled"
        elif f.consecutive_failures:
            state = f"FAILING {f.consecutive_failures} in a row since {f.failing_since}: {f.last_error}"
        else:
            state = "ok"
        out.append(
            {
                "name": feed.name,
                "url": feed.url,
                "enabled": feed.enabled,
                "state": state,
                "items_stored": f.items_stored if f else 0,
                "last_success_at": f.last_success_at if f else None,
                "last_error": f.last_error if f else None,
                "consecutive_failures": f.consecutive_failures if f else 0,
            }
        )
    return out
