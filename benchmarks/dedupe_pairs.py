"""How well the near-duplicate check tells copies of one story from different stories.

    python benchmarks/dedupe_pairs.py [--threshold 0.5]

Texts: the labelled articles of ../shared/corpus/ (headline + text) and the article text that
trafilatura extracts from the real pages in ../shared/fixtures/real-html/. From each text it builds
edited copies the way syndication edits a story, and pairs every text with every other text
(different stories, many on the same subject). It reports the share of edited copies that join their
original (resemblance >= threshold) and the number of different-story pairs that would be merged.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from monitor.dedupe import fingerprint, resemblance  # noqa: E402
from monitor.extract import extract_text  # noqa: E402

BOILERPLATE = [
    "Sign up for our morning newsletter and get the day's top stories in your inbox.",
    "Share this article on social media. Follow us for breaking news alerts.",
    "Copyright 2024. All rights reserved. This material may not be published, broadcast or redistributed.",
]
LEADS = [
    "Our correspondent filed this report on the latest developments in the region.",
    "Here is what we know so far about the incident, according to officials and local sources.",
]


def texts() -> list[tuple[str, str]]:
    out = []
    for name in ("seeds.jsonl", "dev.jsonl"):
        for line in (SHARED / "corpus" / name).open():
            row = json.loads(line)
            out.append((row["id"], f"{row['title']}\n{row['text']}"))
    for page in sorted((SHARED / "fixtures" / "real-html").glob("*.html")):
        text = extract_text(page.read_bytes())
        if text and len(text.split("\n")) >= 3:
            out.append((page.stem, text))
    return out


def edits(text: str, rng: random.Random, donor: str) -> dict[str, str]:
    paras = [p for p in text.split("\n") if p.strip()]
    head, body = paras[0], paras[1:]
    added = rng.choice([p for p in donor.split("\n") if len(p) > 80] or [BOILERPLATE[0]])
    drop = rng.randrange(len(body)) if len(body) > 1 else None
    dropped = [p for i, p in enumerate(body) if i != drop]
    return {
        "new headline + paragraph added": "\n".join(["Updated: " + head[::-1][:40], *body, added]),
        "one paragraph dropped": "\n".join([head, *dropped]),
        "own boilerplate": "\n".join([BOILERPLATE[1], head, *body, *BOILERPLATE]),
        "new headline + new first paragraph": "\n".join(
            [rng.choice(LEADS), rng.choice(LEADS[::-1]) + " " + head, *body[1:]]
            if len(body) > 2
            else [rng.choice(LEADS), *body]
        ),
        "added + dropped + boilerplate": "\n".join(
            [BOILERPLATE[1], "Breaking: " + head, *dropped, added, *BOILERPLATE]
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    if not (SHARED / "corpus").is_dir():
        sys.exit("../shared/corpus is not beside this clone: nothing to measure")
    rng = random.Random(17)
    corpus = texts()
    prints = {name: fingerprint(text) for name, text in corpus}

    joined: dict[str, list[float]] = {}
    for i, (name, text) in enumerate(corpus):
        donor = corpus[(i + 7) % len(corpus)][1]
        for kind, edited in edits(text, rng, donor).items():
            joined.setdefault(kind, []).append(resemblance(prints[name], fingerprint(edited)))

    different = [(resemblance(prints[a], prints[b]), a, b) for (a, _), (b, _) in itertools.combinations(corpus, 2)]
    merged = [d for d in different if d[0] >= args.threshold]

    total = sum(len(v) for v in joined.values())
    ok = sum(s >= args.threshold for v in joined.values() for s in v)
    print(f"{len(corpus)} texts, threshold {args.threshold}")
    print(f"edited copies joined: {ok}/{total} ({ok / total:.1%})")
    for kind, scores in joined.items():
        hits = sum(s >= args.threshold for s in scores)
        print(f"  {kind:<36} {hits}/{len(scores)}  lowest resemblance {min(scores):.2f}")
    print(f"different-story pairs merged: {len(merged)}/{len(different)}")
    print(
        "  most alike different stories: "
        + ", ".join(f"{a}~{b} {s:.2f}" for s, a, b in sorted(different, reverse=True)[:3])
    )


if __name__ == "__main__":
    main()
