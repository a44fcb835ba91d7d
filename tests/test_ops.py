"""What operators rely on: health, status, and the daemon started, stopped and restarted for real."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import sqlite_utils
from builders import JORDAN_DRONE, page, rss
from conftest import write_config

from monitor.health import check_health
from monitor.store import Store


def test_health_needs_a_recent_completed_cycle(tmp_path):
    path = tmp_path / "monitor.db"
    now = datetime(2024, 2, 5, 12, 0, tzinfo=timezone.utc)
    assert not check_health(path, 900, now).ok  # no store yet

    store = Store(path)
    cycle = store.start_cycle(now - timedelta(minutes=40))
    store.finish_cycle(cycle, now - timedelta(minutes=39), feeds_ok=1, feeds_not_modified=0, feeds_failed=0,
                       items_new=0, alerts_created=0, alerts_sent=0, alerts_pending=0)
    store.close()

    stale = check_health(path, 900, now)
    assert not stale.ok and "more than twice the poll interval" in stale.reason
    assert check_health(path, 900, now - timedelta(minutes=20)).ok


def test_health_fails_when_the_store_takes_no_writes(tmp_path):
    path = tmp_path / "monitor.db"
    now = datetime(2024, 2, 5, 12, 0, tzinfo=timezone.utc)
    store = Store(path)
    store.finish_cycle(store.start_cycle(now), now, feeds_ok=0, feeds_not_modified=0, feeds_failed=0,
                       items_new=0, alerts_created=0, alerts_sent=0, alerts_pending=0)
    store.close()
    os.chmod(path, 0o444)
    os.chmod(tmp_path, 0o555)
    try:
        result = check_health(path, 900, now)
    finally:
        os.chmod(tmp_path, 0o755)
        os.chmod(path, 0o644)
    if os.geteuid() != 0:  # root writes through file modes; the check is then only that it answers
        assert not result.ok and "writes" in result.reason
    else:
        assert isinstance(result.ok, bool) and result.reason


def test_status_shows_feeds_failures_and_pending_alerts(tmp_path, web, receiver, run_monitor):
    web.serve("/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml")
    web.serve("/down.xml", "no", status=500)
    receiver.status = 500
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml")), ("Down", web.url("/down.xml"))], [{"url": receiver.url, "name": "desk"}])
    run_monitor(config, "poll")

    result = run_monitor(config, "status")

    assert "Wire: 1 items, last success 20" in result.output
    assert "Down: 0 items, last success never, FAILING 1 in a row" in result.output and "HTTP 500" in result.output
    assert "Pending alerts: 1" in result.output and f"desk: [report] {JORDAN_DRONE.title}" in result.output
    assert "Last digest: none" in result.output
    assert "Last cycle: started" in result.output and "1 updated" in result.output


def _daemon(config, log_path):
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "run"],
        stdout=open(log_path, "ab"), stderr=subprocess.STDOUT,
    )


def _wait(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)  # waiting on another process, which has no clock we can pass
    return False


def test_the_daemon_polls_stays_healthy_stops_on_sigterm_and_delivers_after_restart(tmp_path, web, receiver, run_monitor):
    web.serve("/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml",
              etag='"1"')
    receiver.status = 500  # the notifier is down while the daemon first runs
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url, "name": "desk"}],
                          settings={"schedule": {"poll_interval_seconds": 60}})
    db = sqlite_utils.Database(tmp_path / "monitor.db")
    log = tmp_path / "daemon.log"

    daemon = _daemon(config, log)
    try:
        assert _wait(lambda: (tmp_path / "monitor.db").exists() and db["cycles"].exists()
                     and db.execute("SELECT COUNT(*) FROM cycles WHERE finished_at IS NOT NULL").fetchone()[0] >= 1)
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
        assert _wait(lambda: len(receiver.received) == 1)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    assert "monitor stopped" in log.read_text()


def test_the_daemon_sends_one_catch_up_digest_at_start_for_slots_it_missed(tmp_path, web, receiver):
    web.serve("/feed.xml", rss([]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url, "name": "desk", "events": ["digest"]}],
                          settings={"schedule": {"poll_interval_seconds": 60, "digest": "0 7 * * *"}})
    store = Store(tmp_path / "monitor.db")
    three_days_ago = datetime.now(timezone.utc).replace(hour=7, minute=0, second=0, microsecond=0) - timedelta(days=3)
    store.record_digest(three_days_ago - timedelta(days=1), three_days_ago, three_days_ago, 0, None)
    store.close()
    log = tmp_path / "daemon.log"

    daemon = _daemon(config, log)
    try:
        assert _wait(lambda: len(receiver.received) >= 1)
        daemon.send_signal(signal.SIGTERM)
        assert daemon.wait(timeout=10) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()

    assert len(receiver.received) == 1
    assert receiver.titles[0].startswith(f"[digest] Nothing new, {three_days_ago:%Y-%m-%d} 07:00 UTC to ")
    db = sqlite_utils.Database(tmp_path / "monitor.db")
    assert db["digests"].count == 2
