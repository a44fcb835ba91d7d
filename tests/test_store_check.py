"""The whole-file integrity check runs when a store may have been harmed: after a holder that did not end
cleanly, after another writer changed the file, and at least once a day; a clean poll after a clean poll
does not read a large store end to end again."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest
from builders import JORDAN_DRONE, page, rss
from conftest import write_config

from monitor.store import Store, StoreError, exclusive, file_state, last_check, released_line

NOON = datetime(2024, 2, 5, 12, 0, tzinfo=timezone.utc)
FILES = [[81920, 1_707_134_400_000_000_000], [-1, -1]]


def test_a_clean_release_of_an_unchanged_file_vouches_for_it_for_a_day():
    left = released_line(NOON, FILES)

    assert last_check(left, FILES, NOON + timedelta(hours=23)) == NOON
    assert last_check(left, FILES, NOON + timedelta(hours=24)) is None


@pytest.mark.parametrize(
    "left",
    [
        "",  # a new store: no one has held it
        "monitor pid 4242 since 2024-02-05T11:00:00+00:00",  # its holder died or raised
        "released {not json",
        'released {"files": [[81920, 1]]}',
        'released {"checked": "2024-02-05T12:00:00", "files": [[81920, 1707134400000000000], [-1, -1]]}',
    ],
)
def test_anything_but_a_clean_release_means_check_now(left):
    assert last_check(left, FILES, NOON) is None


def test_a_file_changed_behind_the_monitor_is_checked_again():
    left = released_line(NOON, FILES)
    grown = [[90112, FILES[0][1]], FILES[1]]
    touched = [[FILES[0][0], FILES[0][1] + 1], FILES[1]]
    with_log = [FILES[0], [4152, 1]]

    assert [last_check(left, files, NOON) for files in (grown, touched, with_log)] == [None, None, None]


def test_a_check_dated_after_now_vouches_for_nothing():
    assert last_check(released_line(NOON, FILES), FILES, NOON - timedelta(minutes=1)) is None


def test_a_clean_hold_leaves_a_release_the_next_hold_trusts(tmp_path):
    path = tmp_path / "monitor.db"
    with exclusive(path):
        pass

    left = (tmp_path / "monitor.db.lock").read_text()
    assert left.startswith("released ")
    assert last_check(left, file_state(path), datetime.now(timezone.utc)) is not None


def test_a_hold_that_raised_leaves_its_pid_so_the_next_one_checks(tmp_path):
    path = tmp_path / "monitor.db"
    with pytest.raises(RuntimeError), exclusive(path):
        raise RuntimeError("the cycle broke")

    left = (tmp_path / "monitor.db.lock").read_text()
    assert left.startswith(f"monitor pid {os.getpid()} ")
    assert last_check(left, file_state(path), datetime.now(timezone.utc)) is None


def test_a_write_by_another_process_after_a_clean_release_is_seen(tmp_path):
    path = tmp_path / "monitor.db"
    with exclusive(path):
        pass
    with Store(path) as store:
        store.db.execute("CREATE TABLE scratch (note TEXT)")

    left = (tmp_path / "monitor.db.lock").read_text()
    assert last_check(left, file_state(path), datetime.now(timezone.utc)) is None


def test_a_store_damaged_after_a_clean_poll_is_still_refused(tmp_path, web, run_monitor):
    web.serve("/news/a", page(JORDAN_DRONE))
    web.serve("/feed.xml", rss([(JORDAN_DRONE, web.url("/news/a"))]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))])
    assert run_monitor(config, "poll").exit_code == 0
    path = tmp_path / "monitor.db"
    with open(path, "r+b") as f:
        f.seek(path.stat().st_size // 2 // 4096 * 4096)
        f.write(b"\xa5" * 4096)

    with pytest.raises(StoreError, match="damaged|malformed|not a database"), exclusive(path):
        pass
