"""Notifier URLs carry tokens: no command output or log line may show them."""

from __future__ import annotations

import json

from builders import JORDAN_DRONE, page, rss
from conftest import write_config

TOKEN = "xoxb-T0KEN-7f3a9c2e5d1b"
PASSWORD = "hunter2-pa55word"


def test_no_secret_in_any_output_or_log_line(tmp_path, web, receiver, run_monitor, monkeypatch):
    web.serve(
        "/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml"
    )
    web.serve("/down.xml", "no", status=500)
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    monkeypatch.setenv("MAIL_PASSWORD", PASSWORD)
    receiver.status = 500  # failures are where URLs tend to leak into messages
    config = write_config(
        tmp_path,
        [("Wire", web.url("/feed.xml")), ("Down", web.url("/down.xml"))],
        [
            {"url": receiver.url + "hooks/${HOOK_TOKEN}/", "name": "desk"},
            {
                "url": "mailto://127.0.0.1:9?user=desk&pass=${MAIL_PASSWORD}&from=a@example.org&to=b@example.org&mode=insecure",
                "name": "mail",
            },
        ],
    )

    outputs = []
    for args in (
        ["-v", "--log-format", "json", "poll"],
        ["-v", "poll"],
        ["status"],
        ["check-config"],
        ["health"],
        ["tallies"],
    ):
        result = run_monitor(config, *args)
        outputs.append(result.output + (result.stderr if result.stderr_bytes is not None else ""))

    everything = "\n".join(outputs)
    assert "not delivered, will retry" in everything  # the failure was logged ...
    assert TOKEN not in everything and PASSWORD not in everything  # ... without the secrets
    assert "T0KEN" not in everything


def test_json_logs_are_one_object_per_line(tmp_path, web, run_monitor):
    web.serve(
        "/feed.xml", rss([(JORDAN_DRONE, web.serve("/news/a", page(JORDAN_DRONE)))]), content_type="application/rss+xml"
    )
    config = write_config(
        tmp_path, [("Wire", web.url("/feed.xml"))], [{"url": "json://127.0.0.1:9/", "name": "nobody"}]
    )

    result = run_monitor(config, "--log-format", "json", "poll")

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    assert any("feed Wire: 1 new items" in line["message"] for line in lines)
