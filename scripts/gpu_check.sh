#!/usr/bin/env bash
# On a machine with an NVIDIA GPU and CuPy installed (e.g. the team's lent H100 image, which has
# cupy-cuda13x, torch, numpy, pytest and hypothesis but no registry access), run the suite with the
# cuda cases enabled and the GPU benchmarks; results land in $OUT (default benchmarks/results).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-benchmarks/results}"
export PYTHONPATH=. HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-ci}" MPLBACKEND=Agg
python3 -c "import minitorch, sys; ok = minitorch.cuda.is_available(); print('cuda available:', ok); sys.exit(0 if ok else 1)"
python3 -m pytest -q --maxfail=50 tests -p no:cacheprovider -k "cuda" 2>&1 | tee "$OUT/gpu-pytest.txt" | tail -5
python3 -m benchmarks --device cuda --json "$OUT/gpu-h100.json" --plot "$OUT/gpu-h100.png" | tee "$OUT/gpu-h100.md"
