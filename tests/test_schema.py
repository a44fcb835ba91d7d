"""The store upgrades itself in place: a store made before versioned migrations (by main at 70b1d7e,
tests/fixtures/make_old_store.py) opens with every row kept, the new links in place, and polls on."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils
from builders import HOUTHI_SHIP, page, rss
from conftest import write_config

from monitor.dedupe import fingerprint
from monitor.errors import StoreError
from monitor.schema import MIGRATIONS, migrate
from monitor.store import Store, day_of, parse_iso
from monitor.store_base import Connection

OLD_STORE = Path(__file__).resolve().parent / "fixtures" / "store-main-70b1d7e.db"
TABLES = ("feeds", "items", "stories", "sketches", "tally_reports", "alerts", "cycles")


def rows(path, table, columns=None):
    """The table's rows, on the given columns (default: all it has)."""
    conn = sqlite3.connect(path)
    try:
        columns = columns or sorted(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
        return {tuple(r) for r in conn.execute(f"SELECT {', '.join(columns)} FROM {table}")}
    finally:
        conn.close()


@pytest.fixture
def old_store(tmp_path):
    path = tmp_path / "monitor.db"
    shutil.copy(OLD_STORE, path)
    return path


def test_a_store_made_before_versioning_is_upgraded_with_every_row_kept(old_store):
    before = {t: rows(old_store, t) for t in TABLES}
    before_columns = {
        t: sorted(r[1] for r in sqlite3.connect(old_store).execute(f"PRAGMA table_info({t})")) for t in TABLES
    }

    store = Store(old_store)
    try:
        versions = [r["version"] for r in store.db.query("SELECT version FROM schema_version ORDER BY version")]
        tables = sqlite_utils.Database(store.db.conn)
        items_fks = {(fk.column, fk.other_table) for fk in tables["items"].foreign_keys}
        sketch_pk = tables["sketches"].pks
        broken = store.db.execute("PRAGMA foreign_key_check").fetchall()
        texts = {r["id"]: (r["text"], r["seen_at"]) for r in store.db.query("SELECT id, text, seen_at FROM items")}
        sketches: dict[int, list[tuple[int, int]]] = {}
        for r in store.db.query("SELECT item_id, hash, day FROM sketches ORDER BY item_id, hash"):
            sketches.setdefault(r["item_id"], []).append((r["hash"], r["day"]))
    finally:
        store.close()

    assert versions == [m.version for m in MIGRATIONS]
    assert {("feed", "feeds"), ("story_id", "stories")} <= items_fks
    assert sketch_pk == ["item_id", "hash"]
    assert broken == []
    for table in TABLES:
        if table == "sketches":
            continue  # derived from the texts: recomputed with the new hash (step 8), checked below
        assert rows(old_store, table, before_columns[table]) >= before[table], (
            table
        )  # nothing lost (new columns only add)
        assert len(rows(old_store, table)) == len(before[table]), table
    assert len(rows(old_store, "sketches")) == len(before["sketches"])
    assert set(sketches) == set(texts)
    for item_id, (text, seen_at) in texts.items():
        assert sketches[item_id] == [(h, day_of(parse_iso(seen_at))) for h in fingerprint(text).sketch]


def test_an_upgraded_store_keeps_each_sketch_with_its_item_and_looks_candidates_up_in_the_index_alone(old_store):
    from monitor.schema_sketches import sketch_of_blob

    store = Store(old_store)
    try:
        blobs = {r["id"]: (r["text"], r["sketch"]) for r in store.db.query("SELECT id, text, sketch FROM items")}
        plan = store.db.execute(
            "EXPLAIN QUERY PLAN SELECT item_id FROM sketches WHERE hash = ? AND day BETWEEN ? AND ?", [1, 2, 3]
        ).fetchall()
    finally:
        store.close()

    assert blobs and all(sketch_of_blob(blob) == fingerprint(text).sketch for text, blob in blobs.values())
    assert any("COVERING INDEX sketches_hash_day_item" in row[-1] for row in plan)


def test_an_upgraded_store_polls_on_and_keys_are_enforced(old_store, tmp_path, web, run_monitor):
    feed = rss([(HOUTHI_SHIP, web.serve("/news/houthi", page(HOUTHI_SHIP)))])
    web.serve("/wire.xml", feed, content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/wire.xml"))], settings={"storage": {"path": old_store.name}})

    result = run_monitor(config, "poll")

    assert "1 new items" in result.output
    store = Store(old_store)
    try:
        (item,) = [i for i in store.items() if i.title == HOUTHI_SHIP.title]
        assert item.story_id is not None
        with pytest.raises(sqlite3.IntegrityError):
            store.db.execute("INSERT INTO sketches (hash, item_id) VALUES (1, 999999)")
    finally:
        store.close()


def test_steps_run_once(old_store):
    Store(old_store).close()
    store = Store(old_store)
    try:
        applied = [r["applied_at"] for r in store.db.query("SELECT applied_at FROM schema_version")]
    finally:
        store.close()
    assert len(applied) == len(MIGRATIONS)


def commits_of_migrating(path):
    """The COMMITs that migrate() issues on the store at path, and the steps it applied."""
    conn = sqlite3.connect(path, isolation_level=None)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        applied = migrate(Connection(conn))
    finally:
        conn.close()
    return [s for s in statements if s.strip().upper() == "COMMIT"], applied


def test_a_new_store_is_built_in_one_transaction_and_an_old_one_upgraded_step_by_step(old_store, tmp_path):
    # Each commit is a sync to disk: a new store's first poll paid one a step before reaching its first fetch.
    new_commits, new_applied = commits_of_migrating(tmp_path / "new.db")
    old_commits, old_applied = commits_of_migrating(old_store)

    assert new_applied == old_applied == list(MIGRATIONS)
    assert len(new_commits) == 1
    assert len(old_commits) == len(MIGRATIONS)
    assert commits_of_migrating(tmp_path / "new.db") == ([], [])  # nothing left to apply
    with Store(tmp_path / "new.db") as new, Store(old_store) as old:
        assert new.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert [r["version"] for r in new.db.query("SELECT version FROM schema_version ORDER BY version")] == [
            r["version"] for r in old.db.query("SELECT version FROM schema_version ORDER BY version")
        ]


def test_a_store_from_a_newer_monitor_is_refused_untouched(old_store):
    Store(old_store).close()
    conn = sqlite3.connect(old_store)
    conn.execute("INSERT INTO schema_version VALUES (999, 'from the future', '2030-01-01')")
    conn.commit()
    conn.close()

    with pytest.raises(StoreError, match="newer than this monitor knows"):
        Store(old_store)


def sketch_rows(path):
    return rows(path, "sketches", ["item_id", "hash", "day"])


def test_sketches_are_rebuilt_without_rowid_with_every_row_kept(old_store):
    Store(old_store).close()
    # The store as step 11 left it: sketches a rowid table beside its primary key.
    conn = sqlite3.connect(old_store, isolation_level=None)
    conn.executescript("""
        BEGIN;
        CREATE TABLE sketches_rowid (hash INTEGER NOT NULL, item_id INTEGER NOT NULL REFERENCES items (id),
                                     day INTEGER, PRIMARY KEY (item_id, hash));
        INSERT INTO sketches_rowid SELECT hash, item_id, day FROM sketches;
        DROP TABLE sketches;
        ALTER TABLE sketches_rowid RENAME TO sketches;
        CREATE INDEX sketches_hash_day_item ON sketches (hash, day, item_id);
        DELETE FROM schema_version WHERE version = 12;
        COMMIT;
    """)
    conn.close()
    before = sketch_rows(old_store)

    store = Store(old_store)
    try:
        without_rowid = store.db.execute("SELECT wr FROM pragma_table_list('sketches')").fetchone()[0]
        keys = sqlite_utils.Database(store.db.conn)["sketches"].pks
        plan = store.db.execute(
            "EXPLAIN QUERY PLAN SELECT item_id FROM sketches WHERE hash = ? AND day BETWEEN ? AND ?", [1, 2, 3]
        ).fetchall()
        with pytest.raises(sqlite3.IntegrityError):
            store.db.execute("INSERT INTO sketches (hash, item_id) VALUES (1, 999999)")
    finally:
        store.close()

    assert before and sketch_rows(old_store) == before
    assert without_rowid == 1
    assert keys == ["item_id", "hash"]
    assert any("COVERING INDEX sketches_hash_day_item" in row[-1] for row in plan)


def test_an_upgraded_store_indexes_new_items_at_commit_and_keeps_what_it_indexed(old_store, tmp_path, web, run_monitor):
    from monitor.store import ItemFilter

    titles_before = {r[0] for r in sqlite3.connect(old_store).execute("SELECT title FROM items")}
    feed = rss([(HOUTHI_SHIP, web.serve("/news/houthi", page(HOUTHI_SHIP)))])
    web.serve("/wire.xml", feed, content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/wire.xml"))], settings={"storage": {"path": old_store.name}})

    run_monitor(config, "poll")

    store = Store(old_store)
    try:
        triggers = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        (new,) = [i for i in store.items() if i.title == HOUTHI_SHIP.title]
        hits = {m["item_id"] for m in store.search_matches(f'"{HOUTHI_SHIP.title}"', ItemFilter(), 10)}
        old = [i for i in store.items() if i.title in titles_before and i.text][0]
        old_hits = {m["item_id"] for m in store.search_matches(f'"{old.title}"', ItemFilter(), 10)}
        store.db.execute("INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)")
    finally:
        store.close()

    assert triggers == {"items_ad", "items_au"}
    assert new.id in hits
    assert old.id in old_hits


def schema_of(path):
    """sqlite_master in the order things were made, and every table's rows (schema_version's without
    their times): what tells two stores' schemas apart."""
    conn = sqlite3.connect(path)
    try:
        master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        tables = [name for kind, name, _, _ in master if kind == "table" and name != "items_fts"]
        contents = {t: sorted(conn.execute(f"SELECT * FROM [{t}]").fetchall(), key=repr) for t in tables}
        contents["schema_version"] = [row[:2] for row in contents["schema_version"]]
        return master, contents
    finally:
        conn.close()


def new_store_statements(path):
    """The statements schema_new_store.NEW_STORE should hold, from a store built step by step."""
    conn = sqlite3.connect(path)
    try:
        shadow = {name for (name,) in conn.execute("SELECT name FROM pragma_table_list WHERE type = 'shadow'")}
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid").fetchall()
        search_settings = conn.execute("SELECT k, v FROM items_fts_config WHERE k != 'version' ORDER BY k").fetchall()
    finally:
        conn.close()
    made = []
    for name, sql in rows:
        if name not in shadow and name != "schema_version":
            made.append(sql)
        if name == "items_fts":
            made.append("INSERT INTO items_fts (items_fts) VALUES ('rebuild')")
            made += [f"INSERT INTO items_fts (items_fts, rank) VALUES ('{k}', {v})" for k, v in search_settings]
    return made


def test_a_new_store_made_at_once_is_the_store_its_steps_make(tmp_path):
    from monitor.schema_new_store import NEW_STORE, NEW_STORE_VERSION

    by_steps, at_once = tmp_path / "steps.db", tmp_path / "once.db"
    for path, step_by_step in ((by_steps, True), (at_once, False)):
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            applied = migrate(Connection(conn), step_by_step=step_by_step)
        finally:
            conn.close()
        assert applied == list(MIGRATIONS)

    statements = new_store_statements(by_steps)
    assert NEW_STORE_VERSION == MIGRATIONS[-1].version and list(NEW_STORE) == statements, (
        "a step was added: set schema_new_store.NEW_STORE_VERSION to the newest step and NEW_STORE to:\n"
        + "\n".join(f'    """{sql}""",' for sql in statements)
    )
    assert schema_of(at_once) == schema_of(by_steps)
    with Store(at_once) as store:
        store.db.execute("INSERT INTO items_fts (items_fts, rank) VALUES ('integrity-check', 1)")
        assert store.db.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_new_store_is_made_without_loading_sqlite_utils(tmp_path):
    import subprocess
    import sys

    script = (
        "import sys; from monitor.store import Store; Store(sys.argv[1]).close(); print('sqlite_utils' in sys.modules)"
    )
    made = subprocess.run([sys.executable, "-c", script, str(tmp_path / "new.db")], capture_output=True, text=True)

    assert made.stdout.strip() == "False", made.stderr
