"""Every command has help, help loads none of the heavy libraries, `monitor poll` loads none it does not
need before its first fetch, and `monitor classify` speaks JSON Lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from builders import FOOTBALL, KH_STRIKES, page, rss
from conftest import REPO, SHARED, needs_shared, write_config

from monitor.cli import cli
from monitor.store import Store

COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(run_monitor, command):
    result = run_monitor(None, command, "--help")

    assert result.exit_code == 0
    assert cli.commands[command].help.split()[0] in result.output


def test_help_loads_no_store_network_or_notifier_library():
    # A command brings in what it needs when it runs; `monitor --help` and a typo's usage line stay quick.
    libraries = (
        "sqlite_utils",
        "httpx",
        "apprise",
        "feedparser",
        "trafilatura",
        "matplotlib",
        "apscheduler",
        "tomlkit",
    )
    probe = (
        "import sys\n"
        "from monitor.cli import cli\n"
        "try:\n"
        "    cli(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print([m for m in {libraries!r} if m in sys.modules], file=sys.stderr)\n"
    )

    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)

    assert "Usage: " in result.stdout and "poll" in result.stdout
    assert result.stderr.strip() == "[]"


def test_poll_reaches_its_first_fetch_without_the_libraries_it_needs_later(tmp_path, web):
    # cron starts `monitor poll` every few minutes: what it loads before its first request is start-up
    # (issue 15). Extraction, charts, notifications, the digest schedule and the schema steps load when used.
    feed = web.serve("/feed.xml", rss([]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", feed)], [{"url": f"json://127.0.0.1:{web.base.rsplit(':', 1)[1]}/hook"}])
    later = (
        "trafilatura",
        "matplotlib",
        "numpy",
        "apprise",
        "apscheduler",
        "feedparser",
        "courlan",
        "tomlkit",
        "sqlite_utils",
    )
    probe = (
        "import json, sys\n"
        "loaded = []\n"
        "def at_first_connect(event, args):\n"
        "    if event == 'socket.connect' and not loaded:\n"
        f"        loaded.append([m for m in {later!r} if m in sys.modules])\n"
        "sys.addaudithook(at_first_connect)\n"
        "from monitor.cli import cli\n"
        "try:\n"
        "    cli(['--config', sys.argv[1], 'poll'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(loaded), file=sys.stderr)\n"
    )

    def loaded_at_first_fetch() -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", probe, str(config)], capture_output=True, text=True, timeout=60, check=True
        )
        assert "1 feeds: 1 updated" in result.stdout, result.stdout + result.stderr
        (loaded,) = json.loads(result.stderr.strip().splitlines()[-1])
        return loaded

    new_store, existing_store = loaded_at_first_fetch(), loaded_at_first_fetch()

    assert web.hits("/feed.xml") == [200, 200]
    # The shipped schedule has digests on, and an apprise notifier is configured: both are checked at first use.
    assert set(new_store) <= {"sqlite_utils"}  # the schema steps that make a new store speak through it
    assert existing_store == []


def test_a_poll_whose_tls_roots_cannot_be_loaded_says_so_and_exits_2(tmp_path, web):
    feed = web.serve("/feed.xml", rss([]), content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", feed)], [])
    command = [sys.executable, "-m", "monitor", "--config", str(config), "poll"]
    missing = tmp_path / "roots.pem"

    bad = subprocess.run(
        command, capture_output=True, text=True, timeout=60, env=os.environ | {"SSL_CERT_FILE": str(missing)}
    )
    assert bad.returncode == 2
    assert f"Error: SSL_CERT_FILE={missing}: no TLS roots could be loaded" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert web.hits("/feed.xml") == []

    good = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert good.returncode == 0, good.stderr
    assert web.hits("/feed.xml") == [200]


def test_the_command_group_stays_under_200_lines():
    # Issue 13: cli.py parses, dispatches and turns errors into exit codes; the work is in the package.
    assert len((REPO / "monitor" / "cli.py").read_text().splitlines()) < 200


def test_classify_reads_json_lines_from_stdin(run_monitor):
    lines = "\n".join(
        json.dumps({"id": s.slug, "title": s.title, "published": s.published.date().isoformat(), "text": s.text})
        for s in (KH_STRIKES, FOOTBALL)
    )

    result = run_monitor(REPO / "config" / "monitor.toml", "classify", "-", input=lines)

    strikes, football = (json.loads(line) for line in result.output.splitlines())
    assert strikes["id"] == "kh-strikes" and strikes["strike"] is True
    assert {"rule", "category", "sentence"} <= set(strikes["rules"][0])
    assert football == {
        "id": "football",
        "attack": False,
        "strike": False,
        "categories": [],
        "tallies": [],
        "rules": [],
    }


def test_classify_rejects_a_line_that_is_not_json(run_monitor):
    result = run_monitor(REPO / "config" / "monitor.toml", "classify", "-", input="{not json\n")

    assert result.exit_code != 0 and "line 1" in result.output


@needs_shared()
def test_classify_gets_the_five_seeds_right(run_monitor):
    seeds = (SHARED / "corpus" / "seeds.jsonl").read_text()
    expected = {json.loads(line)["id"]: json.loads(line)["expect"] for line in seeds.splitlines()}

    result = run_monitor(REPO / "config" / "monitor.toml", "classify", str(SHARED / "corpus" / "seeds.jsonl"))

    got = [json.loads(line) for line in result.output.splitlines()]
    assert len(got) == 5
    for row in got:
        assert (row["attack"], row["strike"]) == (expected[row["id"]]["attack"], expected[row["id"]]["strike"]), row[
            "id"
        ]


def test_the_workers_run_the_installed_monitor_even_from_a_folder_that_holds_another(tmp_path, web):
    # The fork server the workers come from is a new interpreter, which puts its current folder first on
    # its path: from a checkout of another version, its `monitor` would have been the workers' code.
    link = web.serve("/news/kh-strikes", page(KH_STRIKES))
    feed = web.serve("/feed.xml", rss([(KH_STRIKES, link)]), content_type="application/rss+xml")
    config = write_config(tmp_path / "config", [("Wire", feed)])
    other = tmp_path / "checkout" / "monitor"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("")
    (other / "workers.py").write_text(f"open({str(tmp_path / 'imported')!r}, 'w').close()\n")
    probe = (
        "import sys\n"
        "sys.path.remove('')\n"  # this process imports the installed monitor, as the `monitor` script does
        "from monitor.cli import cli\n"
        "cli(['--config', sys.argv[1], 'poll'])\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", probe, str(config)],
        cwd=other.parent,
        env={k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "imported").exists()
    assert ("/news/kh-strikes", 200) in web.requests
    with Store(tmp_path / "config" / "monitor.db") as store:
        (item,) = store.items()
    assert item.text_source == "page" and "strike" in item.categories  # read and classified in a worker
