#!/bin/sh
# Install monitor into a fresh virtual environment: the one install step of the Dockerfile,
# and of tests/test_install.py, which checks the result without a Docker engine. Any further
# arguments go to pip (the test's --no-deps: given as an argument, not as PIP_NO_DEPS, which pip
# would also apply to the build's own requirements, leaving mypyc without what it imports).
set -eu
venv="${1:?usage: scripts/install.sh VENV_DIR [PIP_ARGS...]}"
shift
src="$(cd "$(dirname "$0")/.." && pwd)"
python3 -m venv "$venv"
"$venv/bin/pip" install --disable-pip-version-check --quiet "$@" "$src"
