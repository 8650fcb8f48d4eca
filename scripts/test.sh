#!/usr/bin/env bash
# Set up a virtual environment with the test extra and run the whole suite (what CI runs).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e ".[test]"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}"
ruff check minitorch tests benchmarks
python -m pytest -n 2 -q tests
