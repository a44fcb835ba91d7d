"""Classify throughput: articles per second on one core, for a ~5 KB article.

    python benchmarks/classify_throughput.py [--seconds 1] [--repeat 15]

The article is built from the project's own test stories (tests/builders.py, which needs no test
dependency: keep it so), padded to 5 KB, so the figure depends neither on ../shared nor on pytest:
a plain `pip install -e .` runs it. These machines' speed drifts by up to half for
minutes at a time (PERF-NOTES), so it runs many short rounds and reports the best round (what
the code does when nothing else slows the machine) and the median. The stage lines give the
cost of each step of classify() on the same article, best of the rounds: compare them as
shares, not as absolute times.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import timeit
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from builders import CYBERATTACK, FOOTBALL, HEART_ATTACK, HOUTHI_SHIP, JORDAN_DRONE, KH_STRIKES, STEPS  # noqa: E402

from monitor import compiled  # noqa: E402
from monitor.classify import classify  # noqa: E402
from monitor.config import load_rules  # noqa: E402
from monitor.tallies import tallies_in  # noqa: E402
from monitor.text import Tokens, normalise, split_sentences  # noqa: E402


BACKGROUND = [
    "Diplomats from several Gulf states met in Muscat on Tuesday to discuss shipping insurance and port fees.",
    "The Iraqi parliament postponed a vote on the federal budget for the third time this month, citing disputes over oil revenue.",
    "Electricity shortages in southern provinces have led to protests as summer temperatures passed 50 degrees Celsius.",
    "A senior State Department official travelled to Baghdad for talks on the future of the advisory mission.",
    "Analysts said the pace of incidents had slowed in recent weeks, although officials warned that could change quickly.",
    "The Pentagon declined to give details of the damage, saying an assessment was still under way.",
    "Oil prices rose slightly in Asian trading as investors weighed the risk of a wider regional conflict.",
    "Kurdish authorities in Erbil said they had increased security around the airport and government buildings.",
    "Aid groups warned that funding cuts would force clinics in displacement camps to close before winter.",
    "The defense secretary is due to testify before Congress next week on the cost of operations in the region.",
    "Local officials in Anbar said farmers had reported a poor harvest after a second year of drought.",
    "A spokesman for the coalition said training programs for Iraqi units would continue as planned.",
    "Negotiators in Doha said a new round of talks on a prisoner exchange could begin as early as next month.",
    "The central bank in Baghdad announced new limits on dollar transfers to curb smuggling across the border.",
    "Residents of Deir ez-Zor described long queues for bread and fuel as prices climbed for a fourth week.",
    "Military engineers have reinforced shelters and added barriers at several outposts, a spokesman said.",
    "The United Nations envoy urged all sides to show restraint and to protect civilians and infrastructure.",
    "Jordanian officials said border crossings with Syria would stay open to commercial traffic during the holidays.",
    "A report by a Washington think tank said the militias had expanded their arsenal of drones over the past year.",
    "Lawmakers from both parties asked the administration to explain its strategy for the troops deployed in the region.",
    "Schools in Mosul reopened after repairs to buildings damaged during the war against the Islamic State group years ago.",
    "Farmers along the Euphrates said water levels were the lowest they could remember, threatening the next planting season.",
]


def article(size: int = 5_000) -> str:
    """A 5 KB report of distinct sentences: attacks, strikes, a running total, and unrelated news."""
    paragraphs = [
        "Iranian proxies have attacked U.S. troops in Iraq, Syria and Jordan 169 times since Oct. 17, a defense official said.",
        *JORDAN_DRONE.paragraphs,
        *KH_STRIKES.paragraphs,
        *HOUTHI_SHIP.paragraphs,
        *HEART_ATTACK.paragraphs,
        *CYBERATTACK.paragraphs,
        *FOOTBALL.paragraphs,
        *(s.paragraphs[0] for s in STEPS[:3]),
        *BACKGROUND,
    ]
    text = "\n".join(paragraphs)
    assert len(text) >= size, len(text)
    return text[: text.rfind(".", 0, size) + 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one round")
    parser.add_argument("--repeat", type=int, default=15, help="number of rounds")
    args = parser.parse_args()
    rules, terms = load_rules(ROOT / "config" / "monitor.toml")
    text = article()
    published = date(2024, 2, 5)
    result = classify("US forces attacked", text, published, rules, terms)
    rates = []
    for _ in range(args.repeat):
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < args.seconds:
            classify("US forces attacked", text, published, rules, terms)
            n += 1
        rates.append(n / (time.perf_counter() - start))
    print(f"article: {len(text)} characters, categories {result.categories}, {len(result.tallies)} tallies")
    print(f"classifier: {'compiled by mypyc (setup.py)' if compiled() else 'Python, not compiled (see setup.py)'}")
    print(
        f"classify (rules + tallies), one core: best {max(rates):,.0f} articles/s, median {statistics.median(rates):,.0f} "
        f"(min {min(rates):,.0f}; {args.repeat} rounds of {args.seconds:g} s)"
    )
    print("stages (best of the rounds, microseconds per article):")
    for name, micros in stage_costs(text, published, rules, terms, args.repeat).items():
        print(f"  {name:<44} {micros:7.1f}")


def stage_costs(text: str, published: date, rules, terms, rounds: int) -> dict[str, float]:
    full = "US forces attacked\n" + normalise(text)
    tokens = Tokens.of(full)
    lexicon = rules.lexicon_with(terms)
    found = lexicon.scan(tokens)
    stages = {
        "sentences (split_sentences)": lambda: split_sentences(full),
        "sentences and tokens (Tokens.of)": lambda: Tokens.of(full),
        "term scan, rules' and tallies' lists (scan)": lambda: lexicon.scan(tokens),
        "tallies (tallies_in, after the scan)": lambda: tallies_in(tokens, 1, published, terms, found),
        "classify without tallies": lambda: classify("US forces attacked", text, published, rules),
        "classify": lambda: classify("US forces attacked", text, published, rules, terms),
    }
    best = dict.fromkeys(stages, float("inf"))
    for _ in range(rounds):
        for name, stage in stages.items():
            best[name] = min(best[name], timeit.timeit(stage, number=100) / 100 * 1e6)
    return best


if __name__ == "__main__":
    main()
