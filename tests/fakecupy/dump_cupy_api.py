"""Regenerate ``cupy_api.json``: the public names real CuPy has (run where cupy is installed; no GPU needed).

    python tests/fakecupy/dump_cupy_api.py > tests/fakecupy/cupy_api.json
"""
import json

import cupy
import cupyx
import cupyx.scipy.special


def public(obj) -> list[str]:
    return sorted(n for n in dir(obj) if not n.startswith("_"))


ufunc_types = (cupy._core._kernel.ufunc,)
api = {
    "cupy_version": cupy.__version__,
    "cupy": public(cupy),
    "ufuncs": sorted(n for n in public(cupy) if isinstance(getattr(cupy, n), ufunc_types)),
    "ndarray": sorted(n for n in dir(cupy.ndarray) if not n.startswith("__") or n in ("__dlpack__", "__dlpack_device__")),  # noqa: E501
    "linalg": public(cupy.linalg),
    "fft": public(cupy.fft),
    "random": public(cupy.random),
    "random.Generator": public(cupy.random.Generator),
    "lib.stride_tricks": public(cupy.lib.stride_tricks),
    "cupyx": public(cupyx),
    "cupyx.scipy.special": public(cupyx.scipy.special),
}
print(json.dumps(api, indent=1))
