"""Reported attack totals: count, qualifier, period and region, resolved against the publication date."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from conftest import REPO

from monitor.config import load_rules
from monitor.errors import ConfigError
from monitor.tallies import compile_tally_terms, extract_tallies, parse_number

_, TERMS = load_rules(REPO / "config" / "monitor.toml")


def tallies(text: str, published: str) -> list[tuple]:
    return [
        (t.count, t.qualifier, t.since and t.since.isoformat(), t.until and t.until.isoformat(), t.region)
        for t in extract_tallies(text, date.fromisoformat(published), TERMS)
    ]


@pytest.mark.parametrize(
    "words, value",
    [
        ("nine", 9),
        ("twenty-three", 23),
        ("a dozen", 12),
        ("five dozen", 60),
        ("two dozen", 24),
        ("1,140", 1140),
        ("169", 169),
        ("108th", 108),
        ("one hundred and thirty-five", 135),
        ("one hundred and eight", 108),
        ("a hundred", 100),
        ("two hundred", 200),
        ("twenty-fifth", 25),
        ("fifth", 5),
    ],
)
def test_numbers_in_words_and_digits(words, value):
    assert parse_number(words)[0] == value


_REPORTED = [
    # Periods in other words: a named start, "after"/"following"/"from", both ends, "as of".
    (
        "Between mid-October and early February, militias targeted U.S. forces in Iraq and Syria roughly 170 times.",
        "2024-04-23",
        [(170, "about", "2023-10-17", None, "total")],
    ),
    (
        "After Hamas' Oct. 7 attack on Israel, Iran-aligned groups carried out some 175 attacks on U.S. forces.",
        "2024-07-18",
        [(175, "about", "2023-10-07", None, "total")],
    ),
    (
        "Following the Oct. 7 assault by Hamas, militias attacked U.S. troops more than 150 times.",
        "2024-03-01",
        [(150, "more_than", "2023-10-07", None, "total")],
    ),
    (
        "U.S. troops have been attacked about 100 times since Israel began its offensive in Gaza.",
        "2023-12-26",
        [(100, "about", "2023-10-07", None, "total")],
    ),
    (
        "U.S. forces have come under attack 19 times since the Gaza war broke out.",
        "2023-11-01",
        [(19, "exact", "2023-10-07", None, "total")],
    ),
    (
        "As of Jan. 30, militias had attacked U.S. forces 166 times since Oct. 18.",
        "2024-02-03",
        [(166, "exact", "2023-10-18", "2024-01-30", "total")],
    ),
    (
        "Militias attacked U.S. forces at least 10 times on Friday and Saturday.",
        "2023-12-10",
        [(10, "at_least", "2023-12-08", "2023-12-09", "total")],
    ),
    (
        "U.S. bases were attacked at least six times in two days, officials said.",
        "2023-11-07",
        [(6, "at_least", None, None, "total")],
    ),
    (
        "U.S. forces have been attacked 74 times from October 17th until now, the spokeswoman said.",
        "2023-11-30",
        [(74, "exact", "2023-10-17", None, "total")],
    ),
    (
        "Since January, when the campaign resumed after Hamas' attack, U.S. troops were attacked 12 times.",
        "2024-03-01",
        [(12, "exact", "2024-01-01", None, "total")],
    ),
    # Number words with hundreds, and ordinals in words.
    (
        "Proxy groups have attacked U.S. personnel one hundred and eight times since Biden took office, the senator said.",
        "2023-11-20",
        [(108, "exact", "2021-01-20", None, "total")],
    ),
    (
        "By the senator's count, American troops have come under attack at least two hundred times since Biden took office.",
        "2024-03-01",
        [(200, "at_least", "2021-01-20", None, "total")],
    ),
    (
        "Saturday's drone was the fifth attack on U.S. troops since Wednesday.",
        "2023-10-21",
        [(5, "exact", "2023-10-18", None, "total")],
    ),
    (
        "Friday's rocket fire was the twenty-third attack on American forces since Oct. 17.",
        "2023-11-03",
        [(23, "exact", "2023-10-17", None, "total")],
    ),
    (
        "U.S. troops in Syria came under rocket fire on Monday, officials said, the 61st time American forces "
        "have been attacked since Oct. 17.",
        "2023-11-21",
        [(61, "exact", "2023-10-17", None, "total")],
    ),
    (
        "The attack was the 74th on U.S. forces in Iraq and Syria since Oct. 17, and the 40th in Syria.",
        "2023-12-01",
        [(74, "exact", "2023-10-17", None, "total"), (40, "exact", "2023-10-17", None, "Syria")],
    ),
    (
        "U.S. installations in Iraq and Syria have been targeted 165 times since mid-October, a spokesman said.",
        "2024-01-25",
        [(165, "exact", "2023-10-17", None, "total")],
    ),
    (
        "U.S. forces in Iraq have come under rocket or drone attack more than 40 times this year.",
        "2021-06-30",
        [(40, "more_than", "2021-01-01", None, "Iraq")],
    ),
    (
        "Since October, U.S. forces have been attacked over 170 times.",
        "2024-02-20",
        [(170, "more_than", "2023-10-01", None, "total")],
    ),
    (
        "Militias have struck U.S. forces at least 10 separate times in Iraq and three separate times in Syria since "
        "the strikes on Sunday.",
        "2024-01-25",
        [
            (10, "at_least", "2024-01-21", None, "Iraq"),
            (3, "at_least", "2024-01-21", None, "Syria"),
            (13, "at_least", "2024-01-21", None, "total"),
        ],
    ),
    (
        "There have been 38 attacks on U.S. forces since Oct. 17, 20 of them in Iraq, 18 in Syria.",
        "2023-11-20",
        [
            (38, "exact", "2023-10-17", None, "total"),
            (20, "exact", "2023-10-17", None, "Iraq"),
            (18, "exact", "2023-10-17", None, "Syria"),
        ],
    ),
    (
        "Of the 55 attacks on U.S. personnel since Oct. 17, 29 were in Iraq and 26 in Syria.",
        "2023-11-14",
        [
            (55, "exact", "2023-10-17", None, "total"),
            (29, "exact", "2023-10-17", None, "Iraq"),
            (26, "exact", "2023-10-17", None, "Syria"),
        ],
    ),
    (
        "Iraqi militias have launched nearly four dozen attacks on U.S. bases since Oct. 17.",
        "2023-11-09",
        [(48, "about", "2023-10-17", None, "total")],
    ),
    (
        "There have been four attacks on U.S. forces since the 28th of January, the spokesman said.",
        "2024-02-02",
        [(4, "exact", "2024-01-28", None, "total")],
    ),
    (
        "Proxy groups have launched more than 40 drone and rocket attacks on U.S. bases since Oct. 17.",
        "2023-11-12",
        [(40, "more_than", "2023-10-17", None, "total")],
    ),
    # Strikes count as attacks when aimed at US or coalition forces.
    (
        "Officials have recorded 103 strikes against U.S. forces in Iraq and Syria since Oct. 17.",
        "2023-12-28",
        [(103, "exact", "2023-10-17", None, "total")],
    ),
    (
        "Militias claimed more than a dozen strikes on American bases this week.",
        "2023-10-27",
        [(12, "more_than", None, None, "total")],
    ),
    (
        "The 66 attacks, 32 in Iraq and 34 in Syria, injured about 60 U.S. personnel.",
        "2023-11-20",
        [(66, "exact", None, None, "total"), (32, "exact", None, None, "Iraq"), (34, "exact", None, None, "Syria")],
    ),
    # A headline's passive without "were" is still the forces attacked.
    ("US troops in Syria hit at least five times in two days", "2023-11-07", [(5, "at_least", None, None, "Syria")]),
    # "once", "twice": counts that carry their own "times".
    (
        "Militants have targeted U.S. troops 118 times since Oct. 17: 53 times in Iraq, 64 in Syria and once in Jordan.",
        "2024-01-10",
        [
            (118, "exact", "2023-10-17", None, "total"),
            (53, "exact", "2023-10-17", None, "Iraq"),
            (64, "exact", "2023-10-17", None, "Syria"),
            (1, "exact", "2023-10-17", None, "Jordan"),
        ],
    ),
    (
        "U.S. forces in Syria have been attacked twice since the strikes on Friday.",
        "2024-02-05",
        [(2, "exact", "2024-02-02", None, "Syria")],
    ),
    (
        "Attacks on U.S. troops have climbed to more than 100 since the conflict began.",
        "2024-01-10",
        [(100, "more_than", "2023-10-07", None, "total")],
    ),
    # Figures reached, in other frames.
    (
        "Attacks on U.S. and coalition troops now stand at 160 since Oct. 17, a Pentagon official said.",
        "2024-01-20",
        [(160, "exact", "2023-10-17", None, "total")],
    ),
    (
        "The tally of attacks on American forces had stood at no fewer than 19 since Oct. 17, officials said.",
        "2023-11-01",
        [(19, "at_least", "2023-10-17", None, "total")],
    ),
    (
        "The count of attacks on U.S. bases has risen to 70 since Oct. 17.",
        "2023-11-25",
        [(70, "exact", "2023-10-17", None, "total")],
    ),
    (
        "Sunday's rocket fire brings to 200 the number of attacks on U.S. forces since Oct. 17.",
        "2024-02-04",
        [(200, "exact", "2023-10-17", None, "total")],
    ),
    (
        "That raised to more than 150 the total of attacks against U.S. personnel since mid-October.",
        "2024-01-25",
        [(150, "more_than", "2023-10-17", None, "total")],
    ),
    (
        "Militias have hit U.S. forces 169 times since Oct. 17, an official said.",
        "2024-02-05",
        [(169, "exact", "2023-10-17", None, "total")],
    ),
    (
        "Iran-backed groups struck at U.S. forces three times since the strikes on Friday.",
        "2024-02-05",
        [(3, "exact", "2024-02-02", None, "total")],
    ),
    (
        "Officials count more than five dozen attacks on U.S. troops in Iraq and Syria since mid-October.",
        "2023-11-20",
        [(60, "more_than", "2023-10-17", None, "total")],
    ),
    (
        "The blast was the 108th attack on U.S. forces since Oct. 17.",
        "2023-12-08",
        [(108, "exact", "2023-10-17", None, "total")],
    ),
    (
        "U.S. bases have come under attack nearly a dozen times since January.",
        "2024-03-10",
        [(12, "about", "2024-01-01", None, "total")],
    ),
    (
        "U.S. forces in Syria were attacked nine times this year.",
        "2024-03-10",
        [(9, "exact", "2024-01-01", None, "Syria")],
    ),
    (
        "Between Oct. 17 and Oct. 30, U.S. and coalition forces were attacked at least 14 times in Iraq and nine times in Syria.",
        "2023-10-31",
        [
            (14, "at_least", "2023-10-17", "2023-10-30", "Iraq"),
            (9, "at_least", "2023-10-17", "2023-10-30", "Syria"),
            (23, "at_least", "2023-10-17", "2023-10-30", "total"),
        ],
    ),
    (
        "U.S. troops have been attacked 61 times since Oct. 17. Of those, 29 have been in Iraq and 32 in Syria.",
        "2023-11-28",
        [
            (61, "exact", "2023-10-17", None, "total"),
            (29, "exact", "2023-10-17", None, "Iraq"),
            (32, "exact", "2023-10-17", None, "Syria"),
        ],
    ),
    (
        "American troops have been targeted almost two dozen times in the past two weeks. Officials count at least 23 "
        "attacks on U.S. forces since Oct. 17.",
        "2023-11-01",
        [(24, "about", None, None, "total"), (23, "at_least", "2023-10-17", None, "total")],
    ),
    (
        "Attacks on U.S. bases rose to 130 since Oct. 17, a spokesman told a briefing on Jan. 11.",
        "2024-01-12",
        [(130, "exact", "2023-10-17", "2024-01-11", "total")],
    ),
    (
        "The attack was the 144th on U.S. troops since Hamas's Oct. 7 assault on Israel.",
        "2024-01-21",
        [(144, "exact", "2023-10-07", None, "total")],
    ),
    # A qualifier before a total with its parts set beside it is one before the list (LABELS.md; two
    # readers of LABELS.md alone labelled it so); parts picked out of it ("including ...") are exact.
    (
        "Since Oct. 17, U.S. and coalition forces have been attacked at least 66 times \u2014 32 times in Iraq and "
        "34 times in Syria.",
        "2023-11-30",
        [
            (66, "at_least", "2023-10-17", None, "total"),
            (32, "at_least", "2023-10-17", None, "Iraq"),
            (34, "at_least", "2023-10-17", None, "Syria"),
        ],
    ),
    # Regional parts in their many shapes; a qualifier before a list of parts applies to each.
    (
        "Militias struck U.S. bases at least 9 times in Iraq and 14 in Syria since Oct. 17.",
        "2023-11-10",
        [
            (9, "at_least", "2023-10-17", None, "Iraq"),
            (14, "at_least", "2023-10-17", None, "Syria"),
            (23, "at_least", "2023-10-17", None, "total"),
        ],
    ),
    (
        "Officials have counted 140 attacks on U.S. forces since Oct. 17; Iraq accounted for 57 and Syria 83.",
        "2024-01-20",
        [
            (140, "exact", "2023-10-17", None, "total"),
            (57, "exact", "2023-10-17", None, "Iraq"),
            (83, "exact", "2023-10-17", None, "Syria"),
        ],
    ),
    (
        "U.S. troops have been attacked 40 times since Oct. 17. Of those, 25 hit bases in Syria and the other 15 "
        "targeted troops stationed in Iraq.",
        "2023-11-07",
        [
            (40, "exact", "2023-10-17", None, "total"),
            (25, "exact", "2023-10-17", None, "Syria"),
            (15, "exact", "2023-10-17", None, "Iraq"),
        ],
    ),
    (
        "U.S. troops have been attacked 40 times since Oct. 17. Seventeen of them were in Iraq, 23 in Syria.",
        "2023-11-07",
        [
            (40, "exact", "2023-10-17", None, "total"),
            (17, "exact", "2023-10-17", None, "Iraq"),
            (23, "exact", "2023-10-17", None, "Syria"),
        ],
    ),
    (
        "Militias launched at least eight attacks on American forces on Monday and Tuesday. Six of the attacks "
        "were in Syria and two in Iraq.",
        "2023-11-08",
        [
            (8, "at_least", "2023-11-06", "2023-11-07", "total"),
            (6, "exact", "2023-11-06", "2023-11-07", "Syria"),
            (2, "exact", "2023-11-06", "2023-11-07", "Iraq"),
        ],
    ),
    (
        "Pro-Iran groups have attacked U.S. forces 166 times since Oct. 18: 67 in Iraq, 98 in Syria and one in Jordan.",
        "2024-02-03",
        [
            (166, "exact", "2023-10-18", None, "total"),
            (67, "exact", "2023-10-18", None, "Iraq"),
            (98, "exact", "2023-10-18", None, "Syria"),
            (1, "exact", "2023-10-18", None, "Jordan"),
        ],
    ),
    (
        "U.S. forces have come under attack 120 times since Biden took office, and 45 of those attacks came after "
        "Hamas' Oct. 7 assault.",
        "2023-11-20",
        [(120, "exact", "2021-01-20", None, "total"), (45, "exact", "2023-10-07", None, "total")],
    ),
    (
        "U.S. forces have come under attack 60 times since Oct. 17; two of those attacks wounded troops in Syria.",
        "2023-11-20",
        [(60, "exact", "2023-10-17", None, "total")],
    ),
    (
        "That brings the total number of attacks on US and coalition forces to 66.",
        "2023-11-30",
        [(66, "exact", None, None, "total")],
    ),
    (
        "US forces have come under fire more than 170 times since October.",
        "2024-02-20",
        [(170, "more_than", "2023-10-01", None, "total")],
    ),
    (
        "Militias have launched some 170 attacks on U.S. troops in Iraq, Syria and Jordan since the Gaza war began.",
        "2024-02-20",
        [(170, "about", "2023-10-07", None, "total")],
    ),
    (
        "The number of attacks on American forces in Iraq and Syria climbed to 40 on Monday.",
        "2023-11-07",
        [(40, "exact", None, None, "total")],
    ),
    (
        "Attacks against U.S. troops now number 66 since Oct. 17, officials said.",
        "2023-11-20",
        [(66, "exact", "2023-10-17", None, "total")],
    ),
    (
        "U.S. forces came under rocket fire again on Sunday, bringing the total since Oct. 17 to 76, an official said.",
        "2023-12-04",
        [(76, "exact", "2023-10-17", None, "total")],
    ),
    (
        "BETWEEN OCTOBER 17TH AND 24TH, U.S. FORCES WERE ATTACKED AT LEAST 13 TIMES, THE PENTAGON SAID.",
        "2023-10-25",
        [(13, "at_least", "2023-10-17", "2023-10-24", "total")],
    ),
    (
        "\u201cSince Oct.\u00a017, U.S.\u00a0forces have been attacked 46\u00a0times,\u201d the Pentagon\u2019s "
        "spokesman told reporters in Washington.",
        "2023-11-10",
        [(46, "exact", "2023-10-17", None, "total")],
    ),
]


@pytest.mark.parametrize("text, published, expected", _REPORTED)
def test_reported_totals(text, published, expected):
    assert tallies(text, published) == expected


@pytest.mark.parametrize(
    "title, text, published, expected",
    [
        # The start in the sentence after, or before, in the same paragraph.
        (
            "",
            "U.S. forces in Iraq and Syria have been attacked 38 times. The attacks began on Oct. 17, officials said.",
            "2023-11-05",
            [(38, "exact", "2023-10-17", None, "total")],
        ),
        (
            "",
            "Militias began firing on American bases on Oct. 18. Since then, U.S. troops have come under attack 41 times.",
            "2023-11-09",
            [(41, "exact", "2023-10-18", None, "total")],
        ),
        # Not across a paragraph break.
        (
            "",
            "U.S. forces in Iraq and Syria have been attacked 38 times.\nThe attacks began on Oct. 17, officials said.",
            "2023-11-05",
            [(38, "exact", None, None, "total")],
        ),
        # The start in the headline; the headline's own figure is the body's, said once.
        (
            "Attacks on US troops since Oct. 17 climb to 60",
            "Two more rocket attacks hit bases hosting U.S. forces on Sunday, bringing the total to 60.",
            "2023-11-20",
            [(60, "exact", "2023-10-17", None, "total")],
        ),
        # A figure only the headline gives.
        (
            "Three more attacks on US troops in Syria since Friday's strikes",
            "Rockets and drones were fired at bases in eastern Syria on Saturday and Sunday, officials said.",
            "2024-02-05",
            [(3, "exact", "2024-02-02", None, "Syria")],
        ),
        (
            "",
            "Attacks on American troops in the region now stand at 160, according to the Pentagon. They began on Oct. 17.",
            "2024-01-25",
            [(160, "exact", "2023-10-17", None, "total")],
        ),
        # Two counters, two series.
        (
            "",
            "The Pentagon says U.S. forces have been attacked 166 times since Oct. 17.\nA monitoring group that tracks "
            "the claims counts 180 attacks on U.S. bases since Oct. 18.",
            "2024-02-10",
            [(166, "exact", "2023-10-17", None, "total"), (180, "exact", "2023-10-18", None, "total")],
        ),
        # A start stated nearby for something else does not pass to a figure.
        (
            "",
            "The U.S. military began airstrikes in Iraq and Syria on Feb. 2. U.S. troops had been attacked more than "
            "160 times.",
            "2024-02-10",
            [(160, "more_than", None, None, "total")],
        ),
        # A smaller count beside a total does not take the total's start; one day's count is that day's.
        (
            "",
            "U.S. forces have been attacked 66 times since Oct. 17. On Tuesday alone there were three attacks on U.S. bases.",
            "2023-11-30",
            [(66, "exact", "2023-10-17", None, "total"), (3, "exact", "2023-11-28", "2023-11-28", "total")],
        ),
        # A start stated for a figure with no target named: "they" are the troops of the sentence before.
        (
            "",
            "A drone wounded three U.S. service members. They have been attacked about 100 times since the war in Gaza began.",
            "2023-12-26",
            [(100, "about", "2023-10-07", None, "total")],
        ),
    ],
)
def test_a_period_stated_beside_the_figure_or_in_the_headline(title, text, published, expected):
    found = classify(title, text, date.fromisoformat(published), RULES, TERMS).tallies
    assert [
        (t.count, t.qualifier, t.since and t.since.isoformat(), t.until and t.until.isoformat(), t.region)
        for t in found
    ] == expected


def test_the_same_figure_said_twice_is_one_tally():
    text = "U.S. forces have been attacked 74 times since Oct. 17. The count of attacks on U.S. forces reached 74 since Oct. 17."

    assert tallies(text, "2023-11-30") == [(74, "exact", "2023-10-17", None, "total")]


_NOT_TALLIES = [
    "It was the first attack on U.S. forces since April.",
    "U.S. troops at the base were attacked twice on Sunday, officials said.",
    "Militias fired twice as many rockets at U.S. bases in November as in October.",
    "U.S. forces have struck Iran-backed groups in Iraq and Syria seven times since Oct. 17.",
    "Coalition forces have carried out 12 raids on militia hideouts since January, in response to attacks.",
    "American troops hit militia launch sites three times since the attack on the base on Sunday.",
    "U.S. jets conducted 85 strikes on militia sites in Iraq and Syria after the attack on U.S. troops.",
    "The U.S. has carried out more than 20 strikes against Iran-backed groups since the attacks on its forces began.",
    "Twenty personnel were hurt when two one-way attack drones targeted U.S. forces at the base.",
    "A contractor died during a shelter-in-place order, though not during one of the attacks on U.S. forces.",
    "U.S. forces struck Houthi targets in Yemen 13 times since Jan. 11.",
    "The drone attack on Tower 22 killed three U.S. soldiers and wounded more than 40 troops.",
    "U.S. warplanes hit 85 targets at seven sites in retaliation for the attack on U.S. troops.",
    "Israel has carried out more than 300 strikes in Gaza since the attack on Oct. 7.",
    "The strikes were the third round of U.S. retaliation for attacks on its forces since Oct. 17.",
    "The attack on U.S. forces brings to 34 the number of service members wounded since Oct. 17.",
    "Attacks on U.S. troops have pushed the number of injured to 45 since Oct. 17.",
    "The militia attack on U.S. troops at the base raised to 12 the number of rockets fired this week.",
    "Militants fired 10 rockets at a base hosting U.S. troops on Wednesday.",
    "U.S. forces struck 85 targets at seven sites in Iraq and Syria.",
    "The attack on U.S. troops wounded 40 service members and killed three.",
    "About 2,500 U.S. troops are in Iraq and 900 in Syria to counter attacks by militants.",
    "Houthi rebels have carried out 27 attacks on ships in the Red Sea since Nov. 19.",
    "The strikes killed 16 people in Iraq, while attacks on Gaza have killed 20,000 since Oct. 7.",
    "Following two more rocket attacks, the United States fired back on Thursday.",
    "The drone attack on the U.S. outpost raised the death toll to 3 on Sunday.",
]


@pytest.mark.parametrize("text", _NOT_TALLIES)
def test_counts_of_other_things_are_not_tallies(text):
    assert tallies(text, "2024-02-05") == []


def test_a_tallies_file_without_casualty_words_still_loads_and_a_bad_list_is_named():
    raw = tomllib.loads((REPO / "config" / "tallies.toml").read_text())
    del raw["casualties"]

    assert compile_tally_terms(raw, "tallies.toml").casualties == frozenset()
    with pytest.raises(ConfigError) as e:
        compile_tally_terms({**raw, "casualties": "toll"}, "tallies.toml")
    assert e.value.key == "casualties"


# ---------------------------------------------------------------- explain and the gate

from builders import JORDAN_DRONE, KH_STRIKES  # noqa: E402
from conftest import SHARED  # noqa: E402

from monitor.classify import classify  # noqa: E402
from monitor.tallies import explain_tallies, tallies_in  # noqa: E402
from monitor.text import Tokens, normalise  # noqa: E402

RULES, _ = load_rules(REPO / "config" / "monitor.toml")

# Articles in our own words, each a headline, a publication day and paragraphs.
EXPLAINED = [
    (
        "Militia drones hit US base again",
        "2024-01-10",
        "A drone struck a base hosting U.S. troops in western Iraq on Tuesday.\n"
        "U.S. forces have been attacked 127 times since Oct. 17, a defense official said. Of those, 53 were in Iraq "
        "and 74 in Syria.\nMilitants fired 10 rockets in the attack on U.S. forces, which wounded two service members.",
    ),
    (
        "Pentagon: attacks on troops reach 40",
        "2023-11-06",
        "Officials counted at least 40 attacks on American forces in Iraq and Syria since October 17.\n"
        "Attacks on U.S. forces in Iraq and Syria climbed to 40 this week, the spokesman repeated.\n"
        "About 900 U.S. troops are in Syria.",
    ),
    ("Quiet week for US forces", "2024-05-02", "No attack on U.S. forces was reported, officials said."),
]


def _article_cases():
    cases = [(title, date.fromisoformat(day), text) for title, day, text in EXPLAINED]
    cases += [(s.title, s.published.date(), s.text) for s in (JORDAN_DRONE, KH_STRIKES)]
    return cases


@pytest.mark.parametrize("title, published, text", _article_cases())
def test_the_figures_explain_takes_are_the_tallies_classify_returns(title, published, text):
    traces = explain_tallies(title, text, published, TERMS)
    taken = [t.tally for t in traces if t.taken]

    assert taken == list(classify(title, text, published, RULES, TERMS).tallies)
    assert all(t.reason for t in traces)
    assert all((t.tally is not None) == t.taken for t in traces)


def test_explain_says_why_a_figure_is_rejected_and_which_phrase_set_its_period():
    title, day, text = EXPLAINED[0]
    traces = explain_tallies(title, text, date.fromisoformat(day), TERMS)
    by_figure = {t.figure: t for t in traces}

    assert by_figure["127"].taken and by_figure["127"].period_phrase.startswith("since Oct. 17")
    assert by_figure["53"].taken and by_figure["53"].tally.region == "Iraq"
    assert not by_figure["10"].taken and "rockets" in by_figure["10"].reason
    assert not by_figure["two"].taken


def _sentences_to_try() -> list[tuple[str, str]]:
    """Sentences in our own words from this file, every sentence of the probe sets in tests/data, and,
    when the corpus is beside the clone, every sentence of it: (text, publication day)."""
    own = [(text, published) for text, published, _ in _REPORTED] + [(t, "2024-02-05") for t in _NOT_TALLIES]
    own += [(text, day) for _, day, text in EXPLAINED]
    corpus = SHARED / "corpus"
    # The probe sets in tests/data too: written apart from the corpus, they hold wordings it has not.
    paths = (sorted(corpus.glob("*.jsonl")) if corpus.is_dir() else []) + sorted(
        (REPO / "tests" / "data").glob("*.jsonl")
    )
    import json

    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                own.append((row.get("title", "") + "\n" + row.get("text", ""), str(row.get("published"))[:10]))
    return own


def test_the_quick_gate_never_rejects_a_sentence_the_grammar_takes():
    """The gate (is there a number near a counted noun, an ordinal, a figure reached?) only saves
    time: with it off, the grammar alone must find exactly the same tallies."""
    checked = 0
    for text, day in _sentences_to_try():
        tokens = Tokens.of(normalise(text))
        published = date.fromisoformat(day)
        # Each sentence alone (so a rejected one cannot hide behind an earlier total), then the whole text.
        for first in range(len(tokens.sentences)):
            alone = Tokens.of(tokens.sentences[first].text)
            assert tallies_in(alone, 0, published, TERMS) == tallies_in(alone, 0, published, TERMS, gate=False), (
                alone.sentences[0].text
            )
            checked += 1
        assert tallies_in(tokens, 0, published, TERMS) == tallies_in(tokens, 0, published, TERMS, gate=False), text[
            :200
        ]
    assert checked >= len(_REPORTED)


@pytest.mark.parametrize(
    "text, published, expected",
    [
        # "as of today" ends the period on the day it was said.
        (
            "As of today, American forces have been attacked 61 times since Oct. 17, a spokesman said.",
            "2023-11-20",
            [(61, "exact", "2023-10-17", "2023-11-20", "total")],
        ),
        # "the figure stood at": a total reached; its start from the sentence before, its end its own.
        (
            "In early November officials counted 40 attacks on U.S. troops since Oct. 17. As of Friday the figure "
            "for attacks on U.S. troops stood at 70.",
            "2023-12-04",
            [(40, "exact", "2023-10-17", None, "total"), (70, "exact", "2023-10-17", "2023-12-01", "total")],
        ),
        # Attacks "that began" on a day start the count; a lull that began does not.
        (
            "The raid answered a run of attacks on U.S. personnel that began on Oct. 17. U.S. forces have been "
            "attacked at least 19 times in that time.",
            "2023-10-27",
            [(19, "at_least", "2023-10-17", None, "total")],
        ),
        (
            "U.S. troops have been attacked more than 30 times this year, most before a lull that began in March.",
            "2024-05-10",
            [(30, "more_than", "2024-01-01", None, "total")],
        ),
        # Fired at them so many times.
        (
            "Iran-aligned factions fired rockets at bases hosting U.S. troops more than 90 times, officials said.",
            "2024-03-08",
            [(90, "more_than", None, None, "total")],
        ),
        # The count named again, with no attack word: it grew from the total before.
        (
            "Officials counted 25 attacks on U.S. forces since Oct. 17. A month later the count had grown to 70.",
            "2023-12-20",
            [(25, "exact", "2023-10-17", None, "total"), (70, "exact", "2023-10-17", None, "total")],
        ),
        # A number in a name is no part ("Tower 22"); a region before a figure still is ("Syria 83").
        (
            "U.S. forces were attacked 30 times since Oct. 17. By the time a drone hit Tower 22 in Jordan, the tally "
            "had grown to 165.",
            "2024-02-12",
            [(30, "exact", "2023-10-17", None, "total"), (165, "exact", "2023-10-17", None, "total")],
        ),
        # People hurt just before a number: no regional part.
        (
            "U.S. forces have been attacked 60 times since Oct. 17, the last of them when a drone killed six allied "
            "guards at a base in eastern Syria.",
            "2024-03-10",
            [(60, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_ends_said_as_of_today_totals_named_again_names_and_casualties(text, published, expected):
    assert tallies(text, published) == expected


@pytest.mark.parametrize(
    "title, text, published, expected",
    [
        # Ships in another clause leave the count of attacks on US forces; in its own clause they void it.
        (
            "",
            "Since Oct. 17, militias have attacked U.S. troops 80 times, while Houthi rebels have fired on 25 "
            "merchant ships.",
            "2023-12-28",
            [(80, "exact", "2023-10-17", None, "total")],
        ),
        ("", "Houthi boats have attacked 12 ships carrying goods for U.S. forces since Nov. 19.", "2023-12-28", []),
        # A second counter with its own start, after ", including".
        (
            "",
            "The strikes took to at least 90 the number of times U.S. forces have been attacked since Oct. 17, "
            "including at least 25 since early December.",
            "2023-12-28",
            [(90, "at_least", "2023-10-17", None, "total"), (25, "at_least", "2023-12-01", None, "total")],
        ),
        # Regional parts that add up to the headline's total take its start.
        (
            "Militias hit U.S. forces 100 times since Oct. 17",
            "Officials broke down the 40 attacks on U.S. troops in Iraq and 60 in Syria.",
            "2024-01-05",
            [
                (40, "exact", "2023-10-17", None, "Iraq"),
                (60, "exact", "2023-10-17", None, "Syria"),
                (100, "exact", "2023-10-17", None, "total"),
            ],
        ),
        # A figure aimed at US forces, what it counts said before it.
        (
            "",
            "It was the worst of the attacks, more than 120 on U.S. forces since the war in Gaza began.",
            "2024-01-29",
            [(120, "more_than", "2023-10-07", None, "total")],
        ),
        # Not without what is counted before it.
        ("", "Officials said 120 on U.S. forces would be rotated home since the war in Gaza began.", "2024-01-29", []),
    ],
)
def test_other_actors_by_clause_second_counters_parts_of_a_headline_total(title, text, published, expected):
    found = classify(title, text, date.fromisoformat(published), RULES, TERMS).tallies
    assert [
        (t.count, t.qualifier, t.since and t.since.isoformat(), t.until and t.until.isoformat(), t.region)
        for t in found
    ] == expected


@pytest.mark.parametrize(
    "text, published, expected",
    [
        # A halt dated with "since" in the sentence before is no start of the count.
        (
            "The premier said attacks on U.S. forces had stopped since early March. Before that, armed factions fired "
            "at bases hosting U.S. troops more than 120 times.",
            "2024-04-02",
            [(120, "more_than", None, None, "total")],
        ),
        # A start said as "the first came on".
        (
            "Officials have logged 30 attacks on U.S. troops. The first came on Oct. 18, eleven days after Hamas' "
            "attack on Israel.",
            "2023-11-03",
            [(30, "exact", "2023-10-18", None, "total")],
        ),
        # "the start of <year>".
        (
            "U.S. troops in Syria have been attacked 64 times since the start of 2022, commanders said.",
            "2023-02-10",
            [(64, "exact", "2022-01-01", None, "Syria")],
        ),
        # The total named again by its figure; its parts take its start.
        (
            "It was the 48th attack on U.S. forces since Oct. 17. Of the 48, 20 were in Iraq and 28 in Syria.",
            "2023-11-16",
            [
                (48, "exact", "2023-10-17", None, "total"),
                (20, "exact", "2023-10-17", None, "Iraq"),
                (28, "exact", "2023-10-17", None, "Syria"),
            ],
        ),
        # "Of the" another figure is no reference to the total.
        (
            "It was the 48th attack on U.S. forces since Oct. 17. Of the 12 wounded, 3 were in Iraq and 9 in Syria.",
            "2023-11-16",
            [(48, "exact", "2023-10-17", None, "total")],
        ),
        # "The figure" names the total again; "as of" ends it.
        (
            "Officials counted 50 attacks on U.S. forces since Oct. 17. As of Monday, the figure stood at 90.",
            "2023-12-20",
            [(50, "exact", "2023-10-17", None, "total"), (90, "exact", "2023-10-17", "2023-12-18", "total")],
        ),
        # Modifiers between the figure and what it counts: "small-scale strikes on U.S. bases".
        (
            "Militias claimed more than a dozen small-scale strikes on U.S. bases in the region.",
            "2023-10-27",
            [(12, "more_than", None, None, "total")],
        ),
    ],
)
def test_halts_first_attacks_year_starts_and_totals_named_by_their_figure(text, published, expected):
    assert tallies(text, published) == expected


@pytest.mark.parametrize(
    "text, published, expected",
    [
        # Bases of one region named beside the figure: that region's count.
        (
            "Ain al-Asad and the Harir air base have been the targets of four attacks on U.S. forces since Tuesday.",
            "2023-10-27",
            [(4, "exact", "2023-10-24", None, "Iraq")],
        ),
        # "the base" named again, in an article whose bases are all in one region.
        (
            "Rockets struck the Conoco gas field base on Sunday. It was the third time in recent weeks that the base, "
            "which hosts U.S. troops, has come under attack.",
            "2024-08-06",
            [(3, "exact", None, None, "Syria")],
        ),
        # A base in another clause does not narrow the count.
        (
            "U.S. forces have been attacked 120 times since Oct. 17, including a drone attack at Tower 22 in Jordan.",
            "2024-02-01",
            [(120, "exact", "2023-10-17", None, "total")],
        ),
        # Bases of two regions in the article: "the base" cannot say which.
        (
            "A drone hit al-Tanf and rockets hit Ain al-Asad. It was the fifth attack on the base housing U.S. troops "
            "in recent weeks.",
            "2024-08-06",
            [(5, "exact", None, None, "total")],
        ),
    ],
)
def test_a_count_of_attacks_on_the_bases_of_one_region_is_that_regions(text, published, expected):
    assert tallies(text, published) == expected


@pytest.mark.parametrize(
    "title, text, expected",
    [
        # An ordinal right after a sentence that names US forces counts the attacks on them; its start
        # from the headline.
        (
            "Attacks on US troops since Oct. 17 keep coming",
            "Rockets hit U.S. forces at Union III on Friday.\n\nIt was the 81st attack, a spokesman said.",
            [(81, "exact", "2023-10-17", None, "total")],
        ),
        # Not a cardinal, and not after a sentence without the target.
        (
            "Attacks on US troops since Oct. 17 keep coming",
            "Rockets hit U.S. forces at Union III on Friday.\n\nThere were 81 attacks, a spokesman said.",
            [],
        ),
        (
            "Attacks on US troops since Oct. 17 keep coming",
            "Rockets hit a market in Baghdad on Friday.\n\nIt was the 81st attack, a spokesman said.",
            [],
        ),
    ],
)
def test_an_ordinal_after_a_sentence_naming_us_forces(title, text, expected):
    found = classify(title, text, date(2023, 12, 4), RULES, TERMS).tallies
    assert [
        (t.count, t.qualifier, t.since and t.since.isoformat(), t.until and t.until.isoformat(), t.region)
        for t in found
    ] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A militia's "operations" count when aimed at US forces, as a cardinal or an ordinal.
        (
            "The group says it has mounted over 90 operations against U.S. troops in Iraq and Syria since Oct. 18.",
            [(90, "more_than", "2023-10-18", None, "total")],
        ),
        (
            "A rocket attack on Ain al-Asad on Sunday was the faction's 41st operation against American forces"
            " since Oct. 18, it said.",
            [(41, "exact", "2023-10-18", None, "total")],
        ),
        # Not operations of other kinds, nor aimed at anyone else.
        ("U.S. forces in Syria have carried out 12 operations against Islamic State cells since Oct. 18.", []),
        ("The militias have claimed 30 operations against Israel since Oct. 18, targeting U.S. bases too.", []),
        # "occasions" counts like "times".
        (
            "U.S. personnel in Iraq and Syria have come under attack on at least 61 occasions since Oct. 17.",
            [(61, "at_least", "2023-10-17", None, "total")],
        ),
        # Responses counted are not attacks on US forces.
        ("Washington has struck back on four occasions since the attacks on American troops began on Oct. 17.", []),
        ("The U.S. has retaliated six times since Oct. 17 for attacks on American troops.", []),
    ],
)
def test_operations_and_occasions(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "as of yesterday": the day before publication ends the period; "as of" a weekday, that day.
        (
            "As of yesterday, U.S. forces had been attacked 52 times since Oct. 17, an official said.",
            [(52, "exact", "2023-10-17", "2023-12-03", "total")],
        ),
        (
            "U.S. forces had been attacked 52 times since Oct. 17 as of Friday, an official said.",
            [(52, "exact", "2023-10-17", "2023-12-01", "total")],
        ),
        # "yesterday" said otherwise sets no end.
        (
            "U.S. forces, attacked again yesterday, have been attacked 52 times since Oct. 17.",
            [(52, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_as_of_yesterday_sets_until(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "title, text, expected",
    [
        # A total named again with no start of its own, after a headline without one: the start from
        # its neighbour.
        (
            "Tally of attacks on American forces climbs to 52",
            "The tally now stands at 52. The attacks started on Oct. 17, officials say.",
            [(52, "exact", "2023-10-17", None, "total")],
        ),
        # No start anywhere: none.
        (
            "Tally of attacks on American forces climbs to 52",
            "The tally now stands at 52, officials say.",
            [(52, "exact", None, None, "total")],
        ),
    ],
)
def test_a_total_named_again_takes_a_start_from_its_neighbours(title, text, expected):
    found = classify(title, text, date(2023, 12, 4), RULES, TERMS).tallies
    assert [
        (t.count, t.qualifier, t.since and t.since.isoformat(), t.until and t.until.isoformat(), t.region)
        for t in found
    ] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A part after another, said of one region's bases; then the overall count, larger than the parts.
        (
            "U.S. troops in Syria have been attacked 30 times since Oct. 17, while bases in Iraq have drawn"
            " about 25 attacks. That takes the overall count since Oct. 17 to 61.",
            [
                (30, "exact", "2023-10-17", None, "Syria"),
                (25, "about", "2023-10-17", None, "Iraq"),
                (61, "exact", "2023-10-17", None, "total"),
            ],
        ),
        # Without the larger total, the parts add up to one.
        (
            "U.S. troops in Syria have been attacked 30 times since Oct. 17, while bases in Iraq have drawn"
            " 25 attacks.",
            [
                (30, "exact", "2023-10-17", None, "Syria"),
                (25, "exact", "2023-10-17", None, "Iraq"),
                (55, "exact", "2023-10-17", None, "total"),
            ],
        ),
        # A place after other words is no region of the count.
        (
            "U.S. troops have been attacked 30 times since Oct. 17, while officials in Iraq count 25 attacks.",
            [(30, "exact", "2023-10-17", None, "total"), (25, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_bases_of_one_region_and_an_overall_count(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A count on the sites or facilities of one country is that country's.
        (
            "Militias have fired at U.S. military sites in Syria at least nine times since March.",
            [(9, "at_least", "2023-03-01", None, "Syria")],
        ),
        (
            "Militias have fired at U.S. military sites in Iraq and Syria at least nine times since March.",
            [(9, "at_least", "2023-03-01", None, "total")],
        ),
        # A figure reached, then its parts after a dash.
        (
            "Attacks on U.S. troops since Oct. 17 now total 44 - 19 in Iraq and 25 in Syria.",
            [
                (44, "exact", "2023-10-17", None, "total"),
                (19, "exact", "2023-10-17", None, "Iraq"),
                (25, "exact", "2023-10-17", None, "Syria"),
            ],
        ),
        # "operations against the bases of the American ..." are aimed at US forces; of another army's, not.
        (
            "The faction said it had launched 35 operations against the bases of the American forces since Oct. 18.",
            [(35, "exact", "2023-10-18", None, "total")],
        ),
        (
            "The faction said it had launched 35 operations against the bases of the Turkish army since Oct. 18.",
            [],
        ),
    ],
)
def test_sites_of_one_country_a_dash_before_parts_and_bases_of_us_forces(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, published, expected",
    [
        # An ordinal aimed at US bases, its start a named event: the militias' name for Oct. 7.
        (
            "The group said the operation was its 95th against American bases since the Al-Aqsa Flood began.",
            "2023-12-04",
            [(95, "exact", "2023-10-07", None, "total")],
        ),
        # The Soleimani strike as a start.
        (
            "Rockets have been fired at U.S. troops 15 times since the killing of Soleimani, officials said.",
            "2020-06-01",
            [(15, "exact", "2020-01-03", None, "total")],
        ),
        # Before it happened, no such start.
        (
            "Rockets have been fired at U.S. troops 15 times since the killing of Soleimani, officials said.",
            "2019-06-01",
            [(15, "exact", None, None, "total")],
        ),
        # An operation of another kind with a figure is no count.
        (
            "The operation freed 40 hostages held near a U.S. base since Oct. 7, officials said.",
            "2023-12-04",
            [],
        ),
    ],
)
def test_an_ordinal_operation_and_named_starts(text, published, expected):
    assert tallies(text, published) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A part of a total with a window of its own that rolls: a count with no start.
        (
            "U.S. forces have been attacked 75 times since Oct. 17 - nine of them in the past week, an official said.",
            [(75, "exact", "2023-10-17", None, "total"), (9, "exact", None, None, "total")],
        ),
        # A part said only of a place stays a regional part of the total.
        (
            "U.S. forces have been attacked 75 times since Oct. 17 - nine of them in Jordan, an official said.",
            [(75, "exact", "2023-10-17", None, "total"), (9, "exact", "2023-10-17", None, "Jordan")],
        ),
    ],
)
def test_a_part_in_a_rolling_window(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "By <date>," opening the sentence dates the count, like "as of".
        (
            "By Nov. 20, U.S. forces had been attacked 66 times since Oct. 17.",
            [(66, "exact", "2023-10-17", "2023-11-20", "total")],
        ),
        # "by" elsewhere does not.
        (
            "U.S. forces had been attacked by militias 66 times since Oct. 17, by Pentagon figures for Nov. 20.",
            [(66, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_by_a_date_opening_the_sentence_sets_until(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "from" across a clause is no range: the rolling window holds.
        (
            "U.S. forces were attacked 14 times in the past week, by figures from officials, though a truce"
            " held until Friday.",
            [(14, "exact", None, None, "total")],
        ),
        # A range from one date to another, the first with its year.
        (
            "U.S. forces were attacked 41 times from Oct. 17, 2023, to Nov. 10.",
            [(41, "exact", "2023-10-17", "2023-11-10", "total")],
        ),
    ],
)
def test_from_spans_no_clause(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A rolling window's count right after a total, with no target of its own.
        (
            "Militias have attacked U.S. forces 80 times since Oct. 17. In the past week alone, there were 15 attacks.",
            [(80, "exact", "2023-10-17", None, "total"), (15, "exact", None, None, "total")],
        ),
        # Not after a sentence with no total, nor with no rolling window.
        (
            "Militias have attacked U.S. forces again. In the past week alone, there were 15 attacks.",
            [],
        ),
        (
            "Militias have attacked U.S. forces 80 times since Oct. 17. Elsewhere there were 15 attacks.",
            [(80, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_a_rolling_count_right_after_a_total(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # After "such", the noun decides what an ordinal counts.
        (
            "After the attacks on its troops, the U.S. bombed a depot in Syria, the third such raid this month.",
            [],
        ),
        (
            "A rocket hit the base housing U.S. troops near Qaim, the ninth such attack since Oct. 17.",
            [(9, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_an_ordinal_after_such_counts_only_attacks(text, expected):
    assert tallies(text, "2023-12-04") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # One named day's count: that day is both its start and its end.
        (
            "Militants fired on U.S. troops four times on Tuesday, a defense official said.",
            [(4, "exact", "2023-11-28", "2023-11-28", "total")],
        ),
        (
            "On Sunday alone, U.S. bases in Syria came under attack five times.",
            [(5, "exact", "2023-12-03", "2023-12-03", "Syria")],
        ),
        # Not the day it was said, nor a range of days.
        (
            "U.S. forces have been attacked 70 times since Oct. 17, an official said on Tuesday.",
            [(70, "exact", "2023-10-17", None, "total")],
        ),
        (
            "There were six attacks on U.S. forces on Friday and Saturday.",
            [(6, "exact", "2023-12-01", "2023-12-02", "total")],
        ),
        # A participle with a new total is a clause of its own: each count keeps its own period.
        # "twice" is mostly one day's incidents, no count (see _NOT_TALLIES); the total keeps its start.
        (
            "U.S. troops were attacked twice on Monday, bringing the total since Oct. 17 to 72.",
            [(72, "exact", "2023-10-17", None, "total")],
        ),
        (
            "U.S. troops were attacked three times on Monday, bringing the total since Oct. 17 to 73.",
            [(3, "exact", "2023-12-04", "2023-12-04", "total"), (73, "exact", "2023-10-17", None, "total")],
        ),
        (
            "Drones hit U.S. bases three times over the past two days, raising the count since Oct. 17 to 75.",
            [(3, "exact", None, None, "total"), (75, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_one_days_count_and_a_participle_carrying_a_new_total(text, expected):
    assert tallies(text, "2023-12-05") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The count of attacks on U.S. forces since Oct. 17 has now passed 90.", [(90, "more_than")]),
        ("Attacks on U.S. troops since Oct. 17 exceed 90, officials said.", [(90, "more_than")]),
        ("Attacks on U.S. troops since Oct. 17 have surpassed 90, officials said.", [(90, "more_than")]),
        ("Attacks on U.S. troops since Oct. 17 have risen to 90, officials said.", [(90, "exact")]),
        ("Attacks on U.S. troops since Oct. 17 have topped roughly 90.", [(90, "about")]),
    ],
)
def test_a_figure_gone_past_is_more_than_it(text, expected):
    assert [(t[0], t[1]) for t in tallies(text, "2023-12-05")] == expected


@pytest.mark.parametrize(
    "title, text, published, expected",
    [
        # A weekend's count runs from its Saturday to its Sunday.
        (
            "",
            "Militants attacked U.S. forces nine times over the weekend, an official said Monday.",
            "2024-01-22",
            [(9, "exact", "2024-01-20", "2024-01-21", "total")],
        ),
        # "near" a figure reached is about it.
        (
            "",
            "Attacks on U.S. forces since Oct. 17 are nearing 90.",
            "2023-12-05",
            [(90, "about", "2023-10-17", None, "total")],
        ),
        # A headline's figure with no period near it takes the start of the body's first total.
        (
            "Attacks on U.S. troops near 90 as talks stall",
            "Iran-backed groups have attacked U.S. forces 88 times since Oct. 17, the Pentagon said.",
            "2023-12-05",
            [(90, "about", "2023-10-17", None, "total"), (88, "exact", "2023-10-17", None, "total")],
        ),
        # A rolling headline keeps its own window.
        (
            "Nine attacks on U.S. bases in a week",
            "Iran-backed groups have attacked U.S. forces 88 times since Oct. 17, the Pentagon said.",
            "2023-12-05",
            [(9, "exact", None, None, "total"), (88, "exact", "2023-10-17", None, "total")],
        ),
        # A capitalised word before a qualifier is no name: "the Middle East more than 70 times".
        (
            "",
            "Proxies have fired at U.S. troops in the Middle East more than 70 times since Oct. 7.",
            "2023-12-05",
            [(70, "more_than", "2023-10-07", None, "total")],
        ),
        # An ordinal followed by its period; US interests are a target.
        (
            "",
            "A rocket hit the embassy compound. It was the 33rd attack this year on U.S. interests in Iraq.",
            "2021-06-10",
            [(33, "exact", "2021-01-01", None, "Iraq")],
        ),
        # The US's own rounds of strikes are no part of a count of attacks.
        (
            "",
            "U.S. troops have been attacked 50 times since Oct. 17, and the U.S. has replied with two rounds of "
            "strikes in Syria.",
            "2023-11-20",
            [(50, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_weekends_figures_near_headlines_names_and_rounds(title, text, published, expected):
    found = classify(title, text, date.fromisoformat(published), RULES, TERMS).tallies
    assert [
        (t.count, t.qualifier, t.since and t.since.isoformat(), t.until and t.until.isoformat(), t.region)
        for t in found
    ] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # A qualifier on a total passes to the parts set beside it, not to parts picked out of it.
        (
            "Militias have attacked U.S. troops at least 30 times since Oct. 17 - 18 times in Iraq and 12 in Syria.",
            [
                (30, "at_least", "2023-10-17", None, "total"),
                (18, "at_least", "2023-10-17", None, "Iraq"),
                (12, "at_least", "2023-10-17", None, "Syria"),
            ],
        ),
        (
            "Militias have attacked U.S. troops at least 30 times since Oct. 17, including 18 in Iraq and 12 in Syria.",
            [
                (30, "at_least", "2023-10-17", None, "total"),
                (18, "exact", "2023-10-17", None, "Iraq"),
                (12, "exact", "2023-10-17", None, "Syria"),
            ],
        ),
        (
            "Of the more than 30 attacks on U.S. troops since Oct. 17, 18 were in Iraq and 12 in Syria.",
            [
                (30, "more_than", "2023-10-17", None, "total"),
                (18, "exact", "2023-10-17", None, "Iraq"),
                (12, "exact", "2023-10-17", None, "Syria"),
            ],
        ),
        # Regional parts of a total take its start, whatever day their breakdown was given.
        (
            "U.S. forces have been attacked 30 times since Oct. 17. A tally released last week put 18 of those "
            "in Iraq and 12 in Syria.",
            [
                (30, "exact", "2023-10-17", None, "total"),
                (18, "exact", "2023-10-17", None, "Iraq"),
                (12, "exact", "2023-10-17", None, "Syria"),
            ],
        ),
        # "inside" a country.
        (
            "A monitor counted 14 attacks on U.S. bases inside Syrian territory since Oct. 19.",
            [(14, "exact", "2023-10-19", None, "Syria")],
        ),
        # This month; a range whose end is "the 4th of" a month or "the end of" one.
        (
            "U.S. forces have been attacked at least five times this month.",
            [(5, "at_least", "2023-12-01", None, "total")],
        ),
        (
            "Between the 17th of October and the 4th of November, U.S. troops were attacked 40 times.",
            [(40, "exact", "2023-10-17", "2023-11-04", "total")],
        ),
        (
            "From Oct. 17 to the end of November, U.S. troops were attacked 70 times.",
            [(70, "exact", "2023-10-17", "2023-11-30", "total")],
        ),
        # A window said another way still rolls.
        ("In the space of a week, U.S. bases came under rocket fire three times.", [(3, "exact", None, None, "total")]),
    ],
)
def test_qualifiers_beside_parts_ranges_months_and_places(text, expected):
    assert tallies(text, "2023-12-05") == expected


@pytest.mark.parametrize(
    "text",
    [
        # Counts of the US's own strikes.
        "U.S. troops were attacked again on Monday. It was the third time the Biden administration has hit "
        "back at the militias since Oct. 17.",
        # An article that names no US or coalition forces.
        "Rescuers said they had answered more than 50 attacks on homes since Thursday.",
    ],
)
def test_the_uss_own_strikes_and_articles_without_us_forces_give_no_tally(text):
    assert tallies(text, "2023-12-05") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # Bases as the groups name them.
        (
            "The Islamic Resistance said it had carried out 90 operations against the occupation bases in Iraq "
            "and Syria since mid-October.",
            [(90, "exact", "2023-10-17", None, "total")],
        ),
        # A number of people is no count of attacks, whatever attack is named after it.
        ("The number of U.S. troops treated for concussions after the Nov. 1 attack on the base has risen to 40.", []),
    ],
)
def test_occupation_bases_and_numbers_of_people(text, expected):
    assert tallies(text, "2023-12-05") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # The answer to a question that asked how many attacks: its first bare figure, and its parts.
        (
            "Q: How many times have U.S. forces been attacked since Oct. 17? And is the pace slowing?\n\n"
            "SPOKESMAN: As of today, 92 - 40 in Iraq and 52 in Syria.",
            [
                (92, "exact", "2023-10-17", "2023-12-05", "total"),
                (40, "exact", "2023-10-17", "2023-12-05", "Iraq"),
                (52, "exact", "2023-10-17", "2023-12-05", "Syria"),
            ],
        ),
        # Not a question about something else, nor a figure that is not the answer's first.
        ("Q: How many troops are at the base now?\n\nSPOKESMAN: About 900, and 40 more are coming.", []),
        (
            "Q: How many attacks on U.S. forces have there been? SPOKESMAN: I won't get into the two or three "
            "categories of them.",
            [],
        ),
    ],
)
def test_the_answer_to_how_many_attacks(text, expected):
    assert tallies(text, "2023-12-05") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "since October last year" is that month of the year before.
        (
            "Rockets have been fired at U.S. troops about 25 times since October last year.",
            [(25, "about", "2019-10-01", None, "total")],
        ),
        # Kinds of attack between a figure and its noun; an ordinal past its kind.
        (
            "At least 30 rocket and bomb attacks have targeted U.S. forces since the start of the year.",
            [(30, "at_least", "2020-01-01", None, "total")],
        ),
        (
            "It was the fourth rocket attack on U.S. troops since the strike that killed Soleimani.",
            [(4, "exact", "2020-01-03", None, "total")],
        ),
    ],
)
def test_last_years_month_kinds_of_attack_and_the_soleimani_strike(text, expected):
    assert tallies(text, "2020-03-10") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "that by Thursday" dates the count; a figure reached "by" a time.
        (
            "An official said that by Thursday, the Pentagon had counted 25 attacks on U.S. forces since Oct. 17.",
            [(25, "exact", "2023-10-17", "2023-11-30", "total")],
        ),
        (
            "The number of attacks on U.S. forces since Oct. 17 had reached 25 by late November.",
            [(25, "exact", "2023-10-17", None, "total")],
        ),
        # A second counter over the first one's period.
        (
            "U.S. forces have been attacked 25 times since Oct. 17. A monitor counted 31 claimed attacks over the "
            "same period.",
            [(25, "exact", "2023-10-17", None, "total"), (31, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_by_a_day_and_the_same_period(text, expected):
    assert tallies(text, "2023-12-02") == expected


@pytest.mark.parametrize(
    "text, published, expected",
    [
        # The campaign's mid-October named with its year, in a later article.
        (
            "Between mid-October 2023 and early February 2024, the factions fired on U.S. troops some 170 times.",
            "2025-02-10",
            [(170, "about", "2023-10-17", None, "total")],
        ),
        # A part counted out of a total in its own rolling window.
        (
            "Since Oct. 17 there have been at least 20 attacks on U.S. forces, four of them in the past two days.",
            "2023-11-10",
            [(20, "at_least", "2023-10-17", None, "total"), (4, "exact", None, None, "total")],
        ),
        # A region's part right after the sentence that gave the total, with the total's start.
        (
            "Of the 92 attacks on U.S. forces since Oct. 17, most hit bases in Syria. In Syria alone, militias have "
            "struck 48 times, an official said.",
            "2023-12-15",
            [(92, "exact", "2023-10-17", None, "total"), (48, "exact", "2023-10-17", None, "Syria")],
        ),
        # Not one event after a total.
        (
            "Proxies have attacked U.S. troops 169 times since Oct. 17. One attack took place at a site in Syria on "
            "Feb. 3.",
            "2024-02-06",
            [(169, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_named_years_rolling_parts_and_a_regions_part_after_a_total(text, published, expected):
    assert tallies(text, published) == expected


def test_as_of_this_morning_is_the_day_it_was_said():
    text = "As of this morning, there have been 70 attacks on U.S. forces since Oct. 17, the spokesman said."
    assert tallies(text, "2023-12-05") == [(70, "exact", "2023-10-17", "2023-12-05", "total")]


@pytest.mark.parametrize(
    "text, expected",
    [
        # A briefer asked for the number of attacks; the answer and its breakdown ("That's ...").
        (
            "Q: Can you give us the overall number of attacks now?\n\nMS. LEE: As of this morning, we're at 80 "
            "since Oct. 17. That's 35 in Iraq and 45 in Syria.",
            [
                (80, "exact", "2023-10-17", "2023-12-05", "total"),
                (35, "exact", "2023-10-17", "2023-12-05", "Iraq"),
                (45, "exact", "2023-10-17", "2023-12-05", "Syria"),
            ],
        ),
        # "times as of Friday" is no ratio; a start a few words after "counting from"; the "as of" day ends it.
        (
            "U.S. troops have been attacked 80 times as of Friday, counting from the first drone attacks of the "
            "campaign on Oct. 17.",
            [(80, "exact", "2023-10-17", "2023-12-01", "total")],
        ),
        # The president's own strikes counted; sites used by Americans are a target.
        ("It was the second time Biden had ordered strikes on the militias since Oct. 17.", []),
        (
            "Bases used by Americans in Iraq and Syria had been targeted at least nine times in the past 10 days.",
            [(9, "at_least", None, None, "total")],
        ),
    ],
)
def test_briefing_answers_counting_from_and_what_the_us_ordered(text, expected):
    assert tallies(text, "2023-12-05") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "of last year" after a day and month; an ordinal "to target" what it counts.
        (
            "The attack is the 25th to target American interests since the 28th of October of last year.",
            [(25, "exact", "2019-10-28", None, "total")],
        ),
        # The US's own strikes "the second time in less than two weeks that U.S. forces have struck".
        (
            "U.S. jets hit a depot on Wednesday, the second time in less than two weeks that U.S. forces have "
            "struck targets tied to the Guards.",
            [],
        ),
    ],
)
def test_last_years_day_ordinals_to_target_and_us_strikes_in_a_window(text, expected):
    assert tallies(text, "2020-03-12") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("U.S. forces have faced north of 90 attacks since Oct. 17.", [(90, "more_than", "2023-10-17", None, "total")]),
        (
            "Just shy of 90 attacks on U.S. forces have been recorded since Oct. 17.",
            [(90, "about", "2023-10-17", None, "total")],
        ),
        # A US official in the first person.
        (
            '"We\'ve been attacked 90 times since Oct. 17," an official said.',
            [(90, "exact", "2023-10-17", None, "total")],
        ),
        # The start stated in the next sentence as when "the first came".
        (
            "The number of attacks on U.S. forces has now reached 90, a spokeswoman said. The first came on Oct. 17.",
            [(90, "exact", "2023-10-17", None, "total")],
        ),
    ],
)
def test_more_qualifiers_the_first_person_and_the_first_came(text, expected):
    assert tallies(text, "2023-12-05") == expected


@pytest.mark.parametrize(
    "text, published, expected",
    [
        # A year named, once it is over, from its first day to its last.
        (
            "A monitor recorded 53 attacks by Iran-backed militias on U.S. bases in Syria throughout 2024.",
            "2025-01-28",
            [(53, "exact", "2024-01-01", "2024-12-31", "Syria")],
        ),
        # A quoted figure reached; their forces, said of US officials'.
        (
            'The Pentagon puts the figure at "about 20" attacks on U.S. forces since the April 22 rocket launch.',
            "2024-11-20",
            [(20, "about", "2024-04-22", None, "total")],
        ),
        (
            "Counting from that Feb. 4 attack, U.S. officials have now logged two attacks on their forces.",
            "2024-04-25",
            [(2, "exact", "2024-02-04", None, "total")],
        ),
    ],
)
def test_a_year_named_a_quoted_figure_and_their_forces(text, published, expected):
    assert tallies(text, published) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # "is" before a figure a total reached; the embassy as a target; a breakdown refers back.
        (
            "Counting rockets too, the tally of attacks on U.S. interests this year is north of 40.",
            [(40, "more_than", "2021-01-01", None, "total")],
        ),
        (
            "Rockets have targeted the U.S. Embassy at least 20 times since the start of the year.",
            [(20, "at_least", "2021-01-01", None, "total")],
        ),
        (
            "Militias struck U.S. troops 73 times from Oct. 17 until Nov. 23. Officials broke it down as 35 in "
            "Iraq and 38 in Syria.",
            [
                (73, "exact", "2020-10-17", "2020-11-23", "total"),
                (35, "exact", "2020-10-17", "2020-11-23", "Iraq"),
                (38, "exact", "2020-10-17", "2020-11-23", "Syria"),
            ],
        ),
        # Attacks that hit someone else's oil and gas fields are not on US forces.
        (
            "U.S. forces in the region were put on alert. At least ten drone attacks have hit oil and gas fields "
            "in the region since the start of the month.",
            [],
        ),
    ],
)
def test_figures_that_are_a_breakdowns_parts_and_other_targets(text, expected):
    assert tallies(text, "2021-06-28") == expected


@pytest.mark.parametrize(
    "text",
    [
        "After the missile attack on the base, the number of brain injury diagnoses among U.S. troops climbed to 110.",
        "The attack on U.S. forces came as the coalition cut its troop level in the country to 2,500.",
    ],
)
def test_numbers_of_injuries_and_troop_levels_are_no_tallies(text):
    assert tallies(text, "2021-01-22") == []


@pytest.mark.parametrize(
    "text, published, expected",
    [
        # A place before a figure is no name; a span from an event's start.
        (
            "Militias have attacked U.S. forces in the Middle East 38 times since Oct. 17.",
            "2023-11-07",
            [(38, "exact", "2023-10-17", None, "total")],
        ),
        (
            "In the first four months of the Gaza war the militias launched more than 160 attacks on U.S. troops.",
            "2025-10-14",
            [(160, "more_than", "2023-10-07", None, "total")],
        ),
        # Bombings among the kinds of attack; Biden's start said another way.
        (
            "Some two dozen bombings and rocket attacks have targeted U.S. troops since Joe Biden entered the White House.",
            "2021-05-09",
            [(24, "about", "2021-01-20", None, "total")],
        ),
    ],
)
def test_places_before_figures_spans_from_an_event_and_bombings(text, published, expected):
    assert tallies(text, published) == expected


def test_the_second_time_the_president_ordered_strikes_counts_no_attacks():
    text = "Militias attacked U.S. forces again. It was the second time Mr. Biden had ordered strikes; the first was in February."
    assert tallies(text, "2021-06-28") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # What a count leaves out is a clause of its own.
        (
            "The militias claim more than 110 operations against U.S. bases since Oct. 17, not counting the drones "
            "they launched at Eilat.",
            [(110, "more_than", "2023-10-17", None, "total")],
        ),
        # The Pentagon's count named again, with no attack word beside it.
        (
            "Militias have attacked U.S. troops 160 times since Oct. 17. Overall, the Pentagon's count stands at 170.",
            [(160, "exact", "2023-10-17", None, "total"), (170, "exact", "2023-10-17", None, "total")],
        ),
        # A base's name is enough to show the article is about US forces.
        (
            "Drones were aimed at Mission Support Site Euphrates. Officials counted at least five attacks since "
            "Saturday.",
            [(5, "at_least", "2023-12-02", None, "total")],
        ),
    ],
)
def test_left_out_counts_the_pentagons_count_and_bases_as_us_forces(text, expected):
    assert tallies(text, "2023-12-05") == expected


def test_a_gaza_truce_is_no_start_of_the_war():
    text = (
        "Attacks resumed after the Gaza truce collapsed on Friday. At least four attacks on U.S. forces have been "
        "recorded since Oct. 17."
    )
    assert tallies(text, "2023-12-04") == [(4, "at_least", "2023-10-17", None, "total")]


def test_a_tally_that_puts_the_number_at_a_figure_refers_back():
    text = (
        "The attack was one of more than 100 on U.S. forces since Oct. 17. A Pentagon tally as of Monday put the "
        "number at 103 - 49 in Iraq and 54 in Syria."
    )
    assert tallies(text, "2023-12-26") == [
        (100, "more_than", "2023-10-17", None, "total"),
        (103, "exact", "2023-10-17", "2023-12-25", "total"),
        (49, "exact", "2023-10-17", "2023-12-25", "Iraq"),
        (54, "exact", "2023-10-17", "2023-12-25", "Syria"),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        # What is counted said before a figure with its own start.
        (
            "Officials recorded no attacks on U.S. troops in the past ten days, after roughly 170 since mid-October.",
            [(170, "about", "2023-10-17", None, "total")],
        ),
        # An ordinal "targeting" what it counts.
        (
            "The attack on the base, which hosts U.S. troops, was the 11th targeting American forces since Oct. 28.",
            [(11, "exact", "2023-10-28", None, "total")],
        ),
        # "at" after a verb of aiming is no figure reached.
        (
            "The count of attacks on U.S. forces includes launches that were clearly aimed at one.",
            [],
        ),
    ],
)
def test_figures_with_their_own_start_ordinals_targeting_and_aiming_at_one(text, expected):
    assert tallies(text, "2024-02-14") == expected


def test_a_count_in_a_sentence_of_attacks_on_someone_else_is_none():
    text = (
        "U.S. forces in the region were on alert. The group's attacks on Iraqi security forces and Peshmerga have "
        "picked up, and it has carried out about 30 attacks in the area since October."
    )
    assert tallies(text, "2025-01-20") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        # A tracker's list: a total line, then a line a region.
        (
            "Our weekly tracker of attacks on U.S. forces.\n\n- Total attacks since Oct. 17: 66\n- In Iraq: 32\n"
            "- In Syria: 34\n- Personnel injured: about 62",
            [
                (66, "exact", "2023-10-17", None, "total"),
                (32, "exact", "2023-10-17", None, "Iraq"),
                (34, "exact", "2023-10-17", None, "Syria"),
            ],
        ),
        # Lines that break down the total just given, in a sentence.
        (
            "Militias attacked U.S. forces 170 times between Oct. 17 and Feb. 4:\n- Iraq: 79\n- Syria: 90\n- Jordan: 1",
            [
                (170, "exact", "2023-10-17", "2024-02-04", "total"),
                (79, "exact", "2023-10-17", "2024-02-04", "Iraq"),
                (90, "exact", "2023-10-17", "2024-02-04", "Syria"),
                (1, "exact", "2023-10-17", "2024-02-04", "Jordan"),
            ],
        ),
        # Not a list of something else, nor a region line with no total before it.
        ("Troops deployed:\n- Iraq: 2500\n- Syria: 900", []),
    ],
)
def test_a_trackers_list_lines(text, expected):
    assert tallies(text, "2024-02-20") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # An ordinal with a long start counts the campaign's attacks, not those on the base named before it.
        (
            "Sunday's drone attack on the al-Omar base was the 170th since October 17, officials said.",
            [(170, "exact", "2023-10-17", None, "total")],
        ),
        # A quoted noun; a second counter over "the same stretch".
        (
            "The Pentagon recorded nearly 170 attacks on U.S. troops since Oct. 17. The militias listed roughly 200 "
            '"operations" against US bases over the same stretch.',
            [(170, "about", "2023-10-17", None, "total"), (200, "about", "2023-10-17", None, "total")],
        ),
    ],
)
def test_ordinals_after_a_base_and_quoted_operations(text, expected):
    assert tallies(text, "2024-02-08") == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # The same count said again as an aside: two figures, two tallies.
        (
            'He said there had been more than 100 attacks on U.S. forces since mid-October - "roughly 118," he '
            "said when asked for the precise figure.",
            [(100, "more_than", "2023-10-17", None, "total"), (118, "about", "2023-10-17", None, "total")],
        ),
        # Not a part after a dash, nor a figure of another size.
        (
            "U.S. forces have been attacked 100 times since Oct. 17 - 40 in Iraq and 60 in Syria.",
            [
                (100, "exact", "2023-10-17", None, "total"),
                (40, "exact", "2023-10-17", None, "Iraq"),
                (60, "exact", "2023-10-17", None, "Syria"),
            ],
        ),
    ],
)
def test_a_count_said_again_as_an_aside(text, expected):
    assert tallies(text, "2024-01-05") == expected
