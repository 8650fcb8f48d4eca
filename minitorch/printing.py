"""How a Tensor prints: ``tensor([1.0000, 2.5000], dtype=torch.float64)``, exactly as torch lays it out.

The rules (torch's): one width for every element; floats print in one of three modes chosen from the
nonzero finite values: whole numbers (``1.``), fixed (``precision`` decimals) or scientific (when the
largest / smallest > 1000, the largest > 1e8 or the smallest < 1e-4, unless ``sci_mode`` forces it).
Over ``threshold`` elements the tensor is summarised to ``edgeitems`` at each end of every dim. Lines
wrap at ``linewidth``. ``set_printoptions`` changes these for every later repr.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np

__all__ = ["set_printoptions"]


class _PrintOptions:
    __slots__ = ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")

    def __init__(self) -> None:
        self.precision, self.threshold, self.edgeitems, self.linewidth = 4, 1000, 3, 80
        self.sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(precision: int | None = None, threshold: float | None = None, edgeitems: int | None = None,
                     linewidth: int | None = None, profile: str | None = None, sci_mode: bool | None = None) -> None:
    """Options for printing tensors, as ``torch.set_printoptions``: ``precision`` (decimals, 4),
    ``threshold`` (elements before summarising, 1000), ``edgeitems`` (3), ``linewidth`` (80),
    ``profile`` ('default', 'short', 'full') and ``sci_mode`` (True/False forces it, None chooses).
    ``sci_mode`` is reset to None by every call that does not pass it, as in torch."""
    if profile is not None:
        if profile in _PROFILES:
            (PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems,
             PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current options as keyword arguments for ``set_printoptions`` (torch's ``_tensor_str.get_printoptions``)."""
    return {name: getattr(PRINT_OPTS, name) for name in _PrintOptions.__slots__}


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a ``with`` block only."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------- element formatting -------------
class _Formatter:
    """One width and one float mode for every element of a (summarised) array."""

    def __init__(self, arr: np.ndarray) -> None:
        self.floating = arr.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        prec = PRINT_OPTS.precision
        flat = arr.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(str(v)))
            return
        wide = flat.astype(np.float64)  # float16 overflows in these checks (1e8), as torch notes
        vals = wide[np.isfinite(wide) & (wide != 0)]
        if vals.size == 0:
            return
        mag = np.abs(vals)
        lo, hi = float(mag.min()), float(mag.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)
        values = vals.tolist()
        if self.sci_mode:
            width = max(len(f"{v:.{prec}e}") for v in values)
        elif self.int_mode:
            width = max(len(f"{v:.0f}") for v in values) + 1
        else:
            width = max(len(f"{v:.{prec}f}") for v in values)
        self.max_width = max(self.max_width, width)

    def format(self, value) -> str:
        if self.floating:
            prec = PRINT_OPTS.precision
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{prec}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{prec}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


class _ComplexFormatter:
    """torch's complex layout: the real parts share one formatter, the imaginary parts another; an element
    prints as ``real`` then the signed imaginary part and ``j`` (``1.0000+2.j``)."""

    def __init__(self, arr: np.ndarray) -> None:
        self.re, self.im = _Formatter(arr.real), _Formatter(arr.imag)
        self.max_width = self.re.max_width + self.im.max_width + 1

    def format(self, value) -> str:
        imag = (self.im.format(value.imag) + "j").lstrip()
        return self.re.format(value.real) + (imag if imag[0] in "+-" else "+" + imag)


def _summarized(arr: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows: ``edgeitems`` from each end of every long dim."""
    e = PRINT_OPTS.edgeitems
    for d in range(arr.ndim):
        if arr.shape[d] > 2 * e:
            keep = np.r_[0:e, arr.shape[d] - e:arr.shape[d]]
            arr = np.take(arr, keep, axis=d)
    return arr


def _vector_str(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    element_length = fmt.max_width + 2
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    e = PRINT_OPTS.edgeitems
    if summarize and not e:
        data = ["..."]
    elif summarize and arr.shape[0] > 2 * e:
        data = [fmt.format(v) for v in arr[:e].tolist()] + [" ..."] + [fmt.format(v) for v in arr[-e:].tolist()]
    else:
        data = [fmt.format(v) for v in arr.tolist()]
    lines = [", ".join(data[i:i + per_line]) for i in range(0, len(data), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with(arr: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt)
    e = PRINT_OPTS.edgeitems
    n = arr.shape[0]
    if summarize and n > 2 * e:
        slices = ([_tensor_str_with(arr[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                  + [_tensor_str_with(arr[i], indent + 1, summarize, fmt) for i in range(n - e, n)])
    else:
        slices = [_tensor_str_with(arr[i], indent + 1, summarize, fmt) for i in range(n)]
    return "[" + ("," + "\n" * (arr.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def array_str(arr: np.ndarray, indent: int) -> str:
    """The bracketed body of a tensor's repr for the host array ``arr``."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > PRINT_OPTS.threshold
    fmt = (_ComplexFormatter if arr.dtype.kind == "c" else _Formatter)(_summarized(arr) if summarize else arr)
    return _tensor_str_with(arr, indent, summarize, fmt)


def _add_suffixes(body: str, suffixes: list, indent: int) -> str:
    parts = [body]
    last_line_len = len(body) - body.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """``repr(t)`` as torch writes it: the values, then device, dtype, grad_fn / requires_grad."""
    from .backend import numpy_of
    from .backend.dtype import get_default_dtype
    from .creation import get_default_device

    arr = numpy_of(t.array)
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != get_default_device().type:
        suffixes.append(f"device='{dev}'")
    default = get_default_dtype().np
    default_complex = np.dtype(np.complex128 if default == np.float64 else np.complex64)
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype not in (default, default_complex):
            suffixes.append(f"dtype={t.dtype}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if arr.dtype not in (default, default_complex, np.int64, np.bool_):
            suffixes.append(f"dtype={t.dtype}")
        body = array_str(arr, indent)
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
