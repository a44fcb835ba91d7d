"""The store read as an archive: full-text search, story listings, export rows and retention.
Part of the store layer (with store.py and the schema modules, the only modules that speak SQL); Store
inherits these queries."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any


from .errors import StoreError
from .store_base import Params, Queries
from .store_base import iso as _iso

# When an item happened: its published time, else when it was fetched (as the digest and story_outlets do).
AT = "COALESCE(i.published, i.fetched_at)"


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """Which items a listing, search or export covers; every field narrows, none set = all."""

    since: datetime | None = None  # at or after
    until: datetime | None = None  # before
    category: str | None = None  # the item is in this category (attack, strike)
    feeds: tuple[str, ...] = ()  # from one of these outlets
    reports_only: bool = False  # in at least one category

    def sql(self) -> tuple[str, Params]:
        where: list[str] = ["1"]
        params: Params = []
        if self.since is not None:
            where.append(f"{AT} >= ?")
            params.append(_iso(self.since))
        if self.until is not None:
            where.append(f"{AT} < ?")
            params.append(_iso(self.until))
        if self.category:
            where.append("EXISTS (SELECT 1 FROM json_each(i.categories) WHERE value = ?)")
            params.append(self.category)
        if self.feeds:
            where.append(f"i.feed IN ({','.join('?' * len(self.feeds))})")
            params.extend(self.feeds)
        if self.reports_only:
            where.append("i.categories != '[]'")
        return " AND ".join(where), params


class ArchiveQueries(Queries):
    def search_matches(self, query: str, f: ItemFilter, limit: int) -> list[dict[str, Any]]:
        """The best-matching item of each story whose items match query (FTS5 syntax; words that are
        not valid syntax, such as 'U.S.', are searched as quoted words), best first, with a snippet."""
        where, params = f.sql()
        sql = f"""SELECT i.id AS item_id, i.story_id, bm25(items_fts) AS rank,
                         snippet(items_fts, 1, '[', ']', '…', 12), snippet(items_fts, 0, '[', ']', '…', 12)
                  FROM items_fts JOIN items i ON i.id = items_fts.rowid
                  WHERE items_fts MATCH ? AND {where} ORDER BY rank, i.id"""
        try:
            rows = self.db.execute(sql, [query, *params]).fetchall()
        except sqlite3.OperationalError:
            quoted = " ".join('"' + word.replace('"', '""') + '"' for word in query.split())
            if not quoted:
                raise StoreError("an empty search query") from None
            rows = self.db.execute(sql, [quoted, *params]).fetchall()
        best: dict[int, dict[str, Any]] = {}
        for item_id, story_id, rank, in_text, in_title in rows:
            # The title is shown anyway: the text's match says more, when the text has one.
            snippet = in_text if "[" in in_text else in_title
            if story_id not in best:
                best[story_id] = {
                    "item_id": item_id,
                    "story_id": story_id,
                    "rank": rank,
                    "snippet": " ".join(snippet.split()),
                }
                if len(best) == limit:
                    break
        return list(best.values())

    def latest_story_ids(self, f: ItemFilter, limit: int | None) -> list[int]:
        """Stories with an item that passes f, the latest first (by their first such item)."""
        where, params = f.sql()
        sql = f"""SELECT i.story_id FROM items i WHERE {where} AND i.story_id IS NOT NULL
                  GROUP BY i.story_id ORDER BY MIN({AT}) DESC, i.story_id DESC"""
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self.db.execute(sql, params).fetchall()]

    def story_summaries(self, story_ids: list[int]) -> dict[int, dict[str, Any]]:
        """Per story: when it was first and last carried, by which outlets, its categories, and its
        lead item (the first that is a report, else the first) for the title and link."""
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        rows = self.db.execute(
            f"""SELECT i.story_id, i.id, i.feed, i.title, i.url, i.categories, {AT} AS at FROM items i
                WHERE i.story_id IN ({marks}) ORDER BY at, i.id""",
            story_ids,
        ).fetchall()
        out: dict[int, dict[str, Any]] = {}
        for story_id, item_id, feed, title, url, categories, at in rows:
            cats = json.loads(categories)
            s = out.setdefault(
                story_id,
                {
                    "story_id": story_id,
                    "first_seen": at,
                    "last_seen": at,
                    "outlets": [],
                    "items": 0,
                    "categories": [],
                    "title": title,
                    "link": url,
                    "lead_item_id": item_id,
                    "_lead_is_report": bool(cats),
                },
            )
            s["last_seen"] = at
            s["items"] += 1
            if feed not in s["outlets"]:
                s["outlets"].append(feed)
            s["categories"] += [c for c in cats if c not in s["categories"]]
            if cats and not s["_lead_is_report"]:
                s.update(title=title, link=url, lead_item_id=item_id, _lead_is_report=True)
        for s in out.values():
            del s["_lead_is_report"]
        return out

    def report_rows(self, f: ItemFilter) -> list[dict[str, Any]]:
        where, params = f.sql()
        return [
            dict(r, categories=json.loads(r["categories"]), rules=json.loads(r["rules"]))
            for r in self.db.query(
                f"""SELECT i.id, i.story_id, i.feed AS outlet, i.published, i.fetched_at, i.title, i.url AS link,
                           i.categories, i.matches AS rules, i.text_source, i.text_note
                    FROM items i WHERE {where} AND i.categories != '[]' ORDER BY {AT}, i.id""",
                params,
            )
        ]

    def tally_rows(self, f: ItemFilter) -> list[dict[str, Any]]:
        where, params = f.sql()
        return list(
            self.db.query(
                f"""SELECT t.since || ' ' || t.region AS series, t.since, t.region, substr(t.published, 1, 10) AS date,
                       t.count AS figure, t.qualifier, t.outlet, t.verdict, t.previous_count AS previous_figure,
                       t.url AS link, t.published, t.sentence, t.item_id, i.story_id, t.id
                FROM tally_reports t JOIN items i ON i.id = t.item_id
                WHERE {where} ORDER BY t.since, t.region, t.published, t.id""",
                params,
            )
        )

    def story_of(self, item_id: int) -> int | None:
        row = self.db.execute("SELECT story_id FROM items WHERE id = ?", [item_id]).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------ retention

    def prunable(self, before: datetime) -> dict[str, int]:
        """What pruning items stored before this moment would remove."""
        cutoff = _iso(before)
        texts, sketches = self.db.execute(
            """SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM sketches s WHERE s.item_id = i.id)), 0)
               FROM items i WHERE i.fetched_at < ? AND (i.text != '' OR EXISTS (SELECT 1 FROM sketches s WHERE s.item_id = i.id))""",
            [cutoff],
        ).fetchone()
        cycles = self.db.execute("SELECT COUNT(*) FROM cycles WHERE started_at < ?", [cutoff]).fetchone()[0]
        return {"texts": texts, "sketches": sketches, "cycles": cycles}

    def prune_before(self, before: datetime) -> None:
        """Drop the texts and fingerprints of items stored before this moment, and the record of cycles
        started before it. Item rows stay (title, link, categories, story), and so do tally reports and
        alerts: series and stories keep their whole history, and search still finds the titles."""
        cutoff = _iso(before)
        self.index_pending()  # the update trigger takes out of the index what it holds of each item
        self.db.execute("DELETE FROM sketches WHERE item_id IN (SELECT id FROM items WHERE fetched_at < ?)", [cutoff])
        self.db.execute(
            "UPDATE items SET text = '', shingles = 0, sketch = NULL WHERE fetched_at < ? AND (text != '' OR sketch IS NOT NULL)",
            [cutoff],
        )
        self.db.execute("DELETE FROM cycles WHERE started_at < ?", [cutoff])

    def forget_charts(self, paths: list[str]) -> None:
        if paths:
            self.db.execute(f"UPDATE digests SET chart = NULL WHERE chart IN ({','.join('?' * len(paths))})", paths)

    def record_prune(self, now: datetime, before: datetime, counts: dict[str, int]) -> None:
        self.db.execute(
            "INSERT INTO prunes (ran_at, before, texts, sketches, cycles, charts) VALUES (?, ?, ?, ?, ?, ?)",
            [_iso(now), _iso(before), counts["texts"], counts["sketches"], counts["cycles"], counts["charts"]],
        )

    def last_prune(self) -> str | None:
        last: str | None = self._one("SELECT MAX(ran_at) FROM prunes", [])[0]
        return last

    def vacuum(self) -> None:
        self.db.execute("VACUUM")


# The canned queries of `monitor browse` (datasette metadata): read-only SQL, named parameters.
BROWSE_QUERIES = {
    "latest_reports": {
        "title": "Latest reports",
        "hide_sql": True,
        "description": "Each story that is a report, newest first, by its first report item: outlets carrying it, "
        "categories, title and link.",
        "sql": """SELECT i.story_id, substr(COALESCE(i.published, i.fetched_at), 1, 16) AS published,
       (SELECT COUNT(DISTINCT j.feed) FROM items j WHERE j.story_id = i.story_id) AS outlets,
       i.categories, i.title, i.feed AS first_outlet, i.url AS link
FROM items i
WHERE i.categories != '[]'
  AND i.id = (SELECT MIN(k.id) FROM items k WHERE k.story_id = i.story_id AND k.categories != '[]')
ORDER BY COALESCE(i.published, i.fetched_at) DESC
LIMIT 200""",
    },
    "story_outlets": {
        "title": "One story's outlets",
        "hide_sql": True,
        "description": "Who carried a story and when (its first time in each outlet); story_id from Latest reports.",
        "sql": """SELECT feed AS outlet, MIN(COALESCE(published, fetched_at)) AS carried_at, COUNT(*) AS items,
       MIN(title) AS title, MIN(url) AS link
FROM items WHERE story_id = :story_id
GROUP BY feed ORDER BY carried_at""",
    },
    "tally_series": {
        "title": "Each tally series over time",
        "hide_sql": True,
        "description": "Every reported figure of each series (since, region) in date order, with its verdict.",
        "sql": """SELECT since || ' ' || region AS series, substr(published, 1, 10) AS date, count AS figure, qualifier,
       outlet, verdict, previous_count AS previous_figure, url AS link
FROM tally_reports ORDER BY since, region, published, id""",
    },
    "failing_feeds": {
        "title": "Failing feeds",
        "hide_sql": True,
        "description": "Feeds whose last fetches failed: since when, how many in a row, the last error and the next attempt.",
        "sql": """SELECT name, consecutive_failures, failing_since, last_error, last_error_at, next_attempt_at,
       last_success_at, url
FROM feeds WHERE consecutive_failures > 0 ORDER BY failing_since""",
    },
}
