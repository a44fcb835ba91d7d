"""Feed lists: OPML in and out of the config file, comments kept, duplicates skipped."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO, write_config

from monitor.config import load_config

DESK_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>Our desk's reader</title></head><body>
  <outline text="Middle East">
    <outline text="Wire again" type="rss" xmlUrl="http://127.0.0.1:9/wire.xml"/>
    <outline text="Defence desk" title="Defence desk" type="rss" xmlUrl="https://defence.example.org/rss"/>
    <outline text="Wire" type="rss" xmlUrl="https://wire.example.net/feed"/>
    <outline title="Gulf &amp; Levant" type="rss" xmlUrl="https://gulf.example.org/atom.xml"/>
  </outline>
  <outline text="Not a feed: a folder with no URL"/>
  <outline text="Gopher hole" type="rss" xmlUrl="gopher://old.example.org/feed"/>
  <outline text="Defence desk copy" type="rss" xmlUrl="https://defence.example.org/rss"/>
</body></opml>
"""

COMMENTED = """# The desk's monitor. Ask Dana before changing the schedule.
[storage]
path = "monitor.db"   # beside this file

[alerts]
max_age_days = 0

# Wire services first.
[[feeds]]
name = "Wire"   # our main wire
url = "http://127.0.0.1:9/wire.xml"

[[notifiers]]
url = "json://127.0.0.1:9/"   # the desk's receiver
events = ["report"]
"""


def desk_config(tmp_path: Path) -> Path:
    config = write_config(tmp_path, [])  # the rules files beside it
    config.write_text(COMMENTED)
    return config


def test_import_adds_new_feeds_keeps_comments_and_skips_duplicates(tmp_path, run_monitor):
    config = desk_config(tmp_path)
    opml = tmp_path / "desk.opml"
    opml.write_text(DESK_OPML)

    result = run_monitor(config, "feeds", "import", str(opml))
    checked = run_monitor(config, "check-config")

    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "3 feeds added, 2 already there, 1 refused (%s)" % config
    assert "refused: Gopher hole  gopher://old.example.org/feed: not an http or https URL" in result.output
    assert checked.exit_code == 0
    feeds = [(f.name, f.url) for f in load_config(config).feeds]
    assert feeds == [
        ("Wire", "http://127.0.0.1:9/wire.xml"),
        ("Defence desk", "https://defence.example.org/rss"),
        ("Wire (2)", "https://wire.example.net/feed"),
        ("Gulf & Levant", "https://gulf.example.org/atom.xml"),
    ]
    text = config.read_text()
    for comment in (
        "# The desk's monitor. Ask Dana before changing the schedule.",
        "# beside this file",
        "# Wire services first.",
        "# our main wire",
        "# the desk's receiver",
    ):
        assert comment in text
    assert len(load_config(config).notifiers) == 1

    again = run_monitor(config, "feeds", "import", str(opml))
    assert again.output.startswith("0 feeds added, 5 already there") and config.read_text() == text


def test_export_then_import_into_an_empty_config_gives_the_same_feeds(tmp_path, run_monitor):
    shipped = REPO / "config" / "monitor.toml"
    opml = tmp_path / "feeds.opml"
    run_monitor(shipped, "feeds", "export", "-o", str(opml))
    empty = write_config(tmp_path / "empty", [])

    result = run_monitor(empty, "feeds", "import", str(opml))

    assert result.exit_code == 0, result.output
    assert [(f.name, f.url) for f in load_config(empty).feeds] == [(f.name, f.url) for f in load_config(shipped).feeds]


def test_a_broken_opml_file_is_refused_and_the_config_is_untouched(tmp_path, run_monitor):
    config = desk_config(tmp_path)
    bomb = tmp_path / "bomb.opml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        '<opml><body><outline text="&b;" xmlUrl="https://x.example.org/"/></body></opml>'
    )
    not_xml = tmp_path / "notes.opml"
    not_xml.write_text("just some notes")

    for path, message in ((bomb, "EntitiesForbidden"), (not_xml, "not an OPML file")):
        result = run_monitor(config, "feeds", "import", str(path))
        assert result.exit_code == 2 and message in result.output
    assert config.read_text() == COMMENTED


def test_feeds_list_shows_each_feed_state(tmp_path, web, run_monitor):
    web.serve(
        "/ok.xml", "<rss version='2.0'><channel><title>t</title></channel></rss>", content_type="application/rss+xml"
    )
    web.serve("/down.xml", "no", status=500)
    config = write_config(tmp_path, [("Ok", web.url("/ok.xml")), ("Down", web.url("/down.xml"))])
    with open(config, "a") as f:
        f.write('[[feeds]]\nname = "Parked"\nurl = "https://parked.example.org/rss"\nenabled = false\n')
    run_monitor(config, "poll")

    lines = run_monitor(config, "feeds", "list").output.splitlines()

    assert lines[0].startswith("Ok: ok, 0 items, last success 20")
    assert lines[1].startswith("Down: FAILING 1 in a row since ") and "HTTP 500" in lines[1]
    assert lines[2].startswith("Parked: disabled, 0 items, last success never")
