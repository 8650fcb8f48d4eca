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
from collections import namedtuple

import numpy as np

from ..autograd.function import BuiltinOp
from ..autograd.grad_mode import is_grad_enabled
from ..backend import xp_of
from ..backend.arrays import is_cupy_array
from ..backend.checks import fail_if
from ..tensor import Tensor
from ._util import torch_type_name, wrap_dim
from .linalg import matmul
from .reduction import amax, amin
from .reduction import norm as _norm

__all__: list[str] = [
    "det", "logdet", "slogdet", "inverse", "pinverse", "cholesky", "cholesky_solve", "cholesky_inverse",
    "svd", "qr", "matrix_power", "matrix_exp", "triangular_solve",
]


class LinAlgError(RuntimeError):
    """A matrix the routine cannot handle (singular, not positive-definite): ``torch.linalg.LinAlgError``."""


SlogdetResult = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
slogdet_result = namedtuple("slogdet", ["sign", "logabsdet"])
SvdResult = namedtuple("linalg_svd", ["U", "S", "Vh"])
svd_result = namedtuple("svd", ["U", "S", "V"])
QrResult = namedtuple("linalg_qr", ["Q", "R"])
qr_result = namedtuple("qr", ["Q", "R"])
EighResult = namedtuple("linalg_eigh", ["eigenvalues", "eigenvectors"])
LstsqResult = namedtuple("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
triangular_solve_result = namedtuple("triangular_solve", ["solution", "cloned_coefficient"])



# ---------------------------------------------------------------- checks and helpers ----------------
def _check(A: Tensor, op: str, *, square: bool = False, name: str = "A") -> None:
    """torch's checks (and words) for a batch of matrices: floating dtype, >= 2 dims, square."""
    if A.data.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {torch_type_name(A)}")
    if A.data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if square and A.data.shape[-1] != A.data.shape[-2]:
        raise RuntimeError(
            f"{op}: {name} must be batches of square matrices, but they are {A.data.shape[-2]} by "
            f"{A.data.shape[-1]} matrices"
        )


def _kernel_check(A: Tensor, kernel: str) -> None:
    """Where torch sends an integer input straight to a float kernel, it raises NotImplementedError."""
    if A.data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{torch_type_name(A)}'")


def _same_dtype(A: Tensor, B: Tensor, op: str) -> None:
    if A.data.dtype != B.data.dtype:
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
    return Tensor._wrap(xp_of(like.data).eye(n, dtype=like.data.dtype))


def _inv_gaps(v: Tensor) -> Tensor:
    """F_ij = 1 / (v_j - v_i) off the diagonal, 0 on it (inf where two values coincide)."""
    eye = _eye(v.data.shape[-1], v)
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
        batch = tuple(np.broadcast_shapes(A.data.shape[:-2], B.data.shape[:-2]))
    except ValueError:
        raise RuntimeError(
            f"{op}: the batch dimensions of A {list(A.shape)} and B {list(B.shape)} do not broadcast"
        ) from None
    if A.data.shape[:-2] != batch:
        A = A.expand(batch + A.data.shape[-2:])
    if B.data.shape[:-2] != batch:
        B = B.expand(batch + B.data.shape[-2:])
    return A, B


# ---------------------------------------------------------------- determinants ---------------------
class Det(BuiltinOp):
    saves_output = True

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return xp_of(a.data).linalg.det(a.data)

    @staticmethod
    def backward(ctx, g):
        """d det(A) = g det(A) A^{-T} (Jacobi's formula)."""
        (a,) = ctx.saved_tensors
        return (g * ctx.output).unsqueeze(-1).unsqueeze(-1) * inv(a).mT


class Slogdet(BuiltinOp):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        sign, logabs = xp_of(a.data).linalg.slogdet(a.data)
        return sign, logabs

    @staticmethod
    def backward(ctx, _gsign, glogabs):
        """d log|det A| = g A^{-T} (the sign is piecewise constant: no gradient)."""
        (a,) = ctx.saved_tensors
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

    @staticmethod
    def forward(ctx, a):
        out = _lapack("linalg.inv", "the input matrix is singular", xp_of(a.data).linalg.inv, a.data)
        _gpu_check_finite(out, "linalg.inv", "the input matrix is singular")
        return out

    @staticmethod
    def backward(ctx, g):
        """d A^{-1} = -A^{-T} g A^{-T}."""
        ai = ctx.output
        return -(ai.mT @ g @ ai.mT)


class Solve(BuiltinOp):
    """X = A^{-1} B for A (*, n, n) and B (*, n, k) of one batch shape."""

    saves_output = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a)
        out = _lapack("linalg.solve", "The solver failed because the input matrix is singular.",
                      xp_of(a.data).linalg.solve, a.data, b.data)
        _gpu_check_finite(out, "linalg.solve", "The solver failed because the input matrix is singular.")
        return out

    @staticmethod
    def backward(ctx, g):
        """gB = A^{-T} g, gA = -gB X^T."""
        (a,) = ctx.saved_tensors
        gb = Solve.apply(a.mT, g)
        ga = -(gb @ ctx.output.mT) if ctx.needs_input_grad[0] else None
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
    if B.data.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {torch_type_name(B)}")
    _same_dtype(A, B, op)
    n = A.data.shape[-1]
    if not left:
        if B.data.ndim < 2:
            raise RuntimeError(f"{op}: The input tensor B must have at least 2 dimensions.")
        return solve(A.mT, B.mT).mT
    vector = B.data.ndim == 1 or (B.data.ndim == A.data.ndim - 1 and B.data.shape == A.data.shape[:-1])
    B2 = B.unsqueeze(-1) if vector else B
    if B2.data.shape[-2] != n:
        rows, cols = (B2.data.shape[-2], B2.data.shape[-1])
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {rows}x{cols})"
        )
    X = _solve(A, B2)
    return X.squeeze(-1) if vector else X


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False) -> Tensor:
    """torch.linalg.solve_triangular: only A's upper (lower) triangle is read (its diagonal taken as 1
    when ``unitriangular``), so A's gradient is triangular too."""
    op = "linalg.solve_triangular"
    _kernel_check(A, "triangular_solve_cpu")
    _check(A, op, square=True)
    _check(B, op, name="B")
    _same_dtype(A, B, op)
    T = A.triu() if upper else A.tril()
    if unitriangular:
        eye = _eye(A.data.shape[-1], A)
        T = (A.triu(1) if upper else A.tril(-1)) + eye
    n = A.data.shape[-1]
    k = B.data.shape[-2] if left else B.data.shape[-1]
    if k != n:
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation {'AX = B' if left else 'XA = B'} "
            f"({n}x{n} and {B.data.shape[-2]}x{B.data.shape[-1]})"
        )
    if left:
        return _solve(T, B)
    return _solve(T.mT, B.mT).mT


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
        xp = xp_of(a.data)
        problem = "The factorization could not be completed because the input is not positive-definite."
        low = _lapack("linalg.cholesky", problem, xp.linalg.cholesky, a.data)
        _gpu_check_finite(low, "linalg.cholesky", problem)
        return xp.ascontiguousarray(xp.swapaxes(low, -1, -2)) if upper else low

    @staticmethod
    def backward(ctx, g):
        """gA = sym(L^{-T} Phi L^{-1}), Phi = tril(L^T gL) with its diagonal halved (Murray 2016)."""
        L, gL = ctx.output, g
        if ctx.upper:
            L, gL = L.mT, gL.mT
        phi = (L.mT @ gL).tril()
        phi = phi - 0.5 * phi.diagonal(dim1=-2, dim2=-1).diag_embed()
        ga = Solve.apply(L.mT, Solve.apply(L.mT, phi.mT).mT)  # L^{-T} (phi L^{-1})
        return 0.5 * (ga + ga.mT), None


def linalg_cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """torch.linalg.cholesky: L with A = L L^T (U with A = U^T U when ``upper``); reads A's lower triangle."""
    _check(A, "linalg.cholesky", square=True)
    return Cholesky.apply(A, upper)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky (deprecated in torch, still common)."""
    _kernel_check(input, "cholesky_cpu")
    return linalg_cholesky(input, upper=upper)


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_solve: X with (L L^T) X = B given the Cholesky factor L (U^T U when ``upper``)."""
    if L.data.dtype.kind not in "fc":
        raise NotImplementedError(f"cholesky_solve: not implemented for '{torch_type_name(L)}'")
    if upper:
        return solve_triangular(L, solve_triangular(L.mT, B, upper=False), upper=True)
    return solve_triangular(L.mT, solve_triangular(L, B, upper=False), upper=True)


def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:
    """torch.cholesky_inverse: (L L^T)^{-1} from the Cholesky factor."""
    _check(L, "cholesky_inverse", square=True)
    eye = _eye(L.data.shape[-1], L)
    return cholesky_solve(eye.expand(L.data.shape), L, upper)


# ---------------------------------------------------------------- qr -------------------------------
class QR(BuiltinOp):
    materialize_grads = False

    @staticmethod
    def forward(ctx, a, mode):
        ctx.save_for_backward(a)
        ctx.mode = mode
        xp = xp_of(a.data)
        if mode == "r":
            r = xp.linalg.qr(a.data, mode="r")
            q = xp.zeros((0,), dtype=a.data.dtype)
        else:
            q, r = xp.linalg.qr(a.data, mode=mode)
        ctx.out_arrays = (q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        """m >= n: gA = (gQ + Q copyltu(M)) R^{-T}, M = R gR^T - gQ^T Q; m < n: split A = [X | Y]."""
        (a,) = ctx.saved_tensors
        m, n = a.data.shape[-2:]
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
            gy = Tensor._wrap(xp_of(a.data).zeros(a.data.shape[:-1] + (n - m,), dtype=a.data.dtype))
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
        u, s, vh = xp_of(a.data).linalg.svd(a.data, full_matrices=full_matrices)
        ctx.out_arrays = (u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        """gA = U[(F∘(U^T gU - gU^T U))S + diag(gS) + S(F∘(V^T gV - gV^T V))]V^T + (I-UU^T)gU S^{-1}V^T
        + U S^{-1} gV^T (I-VV^T), F_ij = 1/(s_j^2 - s_i^2) (Townsend 2016)."""
        (a,) = ctx.saved_tensors
        m, n = a.data.shape[-2:]
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
        xp = xp_of(input.data)
        m, n = input.data.shape[-2:]
        batch = input.data.shape[:-2]
        zeros_u = Tensor._wrap(xp.zeros(batch + (m, m), dtype=input.data.dtype))
        zeros_v = Tensor._wrap(xp.zeros(batch + (n, n), dtype=input.data.dtype))
        return svd_result(zeros_u, svdvals(input), zeros_v)
    u, s, vh = SVD.apply(input, not some)
    return svd_result(u, s, vh.mT)


def svdvals(A: Tensor, *, driver=None) -> Tensor:
    """torch.linalg.svdvals: the singular values, descending (U, V computed only when a gradient needs them)."""
    _check(A, "linalg.svdvals")
    if A.requires_grad and is_grad_enabled():
        return SVD.apply(A, False)[1]
    return Tensor._wrap(xp_of(A.data).linalg.svd(A.data, compute_uv=False))


# ---------------------------------------------------------------- eigh -----------------------------
class Eigh(BuiltinOp):
    materialize_grads = False

    @staticmethod
    def forward(ctx, a, uplo):
        ctx.save_for_backward(a)
        ctx.uplo = uplo
        w, v = xp_of(a.data).linalg.eigh(a.data, UPLO=uplo)
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
    return Tensor._wrap(xp_of(A.data).linalg.eigvalsh(A.data, UPLO=uplo))


# ---------------------------------------------------------------- pinv, rank, lstsq ----------------
def _tolerance(vals, atol, rtol, m: int, n: int, dtype):
    """torch's cutoff max(atol, rtol * largest) (rtol = eps * max(m, n) unless only atol is given)."""
    xp = xp_of(vals)
    atol_v = atol.data if isinstance(atol, Tensor) else atol
    rtol_v = rtol.data if isinstance(rtol, Tensor) else rtol
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
        xp = xp_of(a.data)
        m, n = a.data.shape[-2:]
        if hermitian:
            w, v = xp.linalg.eigh(a.data)
            tol = _tolerance(xp.abs(w), atol, rtol, m, n, a.data.dtype)
            keep = xp.abs(w) > tol
            winv = xp.where(keep, 1 / xp.where(keep, w, 1), 0).astype(w.dtype, copy=False)
            return (v * winv[..., None, :]) @ xp.swapaxes(v, -1, -2)
        u, s, vh = xp.linalg.svd(a.data, full_matrices=False)
        tol = _tolerance(s, atol, rtol, m, n, a.data.dtype)
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
    if A.data.dtype.kind not in "fc" or A.data.ndim < 2:
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
    if A.data.dtype.kind not in "fc":
        raise RuntimeError("linalg.matrix_rank: This function doesn't handle types other than float and double")
    _check(A, "linalg.matrix_rank", square=hermitian)
    if tol is not None:
        atol, rtol = tol, 0.0
    xp = xp_of(A.data)
    m, n = A.data.shape[-2:]
    if hermitian:
        vals = xp.abs(xp.linalg.eigvalsh(A.data))
    else:
        vals = xp.linalg.svd(A.data, compute_uv=False)
    tol_v = _tolerance(vals, atol, rtol, m, n, A.data.dtype)
    return Tensor._wrap((vals > tol_v).sum(axis=-1).astype(np.int64))


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """torch.linalg.lstsq: (solution, residuals, rank, singular_values), solution = pinv(A) B; which fields
    are filled follows the driver (cpu default 'gelsy', cuda only 'gels'), as torch's."""
    op = "torch.linalg.lstsq"
    if A.data.dtype.kind not in "fc" or B.data.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: This function doesn't handle types other than float and double")
    _check(A, "linalg.lstsq")
    _same_dtype(A, B, "linalg.lstsq")
    on_gpu = is_cupy_array(A.data)
    if driver is None:
        driver = "gels" if on_gpu else "gelsy"
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if on_gpu and driver != "gels":
        raise RuntimeError(f"{op}: `driver` other than `gels` is not supported on CUDA")
    m, n = A.data.shape[-2:]
    vector = B.data.ndim == 1 or (B.data.ndim == A.data.ndim - 1 and B.data.shape == A.data.shape[:-1])
    B2 = B.unsqueeze(-1) if vector else B
    if B2.data.shape[-2] != m:
        raise RuntimeError(
            f"{op}: input.size(-2) should match other.size(-2) ({m} and {B2.data.shape[-2]})"
        )
    xp = xp_of(A.data)
    if rcond is None:
        rcond = float(np.finfo(A.data.dtype).eps) * max(m, n)
    X = pinv(A, rtol=rcond) @ B2
    empty = Tensor._wrap(xp.zeros((0,), dtype=A.data.dtype))
    rank = Tensor._wrap(xp.zeros((0,), dtype=np.int64))
    svals = empty
    if driver != "gels":
        vals = xp.linalg.svd(A.data, compute_uv=False)
        rank = Tensor._wrap((vals > _tolerance(vals, None, rcond, m, n, A.data.dtype)).sum(axis=-1).astype(np.int64))
        if driver in ("gelsd", "gelss"):
            svals = Tensor._wrap(vals)
    residuals = X.reshape((-1,))[:0]  # empty, but part of the graph, as torch's
    full_rank = driver == "gels" or (driver != "gelsy" and bool((rank.data == n).all()))
    if m > n and full_rank:
        residuals = ((A @ X - B2) ** 2).sum(dim=-2)
    return LstsqResult(X.squeeze(-1) if vector else X, residuals, rank, svals)


# ---------------------------------------------------------------- powers and exponentials ----------
def matrix_power(A: Tensor, n: int) -> Tensor:
    """torch.linalg.matrix_power: A^n by repeated squaring (n < 0: powers of inv(A); n = 0: identity)."""
    op = "linalg.matrix_power"
    if A.data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.data.shape[-1] != A.data.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {A.data.shape[-2]} by "
            f"{A.data.shape[-1]} matrices"
        )
    if n == 0:
        return A * 0 + _eye(A.data.shape[-1], A)
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
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        x = a.data
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
        return r.astype(a.data.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """gA = the top-right block of exp([[A^T, g], [0, A^T]]) (Fréchet derivative, Najfeld & Havel)."""
        (a,) = ctx.saved_tensors
        from .shape import cat

        n = a.data.shape[-1]
        at = a.mT
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
    if x.data.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {torch_type_name(x)}"
        )
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    if dtype is not None and np.dtype(dtype.np).itemsize < x.data.dtype.itemsize:
        raise RuntimeError(
            f"linalg.vector_norm: the dtype of the input ({torch_type_name(x)}) should be convertible without "
            f"narrowing to the specified dtype ({torch_type_name(dtype)})"
        )
    if isinstance(dim, int):
        dim = (dim,)
    if ord in (math.inf, -math.inf) and dim is None:
        dim = tuple(range(x.data.ndim))
    if ord == 0:
        v = x.to(dtype) if dtype is not None else x
        count = (v != 0).to(v.dtype).sum(dim=dim, keepdim=keepdim)
        return count + (v * 0.0).sum(dim=dim, keepdim=keepdim)  # a zero gradient, as torch's
    if ord in (math.inf, -math.inf) and x.data.ndim == 0:
        return (x.to(dtype) if dtype is not None else x).abs()
    return _norm(x, ord, dim, keepdim, dtype=dtype)


def _matrix_dims(A: Tensor, dim, op: str) -> tuple:
    if A.data.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if len(dim) != 2:
        raise RuntimeError(f"{op}: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
    d0, d1 = (wrap_dim(d, A.data.ndim, op) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"{op}: dims must be different. Got ({dim[0]}, {dim[1]})")
    return d0, d1


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.linalg.matrix_norm: 'fro', 'nuc', 2/-2 (largest/smallest singular value), 1/-1 (max/min column
    abs sum), inf/-inf (max/min row abs sum)."""
    op = "linalg.matrix_norm"
    if A.data.dtype.kind not in "fc":
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
    if A.data.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if A.data.ndim == 1 and not isinstance(ord, str):
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.data.ndim == 1:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)  # raises torch's error
    raise RuntimeError(
        f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {A.data.ndim}D."
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
    first_vec, last_vec = tensors[0].data.ndim == 1, tensors[-1].data.ndim == 1
    if tensors[0].data.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {tensors[0].data.ndim}D")
    if tensors[-1].data.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {tensors[-1].data.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.data.ndim}D")
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(k - 1):
        if mats[i].data.shape[1] != mats[i + 1].data.shape[0]:
            a, b = mats[i].data.shape, mats[i + 1].data.shape
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(tensors[i].shape)} and "
                f"{list(tensors[i + 1].shape)} cannot be multiplied ({a[0]}x{a[1]} and {b[0]}x{b[1]})"
            )
    dims = [m.data.shape[0] for m in mats] + [mats[-1].data.shape[1]]
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
    if x.data.ndim < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension")
    n = x.data.shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("linalg.vander: N must be greater than 1.")
    from .scan import cumprod
    from .shape import cat

    ones = Tensor._wrap(xp_of(x.data).ones(x.data.shape + (1,), dtype=x.data.dtype))
    reps = x.unsqueeze(-1).expand(x.data.shape + (n - 1,))
    return cat([ones, cumprod(reps, dim=-1)], dim=-1)


#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {
    "det": det, "logdet": logdet, "slogdet": slogdet, "inverse": inverse, "pinverse": pinverse,
    "cholesky": cholesky, "cholesky_solve": cholesky_solve, "cholesky_inverse": cholesky_inverse,
    "svd": svd, "qr": qr, "matrix_power": matrix_power, "matrix_exp": matrix_exp,
    "triangular_solve": triangular_solve,
}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {}
