"""The container's install step, without a Docker engine: scripts/install.sh is the Dockerfile's
only install command; run it into a fresh virtual environment and use the entry point it gives."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from builders import JORDAN_DRONE, rss
from conftest import REPO, write_config


def test_the_dockerfile_installs_with_the_script_this_test_runs():
    dockerfile = (REPO / "Dockerfile").read_text()

    assert "RUN ./scripts/install.sh /opt/monitor" in dockerfile
    assert 'CMD ["monitor", "health"]' in dockerfile and 'ENTRYPOINT ["monitor"]' in dockerfile


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    venv = tmp_path_factory.mktemp("image") / "venv"
    subprocess.run(
        [str(REPO / "scripts" / "install.sh"), str(venv)],
        check=True,
        timeout=900,
        env=dict(os.environ, PIP_NO_CACHE_DIR="1"),
    )
    return venv / "bin" / "monitor"


def test_the_installed_entry_point_checks_the_baked_config(installed, tmp_path):
    baked = tmp_path / "config"
    shutil.copytree(REPO / "config", baked)

    result = subprocess.run(
        [str(installed), "check-config"],
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

    before = subprocess.run([str(installed), "health"], capture_output=True, text=True, timeout=120, env=env)
    subprocess.run([str(installed), "poll"], check=True, capture_output=True, timeout=300, env=env)
    after = subprocess.run([str(installed), "health"], capture_output=True, text=True, timeout=120, env=env)

    assert before.returncode == 1 and "no store" in before.stderr
    assert after.returncode == 0, after.stderr
    assert after.stdout.startswith("healthy: last cycle finished")
