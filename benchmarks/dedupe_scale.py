"""Cost of the near-duplicate check per new item as the store grows.

    python benchmarks/dedupe_scale.py [--sizes 0 10000 100000] [--new 100] [--reps 5] [--texts overlapping|distinct]
                                      [--keep FOLDER] [--cycle]

Fills a temporary store with each --sizes number of articles spread over 60 days, fingerprinted and
indexed as the pipeline does. Then, --reps times and interleaved across the stores (the machine is
shared and noisy: ratios come from runs side by side, never from absolute times), it runs what the
pipeline does for the same --new articles of day 30 (in batches of 20, one transaction each, as a
feed's items are stored): text keys, candidate lookup within the 7-day window, resemblance on the
candidates, insert with the sketch; and then removes them again.

--texts overlapping (the default) writes like news, from the sentences and words of the real pages
in ../shared/fixtures/real-html/: every sentence is one of those pages' sentences with about half of
its words swapped for words of the same pages (so the pages' stock phrasing recurs across thousands
of texts, as on a real store); 40 outlets each close every article with their own two boilerplate
paragraphs, unvaried; three in ten articles are syndicated copies of a story of the past two days,
lightly edited (a paragraph dropped, one added, a few words changed, the outlet's boilerplate).
--texts distinct draws 300 words per article from the pages' words: texts that share little.

Each article is also classified with the rules of config/monitor.toml first, as the pipeline does
before it stores one (its tallies take part in story matching). Prints, per store size, the median
and 95th percentile of the check and of the insert; the median (min-max) of the whole --new batch
checked and stored, and its ratio to the empty store's run beside it; the same with classification
counted, the work a cycle does per new article short of fetching and extracting it; then the query
plan of the candidate lookup.

--cycle measures what issue 15's "100 new articles on a 100,000-item store" means instead: the
monitor's whole poll of those articles (fetch, extract, classify, dedupe, store, alert), on a copy of
the largest store and of an empty one. The same --new articles (day 30, so the ±7-day window holds a
quarter of the store; three in ten syndicated copies of its stories of days 28-30) are served on
loopback by poll_world.py as --feeds RSS feeds with a page each, made from the fixture pages, and
alerts go to a loopback json:// receiver. Each of --reps rounds polls each store through two entries,
each run in a fresh process on a fresh copy of the store, the stores in alternating order: `monitor
poll` (as cron runs it: it takes the store's lock and checks its integrity, reading the whole file),
and one cycle as `monitor run` makes each of its own (lock and check taken once, at the daemon's
start). It prints the medians (min-max) of wall and CPU time (extraction workers included) per
store and entry, and the ratios of the largest store's to the empty store's, round by round.

The stores are kept in --keep, by default a folder under the system's temporary folder named for
the store schema's version, and taken from there next time (a fill is the same every time). The
first fill of 100,000 items (1.1 GB) took 11 minutes with the load average at 6 on 2 cores; then a
--cycle run of 5 rounds takes about 3 minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from monitor.classify import Ruleset, classify  # noqa: E402
from monitor.config import load_rules  # noqa: E402
from monitor.dedupe import fingerprint, find_story, text_keys  # noqa: E402
from monitor.extract import extract_text  # noqa: E402
from monitor.models import Article, Classification, Entry  # noqa: E402
from monitor.schema import MIGRATIONS  # noqa: E402
from monitor.store import NewItem, Store, exclusive  # noqa: E402
from monitor.tallies import TallyTerms  # noqa: E402
from poll_world import World  # noqa: E402

START = datetime(2024, 1, 1, tzinfo=timezone.utc)
DAY_30 = START + timedelta(days=30)
NOTHING = Classification((), (), ())
OUTLETS = 40
WINDOW = timedelta(days=7)
Rules = tuple[Ruleset, TallyTerms]
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def fixture_text() -> tuple[list[str], list[str]]:
    """The sentences and the words (as often as they occur) of the fixture pages."""
    sentences: list[str] = []
    for page in sorted((SHARED / "fixtures" / "real-html").glob("*.html")):
        text = extract_text(page.read_bytes()) or ""
        for paragraph in text.splitlines():
            sentences += [s for s in _SENTENCE_END.split(paragraph) if len(s.split()) >= 6]
    return sentences, [w for s in sentences for w in s.split()]


class Writer:
    def __init__(self, rng: random.Random, overlapping: bool, sentences: list[str], words: list[str]):
        self.rng, self.overlapping = rng, overlapping
        self.sentences, self.words = sentences, words
        self.boilerplate = [
            [rng.choice(sentences) + " " + rng.choice(sentences) for _ in range(2)] for _ in range(OUTLETS)
        ]
        self.recent: list[tuple[datetime, list[str]]] = []  # stories of the past days, to be syndicated
        self.before_day_30: list[tuple[datetime, list[str]]] = []  # the stories the new articles may copy

    def varied(self, sentence: str, share: float) -> str:
        words = sentence.split()
        swapped = self.rng.sample(range(len(words)), round(len(words) * share))
        for i, other in zip(swapped, self.rng.choices(self.words, k=len(swapped)), strict=True):
            words[i] = other
        return " ".join(words)

    def paragraph(self) -> str:
        return " ".join(self.varied(self.rng.choice(self.sentences), 0.5) for _ in range(self.rng.randint(2, 4)))

    def article(self, outlet: int, when: datetime) -> str:
        if not self.overlapping:
            return " ".join(self.rng.choices(self.words, k=300))
        self.recent = [(t, p) for t, p in self.recent if when - t < timedelta(days=2)][-500:]
        if self.recent and self.rng.random() < 0.3:
            _, story = self.rng.choice(self.recent)
            body = [self.varied(p, 0.02) for p in story]
            del body[self.rng.randrange(len(body))]
            body.insert(self.rng.randrange(len(body) + 1), self.paragraph())
        else:
            body = [self.paragraph() for _ in range(5)]
            self.recent.append((when, body))
            if timedelta(days=28) <= when - START < timedelta(days=30):
                self.before_day_30.append((when, body))
        return "\n".join([*body, *self.boilerplate[outlet]])


def store_article(
    store: Store, i: int, text: str, when: datetime, outlet: int, story: int | None = None, c: Classification = NOTHING
) -> int:
    entry = Entry(f"g{i}", f"https://example.org/{i}", f"title {i}", "", when)
    keys = text_keys(text)
    return store.insert_item(
        NewItem(
            f"outlet {outlet}",
            Article(entry, entry.link, text, "page"),
            c,
            when,
            story,
            text_key=keys.text_key,
            fingerprint=keys.fingerprint,
        )
    )[0]


def fill(path: Path, size: int, writer: Writer, rng: random.Random) -> None:
    store = Store(path)
    for outlet in range(OUTLETS):
        store.record_fetch(f"outlet {outlet}", f"https://example.org/{outlet}.xml", START)
    times = sorted(START + timedelta(seconds=rng.uniform(0, 60 * 86400)) for _ in range(size))
    for start in range(0, size, 1000):
        with store.transaction():
            for i in range(start, min(start + 1000, size)):
                outlet = rng.randrange(OUTLETS)
                store_article(store, i, writer.article(outlet, times[i]), times[i], outlet)
    store.close()


def new_articles(writer: Writer, rng: random.Random, new: int) -> list[tuple[int, str]]:
    """Articles of day 30; syndicated ones copy stories of the two days before (of the largest store)."""
    writer.recent = [(DAY_30, body) for _, body in writer.before_day_30]
    return [(outlet, writer.article(outlet, DAY_30)) for outlet in (rng.randrange(OUTLETS) for _ in range(new))]


def run(path: Path, size: int, articles: list[tuple[int, str]], rules: Rules) -> dict[str, list[float]]:
    """Classify, check and store the articles, timed; then remove them, so the next run meets the same store."""
    store = Store(path)
    last_story = store.db.execute("SELECT COALESCE(MAX(id), 0) FROM stories").fetchone()[0]
    costs: dict[str, list[float]] = {"classify": [], "check": [], "insert": []}
    t_all = time.perf_counter()
    for batch in range(0, len(articles), 20):
        with store.transaction():
            for j, (outlet, text) in enumerate(articles[batch : batch + 20], start=batch):
                t = time.perf_counter()
                c = classify(f"title {size + j}", text, DAY_30.date(), *rules)
                t1 = time.perf_counter()
                story = find_story(store, fingerprint(text), c, DAY_30, WINDOW, 0.5)
                t2 = time.perf_counter()
                store_article(store, size + j, text, DAY_30, outlet, story, c)
                costs["classify"].append((t1 - t) * 1000)
                costs["check"].append((t2 - t1) * 1000)
                costs["insert"].append((time.perf_counter() - t2) * 1000)
    costs["total"] = [(time.perf_counter() - t_all) * 1000]
    costs["stored"] = [costs["total"][0] - sum(costs["classify"])]
    with store.transaction():
        store.db.execute("PRAGMA defer_foreign_keys = ON")
        store.db.execute("DELETE FROM sketches WHERE item_id >= ?", [size])
        store.db.execute("DELETE FROM items WHERE id > ?", [size])
        store.db.execute("DELETE FROM stories WHERE id > ?", [last_story])
    store.close()
    return costs


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def store_counts(path: Path, before: int) -> tuple[int, int, int, int]:
    """The items stored after item `before`, how many of them joined a story of the items up to it, the
    stories they are in, the last id."""
    db = sqlite3.connect(path)
    (last,) = db.execute("SELECT COALESCE(MAX(id), 0) FROM items").fetchone()
    new, joined, stories = db.execute(
        "SELECT COUNT(*), COALESCE(SUM(story_id IN (SELECT story_id FROM items WHERE id <= :n)), 0),"
        " COUNT(DISTINCT story_id)"
        " FROM items WHERE id > :n",
        {"n": before},
    ).fetchone()
    db.close()
    return new, joined, stories, last


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


ENTRIES = {"poll": "`monitor poll`", "cycle": "the daemon's cycle"}


def measured_poll(world: World, entry: str, store: Path, run: Path) -> dict[str, float]:
    """One poll of the world (ENTRIES) in a fresh process, on a fresh copy of the store."""
    shutil.rmtree(run, ignore_errors=True)
    run.mkdir()
    shutil.copyfile(store, run / "monitor.db")
    # Else the poll's first commit waits for the whole fresh copy (1 GB at 100k) to reach the disk.
    with open(run / "monitor.db", "rb") as copy:
        os.fsync(copy.fileno())
    before = store_counts(run / "monitor.db", 0)[3]
    # A store's steady state under cron: the last poll released it cleanly, so this poll need not read
    # the whole file through the integrity check again (store.last_check); the hold here pays that
    # check once, untimed, as the previous poll did.
    with exclusive(run / "monitor.db"):
        pass
    world.alerts = 0
    config = world.write_config(run, run / "monitor.db")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "poll_world.py"), entry, str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    process_wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{ENTRIES[entry]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    costs = json.loads(done.stdout.strip().splitlines()[-1])
    new, joined, stories, _ = store_counts(run / "monitor.db", before)
    return dict(costs, process=process_wall, new=new, joined=joined, stories=stories, alerts=world.alerts)


def cycle(paths: dict[int, Path], articles: list[tuple[int, str]], feeds: int, reps: int, folder: Path) -> None:
    """A poll of the articles on a fresh copy of the empty and of the largest store, interleaved, through
    each entry: `monitor poll` (cron's) and one cycle as the daemon runs it (`monitor run`'s)."""
    sizes = sorted(paths)
    world = World([text for _, text in articles], feeds, DAY_30)
    print(
        f"{len(articles)} new articles of day 30 in {feeds} loopback feeds, polled on a fresh copy of the stores of"
        f" {' and '.join(map(str, sizes))} items, {reps} interleaved rounds; load average"
        f" {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        flush=True,
    )
    figures: dict[tuple[str, int], dict[str, list[float]]] = {(e, s): {} for e in ENTRIES for s in sizes}
    for rep in range(reps):
        for entry in ENTRIES:
            for size in sizes if rep % 2 == 0 else sizes[::-1]:
                for name, value in measured_poll(world, entry, paths[size], folder / "cycle-run").items():
                    figures[entry, size].setdefault(name, []).append(value)
        print(
            f"round {rep + 1}: "
            + "; ".join(f"{e} on {s}: {figures[e, s]['wall'][-1]:.2f} s" for e in ENTRIES for s in sizes),
            flush=True,
        )
    shutil.rmtree(folder / "cycle-run", ignore_errors=True)
    world.close()
    print(f"median (min-max) of {reps} rounds; load average now {os.getloadavg()[0]:.1f}")
    for entry, what in ENTRIES.items():
        for size in sizes:
            f = figures[entry, size]
            print(
                f"  {what}, store of {size}: wall {spread(f['wall'])} s, CPU {spread(f['cpu'])} s"
                f" (process with start-up {spread(f['process'])} s); {spread(f['new'], '{:.0f}')} items stored,"
                f" {spread(f['joined'], '{:.0f}')} of them joined a stored story, in"
                f" {spread(f['stories'], '{:.0f}')} stories; {spread(f['alerts'], '{:.0f}')} alerts delivered",
                flush=True,
            )
        for name, key in (("wall", "wall"), ("CPU", "cpu"), ("process wall", "process")):
            large, empty = figures[entry, sizes[-1]][key], figures[entry, 0][key]
            ratios = [a / b for a, b in zip(large, empty, strict=True)]
            print(f"  {what}, {name}, store of {sizes[-1]} / empty store (per round): {spread(ratios)}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000, 100_000])
    parser.add_argument("--new", type=int, default=100)
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--texts", choices=["overlapping", "distinct"], default="overlapping")
    parser.add_argument(
        "--keep", help="a folder to keep the filled stores in and take them from (a fill is the same every time)"
    )
    parser.add_argument("--cycle", action="store_true", help="time whole polls of the new articles instead")
    parser.add_argument("--feeds", type=int, default=5, help="--cycle: loopback feeds the new articles are dealt over")
    args = parser.parse_args()
    if not (SHARED / "fixtures" / "real-html").is_dir():
        sys.exit("../shared/fixtures is not beside this clone: no texts to write with")
    sentences, words = fixture_text()
    overlapping = args.texts == "overlapping"
    sizes = sorted(set(args.sizes) | {0})
    if args.cycle:
        sizes = [0, sizes[-1]]
    # A store of an older schema would be migrated inside the timed poll: each schema its own folder.
    folder = Path(args.keep or Path(tempfile.gettempdir()) / f"monitor-dedupe-scale-schema{len(MIGRATIONS)}")
    folder.mkdir(parents=True, exist_ok=True)
    paths = {size: folder / f"bench-{args.texts}-{size}.db" for size in sizes}
    kept = folder / f"bench-{args.texts}-{sizes[-1]}-new-{args.new}.json"
    for size in sizes:
        if paths[size].exists() and (size != sizes[-1] or kept.exists()):
            print(f"a store of {size} {args.texts} items kept in {folder}", flush=True)
            continue
        t0 = time.perf_counter()
        writer = Writer(random.Random(5), overlapping, sentences, words)
        fill(paths[size], size, writer, random.Random(6))
        print(f"filled a store of {size} {args.texts} items in {time.perf_counter() - t0:.0f} s", flush=True)
        if size == sizes[-1]:
            kept.write_text(json.dumps(new_articles(writer, random.Random(7), args.new)))
    articles = [(outlet, text) for outlet, text in json.loads(kept.read_text())]
    if args.cycle:
        return cycle(paths, articles, args.feeds, args.reps, folder)
    rules = load_rules(ROOT / "config" / "monitor.toml")
    costs: dict[int, dict[str, list[float]]] = {size: {} for size in sizes}
    ratios: dict[int, list[float]] = {size: [] for size in sizes}
    with_classify: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(args.reps):
        for size in sizes:
            for name, values in run(paths[size], size, articles, rules).items():
                costs[size].setdefault(name, []).extend(values)
        for size in sizes:
            ratios[size].append(costs[size]["stored"][-1] / costs[0]["stored"][-1])
            with_classify[size].append(costs[size]["total"][-1] / costs[0]["total"][-1])
    print(f"{args.new} new articles of day 30, checked and stored (one commit per 20), {args.reps} interleaved runs:")
    for size in sizes:
        c = costs[size]
        print(
            f"  store of {size}: check median {statistics.median(c['check']):.2f} ms, p95 {p95(c['check']):.2f} ms;"
            f" insert median {statistics.median(c['insert']):.2f} ms, p95 {p95(c['insert']):.2f} ms;"
            f" checked and stored {statistics.median(c['stored']):.0f} ms ({min(c['stored']):.0f}-{max(c['stored']):.0f}),"
            f" {statistics.median(ratios[size]):.2f}x the empty store ({min(ratios[size]):.2f}-{max(ratios[size]):.2f});"
            f" with classification (median {statistics.median(c['classify']):.2f} ms an article)"
            f" {statistics.median(c['total']):.0f} ms, {statistics.median(with_classify[size]):.2f}x"
            f" ({min(with_classify[size]):.2f}-{max(with_classify[size]):.2f})",
            flush=True,
        )
    store = Store(paths[sizes[-1]])
    sketch = fingerprint("one two three four five six seven eight nine ten eleven twelve").sketch
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT item_id FROM sketches WHERE hash = ? AND day BETWEEN ? AND ?",
        [sketch[0], 19_740, 19_760],
    ).fetchall()
    print("candidate lookup plan, per sketch value: " + "; ".join(sorted({row[-1] for row in plan})))
    store.close()


if __name__ == "__main__":
    main()
