"""`monitor eval` scores the classifier on labelled articles and fails below thresholds."""

from __future__ import annotations

import json

from builders import FOOTBALL, JORDAN_DRONE
from conftest import REPO, SHARED, needs_shared

CONFIG = REPO / "config" / "monitor.toml"


def labelled(tmp_path, wrong: bool = False):
    rows = [
        {"id": "a", "published": "2024-01-28", "title": JORDAN_DRONE.title, "text": JORDAN_DRONE.text,
         "expect": {"attack": True, "strike": wrong, "tallies": []}},
        {"id": "b", "published": "2024-01-19", "title": FOOTBALL.title, "text": FOOTBALL.text,
         "expect": {"attack": False, "strike": False, "tallies": []}},
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
def test_dev_set_meets_the_bars(run_monitor):
    result = run_monitor(CONFIG, "eval", str(SHARED / "corpus" / "dev.jsonl"), "--min-f1", "0.95", "--min-tally-f1", "0.90")

    assert result.exit_code == 0, result.output
