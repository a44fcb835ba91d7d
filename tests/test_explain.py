"""`monitor explain` shows why a text is classified as it is: rules fired, rules voided and why, tally figures."""

from __future__ import annotations

import json

from builders import JORDAN_DRONE
from conftest import REPO

CONFIG = REPO / "config" / "monitor.toml"


def test_a_fired_rule_is_shown_with_its_category_and_sentence(run_monitor):
    text = "Rockets fired by Iran-backed militiamen struck a base hosting U.S. troops in western Iraq on Sunday."

    result = run_monitor(CONFIG, "explain", text)

    assert result.exit_code == 0, result.output
    assert "categories: attack" in result.output
    assert f"attack-on-us-forces [attack]: {text}" in result.output


def test_a_rule_voided_by_an_exclude_term_names_the_list_and_the_term(run_monitor):
    threat = run_monitor(CONFIG, "explain", "Kataib Hezbollah threatened to attack U.S. bases across Iraq.")
    hedge = run_monitor(CONFIG, "explain", "U.S. commanders are weighing airstrikes on Iran-backed militias in Iraq.")

    assert threat.exit_code == 0, threat.output
    assert "categories: none" in threat.output
    assert (
        "attack-on-us-forces [attack]: voided: exclude list not_carried_out is in the sentence ('threatened')"
        in threat.output
    )
    assert "categories: none" in hedge.output
    assert (
        "us-strikes-proxies [strike]: voided: exclude_near list strike_not_done is within 3 words of the match"
        in hedge.output
    )


def test_a_rule_voided_by_a_missing_context_list_names_it(run_monitor):
    result = run_monitor(CONFIG, "explain", "Rockets were fired at U.S. troops on Sunday, a spokesman said.")

    assert "categories: none" in result.output
    assert (
        "voided: context list proxy is nowhere in the article; context list theatre is nowhere in the article"
        in result.output
    )


def test_a_rule_voided_by_its_window_says_so(tmp_path, run_monitor):
    (tmp_path / "rules.toml").write_text(
        '[terms]\nwho = ["gunmen"]\nwhat = ["raided"]\n'
        '[[rule]]\nname = "close"\ncategory = "attack"\nsequence = ["who", "what"]\nwindow = 3\n'
    )
    (tmp_path / "tallies.toml").write_text((REPO / "config" / "tallies.toml").read_text())
    (tmp_path / "monitor.toml").write_text("")

    far = run_monitor(
        tmp_path / "monitor.toml", "explain", "The gunmen, who came at night from the hills, raided the depot."
    )
    close = run_monitor(tmp_path / "monitor.toml", "explain", "The gunmen then raided the depot.")

    assert (
        "close [attack]: voided: its lists are not in this order within the window (who > what within 3 words)"
        in far.output
    )
    assert "categories: none" in far.output
    assert "close [attack]: The gunmen then raided the depot." in close.output


def test_tally_figures_taken_and_rejected_with_the_period_phrase(run_monitor):
    text = (
        "Iran-backed militias have attacked U.S. forces in Iraq and Syria 150 times since Oct. 17, a Pentagon "
        "spokesman said. Twelve rockets were fired at the base on Tuesday."
    )

    result = run_monitor(CONFIG, "explain", "--published", "2024-01-20", text)

    assert result.exit_code == 0, result.output
    taken = [line for line in result.output.splitlines() if line.startswith("  taken '150")]
    assert taken and "-> 150 exact since 2023-10-17 until null total" in taken[0]
    assert "period from" in taken[0] and "oct. 17" in taken[0].lower()
    assert "rejected 'twelve'" in result.output.lower()


def test_explain_reads_a_file_stdin_and_json_lines_by_id(tmp_path, run_monitor):
    plain = tmp_path / "story.txt"
    plain.write_text(JORDAN_DRONE.text)
    lines = tmp_path / "articles.jsonl"
    lines.write_text(
        "\n".join(
            json.dumps({"id": i, "title": t, "published": "2024-01-29", "text": x})
            for i, t, x in [
                ("quiet", "Weather", "Rain is expected in Baghdad on Friday."),
                ("drone", JORDAN_DRONE.title, JORDAN_DRONE.text),
            ]
        )
    )

    from_file = run_monitor(CONFIG, "explain", "--title", JORDAN_DRONE.title, str(plain))
    from_stdin = run_monitor(CONFIG, "explain", "-", input=JORDAN_DRONE.text)
    by_id = run_monitor(CONFIG, "explain", str(lines), "--id", "drone")
    unknown = run_monitor(CONFIG, "explain", str(lines), "--id", "nothing")

    assert "categories: attack" in from_file.output
    assert "categories: attack" in from_stdin.output
    assert f"== drone: {JORDAN_DRONE.title}" in by_id.output and "== quiet" not in by_id.output
    assert "categories: attack" in by_id.output
    assert unknown.exit_code == 2 and "no article with id 'nothing'" in unknown.output


def test_explain_needs_no_notifier_variables(tmp_path, run_monitor, monkeypatch):
    monkeypatch.delenv("MONITOR_TEST_NEVER_SET_URL", raising=False)
    for name in ("rules.toml", "tallies.toml"):
        (tmp_path / name).write_text((REPO / "config" / name).read_text())
    (tmp_path / "monitor.toml").write_text('[[notifiers]]\nurl = "json://${MONITOR_TEST_NEVER_SET_URL}/"\n')

    result = run_monitor(
        tmp_path / "monitor.toml",
        "explain",
        "Drones hit a base hosting U.S. troops in Syria; Iran-backed militias claimed it.",
    )

    assert result.exit_code == 0, result.output
    assert "categories: attack" in result.output


def test_a_bad_publication_date_is_a_usage_error(run_monitor):
    result = run_monitor(CONFIG, "explain", "--published", "yesterday", "Some text.")

    assert result.exit_code == 2
    assert "not a YYYY-MM-DD date" in result.output
