#!/usr/bin/env bash
# Set up a virtual environment and run the main job: train a small CNN on the bundled Digits.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q -e .
python -m minitorch train "$@"
