"""Digests: the period since the last one, on one screen, by email (HTML with the chart) and in chat."""

from __future__ import annotations

from datetime import timedelta

from builders import JORDAN_DRONE, KH_STRIKES, STEPS, Clock, at, page, rss, tally_story
from conftest import write_config

from monitor.config import load_config
from monitor.notify import Notifiers
from monitor.pipeline import run_cycle, run_due_digest
from monitor.store import Store


def setup(tmp_path, web, notifiers, **settings):
    config = load_config(write_config(tmp_path, [("Wire", web.url("/feed.xml"))], notifiers, settings=settings or None))
    return config, Store(config.store_path), Notifiers(config.notifiers, config=config)


def publish(web, stories):
    web.serve(
        "/feed.xml",
        rss([(s, web.serve(f"/news/{s.slug}", page(s))) for s in stories]),
        content_type="application/rss+xml",
    )


def test_the_digest_reaches_mail_and_chat_with_its_period_only_and_the_chart(tmp_path, web, receiver, smtp):
    config, store, notifiers = setup(
        tmp_path, web, [{"url": receiver.url, "events": ["digest"]}, {"url": smtp.url, "events": ["digest"]}]
    )
    clock = Clock("2024-02-01T06:00:00")
    publish(web, [STEPS[0], JORDAN_DRONE])
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-02-01T07:00:00")
    run_due_digest(config, store, notifiers, clock)

    clock.now = at("2024-02-01T10:00:00")
    publish(web, [STEPS[0], JORDAN_DRONE, STEPS[1], KH_STRIKES])
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-02-02T07:00:30")
    run_due_digest(config, store, notifiers, clock)

    assert len(receiver.received) == 2 and len(smtp.messages) == 2
    chat = receiver.received[1]
    assert chat["title"].startswith(
        "[digest] 2 attack and 1 strike reports, 1 attack total moved, 2024-02-01 07:00 UTC to 2024-02-02 07:00 UTC"
    )
    assert KH_STRIKES.title in chat["message"] and STEPS[1].title in chat["message"]
    assert JORDAN_DRONE.title not in chat["message"]  # reported in the previous period
    assert "Attacks on US forces in Iraq, Syria and Jordan since 2023-10-17: 13 -> 23 (2023-10-30)" in chat["message"]
    mail = smtp.messages[1]
    html = next(part for part in mail.walk() if part.get_content_type() == "text/html").get_content()
    assert f">{KH_STRIKES.title}</a>" in html and "<h2>Attack totals that moved</h2>" in html
    charts = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert len(charts) == 1 and charts[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
    store.close()


def test_a_restart_right_after_a_digest_sends_no_second_one(tmp_path, web, receiver):
    config, store, notifiers = setup(tmp_path, web, [{"url": receiver.url, "events": ["digest"]}])
    publish(web, [JORDAN_DRONE])
    clock = Clock("2024-02-01T06:00:00")
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-02-01T07:00:05")
    assert run_due_digest(config, store, notifiers, clock) is not None
    store.close()

    config, store, notifiers = setup(tmp_path, web, [{"url": receiver.url, "events": ["digest"]}])  # the restart
    clock.now = at("2024-02-01T07:00:40")

    assert run_due_digest(config, store, notifiers, clock) is None
    assert len(receiver.received) == 1
    store.close()


def test_a_daemon_down_across_two_slots_sends_one_catch_up_digest_for_the_whole_gap(tmp_path, web, receiver):
    config, store, notifiers = setup(tmp_path, web, [{"url": receiver.url, "events": ["digest"]}])
    publish(web, [])
    clock = Clock("2024-01-31T12:00:00")
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-02-01T07:00:00")
    run_due_digest(config, store, notifiers, clock)
    publish(web, [JORDAN_DRONE])
    clock.now = at("2024-02-01T12:00:00")
    run_cycle(config, store, notifiers, clock)

    clock.now = at("2024-02-03T09:30:00")  # the 2 Feb and 3 Feb slots were missed
    digest = run_due_digest(config, store, notifiers, clock)
    again = run_due_digest(config, store, notifiers, clock)

    assert again is None
    assert (digest.period.start, digest.period.end) == (at("2024-02-01T07:00:00"), at("2024-02-03T07:00:00"))
    assert [r["title"].split(",")[0] for r in receiver.received] == [
        "[digest] Nothing new",
        "[digest] 1 attack and 0 strike reports",
    ]
    store.close()


def test_an_empty_period_gives_a_short_digest_unless_turned_off(tmp_path, web, receiver):
    publish(web, [])
    config, store, notifiers = setup(tmp_path / "on", web, [{"url": receiver.url, "events": ["digest"]}])
    run_cycle(config, store, notifiers, Clock("2024-01-30T12:00:00"))
    run_cycle(config, store, notifiers, Clock("2024-01-31T12:00:00"))
    run_due_digest(config, store, notifiers, Clock("2024-02-01T07:00:00"))
    store.close()
    config, store, notifiers = setup(
        tmp_path / "off", web, [{"url": receiver.url, "events": ["digest"]}], digest={"send_empty": False}
    )
    run_cycle(config, store, notifiers, Clock("2024-01-30T12:00:00"))
    run_due_digest(config, store, notifiers, Clock("2024-02-01T07:00:00"))

    assert len(receiver.received) == 1
    assert receiver.titles[0] == "[digest] Nothing new, 2024-01-31 07:00 UTC to 2024-02-01 07:00 UTC"
    assert "every feed answered in the 1 polling cycle of this period" in receiver.received[0]["message"]
    assert store.last_digest().period_end == "2024-02-01T07:00:00+00:00"  # recorded, not sent
    store.close()


def test_a_long_digest_says_how_many_stories_it_left_out(tmp_path, web, receiver):
    config, store, notifiers = setup(
        tmp_path, web, [{"url": receiver.url, "events": ["digest"]}], digest={"max_stories": 1}
    )
    publish(web, [JORDAN_DRONE, KH_STRIKES, STEPS[0]])
    clock = Clock("2024-02-01T06:00:00")
    run_cycle(config, store, notifiers, clock)
    clock.now += timedelta(hours=1)

    run_due_digest(config, store, notifiers, clock)

    assert "... and 2 more stories not shown (digest.max_stories)." in receiver.received[0]["message"]
    store.close()


def test_digest_print_shows_without_recording_and_send_records(tmp_path, web, receiver, run_monitor):
    publish(web, [JORDAN_DRONE])
    config_path = write_config(
        tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url, "events": ["digest"]}]
    )
    run_monitor(config_path, "poll")

    shown = run_monitor(config_path, "digest", "--print")
    sent = run_monitor(config_path, "digest", "--send")
    after = run_monitor(config_path, "digest", "--print")

    assert shown.output.startswith("[digest] 1 attack and 0 strike reports")
    assert JORDAN_DRONE.title in shown.output
    assert "digest sent: 1 stories" in sent.output and len(receiver.received) == 1
    assert after.output.startswith("[digest] Nothing new")


def test_the_digest_names_feeds_that_failed_in_its_period_and_since_when(tmp_path, web, receiver):
    publish(web, [JORDAN_DRONE])
    web.serve("/down.xml", "no", status=502)
    config = load_config(
        write_config(
            tmp_path,
            [("Wire", web.url("/feed.xml")), ("Down", web.url("/down.xml"))],
            [{"url": receiver.url, "events": ["digest"]}],
        )
    )
    store, notifiers = Store(config.store_path), Notifiers(config.notifiers, config=config)
    clock = Clock("2024-02-01T05:00:00")
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-02-01T06:00:00")
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-02-01T07:00:00")

    run_due_digest(config, store, notifiers, clock)

    message = receiver.received[0]["message"]
    assert ", 1 feed in trouble," in receiver.titles[0]
    assert "* Down: failing since 2024-02-01T05:00:00+00:00, 2 failures in a row (HTTP 502 from" in message
    assert "Wire:" not in message.split("Feeds in trouble:")[1]
    store.close()


def test_the_first_start_sends_no_digest_for_a_period_before_the_monitor_ran(tmp_path, web, receiver):
    web.serve("/feed.xml", "no", status=502)
    config, store, notifiers = setup(tmp_path, web, [{"url": receiver.url, "events": ["digest"]}])
    clock = Clock("2024-02-01T10:00:00")  # the daemon's first start: a cycle, then the digest catch-up
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-02-01T10:00:01")

    assert run_due_digest(config, store, notifiers, clock) is None

    clock.now = at("2024-02-02T07:00:00")
    digest = run_due_digest(config, store, notifiers, clock)
    assert digest.period.start == at("2024-02-01T10:00:00")
    assert receiver.titles == [
        "[digest] 0 attack and 0 strike reports, 1 feed in trouble, 2024-02-01 10:00 UTC to 2024-02-02 07:00 UTC"
    ]
    assert "every feed answered" not in receiver.received[0]["message"]
    store.close()


def test_a_period_with_no_cycle_does_not_say_every_feed_answered(tmp_path, web, receiver):
    publish(web, [])
    config, store, notifiers = setup(tmp_path, web, [{"url": receiver.url, "events": ["digest"]}])
    run_cycle(config, store, notifiers, Clock("2024-01-31T06:00:00"))
    run_due_digest(config, store, notifiers, Clock("2024-01-31T07:00:00"))

    run_due_digest(config, store, notifiers, Clock("2024-02-01T07:00:00"))  # the daemon polled nothing all day

    assert "no polling cycle finished in this period" in receiver.received[-1]["message"]
    assert "every feed answered" not in receiver.received[-1]["message"]
    store.close()


def test_a_back_filled_feed_then_a_digest_lists_only_recent_reports_as_new_and_dates_every_line(
    tmp_path, web, receiver
):
    old_news = tally_story(
        "old-news",
        "Rocket attack on US base in Syria, 2019",
        "Iran-backed militias attacked U.S. forces in Syria with rockets on Tuesday, a Pentagon spokesman said.",
        "2019-06-04T10:00:00",
    )
    older_news = tally_story(
        "older-news",
        "Drone attack on US troops in Iraq, 2020",
        "Iran-backed militias attacked U.S. troops in Iraq with a drone on Sunday, officials said.",
        "2020-03-01T10:00:00",
    )
    config, store, notifiers = setup(
        tmp_path, web, [{"url": receiver.url, "events": ["digest"]}], alerts={"max_age_days": 3}
    )
    publish(web, [old_news, older_news, JORDAN_DRONE])
    clock = Clock("2024-01-29T06:00:00")  # the drone report is a day old; the others are years old
    run_cycle(config, store, notifiers, clock)
    clock.now = at("2024-01-29T07:00:00")

    run_due_digest(config, store, notifiers, clock)

    message = receiver.received[0]["message"]
    new, older = message.split("Older articles stored")
    assert receiver.titles[0].startswith("[digest] 1 attack and 0 strike reports,")
    assert f"* {JORDAN_DRONE.title} [attack] (Wire, published 2024-01-28 18:00 UTC)" in new
    assert old_news.title not in message and older_news.title not in message
    assert ", not new: 2 reports published 2019-06-04 to 2020-03-01" in older
    store.close()
