"""``linalg.ldl_factor_ex`` / ``ldl_factor`` / ``ldl_solve``: Bunch-Kaufman LDL^T of real symmetric matrices in
LAPACK's ``sytrf`` compact format (lower triangle, as torch's default), and the ``sytrs`` solve with it.

Factorisation (LAPACK's unblocked ``sytf2``, lower): at column k, with alpha = (1 + sqrt(17)) / 8,
colmax = max_{i>k} |A_ik| (row imax, the first such):
- |A_kk| >= alpha colmax: a 1x1 pivot, no swap;
- else rowmax = the largest off-diagonal |A| in row/column imax; |A_kk| >= alpha colmax^2 / rowmax: 1x1, no swap;
  |A_imax,imax| >= alpha rowmax: a 1x1 pivot with rows/columns k and imax swapped; else a 2x2 pivot on
  (k, imax), with k + 1 and imax swapped.
Then the trailing matrix gets the rank-1 (or rank-2) update and the column(s) of L are stored below D's block.
``pivots`` are 1-based: kp for a 1x1 block; -kp in both entries of a 2x2 block. ``info`` = first k with a zero
pivot column (1-based), 0 when none. The strictly upper part of LD is zero (as torch returns it).

Like torch, neither op is differentiable: backward raises "derivative ... is not implemented". The pivot choices
depend on the values, so the factorisation runs on the host (one copy each way for a CuPy input: a sync, which
torch's CPU path has too; torch's CUDA path uses cuSOLVER). Complex input is not supported.
"""
from __future__ import annotations

import math

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..backend.arrays import numpy_of
from ..return_types import structseq
from ..tensor import Tensor

__all__ = ["ldl_factor_ex", "ldl_factor", "ldl_solve"]

LDLFactorResult = structseq("linalg_ldl_factor", ["LD", "pivots"])
LDLFactorExResult = structseq("linalg_ldl_factor_ex", ["LD", "pivots", "info"])

_ALPHA = (1.0 + math.sqrt(17.0)) / 8.0


def _first_argmax_abs(v) -> int:
    """LAPACK's i*amax: the first index of the largest |v_i| (NaN never wins, as a < comparison)."""
    a = np.abs(v)
    best, j = -1.0, 0
    m = a.max() if a.size else 0.0
    if not np.isnan(m):
        return int(np.argmax(a))
    for i, x in enumerate(a):  # NaN present: scan as the Fortran loop does (x > best)
        if x > best:
            best, j = x, i
    return j


def _sytf2_lower(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Bunch-Kaufman on the lower triangle of a (n, n) array, in place, in its dtype; returns (a, ipiv, info)."""
    n = a.shape[0]
    dt = a.dtype.type
    alpha = dt(_ALPHA)
    ipiv = np.zeros(n, dtype=np.int32)
    info = 0
    k = 0
    while k < n:
        kstep = 1
        absakk = abs(a[k, k])
        if k < n - 1:
            imax = k + 1 + _first_argmax_abs(a[k + 1:, k])
            colmax = abs(a[imax, k])
        else:
            imax, colmax = k, dt(0)
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            if info == 0:
                info = k + 1
            kp = k
        else:
            if absakk >= alpha * colmax:
                kp = k
            else:
                jmax = k + _first_argmax_abs(a[imax, k:imax])
                rowmax = abs(a[imax, jmax])
                if imax < n - 1:
                    jmax = imax + 1 + _first_argmax_abs(a[imax + 1:, imax])
                    rowmax = max(rowmax, abs(a[jmax, imax]))
                if absakk >= alpha * colmax * (colmax / rowmax):
                    kp = k
                elif abs(a[imax, imax]) >= alpha * rowmax:
                    kp = imax
                else:
                    kp = imax
                    kstep = 2
            kk = k + kstep - 1
            if kp != kk:  # swap rows and columns kk and kp of the trailing lower triangle
                if kp < n - 1:
                    tmp = a[kp + 1:, kk].copy()
                    a[kp + 1:, kk] = a[kp + 1:, kp]
                    a[kp + 1:, kp] = tmp
                tmp = a[kk + 1:kp, kk].copy()
                a[kk + 1:kp, kk] = a[kp, kk + 1:kp]
                a[kp, kk + 1:kp] = tmp
                a[kk, kk], a[kp, kp] = a[kp, kp], a[kk, kk]
                if kstep == 2:
                    a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
            if kstep == 1:
                if k < n - 1:  # A22 -= x x^T / d (lower part), then L's column = x / d
                    d11 = dt(1) / a[k, k]
                    x = a[k + 1:, k].copy()
                    tmp = (-d11) * x  # dsyr's temp = alpha x_j, A_ij += x_i temp_j
                    if dt is np.float32:  # BLAS's ssyr fuses x_i temp_j + A_ij (FMA): one rounding, via float64
                        sub = a[k + 1:, k + 1:]
                        upd = np.tril(np.multiply.outer(x.astype(np.float64), tmp.astype(np.float64)))
                        a[k + 1:, k + 1:] = (sub.astype(np.float64) + upd).astype(np.float32)
                    else:
                        a[k + 1:, k + 1:] += np.tril(np.multiply.outer(x, tmp))
                    a[k + 1:, k] = x * d11
            elif k < n - 2:
                d21 = a[k + 1, k]
                d11 = a[k + 1, k + 1] / d21
                d22 = a[k, k] / d21
                t = dt(1) / (d11 * d22 - dt(1))
                d21 = t / d21
                ck, ck1 = a[k + 2:, k].copy(), a[k + 2:, k + 1].copy()
                wk = d21 * (d11 * ck - ck1)
                wkp1 = d21 * (d22 * ck1 - ck)
                a[k + 2:, k + 2:] -= np.tril(np.multiply.outer(ck, wk) + np.multiply.outer(ck1, wkp1))
                a[k + 2:, k] = wk
                a[k + 2:, k + 1] = wkp1
        if kstep == 1:
            ipiv[k] = kp + 1
        else:
            ipiv[k] = ipiv[k + 1] = -(kp + 1)
        k += kstep
    return np.tril(a), ipiv, info


def _sytrs_lower(ld: np.ndarray, ipiv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Solve A X = B with A = P L D L^T P^T from ``_sytf2_lower`` (LAPACK's sytrs, lower), in place on b."""
    n = ld.shape[0]
    k = 0
    while k < n:  # L D Y = P^T B
        if ipiv[k] > 0:
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            if k < n - 1:
                b[k + 1:] -= np.multiply.outer(ld[k + 1:, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            kp = -ipiv[k] - 1
            if kp != k + 1:
                b[[k + 1, kp]] = b[[kp, k + 1]]
            if k < n - 2:
                b[k + 2:] -= np.multiply.outer(ld[k + 2:, k], b[k])
                b[k + 2:] -= np.multiply.outer(ld[k + 2:, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1 = ld[k, k] / akm1k
            ak = ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1 = b[k] / akm1k
            bk = b[k + 1] / akm1k
            b[k] = (ak * bkm1 - bk) / denom
            b[k + 1] = (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y
        if ipiv[k] > 0:
            if k < n - 1:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
            kp = ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 1
        else:
            if k < n - 1:
                b[k] -= ld[k + 1:, k] @ b[k + 1:]
                b[k - 1] -= ld[k + 1:, k - 1] @ b[k + 1:]
            kp = -ipiv[k] - 1
            if kp != k:
                b[[k, kp]] = b[[kp, k]]
            k -= 2
    return b


class LDLFactor(BuiltinOp):
    """Not differentiable (as torch): backward raises."""

    @staticmethod
    def forward(ctx, A):
        arr = A.array
        xp = xp_of(arr)
        host = np.array(numpy_of(arr), copy=True)
        batch = host.shape[:-2]
        n = host.shape[-1]
        flat = host.reshape(math.prod(batch), n, n)
        ld = np.empty_like(flat)
        piv = np.empty(flat.shape[:2], dtype=np.int32)
        info = np.zeros(flat.shape[0], dtype=np.int32)
        for i in range(flat.shape[0]):
            ld[i], piv[i], info[i] = _sytf2_lower(flat[i])
        ld, piv, info = ld.reshape(host.shape), piv.reshape(*batch, n), info.reshape(batch)
        ctx.mark_non_differentiable(piv, info)
        if xp is not np:
            return xp.asarray(ld), xp.asarray(piv), xp.asarray(info)
        return ld, piv, info

    @staticmethod
    def backward(ctx, *grads):
        """No derivative: torch does not implement one."""
        raise RuntimeError("derivative for aten::linalg_ldl_factor_ex is not implemented")


class LDLSolve(BuiltinOp):
    """Not differentiable (as torch): backward raises."""

    @staticmethod
    def forward(ctx, LD, pivots, B):
        ld, piv, b = LD.array, pivots.array, B.array
        xp = xp_of(ld)
        batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
        n, m = ld.shape[-1], b.shape[-1]
        count = math.prod(batch)
        ld_h = np.broadcast_to(numpy_of(ld), (*batch, n, n)).reshape(count, n, n)
        piv_h = np.broadcast_to(numpy_of(piv), (*batch, n)).reshape(count, n)
        out = np.array(np.broadcast_to(numpy_of(b), (*batch, n, m)), dtype=np.result_type(ld.dtype, b.dtype))
        flat = out.reshape(count, n, m)
        for i in range(flat.shape[0]):
            _sytrs_lower(ld_h[i], piv_h[i], flat[i])
        return xp.asarray(out) if xp is not np else out

    @staticmethod
    def backward(ctx, *grads):
        """No derivative: torch does not implement one."""
        raise RuntimeError("derivative for aten::linalg_ldl_solve is not implemented")


def _check_square(A: Tensor, op: str, name: str = "A") -> None:
    if A.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are {A.shape[-2]} by "
                           f"{A.shape[-1]} matrices")


_SCALAR_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                 "float16": "Half", "float32": "Float", "float64": "Double"}


def _tname(t: Tensor) -> str:
    name = str(t.dtype).split(".")[-1]
    return _SCALAR_NAMES.get(name, name)


def _check_dtype(A: Tensor, op: str) -> None:
    if A.is_complex():
        raise NotImplementedError(f"{op}: complex input is not supported by minitorch (real symmetric only)")
    if not A.dtype.is_floating_point:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {_tname(A)}")
    if A.dtype.itemsize < 4:
        raise NotImplementedError(f'"ldl_factor_kernel_cpu" not implemented for \'{_tname(A)}\'')


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False, out=None):
    """torch.linalg.ldl_factor_ex: (LD, pivots, info) of symmetric A (lower triangle read), LAPACK sytrf format."""
    op = "torch.linalg.ldl_factor_ex"
    _check_square(A, op)
    _check_dtype(A, op)
    LD, piv, info = LDLFactor.apply(A)
    if check_errors:
        bad = info.array.reshape(-1)
        first = np.flatnonzero(numpy_of(bad) > 0)
        if first.size:
            raise _singular_error(op, int(numpy_of(bad)[first[0]]), A.dim(), int(first[0]))
    return _fill_out(LDLFactorExResult(LD, piv, info), out)


def _singular_error(op: str, info: int, ndim: int, batch: int) -> RuntimeError:
    where = f"(Batch element {batch}): " if ndim > 2 else ""
    return RuntimeError(f"{op}: {where}The factorization could not be completed because the input is not "
                        f"invertible. The {info}-th diagonal element of D is zero.")


def _fill_out(result, out):
    if out is None:
        return result
    for dst, src in zip(out, result):
        dst.resize_(src.shape) if tuple(dst.shape) != tuple(src.shape) else None
        dst.copy_(src)
    return type(result)(*out)


def ldl_factor(A: Tensor, *, hermitian: bool = False, out=None):
    """torch.linalg.ldl_factor: (LD, pivots); raises when a diagonal block of D is zero."""
    op = "torch.linalg.ldl_factor"
    _check_square(A, op)
    _check_dtype(A, op)
    LD, piv, info = LDLFactor.apply(A)
    flat = numpy_of(info.array).reshape(-1)
    bad = np.flatnonzero(flat > 0)
    if bad.size:
        raise _singular_error(op, int(flat[bad[0]]), A.dim(), int(bad[0]))
    return _fill_out(LDLFactorResult(LD, piv), out)


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False, out=None) -> Tensor:
    """torch.linalg.ldl_solve: X with A X = B from ``ldl_factor``'s (LD, pivots)."""
    op = "torch.linalg.ldl_solve"
    _check_square(LD, op, "LD")
    if B.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-{max(B.dim(), 1)}, "
                         f"{max(B.dim(), 1) - 1}], but got -2)")
    if pivots.dim() < 1 or tuple(pivots.shape[-1:]) != (LD.shape[-1],) or tuple(pivots.shape[:-1]) != tuple(
            LD.shape[:-2]):
        raise RuntimeError(f"{op}: Expected LD.shape[:-1] and pivots.shape to be the same, but got pivots with "
                           f"shape {list(pivots.shape)} instead")
    if pivots.dtype.is_floating_point or pivots.is_complex():
        raise RuntimeError(f"{op}: Expected pivots to be integers. Got {_tname(pivots)}")
    if B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for {op}: each A matrix is {LD.shape[-2]} by {LD.shape[-1]} "
                           f"but each b matrix is {B.shape[-2]} by {B.shape[-1]}")
    if LD.dtype != B.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type {_tname(B)} and A of type "
                           f"{_tname(LD)} instead.")
    _check_dtype(LD, op)
    X = LDLSolve.apply(LD, pivots, B)
    if out is not None:
        out.copy_(X) if tuple(out.shape) == tuple(X.shape) else out.resize_(X.shape).copy_(X)
        return out
    return X
