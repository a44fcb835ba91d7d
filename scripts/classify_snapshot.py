"""Write what classify() says about many texts to a JSON file, to check that a change meant to make
it faster changed nothing it says:

    python scripts/classify_snapshot.py before.json     # on the old version
    python scripts/classify_snapshot.py after.json      # on the new one
    cmp before.json after.json

The texts: the labelled corpus and the fixture pages of ../shared (when it is there; pages are
extracted with trafilatura, which takes a minute), the test stories, the benchmark article, and
each paragraph of the first 45 of them alone and in capitals.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

import builders  # noqa: E402
from classify_throughput import article  # noqa: E402

from monitor.classify import classify  # noqa: E402
from monitor.config import load_rules  # noqa: E402
from monitor.extract import extract_text  # noqa: E402


def texts() -> list[tuple[str, str, str]]:
    """(title, text, published) for every text the snapshot covers."""
    found = []
    for name in ("seeds.jsonl", "dev.jsonl"):
        path = SHARED / "corpus" / name
        if path.exists():
            for line in path.open():
                row = json.loads(line)
                found.append((row.get("title", ""), row["text"], row["published"]))
    for page in sorted((SHARED / "fixtures" / "real-html").glob("*.htm*")):
        text = extract_text(page.read_bytes())
        if text:
            found.append(("", text, "2024-02-05"))
    for story in vars(builders).values():
        if isinstance(story, builders.Story):
            found.append((story.title, "\n".join(story.paragraphs), "2024-02-05"))
    found.append(("US forces attacked", article(), "2024-02-05"))
    for _, body, published in found[:45]:
        for paragraph in body.split("\n"):
            found += [("", paragraph, published), ("", paragraph.upper(), published)]
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    rules, terms = load_rules(ROOT / "config" / "monitor.toml")
    out = []
    for title, text, published in texts():
        c = classify(title, text, date.fromisoformat(published[:10]), rules, terms)
        out.append(
            {
                "categories": c.categories,
                "matches": [[m.rule, m.category, m.sentence] for m in c.matches],
                "tallies": [t.as_label() | {"sentence": t.sentence} for t in c.tallies],
            }
        )
    args.output.write_text(json.dumps(out, indent=0, default=str))
    print(f"{len(out)} texts -> {args.output}")


if __name__ == "__main__":
    main()
