"""A store that cannot be used stops the command with a message naming it and a non-zero exit, and
nothing already stored is lost; a store that only cannot be written can still be read."""

from __future__ import annotations

import sqlite_utils
from builders import JORDAN_DRONE, KH_STRIKES, page, rss
from conftest import read_only, write_config


def publish(web, stories):
    web.serve(
        "/feed.xml",
        rss([(s, web.serve(f"/news/{s.slug}", page(s))) for s in stories]),
        content_type="application/rss+xml",
    )


def test_a_file_that_is_not_a_store_is_named_and_left_as_it_was(tmp_path, web, run_monitor):
    publish(web, [JORDAN_DRONE])
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))])
    note = b"Not a database: a note someone saved under the store's name.\n" * 200
    (tmp_path / "monitor.db").write_bytes(note)

    result = run_monitor(config, "poll")

    assert result.exit_code == 1
    assert result.output == f"Error: cannot open the store at {tmp_path / 'monitor.db'}: file is not a database\n"
    assert (tmp_path / "monitor.db").read_bytes() == note
    assert web.hits("/feed.xml") == []  # nothing fetched that could not be kept


def test_a_store_under_a_file_cannot_be_made_and_says_so(tmp_path, web, run_monitor):
    (tmp_path / "data").write_text("a file where the store's folder should be")
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], settings={"storage": {"path": "data/monitor.db"}})

    result = run_monitor(config, "poll")

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot open the store at {tmp_path / 'data' / 'monitor.db'}: ")


def test_a_read_only_store_stops_the_poll_keeps_what_it_has_and_can_still_be_read(tmp_path, web, run_monitor):
    publish(web, [JORDAN_DRONE])
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))])
    assert run_monitor(config, "poll").exit_code == 0
    path = tmp_path / "monitor.db"
    before = [row["title"] for row in sqlite_utils.Database(path)["items"].rows]
    publish(web, [JORDAN_DRONE, KH_STRIKES])
    fetched = len(web.hits("/feed.xml"))

    with read_only(path):
        polled = run_monitor(config, "poll")
        status = run_monitor(config, "status")

    assert polled.exit_code == 1
    assert polled.output.startswith(f"Error: the store at {path} does not take writes: ")
    assert len(web.hits("/feed.xml")) == fetched  # stopped before fetching what it could not keep
    assert [row["title"] for row in sqlite_utils.Database(path)["items"].rows] == before == [JORDAN_DRONE.title]
    assert status.exit_code == 0 and "Wire: 1 item," in status.output


def test_a_store_opened_in_a_with_block_is_closed_when_the_block_fails(tmp_path):
    import sqlite3
    from datetime import datetime, timezone

    import pytest

    from monitor.store import OutboxAlert, Store

    now = datetime(2024, 2, 5, 12, tzinfo=timezone.utc)
    with pytest.raises(RuntimeError, match="the command failed"), Store(tmp_path / "monitor.db") as store:
        with store.transaction():
            store.add_alert(OutboxAlert("report", "story:1", None, "json-1", "[report] kept", "body"), now)
        raise RuntimeError("the command failed")

    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        store.db.execute("SELECT 1")
    with Store(tmp_path / "monitor.db") as again:
        assert [a.title for a in again.alerts()] == ["[report] kept"]


def test_the_outbox_is_read_by_status_not_by_sql_text(tmp_path):
    from datetime import datetime, timezone

    from monitor.store import OutboxAlert, Store
    from monitor.store_outbox import FAILED, PENDING

    now = datetime(2024, 2, 5, 12, tzinfo=timezone.utc)
    with Store(tmp_path / "monitor.db") as store:
        for n in (1, 2, 3):
            store.add_alert(OutboxAlert("report", f"story:{n}", None, "json-1", f"[report] {n}", "body"), now)
        store.mark_alert(store.alerts()[0].id, now, sent=True)
        store.mark_alert(store.alerts()[1].id, now, sent=False, error="refused", status=FAILED)

        assert [a.title for a in store.alerts(statuses=(PENDING,))] == ["[report] 3"]
        assert [(a.title, a.last_error) for a in store.alerts(statuses=(FAILED,))] == [("[report] 2", "refused")]
        assert [a.status for a in store.alerts()] == ["sent", "failed", "pending"]
