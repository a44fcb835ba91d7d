"""The bounds of issue 11, measured on real processes against the tests' hostile loopback server:
peak memory of `monitor poll` on a gzip,gzip bomb, how long a poll takes beside a feed that sends
1 byte every 2 s (timeout 5 s), and how long `monitor run` takes to stop on SIGTERM mid-fetch.

    python benchmarks/fault_bounds.py
"""

import pathlib
import resource
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))
from builders import JORDAN_DRONE, KH_STRIKES, page, rss
from conftest import write_config
from hostile import gzip_bomb, plain, serve_hostile, trickle

site, close = serve_hostile()
tmp = pathlib.Path(tempfile.mkdtemp())
bomb = gzip_bomb(1024)
feed = site.route(
    "/bomb.xml", plain(bomb, content_type="application/rss+xml", headers={"Content-Encoding": "gzip, gzip"})
)
link = site.route("/news/jd", plain(page(JORDAN_DRONE)))
good = site.route("/good.xml", plain(rss([(JORDAN_DRONE, link)]), content_type="application/rss+xml"))
cfg = write_config(tmp / "a", [("Bomb", feed), ("Good", good)])
t = time.monotonic()
p = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), "poll"], capture_output=True, text=True)
print(
    "bomb: bytes sent",
    len(bomb),
    "peak RSS MiB",
    resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    "s",
    round(time.monotonic() - t, 1),
    p.stdout.splitlines()[-1][:80] if p.stdout else p.stderr[-300:],
)
slow = site.route("/slow.xml", trickle(rss([(KH_STRIKES, "http://127.0.0.1:9/x")]), every=2, stop=site.stop))
cfg = write_config(tmp / "b", [("Slow", slow), ("Good", good)], settings={"fetch": {"timeout_seconds": 5}})
t = time.monotonic()
p = subprocess.run([sys.executable, "-m", "monitor", "--config", str(cfg), "poll"], capture_output=True, text=True)
print(
    "slowloris 1 byte/2 s, timeout 5: poll took",
    round(time.monotonic() - t, 1),
    "s;",
    [line for line in p.stdout.splitlines() if "failed" in line][:2],
)
cfg = write_config(
    tmp / "c",
    [("Slow", slow), ("Good", good)],
    settings={"fetch": {"timeout_seconds": 300}, "schedule": {"digest": ""}},
)
d = subprocess.Popen(
    [sys.executable, "-m", "monitor", "--config", str(cfg), "run"],
    stdout=subprocess.PIPE,
    stderr=subprocess.PIPE,
    text=True,
)
time.sleep(6)
t = time.monotonic()
d.send_signal(signal.SIGTERM)
d.communicate(timeout=120)
print("SIGTERM mid-fetch: exited in", round(time.monotonic() - t, 2), "s, code", d.returncode)
close()
