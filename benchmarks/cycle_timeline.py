"""One cycle's timeline: when each stage of each feed began and ended, and which thread spent the
monitor's CPU. What aimed session 7's work on benchmarks/cycle.py's per-item figure.

    python benchmarks/cycle_timeline.py [--world full|pages] [--feeds 100] [--items 20] [--runs 1]

The world is cycle.py's (its server, in a process of its own): "full", the feeds carry the full
text (cycle.py's per-item figure), or "pages", the cold world with a page per item. Alerts go to a
json:// receiver in a process of its own, as in cycle.py, so its work does not show as the
monitor's. The cycle runs in this process, on a fresh store, with these stages timed by wrapping
them (a few microseconds each): reading a feed (Workers.read_feed), analysing a feed's texts
(Workers.analyse_many), storing a feed (settle.settle, in the writer's thread), claiming a
round's alerts and sending one. It prints, for each, how many, the first start, the first and
last end and the summed time; the alerts sent before the last feed was stored; and the CPU time of
the writer and courier threads, of the threads that send (apprise runs each send in ours), and of
the event loop's thread. Wall and CPU are printed per run; compare runs of one invocation, not across hours.
The first run also writes the bytecode of what loads late (apprise's plugins, at the first alert):
take --runs 2 or more and read the later ones.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cycle


def receive() -> None:
    """--receive: cycle.py's json:// receiver, in a process of its own; prints its URL, then serves."""
    print(cycle.Receiver().url, flush=True)
    threading.Event().wait()


class Timeline:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        self.cpu: Counter[str] = Counter()

    def span(self, stage: str, began: float) -> None:
        self.spans[stage].append((began - self.started, time.perf_counter() - self.started))

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.span(stage, began)

        setattr(owner, name, timed)

    def wrap_async(self, owner: Any, name: str, stage: str) -> None:
        original = getattr(owner, name)

        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.span(stage, began)

        setattr(owner, name, timed)

    def thread_cpu(self, owner: Any, name: str, label: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            began = time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.cpu[label] += time.thread_time() - began

        setattr(owner, name, counted)


def run(world: str, feeds: int, items: int, base: str, receiver: str, folder: Path) -> None:
    from monitor import notify, pipeline, store, workers, writer
    from monitor.config import load_config

    timeline = Timeline()
    timeline.wrap_async(workers.Workers, "read_feed", "read a feed")
    timeline.wrap_async(workers.Workers, "analyse_many", "analyse its texts")
    timeline.wrap(pipeline, "settle", "store a feed")
    timeline.wrap(store.Store, "claim_alerts", "claim a round")
    timeline.wrap(notify.Notifiers, "within_deadline", "send an alert")
    timeline.thread_cpu(writer.Writer, "_serve", "writer thread")
    timeline.thread_cpu(writer.Courier, "_run", "courier thread")
    timeline.thread_cpu(notify.Notifiers, "send", "our send threads")

    config = load_config(cycle.write_config(folder, base, "full" if world == "full" else "feed", feeds, receiver, 8))
    with store.Store(config.store_path) as kept:
        notifiers = notify.Notifiers(config.notifiers, config=config)
        loop_cpu, cpu = time.thread_time(), time.process_time()
        timeline.started = time.perf_counter()
        report = pipeline.run_cycle(config, kept, notifiers)
        wall = time.perf_counter() - timeline.started
        cpu = time.process_time() - cpu
        timeline.cpu["event loop's thread"] = time.thread_time() - loop_cpu
    print(
        f"wall {wall:.2f} s, this process's CPU {cpu:.2f} s; {report.new_items} items, {report.alerts_sent} alerts sent"
    )
    print(f"  {'stage':<18} {'count':>5} {'first start':>12} {'first end':>10} {'last end':>9} {'summed':>8}")
    for stage, spans in timeline.spans.items():
        print(
            f"  {stage:<18} {len(spans):>5} {min(a for a, _ in spans):>12.3f} {min(b for _, b in spans):>10.3f}"
            f" {max(b for _, b in spans):>9.3f} {sum(b - a for a, b in spans):>8.2f}"
        )
    stored = timeline.spans.get("store a feed")
    if stored and timeline.spans.get("send an alert"):
        last = max(b for _, b in stored)
        early = sum(1 for _, b in timeline.spans["send an alert"] if b <= last)
        print(f"  alerts sent before the last feed was stored: {early}")
    print("  thread CPU: " + ", ".join(f"{label} {seconds:.2f} s" for label, seconds in timeline.cpu.most_common()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--world", choices=("full", "pages"), default="full")
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--receive", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--run", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.receive:
        return receive()
    if args.run:
        world, base, receiver, feeds, folder = args.run
        return run(world, int(feeds), args.items, base, receiver, Path(folder))
    if not cycle.PAGES.is_dir():
        print(f"{cycle.PAGES} is not beside this clone: the world's pages come from there; nothing measured")
        return
    server = subprocess.Popen(
        [sys.executable, cycle.__file__, "--serve", "--feeds", str(args.feeds), "--items", str(args.items)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    receiver = subprocess.Popen([sys.executable, __file__, "--receive"], stdout=subprocess.PIPE, text=True)
    try:
        base = server.stdout.readline().strip() if server.stdout else ""
        url = receiver.stdout.readline().strip() if receiver.stdout else ""
        with TemporaryDirectory() as tmp:
            env = cycle.with_bytecode(Path(tmp) / "bytecode")
            for n in range(args.runs):
                folder = Path(tmp) / f"run{n}"
                command = [sys.executable, __file__, "--items", str(args.items), "--run", args.world, base]
                command += [url, str(args.feeds), str(folder)]
                subprocess.run(command, env=env, check=True)
    finally:
        receiver.kill()
        if server.stdin:
            server.stdin.close()
        server.wait()


if __name__ == "__main__":
    threading.current_thread().name = "event loop"
    main()
