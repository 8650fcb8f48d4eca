#!/usr/bin/env bash
# Set up a virtual environment with the test extra and run the whole suite (what CI runs):
# ruff, then pytest over tests/ and the executed notebooks/ (nbmake), then the cuda cases again on
# tests/fakecupy (CuPy's rules on NumPy), so the GPU code paths are exercised without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v dot >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  # Graphviz's `dot` renders the graph drawings (tests that need it skip without it).
  (apt-get update -qq && apt-get install -y -qq graphviz >/dev/null) || echo "graphviz not installed; rendering tests will skip"
fi
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
python -m pip install -q -e ".[test]"
export HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}" MPLBACKEND=Agg
ruff check minitorch tests benchmarks
python -m pytest -n 2 tests notebooks --nbmake
if python -c "import minitorch, sys; sys.exit(minitorch.cuda.is_available())"; then  # no real GPU here
  MINITORCH_FAKE_GPU=1 python -m pytest -n 2 tests -k cuda
fi
