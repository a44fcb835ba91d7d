"""Items and stories in the store: writing an item with its fingerprint, finding what it is the same
as (same entry, same text, near copies within a window), and the items a feed could not store.
Part of the store layer (the only modules that speak SQL); Store inherits these queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .schema_sketches import sketch_blob, sketch_of_blob
from .store_base import Params, Queries, day_of, iso, parse_iso

if TYPE_CHECKING:
    from .dedupe import Fingerprint
    from .models import Article, Classification

# Most items one sketch value is followed to (see near_duplicate_candidates).
SKETCH_FANOUT = 50


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item to store, with its keys; story_id None starts a story of its own."""

    feed: str
    article: Article
    classification: Classification
    fetched_at: datetime
    story_id: int | None = None
    text_key: str = ""
    fingerprint: Fingerprint | None = None
    entry_key: str = ""
    caught_up: bool = False  # stored silently by a feed's first (catch-up) poll


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """A stored item: the entry, its text and how it was classified, and the story it is in."""

    id: int
    feed: str
    guid: str
    url: str
    canonical_url: str
    title: str
    published: str | None
    updated: str | None
    fetched_at: str
    text: str  # '' once retention pruned it
    text_source: str
    text_note: str
    categories: list[str]
    matches: list[dict[str, Any]]  # rule, category, sentence
    tallies: list[dict[str, Any]]  # Tally.as_label() and the sentence
    story_id: int
    text_key: str | None
    shingles: int | None
    entry_key: str | None
    seen_at: str | None
    caught_up: bool


# Named, not *: a store upgraded in place has its columns in the order they were added.
_ITEM_COLUMNS = ", ".join(ItemRecord.__dataclass_fields__)


@dataclass(frozen=True, slots=True)
class StoryFirstSeen:
    """A story first stored in a period: when, by how many outlets, and its report items, oldest first."""

    story_id: int
    first_seen: str
    outlets: int
    items: list[ItemRecord]


@dataclass(frozen=True, slots=True)
class StoryOutlet:
    """An outlet that carried a story: when it first did, and in how many items."""

    outlet: str
    carried_at: str
    items: int


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """The item a feed's entry was stored as."""

    id: int
    story_id: int
    updated: str | None
    entry_key: str | None


@dataclass(frozen=True, slots=True)
class SameText:
    """An item with exactly the same text."""

    id: int
    feed: str
    story_id: int


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored item that may be a copy of a new text, as the lookup finds it: read from indexes
    alone. Its sketch, story and figures are read for the few found alike enough (sketch_of,
    story_and_tallies)."""

    id: int
    shared: int  # sketch values found shared by the lookup (each value followed to at most SKETCH_FANOUT items)
    shared_at_most: int  # and those it may share beyond the items a value was followed to
    shingles: int


class ItemQueries(Queries):
    # ------------------------------------------------------------ items

    def stored_entry(self, feed: str, guid: str, canonical_url: str) -> StoredEntry | None:
        row = self._one(
            """SELECT id, story_id, updated, entry_key FROM items WHERE feed = ? AND (guid = ? OR canonical_url = ?)
               ORDER BY id LIMIT 1""",
            [feed, guid, canonical_url or "\0"],
        )
        return StoredEntry(*row) if row else None

    def item_at_url(self, canonical_url: str) -> ItemRecord | None:
        """The item another outlet stored for this canonical URL, if any: its text need not be fetched again."""
        if not canonical_url:
            return None
        rows = self._items("id = (SELECT MIN(id) FROM items WHERE canonical_url = ?)", [canonical_url])
        return rows[0] if rows else None

    def item_text(self, item_id: int) -> str:
        """A stored item's text ('' once retention pruned it, or when there is no such item)."""
        row = self._one("SELECT text FROM items WHERE id = ?", [item_id])
        return str(row[0]) if row else ""

    def insert_item(self, item: NewItem) -> tuple[int, int]:
        """Store an item in its story, or in a new story of its own; returns (item id, story id)."""
        e, article, fp = item.article.entry, item.article, item.fingerprint
        story_id = item.story_id
        if story_id is None:
            # The story first, so the item's row (its whole text) is written once, not again for its story id.
            story_id = self._insert("INSERT INTO stories (created_at) VALUES (?)", [iso(item.fetched_at)])
        item_id = self._insert(
            """INSERT INTO items (feed, guid, url, canonical_url, title, published, updated, fetched_at, text,
               text_source, text_note, categories, matches, tallies, story_id, text_key, shingles, entry_key, seen_at,
               caught_up, sketch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                item.feed,
                e.guid,
                e.link,
                article.canonical_url,
                e.title,
                iso(e.published),
                iso(e.updated),
                iso(item.fetched_at),
                article.text,
                article.text_source,
                article.text_note,
                *_classification(item.classification),
                story_id,
                item.text_key,
                fp.shingles if fp else 0,
                item.entry_key,
                iso(e.published or item.fetched_at),
                int(item.caught_up),
                sketch_blob(fp.sketch) if fp else None,
            ],
        )
        if item.story_id is None:
            self.db.execute("UPDATE stories SET first_item_id = ? WHERE id = ?", [item_id, story_id])
        self.unindexed.add(item_id)
        if not self.db.conn.in_transaction:
            self.index_pending()
        if fp is not None:
            self._save_sketch(item_id, fp, day_of(e.published or item.fetched_at))
        return item_id, story_id

    def update_item(
        self,
        item_id: int,
        article: Article,
        classification: Classification,
        now: datetime,
        text_key: str,
        fingerprint: Fingerprint,
        entry_key: str,
    ) -> None:
        e = article.entry
        if item_id in self.unindexed:  # the update trigger takes out of the index what it holds of the item
            self.index_pending()
        self.db.execute(
            """UPDATE items SET title = ?, url = ?, updated = ?, fetched_at = ?, text = ?, text_source = ?, text_note = ?,
               categories = ?, matches = ?, tallies = ?, text_key = ?, shingles = ?, entry_key = ?, sketch = ? WHERE id = ?""",
            [
                e.title,
                e.link,
                iso(e.updated),
                iso(now),
                article.text,
                article.text_source,
                article.text_note,
                *_classification(classification),
                text_key,
                fingerprint.shingles,
                entry_key,
                sketch_blob(fingerprint.sketch),
                item_id,
            ],
        )
        self.db.execute("DELETE FROM sketches WHERE item_id = ?", [item_id])
        seen_at = parse_iso(self._one("SELECT seen_at FROM items WHERE id = ?", [item_id])[0])
        self._save_sketch(item_id, fingerprint, day_of(seen_at) if seen_at else None)

    def _save_sketch(self, item_id: int, fingerprint: Fingerprint, day: int | None) -> None:
        self.db.conn.executemany(
            "INSERT INTO sketches (hash, item_id, day) VALUES (?, ?, ?)",
            [(h, item_id, day) for h in fingerprint.sketch],
        )

    def items(self, story_id: int | None = None, reports_only: bool = False) -> list[ItemRecord]:
        """Stored items, oldest first: all, or those of one story; reports_only: in at least one category."""
        where, params = ["1"], []
        if story_id is not None:
            where.append("story_id = ?")
            params.append(story_id)
        if reports_only:
            where.append("categories != '[]'")
        return self._items(" AND ".join(where), params)

    def _items(self, where: str, params: Params) -> list[ItemRecord]:
        out = []
        for row in self.db.execute(f"SELECT {_ITEM_COLUMNS} FROM items WHERE {where} ORDER BY id", params):
            r = list(row)
            r[12:15] = [json.loads(r[12]), json.loads(r[13]), json.loads(r[14])]
            r[20] = bool(r[20])
            out.append(ItemRecord(*r))
        return out

    # ------------------------------------------------------------ stories

    def same_text(self, text_key: str, start: datetime, end: datetime) -> list[SameText]:
        return [
            SameText(*row)
            for row in self.db.execute(
                "SELECT id, feed, story_id FROM items WHERE text_key = ? AND seen_at BETWEEN ? AND ? ORDER BY id",
                [text_key, iso(start), iso(end)],
            )
        ]

    def near_duplicate_candidates(
        self, sketch: tuple[int, ...], start: datetime, end: datetime, min_shared: int = 2, limit: int = 20
    ) -> list[Candidate]:
        """Items seen between start and end that share at least min_shared sketch values with this one,
        most shared first: index lookups only, on (hash, day, item_id), so the window is applied inside
        the index, stored items outside it cost nothing, and no table row is read per match. A value is
        followed to at most SKETCH_FANOUT items: boilerplate shared by thousands of texts adds no more
        than that, and a real copy shares many other values anyway."""
        if not sketch:
            return []
        per_hash = (
            "SELECT item_id, ? AS value FROM (SELECT item_id FROM sketches WHERE hash = ? AND day BETWEEN ? AND ? "
            "ORDER BY day DESC LIMIT ?)"
        )
        first, last = day_of(start), day_of(end)
        params: Params = []
        for h in sketch:
            params += [h, h, first, last, SKETCH_FANOUT]
        # capped: the values followed to SKETCH_FANOUT items, which may be shared by items beyond them.
        shared: list[tuple[int, int, int]] = self.db.execute(
            f"""WITH hits AS MATERIALIZED ({" UNION ALL ".join([per_hash] * len(sketch))})
                SELECT item_id, COUNT(*) AS shared,
                       (SELECT COUNT(*) FROM (SELECT value FROM hits GROUP BY value HAVING COUNT(*) >= ?)) AS capped
                FROM hits GROUP BY item_id HAVING COUNT(*) >= ? ORDER BY shared DESC, item_id LIMIT ?""",
            [*params, SKETCH_FANOUT, min_shared, limit * 2],
        ).fetchall()
        if not shared:
            return []
        ids = [item_id for item_id, _, _ in shared]
        # The day bounds are whole days: the exact window is checked on the few candidates left, in
        # items_fingerprint: an item's row holds its text first, and reading past it cost 0.1 ms an item.
        shingles = dict(
            self.db.execute(
                f"""SELECT id, shingles FROM items INDEXED BY items_fingerprint
                    WHERE id IN ({",".join("?" * len(ids))}) AND seen_at BETWEEN ? AND ?""",
                [*ids, iso(start), iso(end)],
            ).fetchall()
        )
        found = [Candidate(i, count, count + capped, shingles[i]) for i, count, capped in shared if i in shingles]
        return found[:limit]

    def sketch_of(self, item_id: int) -> tuple[int, ...]:
        """A stored item's sketch (its fingerprint's values, ascending)."""
        row = self._one("SELECT sketch FROM items INDEXED BY items_fingerprint WHERE id = ?", [item_id])
        return sketch_of_blob(row[0]) if row else ()

    def story_and_tallies(self, item_id: int) -> tuple[int, list[dict[str, Any]]]:
        """A stored item's story, and the figures it reports (as labels, with their sentences)."""
        story_id, tallies = self._one("SELECT story_id, tallies FROM items WHERE id = ?", [item_id])
        loaded: list[dict[str, Any]] = json.loads(tallies)
        return story_id, loaded

    def stories_first_seen(self, start: datetime, end: datetime) -> list[StoryFirstSeen]:
        """Stories whose first item was stored in the period, with their report items, newest first."""
        stories = self.db.execute(
            """SELECT story_id, MIN(fetched_at) AS first_seen, COUNT(DISTINCT feed) AS outlets FROM items
               GROUP BY story_id HAVING MIN(fetched_at) > ? AND MIN(fetched_at) <= ? ORDER BY first_seen DESC""",
            [iso(start), iso(end)],
        ).fetchall()
        out = []
        for story_id, first_seen, outlets in stories:
            items = self.items(story_id=story_id, reports_only=True)
            if items:
                out.append(StoryFirstSeen(story_id, first_seen, outlets, items))
        return out

    def story_outlets(self, story_id: int) -> list[StoryOutlet]:
        """Who carried a story and when: one row per outlet, first time it did."""
        return [
            StoryOutlet(*row)
            for row in self.db.execute(
                """SELECT feed, MIN(COALESCE(published, fetched_at)) AS carried_at, COUNT(*) FROM items
                   WHERE story_id = ? GROUP BY feed ORDER BY carried_at, MIN(id)""",
                [story_id],
            )
        ]


def _classification(c: Classification) -> list[str]:
    return [
        json.dumps(list(c.categories)),
        json.dumps([{"rule": m.rule, "category": m.category, "sentence": m.sentence} for m in c.matches]),
        json.dumps([dict(t.as_label(), sentence=t.sentence) for t in c.tallies]),
    ]
