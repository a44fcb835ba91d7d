"""`monitor browse` in a real headless browser: datasette on a store built by a poll, the latest
reports page loaded in Debian's Chromium. .ci/run installs both; elsewhere the test says what is missing."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from builders import JORDAN_DRONE, KH_STRIKES, STEPS, page, rss
from conftest import free_port, write_config

from monitor.browse import have_datasette

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

needs_browser = [
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (.ci/run installs the Debian package)"),
    pytest.mark.skipif(
        not have_datasette(), reason='datasette is not installed: pip install -e ".[browse]" (.ci/run does)'
    ),
]


def in_browser(test):
    for mark in needs_browser:
        test = mark(test)
    return test


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)  # the server is starting in another process; nothing here reads the clock for logic
    raise AssertionError(f"monitor browse did not listen on {port} within {seconds} s")


@pytest.fixture
def browsing(tmp_path, web, run_monitor):
    stories = [STEPS[3], STEPS[5], JORDAN_DRONE, KH_STRIKES]
    web.serve(
        "/wire.xml",
        rss([(s, web.serve(f"/wire/{s.slug}", page(s))) for s in stories]),
        content_type="application/rss+xml",
    )
    config = write_config(tmp_path, [("Wire", web.url("/wire.xml"))])
    assert "4 new items" in run_monitor(config, "poll").output
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "browse", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Stopping the monitor stops datasette too: nothing serves the store after it.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()


def dump_dom(url: str) -> str:
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@in_browser
def test_the_latest_reports_page_shows_the_stored_reports(browsing):
    dom = dump_dom(f"{browsing}/monitor/latest_reports")

    assert "Latest reports" in dom
    assert "Attacks on US forces reach 169" in dom and "Drone kills three American soldiers at base in Jordan" in dom
    assert dom.index("Attacks on US forces reach 169") < dom.index("US strikes back after 103rd attack")  # newest first


@in_browser
def test_an_item_page_links_its_story_and_the_store_takes_no_writes(browsing):
    items = json.load(urllib.request.urlopen(f"{browsing}/monitor/items.json?_shape=array&title__contains=169"))
    item_id, story_id = items[0]["id"], items[0]["story_id"]
    listed = dump_dom(f"{browsing}/monitor/items?id={item_id}")
    row = dump_dom(f"{browsing}/monitor/items/{item_id}")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{browsing}/monitor.json?sql=DELETE+FROM+items")

    assert (
        f'href="/monitor/stories/{story_id}"' in listed and 'href="/monitor/feeds/Wire"' in listed
    )  # foreign keys as links
    assert f'href="/monitor/tally_reports?item_id={item_id}"' in row  # what the item caused, linked back
    assert f'href="/monitor/alerts?item_id={item_id}"' in row
    assert refused.value.code == 400 and "SELECT" in json.load(refused.value)["error"]
    facets = json.load(urllib.request.urlopen(f"{browsing}/monitor/items.json"))["facet_results"]
    assert {"categories", "feed"} <= set(facets)


def test_without_datasette_the_command_says_how_to_get_it(tmp_path, run_monitor):
    """A datasette that cannot be imported stands in for one not installed (this environment has it)."""
    shadow = tmp_path / "shadow" / "datasette"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed here')\n")
    config = write_config(tmp_path, [])
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "shadow")}

    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "browse"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )

    assert result.returncode == 1
    assert "datasette is not installed" in result.stderr and ".[browse]" in result.stderr
    assert "Serving" not in result.stderr


@in_browser
def test_the_canned_queries_answer_on_a_polled_store(browsing):
    def rows(path):
        return json.load(urllib.request.urlopen(f"{browsing}/monitor/{path}"))

    latest = rows("latest_reports.json?_shape=array")
    jordan = next(r for r in latest if r["title"] == JORDAN_DRONE.title)
    outlets = rows(f"story_outlets.json?_shape=array&story_id={jordan['story_id']}")
    series = rows("tally_series.json?_shape=array")
    failing = rows("failing_feeds.json?_shape=array")

    assert [(o["outlet"], o["items"]) for o in outlets] == [("Wire", 1)]
    assert [(s["series"], s["figure"], s["verdict"]) for s in series] == [
        ("2023-10-17 total", 103, "new-series"),
        ("2023-10-17 total", 169, "rise"),
    ]
    assert failing == []
