"""A feed that keeps failing is polled less and less often, raises one [ops] alert, and one more when it recovers."""

from __future__ import annotations

from datetime import timedelta

from builders import JORDAN_DRONE, Clock, at, page, rss
from conftest import write_config

from monitor.config import load_config
from monitor.notify import Notifiers
from monitor.pipeline import run_cycle
from monitor.settle import backoff
from monitor.store import Store


def test_waits_double_up_to_the_cap():
    waits = [backoff(n, 900, 6 * 3600) for n in range(1, 8)]

    assert waits == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
        timedelta(hours=2),
        timedelta(hours=4),
        timedelta(hours=6),
        timedelta(hours=6),
    ]


def test_a_failing_feed_backs_off_alerts_once_and_once_more_when_it_recovers(tmp_path, web, receiver):
    web.serve("/feed.xml", "down", status=503)
    config = load_config(
        write_config(
            tmp_path,
            [("Flaky", web.url("/feed.xml"))],
            [{"url": receiver.url, "events": ["ops"]}],
            settings={"alerts": {"ops_after_failures": 3}, "schedule": {"poll_interval_seconds": 900}},
        )
    )
    store = Store(config.store_path)
    notifiers = Notifiers(config.notifiers, config=config)
    clock = Clock(at("2024-02-05T00:00:00"))
    statuses = []
    for _ in range(12):  # one cycle every 15 minutes for 3 hours
        report = run_cycle(config, store, notifiers, clock)
        statuses.append(report.outcomes[0].status)
        clock.now += timedelta(seconds=900)

    # Failures 1 and 2 are retried at the next cycle, then 1, then 3 cycles are skipped, ...
    assert statuses == [
        "failed",
        "failed",
        "backing-off",
        "failed",
        "backing-off",
        "backing-off",
        "backing-off",
        "failed",
        "backing-off",
        "backing-off",
        "backing-off",
        "backing-off",
    ]
    assert receiver.titles == ["[ops] Feed failing: Flaky (3 failures in a row)"]
    assert "HTTP 503" in receiver.received[0]["message"]

    web.serve(
        "/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml"
    )
    clock.now += timedelta(hours=6)
    report = run_cycle(config, store, notifiers, clock)

    assert report.outcomes[0].status == "updated"
    assert receiver.titles[1] == "[ops] Feed recovered: Flaky"
    assert "after 4 failures in a row since 2024-02-05T00:00:00+00:00" in receiver.received[1]["message"]
    assert store.feed_state("Flaky").consecutive_failures == 0
    store.close()
