"""The container's install, made once per test run: scripts/install.sh run from the files the Dockerfile
copies, into a fresh virtual environment that borrows this test environment's dependencies."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO


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


def site_packages(venv: Path) -> Path:
    return Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))


def build(image: Path) -> None:
    copy_as_the_dockerfile_does(image / "src")
    venv = image / "venv"
    subprocess.run(
        [str(image / "src" / "scripts" / "install.sh"), str(venv), "--no-deps"],
        check=True,
        timeout=900,
        env=dict(os.environ, PIP_NO_CACHE_DIR="1"),
    )
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site_packages(venv) / "dependencies_from_the_test_environment.pth").write_text("\n".join(ours) + "\n")


def shared_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This run's temporary folder: under pytest-xdist, the one its workers share."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def installed_once(shared: Path) -> Installed:
    """The first caller builds it, under a lock; the others wait for it and use it."""
    image = shared / "image"
    with (shared / "image.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (image / "built").exists():
            shutil.rmtree(image, ignore_errors=True)
            build(image)
            (image / "built").touch()
    return Installed(image / "venv", site_packages(image / "venv") / "monitor")
