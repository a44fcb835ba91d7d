"""The loopback world of dedupe_scale.py --cycle, and the measured `monitor poll` run in it.

    python benchmarks/poll_world.py poll|cycle CONFIG     (what dedupe_scale.py spawns: one `monitor poll`,
                                                            or one cycle as the daemon runs it; its costs as JSON)

The world serves a batch of new articles as RSS feeds and article pages. Each page is a real page of
../shared/fixtures/real-html/ with its own paragraphs taken out and the article's paragraphs put in
their place; the rest of the page (navigation, headings, scripts) keeps its markup, with a code word
of its own woven into every text run, so two pages made from one fixture share nothing by accident
and extraction does a real page's work. A json:// receiver on loopback counts the alerts delivered.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import sys
import threading
import time
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT.parent / "shared" / "fixtures" / "real-html"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from cycle import attack_sentence, varied_page  # noqa: E402

_PARAGRAPH = re.compile(r"(?is)<p\b[^>]*>.*?</p>")


def article_page(template: str, k: int, title: str, paragraphs: list[str]) -> str:
    """The fixture page with the article's paragraphs where its own first paragraph was."""
    slot = "<!--article-body-->"
    emptied = _PARAGRAPH.sub("", _PARAGRAPH.sub(slot, template, count=1))
    if slot not in emptied:
        emptied = emptied.replace("</body>", slot + "</body>")
    page = varied_page(emptied, k, False)  # the code word goes into the fixture's text, not the article's
    body = f"<h1>{escape(title)}</h1>" + "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return page.replace(slot, body, 1)


def build_routes(texts: list[str], feeds: int, published: datetime, base: str) -> dict[str, bytes]:
    """path -> body: /feed/F.xml with links to /page/F/J.html, the texts dealt over the feeds in turn."""
    templates = [p.read_text(errors="replace") for p in sorted(PAGES.glob("*.html"))]
    routes: dict[str, bytes] = {}
    entries: list[list[str]] = [[] for _ in range(feeds)]
    for k, text in enumerate(texts):
        f, j = k % feeds, k // feeds
        title = f"Dispatch {k} from wire {f}"
        paragraphs = text.split("\n")
        if k % 4 == 0:  # a quarter report an attack, so alerts are decided and delivered as in a real poll
            paragraphs[0] += " " + attack_sentence(k)
        routes[f"/page/{f}/{j}.html"] = article_page(templates[k % len(templates)], k, title, paragraphs).encode()
        entries[f].append(
            f'<item><title>{escape(title)}</title><guid isPermaLink="false">new-{k}</guid>'
            f"<pubDate>{format_datetime(published + timedelta(minutes=k))}</pubDate>"
            f"<link>{base}/page/{f}/{j}.html</link><description>{escape(title)}: a summary.</description></item>"
        )
    for f, items in enumerate(entries):
        routes[f"/feed/{f}.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Wire {f}</title><link>{base}/</link><description>News</description>"
            + "\n".join(items)
            + "</channel></rss>"
        ).encode()
    return routes


class World:
    """The feeds and pages on one loopback server, and a json:// receiver on another, in threads."""

    def __init__(self, texts: list[str], feeds: int, published: datetime):
        self.alerts = 0
        world = self

        class Pages(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = world.routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/rss+xml" if self.path.endswith(".xml") else "text/html")
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        class Alerts(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                world.alerts += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.servers = [ThreadingHTTPServer(("127.0.0.1", 0), Pages), ThreadingHTTPServer(("127.0.0.1", 0), Alerts)]
        for server in self.servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.servers[0].server_address[1]}"
        self.receiver = f"json://127.0.0.1:{self.servers[1].server_address[1]}/"
        self.feeds = feeds
        self.routes = build_routes(texts, feeds, published, self.base)

    def write_config(self, folder: Path, store: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("rules.toml", "tallies.toml"):
            shutil.copy(ROOT / "config" / name, folder / name)
        lines = [
            "[storage]",
            f'path = "{store}"',
            "[alerts]",
            "max_age_days = 0",  # the articles are dated in the store's past, and must still alert
            "[schedule]",
            'digest = ""',
            "[fetch]",
            "timeout_seconds = 60",
        ]
        for f in range(self.feeds):
            # Every item is news: no silent first poll (catch_up) for these feeds.
            lines += ["[[feeds]]", f'name = "wire {f}"', f'url = "{self.base}/feed/{f}.xml"', "catch_up = false"]
        lines += ["[[notifiers]]", f'url = "{self.receiver}"', 'name = "bench"']
        path = folder / "monitor.toml"
        path.write_text("\n".join(lines) + "\n")
        return path

    def close(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


def cpu_seconds() -> float:
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def poll(config: str) -> dict[str, float]:
    """`monitor poll` in this process, as cron runs it; the CPU time includes the extraction workers."""
    from monitor.cli import cli

    started, cpu = time.perf_counter(), cpu_seconds()
    try:
        cli.main(["--config", config, "-q", "poll"], prog_name="monitor", standalone_mode=False)
    except SystemExit as e:
        if e.code:
            raise
    return reaped(started, cpu)


def daemon_cycle(config_path: str) -> dict[str, float]:
    """One cycle as `monitor run` makes each of its own: the store's lock and its integrity check were
    taken once when the daemon started, so a cycle opens the store and runs."""
    from monitor.config import load_config
    from monitor.notify import Notifiers
    from monitor.pipeline import run_cycle
    from monitor.store import Store

    config = load_config(config_path)
    notifiers = Notifiers(config.notifiers, config=config)
    started, cpu = time.perf_counter(), cpu_seconds()
    with Store(config.store_path) as store:
        run_cycle(config, store, notifiers)
    return reaped(started, cpu)


def reaped(started: float, cpu: float) -> dict[str, float]:
    from multiprocessing import forkserver

    # The workers are children of the fork server: their CPU time is counted once it is stopped and reaped.
    forkserver._forkserver._stop()  # type: ignore[attr-defined]
    return {"wall": time.perf_counter() - started, "cpu": cpu_seconds() - cpu}


if __name__ == "__main__":
    print(json.dumps((poll if sys.argv[1] == "poll" else daemon_cycle)(sys.argv[2])), flush=True)
