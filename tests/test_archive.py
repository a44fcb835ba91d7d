"""The store as an archive: search, items and export over a store built by a real poll of loopback feeds."""

from __future__ import annotations

import csv
import io
import json

import pytest
from builders import FOOTBALL, JORDAN_DRONE, KH_STRIKES, STEPS, page, rss
from conftest import write_config

from monitor.store import Store


@pytest.fixture
def polled(tmp_path, web, run_monitor):
    """Wire carries the tally steps, the Jordan drone, the Kataib Hezbollah strikes and a football
    report; Courier carries the syndicated 23 and its own copy of the Jordan drone."""
    wire = [s for s in STEPS if "syndicated" not in s.slug] + [JORDAN_DRONE, KH_STRIKES, FOOTBALL]
    syndicated = next(s for s in STEPS if "syndicated" in s.slug)
    web.serve(
        "/wire.xml", rss([(s, web.serve(f"/wire/{s.slug}", page(s))) for s in wire]), content_type="application/rss+xml"
    )
    # A cycle stores each feed when its pages are in, in no fixed order: Courier lists its copies only
    # after Wire's originals are stored, so Wire is first to carry each story.
    web.serve("/courier.xml", rss([]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/wire.xml")), ("Courier", web.url("/courier.xml"))])
    assert "0 failed" in run_monitor(config, "poll").output
    web.serve(
        "/courier.xml",
        rss(
            [
                (syndicated, web.serve("/courier/t23", page(syndicated, "Courier"))),
                (JORDAN_DRONE, web.serve("/courier/jordan", page(JORDAN_DRONE, "Courier"))),
            ]
        ),
        content_type="application/rss+xml",
    )
    assert "0 failed" in run_monitor(config, "poll").output
    return config


def titles(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith("    ")]


def test_search_finds_a_story_once_with_its_outlets_and_the_match(polled, run_monitor):
    result = run_monitor(polled, "search", "drone outpost")

    lines = result.output.splitlines()
    assert len(titles(result.output)) == 1
    assert lines[0].startswith("2024-01-28  2 outlets")
    assert "Drone kills three American soldiers at base in Jordan" in lines[0] and "/wire/jordan-drone" in lines[0]
    assert "[drone]" in lines[1].lower()  # the match, marked


def test_search_filters_by_category_feed_and_dates(polled, run_monitor):
    def found(*args):
        return {s["title"] for s in json.loads(run_monitor(polled, "search", *args, "--json").output)}

    everything = found("attacked OR attack OR striker")
    assert {"Attacks on US forces reach 169", "Iraq stun Japan to reach Asian Cup knockouts"} <= everything
    assert "Iraq stun Japan to reach Asian Cup knockouts" not in found(
        "attacked OR attack OR striker", "--category", "attack"
    )
    assert found("Iraq", "--category", "strike") == {KH_STRIKES.title}
    assert found("attacked", "--feed", "Courier") == {
        "Attacks on US bases climb to 23"
    }  # the story, led by Wire's item
    since_oct = '"since Oct 17"'
    assert found(since_oct, "--since", "2024-01-01", "--until", "2024-01-15") == {"How the militia campaign began"}
    assert found(since_oct, "--since", "2024-01-01", "--until", "2024-01-14") == set()  # --until takes the whole day
    assert found(since_oct, "--since", "2024-02-05T12:00") == {"Attacks on US forces reach 169"}
    assert len(found(since_oct)) == 5


def test_search_takes_words_that_are_not_query_syntax(polled, run_monitor):
    result = run_monitor(polled, "search", "U.S. fighter jets")

    assert KH_STRIKES.title in result.output


def test_search_stemming_and_a_query_with_no_match(polled, run_monitor):
    assert KH_STRIKES.title in run_monitor(polled, "search", "depot").output
    assert run_monitor(polled, "search", "zeppelin").output == "No stored story matches 'zeppelin'.\n"


def test_items_lists_the_latest_reports_and_all_with_all(polled, run_monitor):
    reports = titles(run_monitor(polled, "items").output)
    everything = titles(run_monitor(polled, "items", "--all").output)
    strikes = titles(run_monitor(polled, "items", "--category", "strike").output)

    assert reports[0].startswith("2024-02-05  1 outlet ") and "Attacks on US forces reach 169" in reports[0]
    assert len(reports) == 7 and not any(FOOTBALL.title in r for r in reports)
    assert len(everything) == 8
    assert len(strikes) == 1 and KH_STRIKES.title in strikes[0]
    assert len(titles(run_monitor(polled, "items", "--limit", "2").output)) == 2


def test_export_tallies_csv_carries_each_report_of_the_series(polled, run_monitor):
    rows = list(csv.DictReader(io.StringIO(run_monitor(polled, "export", "tallies").output)))

    assert [(r["date"], r["figure"], r["verdict"]) for r in rows] == [
        ("2023-10-24", "13", "new-series"),
        ("2023-10-30", "23", "rise"),
        ("2023-10-31", "23", "stale"),
        ("2023-12-26", "103", "rise"),
        ("2024-01-15", "23", "stale"),
        ("2024-02-05", "169", "rise"),
    ]
    assert {r["series"] for r in rows} == {"2023-10-17 total"}
    assert rows[2]["outlet"] == "Courier" and rows[2]["link"].endswith("/courier/t23")
    assert rows[0]["qualifier"] == "at_least"


def test_export_reports_jsonl_matches_the_store_and_csv_parses(polled, run_monitor, tmp_path):
    out = tmp_path / "reports.jsonl"
    result = run_monitor(polled, "export", "reports", "--format", "jsonl", "-o", str(out))
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    store = Store(tmp_path / "monitor.db")
    try:
        stored = store.items(reports_only=True)
    finally:
        store.close()

    assert "written to" in result.stderr
    assert sorted(r["id"] for r in exported) == [i.id for i in stored]
    by_id = {i.id: i for i in stored}
    for r in exported:
        item = by_id[r["id"]]
        assert (r["title"], r["link"], r["outlet"], r["categories"], r["rules"], r["story_id"]) == (
            item.title,
            item.url,
            item.feed,
            item.categories,
            item.matches,
            item.story_id,
        )
    as_csv = list(csv.DictReader(io.StringIO(run_monitor(polled, "export", "reports").output)))
    assert [int(r["id"]) for r in as_csv] == [r["id"] for r in exported]
    assert as_csv[0]["rules"] and "{" not in as_csv[0]["rules"]  # rule names, not JSON


def test_export_stories_json_and_an_empty_export_keeps_its_header(polled, run_monitor):
    stories = json.loads(run_monitor(polled, "export", "stories", "--format", "json").output)
    jordan = next(s for s in stories if s["title"] == JORDAN_DRONE.title)
    empty = run_monitor(polled, "export", "tallies", "--since", "2030-01-01").output

    assert jordan["outlets"] == ["Wire", "Courier"] and jordan["outlet_count"] == 2 and jordan["items"] == 2
    assert empty.startswith("series,since,region,date,figure,qualifier,outlet,verdict")
    assert len(empty.splitlines()) == 1


def test_status_and_tallies_speak_json(polled, run_monitor):
    status = json.loads(run_monitor(polled, "status", "--json").output)
    tallies = json.loads(run_monitor(polled, "tallies", "--json").output)

    assert {f["name"]: f["items_stored"] for f in status["feeds"]} == {"Wire": 8, "Courier": 2}
    assert status["last_cycle"]["items_new"] == 2 and status["pending_alerts"] == []
    assert [(t["series"], t["high"]) for t in tallies] == [("2023-10-17 total", 169)]
    assert [r["figure"] for r in tallies[0]["reports"]] == [13, 23, 23, 103, 23, 169]


def test_a_bad_date_is_a_usage_error(polled, run_monitor):
    result = run_monitor(polled, "items", "--since", "last tuesday")

    assert result.exit_code == 2 and "is not a date" in result.output


def test_archive_commands_on_a_missing_store_say_so(tmp_path, run_monitor):
    config = write_config(tmp_path, [])

    result = run_monitor(config, "search", "drone")

    assert result.exit_code == 1 and "no store at" in result.output
