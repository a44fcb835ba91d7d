"""Reported totals form series (same start, same region); only a higher figure is news."""

from __future__ import annotations

from builders import STEPS, page, rss
from conftest import write_config


def test_only_a_rising_figure_raises_a_tally_alert(tmp_path, web, receiver, run_monitor):
    config = write_config(
        tmp_path,
        [("Wire", web.url("/wire.xml")), ("Courier", web.url("/courier.xml"))],
        [{"url": receiver.url, "events": ["tally"]}],
    )
    listed = {"wire": [], "courier": []}
    web.serve("/courier.xml", rss([]), content_type="application/rss+xml")
    for step in STEPS:
        outlet = "courier" if "syndicated" in step.slug else "wire"
        listed[outlet].append((step, web.serve(f"/{outlet}/{step.slug}", page(step))))
        web.serve(f"/{outlet}.xml", rss(listed[outlet]), content_type="application/rss+xml")
        run_monitor(config, "poll")

    assert receiver.titles == [
        "[tally] New series: attacks on US forces in Iraq, Syria and Jordan since 2023-10-17: 13",
        "[tally] attacks on US forces in Iraq, Syria and Jordan since 2023-10-17: 13 -> 23 (+10)",
        "[tally] attacks on US forces in Iraq, Syria and Jordan since 2023-10-17: 23 -> 103 (+80)",
        "[tally] attacks on US forces in Iraq, Syria and Jordan since 2023-10-17: 103 -> 169 (+66)",
    ]
    last = receiver.received[-1]["message"]
    assert "Previous: 103 (exact), reported 2023-12-26 by Wire" in last
    assert "New: 169 (exact), reported 2024-02-05 12:00 UTC by Wire" in last
    assert "Change: +66" in last
    assert '"Iranian proxies have attacked U.S. troops in Iraq, Syria and Jordan 169 times since Oct. 17' in last
    assert f"Link: {web.url('/wire/t169')}" in last


def test_tallies_prints_each_series_as_a_timeline(tmp_path, web, run_monitor):
    config = write_config(tmp_path, [("Wire", web.url("/wire.xml")), ("Courier", web.url("/courier.xml"))])
    wire = [s for s in STEPS if "syndicated" not in s.slug]
    web.serve(
        "/wire.xml", rss([(s, web.serve(f"/wire/{s.slug}", page(s))) for s in wire]), content_type="application/rss+xml"
    )
    # Feeds are stored in the order their pages come in; the courier lists its copy only after the
    # wire's figures are stored, so the copy is judged with 169 known.
    web.serve("/courier.xml", rss([]), content_type="application/rss+xml")
    run_monitor(config, "poll")
    web.serve(
        "/courier.xml", rss([(STEPS[2], web.serve("/courier/t23", page(STEPS[2])))]), content_type="application/rss+xml"
    )
    run_monitor(config, "poll")

    result = run_monitor(config, "tallies")

    lines = result.output.splitlines()
    assert lines[0] == "Attacks on US forces in Iraq, Syria and Jordan since 2023-10-17:"
    assert [line.split()[1] for line in lines[1:]] == ["13", "23", "103", "169"]
    assert lines[2].startswith("  2023-10-30     23  exact     Wire, repeated by 1 other outlet(s)")
    assert "2 stale re-report(s)" in lines[2]  # the look-back and the copy judged after 169 was known
