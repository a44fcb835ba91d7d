"""`monitor eval` scores the classifier on labelled articles and fails below thresholds."""

from __future__ import annotations

import json

import pytest

from builders import FOOTBALL, JORDAN_DRONE
from conftest import REPO, SHARED, needs_shared

CONFIG = REPO / "config" / "monitor.toml"


def labelled(tmp_path, wrong: bool = False):
    rows = [
        {
            "id": "a",
            "published": "2024-01-28",
            "title": JORDAN_DRONE.title,
            "text": JORDAN_DRONE.text,
            "expect": {"attack": True, "strike": wrong, "tallies": []},
        },
        {
            "id": "b",
            "published": "2024-01-19",
            "title": FOOTBALL.title,
            "text": FOOTBALL.text,
            "expect": {"attack": False, "strike": False, "tallies": []},
        },
    ]
    path = tmp_path / "labelled.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    return path


def test_eval_reports_precision_recall_and_f1(tmp_path, run_monitor):
    result = run_monitor(CONFIG, "eval", str(labelled(tmp_path)), "--min-f1", "1.0")

    assert result.exit_code == 0
    assert "attack         precision 1.000  recall 1.000  F1 1.000  (tp 1, fp 0, fn 0)" in result.output


def test_eval_lists_misses_and_fails_below_the_threshold(tmp_path, run_monitor):
    result = run_monitor(CONFIG, "eval", str(labelled(tmp_path, wrong=True)), "--min-f1", "0.95", "-v")

    assert result.exit_code == 1
    assert "a: missed strike" in result.output
    assert "strike F1 0.000 < 0.95" in result.output


@needs_shared()
@pytest.mark.parametrize("name", ["dev.jsonl", "dev2.jsonl"])
def test_dev_sets_meet_the_bars(run_monitor, name):
    result = run_monitor(
        CONFIG,
        "eval",
        str(SHARED / "corpus" / name),
        "--min",
        "attack=0.98",
        "--min",
        "strike=0.95",
        "--min",
        "total=0.90",
        "--min",
        "all=0.85",
    )

    assert result.exit_code == 0, result.output


def config_with_unset_notifier(tmp_path):
    """The repository's rules behind a config whose notifier URL names a variable nobody set."""
    for name in ("rules.toml", "tallies.toml"):
        (tmp_path / name).write_text((REPO / "config" / name).read_text())
    config = tmp_path / "monitor.toml"
    config.write_text('[[notifiers]]\nurl = "json://${MONITOR_TEST_NEVER_SET_URL}/"\n')
    return config


def test_eval_and_classify_need_only_the_rules_not_the_notifiers(tmp_path, run_monitor, monkeypatch):
    monkeypatch.delenv("MONITOR_TEST_NEVER_SET_URL", raising=False)
    config = config_with_unset_notifier(tmp_path)

    scored = run_monitor(config, "eval", str(labelled(tmp_path)))
    classified = run_monitor(config, "classify", str(labelled(tmp_path)))
    polled = run_monitor(config, "poll")

    assert scored.exit_code == 0, scored.output
    assert "attack         precision 1.000" in scored.output
    assert classified.exit_code == 0, classified.output
    assert json.loads(classified.output.splitlines()[0])["attack"] is True
    # The commands that do notify still refuse the config.
    assert polled.exit_code == 2
    assert "MONITOR_TEST_NEVER_SET_URL is not set" in polled.output


@pytest.mark.parametrize(
    "bad_line, complaint",
    [
        ('{"id": "c", "title": "Rockets hit a base", "text": "Rockets hit a base."', "line 2: not JSON"),
        ('{"id": "c", "title": "Rockets hit a base", "text": "Rockets hit a base."}', "line 2: no `expect` table"),
        ('["a", "list"]', "line 2: not a JSON object"),
        ('{"id": "c", "text": "x", "expect": {"attack": true, "tallies": 3}}', "line 2: `expect.tallies` must be"),
        (
            '{"id": "c", "text": "x", "published": "last Tuesday", "expect": {"attack": true}}',
            "line 2: published is not a date",
        ),
    ],
)
def test_eval_stops_on_a_line_it_cannot_score_and_names_it(tmp_path, run_monitor, bad_line, complaint):
    good = labelled(tmp_path).read_text().splitlines()[0]
    path = tmp_path / "mixed.jsonl"
    path.write_text(good + "\n" + bad_line + "\n")

    result = run_monitor(CONFIG, "eval", str(path))

    assert result.exit_code == 2
    assert complaint in result.output
    assert "Traceback" not in result.output
    assert "precision" not in result.output


def test_an_unlabelled_file_is_refused_not_scored_perfect(tmp_path, run_monitor):
    path = tmp_path / "unlabelled.jsonl"
    path.write_text(json.dumps({"id": "x", "title": JORDAN_DRONE.title, "text": JORDAN_DRONE.text}) + "\n")

    result = run_monitor(CONFIG, "eval", str(path), "--min-f1", "1.0")

    assert result.exit_code == 2
    assert "line 1: no `expect` table" in result.output
    assert "1.000" not in result.output


def test_each_score_can_have_its_own_threshold(tmp_path, run_monitor):
    path = str(labelled(tmp_path, wrong=True))  # attack right, strike wrong

    attack_only = run_monitor(CONFIG, "eval", path, "--min", "attack=1.0", "--min", "all=0.5")
    strike_too = run_monitor(CONFIG, "eval", path, "--min", "attack=1.0", "--min", "strike=0.95")
    unknown = run_monitor(CONFIG, "eval", path, "--min", "strikes=0.9")

    assert attack_only.exit_code == 0, attack_only.output
    assert strike_too.exit_code == 1
    assert "strike F1 0.000 < 0.95" in strike_too.output and "attack F1" not in strike_too.output
    assert unknown.exit_code == 2 and "SCORE one of attack, strike, total, all" in unknown.output


def test_the_second_blind_probe_set_is_labelled_in_the_eval_form(run_monitor):
    # probes2 was scored blind once (README, Measured); eval refuses a malformed or unlabelled line.
    result = run_monitor(REPO / "config" / "monitor.toml", "eval", str(REPO / "tests" / "data" / "probes2.jsonl"))

    assert result.exit_code == 0, result.output
    assert result.output.startswith("68 articles")
