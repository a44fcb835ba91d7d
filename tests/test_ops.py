"""What operators rely on: health, status, and the daemon started, stopped and restarted for real."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from datetime import timedelta

import sqlite_utils
from builders import JORDAN_DRONE, at, page, rss
from conftest import read_only, write_config

from monitor.health import check_health
from monitor.store import CycleCounts, Store


def test_health_needs_a_recent_completed_cycle(tmp_path):
    path = tmp_path / "monitor.db"
    now = at("2024-02-05T12:00:00")
    assert not check_health(path, 900, now).ok  # no store yet

    store = Store(path)
    cycle = store.start_cycle(now - timedelta(minutes=40))
    store.finish_cycle(
        cycle,
        now - timedelta(minutes=39),
        CycleCounts(feeds_ok=1),
    )
    store.close()

    stale = check_health(path, 900, now)
    assert not stale.ok and "more than twice the poll interval" in stale.reason
    assert check_health(path, 900, now - timedelta(minutes=20)).ok


def test_health_fails_when_the_store_takes_no_writes(tmp_path):
    path = tmp_path / "monitor.db"
    now = at("2024-02-05T12:00:00")
    store = Store(path)
    store.finish_cycle(
        store.start_cycle(now),
        now,
        CycleCounts(),
    )
    store.close()

    with read_only(path):
        result = check_health(path, 900, now)

    assert not result.ok and "does not take writes" in result.reason, result.reason


def test_status_shows_feeds_failures_and_pending_alerts(tmp_path, web, receiver, run_monitor):
    web.serve(
        "/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml"
    )
    web.serve("/down.xml", "no", status=500)
    receiver.status = 500
    config = write_config(
        tmp_path,
        [("Wire", web.url("/feed.xml")), ("Down", web.url("/down.xml"))],
        [{"url": receiver.url, "name": "desk"}],
    )
    run_monitor(config, "poll")

    result = run_monitor(config, "status")

    assert "Wire: 1 item, last success 20" in result.output
    assert (
        "Down: 0 items, last success never, FAILING: 1 failure in a row" in result.output
        and "HTTP 500" in result.output
    )
    assert "Pending alerts: 1" in result.output and f"desk: [report] {JORDAN_DRONE.title}" in result.output
    assert "Last digest: none" in result.output
    assert "Last cycle: started" in result.output and "1 updated" in result.output


def _daemon(config, log_path):
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "run"],
        stdout=open(log_path, "ab"),
        stderr=subprocess.STDOUT,
    )


def _wait(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)  # waiting on another process, which has no clock we can pass
    return False


def test_the_daemon_polls_stays_healthy_stops_on_sigterm_and_delivers_after_restart(
    tmp_path, web, receiver, run_monitor
):
    web.serve(
        "/feed.xml",
        rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]),
        content_type="application/rss+xml",
        etag='"1"',
    )
    receiver.status = 500  # the notifier is down while the daemon first runs
    config = write_config(
        tmp_path,
        [("Wire", web.url("/feed.xml"))],
        [{"url": receiver.url, "name": "desk"}],
        settings={"schedule": {"poll_interval_seconds": 60}},
    )
    db = sqlite_utils.Database(tmp_path / "monitor.db")
    log = tmp_path / "daemon.log"

    daemon = _daemon(config, log)
    try:
        assert _wait(
            lambda: (
                (tmp_path / "monitor.db").exists()
                and db["cycles"].exists()
                and db.execute("SELECT COUNT(*) FROM cycles WHERE finished_at IS NOT NULL").fetchone()[0] >= 1
            )
        )
        assert run_monitor(config, "health").exit_code == 0
        started = time.monotonic()
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
        assert time.monotonic() - started < 10
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert receiver.received == [] and [a["status"] for a in db["alerts"].rows] == ["pending"]

    receiver.status = 200
    daemon = _daemon(config, log)
    try:
        assert receiver.wait_for(lambda r: len(r.received) == 1)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    assert "monitor stopped" in log.read_text()


def test_the_daemon_sends_one_catch_up_digest_at_start_for_slots_it_missed(tmp_path, web, receiver):
    web.serve("/feed.xml", rss([]), content_type="application/rss+xml")
    # The only slot is 07:00 on 29 February: the daemon owes the one that passed, and no new slot falls during
    # the run (a daily 07:00 slot did, for a run that straddled it).
    config = write_config(
        tmp_path,
        [("Wire", web.url("/feed.xml"))],
        [{"url": receiver.url, "name": "desk", "events": ["digest"]}],
        settings={"schedule": {"poll_interval_seconds": 60, "digest": "0 7 29 2 *"}},
    )
    store = Store(tmp_path / "monitor.db")
    last_end = at("2024-01-01T07:00:00")
    store.record_digest(last_end - timedelta(days=1), last_end, last_end, 0, None)
    store.close()
    log = tmp_path / "daemon.log"

    daemon = _daemon(config, log)
    try:
        assert receiver.wait_for(lambda r: len(r.received) >= 1)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()

    assert len(receiver.received) == 1
    assert re.fullmatch(r"\[digest\] Nothing new, 2024-01-01 07:00 UTC to \d{4}-02-29 07:00 UTC", receiver.titles[0]), (
        receiver.titles
    )
    db = sqlite_utils.Database(tmp_path / "monitor.db")
    assert db["digests"].count == 2
