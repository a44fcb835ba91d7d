"""Cost of the near-duplicate check per new item as the store grows.

    python benchmarks/dedupe_scale.py [--items 100000] [--new 300]

Fills a temporary store with --items synthetic articles (300 words drawn from a Zipf-like
vocabulary, spread over 60 days, fingerprinted and indexed as the pipeline does), then times, for
--new fresh articles, what the pipeline does per new item: fingerprint, candidate lookup within the
7-day window, resemblance on the candidates, insert with its sketch. Prints the median and 95th
percentile, and the query plan of the candidate lookup (index lookups, no scan of items).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.dedupe import fingerprint, text_key  # noqa: E402
from monitor.models import Article, Classification, Entry  # noqa: E402
from monitor.pipeline import find_story  # noqa: E402
from monitor.store import Store  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
NOTHING = Classification((), (), ())


def vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(size)]
    return words, [1 / (rank + 1) for rank in range(size)]


def article(rng, words, weights, n=300) -> str:
    return " ".join(rng.choices(words, weights, k=n))


def store_article(store: Store, i: int, text: str, when: datetime, story=None) -> int:
    entry = Entry(f"g{i}", f"https://example.org/{i}", f"title {i}", "", when)
    fp = fingerprint(text)
    return store.insert_item("bench", Article(entry, entry.link, text, "page"), NOTHING, when, story, text_key(text), fp)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(5)
    words, weights = vocabulary(rng)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        t0 = time.perf_counter()
        for start in range(0, args.items, 1000):
            with store.transaction():
                for i in range(start, min(start + 1000, args.items)):
                    when = START + timedelta(seconds=rng.uniform(0, 60 * 86400))
                    store_article(store, i, article(rng, words, weights), when)
        print(f"filled {args.items} items in {time.perf_counter() - t0:.0f} s")
        window = timedelta(days=7)
        checks, writes = [], []
        for j in range(args.new):
            text = article(rng, words, weights)
            when = START + timedelta(days=30, seconds=rng.uniform(0, 86400))
            t = time.perf_counter()
            fp = fingerprint(text)
            story = find_story(store, fp, NOTHING, when, window, 0.5)
            t2 = time.perf_counter()
            with store.transaction():
                store_article(store, args.items + j, text, when, story)
            checks.append((t2 - t) * 1000)
            writes.append((time.perf_counter() - t2) * 1000)
        for name, costs in (("near-duplicate check (fingerprint, lookup, resemblance)", checks),
                            ("insert with sketch, one commit per item", writes)):
            costs.sort()
            print(f"{name}, {args.items} stored: median {statistics.median(costs):.2f} ms, "
                  f"p95 {costs[int(len(costs) * 0.95)]:.2f} ms, max {costs[-1]:.2f} ms ({args.new} items)")
        sketch = fingerprint(article(rng, words, weights)).sketch
        marks = ",".join("?" * len(sketch))
        plan = store.db.execute(
            f"""EXPLAIN QUERY PLAN SELECT s.item_id, COUNT(*) FROM sketches s JOIN items i ON i.id = s.item_id
                WHERE s.hash IN ({marks}) AND i.seen_at BETWEEN ? AND ? GROUP BY s.item_id""",
            [*sketch, "2024-01-20", "2024-02-10"],
        ).fetchall()
        print("candidate lookup plan: " + "; ".join(row[-1] for row in plan))
        store.close()


if __name__ == "__main__":
    main()
