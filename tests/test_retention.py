"""Retention: old items lose their texts and fingerprints; titles, stories, tally series and alerts stay."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from builders import JORDAN_DRONE, STEPS, page, rss
from conftest import write_config

from monitor import archive
from monitor.store import Store


def poll_steps(tmp_path, web, run_monitor, retention_days=30):
    stories = [s for s in STEPS if "syndicated" not in s.slug] + [JORDAN_DRONE]
    web.serve(
        "/wire.xml",
        rss([(s, web.serve(f"/wire/{s.slug}", page(s))) for s in stories]),
        content_type="application/rss+xml",
    )
    config = write_config(
        tmp_path, [("Wire", web.url("/wire.xml"))], settings={"storage": {"retention_days": retention_days}}
    )
    run_monitor(config, "poll")
    return config


def test_prune_drops_old_texts_and_fingerprints_and_keeps_the_series(tmp_path, web, run_monitor):
    config = poll_steps(tmp_path, web, run_monitor)
    tallies_before = run_monitor(config, "tallies").output
    charts = tmp_path / "charts"
    charts.mkdir()
    old_chart, new_chart = charts / "digest-old.png", charts / "digest-new.png"
    for chart in (old_chart, new_chart):
        chart.write_bytes(b"png")
    store = Store(tmp_path / "monitor.db")
    try:
        stored_at = datetime.fromisoformat(store.items()[0].fetched_at)
        later = stored_at + timedelta(days=31)
        os.utime(old_chart, (stored_at.timestamp(), stored_at.timestamp()))
        os.utime(new_chart, (later.timestamp(), later.timestamp()))
        reports_before = store.tally_reports()
        alerts_before = store.alerts()

        plan = archive.plan_prune(store, 30, later)
        archive.prune(store, plan, later)

        items = store.items()
        assert plan.texts == len(items) == 6 and plan.sketches > 0 and plan.charts == [old_chart]
        assert all(i.text == "" for i in items) and all(i.title and i.url and i.story_id for i in items)
        assert store.db.execute("SELECT COUNT(*) FROM sketches").fetchone()[0] == 0
        assert store.db.execute("SELECT COUNT(*) FROM cycles").fetchone()[0] == 0
        assert store.tally_reports() == reports_before and store.alerts() == alerts_before
        assert archive.plan_prune(store, 30, later).texts == 0  # nothing left to prune
    finally:
        store.close()
    assert not old_chart.exists() and new_chart.exists()
    assert run_monitor(config, "tallies").output == tallies_before
    assert "Attacks on US forces reach 169" in run_monitor(config, "search", "169").output  # titles still found
    assert "No stored story" in run_monitor(config, "search", "outpost").output  # the texts are gone


def test_items_stored_within_retention_keep_their_texts(tmp_path, web, run_monitor):
    poll_steps(tmp_path, web, run_monitor)
    store = Store(tmp_path / "monitor.db")
    try:
        stored_at = datetime.fromisoformat(store.items()[0].fetched_at)
        plan = archive.plan_prune(store, 30, stored_at + timedelta(days=29))
        archive.prune(store, plan, stored_at + timedelta(days=29))
        assert plan.texts == 0 and all(i.text for i in store.items())
    finally:
        store.close()


def test_the_daemon_prunes_once_a_day_and_never_with_retention_off(tmp_path, web, run_monitor):
    poll_steps(tmp_path, web, run_monitor)
    store = Store(tmp_path / "monitor.db")
    try:
        now = datetime.fromisoformat(store.items()[0].fetched_at) + timedelta(days=40)
        assert archive.prune_if_due(store, 0, now) is None
        first = archive.prune_if_due(store, 30, now)
        again = archive.prune_if_due(store, 30, now + timedelta(hours=23))
        next_day = archive.prune_if_due(store, 30, now + timedelta(days=1))
        assert first is not None and first.texts == 6 and again is None and next_day is not None
        assert [r["texts"] for r in store.db.query("SELECT texts FROM prunes ORDER BY id")] == [6, 0]
    finally:
        store.close()


def test_prune_command_dry_run_and_retention_off(tmp_path, web, run_monitor):
    config = poll_steps(tmp_path, web, run_monitor)
    off = write_config(tmp_path / "off", [], settings={"storage": {"path": str(tmp_path / "monitor.db")}})

    dry = run_monitor(config, "prune", "--dry-run")
    real = run_monitor(config, "prune", "--vacuum")

    assert dry.output.startswith("Would remove before ") and "0 item texts" in dry.output  # all stored just now
    assert real.output.startswith("Removed before ") and real.output.rstrip().endswith("store vacuumed")
    assert "nothing to prune" in run_monitor(off, "prune").output
