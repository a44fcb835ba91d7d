"""A whole polling cycle against a loopback world, side by side with the floor.

    python benchmarks/cycle.py [--reps 5] [--feeds 100] [--items 20] [--warm-rounds 5] [--start-up-only]

The world: --feeds RSS feeds of --items new articles each, served by a loopback HTTP server in its
own process. The pages are the real pages of ../shared/fixtures/real-html/, each copy with its own
code word woven into every text run (so no two copies share a 4-word shingle and nothing folds by
accident), and a quarter of them with an attack sentence of our own added to the main paragraph.

Each repetition runs, each in a fresh process, interleaved (the order alternates), with the
modules loading from bytecode written before the first (see with_bytecode):
- the monitor's cycle (`run_cycle` on a fresh store, alerts to a loopback json:// receiver);
- the floor: fetch + feedparser + trafilatura (the monitor's settings) on a 2-process pool,
  extraction overlapped with fetching, same feeds, same pages, same concurrency; nothing stored;
- the same feeds with the full text in the feed and no page links: the monitor's cost per item
  without extraction, then warm cycles (every feed answers 304) against a bare httpx client
  making the same conditional requests.
Then start-up to first fetch: `python -m monitor poll` spawned, until its first request arrives, on a
new store each time; its modules load from bytecode, as an installed monitor's do (pip compiles them
at install). Interleaved: the same compiled from source at every start, as a checkout runs with
PYTHONDONTWRITEBYTECODE=1 (set on these machines, and in the Dockerfile, which installs bytecode), and
on the store the last poll left, as cron's polls after the first find it. --start-up-only measures
that alone.

It prints medians and spreads (min-max) of: wall and CPU as ratios to the floor of the same
repetition, cores used (CPU time / wall), time to the first delivered alert, peak memory (the
main process's peak RSS, and the process tree's peak PSS sampled every 0.1 s, workers included),
per-item cost without extraction, the warm ratio and start-up; then the peak memory of one more
cycle on half the feeds (memory must not grow with the size of a cycle); and, last, the machine's
pace (a fixed loop's CPU time, see machine_speed). These machines are shared and drift: compare
ratios from one run, not absolute seconds across runs.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
PAGES = SHARED / "fixtures" / "real-html"
sys.path.insert(0, str(ROOT))

# ---------------------------------------------------------------- the world

_MARKUP = re.compile(r"(?is)(<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<[^>]*>)")
_THIRD_WORD = re.compile(r"(\S+\s+\S+\s+\S+)(?=\s+\S)")
_PARAGRAPH = re.compile(r"(?is)<p\b[^>]*>((?:(?!</?p\b).)*?)</p>")

GROUPS = (
    "Iran-backed militants",
    "Fighters of Kataib Hezbollah",
    "An Iranian-backed militia",
    "Members of an Iraqi militia backed by Tehran",
)
ACTS = ("fired {n} rockets at", "launched {n} drones at", "attacked", "targeted")
TARGETS = (
    "a base that hosts U.S. troops",
    "American forces stationed",
    "a U.S. military outpost",
    "coalition troops based",
)
PLACES = (
    "near Erbil in northern Iraq",
    "at Ain al-Asad air base in western Iraq",
    "in eastern Syria",
    "near the Jordanian border with Syria",
    "at the Conoco gas field in Syria",
)
DAYS = ("on Monday", "on Tuesday", "late on Wednesday", "early on Thursday", "on Friday", "over the weekend")
SOURCES = ("a defense official said", "the Pentagon said", "officials in Washington said", "a military spokesman said")


def code_word(k: int) -> str:
    letters, k = "", k + 1
    while k:
        k, r = divmod(k, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[r]
    return "zq" + letters


def attack_sentence(k: int) -> str:
    r = k * 7919
    return (
        f"{GROUPS[r % 4]} {ACTS[(r // 4) % 4].format(n=2 + k % 9)} {TARGETS[(r // 16) % 4]} "
        f"{PLACES[(r // 64) % 5]} {DAYS[(r // 320) % 6]}, {SOURCES[k % 4]}."
    )


def varied_page(html: str, k: int, attack: bool) -> str:
    """The page with a code word after every third word of its text, and maybe an attack sentence
    at the end of its longest paragraph (where extraction finds the article)."""
    code = code_word(k)
    page = "".join(
        part if not part or part.startswith("<") else _THIRD_WORD.sub(lambda m: m.group(1) + " " + code, part)
        for part in _MARKUP.split(html)
    )
    if attack:
        longest = max(_PARAGRAPH.finditer(page), key=lambda m: len(_MARKUP.sub("", m.group(1))), default=None)
        at = longest.end() if longest else page.find("</body>")
        page = page[:at] + f"<p>{attack_sentence(k)}</p>" + page[at:]
    return page


def paragraphs_of(page: str) -> list[str]:
    texts = (" ".join(_MARKUP.sub(" ", m.group(1)).split()) for m in _PARAGRAPH.finditer(page))
    return [t for t in texts if len(t) > 60]


def attack_bases(bases: list[str]) -> list[int]:
    """The long pages whose added attack sentence survives extraction and is classified as an attack."""
    from datetime import date

    from monitor.classify import classify
    from monitor.config import load_rules
    from monitor.extract import extract_text

    rules, terms = load_rules(ROOT / "config" / "monitor.toml")
    good = []
    for i, html in enumerate(bases):
        text = extract_text(varied_page(html, i, True).encode())
        # A long article, so the added sentence is a small share of it: copies must not fold into one story.
        if (
            text
            and len(text.split()) >= 200
            and "attack" in classify("", text, date(2024, 2, 5), rules, terms).categories
        ):
            good.append(i)
    return good


def build_world(feeds: int, items: int, base_url: str) -> dict[str, tuple[bytes, str]]:
    """path -> (body, ETag): /feed/F.xml (page links), /full/F.xml (full text, no page links), /page/F/J.html."""
    bases = [p.read_text(errors="replace") for p in sorted(PAGES.glob("*.html"))]
    good = attack_bases(bases)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    routes: dict[str, tuple[bytes, str]] = {}
    for f in range(feeds):
        linked, full = [], []
        for j in range(items):
            k = f * items + j
            attack = k % 4 == 0
            base = good[(k // 4) % len(good)] if attack else k % len(bases)
            page = varied_page(bases[base], k, attack)
            routes[f"/page/{f}/{j}.html"] = (page.encode(), "")
            title = f"Dispatch {code_word(k)} from outlet {f}"
            published = format_datetime(now - timedelta(minutes=k % 600))
            head = (
                f'<title>{escape(title)}</title><guid isPermaLink="false">item-{k}</guid><pubDate>{published}</pubDate>'
            )
            linked.append(
                f"<item>{head}<link>{base_url}/page/{f}/{j}.html</link>"
                f"<description>{escape(title)}: a short summary.</description></item>"
            )
            body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs_of(page))
            full.append(f"<item>{head}<content:encoded>{escape(body)}</content:encoded></item>")
        for prefix, entries in (("feed", linked), ("full", full)):
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
                f"<title>Outlet {f}</title><link>{base_url}/</link><description>News</description>"
                + "\n".join(entries)
                + "</channel></rss>"
            ).encode()
            routes[f"/{prefix}/{f}.xml"] = (xml, '"' + hashlib.sha1(xml).hexdigest()[:16] + '"')
    return routes


class WorldServer(ThreadingHTTPServer):
    # The default listen backlog, 5, dropped one of the 8 connections a cycle opens at once; its client
    # retried a second later, which made every warm round (the monitor's and the bare client's alike)
    # about 1 s, and their ratio near 1 whatever the monitor cost.
    request_queue_size = 128


def serve_world(feeds: int, items: int) -> None:
    """The world's server process: prints its base URL, serves until its stdin closes."""
    server = WorldServer(("127.0.0.1", 0), None)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    routes = build_world(feeds, items, base)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            status = 200 if self.path in routes else 404
            body, etag = routes.get(self.path, (b"not found", ""))
            if etag and self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
            self.send_response(status)
            if etag:
                self.send_header("ETag", etag)
            self.send_header(
                "Content-Type", "application/rss+xml" if self.path.endswith(".xml") else "text/html; charset=utf-8"
            )
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server.RequestHandlerClass = Handler
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(base, flush=True)
    sys.stdin.read()


# ---------------------------------------------------------------- what runs in the measured processes


def cpu_seconds() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def reap_workers() -> None:
    """The monitor's workers are children of its fork server, not of this process: their CPU time
    reaches RUSAGE_CHILDREN only once the fork server (which reaps them) is stopped and reaped."""
    from multiprocessing import forkserver

    forkserver._forkserver._stop()  # private, but the only way to reap it before this process ends


def run_monitor(config_path: str) -> dict:
    from monitor.config import load_config
    from monitor.notify import Notifiers
    from monitor.pipeline import run_cycle
    from monitor.store import Store

    config = load_config(config_path)
    store = Store(config.store_path)
    notifiers = Notifiers(config.notifiers, config=config)
    started, cpu = time.time(), cpu_seconds()
    report = run_cycle(config, store, notifiers)
    wall = time.time() - started
    reap_workers()
    result = {
        "start": started,
        "wall": wall,
        "cpu": cpu_seconds() - cpu,
        "items": report.new_items,
        "alerts": report.alerts_sent,
        "queued": report.alerts_created,
        "failed": len(report.failed),
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    store.close()
    return result


def run_floor(base: str, feeds: int, concurrency: int, workers: int) -> dict:
    from concurrent.futures import ProcessPoolExecutor

    import feedparser
    import httpx

    from monitor.extract import extract_text

    async def cycle(pool) -> int:
        loop = asyncio.get_running_loop()
        gate = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency * 2)) as client:

            async def page(link: str):
                async with gate:
                    body = (await client.get(link)).content
                return await loop.run_in_executor(pool, extract_text, body, link)

            async def feed(url: str) -> int:
                async with gate:
                    body = (await client.get(url)).content
                parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
                texts = await asyncio.gather(*(page(e.link) for e in parsed.entries))
                return sum(t is not None for t in texts)

            return sum(await asyncio.gather(*(feed(f"{base}/feed/{f}.xml") for f in range(feeds))))

    started, cpu = time.time(), cpu_seconds()
    with ProcessPoolExecutor(workers) as pool:
        extracted = asyncio.run(cycle(pool))
    return {
        "start": started,
        "wall": time.time() - started,
        "cpu": cpu_seconds() - cpu,
        "items": extracted,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_full_text(config_path: str, base: str, feeds: int, concurrency: int, rounds: int) -> dict:
    """A cold cycle on feeds that carry the full text (cost per item without extraction), then warm
    cycles (all 304) alternating with a bare httpx client making the same conditional requests."""
    import httpx

    from monitor.config import load_config
    from monitor.notify import Notifiers
    from monitor.pipeline import run_cycle
    from monitor.store import Store

    config = load_config(config_path)
    store = Store(config.store_path)
    notifiers = Notifiers(config.notifiers, config=config)
    started, cpu = time.perf_counter(), cpu_seconds()
    report = run_cycle(config, store, notifiers)
    cold_wall = time.perf_counter() - started
    reap_workers()
    cold_cpu = cpu_seconds() - cpu
    etags = {f.url: store.feed_state(f.name).etag for f in config.feeds}

    async def bare() -> int:
        gate = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=concurrency * 2)) as client:

            async def one(url: str) -> int:
                async with gate:
                    return (await client.get(url, headers={"If-None-Match": etags[url]})).status_code

            return sum(s == 304 for s in await asyncio.gather(*(one(u) for u in etags)))

    warm, client = [], []
    for r in range(rounds):
        for which in (0, 1) if r % 2 == 0 else (1, 0):
            t = time.perf_counter()
            if which == 0:
                outcome = run_cycle(config, store, notifiers)
                assert all(o.status == "not-modified" for o in outcome.outcomes), "warm cycle fetched something"
                warm.append(time.perf_counter() - t)
            else:
                assert asyncio.run(bare()) == feeds
                client.append(time.perf_counter() - t)
    store.close()
    return {
        "items": report.new_items,
        "wall": cold_wall,
        "cpu": cold_cpu,
        "warm": statistics.median(warm),
        "bare": statistics.median(client),
    }


# ---------------------------------------------------------------- measuring from outside


class Receiver:
    """A loopback target for apprise's json:// posts: when the first one arrived, how many."""

    def __init__(self):
        self.first: float | None = None
        self.count = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.count += 1
                if receiver.first is None:
                    receiver.first = time.time()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/"

    def reset(self) -> None:
        self.first, self.count = None, 0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def with_bytecode(cache: Path) -> dict[str, str]:
    """The environment of a measured run: modules load from bytecode, as an installed monitor's do (pip
    compiles them; so does the Dockerfile's install), not compiled from source in the main process and
    again in every worker because these machines set PYTHONDONTWRITEBYTECODE. The cache is written
    once, before the first run (compileall), in a folder of its own."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"PYTHONPYCACHEPREFIX": str(cache)}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "monitor"), __file__],
        check=True,
        stdout=subprocess.DEVNULL,
        env=env,
    )
    return env


def measured(args: list[str], env: dict[str, str] | None = None) -> tuple[dict, float, float]:
    """Run a measuring process; returns its JSON result, the peak PSS of its main process and of
    its whole tree (MB), sampled every 0.1 s."""
    proc = subprocess.Popen([sys.executable, __file__, *args], stdout=subprocess.PIPE, text=True, env=env)
    peak_main = peak_tree = 0.0
    while proc.poll() is None:
        pids = _descendants(proc.pid)
        sizes = [_pss_mb(p) for p in pids]
        peak_main, peak_tree = max(peak_main, sizes[0]), max(peak_tree, sum(sizes))
        time.sleep(0.1)
    out = proc.stdout.read()
    if proc.returncode != 0:
        sys.exit(f"measured run {args} failed with exit code {proc.returncode}")
    return json.loads(out.strip().splitlines()[-1]), peak_main, peak_tree


def write_config(folder: Path, base: str, prefix: str, feeds: int, receiver: str, concurrency: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("rules.toml", "tallies.toml"):
        shutil.copy(ROOT / "config" / name, folder / name)
    lines = [
        "[storage]",
        'path = "monitor.db"',
        "[alerts]",
        "max_age_days = 0",
        "[schedule]",
        'digest = ""',
        "[fetch]",
        f"concurrency = {concurrency}",
        "timeout_seconds = 60",
    ]
    for f in range(feeds):
        # Every item of the world is news: no silent first poll (catch_up) for these feeds.
        lines += ["[[feeds]]", f'name = "outlet {f}"', f'url = "{base}/{prefix}/{f}.xml"', "catch_up = false"]
    if receiver:
        lines += ["[[notifiers]]", f'url = "{receiver}"', 'name = "bench"']
    path = folder / "monitor.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def start_up(tmp: Path, rounds: int) -> dict[str, list[float]]:
    """Seconds from spawning `python -m monitor poll` to its first request, on a one-feed config and a new
    store each time, with the modules' bytecode written beforehand to a cache of its own (with_bytecode);
    a first, untimed round makes the kept store; interleaved, the same with every module compiled from source at every start,
    and with bytecode on the store the last poll left (cron's polls after the first)."""
    first: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            first.append(time.time())
            body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    compiled = with_bytecode(tmp / "startup" / "bytecode")
    from_source = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"} | {"PYTHONDONTWRITEBYTECODE": "1"}
    new, kept = (
        write_config(tmp / "startup", base, "feed", 1, "", 8),
        write_config(tmp / "kept", base, "feed", 1, "", 8),
    )
    runs = {
        "start-up to first fetch (s)": (new, compiled),
        "  modules compiled at every start (s)": (new, from_source),
        "  the store its last poll left (s)": (kept, compiled),
    }
    times: dict[str, list[float]] = {name: [] for name in runs}
    for round_ in range(rounds + 1):
        for name, (config, env) in runs.items() if round_ % 2 else reversed(runs.items()):
            first.clear()
            if config == new:
                (config.parent / "monitor.db").unlink(missing_ok=True)
            spawned = time.time()
            subprocess.run(
                [sys.executable, "-m", "monitor", "--config", str(config), "poll"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
                env=env,
            )
            if round_:  # the first round makes the kept store
                times[name].append(first[0] - spawned)
    server.shutdown()
    return times


def machine_speed() -> str:
    """This machine's pace now, to read the figures that are not ratios (per item, start-up) by: these
    machines are shared, and the same code's figures moved by a third from one hour to the next."""
    started = time.process_time()
    total = 0
    for n in range(10_000_000):
        total += n
    return f"a loop of 10 million additions took {time.process_time() - started:.2f} s of CPU"


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=5, help="interleaved repetitions (5 or more for figures)")
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=20, help="new articles per feed")
    parser.add_argument("--concurrency", type=int, default=8, help="fetch.concurrency of the monitor and the floor")
    parser.add_argument("--warm-rounds", type=int, default=5)
    parser.add_argument("--start-up-only", action="store_true", help="measure start-up to first fetch alone")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve_world(args.feeds, args.items)
    if args.run:
        what, *rest = args.run
        if what == "monitor":
            result = run_monitor(rest[0])
        elif what == "floor":
            result = run_floor(rest[0], int(rest[1]), int(rest[2]), int(rest[3]))
        else:
            result = run_full_text(rest[0], rest[1], int(rest[2]), int(rest[3]), int(rest[4]))
        print(json.dumps(result), flush=True)
        return
    if args.start_up_only:
        with tempfile.TemporaryDirectory() as tmp_name:
            rows = start_up(Path(tmp_name), max(args.reps, 5))
        print(
            f"median (min-max) of {max(args.reps, 5)} rounds; load average now {os.getloadavg()[0]:.1f}; {machine_speed()}"
        )
        for name, values in rows.items():
            print(f"  {name:<42} {spread(values, '{:.3f}')}")
        return
    if not PAGES.is_dir():
        print(f"{PAGES} is not beside this clone: the benchmark's pages come from there; nothing measured")
        return
    if args.reps < 5:
        print(f"note: {args.reps} repetitions; the figures for the README take 5 or more")

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--feeds", str(args.feeds), "--items", str(args.items)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    base = server.stdout.readline().strip()
    receiver = Receiver()
    rows: dict[str, list[float]] = {}

    def add(name: str, value: float) -> None:
        rows.setdefault(name, []).append(value)

    items = args.feeds * args.items
    print(
        f"world: {args.feeds} feeds x {args.items} new articles at {base}; {os.cpu_count()} cores; "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = with_bytecode(tmp / "bytecode")
        for rep in range(args.reps):
            runs = {}
            for which in ("monitor", "floor") if rep % 2 == 0 else ("floor", "monitor"):
                if which == "monitor":
                    shutil.rmtree(tmp / "cold", ignore_errors=True)
                    config = write_config(tmp / "cold", base, "feed", args.feeds, receiver.url, args.concurrency)
                    receiver.reset()
                    runs[which] = measured(["--run", "monitor", str(config)], env)
                    runs[which][0]["first_alert"] = (receiver.first or float("nan")) - runs[which][0]["start"]
                else:
                    runs[which] = measured(["--run", "floor", base, str(args.feeds), str(args.concurrency), "2"], env)
            (mon, mon_main, mon_tree), (floor, _, floor_tree) = runs["monitor"], runs["floor"]
            if mon["items"] != items or mon["failed"]:
                sys.exit(f"the monitor stored {mon['items']} of {items} items, {mon['failed']} feeds failed")
            add("wall, monitor (s)", mon["wall"])
            add("wall, floor (s)", floor["wall"])
            add("wall ratio to the floor", mon["wall"] / floor["wall"])
            add("CPU ratio to the floor", mon["cpu"] / floor["cpu"])
            add("cores used, monitor", mon["cpu"] / mon["wall"])
            add("cores used, floor", floor["cpu"] / floor["wall"])
            add("first alert after (s)", mon["first_alert"])
            # A quarter of the articles report an attack, each a story of its own: one alert each.
            add("alerts queued", mon["queued"])
            add("alerts delivered", mon["alerts"])
            add("peak RSS, main process (MB)", mon["maxrss_mb"])
            add("peak PSS, main process (MB)", mon_main)
            add("peak PSS, process tree (MB)", mon_tree)
            add("peak PSS, floor's tree (MB)", floor_tree)

            shutil.rmtree(tmp / "full", ignore_errors=True)
            config = write_config(tmp / "full", base, "full", args.feeds, receiver.url, args.concurrency)
            full, _, _ = measured(
                ["--run", "full", str(config), base, str(args.feeds), str(args.concurrency), str(args.warm_rounds)], env
            )
            add("per item without extraction, wall (ms)", full["wall"] / full["items"] * 1000)
            add("per item without extraction, CPU (ms)", full["cpu"] / full["items"] * 1000)
            add("warm cycle, all 304 (s)", full["warm"])
            add("warm ratio to a bare httpx client", full["warm"] / full["bare"])
            print(
                f"rep {rep + 1}: monitor {mon['wall']:.1f} s, floor {floor['wall']:.1f} s, "
                f"first alert {mon['first_alert']:.1f} s, per item {rows['per item without extraction, wall (ms)'][-1]:.2f} ms",
                flush=True,
            )
        # Memory must not grow with the size of a cycle: the same cycle on half the feeds, once.
        shutil.rmtree(tmp / "half", ignore_errors=True)
        config = write_config(tmp / "half", base, "feed", args.feeds // 2, receiver.url, args.concurrency)
        half, half_main, half_tree = measured(["--run", "monitor", str(config)], env)
        rows[f"peak RSS, main process, {half['items']} articles (MB)"] = [half["maxrss_mb"]]
        rows[f"peak PSS, process tree, {half['items']} articles (MB)"] = [half_tree]
        rows |= start_up(tmp, max(args.reps, 5))
    server.stdin.close()
    server.wait()

    print(
        f"\nmedian (min-max) of {args.reps} interleaved repetitions; load average now {os.getloadavg()[0]:.1f}; "
        + machine_speed()
    )
    for name, values in rows.items():
        print(f"  {name:<42} {spread(values)}")


if __name__ == "__main__":
    main()
