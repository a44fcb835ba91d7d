"""The blind probe set (`tests/data/probes.jsonl`) is well-formed in the LABELS.md shape.

This checks the file, not the classifier: `monitor eval tests/data/probes.jsonl` scores it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

PROBES = Path(__file__).resolve().parent / "data" / "probes.jsonl"
NOTES = PROBES.with_name("probes.notes.md")
QUALIFIERS = {"exact", "at_least", "more_than", "about"}
REGIONS = {"total", "Iraq", "Syria", "Jordan"}


def probe_rows() -> list[tuple[int, dict]]:
    lines = PROBES.read_text(encoding="utf-8").splitlines()
    return [(number, json.loads(line)) for number, line in enumerate(lines, 1) if line.strip()]


def optional_day(value) -> date | None:
    if value is None:
        return None
    assert isinstance(value, str)
    return date.fromisoformat(value)


def test_every_line_is_a_json_object():
    rows = probe_rows()
    assert len(rows) >= 60
    assert all(isinstance(row, dict) for _, row in rows)


@pytest.mark.parametrize(
    "number, row", probe_rows(), ids=lambda value: f"line-{value}" if isinstance(value, int) else ""
)
def test_probe_has_the_labelled_fields(number, row):
    assert set(row) == {"id", "published", "title", "text", "expect"}, f"line {number}"
    for key in ("id", "title", "text"):
        assert isinstance(row[key], str) and row[key].strip(), f"line {number}: {key}"
    published = date.fromisoformat(row["published"])
    expect = row["expect"]
    assert set(expect) == {"attack", "strike", "tallies"}, f"line {number}"
    assert isinstance(expect["attack"], bool) and isinstance(expect["strike"], bool)
    assert isinstance(expect["tallies"], list)
    for tally in expect["tallies"]:
        assert set(tally) == {"count", "qualifier", "since", "until", "region"}, f"line {number}"
        assert type(tally["count"]) is int and tally["count"] > 0
        assert tally["qualifier"] in QUALIFIERS
        assert tally["region"] in REGIONS
        since, until = optional_day(tally["since"]), optional_day(tally["until"])
        for day in (since, until):
            assert day is None or day <= published, f"line {number}: a period ends after publication"
        if since and until:
            assert since <= until, f"line {number}"
    # LABELS.md: a running count of attacks is itself an attack report.
    if expect["tallies"]:
        assert expect["attack"], f"line {number}: tallies without an attack"


def test_ids_are_unique_and_each_has_a_note():
    ids = [row["id"] for _, row in probe_rows()]
    assert len(ids) == len(set(ids))
    notes = NOTES.read_text(encoding="utf-8")
    assert [i for i in ids if f"`{i}`" not in notes] == []
