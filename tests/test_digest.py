"""Digests: the period since the last one, on one screen, by email (HTML with the chart) and in chat."""

from __future__ import annotations

from datetime import timedelta

from builders import JORDAN_DRONE, KH_STRIKES, STEPS, Clock, at, page, rss
from conftest import write_config

from monitor.config import load_config
from monitor.notify import Notifiers
from monitor.pipeline import run_cycle, run_due_digest
from monitor.store import Store


def setup(tmp_path, web, notifiers, **settings):
    config = load_config(write_config(tmp_path, [("Wire", web.url("/feed.xml"))], notifiers, settings=settings or None))
    return config, Store(config.store_path), Notifiers(config.notifiers, config=config)


def publish(web, stories):
    web.serve("/feed.xml", rss([(s, web.serve(f"/news/{s.slug}", page(s))) for s in stories]), content_type="application/rss+xml")


def test_the_digest_reaches_mail_and_chat_with_its_period_only_and_the_chart(tmp_path, web, receiver, smtp):
    config, store, notifiers = setup(tmp_path, web, [{"url": receiver.url, "events": ["digest"]},
                                                     {"url": smtp.url, "events": ["digest"]}])
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
    assert chat["title"].startswith("[digest] 2 attack and 1 strike reports, 1 attack total moved, 2024-02-01 07:00 UTC to "
                                    "2024-02-02 07:00 UTC")
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
    publish(web, [JORDAN_DRONE])
    clock = Clock("2024-02-01T07:00:00")
    run_due_digest(config, store, notifiers, clock)
    clock.now = at("2024-02-01T12:00:00")
    run_cycle(config, store, notifiers, clock)

    clock.now = at("2024-02-03T09:30:00")  # the 2 Feb and 3 Feb slots were missed
    digest = run_due_digest(config, store, notifiers, clock)
    again = run_due_digest(config, store, notifiers, clock)

    assert again is None
    assert (digest.period.start, digest.period.end) == (at("2024-02-01T07:00:00"), at("2024-02-03T07:00:00"))
    assert [r["title"].split(",")[0] for r in receiver.received] == ["[digest] Nothing new", "[digest] 1 attack and 0 strike reports"]
    store.close()


def test_an_empty_period_gives_a_short_digest_unless_turned_off(tmp_path, web, receiver):
    publish(web, [])
    config, store, notifiers = setup(tmp_path / "on", web, [{"url": receiver.url, "events": ["digest"]}])
    run_due_digest(config, store, notifiers, Clock("2024-02-01T07:00:00"))
    store.close()
    config, store, notifiers = setup(tmp_path / "off", web, [{"url": receiver.url, "events": ["digest"]}],
                                     digest={"send_empty": False})
    run_due_digest(config, store, notifiers, Clock("2024-02-01T07:00:00"))

    assert len(receiver.received) == 1
    assert receiver.titles[0] == "[digest] Nothing new, 2024-01-31 07:00 UTC to 2024-02-01 07:00 UTC"
    assert "Nothing new" in receiver.received[0]["message"]
    assert store.last_digest()["period_end"] == "2024-02-01T07:00:00+00:00"  # recorded, not sent
    store.close()


def test_a_long_digest_says_how_many_stories_it_left_out(tmp_path, web, receiver):
    config, store, notifiers = setup(tmp_path, web, [{"url": receiver.url, "events": ["digest"]}], digest={"max_stories": 1})
    publish(web, [JORDAN_DRONE, KH_STRIKES, STEPS[0]])
    clock = Clock("2024-02-01T06:00:00")
    run_cycle(config, store, notifiers, clock)
    clock.now += timedelta(hours=1)

    run_due_digest(config, store, notifiers, clock)

    assert "... and 2 more stories not shown (digest.max_stories)." in receiver.received[0]["message"]
    store.close()


def test_digest_print_shows_without_recording_and_send_records(tmp_path, web, receiver, run_monitor):
    publish(web, [JORDAN_DRONE])
    config_path = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url, "events": ["digest"]}])
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
    config = load_config(write_config(tmp_path, [("Wire", web.url("/feed.xml")), ("Down", web.url("/down.xml"))],
                                      [{"url": receiver.url, "events": ["digest"]}]))
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
