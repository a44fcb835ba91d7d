"""A bad config stops the monitor before anything runs, naming the file and the key (exit 2)."""

from __future__ import annotations

import re
import subprocess
import sys
from zoneinfo import ZoneInfo

import pytest
from builders import JORDAN_DRONE, page, rss
from conftest import REPO, write_config

from monitor import USER_AGENT
from monitor.config import load_config
from monitor.reference import with_references
from monitor.settings import SETTINGS


def test_the_shipped_config_is_valid(run_monitor):
    result = run_monitor(REPO / "config" / "monitor.toml", "check-config")

    assert result.exit_code == 0, result.output
    assert '"poll_interval_seconds": 900' in result.output
    assert "Google News" in result.output


@pytest.mark.parametrize(
    "settings, key, words",
    [
        ({"schedule": {"poll_interval": 60}}, "schedule.poll_interval", "unknown key"),
        ({"schedule": {"poll_interval_seconds": "often"}}, "schedule.poll_interval_seconds", "must be int"),
        ({"schedule": {"poll_interval_seconds": 1}}, "schedule.poll_interval_seconds", "at least 10"),
        ({"alerts": {"max_age_days": -1}}, "alerts.max_age_days", "at least 0"),
        ({"schedule": {"timezone": "Mars/Olympus"}}, "schedule.timezone", "unknown timezone"),
        ({"schedule": {"digest": "every morning"}}, "schedule.digest", "not a crontab expression"),
        ({"fetch": {"allow_hosts": ["intranet", 7]}}, "fetch.allow_hosts", "list of strings"),
        ({"nonsense": {"x": 1}}, "nonsense", "unknown section"),
    ],
)
def test_a_bad_setting_is_named(tmp_path, run_monitor, settings, key, words):
    config = write_config(tmp_path, [("Wire", "http://127.0.0.1:9/feed")], settings=settings)

    result = run_monitor(config, "check-config")

    assert result.exit_code == 2
    assert str(config) in result.output
    assert key in result.output and words in result.output


@pytest.mark.parametrize(
    "notifiers, settings, key, words",
    [
        ([], {"schedule": {"digest": "at 7"}}, "schedule.digest", "not a crontab expression"),
        ([{"url": "nosuchservice://abc"}], {}, "notifiers[0].url", "apprise does not understand this URL"),
    ],
)
def test_a_check_left_to_first_use_stops_the_daemon_before_it_opens_the_store(
    tmp_path, notifiers, settings, key, words
):
    # A poll's first fetch waits for neither APScheduler nor apprise; the daemon checks both as it starts.
    config = write_config(tmp_path, [("Wire", "http://127.0.0.1:9/feed")], notifiers, settings)

    result = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(config), "run"], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 2
    assert key in result.stderr and words in result.stderr
    assert not (tmp_path / "monitor.db").exists()


def test_a_poll_leaves_the_apprise_url_to_delivery_which_names_it(tmp_path, web, run_monitor):
    story = rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))])
    web.serve("/feed.xml", story, content_type="application/rss+xml")
    config = write_config(tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": "nosuchservice://abc", "name": "desk"}])

    result = run_monitor(config, "poll")

    assert result.exit_code == 0
    assert "1 alerts queued, 0 sent, 1 pending" in result.output
    assert "desk not delivered, will retry: apprise does not understand this URL (nosuchservice://***)" in result.stderr


def test_a_bad_feed_url_is_named(tmp_path, run_monitor):
    config = write_config(tmp_path, [("Wire", "ftp://example.org/feed")])

    result = run_monitor(config, "poll")

    assert result.exit_code == 2
    assert "feeds[0].url" in result.output and "http, https or file" in result.output


def test_a_notifier_apprise_does_not_know_is_named(tmp_path, run_monitor):
    config = write_config(tmp_path, [], [{"url": "nosuchservice://abc"}])

    result = run_monitor(config, "check-config")

    assert result.exit_code == 2 and "notifiers[0].url" in result.output


def test_a_notifier_event_must_be_known(tmp_path, run_monitor):
    config = write_config(tmp_path, [], [{"url": "json://127.0.0.1:9/", "events": ["report", "gossip"]}])

    result = run_monitor(config, "check-config")

    assert result.exit_code == 2 and "notifiers[0].events" in result.output


def test_a_missing_config_file_is_named(tmp_path, run_monitor):
    result = run_monitor(tmp_path / "nope.toml", "poll")

    assert result.exit_code == 2
    assert "nope.toml" in result.output and "file not found" in result.output


def test_broken_toml_is_named(tmp_path, run_monitor):
    path = tmp_path / "monitor.toml"
    path.write_text("[storage\npath = 3")

    result = run_monitor(path, "check-config")

    assert result.exit_code == 2 and "not valid TOML" in result.output


def test_a_bad_rules_file_is_named(tmp_path, run_monitor):
    config = write_config(tmp_path, [])
    rules = tmp_path / "rules.toml"
    rules.write_text(
        rules.read_text().replace(
            'sequence = ["attack_action", "us_target"]', 'sequence = ["attack_action", "us_targets"]'
        )
    )

    result = run_monitor(config, "check-config")

    assert result.exit_code == 2
    assert "rules.toml" in result.output and "rule[0].sequence" in result.output and "us_targets" in result.output


def test_notifier_urls_take_secrets_from_the_environment_and_never_show_them(tmp_path):
    config = write_config(tmp_path, [], [{"url": "json://127.0.0.1:9/${HOOK_TOKEN}/", "name": "desk"}])

    loaded = load_config(config, env={"HOOK_TOKEN": "s3cr3t-t0ken-value"})

    assert loaded.notifiers[0].url == "json://127.0.0.1:9/s3cr3t-t0ken-value/"
    assert "s3cr3t" not in str(loaded.effective())


def test_check_config_masks_notifier_urls(tmp_path, run_monitor, monkeypatch):
    monkeypatch.setenv("HOOK_TOKEN", "s3cr3t-t0ken-value")
    config = write_config(tmp_path, [], [{"url": "json://127.0.0.1:9/${HOOK_TOKEN}/", "name": "desk"}])

    result = run_monitor(config, "check-config")

    assert result.exit_code == 0
    assert "s3cr3t" not in result.output
    assert '"url": "json://127.0.0.1:9/***/"' in result.output  # apprise's privacy form, the token masked


def test_an_unset_environment_variable_is_named(tmp_path, run_monitor, monkeypatch):
    monkeypatch.delenv("HOOK_TOKEN", raising=False)
    config = write_config(tmp_path, [], [{"url": "json://127.0.0.1:9/${HOOK_TOKEN}/"}])

    result = run_monitor(config, "check-config")

    assert result.exit_code == 2 and "HOOK_TOKEN" in result.output and "notifiers[0].url" in result.output


def test_monitor_config_environment_variable_selects_the_file(tmp_path, run_monitor, monkeypatch):
    config = write_config(tmp_path, [("Only feed", "http://127.0.0.1:9/feed")])
    monkeypatch.setenv("MONITOR_CONFIG", str(config))

    result = run_monitor(None, "check-config")

    assert result.exit_code == 0 and "Only feed" in result.output


def test_the_readmes_reference_tables_are_the_ones_settings_py_makes():
    readme = (REPO / "README.md").read_text()
    documented = set(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \|", readme, re.MULTILINE))

    assert {s.key for s in SETTINGS} <= documented
    assert with_references(readme) == readme, (
        "README.md's reference tables differ from monitor/settings.py (SETTINGS, FEED_KEYS, NOTIFIER_KEYS): "
        "run `python scripts/config_reference.py` and commit README.md"
    )


def test_settings_are_typed_with_their_zone_trigger_and_limits_built(tmp_path):
    path = write_config(
        tmp_path,
        [],
        settings={
            "schedule": {"timezone": "Asia/Baghdad", "digest": "@daily"},
            "fetch": {"allow_hosts": ["Intranet.Example"], "max_bytes": 2048},
        },
    )

    settings = load_config(path, env={}).settings

    assert settings.schedule.zone == ZoneInfo("Asia/Baghdad")
    assert settings.schedule.digest == "0 0 * * *"
    assert settings.schedule.digest_trigger is not None
    assert str(settings.schedule.digest_trigger.timezone) == "Asia/Baghdad"
    assert settings.fetch.limits.max_bytes == 2048
    assert settings.fetch.limits.allow_hosts == frozenset({"intranet.example"})
    assert settings.fetch.limits.user_agent == USER_AGENT  # the setting left empty: monitor's own
    assert settings.digest.max_stories == 25  # a default


def test_an_empty_digest_schedule_has_no_trigger(tmp_path):
    path = write_config(tmp_path, [], settings={"schedule": {"digest": ""}, "fetch": {"user_agent": "desk/2"}})

    settings = load_config(path, env={}).settings

    assert settings.schedule.digest_trigger is None
    assert settings.fetch.limits.user_agent == "desk/2"


def _shipped_config_with_notifiers(folder):
    """The shipped config with its commented notifier examples switched on, as a newcomer does."""
    text = (REPO / "config" / "monitor.toml").read_text()
    lines, on = [], False
    for line in text.splitlines():
        if line.startswith("# [[notifiers]]"):
            on = True
        if on and line.startswith("# "):
            line = line[2:]
        elif on and line == "#":
            line = ""
        lines.append(line)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("rules.toml", "tallies.toml"):
        (folder / name).write_text((REPO / "config" / name).read_text())
    path = folder / "monitor.toml"
    path.write_text("\n".join(lines))
    return path


def test_the_shipped_config_loads_with_notifier_urls_from_the_variables_compose_passes(tmp_path):
    import yaml

    compose = yaml.safe_load((REPO / "compose.yaml").read_text())
    passed = set(compose["services"]["monitor"]["environment"])
    env = {
        "MONITOR_SLACK_URL": "slack://T1ABCDEFG/B2ABCDEFG/abcdefghijklmnopqrstuvwx/#desk",
        "MONITOR_MAIL_URL": "mailtos://desk:pa55word@smtp.example.org?to=desk@example.org",
    }
    path = _shipped_config_with_notifiers(tmp_path)

    config = load_config(path, env=env)

    used = set(re.findall(r"\$\{(\w+)\}", path.read_text()))
    assert used and used <= passed == set(env)  # every variable the examples use reaches the container
    assert [n.name for n in config.notifiers] == ["desk-slack", "desk-mail"]
    assert [n.url for n in config.notifiers] == [env["MONITOR_SLACK_URL"], env["MONITOR_MAIL_URL"]]


def test_a_variable_compose_passed_on_empty_is_named(tmp_path, run_monitor, monkeypatch):
    monkeypatch.setenv("MONITOR_SLACK_URL", "")  # compose's ${MONITOR_SLACK_URL:-} when the host has none
    monkeypatch.setenv("MONITOR_MAIL_URL", "mailtos://desk:pa55word@smtp.example.org?to=desk@example.org")
    path = _shipped_config_with_notifiers(tmp_path)

    result = run_monitor(path, "check-config")

    assert result.exit_code == 2
    assert str(path) in result.output and "notifiers[0].url" in result.output
    assert "MONITOR_SLACK_URL is set but empty" in result.output


def test_variables_are_expanded_in_every_setting(tmp_path):
    path = write_config(
        tmp_path, [("Wire", "${FEED_BASE}/feed.xml")], settings={"storage": {"path": "${STORE_DIR}/m.db"}}
    )

    config = load_config(path, env={"FEED_BASE": "http://127.0.0.1:9", "STORE_DIR": str(tmp_path / "data")})

    assert config.feeds[0].url == "http://127.0.0.1:9/feed.xml"
    assert config.store_path == tmp_path / "data" / "m.db"
