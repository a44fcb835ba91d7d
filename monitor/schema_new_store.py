"""A new store's whole schema at once: the statements that leave an empty store as every step of
schema.py leaves one (the same tables, indexes, triggers and search table, in the same order, with
the same text in sqlite_master), run in the one transaction that records every step. Building it
step by step loads sqlite-utils and rebuilds three tables: 55 ms of a first `monitor poll`'s
start-up. Part of the store layer (with schema.py, the only SQL).

A step appended to schema.py leaves NEW_STORE_VERSION behind the newest; new stores are then built
step by step, and tests/test_schema.py fails, printing these statements as the steps now leave them.
"""

NEW_STORE_VERSION = 15

NEW_STORE: tuple[str, ...] = (
    """CREATE TABLE feeds (
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
)""",
    """CREATE TABLE tally_reports (
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
)""",
    """CREATE INDEX tally_reports_series ON tally_reports (since, region, count)""",
    """CREATE TABLE alerts (
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
, facts TEXT, "claimed_at" TEXT, "next_attempt_at" TEXT)""",
    """CREATE UNIQUE INDEX alerts_once ON alerts (kind, key, notifier)""",
    """CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    stories INTEGER NOT NULL,
    chart TEXT
)""",
    """CREATE INDEX alerts_status ON alerts (status)""",
    """CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
)""",
    """CREATE TABLE cycles (
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
)""",
    """CREATE TABLE "items" (
   "id" INTEGER PRIMARY KEY,
   "feed" TEXT NOT NULL REFERENCES "feeds"("name"),
   "guid" TEXT NOT NULL,
   "url" TEXT NOT NULL,
   "canonical_url" TEXT NOT NULL,
   "title" TEXT NOT NULL,
   "published" TEXT,
   "updated" TEXT,
   "fetched_at" TEXT NOT NULL,
   "text" TEXT NOT NULL,
   "text_source" TEXT NOT NULL,
   "text_note" TEXT NOT NULL DEFAULT '',
   "categories" TEXT NOT NULL,
   "matches" TEXT NOT NULL,
   "tallies" TEXT NOT NULL,
   "story_id" INTEGER REFERENCES "stories"("id"),
   "text_key" TEXT,
   "shingles" INTEGER,
   "entry_key" TEXT,
   "seen_at" TEXT
, caught_up INTEGER NOT NULL DEFAULT 0, sketch BLOB)""",
    """CREATE INDEX items_seen_at ON items (seen_at)""",
    """CREATE INDEX items_text_key ON items (text_key)""",
    """CREATE INDEX items_story ON items (story_id)""",
    """CREATE INDEX items_fetched_at ON items (fetched_at)""",
    """CREATE INDEX items_canonical_url ON items (canonical_url)""",
    """CREATE UNIQUE INDEX items_feed_guid ON items (feed, guid)""",
    """CREATE TABLE "stories" (
   "id" INTEGER PRIMARY KEY,
   "first_item_id" INTEGER REFERENCES "items"("id"),
   "created_at" TEXT NOT NULL
)""",
    """CREATE TABLE item_failures (
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
    )""",
    """CREATE VIRTUAL TABLE items_fts USING FTS5 (title, text, content=[items],
                  tokenize='porter unicode61 remove_diacritics 2')""",
    "INSERT INTO items_fts (items_fts) VALUES ('rebuild')",
    "INSERT INTO items_fts (items_fts, rank) VALUES ('automerge', 0)",
    """CREATE TRIGGER items_ad AFTER DELETE ON items BEGIN
                    INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
                  END""",
    """CREATE TRIGGER items_au AFTER UPDATE OF title, text ON items BEGIN
                    INSERT INTO items_fts (items_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
                    INSERT INTO items_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
                  END""",
    """CREATE TABLE prunes (
        id INTEGER PRIMARY KEY, ran_at TEXT NOT NULL, before TEXT NOT NULL,
        texts INTEGER NOT NULL, sketches INTEGER NOT NULL, cycles INTEGER NOT NULL, charts INTEGER NOT NULL)""",
    """CREATE TABLE skipped_entries (
        feed TEXT NOT NULL,
        guid TEXT NOT NULL,
        entry_key TEXT NOT NULL,
        same_as_item INTEGER NOT NULL,
        skipped_at TEXT NOT NULL,
        PRIMARY KEY (feed, guid)
    )""",
    """CREATE TABLE "sketches" (
        hash INTEGER NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items (id),
        day INTEGER,
        PRIMARY KEY (item_id, hash)
    ) WITHOUT ROWID""",
    """CREATE INDEX sketches_hash_day_item ON sketches (hash, day, item_id)""",
    """CREATE INDEX items_fingerprint ON items (id, seen_at, shingles, sketch)""",
)
