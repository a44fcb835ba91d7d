"""The container's install step, without a Docker engine: scripts/install.sh is the Dockerfile's
only install command; run it, from the files the Dockerfile copies, into a fresh virtual environment and
use the entry point it gives.

pip is told, through its environment, to install monitor alone: downloading and unpacking every
dependency again cost 15 to 60 s and proved only that pip works. The dependencies come from this test
environment, seen through a .pth file, and a test below checks from the installed metadata that every
library the package imports is declared, which a fresh install did not (a dependency's dependency
satisfied it, as trafilatura did for courlan)."""

from __future__ import annotations

import ast
import fcntl
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import JORDAN_DRONE, rss
from conftest import REPO, write_config


def test_the_dockerfile_installs_with_the_script_this_test_runs():
    dockerfile = (REPO / "Dockerfile").read_text()

    assert "RUN ./scripts/install.sh /opt/monitor" in dockerfile
    assert 'CMD ["monitor", "health"]' in dockerfile and 'ENTRYPOINT ["monitor"]' in dockerfile


@dataclass(frozen=True)
class Installed:
    venv: Path
    package: Path  # the installed monitor/ folder

    @property
    def monitor(self) -> Path:
        return self.venv / "bin" / "monitor"


def copy_as_the_dockerfile_does(into: Path) -> None:
    """The files the Dockerfile copies before its install step, and only those: a build/ folder left in the
    checkout would give the install modules that are no longer in the source."""
    dockerfile = (REPO / "Dockerfile").read_text()
    before_install = dockerfile[: dockerfile.index("RUN ./scripts/install.sh")]
    for line in before_install.splitlines():
        if not line.startswith("COPY "):
            continue
        *sources, dest = line.split()[1:]
        for source in sources:
            target = into / dest / Path(source).name if dest.endswith("/") else into / dest
            target.parent.mkdir(parents=True, exist_ok=True)
            if (REPO / source).is_dir():
                shutil.copytree(REPO / source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(REPO / source, target)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    # Under pytest-xdist each worker asks for it: the first builds it in the folder the run's workers share,
    # under a lock, and the others wait and use it.
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    image = shared / "image"
    with (shared / "image.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (image / "built").exists():
            shutil.rmtree(image, ignore_errors=True)
            build_image(image)
            (image / "built").touch()
    site = Path(sysconfig.get_path("purelib", vars={"base": str(image / "venv"), "platbase": str(image / "venv")}))
    return Installed(image / "venv", site / "monitor")


def build_image(image: Path) -> None:
    copy_as_the_dockerfile_does(image / "src")
    venv = image / "venv"
    subprocess.run(
        [str(image / "src" / "scripts" / "install.sh"), str(venv)],
        check=True,
        timeout=900,
        env=dict(os.environ, PIP_NO_CACHE_DIR="1", PIP_NO_DEPS="1"),
    )
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "dependencies_from_the_test_environment.pth").write_text("\n".join(ours) + "\n")


def test_the_script_installs_the_package_with_its_data_not_a_link_to_the_checkout(installed):
    where = subprocess.run(
        [str(installed.venv / "bin" / "python"), "-c", "import monitor; print(monitor.__file__)"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        cwd=installed.venv,  # python -c puts its working folder first on sys.path: not the checkout
    ).stdout.strip()

    assert Path(where) == installed.package / "__init__.py"
    assert (installed.package / "py.typed").is_file()
    modules = {str(p.relative_to(installed.package)) for p in installed.package.rglob("*.py")}
    assert modules == {str(p.relative_to(REPO / "monitor")) for p in (REPO / "monitor").rglob("*.py")}


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
