"""`monitor poll` against loopback feeds, pages and notifiers: what is stored, what is sent, what is retried."""

from __future__ import annotations

import sqlite_utils
from builders import CYBERATTACK, FOOTBALL, HEART_ATTACK, HOUTHI_SHIP, JORDAN_DRONE, KH_STRIKES, atom, page, rss
from conftest import write_config


def world(web, stories, feed_path="/feed.xml", kind=rss, etag='"v1"'):
    items = []
    for s in stories:
        items.append((s, web.serve(f"/news/{s.slug}", page(s))))
    web.serve(feed_path, kind(items), content_type="application/rss+xml", etag=etag)
    return web.url(feed_path)


def db(config_path):
    return sqlite_utils.Database(config_path.parent / "monitor.db")


def test_poll_stores_every_item_and_alerts_only_on_reports(tmp_path, web, receiver, smtp, run_monitor):
    rss_url = world(web, [JORDAN_DRONE, HEART_ATTACK, FOOTBALL])
    atom_url = world(web, [KH_STRIKES, CYBERATTACK, HOUTHI_SHIP], "/atom.xml", kind=atom)
    config = write_config(
        tmp_path,
        [("Wire", rss_url), ("Atom Daily", atom_url)],
        [{"url": receiver.url}, {"url": smtp.url, "events": ["report"]}],
    )

    result = run_monitor(config, "poll")

    assert result.exit_code == 0, result.output
    assert "2 feeds: 2 updated" in result.output
    items = {r["guid"]: r for r in db(config)["items"].rows}
    assert len(items) == 6
    assert items["jordan-drone"]["text_source"] == "page"
    assert "Copyright" not in items["jordan-drone"]["text"]  # the page's footer is not the story
    assert sorted(receiver.titles) == sorted([f"[report] {JORDAN_DRONE.title}", f"[report] {KH_STRIKES.title}"])
    assert sorted(smtp.subjects) == sorted(receiver.titles)


def test_an_alert_explains_itself(tmp_path, web, receiver, run_monitor):
    config = write_config(tmp_path, [("Wire", world(web, [JORDAN_DRONE]))], [{"url": receiver.url}])

    run_monitor(config, "poll")

    (alert,) = receiver.received
    body = alert["message"]
    assert alert["title"] == f"[report] {JORDAN_DRONE.title}"
    assert "Categories: attack" in body
    assert "Outlet: Wire, published 2024-01-28 18:00 UTC" in body
    assert "rule attack-on-us-forces matched" in body
    assert "slammed into a small U.S. outpost in northeastern Jordan" in body
    assert f"Link: {web.url('/news/jordan-drone')}" in body


def test_second_poll_of_unchanged_feeds_stores_and_sends_nothing(tmp_path, web, receiver, run_monitor):
    config = write_config(tmp_path, [("Wire", world(web, [JORDAN_DRONE, KH_STRIKES]))], [{"url": receiver.url}])
    run_monitor(config, "poll")
    sent_before = len(receiver.received)

    result = run_monitor(config, "poll")

    assert "1 not modified" in result.output
    assert web.hits("/feed.xml") == [200, 304]
    assert web.hits("/news/jordan-drone") == [200]  # the page is not fetched again
    assert db(config)["items"].count == 2
    assert len(receiver.received) == sent_before == 2


def test_a_feed_without_validators_is_parsed_again_but_stores_nothing_new(tmp_path, web, receiver, run_monitor):
    config = write_config(tmp_path, [("Wire", world(web, [JORDAN_DRONE], etag=None))], [{"url": receiver.url}])
    run_monitor(config, "poll")

    run_monitor(config, "poll")

    assert web.hits("/feed.xml") == [200, 200]
    assert db(config)["items"].count == 1
    assert len(receiver.received) == 1


def test_an_alert_refused_by_the_notifier_stays_pending_and_is_delivered_once_next_poll(
    tmp_path, web, receiver, run_monitor
):
    config = write_config(tmp_path, [("Wire", world(web, [JORDAN_DRONE]))], [{"url": receiver.url}])
    receiver.status = 500

    first = run_monitor(config, "poll")

    assert "1 pending" in first.output
    assert receiver.refused >= 1 and receiver.received == []
    (row,) = db(config)["alerts"].rows
    assert row["status"] == "pending" and row["attempts"] == 1

    receiver.status = 200
    run_monitor(config, "poll")
    run_monitor(config, "poll")

    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    (row,) = db(config)["alerts"].rows
    assert row["status"] == "sent" and row["attempts"] == 2


def test_a_broken_feed_is_named_and_does_not_stop_the_others(tmp_path, web, receiver, run_monitor):
    good = world(web, [JORDAN_DRONE])
    web.serve("/down.xml", "upstream exploded", status=500, content_type="text/plain")
    web.serve("/garbage.xml", "<html><body>this is not a feed {{{", content_type="text/html")
    config = write_config(
        tmp_path,
        [("Down", web.url("/down.xml")), ("Garbage", web.url("/garbage.xml")), ("Wire", good)],
        [{"url": receiver.url}],
    )

    result = run_monitor(config, "poll")

    assert result.exit_code == 0
    assert "failed: Down: HTTP 500" in result.output
    assert "failed: Garbage: not a feed" in result.output
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    feeds = {r["name"]: r for r in db(config)["feeds"].rows}
    assert feeds["Down"]["consecutive_failures"] == 1 and "HTTP 500" in feeds["Down"]["last_error"]
    assert feeds["Wire"]["consecutive_failures"] == 0


def test_a_page_that_cannot_be_fetched_falls_back_to_the_summary_and_says_so(tmp_path, web, receiver, run_monitor):
    url = world(web, [JORDAN_DRONE])
    web.serve("/news/jordan-drone", "server error", status=503)
    config = write_config(tmp_path, [("Wire", url)], [{"url": receiver.url}])

    run_monitor(config, "poll")

    (item,) = db(config)["items"].rows
    assert item["text_source"] == "summary"
    assert "HTTP 503" in item["text_note"]
    assert item["text"].startswith("A one-way drone launched by Iran-backed militants")
    assert "feed's summary" in receiver.received[0]["message"]


def test_a_page_over_the_size_cap_is_not_read(tmp_path, web, receiver, run_monitor):
    url = world(web, [JORDAN_DRONE])
    web.serve("/news/jordan-drone", "<p>" + "x" * 3_000_000 + "</p>")
    config = write_config(
        tmp_path, [("Wire", url)], [{"url": receiver.url}], settings={"fetch": {"max_bytes": 100_000}}
    )

    result = run_monitor(config, "poll")

    assert result.exit_code == 0
    (item,) = db(config)["items"].rows
    assert item["text_source"] == "summary" and "cap" in item["text_note"]


def test_items_older_than_max_age_are_stored_without_alert(tmp_path, web, receiver, run_monitor):
    config = write_config(
        tmp_path,
        [("Wire", world(web, [JORDAN_DRONE]))],
        [{"url": receiver.url}],
        settings={"alerts": {"max_age_days": 3}},
    )

    run_monitor(config, "poll")

    assert db(config)["items"].count == 1
    assert receiver.received == []


def test_the_same_article_behind_a_tracking_link_is_fetched_once_stored_once_per_outlet_alerted_once(
    tmp_path, web, receiver, run_monitor
):
    link = web.serve("/news/jordan-drone", page(JORDAN_DRONE))
    web.serve("/a.xml", rss([(JORDAN_DRONE, link)]), content_type="application/rss+xml")
    other = JORDAN_DRONE.__class__("other-guid", JORDAN_DRONE.title, JORDAN_DRONE.paragraphs, JORDAN_DRONE.published)
    web.serve(
        "/b.xml", rss([(other, link + "?utm_source=rss&utm_medium=feed#top")]), content_type="application/rss+xml"
    )
    config = write_config(tmp_path, [("A", web.url("/a.xml"))], [{"url": receiver.url}])
    run_monitor(config, "poll")
    config = write_config(tmp_path, [("A", web.url("/a.xml")), ("B", web.url("/b.xml"))], [{"url": receiver.url}])

    run_monitor(config, "poll")

    assert web.hits("/news/jordan-drone") == [200]
    items = list(db(config)["items"].rows)
    assert [i["feed"] for i in items] == ["A", "B"]
    assert items[0]["story_id"] == items[1]["story_id"] and items[1]["text"] == items[0]["text"]
    assert len(receiver.received) == 1


def test_with_no_notifier_alerts_are_printed(tmp_path, web, run_monitor):
    config = write_config(tmp_path, [("Wire", world(web, [KH_STRIKES]))])

    result = run_monitor(config, "poll")

    assert f"[report] {KH_STRIKES.title}" in result.output
    assert "Categories: strike" in result.output


def test_the_store_is_in_wal_mode(tmp_path, web, run_monitor):
    config = write_config(tmp_path, [("Wire", world(web, [FOOTBALL]))])
    run_monitor(config, "poll")

    assert db(config).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_feed_that_does_not_answer_in_time_fails_alone(tmp_path, web, receiver, run_monitor):
    good = world(web, [JORDAN_DRONE])
    slow = web.stalled("/slow.xml", "<rss/>", seconds=3)
    config = write_config(
        tmp_path, [("Slow", slow), ("Wire", good)], [{"url": receiver.url}], settings={"fetch": {"timeout_seconds": 1}}
    )

    result = run_monitor(config, "poll")

    assert "failed: Slow: timed out after 1 s" in result.output
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]


def test_a_redirect_loop_is_cut_at_the_cap(tmp_path, web, run_monitor):
    web.redirect("/a.xml", web.url("/b.xml"))
    web.redirect("/b.xml", web.url("/a.xml"))
    config = write_config(tmp_path, [("Loop", web.url("/a.xml"))], settings={"fetch": {"max_redirects": 3}})

    result = run_monitor(config, "poll")

    assert result.exit_code == 3  # its only feed failed
    assert "failed: Loop: more than 3 redirects" in result.output
    assert len(web.hits("/a.xml")) + len(web.hits("/b.xml")) == 4


def test_a_feed_behind_one_redirect_is_read(tmp_path, web, run_monitor):
    target = world(web, [KH_STRIKES])
    config = write_config(tmp_path, [("Moved", web.redirect("/old.xml", target, status=301))])

    result = run_monitor(config, "poll")

    assert "1 updated" in result.output and f"[report] {KH_STRIKES.title}" in result.output


def test_a_feed_with_no_items_is_a_feed_not_a_failure(tmp_path, web, run_monitor):
    web.serve("/empty.xml", rss([]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Quiet", web.url("/empty.xml"))])

    result = run_monitor(config, "poll")

    assert "1 updated, 0 not modified, 0 failed" in result.output


def test_a_large_full_text_feed_is_read_and_classified_in_the_workers_and_not_again(
    tmp_path, web, receiver, run_monitor
):
    # Past workers.LARGE_FEED_BYTES the feed is parsed, keyed and classified in the pool: the same
    # items, alerts and entry keys as when this process does it, so a second read finds nothing new.
    from html import escape

    from monitor.workers import LARGE_FEED_BYTES

    texts = [(f"Valley notes {n}", " ".join(f"ledger{n}entry{k}" for k in range(300))) for n in range(30)]
    texts.append((JORDAN_DRONE.title, "\n".join(JORDAN_DRONE.paragraphs)))
    items = "\n".join(
        f"<item><title>{escape(title)}</title><guid>note-{n}</guid><pubDate>Mon, 05 Feb 2024 10:00:00 GMT</pubDate>"
        f"<description>{escape(text)}</description></item>"
        for n, (title, text) in enumerate(texts)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Notes</title>{items}</channel></rss>'
    assert len(body.encode()) >= LARGE_FEED_BYTES
    url = web.serve("/notes.xml", body, content_type="application/rss+xml")
    config = write_config(tmp_path, [("Notes", url)], [{"url": receiver.url}])

    assert run_monitor(config, "poll").exit_code == 0
    assert db(config)["items"].count == 31
    assert receiver.titles == [f"[report] {JORDAN_DRONE.title}"]
    assert run_monitor(config, "poll").exit_code == 0
    assert db(config)["items"].count == 31 and len(receiver.titles) == 1


def test_feeds_that_answer_304_are_recorded_together_and_one_that_cannot_be_fails_alone(
    tmp_path, web, receiver, run_monitor
):
    feeds = [
        ("Wire", world(web, [JORDAN_DRONE], "/wire.xml")),
        ("Daily", world(web, [KH_STRIKES], "/daily.xml")),
        ("Broken", world(web, [HOUTHI_SHIP], "/broken.xml")),
    ]
    config = write_config(tmp_path, feeds, [{"url": receiver.url}])
    run_monitor(config, "poll")
    store = db(config)
    # A store that refuses to record one feed's success (a damaged page, say): the feeds recorded with
    # it in one transaction must not be lost with it. Every success recorded (etag set) is noted.
    store.execute(
        """CREATE TRIGGER refuse_broken BEFORE UPDATE OF etag ON feeds WHEN NEW.name = 'Broken'
           BEGIN SELECT RAISE(ABORT, 'cannot write this feed'); END"""
    )
    store.execute("CREATE TABLE written (name TEXT)")
    store.execute("CREATE TRIGGER note AFTER UPDATE OF etag ON feeds BEGIN INSERT INTO written VALUES (NEW.name); END")

    result = run_monitor(config, "poll", "--force")

    assert [web.hits(path)[-1] for path in ("/wire.xml", "/daily.xml", "/broken.xml")] == [304, 304, 304]
    assert "2 not modified, 1 failed" in result.output
    assert "Broken" in result.output and "cannot write this feed" in result.output
    written = [row["name"] for row in db(config)["written"].rows]
    assert sorted(written) == ["Daily", "Wire"]
    broken = next(row for row in db(config)["feeds"].rows if row["name"] == "Broken")
    assert broken["consecutive_failures"] == 1 and "cannot write this feed" in broken["last_error"]
