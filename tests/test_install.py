"""The container's install step, without a Docker engine: scripts/install.sh is the Dockerfile's
only install command; run it, from the files the Dockerfile copies, into a fresh virtual environment and
use the entry point it gives.

pip is told (--no-deps) to install monitor alone, though its build still gets setuptools and mypyc: downloading and unpacking every
dependency again cost 15 to 60 s and proved only that pip works. The dependencies come from this test
environment, seen through a .pth file, and a test below checks from the installed metadata that every
library the package imports is declared, which a fresh install did not (a dependency's dependency
satisfied it, as trafilatura did for courlan)."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import JORDAN_DRONE, rss
from conftest import REPO, write_config
from image import Installed, installed_once, shared_folder


def test_the_dockerfile_installs_with_the_script_this_test_runs():
    dockerfile = (REPO / "Dockerfile").read_text()

    assert "RUN ./scripts/install.sh /opt/monitor" in dockerfile
    assert 'CMD ["monitor", "health"]' in dockerfile and 'ENTRYPOINT ["monitor"]' in dockerfile


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    return installed_once(shared_folder(tmp_path_factory))


def printed(installed: Installed, code: str) -> str:
    """What code prints, run by the installed Python."""
    return subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=installed.venv,  # python -c puts its working folder first on sys.path: not the checkout
    ).stdout.strip()


def test_the_script_installs_the_package_with_its_data_not_a_link_to_the_checkout(installed):
    where = printed(installed, "import monitor; print(monitor.__file__)")

    assert Path(where) == installed.package / "__init__.py"
    assert (installed.package / "py.typed").is_file()
    modules = {str(p.relative_to(installed.package)) for p in installed.package.rglob("*.py")}
    assert modules == {str(p.relative_to(REPO / "monitor")) for p in (REPO / "monitor").rglob("*.py")}


def test_the_install_compiles_the_classifier(installed):
    """The Dockerfile builds where a C compiler is, as this machine has one: the classifier comes out compiled."""
    assert printed(installed, "import monitor; print(monitor.compiled())") == "True"
    assert sorted(p.name.split(".")[0] for p in installed.package.rglob("*.so")) == sorted(
        Path(p).stem for p in ["text.py", "classify.py", *(REPO / "monitor" / "tallies").glob("*.py")]
    )


def distribution_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def test_every_library_the_package_imports_is_a_declared_dependency(installed):
    (metadata,) = importlib.metadata.distributions(path=[str(installed.package.parent)], name="monitor")
    declared = {distribution_name(r) for r in metadata.requires or []}
    imported: dict[str, set[str]] = {}
    for module in installed.package.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                imported.setdefault(name.split(".")[0], set()).add(str(module.relative_to(installed.package)))
    providers = importlib.metadata.packages_distributions()

    undeclared = {
        top: sorted(where)
        for top, where in imported.items()
        if top not in sys.stdlib_module_names
        and top != "monitor"
        # an extra's library absent here (datasette without [browse]) is named as its distribution
        and not {distribution_name(d) for d in providers.get(top, [top])} & declared
    }

    assert "feedparser" in imported and "trafilatura" in imported  # the walk sees the package's imports
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"


def test_the_installed_entry_point_checks_the_baked_config(installed, tmp_path):
    baked = tmp_path / "config"
    shutil.copytree(REPO / "config", baked)

    result = subprocess.run(
        [str(installed.monitor), "check-config"],
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, MONITOR_CONFIG=str(baked / "monitor.toml")),
    )

    assert result.returncode == 0, result.stderr
    assert '"poll_interval_seconds": 900' in result.stdout


def test_the_installed_health_check_fails_before_a_cycle_and_passes_after_one(installed, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(rss([(JORDAN_DRONE, "http://127.0.0.1:9/unreachable")]))
    config = write_config(
        tmp_path / "config", [("Local file", feed.as_uri())], settings={"fetch": {"timeout_seconds": 2}}
    )
    env = dict(os.environ, MONITOR_CONFIG=str(config))

    before = subprocess.run([str(installed.monitor), "health"], capture_output=True, text=True, timeout=120, env=env)
    subprocess.run([str(installed.monitor), "poll"], check=True, capture_output=True, timeout=300, env=env)
    after = subprocess.run([str(installed.monitor), "health"], capture_output=True, text=True, timeout=120, env=env)

    assert before.returncode == 1 and "no store" in before.stderr
    assert after.returncode == 0, after.stderr
    assert after.stdout.startswith("healthy: last cycle finished")
