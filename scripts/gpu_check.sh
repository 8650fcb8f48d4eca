#!/usr/bin/env bash
# On a machine with an NVIDIA GPU and CuPy (e.g. the team's lent H100 image: cupy-cuda13x, torch,
# numpy, pytest, pytest-xdist, hypothesis, matplotlib; no registry access), run the cuda test cases
# on the real GPU and/or the GPU benchmarks against torch CUDA. Results land in $OUT (default
# benchmarks/results).
#
#   bash scripts/gpu_check.sh tests   # every test with "cuda" in its id (~1600), on CuPy
#   bash scripts/gpu_check.sh bench   # python -m benchmarks --device cuda (json, md, png)
#   bash scripts/gpu_check.sh         # both (may not fit in one 10-minute device call: split it)
#
# The first run compiles CuPy's kernels (cached under ~/.cupy for the rest of the machine's life).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-benchmarks/results}"
MODE="${1:-all}"
NAME="${GPU_NAME:-gpu-h100}"
mkdir -p "$OUT"
export PYTHONPATH=. HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}" MPLBACKEND=Agg PYTHONUNBUFFERED=1
python3 -c "import minitorch, sys; ok = minitorch.cuda.is_available(); print('cuda available:', ok,
minitorch.cuda.get_device_name() if ok else ''); sys.exit(0 if ok else 1)"
if [ "$MODE" = tests ] || [ "$MODE" = all ]; then
  workers=$(python3 -c "import xdist" 2>/dev/null && echo "-n 4" || echo "")
  # shellcheck disable=SC2086
  python3 -m pytest -q $workers --maxfail=100 tests -p no:cacheprovider -k cuda -rfE 2>&1 \
    | tee "$OUT/$NAME-pytest.txt" | tail -40
fi
if [ "$MODE" = bench ] || [ "$MODE" = all ]; then
  python3 -m benchmarks --device cuda --json "$OUT/$NAME.json" --plot "$OUT/$NAME.png" \
    --markdown "$OUT/$NAME.md"
fi
