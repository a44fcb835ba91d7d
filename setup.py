"""The build: setuptools, with the modules every article goes through in classify() (text, classify
and the tallies package) compiled to C by mypyc, which makes classification about 1.6 times as fast
(issue 10's throughput). Where no C compiler is at hand, or MONITOR_PURE_PYTHON is set, the same
modules install as plain Python and behave the same (tests/test_compiled.py)."""

from __future__ import annotations

import os
from glob import glob

from setuptools import setup

COMPILED = ["monitor/text.py", "monitor/classify.py", *sorted(glob("monitor/tallies/*.py"))]


def compiled_modules() -> list:
    if os.environ.get("MONITOR_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify  # noqa: PLC0415 - a pure build (or one without build isolation) needs no mypy
    except ImportError:
        print("setup.py: mypyc is not installed; the classifier installs as Python")
        return []
    extensions = mypycify(COMPILED, opt_level="3", group_name="monitor_compiled")
    for extension in extensions:
        extension.optional = True  # a failed build leaves the module as Python
    return extensions


setup(ext_modules=compiled_modules())
