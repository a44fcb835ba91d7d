"""A feed's first poll catches up silently: its back catalogue and current figures are stored without a
burst of alerts, and the next new report alerts as usual. `poll --force` polls feeds that are backing off.
A feed can have its own poll interval, and the digest schedule takes crontab's nicknames."""

from __future__ import annotations

from datetime import date, timedelta

from builders import JORDAN_DRONE, KH_STRIKES, STEPS, Clock, page, rss
from conftest import write_config

from monitor.config import load_config
from monitor.notify import Notifiers
from monitor.pipeline import run_cycle
from monitor.models import SeriesKey
from monitor.store import Store


def publish(web, path, stories):
    web.serve(
        path, rss([(s, web.serve(f"/news/{s.slug}", page(s))) for s in stories]), content_type="application/rss+xml"
    )


def test_a_new_feed_catches_up_with_no_alert_then_alerts_once_on_its_next_new_report(tmp_path, web, receiver):
    publish(web, "/feed.xml", [STEPS[0], STEPS[1], STEPS[3], KH_STRIKES])  # reports and three figures of one series
    config = load_config(
        write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url}], catch_up=True)
    )
    store, notifiers = Store(config.store_path), Notifiers(config.notifiers, config=config)
    clock = Clock("2024-02-01T06:00:00")

    first = run_cycle(config, store, notifiers, clock)

    assert receiver.received == [] and first.alerts_created == 0
    assert first.outcomes[0].caught_up and first.outcomes[0].new_items == 4
    assert (
        store.series_high(SeriesKey(date(2023, 10, 17), "total")).count == 103
    )  # the series starts from the current figure

    publish(web, "/feed.xml", [STEPS[0], STEPS[1], STEPS[3], KH_STRIKES, JORDAN_DRONE])
    clock.now = clock.now.replace(hour=7)
    second = run_cycle(config, store, notifiers, clock)

    assert not second.outcomes[0].caught_up
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    store.close()


def test_a_feed_added_later_catches_up_while_the_others_alert(tmp_path, web, receiver):
    publish(web, "/old.xml", [])
    config_path = write_config(
        tmp_path, [("Old", web.url("/old.xml"))], [{"url": receiver.url, "events": ["report"]}], catch_up=True
    )
    config = load_config(config_path)
    store, notifiers = Store(config.store_path), Notifiers(config.notifiers, config=config)
    run_cycle(config, store, notifiers, Clock("2024-02-01T06:00:00"))

    publish(web, "/old.xml", [JORDAN_DRONE])
    publish(web, "/new.xml", [KH_STRIKES])
    config = load_config(
        write_config(
            tmp_path,
            [("Old", web.url("/old.xml")), ("New", web.url("/new.xml"))],
            [{"url": receiver.url, "events": ["report"]}],
            catch_up=True,
        )
    )
    report = run_cycle(config, store, notifiers, Clock("2024-02-01T07:00:00"))

    assert [(o.feed, o.caught_up) for o in report.outcomes] == [("Old", False), ("New", True)]
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    store.close()


def test_poll_catch_up_stores_every_feed_silently(tmp_path, web, receiver, run_monitor):
    publish(web, "/feed.xml", [])
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url}])  # catch_up = false
    run_monitor(config, "poll")
    publish(web, "/feed.xml", [JORDAN_DRONE, KH_STRIKES])

    result = run_monitor(config, "poll", "--catch-up")

    assert result.exit_code == 0
    assert "caught up: Wire: 2 items stored without alerts" in result.output
    assert receiver.received == []


def test_poll_force_tries_a_feed_that_is_backing_off(tmp_path, web, run_monitor):
    web.serve("/feed.xml", "down", status=503)
    config = write_config(
        tmp_path, [("Wire", web.url("/feed.xml"))], settings={"schedule": {"poll_interval_seconds": 900}}
    )
    run_monitor(config, "poll")
    run_monitor(config, "poll")  # two failures: the feed now waits two intervals
    publish(web, "/feed.xml", [JORDAN_DRONE])

    waiting = run_monitor(config, "poll")
    forced = run_monitor(config, "poll", "--force")

    assert "backing off: Wire" in waiting.output and "poll --force tries it now" in waiting.output
    assert "1 updated" in forced.output and "1 new items" in forced.output


def test_a_feed_with_its_own_interval_is_polled_only_when_that_has_passed(tmp_path, web, receiver):
    publish(web, "/fast.xml", [])
    publish(web, "/slow.xml", [])
    path = write_config(
        tmp_path,
        [("Fast", web.url("/fast.xml")), ("Slow", web.url("/slow.xml"))],
        settings={"schedule": {"poll_interval_seconds": 900}},
    )
    path.write_text(path.read_text().replace('name = "Slow"', 'name = "Slow"\npoll_interval_seconds = 3600'))
    config = load_config(path)
    store, notifiers = Store(config.store_path), Notifiers(config.notifiers, config=config)
    clock = Clock("2024-02-01T06:00:00")
    statuses = []
    for _ in range(5):  # a cycle every 15 minutes for an hour
        statuses.append({o.feed: o.status for o in run_cycle(config, store, notifiers, clock).outcomes}["Slow"])
        clock.now += timedelta(seconds=900)

    assert statuses == ["updated", "not-due", "not-due", "not-due", "updated"]
    assert config.cycle_seconds == 900
    store.close()


def test_digest_schedule_takes_crontab_nicknames(tmp_path):
    path = write_config(tmp_path, [], settings={"schedule": {"digest": "@weekly"}})

    assert load_config(path).settings.schedule.digest == "0 0 * * 0"
