"""Statistics and numeric helpers built from existing ops: cov, corrcoef, trapezoid, cumulative_trapezoid,
vander, diagflat, aminmax; and the index helpers isin, unravel_index.

Every differentiable op here is a composition of differentiable Tensor ops (mean, matmul, narrow, cumsum,
cumprod, diag...), so its gradient (and double backward) is the chain rule through those; nothing here
needs a backward of its own. The scatter_reduce family lives in ``indexing.py``.
"""
from __future__ import annotations

import numpy as np

from ..backend import xp_of
from ..backend.dtype import get_default_dtype
from ..return_types import structseq
from ..tensor import Tensor
from ._util import wrap_dim
from .comparison import bincount, unique_consecutive
from .indexing import scatter_reduce

__all__: list[str] = [
    "isin", "unravel_index", "aminmax", "diagflat", "vander", "cov", "corrcoef", "trapezoid", "trapz",
    "cumulative_trapezoid", "scatter_reduce", "unique_consecutive",
]

aminmax_result = structseq("aminmax", ["min", "max"])


def _floating(x: Tensor) -> Tensor:
    """Integer/bool input promoted to the default float dtype (as torch does for these ops)."""
    return x if x.array.dtype.kind == "f" else x.to(get_default_dtype())


# ---------------------------------------------------------------- index helpers (no gradient) ----
def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Bool tensor of ``elements``' shape: whether each element is in ``test_elements`` (either may be a scalar)."""
    ref = elements if isinstance(elements, Tensor) else test_elements
    if not isinstance(ref, Tensor):
        raise TypeError("isin() received an invalid combination of arguments: one of elements and test_elements "
                        "must be a Tensor")
    xp = xp_of(ref.array)
    e = elements.array if isinstance(elements, Tensor) else xp.asarray(elements)
    t = test_elements.array if isinstance(test_elements, Tensor) else xp.asarray(test_elements)
    return Tensor._wrap(xp.isin(e, t, assume_unique=assume_unique, invert=invert))


def unravel_index(indices: Tensor, shape) -> tuple:
    """The coordinates in a tensor of ``shape`` of each flat index (a tuple of int64 tensors shaped like
    ``indices``); indices outside [0, numel) wrap around as in torch (no error)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be integer dtype, but got {type(indices).__name__}")
    arr = indices.array
    if arr.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(tuple(shape)))
    rest = arr.astype(np.int64)
    coords = []
    for size in reversed(shape):
        coords.append(rest % size if size else rest * 0)
        rest = rest // size if size else rest * 0
    return tuple(Tensor._wrap(c) for c in reversed(coords))


# ---------------------------------------------------------------- reductions and structure -------
def aminmax(input: Tensor, *, dim=None, keepdim: bool = False):
    """(min, max) of all elements, or along ``dim``: amin and amax together (each with amax's gradient)."""
    if input.array.size == 0 and dim is None:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                           "identity.")
    d = () if dim is None else dim
    return aminmax_result(input.amin(dim=d, keepdim=keepdim), input.amax(dim=d, keepdim=keepdim))


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A 2-D tensor with the flattened input on its ``offset`` diagonal (zeros elsewhere)."""
    from .diagonal import diag

    return diag(input.reshape(-1), offset)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D x: columns x^(N-1), ..., x^0 (``increasing``: x^0 first), built as a
    cumulative product so the gradient at x = 0 stays finite."""
    from .scan import cumprod
    from .shape import cat

    if x.array.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.array.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x.array.dtype.kind == "b":
        x = x.to(np.int64)
    elif x.array.dtype.kind in "iu":
        x = x.to(np.int64)
    xp = xp_of(x.array)
    ones = Tensor._wrap(xp.ones((x.array.shape[0], 1 if n else 0), dtype=x.array.dtype))
    if n <= 1:
        out = ones
    else:
        out = cumprod(cat([ones, x.unsqueeze(1).expand(x.array.shape[0], n - 1)], 1), 1)
    return out if increasing else out.flip(1)


def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """Covariance of the variables in the rows of ``input`` (observations in columns; a 1-D input is one
    variable): sum_k w_k (x_ik - m_i)(x_jk - m_j) / (sum w - correction * sum(w a) / sum w)."""
    if input.array.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                           f"{input.array.ndim} dimensions")
    x = _floating(input)
    x = x.reshape(1, -1) if x.array.ndim < 2 else x
    n_obs = x.array.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        if weights.array.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                               f"{weights.array.ndim} dimensions")
        if weights.array.size != n_obs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the "
                               f"input but got {weights.array.size} != {n_obs}")
        if name == "fweights" and weights.array.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got fweights with "
                               f"{weights.dtype} dtype")
        if name == "aweights" and weights.array.dtype.kind != "f":
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got aweights with "
                               f"{weights.dtype} dtype")
        wt = weights.reshape(-1).to(x.dtype)
        w = wt if w is None else w * wt
    if w is None:
        avg = x.mean(1, keepdim=True)
        w_sum = float(n_obs)
        norm = w_sum - correction
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1, keepdim=True) / w_sum
        if correction == 0:
            norm = w_sum
        elif aweights is None:
            norm = w_sum - correction
        else:
            norm = w_sum - correction * (w * aweights.reshape(-1).to(x.dtype)).sum() / w_sum
    if isinstance(norm, Tensor):
        norm = norm.clamp_min(0)  # torch: a non-positive normaliser gives inf/nan (no error)
    else:
        norm = max(norm, 0.0)
    xm = x - avg
    c = ((xm * w) if w is not None else xm) @ xm.t()
    c = c / norm
    return c.squeeze()  # as torch: a single variable gives a 0-d result


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation of the rows: cov(x) / (std_i std_j), clamped to [-1, 1] as torch does."""
    c = cov(input)
    if c.array.ndim == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt()
    c = c / std.unsqueeze(1) / std.unsqueeze(0)
    return c.clamp(-1, 1)


# ---------------------------------------------------------------- trapezoidal integration --------
def _spacing(y: Tensor, x, dx, d: int, op: str):
    """The widths between neighbours along ``d``: a scalar (dx) or a tensor broadcasting against y's pieces."""
    if x is None:
        return 1.0 if dx is None else dx
    if dx is not None:
        raise TypeError(f"{op}() received an invalid combination of arguments: x and dx together")
    if not isinstance(x, Tensor):  # torch.trapezoid(y, 0.5): a scalar x is the spacing
        return x
    xf = _floating(x) if x.array.dtype.kind != "f" else x
    if xf.array.ndim == 1:
        if xf.array.shape[0] != y.array.shape[d]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
        widths = xf[1:] - xf[:-1]
        return widths.reshape((-1,) + (1,) * (y.array.ndim - d - 1))
    xd = wrap_dim(d - y.array.ndim, xf.array.ndim, op)
    n = xf.array.shape[xd]
    return xf.narrow(xd, 1, n - 1) - xf.narrow(xd, 0, n - 1)


def _pieces(y: Tensor, x, dx, dim: int, op: str):
    if y.array.ndim == 0:
        raise IndexError(f"{op}(): Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
    d = wrap_dim(dim, y.array.ndim, op)
    y = _floating(y)
    n = y.array.shape[d]
    widths = _spacing(y, x, dx, d, op)
    if n == 0:
        return d, y.narrow(d, 0, 0), widths
    mid = (y.narrow(d, 1, n - 1) + y.narrow(d, 0, n - 1)) * widths
    return d, mid / 2, widths


def trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along ``dim``: sum_i (y_i + y_{i+1}) / 2 * (x_{i+1} - x_i), or with spacing dx."""
    d, areas, _ = _pieces(y, x, dx, dim, "trapezoid")
    return areas.sum(d)


def trapz(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """Alias of trapezoid."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x=None, *, dx=None, dim: int = -1) -> Tensor:
    """The running trapezoidal integral along ``dim`` (one element fewer than y there)."""
    d, areas, _ = _pieces(y, x, dx, dim, "cumulative_trapezoid")
    return areas.cumsum(d)


METHODS: dict = {
    "aminmax": aminmax, "diagflat": diagflat, "cov": cov, "corrcoef": corrcoef, "scatter_reduce": scatter_reduce,
    "unique_consecutive": unique_consecutive, "bincount": bincount,
}
INPLACE_METHODS: dict = {"scatter_reduce_": scatter_reduce}
