"""Score the classifier fold by fold: the honest estimate of how it does on articles it was not tuned on.

Each labelled article goes to one of five fixed folds by a hash of its id, so the split never
changes as files grow. Rules are written from the misses of four folds and the fifth is measured
without reading its misses; this script prints each fold's figures, their mean, and the figure on
all the data.

    python scripts/folds.py ../shared/corpus/dev.jsonl ../shared/corpus/dev2.jsonl
    python scripts/folds.py FILES... --fold 3 --write held.jsonl   # one fold's articles, for `monitor eval`
    python scripts/folds.py FILES... --not-fold 3 --write train.jsonl
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from monitor.config import load_rules
from monitor.evaluate import evaluate

FOLDS = 5
NAMES = ("attack", "strike", "total tallies", "all tallies")


def fold_of(article_id: str) -> int:
    return int(hashlib.sha1(article_id.encode()).hexdigest(), 16) % FOLDS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--config", default="config/monitor.toml")
    parser.add_argument("--fold", type=int, help="only this fold's articles")
    parser.add_argument("--not-fold", type=int, help="every fold's articles but this one")
    parser.add_argument("--write", type=Path, help="write the chosen articles as JSON Lines instead of scoring")
    args = parser.parse_args()

    rows = [json.loads(line) for f in args.files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.fold is not None:
        rows = [r for r in rows if fold_of(r["id"]) == args.fold]
    if args.not_fold is not None:
        rows = [r for r in rows if fold_of(r["id"]) != args.not_fold]
    if args.write:
        args.write.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"{len(rows)} articles written to {args.write}")
        return 0

    rules, terms = load_rules(args.config)
    print(f"{'':<8} {'articles':>8} " + " ".join(f"{n:>13}" for n in NAMES))
    per_fold = []
    for k in range(FOLDS):
        part = [r for r in rows if fold_of(r["id"]) == k]
        scores = evaluate(part, rules, terms)
        per_fold.append([scores[n].f1 for n in NAMES])
        print(f"fold {k:<3} {len(part):>8} " + " ".join(f"{scores[n].f1:>13.3f}" for n in NAMES))
    mean = [sum(col) / FOLDS for col in zip(*per_fold)]
    print(f"{'mean':<8} {'':>8} " + " ".join(f"{m:>13.3f}" for m in mean))
    everything = evaluate(rows, rules, terms)
    print(f"{'all':<8} {len(rows):>8} " + " ".join(f"{everything[n].f1:>13.3f}" for n in NAMES))
    return 0


if __name__ == "__main__":
    sys.exit(main())
