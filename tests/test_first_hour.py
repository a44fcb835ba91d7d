"""What a newcomer checks in the first hour: a test alert reaches each target (or says why not), and
health and poll's exit code tell a supervisor when no feed answers."""

from __future__ import annotations

from builders import JORDAN_DRONE, page, rss
from conftest import write_config

from monitor.config import load_config
from monitor.store import Store


def test_notify_test_reports_each_target_and_fails_when_one_refuses(tmp_path, receiver, other_receiver, smtp,
                                                                  run_monitor, monkeypatch):
    other_receiver.status = 500
    monkeypatch.setenv("DESK_HOOK", receiver.url + "desk/")
    monkeypatch.setenv("BROKEN_HOOK", other_receiver.url + "broken/")
    monkeypatch.setenv("MAIL_URL", smtp.url)
    config = write_config(tmp_path, [], [{"url": "${DESK_HOOK}", "name": "desk", "events": ["report"]},
                                         {"url": "${BROKEN_HOOK}", "name": "broken"},
                                         {"url": "${MAIL_URL}", "name": "mail", "events": ["digest"]}])

    result = run_monitor(config, "notify", "--test")

    assert result.exit_code == 1
    assert "desk: accepted by apprise" in result.output and "mail: accepted by apprise" in result.output
    assert "broken: FAILED" in result.output
    assert receiver.titles == ["[test] monitor: notifier desk works"] and other_receiver.refused == 1
    assert smtp.subjects == ["[test] monitor: notifier mail works"]
    assert not load_config(config).store_path.exists()  # nothing recorded: no digest, no alert, no store


def test_notify_test_for_one_notifier_that_answers_exits_0(tmp_path, receiver, other_receiver, run_monitor):
    other_receiver.status = 500
    config = write_config(tmp_path, [], [{"url": receiver.url, "name": "desk"}, {"url": other_receiver.url, "name": "broken"}])

    one = run_monitor(config, "notify", "--test", "--notifier", "desk")
    unknown = run_monitor(config, "notify", "--test", "--notifier", "nobody")

    assert one.exit_code == 0 and one.output.strip() == "desk: accepted by apprise"
    assert other_receiver.refused == 0 and len(receiver.received) == 1
    assert unknown.exit_code == 2 and "no notifier named 'nobody'" in unknown.output and "desk, broken" in unknown.output


def test_notify_test_leaves_digests_and_alerts_untouched(tmp_path, web, receiver, run_monitor):
    web.serve("/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url, "name": "desk"}])
    run_monitor(config, "poll")
    before = run_monitor(config, "digest", "--print").output

    run_monitor(config, "notify", "--test")

    store = Store(load_config(config).store_path)
    try:
        assert store.last_digest() is None and len(store.alerts()) == 1  # the report alert only
    finally:
        store.close()
    assert run_monitor(config, "digest", "--print").output.split("\n", 1)[1] == before.split("\n", 1)[1]


def test_health_fails_and_poll_exits_3_when_every_feed_keeps_failing(tmp_path, web, run_monitor):
    web.serve("/a.xml", "down", status=503)
    web.serve("/b.xml", "gone", status=404)
    config = write_config(tmp_path, [("A", web.url("/a.xml")), ("B", web.url("/b.xml"))],
                          settings={"health": {"max_failed_cycles": 3}})

    polls = [run_monitor(config, "poll", "--force") for _ in range(3)]
    health = run_monitor(config, "health")

    assert [p.exit_code for p in polls] == [3, 3, 3]
    assert health.exit_code == 1
    assert "every feed (2) has failed at least 3 times in a row (health.max_failed_cycles)" in health.output


def test_health_stays_ok_and_poll_exits_0_while_one_feed_answers(tmp_path, web, run_monitor):
    web.serve("/a.xml", "down", status=503)
    web.serve("/b.xml", rss([]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("A", web.url("/a.xml")), ("B", web.url("/b.xml"))])

    polls = [run_monitor(config, "poll", "--force") for _ in range(3)]
    health = run_monitor(config, "health")

    assert [p.exit_code for p in polls] == [0, 0, 0]
    assert health.exit_code == 0, health.output
