"""Linear-algebra decompositions and solvers: det, inverse, solve, cholesky, qr, svd, eigh, ... (forward + backward).

Each factorisation is one Function: forward calls the array module's LAPACK/cuSOLVER routine
(``xp.linalg.*``, batched over leading dims), backward is the textbook adjoint written with Tensor
ops (so ``create_graph=True`` differentiates it again). Everything else here (logdet, norms,
lstsq, matrix_power, solve_triangular, cholesky_solve, ...) is a composite of these Functions and
of matmul, so its gradient comes for free. ``minitorch.linalg`` re-exports the ``linalg.*`` names.

Gradients of eigh/svd divide by eigenvalue (singular value) gaps: at repeated values they are
inf/nan, as torch's, unless the loss only depends on the values (or is gauge invariant).
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import BuiltinOp
from ..autograd.grad_mode import is_grad_enabled
from ..backend import cupyx_module, xp_of
from ..backend.arrays import is_cupy_array
from ..backend.checks import fail_if
from ..return_types import structseq
from ..tensor import Tensor
from ._util import torch_type_name, wrap_dim
from .complex import conj_of
from .linalg import matmul
from .reduction import amax, amin
from .reduction import norm as _norm

__all__: list[str] = [
    "det", "logdet", "slogdet", "inverse", "pinverse", "cholesky", "cholesky_solve", "cholesky_inverse",
    "svd", "qr", "matrix_power", "matrix_exp", "triangular_solve", "lu", "lu_solve", "lu_unpack",
]


class LinAlgError(RuntimeError):
    """A matrix the routine cannot handle (singular, not positive-definite): ``torch.linalg.LinAlgError``."""


SlogdetResult = structseq("linalg_slogdet", ["sign", "logabsdet"])
slogdet_result = structseq("slogdet", ["sign", "logabsdet"])
SvdResult = structseq("linalg_svd", ["U", "S", "Vh"])
svd_result = structseq("svd", ["U", "S", "V"])
QrResult = structseq("linalg_qr", ["Q", "R"])
qr_result = structseq("qr", ["Q", "R"])
EighResult = structseq("linalg_eigh", ["eigenvalues", "eigenvectors"])
LstsqResult = structseq("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
triangular_solve_result = structseq("triangular_solve", ["solution", "cloned_coefficient"])



# ---------------------------------------------------------------- checks and helpers ----------------
def _check(A: Tensor, op: str, *, square: bool = False, name: str = "A") -> None:
    """torch's checks (and words) for a batch of matrices: floating dtype, >= 2 dims, square."""
    if A.array.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {torch_type_name(A)}")
    if A.array.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and A.array.shape[-1] != A.array.shape[-2]:
        raise RuntimeError(
            f"{op}: {name} must be batches of square matrices, but they are {A.array.shape[-2]} by "
            f"{A.array.shape[-1]} matrices"
        )


def _kernel_check(A: Tensor, kernel: str) -> None:
    """Where torch sends an integer input straight to a float kernel, it raises NotImplementedError."""
    if A.array.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_type_name(A)}'")


def _same_dtype(A: Tensor, B: Tensor, op: str) -> None:
    if A.array.dtype != B.array.dtype:
        raise RuntimeError(
            f"{op}: Expected A and B to have the same dtype, but found A of type {torch_type_name(A)} and B of "
            f"type {torch_type_name(B)} instead"
        )
    if A.device != B.device:
        raise RuntimeError(
            f"{op}: Expected all tensors to be on the same device, but found at least two devices, "
            f"{A.device} and {B.device}!"
        )


def _lapack(op: str, problem: str, fn, *args, **kw):
    """Run an ``xp.linalg`` routine; its LinAlgError becomes torch's (a RuntimeError naming the op)."""
    try:
        return fn(*args, **kw)
    except np.linalg.LinAlgError as e:  # CuPy raises NumPy's class too
        raise LinAlgError(f"{op}: {problem} ({e})") from None


def _gpu_check_finite(out, op: str, problem: str) -> None:
    """cuSOLVER does not raise on a singular / indefinite input: queue a check for the next sync."""
    if is_cupy_array(out):
        xp = xp_of(out)
        fail_if(~xp.isfinite(out).all(), LinAlgError, f"{op}: {problem}")


def _eye(n: int, like: Tensor) -> Tensor:
    return Tensor._wrap(xp_of(like.array).eye(n, dtype=like.array.dtype))


def _inv_gaps(v: Tensor) -> Tensor:
    """F_ij = 1 / (v_j - v_i) off the diagonal, 0 on it (inf where two values coincide)."""
    eye = _eye(v.array.shape[-1], v)
    return (1.0 / (v.unsqueeze(-2) - v.unsqueeze(-1) + eye)) * (1.0 - eye)


def _outputs(ctx, fn, *args) -> tuple:
    """The forward's outputs as Tensors for backward: the saved arrays when backward records no graph,
    else the op applied again to its (graph-connected) inputs, so double backward reaches them."""
    if is_grad_enabled():
        return fn.apply(*args)
    return tuple(Tensor._wrap(a) for a in ctx.out_arrays)


def _batch_broadcast(A: Tensor, B: Tensor, op: str) -> tuple:
    """A (*a, n, n) and B (*b, n, k) expanded to one batch shape (expand's backward sums it back)."""
    try:
        batch = tuple(np.broadcast_shapes(A.array.shape[:-2], B.array.shape[:-2]))
    except ValueError:
        raise RuntimeError(
            f"{op}: the batch dimensions of A {list(A.shape)} and B {list(B.shape)} do not broadcast"
        ) from None
    if A.array.shape[:-2] != batch:
        A = A.expand(batch + A.array.shape[-2:])
    if B.array.shape[:-2] != batch:
        B = B.expand(batch + B.array.shape[-2:])
    return A, B


# ---------------------------------------------------------------- array kernels: triangular solve, LU
# NumPy has no triangular solver and no LU with its pivots: these are written on arrays (NumPy or CuPy),
# vectorised over the batch, with the O(n^3) work in matrix products.
_TRSM_BLOCK = 64  # diagonal blocks of a triangular solve solved directly
_LU_BLOCK = 32  # columns of an LU panel eliminated one at a time


def _gpu_scipy_linalg():
    """``cupyx.scipy.linalg`` (cuBLAS trsm) when the GPU backend has it, else None."""
    cx = cupyx_module()
    lin = getattr(getattr(cx, "scipy", None), "linalg", None)
    if lin is None and getattr(cx, "__name__", None) == "cupyx":
        try:
            import cupyx.scipy.linalg as lin  # noqa: PLC0415 - optional, GPU only
        except Exception:
            lin = None
    return lin


def _triangle(a, upper: bool, unit: bool):
    """The triangle of ``a`` a triangular solve reads (its diagonal replaced by ones when ``unit``)."""
    xp = xp_of(a)
    if unit:
        t = xp.triu(a, 1) if upper else xp.tril(a, -1)
        return t + xp.eye(a.shape[-1], dtype=a.dtype)
    return xp.triu(a) if upper else xp.tril(a)


def _substitute(t, b, upper: bool):
    """Row-by-row substitution: a zero on the diagonal gives inf / nan (as LAPACK's trtrs), no error."""
    xp = xp_of(t)
    n = t.shape[-1]
    x = xp.zeros(b.shape, dtype=b.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            acc = b[..., i, :] - (t[..., i:i + 1, :] @ x)[..., 0, :]
            x[..., i, :] = acc / t[..., i, i, None]
    return x


def _solve_block(t, b, upper: bool):
    try:
        return xp_of(t).linalg.solve(t, b)
    except np.linalg.LinAlgError:  # an exact zero on the diagonal
        return _substitute(t, b, upper)


def _trsm(a, b, upper: bool, unit: bool = False):
    """X with T X = B, T the upper (lower) triangle of ``a`` (*, n, n), B (*, n, k) of the same batch shape:
    blocked substitution, diagonal blocks solved directly and each off-diagonal update one matrix product."""
    xp = xp_of(a)
    n = a.shape[-1]
    if n == 0 or b.shape[-1] == 0:
        return xp.zeros(b.shape, dtype=b.dtype)
    if a.ndim == 2 and b.ndim == 2 and is_cupy_array(a):
        lin = _gpu_scipy_linalg()
        if lin is not None:
            return lin.solve_triangular(a, b, lower=not upper, unit_diagonal=unit, check_finite=False)
    if n <= _TRSM_BLOCK:
        return _solve_block(_triangle(a, upper, unit), b, upper)
    x = xp.empty(b.shape, dtype=b.dtype)
    starts = list(range(0, n, _TRSM_BLOCK))
    for s in reversed(starts) if upper else starts:
        e = min(s + _TRSM_BLOCK, n)
        rhs = b[..., s:e, :]
        if upper and e < n:
            rhs = rhs - a[..., s:e, e:] @ x[..., e:, :]
        elif not upper and s:
            rhs = rhs - a[..., s:e, :s] @ x[..., :s, :]
        x[..., s:e, :] = _solve_block(_triangle(a[..., s:e, s:e], upper, unit), rhs, upper)
    return x


def _lu_array(a, pivot: bool = True) -> tuple:
    """LU with partial pivoting of a batch (*, m, n): (LU, pivots (1-based int32, LAPACK's row swaps),
    perm (the row order, A[perm] = L U), info (int32, first zero of U's diagonal, 1-based; 0 if none)).
    Right-looking and blocked: a panel of columns is eliminated one column at a time (pivot search and row
    swaps vectorised over the batch), its swaps then reach the other columns in one gather, U12 = L11^{-1} A12
    is a triangular solve and the trailing block is updated by one matrix product."""
    xp = xp_of(a)
    *batch, m, n = a.shape
    batch = tuple(batch)
    k = min(m, n)
    lu = xp.array(a.reshape((-1, m, n)), copy=True)
    nb = lu.shape[0]
    rows = xp.arange(nb)
    piv = xp.empty((nb, k), dtype=np.int32) if pivot else xp.broadcast_to(xp.arange(1, k + 1, dtype=np.int32), (nb, k))
    perm = xp.broadcast_to(xp.arange(m), (nb, m)).copy()
    for k0 in range(0, k, _LU_BLOCK):
        k1 = min(k0 + _LU_BLOCK, k)
        panel = lu[:, k0:, k0:k1]
        if pivot:
            loc = xp.broadcast_to(xp.arange(m - k0), (nb, m - k0)).copy()
        for j in range(k1 - k0):
            if pivot:
                p = xp.argmax(xp.abs(panel[:, j:, j]), axis=1) + j
                row = panel[:, j, :].copy()
                panel[:, j, :] = panel[rows, p, :]
                panel[rows, p, :] = row
                lj = loc[:, j].copy()
                loc[:, j] = loc[rows, p]
                loc[rows, p] = lj
                piv[:, k0 + j] = p + (k0 + 1)
            if j + 1 < m - k0:
                d = panel[:, j, j]
                col = panel[:, j + 1:, j] / xp.where(d == 0, 1, d)[:, None]  # a zero pivot: the column is 0
                panel[:, j + 1:, j] = col
                if j + 1 < k1 - k0:
                    panel[:, j + 1:, j + 1:] -= col[:, :, None] * panel[:, j:j + 1, j + 1:]
        if pivot:
            if k0:
                left = lu[:, k0:, :k0]
                lu[:, k0:, :k0] = xp.take_along_axis(left, xp.broadcast_to(loc[:, :, None], left.shape), axis=1)
            if k1 < n:
                right = lu[:, k0:, k1:]
                lu[:, k0:, k1:] = xp.take_along_axis(right, xp.broadcast_to(loc[:, :, None], right.shape), axis=1)
            perm[:, k0:] = xp.take_along_axis(perm[:, k0:], loc, axis=1)
        if k1 < n:
            lu[:, k0:k1, k1:] = _trsm(lu[:, k0:k1, k0:k1], lu[:, k0:k1, k1:], upper=False, unit=True)
            if k1 < m:
                lu[:, k1:, k1:] -= lu[:, k1:, k0:k1] @ lu[:, k0:k1, k1:]
    if k:
        zero = (xp.diagonal(lu[:, :k, :k], axis1=-2, axis2=-1) == 0).astype(np.int8)
        info = xp.where(zero.any(-1), xp.argmax(zero, axis=-1) + 1, 0).astype(np.int32)
    else:
        info = xp.zeros((nb,), dtype=np.int32)
    return (lu.reshape(batch + (m, n)), xp.ascontiguousarray(piv).reshape(batch + (k,)),
            perm.reshape(batch + (m,)), info.reshape(batch))


def _perm_of_pivots(piv, m: int):
    """The row order LAPACK's sequential swaps (1-based ``piv``) make: A[perm] = L U."""
    xp = xp_of(piv)
    batch, k = piv.shape[:-1], piv.shape[-1]
    p = piv.reshape((-1, k)).astype(np.int64) - 1
    nb = p.shape[0]
    if not is_cupy_array(p) and nb * k <= 1 << 16:  # on the host, plain Python swaps are fastest
        out = []
        for row in p.tolist():
            order = list(range(m))
            for i, j in enumerate(row):
                order[i], order[j] = order[j], order[i]
            out.append(order)
        return np.asarray(out, dtype=np.int64).reshape(batch + (m,))
    perm = xp.broadcast_to(xp.arange(m), (nb, m)).copy()
    rows = xp.arange(nb)
    for i in range(k):
        j = p[:, i]
        t = perm[:, i].copy()
        perm[:, i] = perm[rows, j]
        perm[rows, j] = t
    return perm.reshape(batch + (m,))


def _take_rows(x, perm):
    """x[..., perm, :] with ``perm`` (*, m) broadcast over x's batch."""
    xp = xp_of(x)
    return xp.take_along_axis(x, xp.broadcast_to(perm[..., :, None], x.shape), axis=-2)


class PermuteRows(BuiltinOp):
    """Rows reordered by a fixed permutation (a gather): x[..., perm, :]."""

    @staticmethod
    def forward(ctx, x, perm, inv):
        ctx.perm, ctx.inv = perm, inv
        return _take_rows(x.array, perm)

    @staticmethod
    def backward(ctx, g):
        """gx = g[..., perm^{-1}, :] (a permutation's transpose is its inverse)."""
        return PermuteRows.apply(g, ctx.inv, ctx.perm), None, None


# ---------------------------------------------------------------- determinants ---------------------
class Det(BuiltinOp):
    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.array).linalg.det(a.array)

    @staticmethod
    def backward(ctx, g):
        """d det(A) = g det(A) A^{-T} (Jacobi's formula; complex: g conj(det A) A^{-H})."""
        (a,) = ctx.saved_tensors
        return (g * conj_of(ctx.output)).unsqueeze(-1).unsqueeze(-1) * conj_of(inv(a).mT)


class Slogdet(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        sign, logabs = xp_of(a.array).linalg.slogdet(a.array)
        ctx.out_sign = sign
        return sign, logabs

    @staticmethod
    def backward(ctx, _gsign, glogabs):
        """d log|det A| = g A^{-T} (real: the sign is piecewise constant; complex: (g + i Im(g_sign conj(sign)))
        A^{-H}, the sign being e^{i Im log det A})."""
        (a,) = ctx.saved_tensors
        if a.array.dtype.kind == "c":
            sign = Tensor._wrap(ctx.out_sign)
            g = glogabs if glogabs is not None else sign.real * 0
            if _gsign is not None:
                g = g + (_gsign * sign.conj()).imag * 1j
            return g.unsqueeze(-1).unsqueeze(-1) * inv(a).mH
        return glogabs.unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def det(A: Tensor) -> Tensor:
    """torch.linalg.det / torch.det: determinant of each matrix in the batch."""
    _check(A, "linalg.det", square=True)
    return Det.apply(A)


def slogdet(A: Tensor):
    """torch.slogdet: (sign, log|det|) as a named tuple."""
    _check(A, "linalg.slogdet", square=True)
    return slogdet_result(*Slogdet.apply(A))


def linalg_slogdet(A: Tensor):
    """torch.linalg.slogdet: (sign, logabsdet) as a named tuple."""
    _check(A, "linalg.slogdet", square=True)
    return SlogdetResult(*Slogdet.apply(A))


def logdet(A: Tensor) -> Tensor:
    """torch.logdet: log det A (nan for a negative determinant, -inf for a singular matrix)."""
    _check(A, "logdet", square=True)
    sign, logabs = Slogdet.apply(A)
    from .elementwise import where

    return where(sign > 0, logabs, where(sign < 0, math.nan, -math.inf))


# ---------------------------------------------------------------- inverse and solve ----------------
class Inv(BuiltinOp):
    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        out = _lapack("linalg.inv", "the input matrix is singular", xp_of(a.array).linalg.inv, a.array)
        _gpu_check_finite(out, "linalg.inv", "the input matrix is singular")
        return out

    @staticmethod
    def backward(ctx, g):
        """d A^{-1} = -A^{-T} g A^{-T} (complex: A^{-H})."""
        ai = conj_of(ctx.output)
        return -(ai.mT @ g @ ai.mT)


class Solve(BuiltinOp):
    """X = A^{-1} B for A (*, n, n) and B (*, n, k) of one batch shape."""

    saves_output = True
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a)
        out = _lapack("linalg.solve", "The solver failed because the input matrix is singular.",
                      xp_of(a.array).linalg.solve, a.array, b.array)
        _gpu_check_finite(out, "linalg.solve", "The solver failed because the input matrix is singular.")
        return out

    @staticmethod
    def backward(ctx, g):
        """gB = A^{-T} g, gA = -gB X^T (complex: A^{-H}, X^H)."""
        (a,) = ctx.saved_tensors
        gb = Solve.apply(conj_of(a.mT), g)
        ga = -(gb @ conj_of(ctx.output.mT)) if ctx.needs_input_grad[0] else None
        return ga, gb


def inv(A: Tensor) -> Tensor:
    """torch.linalg.inv / torch.inverse."""
    _check(A, "linalg.inv", square=True)
    return Inv.apply(A)


inverse = inv


def _solve(A: Tensor, B: Tensor) -> Tensor:
    """A^{-1} B for matrices (batch dims broadcast)."""
    A, B = _batch_broadcast(A, B, "linalg.solve")
    return Solve.apply(A, B)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """torch.linalg.solve: X with A X = B (left) or X A = B; B a batch of vectors or of matrices."""
    op = "linalg.solve"
    _check(A, op, square=True)
    if B.array.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {torch_type_name(B)}")
    _same_dtype(A, B, op)
    n = A.array.shape[-1]
    if not left:
        if B.array.ndim < 2:
            raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
        return solve(A.mT, B.mT).mT
    vector = B.array.ndim == 1 or (B.array.ndim == A.array.ndim - 1 and B.array.shape == A.array.shape[:-1])
    B2 = B.unsqueeze(-1) if vector else B
    if B2.array.shape[-2] != n:
        rows, cols = (B2.array.shape[-2], B2.array.shape[-1])
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {rows}x{cols})"
        )
    X = _solve(A, B2)
    return X.squeeze(-1) if vector else X


class TriangularSolve(BuiltinOp):
    """X with T X = B, T the upper (lower) triangle of A (unit diagonal when ``unit``); A (*, n, n) and
    B (*, n, k) of one batch shape. Forward: blocked substitution (``_trsm``), no LU."""

    saves_output = True

    @staticmethod
    def forward(ctx, a, b, upper, unit):
        ctx.save_for_backward(a)
        ctx.upper, ctx.unit = upper, unit
        return _trsm(a.array, b.array, upper, unit)

    @staticmethod
    def backward(ctx, g):
        """gB = T^{-T} g, gA = -gB X^T restricted to the triangle T reads (its diagonal too unless unit)."""
        (a,) = ctx.saved_tensors
        gb = TriangularSolve.apply(a.mT, g, not ctx.upper, ctx.unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -(gb @ ctx.output.mT)
            ga = ga.triu(int(ctx.unit)) if ctx.upper else ga.tril(-int(ctx.unit))
        return ga, gb, None, None


def _tri_solve(A: Tensor, B: Tensor, upper: bool, left: bool = True, unit: bool = False) -> Tensor:
    """T X = B (left) or X T = B with T a triangle of A; A and B of one batch shape."""
    if left:
        return TriangularSolve.apply(A, B, upper, unit)
    return TriangularSolve.apply(A.mT, B.mT, not upper, unit).mT


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """torch.linalg.solve_triangular: only A's upper (lower) triangle is read (its diagonal taken as 1
    when ``unitriangular``), so A's gradient is triangular too. Blocked substitution: O(n^2 k)."""
    op = "linalg.solve_triangular"
    _kernel_check(A, "triangular_solve_cpu")
    _check(A, op, square=True)
    _check(B, op, name="B")
    _same_dtype(A, B, op)
    n = A.array.shape[-1]
    k = B.array.shape[-2] if left else B.array.shape[-1]
    if k != n:
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
            f"({n}x{n} and {B.array.shape[-2]}x{B.array.shape[-1]})"
        )
    A, B = _batch_broadcast(A, B, op)
    return _tri_solve(A, B, upper, left, unitriangular)


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False):
    """torch.triangular_solve (deprecated): (solution of op(A) X = b, a copy of A)."""
    if transpose:
        X = solve_triangular(A.mT, b, upper=not upper, unitriangular=unitriangular)
    else:
        X = solve_triangular(A, b, upper=upper, unitriangular=unitriangular)
    return triangular_solve_result(X, A.clone())


# ---------------------------------------------------------------- cholesky -------------------------
class Cholesky(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a, upper):
        ctx.upper = upper
        xp = xp_of(a.array)
        problem = "The factorization could not be completed because the input is not positive-definite."
        low = _lapack("linalg.cholesky", problem, xp.linalg.cholesky, a.array)
        _gpu_check_finite(low, "linalg.cholesky", problem)
        return xp.ascontiguousarray(xp.swapaxes(low, -1, -2)) if upper else low

    @staticmethod
    def backward(ctx, g):
        """gA = sym(L^{-T} Phi L^{-1}), Phi = tril(L^T gL) with its diagonal halved (Murray 2016)."""
        return _cholesky_backward(ctx.output, g, ctx.upper), None


def _cholesky_backward(L: Tensor, gL: Tensor, upper: bool) -> Tensor:
    if upper:
        L, gL = L.mT, gL.mT
    phi = (L.mT @ gL).tril()
    phi = phi - 0.5 * phi.diagonal(dim1=-2, dim2=-1).diag_embed()
    ga = _tri_solve(L.mT, _tri_solve(L, phi, upper=False, left=False), upper=True)  # L^{-T} (phi L^{-1})
    return 0.5 * (ga + ga.mT)


def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """torch.linalg.cholesky: L with A = L L^T (U with A = U^T U when ``upper``); reads A's lower triangle."""
    _check(A, "linalg.cholesky", square=True)
    return Cholesky.apply(A, upper)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated in torch, still common)."""
    _kernel_check(input, "cholesky_cpu")
    return linalg_cholesky(input, upper=upper)


class CholeskySolve(BuiltinOp):
    """X = (L L^T)^{-1} B (U^T U when ``upper``): two triangular solves; L and B of one batch shape."""

    saves_output = True

    @staticmethod
    def forward(ctx, b, l, upper):
        ctx.save_for_backward(l)
        ctx.upper = upper
        lt = xp_of(l.array).swapaxes(l.array, -1, -2)
        if upper:
            return _trsm(l.array, _trsm(lt, b.array, upper=False), upper=True)
        return _trsm(lt, _trsm(l.array, b.array, upper=False), upper=True)

    @staticmethod
    def backward(ctx, g):
        """gB = A^{-1} g, gL = -(gB X^T + X gB^T) L (upper: -U (gB X^T + X gB^T)), A = L L^T (torch's formula)."""
        (l,) = ctx.saved_tensors
        gb = CholeskySolve.apply(g, l, ctx.upper)
        gl = None
        if ctx.needs_input_grad[1]:
            c = gb @ ctx.output.mT
            c = c + c.mT
            gl = -(l @ c) if ctx.upper else -(c @ l)
        return gb, gl, None


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_solve: X with (L L^T) X = B given the Cholesky factor L (U^T U when ``upper``); reads
    one triangle of L, two blocked triangular solves (O(n^2 k)); batch dims broadcast."""
    if L.array.dtype.kind not in "fc":
        raise NotImplementedError(f"cholesky_solve: not implemented for '{torch_type_name(L)}'")
    if B.array.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {B.array.ndim} dimensions instead")
    if L.array.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {L.array.ndim} dimensions instead")
    if L.array.dtype != B.array.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type {torch_type_name(B)} and A of type "
            f"{torch_type_name(L)} instead."
        )
    n = L.array.shape[-1]
    if L.array.shape[-2] != n or B.array.shape[-2] != n:
        raise RuntimeError(
            f"Incompatible matrix sizes for cholesky_solve: each A matrix is {L.array.shape[-2]} by {n} but each b "
            f"matrix is {B.array.shape[-2]} by {B.array.shape[-1]}"
        )
    L, B = _batch_broadcast(L, B, "cholesky_solve")
    return CholeskySolve.apply(B, L, upper)


class CholeskyInverse(BuiltinOp):
    """(L L^T)^{-1} = L^{-T} L^{-1} (U^{-1} U^{-T} when ``upper``): one triangular inverse and one product."""

    saves_output = True

    @staticmethod
    def forward(ctx, l, upper):
        ctx.save_for_backward(l)
        ctx.upper = upper
        a = l.array
        xp = xp_of(a)
        inv_t = _trsm(a, xp.broadcast_to(xp.eye(a.shape[-1], dtype=a.dtype), a.shape), upper=upper)
        t = xp.swapaxes(inv_t, -1, -2)
        return inv_t @ t if upper else t @ inv_t

    @staticmethod
    def backward(ctx, g):
        """gL = -A^{-1} (g + g^T) A^{-1} L (upper: -U A^{-1} (g + g^T) A^{-1}), A^{-1} the output."""
        (l,) = ctx.saved_tensors
        ai = ctx.output
        c = ai @ (g + g.mT) @ ai
        return (-(l @ c) if ctx.upper else -(c @ l)), None


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_inverse: (L L^T)^{-1} from the Cholesky factor (one triangle of L read)."""
    if L.array.dtype.kind not in "fc":
        raise NotImplementedError(f"\"cholesky_inverse_out_cpu\" not implemented for '{torch_type_name(L)}'")
    _check(L, "cholesky_inverse", square=True)
    return CholeskyInverse.apply(L, upper)


# ---------------------------------------------------------------- qr -------------------------------
class QR(BuiltinOp):
    materialize_grads = False

    @staticmethod
    def forward(ctx, a, mode):
        ctx.save_for_backward(a)
        ctx.mode = mode
        xp = xp_of(a.array)
        if mode == "r":
            r = xp.linalg.qr(a.array, mode="r")
            q = xp.zeros((0,), dtype=a.array.dtype)
        else:
            q, r = xp.linalg.qr(a.array, mode=mode)
        ctx.out_arrays = (q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        """m >= n: gA = (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q; m < n: split A = [X | Y]."""
        (a,) = ctx.saved_tensors
        m, n = a.array.shape[-2:]
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
                "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
            )
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        q, r = _outputs(ctx, QR, a, ctx.mode)
        if m >= n:
            return _qr_backward_tall(gq, gr, q, r), None
        # wide: A = [X | Y] = Q [U | V] with X = Q U square
        u, y = r[..., :, :m], a[..., :, m:]
        gu = gr[..., :, :m] if gr is not None else None
        gv = gr[..., :, m:] if gr is not None else None
        gq2 = gq
        if gv is not None:
            gq2 = y @ gv.mT if gq2 is None else gq2 + y @ gv.mT
        gx = _qr_backward_tall(gq2, gu, q, u)
        if gv is not None:
            gy = q @ gv
        else:
            gy = Tensor._wrap(xp_of(a.array).zeros(a.array.shape[:-1] + (n - m,), dtype=a.array.dtype))
        from .shape import cat

        return cat([gx, gy], dim=-1), None


def _qr_backward_tall(gq, gr, q: Tensor, r: Tensor) -> Tensor:
    m_mat = 0.0
    if gr is not None:
        m_mat = r @ gr.mT
    if gq is not None:
        m_mat = m_mat - gq.mT @ q
    if not isinstance(m_mat, Tensor):
        return q * 0.0
    low = m_mat.tril(-1)
    sym = low + low.mT + m_mat.diagonal(dim1=-2, dim2=-1).diag_embed()
    b = q @ sym if gq is None else gq + q @ sym
    return Solve.apply(r, b.mT).mT  # b R^{-T}


def linalg_qr(A: Tensor, mode: str = "reduced"):
    """torch.linalg.qr: (Q, R) with mode 'reduced' | 'complete' | 'r' (Q empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
                           "'r', or 'complete'")
    _check(A, "linalg.qr")
    return QrResult(*QR.apply(A, mode))


def qr(input: Tensor, some: bool = True):
    """torch.qr (deprecated): reduced QR when ``some`` else complete."""
    _check(input, "linalg.qr")
    return qr_result(*QR.apply(input, "reduced" if some else "complete"))


# ---------------------------------------------------------------- svd ------------------------------
class SVD(BuiltinOp):
    materialize_grads = False

    @staticmethod
    def forward(ctx, a, full_matrices):
        ctx.save_for_backward(a)
        ctx.full = full_matrices
        u, s, vh = xp_of(a.array).linalg.svd(a.array, full_matrices=full_matrices)
        ctx.out_arrays = (u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        """gA = U[(F∘(U^T gU - gU^T U))S + diag(gS) + S(F∘(V^T gV - gV^T V))]V^T + (I-UU^T)gU S^{-1}V^T
        + U S^{-1} gV^T (I-VV^T), F_ij = 1/(s_j^2 - s_i^2) (Townsend 2016)."""
        (a,) = ctx.saved_tensors
        m, n = a.array.shape[-2:]
        k = min(m, n)
        u, s, vh = _outputs(ctx, SVD, a, ctx.full)
        if ctx.full:
            u, vh = u[..., :, :k], vh[..., :k, :]
            gu = gu[..., :, :k] if gu is not None else None
            gvh = gvh[..., :k, :] if gvh is not None else None
        inner = gs.diag_embed() if gs is not None else None
        if gu is None and gvh is None:
            return u @ (inner * 1.0) @ vh, None
        f = _inv_gaps(s * s)
        s_col, s_row = s.unsqueeze(-1), s.unsqueeze(-2)
        extra = None
        if gu is not None:
            utgu = u.mT @ gu
            j = f * (utgu - utgu.mT) * s_row
            inner = j if inner is None else inner + j
            if m > k:
                extra = (gu - u @ utgu) / s_row @ vh
        if gvh is not None:
            v, gv = vh.mT, gvh.mT
            vtgv = v.mT @ gv
            kk = s_col * (f * (vtgv - vtgv.mT))
            inner = inner + kk if inner is not None else kk
            if n > k:
                term = u @ ((gv - v @ vtgv) / s_row).mT
                extra = term if extra is None else extra + term
        ga = u @ inner @ vh
        return (ga if extra is None else ga + extra), None


def linalg_svd(A: Tensor, full_matrices: bool = True, *, driver=None):
    """torch.linalg.svd: (U, S, Vh) with A = U diag(S) Vh."""
    _check(A, "linalg.svd")
    return SvdResult(*SVD.apply(A, full_matrices))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """torch.svd (deprecated): (U, S, V) -- V, not Vh; zero U and V when not ``compute_uv``."""
    _check(input, "linalg.svd")
    if not compute_uv:
        xp = xp_of(input.array)
        m, n = input.array.shape[-2:]
        batch = input.array.shape[:-2]
        zeros_u = Tensor._wrap(xp.zeros(batch + (m, m), dtype=input.array.dtype))
        zeros_v = Tensor._wrap(xp.zeros(batch + (n, n), dtype=input.array.dtype))
        return svd_result(zeros_u, svdvals(input), zeros_v)
    u, s, vh = SVD.apply(input, not some)
    return svd_result(u, s, vh.mT)


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """torch.linalg.svdvals: the singular values, descending (U, V computed only when a gradient needs them)."""
    _check(A, "linalg.svdvals")
    if A.requires_grad and is_grad_enabled():
        return SVD.apply(A, False)[1]
    return Tensor._wrap(xp_of(A.array).linalg.svd(A.array, compute_uv=False))


# ---------------------------------------------------------------- eigh -----------------------------
class Eigh(BuiltinOp):
    materialize_grads = False

    @staticmethod
    def forward(ctx, a, uplo):
        ctx.save_for_backward(a)
        ctx.uplo = uplo
        w, v = xp_of(a.array).linalg.eigh(a.array, UPLO=uplo)
        ctx.out_arrays = (w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        """gA = V (diag(gw) + F∘skew(V^T gV)) V^T, F_ij = 1/(w_j - w_i), skew(X) = (X - X^T)/2."""
        (a,) = ctx.saved_tensors
        w, v = _outputs(ctx, Eigh, a, ctx.uplo)
        inner = gw.diag_embed() if gw is not None else None
        if gv is not None:
            vtgv = v.mT @ gv
            term = _inv_gaps(w) * (0.5 * (vtgv - vtgv.mT))
            inner = term if inner is None else inner + term
        return v @ inner @ v.mT, None


def _uplo(UPLO: str, op: str) -> str:
    if UPLO not in ("L", "U", "l", "u"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO.upper()


def eigh(A: Tensor, UPLO: str = "L"):
    """torch.linalg.eigh: (eigenvalues ascending, eigenvectors) of symmetric matrices (one triangle read)."""
    _kernel_check(A, "linalg_eigh_cpu")
    _check(A, "linalg.eigh", square=True)
    return EighResult(*Eigh.apply(A, _uplo(UPLO, "linalg.eigh")))


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """torch.linalg.eigvalsh: eigenvalues of symmetric matrices, ascending."""
    _kernel_check(A, "linalg_eigh_cpu")
    _check(A, "linalg.eigvalsh", square=True)
    uplo = _uplo(UPLO, "linalg.eigvalsh")
    if A.requires_grad and is_grad_enabled():
        return Eigh.apply(A, uplo)[0]
    return Tensor._wrap(xp_of(A.array).linalg.eigvalsh(A.array, UPLO=uplo))


# ---------------------------------------------------------------- pinv, rank, lstsq ----------------
def _tolerance(vals, atol, rtol, m: int, n: int, dtype):
    """torch's cutoff max(atol, rtol * largest) (rtol = eps * max(m, n) unless only atol is given)."""
    xp = xp_of(vals)
    atol_v = atol.array if isinstance(atol, Tensor) else atol
    rtol_v = rtol.array if isinstance(rtol, Tensor) else rtol
    if rtol_v is None:
        given = atol_v is not None and (isinstance(atol, Tensor) or atol_v > 0)
        rtol_v = 0.0 if given else float(np.finfo(dtype).eps) * max(m, n)
    if atol_v is None:
        atol_v = 0.0
    if hasattr(atol_v, "ndim") and atol_v.ndim:
        atol_v = atol_v[..., None]
    if hasattr(rtol_v, "ndim") and rtol_v.ndim:
        rtol_v = rtol_v[..., None]
    largest = vals.max(axis=-1, keepdims=True) if vals.shape[-1] else xp.zeros(vals.shape[:-1] + (1,), vals.dtype)
    return xp.maximum(atol_v, rtol_v * largest).astype(vals.dtype, copy=False)


class Pinv(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        ctx.save_for_backward(a)
        xp = xp_of(a.array)
        m, n = a.array.shape[-2:]
        if hermitian:
            w, v = xp.linalg.eigh(a.array)
            tol = _tolerance(xp.abs(w), atol, rtol, m, n, a.array.dtype)
            keep = xp.abs(w) > tol
            winv = xp.where(keep, 1 / xp.where(keep, w, 1), 0).astype(w.dtype, copy=False)
            return (v * winv[..., None, :]) @ xp.swapaxes(v, -1, -2)
        u, s, vh = xp.linalg.svd(a.array, full_matrices=False)
        tol = _tolerance(s, atol, rtol, m, n, a.array.dtype)
        keep = s > tol
        sinv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(s.dtype, copy=False)
        return (xp.swapaxes(vh, -1, -2) * sinv[..., None, :]) @ xp.swapaxes(u, -1, -2)

    @staticmethod
    def backward(ctx, g):
        """gA = -P^T g P^T + (I - AP) g^T P P^T + P^T P g^T (I - PA) (Golub & Pereyra; constant rank)."""
        (a,) = ctx.saved_tensors
        p = ctx.output
        pt, gt = p.mT, g.mT
        x2 = gt @ (p @ pt)
        x3 = (pt @ p) @ gt
        return -(pt @ g @ pt) + x2 - a @ (p @ x2) + x3 - (x3 @ p) @ a, None, None, None


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False) -> Tensor:
    """torch.linalg.pinv: Moore-Penrose pseudo-inverse, singular values <= max(atol, rtol * s_max) dropped."""
    if A.array.dtype.kind not in "fc" or A.array.ndim < 2:
        raise RuntimeError(
            f"linalg.pinv({torch_type_name(A)}{list(A.shape)}): expected a tensor with 2 or more dimensions of float, "
            "double, cfloat or cdouble types"
        )
    if hermitian:
        _check(A, "linalg.pinv", square=True)
    return Pinv.apply(A, atol, rtol, hermitian)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: pinv with rtol=rcond."""
    return pinv(input, rtol=rcond)


def matrix_rank(A: Tensor, tol=None, hermitian: bool = False, *, atol=None, rtol=None) -> Tensor:
    """torch.linalg.matrix_rank: how many singular values exceed max(atol, rtol * s_max) (int64, on device)."""
    if A.array.dtype.kind not in "fc":
        raise RuntimeError("linalg.matrix_rank: This function doesn't handle types other than float and double")
    _check(A, "linalg.matrix_rank", square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    xp = xp_of(A.array)
    m, n = A.array.shape[-2:]
    if hermitian:
        vals = xp.abs(xp.linalg.eigvalsh(A.array))
    else:
        vals = xp.linalg.svd(A.array, compute_uv=False)
    tol_v = _tolerance(vals, atol, rtol, m, n, A.array.dtype)
    return Tensor._wrap((vals > tol_v).sum(axis=-1).astype(np.int64))


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """torch.linalg.lstsq: (solution, residuals, rank, singular_values), solution = pinv(A) B; which fields
    are filled follows the driver (cpu default 'gelsy', cuda only 'gels'), as torch's."""
    op = "torch.linalg.lstsq"
    if A.array.dtype.kind not in "fc" or B.array.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: This function doesn't handle types other than float and double")
    _check(A, "linalg.lstsq")
    _same_dtype(A, B, "linalg.lstsq")
    on_gpu = is_cupy_array(A.array)
    if driver is None:
        driver = "gels" if on_gpu else "gelsy"
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if on_gpu and driver != "gels":
        raise RuntimeError(f"{op}: `driver` other than `gels` is not supported on CUDA")
    m, n = A.array.shape[-2:]
    vector = B.array.ndim == 1 or (B.array.ndim == A.array.ndim - 1 and B.array.shape == A.array.shape[:-1])
    B2 = B.unsqueeze(-1) if vector else B
    if B2.array.shape[-2] != m:
        raise RuntimeError(
            f"{op}: input.size(-2) should match other.size(-2) ({m} and {B2.array.shape[-2]})"
        )
    xp = xp_of(A.array)
    if rcond is None:
        rcond = float(np.finfo(A.array.dtype).eps) * max(m, n)
    X = pinv(A, rtol=rcond) @ B2
    empty = Tensor._wrap(xp.zeros((0,), dtype=A.array.dtype))
    rank = Tensor._wrap(xp.zeros((0,), dtype=np.int64))
    svals = empty
    if driver != "gels":
        vals = xp.linalg.svd(A.array, compute_uv=False)
        rank = Tensor._wrap((vals > _tolerance(vals, None, rcond, m, n, A.array.dtype)).sum(axis=-1).astype(np.int64))
        if driver in ("gelsd", "gelss"):
            svals = Tensor._wrap(vals)
    residuals = X.reshape((-1,))[:0]  # empty, but part of the graph, as torch's
    full_rank = driver == "gels" or (driver != "gelsy" and bool((rank.array == n).all()))
    if m > n and full_rank:
        residuals = ((A @ X - B2) ** 2).sum(dim=-2)
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, rank, svals)


# ---------------------------------------------------------------- LU -------------------------------
LUFactorResult = structseq("linalg_lu_factor", ["LU", "pivots"])
LUFactorExResult = structseq("linalg_lu_factor_ex", ["LU", "pivots", "info"])
LUResult = structseq("linalg_lu", ["P", "L", "U"])
lu_unpack_result = structseq("lu_unpack", ["P", "L", "U"])
lu_with_info_result = structseq("_lu_with_info", ["LU", "pivots", "info"])
SolveExResult = structseq("linalg_solve_ex", ["result", "info"])
InvExResult = structseq("linalg_inv_ex", ["inverse", "info"])
CholeskyExResult = structseq("linalg_cholesky_ex", ["L", "info"])


class LUFactor(BuiltinOp):
    """P A = L U with partial pivoting (``_lu_array``); outputs (LU, pivots, info, perm), the last three integer."""

    @staticmethod
    def forward(ctx, a, pivot):
        ctx.save_for_backward(a)
        ctx.pivot = pivot
        lu, piv, perm, info = _lu_array(a.array, pivot)
        ctx.out_arrays = (lu, piv, info, perm)
        ctx.perm = perm
        return lu, piv, info, perm

    @staticmethod
    def backward(ctx, glu, *_int_grads):
        """square: gA = P L^{-T} (tril_{-1}(L^T gL) + triu(gU U^T)) U^{-T}, gL / gU the parts of gLU below /
        on and above the diagonal; wide and tall matrices: the block forms of torch's linalg_lu_backward."""
        (a,) = ctx.saved_tensors
        lu = _outputs(ctx, LUFactor, a, ctx.pivot)[0]
        m, n = a.array.shape[-2:]
        k = min(m, n)
        L, U = _unpack_lu(lu)
        ga = _lu_backward(glu[..., :, :k], glu[..., :k, :], L, U, m, n)
        if ctx.pivot:
            perm = ctx.perm
            ga = PermuteRows.apply(ga, xp_of(perm).argsort(perm, axis=-1), perm)
        return ga, None


def _unpack_lu(lu: Tensor) -> tuple:
    """L (unit lower, m x k) and U (upper, k x n) from the packed LU."""
    m, n = lu.array.shape[-2:]
    k = min(m, n)
    eye = Tensor._wrap(xp_of(lu.array).eye(m, k, dtype=lu.array.dtype))
    return lu[..., :, :k].tril(-1) + eye, lu[..., :k, :].triu()


def _lu_backward(gl: Tensor, gu: Tensor, L: Tensor, U: Tensor, m: int, n: int) -> Tensor:
    """The adjoint of A -> (L, U) with P fixed, as P^T A (torch's linalg_lu_backward, real case)."""
    from .shape import cat

    k = min(m, n)
    if m == n:
        phi = (L.mT @ gl).tril(-1) + (gu @ U.mT).triu()
        return _tri_solve(L.mT, _tri_solve(U.mT, phi, upper=False, left=False), upper=True, unit=True)
    if m < n:  # wide: A = L [U1 | U2]
        phi = (L.mT @ gl - gu.triu() @ U.mT).tril(-1)
        ga = _tri_solve(U[..., :, :k].mT, phi, upper=False, left=False)
        ga = cat([ga + gu[..., :, :k].triu(), gu[..., :, k:]], -1)
        return _tri_solve(L.mT, ga, upper=True, unit=True)
    # tall: A = [L1; L2] U
    phi = (gu @ U.mT - L.mT @ gl.tril(-1)).triu()
    ga = _tri_solve(L[..., :k, :].mT, phi, upper=True, unit=True)
    ga = cat([ga + gl[..., :k, :].tril(-1), gl[..., k:, :]], -2)
    return _tri_solve(U.mT, ga, upper=False, left=False)


def _lu_check(A: Tensor, op: str, pivot: bool) -> None:
    if A.array.dtype.kind not in "fc":
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{torch_type_name(A)}'")
    if A.array.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: {list(A.shape)} "
                           "instead")
    if not pivot and not is_cupy_array(A.array):
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


def _raise_info(info: Tensor, exc: type, op: str, message) -> None:
    """check_errors: raise ``exc("op: message(i)")`` when an info is > 0 (naming the batch element when
    batched); on the GPU the flag waits for the next sync (``fail_if``), as a CUDA assert."""
    arr = info.array
    if is_cupy_array(arr):
        fail_if((arr > 0).any(), exc, f"{op}: {message('(see info)')}")
        return
    flat = arr.reshape(-1)
    bad = np.flatnonzero(flat > 0)
    if bad.size:
        b = int(bad[0])
        prefix = f"(Batch element {b}): " if arr.ndim else ""
        raise exc(f"{op}: {prefix}{message(int(flat[b]))}")


def _lu_factor_ex(A: Tensor, pivot: bool, check_errors: bool, op: str) -> tuple:
    _lu_check(A, "linalg.lu_factor", pivot)
    LU, piv, info, _ = LUFactor.apply(A, pivot)
    if check_errors:
        _raise_info(info, RuntimeError, op, lambda i: (
            f"U[{i},{i}] is zero and using it on lu_solve would result in a division by zero. If you still "
            "want to perform the factorization, consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        ))
    return LU, piv, info


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):
    """torch.linalg.lu_factor_ex: (LU, pivots, info); LU packs L (unit lower, below the diagonal) and U, pivots
    are LAPACK's 1-based int32 row swaps, info > 0 marks a zero on U's diagonal (no error unless check_errors)."""
    return LUFactorExResult(*_lu_factor_ex(A, pivot, check_errors, "torch.linalg.lu_factor_ex"))


def lu_factor(A: Tensor, *, pivot: bool = True):
    """torch.linalg.lu_factor: (LU, pivots) of P A = L U; raises where U has a zero on its diagonal."""
    return LUFactorResult(*_lu_factor_ex(A, pivot, True, "torch.linalg.lu_factor")[:2])


def lu(input: Tensor, pivot: bool = True, get_infos: bool = False):
    """torch.lu (deprecated): (LU, pivots) or, with ``get_infos``, (LU, pivots, info) without raising."""
    r = _lu_factor_ex(input, pivot, not get_infos, "torch.linalg.lu_factor_ex")
    return lu_with_info_result(*r) if get_infos else r[:2]


def _perm_matrix(perm, like) -> Tensor:
    """P with P[perm[i], i] = 1, so that A = P L U when A[perm] = L U."""
    xp = xp_of(like)
    m = perm.shape[-1]
    return Tensor._wrap(xp.ascontiguousarray(xp.swapaxes(xp.eye(m, dtype=like.dtype)[perm], -1, -2)))


def linalg_lu(A: Tensor, *, pivot: bool = True):
    """torch.linalg.lu: (P, L, U) with A = P L U (L unit lower m x k, U upper k x n); P empty when not pivot."""
    _lu_check(A, "linalg.lu_factor", pivot)
    LU, _, _, perm = LUFactor.apply(A, pivot)
    L, U = _unpack_lu(LU)
    xp = xp_of(A.array)
    P = _perm_matrix(perm.array, A.array) if pivot else Tensor._wrap(xp.zeros((0,), dtype=A.array.dtype))
    return LUResult(P, L, U)


def _check_pivots(pivots: Tensor, op: str) -> None:
    if pivots.array.dtype != np.int32:
        raise RuntimeError(f"{op}: pivots should be a Tensor of scalar type torch.int32")


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True):
    """torch.lu_unpack: (P, L, U) from lu_factor's output; the parts not asked for are empty tensors."""
    if LU_pivots.array.dtype != np.int32:
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
            "Note: this function is intended to be used with the output produced by torch.linalg.lu_factor"
        )
    xp = xp_of(LU_data.array)
    empty = Tensor._wrap(xp.zeros((0,), dtype=LU_data.array.dtype))
    L, U = _unpack_lu(LU_data) if unpack_data else (empty, empty)
    P = empty
    if unpack_pivots:
        m = LU_data.array.shape[-2]
        piv = LU_pivots.array
        if piv.size:
            fail_if(((piv < 1) | (piv > m)).any(), RuntimeError,
                    "pivots passed to lu_unpack must be between 1 and LU.size(-2) inclusive.Did you properly pass "
                    "the result of lu_factor?")
        P = _perm_matrix(_perm_of_pivots(piv, m), LU_data.array)
    return lu_unpack_result(P, L, U)


def linalg_lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False) -> Tensor:
    """torch.linalg.lu_solve: X with A X = B (A^T X = B when ``adjoint``; X A = B when not ``left``) from
    lu_factor's (LU, pivots): a row permutation and two triangular solves, so gradients reach LU and B."""
    op = "linalg.lu_solve"
    _check_pivots(pivots, op)
    if LU.array.ndim < 2 or LU.array.shape[-1] != LU.array.shape[-2]:
        shape = LU.array.shape
        raise RuntimeError(
            f"torch.linalg.lu_solve: A must be batches of square matrices, but they are {shape[-2]} by "
            f"{shape[-1]} matrices" if LU.array.ndim >= 2 else
            "torch.linalg.lu_solve: The input tensor A must have at least 2 dimensions."
        )
    if B.array.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
    _same_dtype(LU, B, op)
    n = LU.array.shape[-1]
    if (B.array.shape[-2] if left else B.array.shape[-1]) != n:
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
            f"({n}x{n} and {B.array.shape[-2]}x{B.array.shape[-1]})"
        )
    if not left:  # X A = B  <=>  A^T X^T = B^T (and X A^T = B  <=>  A X^T = B^T)
        return linalg_lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    perm = _perm_of_pivots(pivots.array, n)
    inv = xp_of(perm).argsort(perm, axis=-1)
    LU, B = _batch_broadcast(LU, B, op)
    if not adjoint:  # A = P L U: X = U^{-1} L^{-1} (P^T B), P^T B = B[perm]
        Y = TriangularSolve.apply(LU, PermuteRows.apply(B, perm, inv), False, True)
        return TriangularSolve.apply(LU, Y, True, False)
    Y = TriangularSolve.apply(LU.mT, B, False, False)  # A^T = U^T L^T P^T: X = P L^{-T} U^{-T} B
    return PermuteRows.apply(TriangularSolve.apply(LU.mT, Y, True, True), inv, perm)


def lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """torch.lu_solve (deprecated): linalg.lu_solve(LU_data, LU_pivots, b)."""
    return linalg_lu_solve(LU_data, LU_pivots, b)


# ---------------------------------------------------------------- *_ex: info instead of errors --------
def _vector_rhs(A: Tensor, B: Tensor) -> bool:
    return B.array.ndim == 1 or (B.array.ndim == A.array.ndim - 1 and B.array.shape == A.array.shape[:-1])


def _zero_info(A: Tensor) -> Tensor:
    return Tensor._wrap(xp_of(A.array).zeros(A.array.shape[:-2], dtype=np.int32))


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """torch.linalg.solve_ex: (result, info) with info > 0 where A is singular (the result then holds inf /
    nan, no error unless ``check_errors``). CPU: LAPACK's solve, the LU path only for a singular batch;
    GPU: the LU path (info stays on the device)."""
    op = "torch.linalg.solve_ex"
    if not is_cupy_array(A.array):
        try:
            return SolveExResult(solve(A, B, left=left), _zero_info(A))
        except LinAlgError:
            pass
    else:
        _check(A, "linalg.solve", square=True)
        _same_dtype(A, B, "linalg.solve")
    LU, piv, info, _ = LUFactor.apply(A, True)
    if left and _vector_rhs(A, B):
        X = linalg_lu_solve(LU, piv, B.unsqueeze(-1)).squeeze(-1)
    else:
        X = linalg_lu_solve(LU, piv, B, left=left)
    if check_errors:
        _raise_info(info, LinAlgError, op, lambda i: "The solver failed because the input matrix is singular.")
    return SolveExResult(X, info)


def inv_ex(A: Tensor, *, check_errors: bool = False):
    """torch.linalg.inv_ex: (inverse, info), info > 0 where A is singular (no error unless ``check_errors``)."""
    _check(A, "linalg.inv", square=True)
    if not is_cupy_array(A.array):
        try:
            return InvExResult(inv(A), _zero_info(A))
        except LinAlgError:
            pass
    LU, piv, info, _ = LUFactor.apply(A, True)
    xp = xp_of(A.array)
    eye = Tensor._wrap(xp.broadcast_to(xp.eye(A.array.shape[-1], dtype=A.array.dtype), A.array.shape))
    X = linalg_lu_solve(LU, piv, eye)
    if check_errors:
        _raise_info(info, LinAlgError, "linalg.inv_ex", lambda i: (
            f"The diagonal element {i} is zero, the inversion could not be completed because the "
            "input matrix is singular."))
    return InvExResult(X, info)


def _cholesky_partial(a) -> tuple:
    """(L, info) matrix by matrix where the batch has a non positive-definite matrix: LAPACK's unblocked
    result for those (columns before the failing one factored, the failing pivot A_kk - |L_k,:k|^2 on the
    diagonal, the rest A's lower triangle) and info = the order of the first non-PD leading minor."""
    xp = xp_of(a)
    n = a.shape[-1]
    flat = a.reshape((-1, n, n))
    out = xp.tril(flat)
    info = []
    for b in range(flat.shape[0]):
        m = flat[b]
        try:
            out[b] = xp.linalg.cholesky(m)
            info.append(0)
            continue
        except np.linalg.LinAlgError:
            pass
        lo, hi = 0, n  # the leading minor of order lo is PD, that of order hi is not
        while hi - lo > 1:
            mid = (lo + hi) // 2
            try:
                xp.linalg.cholesky(m[:mid, :mid])
                lo = mid
            except np.linalg.LinAlgError:
                hi = mid
        if lo:
            l11 = xp.linalg.cholesky(m[:lo, :lo])
            out[b, :lo, :lo] = l11
            out[b, lo:, :lo] = _trsm(l11, xp.ascontiguousarray(m[lo:, :lo].T), upper=False).T
        out[b, lo, lo] = m[lo, lo] - (out[b, lo, :lo] ** 2).sum()
        info.append(lo + 1)
    return out.reshape(a.shape), xp.asarray(np.asarray(info, dtype=np.int32)).reshape(a.shape[:-2])


class CholeskyEx(BuiltinOp):
    """Cholesky that reports a non positive-definite matrix in ``info`` instead of raising."""

    @staticmethod
    def forward(ctx, a, upper):
        ctx.save_for_backward(a)
        ctx.upper = upper
        arr = a.array
        xp = xp_of(arr)
        try:
            low = xp.linalg.cholesky(arr)
            if is_cupy_array(arr):  # cuSOLVER stops at the first non-positive pivot and leaves it there
                bad = (~(xp.diagonal(low, axis1=-2, axis2=-1) > 0)).astype(np.int8)
                info = xp.where(bad.any(-1), xp.argmax(bad, axis=-1) + 1, 0).astype(np.int32) if arr.shape[-1] \
                    else xp.zeros(arr.shape[:-2], dtype=np.int32)
            else:
                info = np.zeros(arr.shape[:-2], dtype=np.int32)
        except np.linalg.LinAlgError:
            low, info = _cholesky_partial(arr)
        out = xp.ascontiguousarray(xp.swapaxes(low, -1, -2)) if upper else low
        ctx.out_arrays = (out, info)
        return out, info

    @staticmethod
    def backward(ctx, g, _ginfo=None):
        """As linalg.cholesky: gA = sym(L^{-T} Phi L^{-1}), Phi = tril(L^T gL) with its diagonal halved."""
        (a,) = ctx.saved_tensors
        L = _outputs(ctx, CholeskyEx, a, ctx.upper)[0]
        return _cholesky_backward(L, g, ctx.upper), None


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """torch.linalg.cholesky_ex: (L, info), info = the order of the first leading minor that is not
    positive-definite (0 if none); no error unless ``check_errors``."""
    _check(A, "linalg.cholesky", square=True)
    L, info = CholeskyEx.apply(A, upper)
    if check_errors:
        _raise_info(info, LinAlgError, "linalg.cholesky_ex", lambda i: (
            "The factorization could not be completed because the input is not positive-definite "
            f"(the leading minor of order {i} is not positive-definite)."))
    return CholeskyExResult(L, info)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """torch.linalg.vecdot: sum(x * y) over ``dim`` (broadcast; real dtypes, so no conjugation)."""
    op = "linalg.vecdot"
    for t in (x, y):
        if t.array.dtype.kind not in "fc":
            raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {torch_type_name(t)}")
    if x.array.dtype != y.array.dtype:
        raise RuntimeError(
            f"{op}: Expected x and y to have the same dtype, but found x of type {torch_type_name(x)} and y of type "
            f"{torch_type_name(y)} instead"
        )
    return (x * y).sum(dim)


# ---------------------------------------------------------------- powers and exponentials ----------
def matrix_power(A: Tensor, n: int) -> Tensor:
    """torch.linalg.matrix_power: A^n by repeated squaring (n < 0: powers of inv(A); n = 0: identity)."""
    op = "linalg.matrix_power"
    if A.array.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.array.shape[-1] != A.array.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {A.array.shape[-2]} by "
            f"{A.array.shape[-1]} matrices"
        )
    if n == 0:
        return A * 0 + _eye(A.array.shape[-1], A)
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while True:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if not n:
            break
        base = base @ base
    return result


# Padé(13) coefficients of exp and the norm bound it is accurate to (Higham 2005)
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


class MatrixExp(BuiltinOp):
    complex_autograd = True  # backward checked for complex data (tests/test_complex_more.py)

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a.array
        xp = xp_of(x)
        n = x.shape[-1]
        if x.size == 0:
            return x.copy()
        norm1 = float(xp.abs(x).sum(axis=-2).max())  # one read back: how many squarings
        s = max(0, math.ceil(math.log2(norm1 / _THETA13))) if norm1 > 0 else 0
        x = x / (2.0 ** s)
        b = _PADE13
        eye = xp.eye(n, dtype=x.dtype)
        x2 = x @ x
        x4 = x2 @ x2
        x6 = x4 @ x2
        u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye)
        v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
        r = xp.linalg.solve(v - u, v + u)
        for _ in range(s):
            r = r @ r
        return r.astype(a.array.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """gA = the top-right block of exp([[A^T, g], [0, A^T]]) (Fréchet derivative, Najfeld & Havel; complex: A^H)."""
        (a,) = ctx.saved_tensors
        from .shape import cat

        n = a.array.shape[-1]
        at = conj_of(a.mT)
        top = cat([at, g], dim=-1)
        bottom = cat([at * 0.0, at], dim=-1)
        big = MatrixExp.apply(cat([top, bottom], dim=-2))
        return big[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """torch.linalg.matrix_exp / torch.matrix_exp: exp(A) = sum A^k / k!, by scaling and squaring Padé(13)."""
    _check(A, "linalg.matrix_exp", square=True)
    return MatrixExp.apply(A)


# ---------------------------------------------------------------- norms ----------------------------
def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.linalg.vector_norm: (sum |x|^ord)^(1/ord) over ``dim`` (all elements when None); ord inf/-inf/0."""
    if x.array.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {torch_type_name(x)}"
        )
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dtype is not None and np.dtype(dtype.np).itemsize < x.array.dtype.itemsize:
        raise RuntimeError(
            f"linalg.vector_norm: the dtype of the input ({torch_type_name(x)}) should be convertible without "
            f"narrowing to the specified dtype ({torch_type_name(dtype)})"
        )
    if isinstance(dim, int):
        dim = (dim,)
    if ord in (math.inf, -math.inf) and dim is None:
        dim = tuple(range(x.array.ndim))
    if ord == 0:
        v = x.to(dtype) if dtype is not None else x
        if v.array.dtype.kind == "c":
            v = v.abs()  # nonzero exactly where v is: a real count, as torch's
        count = (v != 0).to(v.dtype).sum(dim=dim, keepdim=keepdim)
        return count + (v * 0.0).sum(dim=dim, keepdim=keepdim)  # a zero gradient, as torch's
    if ord in (math.inf, -math.inf) and x.array.ndim == 0:
        return (x.to(dtype) if dtype is not None else x).abs()
    return _norm(x, ord, dim, keepdim, dtype=dtype)


def _matrix_dims(A: Tensor, dim, op: str) -> tuple:
    if A.array.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d0, d1 = (wrap_dim(d, A.array.ndim, op) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.linalg.matrix_norm: 'fro', 'nuc', 2/-2 (largest/smallest singular value), 1/-1 (max/min column
    abs sum), inf/-inf (max/min row abs sum)."""
    op = "linalg.matrix_norm"
    if A.array.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {torch_type_name(A)}")
    d0, d1 = _matrix_dims(A, tuple(dim), op)
    if dtype is not None:
        A = A.to(dtype)
    if ord == "fro":
        return _norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        from .shape import movedim

        s = svdvals(movedim(A, (d0, d1), (-2, -1)))
        r = s.sum(dim=-1) if ord == "nuc" else (amax(s, dim=-1) if ord == 2 else amin(s, dim=-1))
        if keepdim:
            for d in sorted((d0, d1)):
                r = r.unsqueeze(d)
        return r
    if ord in (1, -1, math.inf, -math.inf):
        summed, picked = (d0, d1) if ord in (1, -1) else (d1, d0)
        r = A.abs().sum(dim=summed, keepdim=True)
        r = amax(r, dim=picked, keepdim=True) if ord > 0 else amin(r, dim=picked, keepdim=True)
        return r if keepdim else r.squeeze((d0, d1))
    raise RuntimeError(f"{op}: Order {ord} not supported.")


def linalg_norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.linalg.norm: a vector norm (dim an int, or a 1-D input) or a matrix norm (dim a pair, or 2-D)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        if ord is None:
            return vector_norm(A, 2, dim, keepdim, dtype=dtype)
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.array.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if A.array.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.array.ndim == 1:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)  # raises torch's error
    raise RuntimeError(
        f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.array.ndim}D."
    )


def cond(A: Tensor, p=None) -> Tensor:
    """torch.linalg.cond: s_max / s_min for p in (None, 2), s_min / s_max for -2, else ||A||_p ||A^{-1}||_p."""
    _check(A, "linalg.cond")
    if p in (None, 2, -2):
        s = svdvals(A)
        hi, lo = s[..., 0], s[..., -1]
        return hi / lo if p != -2 else lo / hi
    _check(A, "linalg.cond", square=True)
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


# ---------------------------------------------------------------- chains and structured matrices ---
def multi_dot(tensors) -> Tensor:
    """torch.linalg.multi_dot: A_1 @ ... @ A_k in the cheapest order (first/last may be vectors)."""
    tensors = list(tensors)
    k = len(tensors)
    if k < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {k}")
    first_vec, last_vec = tensors[0].array.ndim == 1, tensors[-1].array.ndim == 1
    if tensors[0].array.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {tensors[0].array.ndim}D")
    if tensors[-1].array.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {tensors[-1].array.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.array.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.array.ndim}D")
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(k - 1):
        if mats[i].array.shape[1] != mats[i + 1].array.shape[0]:
            a, b = mats[i].array.shape, mats[i + 1].array.shape
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied ({a[0]}x{a[1]} and {b[0]}x{b[1]})"
            )
    dims = [m.array.shape[0] for m in mats] + [mats[-1].array.shape[1]]
    # cost[i][j]: fewest multiplications for mats[i..j]; split[i][j]: where the last product splits
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            cost[i][j] = math.inf
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, s

    def chain(i, j):
        if i == j:
            return mats[i]
        s = split[i][j]
        return matmul(chain(i, s), chain(s + 1, j))

    out = chain(0, k - 1)
    if first_vec:
        out = out.squeeze(0)
    if last_vec:
        out = out.squeeze(-1)
    return out


def vander(x: Tensor, N: int | None = None) -> Tensor:
    """torch.linalg.vander: columns x^0, x^1, ..., x^(N-1) (increasing powers) along a new last dim."""
    if x.array.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.array.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("linalg.vander: N must be greater than 1.")
    from .scan import cumprod
    from .shape import cat

    ones = Tensor._wrap(xp_of(x.array).ones(x.array.shape + (1,), dtype=x.array.dtype))
    reps = x.unsqueeze(-1).expand(x.array.shape + (n - 1,))
    return cat([ones, cumprod(reps, dim=-1)], dim=-1)


#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {
    "det": det, "logdet": logdet, "slogdet": slogdet, "inverse": inverse, "pinverse": pinverse,
    "cholesky": cholesky, "cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse,
    "svd": svd, "qr": qr, "matrix_power": matrix_power, "matrix_exp": matrix_exp,
    "triangular_solve": triangular_solve, "lu": lu, "lu_solve": lu_solve,
}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {}
