"""What a newcomer checks in the first hour: a test alert reaches each target (or says why not), and
health and poll's exit code tell a supervisor when no feed answers."""

from __future__ import annotations

from builders import JORDAN_DRONE, page, rss
from conftest import write_config

from monitor.config import load_config
from monitor.store import Store


def test_notify_test_reports_each_target_and_fails_when_one_refuses(
    tmp_path, receiver, other_receiver, smtp, run_monitor, monkeypatch
):
    other_receiver.status = 500
    monkeypatch.setenv("DESK_HOOK", receiver.url + "desk/")
    monkeypatch.setenv("BROKEN_HOOK", other_receiver.url + "broken/")
    monkeypatch.setenv("MAIL_URL", smtp.url)
    config = write_config(
        tmp_path,
        [],
        [
            {"url": "${DESK_HOOK}", "name": "desk", "events": ["report"]},
            {"url": "${BROKEN_HOOK}", "name": "broken"},
            {"url": "${MAIL_URL}", "name": "mail", "events": ["digest"]},
        ],
    )

    result = run_monitor(config, "notify", "--test")

    assert result.exit_code == 1
    assert "desk: accepted by apprise" in result.output and "mail: accepted by apprise" in result.output
    assert "broken: FAILED" in result.output
    assert receiver.titles == ["[test] monitor: notifier desk works"] and other_receiver.refused == 1
    assert smtp.subjects == ["[test] monitor: notifier mail works"]
    assert not load_config(config).store_path.exists()  # nothing recorded: no digest, no alert, no store


def test_notify_test_for_one_notifier_that_answers_exits_0(tmp_path, receiver, other_receiver, run_monitor):
    other_receiver.status = 500
    config = write_config(
        tmp_path, [], [{"url": receiver.url, "name": "desk"}, {"url": other_receiver.url, "name": "broken"}]
    )

    one = run_monitor(config, "notify", "--test", "--notifier", "desk")
    unknown = run_monitor(config, "notify", "--test", "--notifier", "nobody")

    assert one.exit_code == 0 and one.output.strip() == "desk: accepted by apprise"
    assert other_receiver.refused == 0 and len(receiver.received) == 1
    assert (
        unknown.exit_code == 2 and "no notifier named 'nobody'" in unknown.output and "desk, broken" in unknown.output
    )


def test_notify_test_leaves_digests_and_alerts_untouched(tmp_path, web, receiver, run_monitor):
    web.serve(
        "/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml"
    )
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
    config = write_config(
        tmp_path, [("A", web.url("/a.xml")), ("B", web.url("/b.xml"))], settings={"health": {"max_failed_cycles": 3}}
    )

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


def test_status_shows_local_times_plurals_and_a_plain_store_path(tmp_path, web, run_monitor):
    web.serve("/down.xml", "no", status=500)
    config = write_config(
        tmp_path / "config",
        [("Down", web.url("/down.xml"))],
        settings={"schedule": {"timezone": "Asia/Tokyo"}, "storage": {"path": "../data/monitor.db"}},
    )
    run_monitor(config, "poll")

    status = run_monitor(config, "status").output

    assert "Feeds (times in Asia/Tokyo):" in status
    assert "FAILING: 1 failure in a row since 20" in status and " JST: HTTP 500" in status
    assert "+00:00" not in status and "1 failures" not in status
    assert load_config(config).store_path == tmp_path / "data" / "monitor.db"  # not config/../data


def test_a_hostile_title_is_escaped_in_a_markdown_digest(tmp_path, web, receiver):
    from dataclasses import replace

    from builders import Clock
    from monitor.notify import Notifiers
    from monitor.pipeline import run_cycle, run_due_digest

    hostile = replace(JORDAN_DRONE, title="*Breaking* [update]: drone hits base_1 (Jordan) `now`")
    link = web.serve("/news/drone_(update)", page(hostile))
    web.serve("/feed.xml", rss([(hostile, link)]), content_type="application/rss+xml")
    config = load_config(
        write_config(
            tmp_path,
            [("Wire", web.url("/feed.xml"))],
            [{"url": receiver.url + "?format=markdown", "events": ["digest"]}],
        )
    )
    store, notifiers = Store(config.store_path), Notifiers(config.notifiers, config=config)
    run_cycle(config, store, notifiers, Clock("2024-02-01T06:00:00"))

    run_due_digest(config, store, notifiers, Clock("2024-02-01T07:00:00"))

    message = receiver.received[0]["message"]
    assert r"[\*Breaking\* \[update\]: drone hits base\_1 \(Jordan\) \`now\`](" in message
    assert "/news/drone_%28update%29)" in message
    store.close()


def test_a_summary_with_a_script_is_classified_on_its_words_only(tmp_path, web, receiver):
    from dataclasses import replace

    from builders import FOOTBALL

    summary = (
        "<p>Iraq beat Japan 2-1 to reach the Asian Cup knockouts.</p>"
        "<script>var teaser = 'Iran-backed militias attacked U.S. troops in Iraq 55 times since Oct. 17';</script>"
        "<style>.x { content: 'attacked U.S. forces' }</style>"
    )
    item = replace(FOOTBALL, summary=summary)
    web.serve("/feed.xml", rss([(item, web.url("/news/missing"))]), content_type="application/rss+xml")  # page 404
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url}])
    run_monitor_poll = __import__("click.testing").testing.CliRunner().invoke
    from monitor.cli import cli

    run_monitor_poll(cli, ["--config", str(config), "poll"], catch_exceptions=False)

    store = Store(load_config(config).store_path)
    try:
        stored = store.items()[0]
    finally:
        store.close()
    assert stored.text_source == "summary" and stored.text == "Iraq beat Japan 2-1 to reach the Asian Cup knockouts."
    assert stored.categories == [] and stored.tallies == []
    assert receiver.received == []


def test_a_slack_webhook_gets_no_chart_attachment_and_no_line_saying_one_is_attached(tmp_path):
    from monitor.notify import Notifiers

    config = load_config(
        write_config(
            tmp_path,
            [],
            [
                {"url": "slack://T1ABCDEFG/B2ABCDEFG/abcdefghijklmnopqrstuvwx/#desk", "name": "slack-hook"},
                {"url": "mailto://127.0.0.1:9?from=a@example.org&to=b@example.org&mode=insecure", "name": "mail"},
            ],
        )
    )
    notifiers = Notifiers(config.notifiers, config=config)

    assert notifiers.takes_attachments("slack-hook") is False  # apprise: "Slack Webhooks do not support attachments"
    assert notifiers.takes_attachments("mail") is True
    assert notifiers.format_of("slack-hook") == "markdown" and notifiers.format_of("mail") == "html"


def test_check_config_shows_which_slack_channel_without_its_tokens(tmp_path, run_monitor, monkeypatch):
    monkeypatch.setenv("MONITOR_SLACK_URL", "slack://T1ABCDEFG/B2ABCDEFG/abcdefghijklmnopqrstuvwx/#desk")
    config = write_config(tmp_path, [], [{"url": "${MONITOR_SLACK_URL}", "name": "desk-slack"}])

    result = run_monitor(config, "check-config")

    assert result.exit_code == 0
    assert '"url": "slack://T...G/B...G/a...x/%23desk/"' in result.output
    assert "abcdefghijklmnopqrstuvwx" not in result.output and "B2ABCDEFG" not in result.output


def test_a_delivery_failure_is_one_clean_line(tmp_path, web, receiver, run_monitor):
    import re

    receiver.status = 500
    web.serve(
        "/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml"
    )
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": receiver.url, "name": "desk"}])

    result = run_monitor(config, "poll")

    failures = [line for line in result.stderr.splitlines() if "not delivered" in line]
    assert len(failures) == 1
    assert (
        "to desk not delivered, will retry: Failed to send JSON POST notification: Internal server error" in failures[0]
    )
    assert len(re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", failures[0])) == 1  # our timestamp, not apprise's too
    assert " - WARNING - " not in failures[0]


def test_verbose_and_quiet_work_after_the_command_and_verbose_shows_our_lines_not_the_libraries(
    tmp_path, web, run_monitor
):
    web.serve(
        "/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml"
    )
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))])

    quiet = run_monitor(config, "poll", "-q")
    verbose = run_monitor(config, "poll", "--force", "-v")

    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert verbose.exit_code == 0
    assert "DEBUG monitor.pipeline: feed Wire:" in verbose.stderr
    assert all(" monitor" in line for line in verbose.stderr.splitlines() if " DEBUG " in line)  # no httpx, no apprise


def test_eval_keeps_its_own_v_for_misses(run_monitor, tmp_path):
    from conftest import REPO

    labelled = tmp_path / "one.jsonl"
    labelled.write_text(
        '{"id": "x-miss", "title": "Quiet day", "published": "2024-02-01", "text": "Nothing happened.", '
        '"expect": {"attack": true, "strike": false, "tallies": []}}\n'
    )

    result = run_monitor(REPO / "config" / "monitor.toml", "eval", str(labelled), "-v")

    assert result.exit_code == 0 and "x-miss: missed attack" in result.output


def test_a_chart_of_many_series_gets_one_panel_each(tmp_path):
    import struct

    from monitor.digest import SERIES_PER_PANEL, Point, SeriesMove, draw_chart

    def series(region, base):
        points = tuple(
            Point(f"2024-0{m}-{d:02d}", base + 10 * m + d, "exact", "Wire", True) for m in (1, 2) for d in (5, 20)
        )
        return SeriesMove("2023-10-17", region, points, None)

    def size(path):
        width, height = struct.unpack(">II", path.read_bytes()[16:24])  # the PNG header's IHDR
        return width, height

    few = draw_chart([series(r, 0) for r in ("total", "Iraq")], tmp_path / "few.png")
    many = draw_chart([series(f"region {i}", 20 * i) for i in range(SERIES_PER_PANEL + 2)], tmp_path / "many.png")

    assert size(few)[0] > size(few)[1]  # one wide panel, the legend beside it
    assert size(many)[1] > 1.5 * size(many)[0]  # panels stacked, one per series
