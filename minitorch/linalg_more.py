"""torch.linalg's householder_product, tensorinv and tensorsolve, written with differentiable minitorch ops
(so gradients, double gradients and the GPU come from the ops they are built of)."""
from __future__ import annotations

import math

from .ops.decomposition import inv as _inv
from .ops.decomposition import solve as _solve
from .tensor import Tensor

__all__ = ["householder_product", "tensorinv", "tensorsolve"]


def householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """The first n columns of Q = H_1 ... H_k, H_i = I - tau_i v_i v_i^T, where v_i is column i of ``A``
    below the diagonal with a 1 on it (LAPACK's orgqr). Gradients flow to A and tau through the products."""
    import minitorch

    op = "torch.linalg.householder_product"
    if A.dim() < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    m, n = A.shape[-2], A.shape[-1]
    if m < n:
        raise RuntimeError(f"{op}: input.shape[-2] must be greater than or equal to input.shape[-1]")
    k = tau.shape[-1] if tau.dim() else 1
    if n < k:
        raise RuntimeError(f"{op}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    if tuple(tau.shape[:-1]) != tuple(A.shape[:-2]):
        raise RuntimeError(f"{op}: Expected batch dimensions of tau to be equal to input.shape[:-2], but got "
                           f"{list(tau.shape[:-1])}")
    if tau.dtype != A.dtype:
        raise RuntimeError(f"{op}: tau dtype {_torch_name(tau.dtype)} does not match input dtype "
                           f"{_torch_name(A.dtype)}")
    eye = minitorch.eye(m, n, dtype=A.dtype, device=A.device)
    V = A.tril(-1) + eye  # column i: v_i (zeros above the diagonal, 1 on it)
    Q = eye.expand(tuple(A.shape[:-2]) + (m, n))
    if k == 0 and (A.requires_grad or tau.requires_grad):  # torch's result stays in the graph (zero gradients)
        Q = Q + A * 0 + tau.sum(-1, keepdim=True).unsqueeze(-1) * 0
    for i in reversed(range(k)):
        v = V[..., :, i:i + 1]
        t = tau[..., i:i + 1].unsqueeze(-1)
        Q = Q - (t * v) @ (v.mT @ Q)
    return Q


def _torch_name(dtype) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}.get(
        str(dtype).split(".")[-1], str(dtype))


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """The inverse of ``A`` as a tensor-valued map: inv(A.reshape(p, p)).reshape(A.shape[ind:] + A.shape[:ind])."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = tuple(A.shape)
    rows, cols = math.prod(shape[:ind]), math.prod(shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    return _inv(A.reshape(rows, cols)).reshape(shape[ind:] + shape[:ind])


def tensorsolve(A: Tensor, B: Tensor, dims=None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B: A's leading B.ndim dims index the equations (after moving
    ``dims`` of A to the end), the rest the unknowns; solved as one square linear system."""
    if dims is not None:
        dims = [d % A.dim() for d in dims]
        keep = [d for d in range(A.dim()) if d not in dims]
        A = A.permute(*(keep + list(dims)))
    result_shape = tuple(A.shape[B.dim():])
    rows, cols = math.prod(A.shape[:B.dim()]), math.prod(result_shape)
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {cols} != {rows}")
    return _solve(A.reshape(rows, cols), B.reshape(rows)).reshape(result_shape)
