"""The store's schema as numbered migrations, part of the store layer (with store.py, the only SQL).

Every step runs once per store, in order, and is recorded in `schema_version` (number, name, when):
a store says which steps made it. Opening a store applies the steps it lacks, each in a transaction
of its own (a new store's all in one), so an older store is upgraded in place and a new one is made
as the same steps make it (from the statements they leave, schema_new_store.py). To change the
schema, append a step (and write those statements again); never edit a landed one: stores ran it.

Step 1 is the schema as it stood before versioning (the store of commit 70b1d7e, columns added
since then included), so stores made before versioning enter the sequence there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from .errors import StoreError
from .schema_new_store import NEW_STORE, NEW_STORE_VERSION
from .schema_sketches import covering_sketches, dated_sketches, fingerprint_index, sketches_without_rowid
from .store_base import Connection, database

if TYPE_CHECKING:
    import sqlite_utils

BASELINE = """
CREATE TABLE IF NOT EXISTS feeds (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error TEXT,
    last_error_at TEXT,
    failing_since TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT
);
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    feed TEXT NOT NULL,
    guid TEXT NOT NULL,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    title TEXT NOT NULL,
    published TEXT,
    updated TEXT,
    fetched_at TEXT NOT NULL,
    text TEXT NOT NULL,
    text_source TEXT NOT NULL,
    text_note TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL,
    matches TEXT NOT NULL,
    tallies TEXT NOT NULL,
    story_id INTEGER,
    text_key TEXT,
    shingles INTEGER,
    entry_key TEXT,
    seen_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS items_feed_guid ON items (feed, guid);
CREATE INDEX IF NOT EXISTS items_canonical_url ON items (canonical_url);
CREATE INDEX IF NOT EXISTS items_fetched_at ON items (fetched_at);
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY,
    first_item_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sketches (
    hash INTEGER NOT NULL,
    item_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sketches_hash ON sketches (hash);
CREATE INDEX IF NOT EXISTS sketches_item ON sketches (item_id);
CREATE TABLE IF NOT EXISTS tally_reports (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES items (id),
    since TEXT NOT NULL,
    region TEXT NOT NULL,
    count INTEGER NOT NULL,
    qualifier TEXT NOT NULL,
    until TEXT,
    outlet TEXT NOT NULL,
    published TEXT,
    url TEXT NOT NULL,
    sentence TEXT NOT NULL,
    verdict TEXT NOT NULL,
    previous_count INTEGER
);
CREATE INDEX IF NOT EXISTS tally_reports_series ON tally_reports (since, region, count);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    item_id INTEGER REFERENCES items (id),
    notifier TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_attempt_at TEXT,
    last_error TEXT,
    sent_at TEXT,
    attach TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS alerts_once ON alerts (kind, key, notifier);
CREATE TABLE IF NOT EXISTS digests (
    id INTEGER PRIMARY KEY,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    stories INTEGER NOT NULL,
    chart TEXT
);
CREATE INDEX IF NOT EXISTS alerts_status ON alerts (status);
CREATE TABLE IF NOT EXISTS heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cycles (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    feeds_ok INTEGER,
    feeds_not_modified INTEGER,
    feeds_failed INTEGER,
    items_new INTEGER,
    alerts_created INTEGER,
    alerts_sent INTEGER,
    alerts_pending INTEGER,
    errors TEXT
);
"""


def baseline(db: sqlite_utils.Database) -> None:
    """The unversioned schema; stores older than it lack columns that CREATE IF NOT EXISTS does not add."""
    for statement in BASELINE.split(";"):
        if statement.strip():
            db.execute(statement)  # not executescript: it commits first, and the step is one transaction
    added: dict[str, dict[str, type]] = {
        "feeds": {"next_attempt_at": str},
        "items": {"story_id": int, "text_key": str, "shingles": int, "entry_key": str, "seen_at": str},
        "alerts": {"attach": str},
    }
    for table, columns in added.items():
        have = db.table(table).columns_dict
        for name, kind in columns.items():
            if name not in have:
                db.table(table).add_column(name, kind)
    for sql in (
        "CREATE INDEX IF NOT EXISTS items_story ON items (story_id)",
        "CREATE INDEX IF NOT EXISTS items_text_key ON items (text_key)",
        "CREATE INDEX IF NOT EXISTS items_seen_at ON items (seen_at)",
    ):
        db.execute(sql)


def link_tables(db: sqlite_utils.Database) -> None:
    """Foreign keys from items to their feed and story and from a story to its first item, and a
    primary key on sketches, so the store explains itself in sqlite-utils and datasette.

    Rows that would break a new key are mended, never dropped: an item of a feed that has no row
    gets one (its URL unknown), an item whose story is gone gets a story that starts with it."""
    db.execute("""INSERT INTO feeds (name, url) SELECT DISTINCT feed, '' FROM items
                  WHERE feed NOT IN (SELECT name FROM feeds)""")
    db.execute("""INSERT INTO stories (id, first_item_id, created_at)
                  SELECT story_id, MIN(id), MIN(fetched_at) FROM items
                  WHERE story_id IS NOT NULL AND story_id NOT IN (SELECT id FROM stories) GROUP BY story_id""")
    db.execute("UPDATE stories SET first_item_id = NULL WHERE first_item_id NOT IN (SELECT id FROM items)")
    db.execute("DELETE FROM sketches WHERE item_id NOT IN (SELECT id FROM items)")
    # A fingerprint never holds a hash twice; an interrupted update could have stored one twice.
    db.execute("DELETE FROM sketches WHERE rowid NOT IN (SELECT MIN(rowid) FROM sketches GROUP BY item_id, hash)")
    db.table("items").transform(add_foreign_keys=[("feed", "feeds", "name"), ("story_id", "stories", "id")])
    db.table("stories").transform(add_foreign_keys=[("first_item_id", "items", "id")])
    db.table("sketches").transform(pk=("item_id", "hash"), add_foreign_keys=[("item_id", "items", "id")])
    # The primary key leads with item_id, so it replaces that index; the hash lookup keeps its own.
    db.execute("DROP INDEX IF EXISTS sketches_item")
    db.execute("CREATE INDEX IF NOT EXISTS sketches_hash ON sketches (hash)")


def item_failures(db: sqlite_utils.Database) -> None:
    """Items that could not be stored, with their error, so one poisoned item is seen and not retried forever."""
    db.execute("""CREATE TABLE IF NOT EXISTS item_failures (
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        title TEXT NOT NULL,
        link TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        error TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 1,
        first_failed_at TEXT NOT NULL,
        last_failed_at TEXT NOT NULL,
        PRIMARY KEY (feed, guid)
    )""")


def mark_caught_up_items(db: sqlite_utils.Database) -> None:
    """items.caught_up: 1 for an item stored silently by a feed's first (catch-up) poll, so digests
    count it as an older article, never as a new report."""
    if "caught_up" not in db.table("items").columns_dict:
        db.execute("ALTER TABLE items ADD COLUMN caught_up INTEGER NOT NULL DEFAULT 0")


def full_text_search(db: sqlite_utils.Database) -> None:
    """An FTS5 index of item titles and texts (the form sqlite-utils' enable_fts makes, so it and
    datasette find it), built once here from the stored items and then kept in step by triggers.

    The triggers are written out rather than made by enable_fts(create_triggers=True): its update
    trigger re-indexes an item on any change, so the story id set after each insert would index the
    text twice; and enable_fts commits midway, while a step is one transaction.
    Porter stemming: 'strikes' finds 'strike'; accents are ignored like the rules ignore them."""
    db.execute("""CREATE VIRTUAL TABLE items_fts USING FTS5 (title, text, content=[items],
                  tokenize='porter unicode61 remove_diacritics 2')""")
    db.execute("""CREATE TRIGGER items_ai AFTER INSERT ON items BEGIN
                    INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
                  END""")
    db.execute("""CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
                    INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
                  END""")
    db.execute("""CREATE TRIGGER items_au AFTER UPDATE OF title, text ON items BEGIN
                    INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
                    INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
                  END""")
    db.execute("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")


def alert_facts(db: sqlite_utils.Database) -> None:
    """alerts.facts: the JSON document a structured webhook receives, kept so a retry sends the same one."""
    if "facts" not in db.table("alerts").columns_dict:
        db.execute("ALTER TABLE alerts ADD COLUMN facts TEXT")


def prune_record(db: sqlite_utils.Database) -> None:
    """prunes: each time retention ran, up to when, and what it removed; the daemon prunes when the last is a day old."""
    db.execute("""CREATE TABLE IF NOT EXISTS prunes (
        id INTEGER PRIMARY KEY, ran_at TEXT NOT NULL, before TEXT NOT NULL,
        texts INTEGER NOT NULL, sketches INTEGER NOT NULL, cycles INTEGER NOT NULL, charts INTEGER NOT NULL)""")


def alert_claims(db: sqlite_utils.Database) -> None:
    """An alert is claimed (status 'sending', claimed_at) before it is sent, so two processes never send
    one twice; a failed one waits until next_attempt_at."""
    for column in ("claimed_at", "next_attempt_at"):
        if column not in db.table("alerts").columns_dict:
            db.table("alerts").add_column(column, str)


def skipped_entries(db: sqlite_utils.Database) -> None:
    """Entries not stored because their outlet already carries the same text: remembered, so they are
    not fetched again at every poll (until the feed changes what it says of them)."""
    db.execute("""CREATE TABLE IF NOT EXISTS skipped_entries (
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        same_as_item INTEGER NOT NULL,
        skipped_at TEXT NOT NULL,
        PRIMARY KEY (feed, guid)
    )""")


def search_indexed_at_commit(db: sqlite_utils.Database) -> None:
    """New items enter the search index as their transaction commits, all in one statement
    (Store.index_pending), not one by one from an insert trigger; the update and delete triggers stay."""
    db.execute("DROP TRIGGER IF EXISTS items_ai")


def search_merged_when_crowded(db: sqlite_utils.Database) -> None:
    """Search segments are merged when 16 pile up on a level (FTS5's crisis merge), not from 4 on, bit
    by bit in every write (its automerge): each feed's transaction adds a segment of a few items, and
    merging them so cost the writer about 0.1 ms an item (benchmarks/cycle.py). A search reads at most
    15 segments a level instead of 3."""
    db.execute("INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 0)")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "baseline: the schema before versioning", baseline),
    Migration(2, "foreign keys items->feeds/stories, stories->items; sketches primary key", link_tables),
    Migration(3, "item_failures: items that could not be stored, with their error", item_failures),
    Migration(4, "items.caught_up: stored silently by a feed's catch-up poll", mark_caught_up_items),
    Migration(5, "full-text search of item titles and texts (items_fts, kept by triggers)", full_text_search),
    Migration(6, "alerts.facts: the document of facts a structured webhook receives", alert_facts),
    Migration(7, "prunes: when retention ran and what it removed", prune_record),
    Migration(8, "sketches: xxh3 values recomputed, with the item's day, indexed on (hash, day)", dated_sketches),
    Migration(
        9, "alerts.claimed_at, alerts.next_attempt_at: claims before sending, backoff after failing", alert_claims
    ),
    Migration(10, "skipped_entries: entries skipped as a text their outlet already carries", skipped_entries),
    Migration(
        11, "sketches indexed on (hash, day, item_id); items.sketch: each item's sketch as one blob", covering_sketches
    ),
    Migration(12, "sketches WITHOUT ROWID: each row lives in its primary key (item_id, hash)", sketches_without_rowid),
    Migration(
        13, "items_ai dropped: a transaction's new items are indexed for search as it commits", search_indexed_at_commit
    ),
    Migration(14, "items_fingerprint: what the near-copy lookup reads of a candidate, in an index", fingerprint_index),
    Migration(15, "search segments merged when 16 pile up on a level, not from 4 on", search_merged_when_crowded),
)


def migrate(db: Connection, now: datetime | None = None, step_by_step: bool = False) -> list[Migration]:
    """Apply the steps this store lacks, each in one transaction (a new store's all in one: one sync to
    disk, not one a step); returns those applied. Steps speak through sqlite-utils, loaded for them. A
    new store is made from NEW_STORE's statements when they are at the newest step (not step_by_step)."""
    conn = db.conn
    conn.execute("""CREATE TABLE IF NOT EXISTS schema_version (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)""")
    applied = {v for (v,) in conn.execute("SELECT version FROM schema_version")}
    newest = max((m.version for m in MIGRATIONS), default=0)
    if applied and max(applied) > newest:
        raise StoreError(
            f"the store is at schema version {max(applied)}, newer than this monitor knows ({newest}): "
            "upgrade monitor before using this store"
        )
    todo = [m for m in MIGRATIONS if m.version not in applied]
    if not todo:
        return []
    new = not applied and not _has_tables(conn)
    at_once = new and not step_by_step and NEW_STORE_VERSION == newest
    done: list[Migration] = []
    # Rebuilding a table drops and renames it, which foreign keys would stop half way; keys are
    # checked as a whole before each step commits instead. The pragma is a no-op inside a transaction.
    conn.execute("PRAGMA foreign_keys=OFF")
    try:
        for steps in [todo] if new else [[m] for m in todo]:
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have made the store while this one waited for the lock.
                if at_once and not _has_tables(conn):
                    for sql in NEW_STORE:
                        conn.execute(sql)
                    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
                    conn.executemany(
                        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                        [(m.version, m.name, stamp) for m in steps],
                    )
                    done, steps = list(steps), []
                for m in steps:
                    # Another process may have applied it while this one waited for the lock.
                    if conn.execute("SELECT 1 FROM schema_version WHERE version = ?", [m.version]).fetchone():
                        continue
                    m.apply(database(conn))
                    broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise StoreError(
                            f"schema step {m.version} ({m.name}) would leave {len(broken)} broken links, "
                            f"first {broken[0]}; the store is left as it was"
                        )
                    stamp = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
                    conn.execute(
                        "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                        [m.version, m.name, stamp],
                    )
                    done.append(m)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
    finally:
        conn.execute("PRAGMA foreign_keys=ON")
    return done


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name != 'schema_version'").fetchone() is not None


def schema_version(db: Connection | sqlite_utils.Database) -> int:
    row = db.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    return row[0] or 0
