"""``linalg.eig`` / ``linalg.eigvals``: the eigendecomposition of a general (non-symmetric) square matrix.

Forward: LAPACK's geev through ``numpy.linalg.eig``; the results are always complex (complex64 for float32,
complex128 for float64), each eigenvector scaled to norm 1, as torch. CuPy has no general eig: a CUDA
tensor is copied to the host once, factorised there, and the results copied back, so the call waits for
the device (torch's CUDA eig does the same: MAGMA's geev runs on the CPU and torch documents the sync).

Backward (A = V diag(L) V^-1, upstream gL, gV), in torch's complex convention:

    gA = V^-H (diag(gL) + P / conj(L_j - L_i)) V^H,   P = V^H gV - V^H V diag(Re diag(V^H gV))

(off-diagonal i, j; the diagonal of the bracket is gL). An eigenvector is only defined up to a phase
e^{i phi}: a loss that depends on the phase is ill-defined, which shows as Im diag(V^H gV) != 0, and backward
refuses it with torch's error. Gauge-invariant losses (|L|, |V|^2, V diag V^-1 ...) get torch's gradient.
Repeated eigenvalues divide by zero (inf/nan), as torch.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import BuiltinOp
from ..autograd.grad_mode import is_grad_enabled
from ..backend import xp_of
from ..backend.arrays import is_cupy_array
from ..backend.checks import fail_if
from ..return_types import structseq
from ..tensor import Tensor
from ._util import torch_type_name

__all__ = ["eig", "eigvals"]

EigResult = structseq("linalg_eig", ["eigenvalues", "eigenvectors"])

_COMPLEX = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128,
            np.dtype(np.complex64): np.complex64, np.dtype(np.complex128): np.complex128}


def _geev(arr):
    """(L, V) of a batch of square matrices, complex, on the array's device (CuPy: through the host)."""
    cdt = _COMPLEX[arr.dtype]
    if is_cupy_array(arr):  # no geev in CuPy: one copy each way (torch's CUDA eig also syncs)
        xp = xp_of(arr)
        w, v = np.linalg.eig(arr.get())
        return xp.asarray(w.astype(cdt, copy=False)), xp.asarray(v.astype(cdt, copy=False))
    w, v = np.linalg.eig(arr)
    return w.astype(cdt, copy=False), v.astype(cdt, copy=False)


class Eig(BuiltinOp):
    complex_autograd = True
    materialize_grads = False

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        w, v = _geev(a.array)
        ctx.out_arrays = (w, v)
        return w, v

    @staticmethod
    def backward(ctx, gl, gv):
        """gA = V^-H (diag(gL) + (V^H gV - V^H V diag(Re diag V^H gV)) / conj(L_j - L_i)) V^H (off-diagonal)."""
        ctx.saved_tensors  # noqa: B018  (raises the freed-graph error after a backward without retain_graph)
        w, v = (Tensor._wrap(x) for x in ctx.out_arrays)
        if is_grad_enabled():  # create_graph: L and V as this node's outputs, so the second backward meets the
            for i, t in enumerate((w, v)):  # gauge-dependent parts of both paths at one node (they cancel)
                t._requires_grad, t._grad_fn, t._out_index = True, ctx, i
        return _eig_backward(w, v, gl, gv)


def _eig_backward(w: Tensor, v: Tensor, gl, gv) -> Tensor:
    from .decomposition import solve  # noqa: PLC0415

    vh = v.mH
    n = w.array.shape[-1]
    xp = xp_of(w.array)
    eye = Tensor._wrap(xp.eye(n, dtype=bool))
    if gv is None:
        inner = gl.diag_embed()
    else:
        vhgv = vh @ gv
        d = vhgv.diagonal(0, -2, -1)
        im = d.detach().imag.array
        fail_if(~xp.all(xp.abs(im) <= 1e-2), RuntimeError,  # torch: allclose(Im, 0, 1e-2, 1e-2)
                "linalg_eig_backward: The eigenvectors in the complex case are specified up to multiplication by "
                "e^{i phi}. The specified loss function depends on this quantity, so it is ill-defined.")
        vhgv = vhgv - vh @ (v * d.real.unsqueeze(-2))
        lc = w.conj()
        gaps = lc.unsqueeze(-2) - lc.unsqueeze(-1)  # [i, j] = conj(L_j) - conj(L_i)
        gaps = gaps.masked_fill(eye, 1)
        inner = (vhgv / gaps).masked_fill(eye, 0)
        if gl is not None:
            inner = inner + gl.diag_embed()
    return solve(vh, inner @ vh)


def _check(A, op: str) -> None:
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(A).__name__}")
    if A.array.dtype.kind not in "fc" or A.array.dtype == np.float16:
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got {torch_type_name(A)}")
    if A.array.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A.array.shape[-1] != A.array.shape[-2]:
        raise RuntimeError(f"{op}: A must be batches of square matrices, but they are {A.array.shape[-2]} by "
                           f"{A.array.shape[-1]} matrices")
    if A.array.size:
        xp = xp_of(A.array)
        fail_if(~xp.isfinite(A.array).all(), RuntimeError, f"torch.{op}: input tensor should not contain infs or NaNs.")


def eig(A: Tensor, *, out=None):
    """torch.linalg.eig: (eigenvalues, eigenvectors) of square matrices, complex, eigenvectors of norm 1
    (LAPACK geev's order and phase, as torch on the CPU). On CUDA the factorisation runs on the host (one copy
    each way, a device sync, as torch's CUDA eig)."""
    _check(A, "linalg.eig")
    return EigResult(*Eig.apply(A))


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """torch.linalg.eigvals: the eigenvalues of square matrices (complex); differentiable
    (gA = V^-H diag(gL) V^H)."""
    _check(A, "linalg.eigvals")
    if A.requires_grad and is_grad_enabled():
        return Eig.apply(A)[0]
    w, _ = _geev(A.array)
    return Tensor._wrap(w)
