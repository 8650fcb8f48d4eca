"""Window functions (``torch.hann_window`` & co.) for spectral analysis: new tensors, no inputs to differentiate.

``periodic=True`` (torch's default) computes the symmetric window of length N + 1 and drops the last sample
(the window for an N-point DFT). Values are computed in float64 and cast to the requested float dtype.
"""
from __future__ import annotations

import math

from ..backend import xp_for_device
from ..backend.dtype import get_default_dtype, to_dtype
from ..tensor import Tensor, check_layout
from .gamma import bessel_i_array

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _setup(op: str, window_length, dtype, layout, device):
    """(xp, NumPy dtype, n) after torch's checks on the length and dtype."""
    check_layout(layout, op)
    from ..creation import _device

    dev = _device(device)
    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    if dt.np.kind != "f":
        raise RuntimeError(f"{op} expects floating point dtypes, got: {dt}")
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{op}(): argument 'window_length' must be int, not {type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{op} requires non-negative window_length, got window_length={window_length}")
    return xp_for_device(dev), dt.np


def _finish(arr, dt, requires_grad: bool) -> Tensor:
    t = Tensor._wrap(arr.astype(dt))
    if requires_grad:
        t.requires_grad_(True)
    return t


_KW = ("*, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
       "bool pin_memory = False, bool requires_grad = False")


def _check_overload(op: str, window_length, given: dict, params: tuple) -> None:
    """torch's overloads take ``periodic``, then each shape parameter, only when all before it are given
    (``kaiser_window(16, beta=8.0)`` is a TypeError): ``given`` maps parameter names to value-or-None."""
    names = ("periodic",) + params
    missing = False
    for name in names:
        if given[name] is None:
            missing = True
        elif missing:
            got = ", ".join([type(window_length).__name__]
                            + [f"{k}={type(v).__name__}" for k, v in given.items() if v is not None])
            types = {"periodic": "bool"}
            sigs = [", ".join(["int window_length"] + [f"{types.get(n, 'float')} {n}" for n in names[:i]] + [_KW])
                    for i in range(len(names) + 1)]
            raise TypeError(f"{op}() received an invalid combination of arguments - got ({got}), but expected one "
                            "of:\n" + "".join(f" * ({sig})\n" for sig in sigs))


def _window(op, window_length, periodic, dtype, layout, device, requires_grad, fn) -> Tensor:
    xp, dt = _setup(op, window_length, dtype, layout, device)
    if window_length == 0:
        return _finish(xp.zeros(0, dtype=dt), dt, requires_grad)
    if window_length == 1:
        return _finish(xp.ones(1, dtype=dt), dt, requires_grad)
    n = window_length + 1 if periodic else window_length
    k = xp.arange(n, dtype="float64")
    w = fn(xp, k, n)
    return _finish(w[:window_length] if periodic else w, dt, requires_grad)


def hamming_window(window_length: int, periodic: bool | None = None, alpha: float | None = None,
                   beta: float | None = None, *, dtype=None, layout=None, device=None, requires_grad: bool = False,
                   pin_memory: bool = False) -> Tensor:
    """w[k] = alpha - beta cos(2 pi k / (N - 1)); periodic, alpha, beta default to True, 0.54, 0.46 and, as
    torch's overloads, each may be given only after those before it."""
    _check_overload("hamming_window", window_length, {"periodic": periodic, "alpha": alpha, "beta": beta},
                    ("alpha", "beta"))
    periodic = True if periodic is None else periodic
    alpha = 0.54 if alpha is None else alpha
    beta = 0.46 if beta is None else beta
    return _window("hamming_window", window_length, periodic, dtype, layout, device, requires_grad,
                   lambda xp, k, n: alpha - beta * xp.cos(2 * math.pi * k / (n - 1)))


def hann_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """w[k] = 1/2 - 1/2 cos(2 pi k / (N - 1)) = sin^2(pi k / (N - 1))."""
    return _window("hann_window", window_length, periodic, dtype, layout, device, requires_grad,
                   lambda xp, k, n: 0.5 - 0.5 * xp.cos(2 * math.pi * k / (n - 1)))


def blackman_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """w[k] = 0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))."""
    return _window("blackman_window", window_length, periodic, dtype, layout, device, requires_grad,
                   lambda xp, k, n: 0.42 - 0.5 * xp.cos(2 * math.pi * k / (n - 1))
                   + 0.08 * xp.cos(4 * math.pi * k / (n - 1)))


def bartlett_window(window_length: int, periodic: bool = True, *, dtype=None, layout=None, device=None,
                    requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """w[k] = 1 - |2k / (N - 1) - 1| (triangular)."""
    return _window("bartlett_window", window_length, periodic, dtype, layout, device, requires_grad,
                   lambda xp, k, n: 1.0 - xp.abs(2.0 * k / (n - 1) - 1.0))


def kaiser_window(window_length: int, periodic: bool | None = None, beta: float | None = None, *, dtype=None,
                  layout=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """w[k] = I0(beta sqrt(1 - ((k - a) / a)^2)) / I0(beta), a = (N - 1) / 2; periodic and beta default to
    True and 12.0 and, as torch's overloads, ``beta`` may be given only with ``periodic``."""
    _check_overload("kaiser_window", window_length, {"periodic": periodic, "beta": beta}, ("beta",))
    periodic = True if periodic is None else periodic
    beta = 12.0 if beta is None else beta
    def fn(xp, k, n):
        a = (n - 1) / 2.0
        r = xp.sqrt(xp.maximum(1.0 - ((k - a) / a) ** 2, 0.0))
        return bessel_i_array(beta * r, "i0") / bessel_i_array(xp.asarray([float(beta)]), "i0")

    return _window("kaiser_window", window_length, periodic, dtype, layout, device, requires_grad, fn)


METHODS: dict = {}
INPLACE_METHODS: dict = {}
