"""``minitorch.testing``: ``assert_close``, ``make_tensor`` (and the deprecated ``assert_allclose``), as torch's.

``assert_close`` compares tensors, NumPy arrays, Python numbers, booleans, ``None`` and (nested) sequences and
mappings of them, with torch's default tolerances per dtype and torch's messages. Values are compared on the host
(a GPU tensor is copied back: this is a test helper). Every minitorch tensor is strided, so ``check_layout`` has
nothing to compare.
"""
from __future__ import annotations

import cmath
import collections.abc
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .backend.dtype import dtype as DType
from .backend.dtype import to_dtype
from .tensor import Tensor

__all__ = ["assert_close", "assert_allclose", "make_tensor"]

# (rtol, atol) per dtype name; every other dtype (integers, bool) is compared exactly.
_DTYPE_PRECISIONS = {
    "float16": (0.001, 1e-5),
    "bfloat16": (0.016, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


class _ErrorMeta(Exception):
    """A failed comparison: the exception type, its message and where in a nested input it happened."""

    def __init__(self, type: type[Exception], msg: str, *, id: tuple = ()) -> None:
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += f"\n\nThe failure occurred for item {''.join(str([item]) for item in self.id)}"
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


class _Unsupported(Exception):
    pass


def _dtype_name(d) -> str:
    return d.name if isinstance(d, DType) else np.dtype(d).name


def _default_tolerances(*dtype_names: str, precisions: dict | None = None) -> tuple[float, float]:
    table = _DTYPE_PRECISIONS if precisions is None else precisions
    rtols, atols = zip(*(table.get(n, (0.0, 0.0)) for n in dtype_names))
    return max(rtols), max(atols)


def _get_tolerances(*dtype_names: str, rtol, atol, id: tuple) -> tuple[float, float]:
    if (rtol is None) ^ (atol is None):
        raise _ErrorMeta(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                     f"but got no {'rtol' if rtol is None else 'atol'}.", id=id)
    if rtol is not None:
        return rtol, atol
    return _default_tolerances(*dtype_names)


def _mismatch_msg(identifier, default: str, extra: str | None, abs_diff, abs_idx, atol, rel_diff, rel_idx,
                  rtol) -> str:
    equality = rtol == 0 and atol == 0

    def diff(kind: str, value, idx, tol) -> str:
        if idx is None:
            msg = f"{kind.title()} difference: {value}"
        else:
            msg = f"Greatest {kind} difference: {value} at index {idx}"
        return msg + ("" if equality else f" (up to {tol} allowed)") + "\n"

    if identifier is None:
        identifier = default
    elif callable(identifier):
        identifier = identifier(default)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff("absolute", abs_diff, abs_idx, atol) + diff("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(None, "Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, atol, rel_diff,
                         None, rtol)


def _tensor_msg(actual: np.ndarray, expected: np.ndarray, matches: np.ndarray, rtol: float, atol: float) -> str:
    n = matches.size
    bad = n - int(matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    a, e, m = actual.reshape(-1), expected.reshape(-1), matches.reshape(-1)
    if a.dtype.kind not in "fc":
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[m] = 0
        if abs_diff.dtype.kind not in "fc":  # torch: int64 / int64 is a float32 true division
            rel_diff = abs_diff.astype(np.float32) / np.abs(e).astype(np.float32)
        else:
            rel_diff = abs_diff / np.abs(e)
        rel_diff[m] = 0

    def top(d):  # torch.max(dim) propagates NaN and takes the first of tied maxima
        nan = np.isnan(d) if d.dtype.kind in "fc" else np.zeros(d.shape, bool)
        i = int(np.argmax(nan)) if nan.any() else int(np.argmax(d))
        idx = tuple(int(k) for k in np.unravel_index(i, matches.shape)) if matches.shape else ()
        return d[i].item(), idx

    (ad, ai), (rd, ri) = top(abs_diff), top(rel_diff)
    return _mismatch_msg(None, "Tensor-likes", extra, ad, ai, atol, rd, ri, rtol)


def _as_host(t) -> np.ndarray:
    if isinstance(t, Tensor):
        return np.asarray(t.detach().cpu().numpy())
    return np.asarray(t)


def _compare_tensors(actual, expected, *, id, rtol, atol, equal_nan, check_device, check_dtype, check_stride):
    is_t = isinstance(actual, Tensor)

    def fail_attr(name, a, e):
        raise _ErrorMeta(AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", id=id)

    a_dt = actual.dtype if is_t else actual.dtype
    e_dt = expected.dtype if is_t else expected.dtype
    rtol, atol = _get_tolerances(_dtype_name(a_dt), _dtype_name(e_dt), rtol=rtol, atol=atol, id=id)
    if tuple(actual.shape) != tuple(expected.shape):
        fail_attr("shape", actual.shape, expected.shape)
    if check_stride and is_t and actual.stride() != expected.stride():
        fail_attr("stride()", actual.stride(), expected.stride())
    if check_device and is_t and actual.device != expected.device:
        fail_attr("device", actual.device, expected.device)
    if check_dtype and a_dt != e_dt:
        fail_attr("dtype", a_dt, e_dt)
    a, e = _as_host(actual), _as_host(expected)
    if a.dtype != e.dtype:
        if is_t:
            from .backend.dtype import promote_types

            common = to_dtype(promote_types(a_dt, e_dt)).np
        else:
            common = np.promote_types(a.dtype, e.dtype)
        a, e = a.astype(common), e.astype(common)
    if a.dtype.kind in "fc" or rtol or atol:
        with np.errstate(all="ignore"):
            matches = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    else:
        matches = a == e
    if matches.all():
        return
    if a.ndim == 0:
        msg = _scalar_msg(a.item(), e.item(), rtol, atol)
    else:
        msg = _tensor_msg(a, e, matches, rtol, atol)
    raise _ErrorMeta(AssertionError, msg, id=id)


def _compare_numbers(actual, expected, *, id, rtol, atol, equal_nan, check_dtype):
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _get_tolerances(*(_NUMBER_DTYPES[type(x)] for x in (actual, expected)), rtol=rtol, atol=atol, id=id)
    if check_dtype and type(actual) is not type(expected):
        raise _ErrorMeta(AssertionError, f"The (d)types do not match: {type(actual)} != {type(expected)}.", id=id)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _ErrorMeta(AssertionError, _scalar_msg(actual, expected, rtol, atol), id=id)


def _compare(actual, expected, id: tuple, opts: dict) -> None:
    if (isinstance(actual, collections.abc.Sequence) and not isinstance(actual, str)
            and isinstance(expected, collections.abc.Sequence) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _ErrorMeta(AssertionError,
                             f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", id=id)
        for i in range(len(actual)):
            _compare(actual[i], expected[i], (*id, i), opts)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _ErrorMeta(AssertionError, "The keys of the mappings do not match:\n"
                                             f"Missing keys in the actual mapping: {sorted(ek - ak)}\n"
                                             f"Additional keys in the actual mapping: {sorted(ak - ek)}", id=id)
        keys: Any = ak
        try:
            keys = sorted(keys)
        except Exception:  # noqa: BLE001  (unorderable keys: any order)
            pass
        for k in keys:
            _compare(actual[k], expected[k], (*id, k), opts)
        return
    if actual is None or expected is None:
        if not (actual is None and expected is None):
            raise _ErrorMeta(AssertionError, f"None mismatch: {actual} is not {expected}", id=id)
        return
    bools = (bool, np.bool_)
    if isinstance(actual, bools) and isinstance(expected, bools):
        if bool(actual) is not bool(expected):
            raise _ErrorMeta(AssertionError, f"Booleans mismatch: {bool(actual)} is not {bool(expected)}", id=id)
        return
    numbers = (int, float, complex, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers) and not isinstance(actual, bool) \
            and not isinstance(expected, bool):
        _compare_numbers(actual, expected, id=id, rtol=opts["rtol"], atol=opts["atol"],
                         equal_nan=opts["equal_nan"], check_dtype=opts["check_dtype"])
        return
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if related and isinstance(actual, (Tensor, np.ndarray)):
        _compare_tensors(actual, expected, id=id, **opts)
        return
    raise _ErrorMeta(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} "
                                f"and {type(expected)}.", id=id)


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True, check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Raise ``AssertionError`` unless ``actual`` and ``expected`` are close: ``|a - e| <= atol + rtol * |e|``.

    Default ``(rtol, atol)``: float16 (1e-3, 1e-5), float32 (1.3e-6, 1e-5), float64 (1e-7, 1e-7), exact for
    integers and bools; the larger of the two inputs' when their dtypes differ (``check_dtype=False``).
    Tensors must match in shape (and device, dtype, strides when checked). ``msg`` replaces the message, or,
    when callable, receives the generated one.
    """
    __tracebackhide__ = True
    opts = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_device": check_device,
            "check_dtype": check_dtype, "check_stride": check_stride}
    try:
        _compare(actual, expected, (), opts)
    except _ErrorMeta as err:
        raise err.to_error(msg) from None


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None, atol: float | None = None,
                    equal_nan: bool = True, msg: str = "") -> None:
    """Deprecated (as in torch): ``assert_close`` with looser defaults, ``check_dtype=False`` and ``equal_nan=True``."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future "
                  "release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade "
                  "instructions in https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    from .creation import tensor

    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        rtol, atol = _default_tolerances(actual.dtype.name, expected.dtype.name, precisions={
            "float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)})
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)


def make_tensor(*shape, dtype, device, low: float | None = None, high: float | None = None,
                requires_grad: bool = False, noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format=None) -> Tensor:
    """A tensor of ``shape`` filled with values drawn uniformly from ``[low, high)`` (minitorch's RNG).

    Defaults: bool [0, 2), unsigned [0, 10), signed integers [-9, 10), floats [-9, 9); bounds are clamped to
    the dtype's range and rounded up for integers, as torch's.
    """
    from . import creation
    from .backend.dtype import finfo, iinfo

    dt = to_dtype(dtype)
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
                         f"but got noncontiguous={noncontiguous} and memory_format={memory_format}")
    is_float = dt.is_floating_point
    if requires_grad and not is_float:
        raise ValueError("`requires_grad=True` is not supported for boolean and integral dtypes, "
                         f"but got dtype={dt}")

    def bounds(lowest, highest, default_low, default_high):
        lo = default_low if low is None else low
        hi = default_high if high is None else high
        if any(isinstance(v, float) and math.isnan(v) for v in (lo, hi)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={lo} and high={hi}")
        if lo == hi and is_float:
            warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
                          "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                          FutureWarning, stacklevel=3)
        elif lo >= hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        elif hi < lowest or lo >= highest:
            raise ValueError(f"The value interval specified by `low` and `high` is [{lo}, {hi}), "
                             f"but {dt} only supports [{lowest}, {highest})")
        lo, hi = min(max(lo, lowest), highest), min(max(hi, lowest), highest)
        return (lo, hi) if is_float else (math.ceil(lo), math.ceil(hi))

    numel = math.prod(shape)
    noncontiguous = noncontiguous and numel > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dt.name == "bool":
        lo, hi = bounds(0, 2, 0, 2)
        result = creation.randint(lo, hi, shape, dtype=dt, device=device)
    elif not is_float:
        info = iinfo(dt)
        lo, hi = bounds(info.min, info.max + (1 if dt.name != "int64" else 0), 0 if info.min == 0 else -9, 10)
        result = creation.randint(lo, hi, shape, dtype=dt, device=device)
    else:
        info = finfo(dt)
        lo, hi = bounds(info.min, info.max, -9, 9)
        result = creation.empty(shape, dtype=dt, device=device)
        if hi - lo >= info.max:
            result.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            result.uniform_(lo, hi)
    if noncontiguous:
        result = result[..., 1::2]
    if exclude_zero:
        result = Tensor._wrap(_replace_zero(result.array, 1 if not is_float else finfo(dt).tiny))
    if is_float:
        result.requires_grad = requires_grad
    return result


def _replace_zero(arr, value):
    from .backend import xp_of

    xp = xp_of(arr)
    return xp.where(arr == 0, xp.asarray(value, dtype=arr.dtype), arr)
