"""What full-text search costs a poll: the same 2,000 inserts of a 5 KB text (800 words) into a
store with and without the search index, 3 rounds each; best and median ms per insert. As a poll
writes them: a transaction per feed of 20 items, each item in a savepoint of its own. Without the
index, items_fts is a view that takes the rows written at commit and keeps nothing.

    python benchmarks/fts_cost.py
"""

import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from monitor.models import Article, Classification, Entry
from monitor.store import NewItem, Store

NOTHING = Classification((), (), ())
rng = random.Random(3)
words = ["".join(rng.choice("abcdefghijklmnop") for _ in range(rng.randint(3, 9))) for _ in range(20000)]
texts = [" ".join(rng.choice(words) for _ in range(800)) for _ in range(50)]


def run(with_fts: bool) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "s.db")
        if not with_fts:
            store.db.conn.executescript("""
                DROP TRIGGER items_au; DROP TRIGGER items_ad; DROP TABLE items_fts;
                CREATE VIEW items_fts AS SELECT id AS rowid, title, text FROM items WHERE 0;
                CREATE TRIGGER items_fts_kept_nowhere INSTEAD OF INSERT ON items_fts BEGIN SELECT 1; END;
            """)
        store.record_fetch("f", "https://f.example.org/", datetime(2024, 1, 1, tzinfo=timezone.utc))
        t0 = time.perf_counter()
        for feed in range(100):
            with store.transaction():
                for i in range(feed * 20, feed * 20 + 20):
                    when = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=i)
                    e = Entry(f"g{i}", f"https://f.example.org/{i}", f"title {i} {texts[i % 50][:40]}", "", when)
                    with store.savepoint():
                        store.insert_item(NewItem("f", Article(e, e.link, texts[i % 50], "page"), NOTHING, when))
        ms = (time.perf_counter() - t0) * 1000 / 2000
        store.close()
        return ms


for label, flag in (("with the search index", True), ("without", False)):
    r = [run(flag) for _ in range(3)]
    print(f"{label}: best {min(r):.3f} ms, median {statistics.median(r):.3f} ms per insert")
