#!/bin/sh
# Install monitor into a fresh virtual environment: the one install step of the Dockerfile,
# and of tests/test_install.py, which checks the result without a Docker engine.
set -eu
venv="${1:?usage: scripts/install.sh VENV_DIR}"
src="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check --quiet "$src"
