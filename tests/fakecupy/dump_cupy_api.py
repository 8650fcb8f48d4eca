"""Regenerate ``cupy_api.json``: the public names real CuPy has (run where cupy is installed; no GPU needed).

    python tests/fakecupy/dump_cupy_api.py > tests/fakecupy/cupy_api.json
"""
import inspect
import json
import re

import cupy
import cupyx
import cupyx.scipy.special


def public(obj) -> list[str]:
    return sorted(n for n in dir(obj) if not n.startswith("_"))


def parameter_names(fn):
    """The keyword names ``fn`` accepts (None: any, or unknown), from its signature or docstring."""
    try:
        params = inspect.signature(fn).parameters.values()
        if any(p.kind == p.VAR_KEYWORD for p in params):
            return None
        return [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.POSITIONAL_ONLY)]
    except (TypeError, ValueError):
        head = (fn.__doc__ or "").strip().split("\n")[0]
        found = re.match(r"[\w.]+\((.*)\)", head)
        if not found or "**" in found.group(1):
            return None
        names = [a.strip().split("=")[0].strip(" *") for a in found.group(1).split(",")]
        return [n for n in names if n and n not in ("self", "/")]


def signatures(module, names) -> dict:
    out = {}
    for n in names:
        obj = getattr(module, n, None)
        if callable(obj) and not isinstance(obj, type) and not isinstance(obj, cupy._core._kernel.ufunc):
            out[n] = parameter_names(obj)
    return out


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
api["signatures"] = {
    "cupy": signatures(cupy, api["cupy"]),
    "ndarray": signatures(cupy.ndarray, api["ndarray"]),
    "linalg": signatures(cupy.linalg, api["linalg"]),
    "lib.stride_tricks": signatures(cupy.lib.stride_tricks, api["lib.stride_tricks"]),
    "random.Generator": signatures(cupy.random.Generator, api["random.Generator"]),
}
print(json.dumps(api, indent=1))
