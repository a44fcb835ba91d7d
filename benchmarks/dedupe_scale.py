"""Cost of the near-duplicate check per new item as the store grows.

    python benchmarks/dedupe_scale.py [--sizes 0 10000 100000] [--new 100] [--texts overlapping|distinct]

Fills a temporary store with each --sizes number of synthetic articles spread over 60 days,
fingerprinted and indexed as the pipeline does, then runs what the pipeline does for --new articles
of day 30 (in batches of 20, one transaction each, as a feed's items are stored): text keys,
candidate lookup within the 7-day window, resemblance on the candidates, insert with the sketch.

--texts overlapping (the default) writes like news: 40 outlets, each closing every article with its
own two boilerplate paragraphs; stock phrases ("a defense official said on condition of anonymity")
in every paragraph; three in ten articles are syndicated copies of one from the past two days,
edited (a paragraph dropped, one added, the outlet's boilerplate). So sketch values are shared by
thousands of stored texts, as on a real store. --texts distinct draws 300 words per article from a
Zipf-like vocabulary: texts that share almost nothing.

Prints, per store size, the median and 95th percentile of the check, the insert, and the whole
--new batch, with its ratio to the empty store; then the query plan of the candidate lookup.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.dedupe import fingerprint, text_keys  # noqa: E402
from monitor.models import Article, Classification, Entry  # noqa: E402
from monitor.store import Store  # noqa: E402

try:
    from monitor.dedupe import find_story
except ImportError:  # before find_story moved to dedupe.py: lets the script measure older versions
    from monitor.pipeline import find_story

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
NOTHING = Classification((), (), ())
OUTLETS = 40


class Writer:
    def __init__(self, rng: random.Random, overlapping: bool):
        self.rng, self.overlapping = rng, overlapping
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.words = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(30_000)]
        self.weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(self.words))))
        self.phrases = [self.sentence(rng.randint(5, 8)) for _ in range(300)]
        self.boilerplate = [[self.sentence(25), self.sentence(20)] for _ in range(OUTLETS)]
        self.recent: list[tuple[datetime, list[str]]] = []  # stories of the past days, to be syndicated
        self.before_day_30: list[tuple[datetime, list[str]]] = []  # the stories the new articles may copy

    def sentence(self, n: int) -> str:
        return " ".join(self.rng.choices(self.words, cum_weights=self.weights, k=n))

    def paragraph(self) -> str:
        parts = [
            self.sentence(15),
            self.rng.choice(self.phrases),
            self.sentence(15),
            self.rng.choice(self.phrases),
            self.sentence(10),
        ]
        return " ".join(parts)

    def article(self, outlet: int, when: datetime) -> str:
        if not self.overlapping:
            return self.sentence(300)
        self.recent = [(t, p) for t, p in self.recent if when - t < timedelta(days=2)][-500:]
        if self.recent and self.rng.random() < 0.3:
            _, story = self.rng.choice(self.recent)
            body = list(story)
            del body[self.rng.randrange(len(body))]
            body.insert(self.rng.randrange(len(body) + 1), self.paragraph())
        else:
            body = [self.paragraph() for _ in range(5)]
            self.recent.append((when, body))
            if timedelta(days=28) <= when - START < timedelta(days=30):
                self.before_day_30.append((when, body))
        return "\n".join([*body, *self.boilerplate[outlet]])


def store_article(store: Store, i: int, text: str, when: datetime, outlet: int, story=None) -> int:
    entry = Entry(f"g{i}", f"https://example.org/{i}", f"title {i}", "", when)
    keys = text_keys(text)
    return store.insert_item(
        f"outlet {outlet}",
        Article(entry, entry.link, text, "page"),
        NOTHING,
        when,
        story,
        keys.text_key,
        keys.fingerprint,
    )[0]


def measure(size: int, new: int, overlapping: bool, folder: Path) -> dict[str, list[float]]:
    rng = random.Random(5)
    writer = Writer(rng, overlapping)
    store = Store(folder / f"bench-{size}.db")
    for outlet in range(OUTLETS):
        store.record_fetch(f"outlet {outlet}", f"https://example.org/{outlet}.xml", START)
    times = sorted(START + timedelta(seconds=rng.uniform(0, 60 * 86400)) for _ in range(size))
    t0 = time.perf_counter()
    for start in range(0, size, 1000):
        with store.transaction():
            for i in range(start, min(start + 1000, size)):
                outlet = rng.randrange(OUTLETS)
                store_article(store, i, writer.article(outlet, times[i]), times[i], outlet)
    if size:
        print(f"  filled {size} items in {time.perf_counter() - t0:.0f} s", flush=True)
    # The new articles are of day 30, so their window holds 14 of the 60 days; syndicated ones copy
    # stories of the two days before, which the writer still has from the fill.
    when = START + timedelta(days=30)
    writer.recent = [(when, body) for _, body in writer.before_day_30]
    window = timedelta(days=7)
    costs: dict[str, list[float]] = {"check": [], "insert": [], "batch": []}
    for batch in range(0, new, 20):
        t_batch = time.perf_counter()
        with store.transaction():
            for j in range(batch, min(batch + 20, new)):
                outlet = rng.randrange(OUTLETS)
                text = writer.article(outlet, when)
                t = time.perf_counter()
                fp = fingerprint(text)
                story = find_story(store, fp, NOTHING, when, window, 0.5)
                t2 = time.perf_counter()
                store_article(store, size + j, text, when, outlet, story)
                costs["check"].append((t2 - t) * 1000)
                costs["insert"].append((time.perf_counter() - t2) * 1000)
        costs["batch"].append((time.perf_counter() - t_batch) * 1000)
    costs["total"] = [sum(costs["batch"])]
    store.close()
    return costs


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000, 100_000])
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--texts", choices=["overlapping", "distinct"], default="overlapping")
    args = parser.parse_args()
    overlapping = args.texts == "overlapping"
    empty_total = None
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            print(f"store of {size} {args.texts} items:", flush=True)
            costs = measure(size, args.new, overlapping, Path(tmp))
            total = costs["total"][0]
            if size == 0:
                empty_total = total
            ratio = f", {total / empty_total:.2f}x the empty store" if empty_total else ""
            print(
                f"  near-duplicate check (fingerprint, lookup, resemblance): median {statistics.median(costs['check']):.2f} ms,"
                f" p95 {p95(costs['check']):.2f} ms"
            )
            print(
                f"  insert with sketch: median {statistics.median(costs['insert']):.2f} ms, p95 {p95(costs['insert']):.2f} ms"
            )
            print(
                f"  {args.new} new articles, checked and stored, one commit per 20: {total:.0f} ms{ratio}", flush=True
            )
        store = Store(Path(tmp) / f"bench-{args.sizes[-1]}.db")
        sketch = fingerprint("one two three four five six seven eight nine ten eleven twelve").sketch
        marks = " UNION ALL ".join(
            ["SELECT item_id FROM (SELECT item_id FROM sketches WHERE hash = ? AND day BETWEEN ? AND ? LIMIT 50)"]
            * len(sketch)
        )
        params = [v for h in sketch for v in (h, 19_740, 19_760)]
        try:
            plan = store.db.execute(
                f"EXPLAIN QUERY PLAN SELECT item_id, COUNT(*) FROM ({marks}) GROUP BY item_id", params
            ).fetchall()
            steps = sorted({row[-1] for row in plan if "sketches" in row[-1]})
            print("candidate lookup plan, per sketch value: " + "; ".join(steps))
        except Exception as e:  # noqa: BLE001 - an older store has no day column
            print(f"candidate lookup plan not shown: {e}")
        store.close()


if __name__ == "__main__":
    main()
