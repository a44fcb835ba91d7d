"""The schema steps that shape the sketch index (the near-copy lookup) and each item's sketch blob;
part of the store layer (with schema.py, which lists every step, and store.py, the only SQL)."""

from __future__ import annotations

import struct
from datetime import datetime
from typing import TYPE_CHECKING

from .store_base import day_of

if TYPE_CHECKING:
    import sqlite_utils


def dated_sketches(db: sqlite_utils.Database) -> None:
    """Sketch values carry their item's day and are indexed on (hash, day), so the dedupe window is
    applied inside the index; the values are recomputed from the stored texts, since the fingerprint's
    hash changed (blake2b per shingle in Python to xxh3 in C). The story each item is in stays."""
    from .dedupe import fingerprint  # noqa: PLC0415 - only this step needs dedupe (and courlan); the one fingerprint the pipeline uses, or stored and new sketches disagree

    if "day" not in db.table("sketches").columns_dict:
        db.execute("ALTER TABLE sketches ADD COLUMN day INTEGER")
    db.execute("DELETE FROM sketches")
    conn = db.conn
    last = 0
    while batch := conn.execute(
        "SELECT id, text, seen_at FROM items WHERE id > ? ORDER BY id LIMIT 1000", [last]
    ).fetchall():
        for item_id, text, seen_at in batch:
            fp = fingerprint(text)
            day = day_of(datetime.fromisoformat(seen_at)) if seen_at else None
            conn.executemany(
                "INSERT INTO sketches (hash, item_id, day) VALUES (?, ?, ?)", [(h, item_id, day) for h in fp.sketch]
            )
            conn.execute("UPDATE items SET shingles = ? WHERE id = ?", [fp.shingles, item_id])
        last = batch[-1][0]
    db.execute("DROP INDEX IF EXISTS sketches_hash")
    db.execute("CREATE INDEX IF NOT EXISTS sketches_hash_day ON sketches (hash, day)")


def sketch_blob(values: list[int] | tuple[int, ...]) -> bytes:
    """A sketch as stored with its item: the values ascending, 8 bytes each, little-endian."""
    return struct.pack(f"<{len(values)}q", *sorted(values))


def sketch_of_blob(blob: bytes | None) -> tuple[int, ...]:
    return struct.unpack(f"<{len(blob) // 8}q", blob) if blob else ()


def covering_sketches(db: sqlite_utils.Database) -> None:
    """The candidate lookup reads (hash, day, item_id) from the index alone, never the table row of
    each match; and each item keeps its sketch as one blob (items.sketch), so a candidate's sketch is
    read with its row instead of as 64 rows. Both come from the sketch rows already stored."""
    if "sketch" not in db.table("items").columns_dict:
        db.execute("ALTER TABLE items ADD COLUMN sketch BLOB")
    conn = db.conn
    last = 0
    while batch := conn.execute(
        "SELECT item_id, group_concat(hash) FROM sketches WHERE item_id > ? GROUP BY item_id ORDER BY item_id LIMIT 1000",
        [last],
    ).fetchall():
        conn.executemany(
            "UPDATE items SET sketch = ? WHERE id = ?",
            [(sketch_blob([int(h) for h in values.split(",")]), item_id) for item_id, values in batch],
        )
        last = batch[-1][0]
    db.execute("DROP INDEX IF EXISTS sketches_hash_day")
    db.execute("CREATE INDEX IF NOT EXISTS sketches_hash_day_item ON sketches (hash, day, item_id)")


def sketches_without_rowid(db: sqlite_utils.Database) -> None:
    """The sketch rows live in their primary key (item, hash) alone, with no rowid table beside it:
    each of an item's 64 values is written to two b-trees, not three. Rebuilt from the rows stored."""
    db.execute("""CREATE TABLE sketches_by_item (
        hash INTEGER NOT NULL,
        item_id INTEGER NOT NULL REFERENCES items (id),
        day INTEGER,
        PRIMARY KEY (item_id, hash)
    ) WITHOUT ROWID""")
    db.execute("INSERT INTO sketches_by_item (hash, item_id, day) SELECT hash, item_id, day FROM sketches")
    db.execute("DROP TABLE sketches")
    db.execute("ALTER TABLE sketches_by_item RENAME TO sketches")
    db.execute("CREATE INDEX sketches_hash_day_item ON sketches (hash, day, item_id)")


def fingerprint_index(db: sqlite_utils.Database) -> None:
    """What the near-copy lookup reads of each candidate (its time in the window, its shingle count
    and its sketch) is read from this index alone, never from the item's row, where the text comes
    first: most candidates share a stock phrase and nothing else, and are turned away on these."""
    db.execute("CREATE INDEX IF NOT EXISTS items_fingerprint ON items (id, seen_at, shingles, sketch)")
