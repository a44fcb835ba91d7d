"""ruff check, ruff format --check and mypy --strict are clean with the committed rules ([tool.ruff] and
[tool.mypy] in pyproject.toml), so code that breaks them fails here, before it lands, not only in .ci/run."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest
from conftest import REPO


def test_ruff_check_is_clean():
    if importlib.util.find_spec("ruff") is None:
        pytest.fail("ruff is not installed: it is in the test extra, so run pip install -e '.[test]' again")

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", str(REPO)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_leaves_the_tree_as_it_is():
    if importlib.util.find_spec("ruff") is None:
        pytest.fail("ruff is not installed: it is in the test extra, so run pip install -e '.[test]' again")

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", str(REPO)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )

    assert result.returncode == 0, "run `ruff format`:\n" + result.stdout + result.stderr


def test_mypy_strict_is_clean():
    if importlib.util.find_spec("mypy") is None:
        pytest.fail("mypy is not installed: it is in the test extra, so run pip install -e '.[test]' again")

    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "monitor"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
