"""setup.py compiles the classifier with mypyc where it can. Compiled or not, it must read every article
the same: the project's own labelled sets are classified by the installed modules and by their Python
sources alone, and the two outputs compared line by line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import monitor
from conftest import REPO

SETS = sorted((REPO / "tests" / "data").glob("probes*.jsonl"))

CLASSIFY_ALL = """
import json, sys
from datetime import date
from monitor.config import load_rules
rules, terms = load_rules(sys.argv[1])
from monitor.classify import classify
for path in sys.argv[2:]:
    for line in open(path):
        a = json.loads(line)
        day = date.fromisoformat(a["published"][:10]) if a.get("published") else None
        c = classify(a.get("title", ""), a["text"], day, rules, terms)
        print(repr(c))
import monitor
print(monitor.compiled())
"""


def classified(cwd: Path, pythonpath: Path | None = None) -> list[str]:
    """One line per article, then whether the classifier ran compiled; run from cwd (python -c puts it first
    on sys.path), with pythonpath, if given, before the installed package."""
    env = {"PYTHONPATH": str(pythonpath)} if pythonpath else {}
    return subprocess.run(
        [sys.executable, "-c", CLASSIFY_ALL, str(REPO / "config" / "monitor.toml"), *map(str, SETS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env={**env, "PATH": "/usr/bin:/bin"},
        cwd=cwd,
    ).stdout.splitlines()


def test_the_compiled_classifier_reads_every_article_as_its_python_source(tmp_path):
    sources = tmp_path / "sources"
    shutil.copytree(REPO / "monitor", sources / "monitor", ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    (tmp_path / "elsewhere").mkdir()

    as_installed = classified(tmp_path / "elsewhere")
    as_python = classified(tmp_path / "elsewhere", pythonpath=sources)

    assert as_python[-1] == "False"
    assert as_installed[-1] == str(monitor.compiled())
    assert len(as_installed) > 1000
    assert as_installed[:-1] == as_python[:-1]
