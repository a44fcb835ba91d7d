"""Sentences of a text: where they break, and each one's offset in the text."""

from __future__ import annotations

import pytest

from monitor.text import split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rockets hit the camp. Nobody was hurt.", ["Rockets hit the camp.", "Nobody was hurt."]),
        # A line break always ends one; an end mark right before it needs no space.
        ("First line.\nSecond line\nThird", ["First line.", "Second line", "Third"]),
        (
            "Was it a drone? Officials said yes! Then silence.",
            ["Was it a drone?", "Officials said yes!", "Then silence."],
        ),
        ("Really?! They fired again.", ["Really?!", "They fired again."]),
        # No break after an abbreviation, nor before a lower-case word.
        (
            "U.S. troops left on Oct. 17 at dawn. Brig. Gen. Ryder said so.",
            ["U.S. troops left on Oct. 17 at dawn.", "Brig. Gen. Ryder said so."],
        ),
        (
            "The count rose to 12 vs. 9 a week ago. etc. and so on.",
            ["The count rose to 12 vs. 9 a week ago. etc. and so on."],
        ),
        # Closing quotes and brackets stay with the sentence they close.
        ('He said "it is over." The base was quiet.', ['He said "it is over."', "The base was quiet."]),
        ("(Two drones fell.) A third hit.", ["(Two drones fell.)", "A third hit."]),
        ("  \n\n  ", []),
        ("No end mark", ["No end mark"]),
    ],
)
def test_sentences_break_at_line_breaks_and_end_marks(text, expected):
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == expected
    for s in sentences:
        assert text[s.start : s.start + len(s.text)] == s.text
