"""Structured webhooks: a webhook+http:// notifier gets each alert as a JSON document of facts,
through the same outbox and retries as every other alert, with its auth header kept secret."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest
from builders import JORDAN_DRONE, STEPS, page, rss
from conftest import start_server, stop_server, write_config

TOKEN = "s3cr3t-hook-T0KEN-91f2"


@dataclass
class Hook:
    url: str
    status: int = 200
    received: list[dict] = field(default_factory=list)
    headers: list[dict] = field(default_factory=list)
    refused: int = 0


@pytest.fixture
def hook():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            h: Hook = state["hook"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if h.status == 200:
                h.received.append(json.loads(body))
                h.headers.append(dict(self.headers))
            else:
                h.refused += 1
            self.send_response(h.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server, base = start_server(Handler)
    state["hook"] = Hook(f"webhook+{base}/siem/alerts")
    yield state["hook"]
    stop_server(server)


def webhook_config(tmp_path, web, hook, monkeypatch, feeds=()):
    monkeypatch.setenv("HOOK_TOKEN", TOKEN)
    config = write_config(
        tmp_path, [("Wire", web.url("/wire.xml")), *feeds], settings={"alerts": {"ops_after_failures": 1}}
    )
    with open(config, "a") as f:
        f.write(
            f'[[notifiers]]\nname = "siem"\nurl = "{hook.url}"\nheaders = {{Authorization = "Bearer ${{HOOK_TOKEN}}"}}\n'
        )
    return config


def serve(web, stories):
    web.serve(
        "/wire.xml",
        rss([(s, web.serve(f"/wire/{s.slug}", page(s))) for s in stories]),
        content_type="application/rss+xml",
    )


def test_the_receiver_gets_the_facts_of_report_and_tally_alerts(tmp_path, web, hook, run_monitor, monkeypatch):
    config = webhook_config(tmp_path, web, hook, monkeypatch, [("Down", web.serve("/down.xml", "gone", status=500))])
    t103, t169 = STEPS[3], STEPS[5]
    serve(web, [JORDAN_DRONE, t103])
    run_monitor(config, "poll")
    serve(web, [JORDAN_DRONE, t103, t169])
    run_monitor(config, "poll")

    by_title = {d["title"]: d for d in hook.received}
    report = by_title[f"[report] {JORDAN_DRONE.title}"]
    assert report["kind"] == "report" and report["version"] == 1
    assert isinstance(report["alert_id"], int) and report["alert_key"] == f"story:{report['story_id']}"
    assert report["categories"] == ["attack"] and report["outlet"] == "Wire"
    assert report["link"] == web.url("/wire/jordan-drone") and report["published"] == "2024-01-28T18:00:00+00:00"
    assert report["rule"] and report["sentence"].startswith("A one-way drone launched by Iran-backed militants")
    rise = next(d for d in hook.received if d["kind"] == "tally" and d["new_figure"] == 169)
    assert (rise["previous_figure"], rise["change"], rise["verdict"]) == (103, 66, "rise")
    assert rise["series_key"] == "2023-10-17:total" and rise["qualifier"] == "exact"
    assert rise["previous"]["link"] == web.url("/wire/t103")
    assert rise["story_id"] is not None and rise["link"] == web.url("/wire/t169")
    assert "169 times since Oct. 17" in rise["sentence"]
    new_series = next(d for d in hook.received if d["kind"] == "tally" and d["new_figure"] == 103)
    assert new_series["previous_figure"] is None and new_series["change"] is None
    ops = next(d for d in hook.received if d["kind"] == "ops")
    assert (ops["feed"], ops["state"], ops["failures"]) == ("Down", "failing", 1) and ops["error"].startswith(
        "HTTP 500"
    )
    assert {h["Authorization"] for h in hook.headers} == {f"Bearer {TOKEN}"}
    assert [h["Idempotency-Key"] for h in hook.headers] == [d["alert_key"] for d in hook.received]


def test_a_refused_document_is_retried_as_the_same_document(tmp_path, web, hook, run_monitor, monkeypatch):
    config = webhook_config(tmp_path, web, hook, monkeypatch)
    serve(web, [JORDAN_DRONE])
    hook.status = 503
    first = run_monitor(config, "-v", "poll")
    hook.status = 200
    second = run_monitor(config, "-v", "poll")
    shown = run_monitor(config, "check-config")

    assert hook.refused == 1 and "1 pending" in first.output
    assert len(hook.received) == 1 and hook.received[0]["title"] == f"[report] {JORDAN_DRONE.title}"
    everything = first.output + first.stderr + second.output + second.stderr + shown.output
    assert "webhook: HTTP 503" in everything  # the failure is said ...
    assert TOKEN not in everything and "T0KEN" not in everything  # ... and the token never
    assert '"Authorization": "***"' in shown.output


def test_headers_on_an_apprise_notifier_are_a_config_error(tmp_path, run_monitor):
    config = write_config(tmp_path, [])
    with open(config, "a") as f:
        f.write('[[notifiers]]\nurl = "json://127.0.0.1:9/"\nheaders = {X = "y"}\n')

    result = run_monitor(config, "check-config")

    assert result.exit_code == 2 and "only webhook+http:// and webhook+https:// notifiers take headers" in result.output


def test_a_digest_document_carries_its_period_and_text(tmp_path, web, hook, run_monitor, monkeypatch):
    config = webhook_config(tmp_path, web, hook, monkeypatch)
    serve(web, [JORDAN_DRONE])
    run_monitor(config, "poll")

    result = run_monitor(config, "digest", "--send")

    assert result.exit_code == 0, result.output
    digest = next(d for d in hook.received if d["kind"] == "digest")
    assert digest["alert_key"] == f"digest:{digest['period_end']}" and digest["title"].startswith("[digest]")
    assert JORDAN_DRONE.title in digest["text"] and "<" not in digest["text"]  # plain text, not HTML
