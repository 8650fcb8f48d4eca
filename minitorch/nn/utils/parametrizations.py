"""Ready-made parametrizations (``torch.nn.utils.parametrizations``) built on ``parametrize``:
``weight_norm`` (``w = g * v / ||v||``), ``spectral_norm`` (``w = W / sigma(W)``, sigma by power iteration)
and ``orthogonal`` (``w = exp(A - A^T)``, the Cayley map, or a product of Householder reflections)."""
from __future__ import annotations

from enum import Enum, auto

from ...autograd.grad_mode import no_grad
from ...backend.dtype import finfo
from ...creation import eye, randn, zeros_like
from ...ops.shape import cat
from ...tensor import Tensor
from .. import functional as F
from ..modules.module import Module
from . import parametrize
from .weight_norm import norm_except_dim

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


def _linalg():
    from ... import linalg  # imported late: minitorch.linalg sits above nn in the import order

    return linalg


def _eye_like(X: Tensor, n: int, k: int | None = None) -> Tensor:
    return eye(n, n if k is None else k, dtype=X.dtype, device=X.device)


def _is_orthogonal(Q: Tensor) -> bool:
    n, k = Q.size(-2), Q.size(-1)
    eps = 10.0 * n * finfo(Q.dtype).eps
    return bool(((Q.mH @ Q) - _eye_like(Q, k)).abs().max() <= eps)


def _make_orthogonal(A: Tensor) -> Tensor:
    """The Q of A's QR decomposition, signs fixed so that R has a positive diagonal (unique, as torch's)."""
    Q, R = _linalg().qr(A)
    return Q * R.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


def _householder_product(A: Tensor, tau: Tensor) -> Tensor:
    """``H_1 H_2 ... H_k`` (first k columns), ``H_i = I - tau_i v_i v_i^T``, ``v_i`` = column i of A below
    the diagonal with an implicit 1 on it (LAPACK's orgqr), written with differentiable ops."""
    n, k = A.size(-2), A.size(-1)
    V = A.tril(-1) + _eye_like(A, n, k)
    Q = _eye_like(A, n).expand(*A.shape[:-2], n, n)
    for i in range(k):
        v = V[..., :, i:i + 1]                                  # (..., n, 1)
        Q = Q - (Q @ v) * tau[..., i:i + 1].unsqueeze(-1) @ v.mT
    return Q[..., :, :k]


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


class _Orthogonal(Module):
    """Maps an unconstrained matrix to an orthogonal one (``Q^T Q = I`` on the short side); with
    ``use_trivialization`` the result is ``base @ map(X)``, ``base`` set by ``right_inverse``."""

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *, use_trivialization: bool = True) -> None:
        super().__init__()
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X: Tensor) -> Tensor:
        n, k = X.size(-2), X.size(-1)
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            X = X.tril()
            if n != k:
                X = cat([X, X.new_zeros(n, n - k).expand(*X.shape[:-2], -1, -1)], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                Q = _linalg().matrix_exp(A)
            else:
                Id = _eye_like(A, n)
                Q = _linalg().solve(Id - 0.5 * A, Id + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).detach().trunc().unsqueeze(-2)
        if "base" in self._buffers:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q: Tensor) -> Tensor:
        with no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {Q.shape}.")
            Q_init = Q
            n, k = Q.size(-2), Q.size(-1)
            if n < k:
                Q = Q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in (_OrthMaps.cayley, _OrthMaps.matrix_exp):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential "
                                              "or the Cayley parametrizations when use_trivialization=False.")
                raise NotImplementedError("minitorch: orthogonal(..., orthogonal_map='householder', "
                                          "use_trivialization=False) needs geqrf, which minitorch lacks")
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                N = randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype, device=Q.device)
                Q = _make_orthogonal(cat([Q, N], dim=-1))
            self.base = Q
            neg_Id = zeros_like(Q_init)
            neg_Id -= _eye_like(Q_init, Q_init.size(-2), Q_init.size(-1))
            return neg_Id


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrain ``module.<name>`` (a matrix or batch of matrices) to be orthogonal (columns or rows
    orthonormal, whichever side is shorter). ``orthogonal_map``: "matrix_exp" (default for square),
    "cayley", or "householder" (default otherwise)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.size(-2) == weight.size(-1) else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    if not use_trivialization and orth_enum == _OrthMaps.householder:
        raise NotImplementedError("minitorch: orthogonal(..., orthogonal_map='householder', "
                                  "use_trivialization=False) needs geqrf, which minitorch lacks")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    """``(g, v) -> v * g / ||v||``, the norm over every dimension but ``dim`` (``-1``: the whole tensor)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / norm_except_dim(weight_v, 2, self.dim))

    def right_inverse(self, weight: Tensor):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Reparametrise ``module.<name>`` as ``g * v / ||v||``: ``parametrizations.<name>.original0`` is g
    (the magnitudes) and ``original1`` is v (the direction), as torch's. As torch, a load pre-hook renames
    the old ``nn.utils.weight_norm`` keys ``<name>_g``/``<name>_v`` of a checkpoint to those two."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                                 error_msgs) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


def _write(buffer: Tensor, value: Tensor) -> None:
    """Store ``value`` in ``buffer`` in place (torch's ``normalize(..., out=buffer)``): the object stays."""
    buffer.array = value.array
    buffer._version += 1


class _SpectralNorm(Module):
    """``W -> W / sigma``, sigma the largest singular value of W (reshaped to a matrix with ``dim`` first)
    estimated by power iteration: buffers ``_u``, ``_v`` advance ``n_power_iterations`` steps on every
    forward in training mode."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] "
                             f"but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but "
                             f"got n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight)
            h, w = weight_mat.size()
            with no_grad():
                u = weight_mat.new_empty(h).normal_(0, 1)
                v = weight_mat.new_empty(w).normal_(0, 1)
                self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
                self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        with no_grad():
            for _ in range(n_power_iterations):
                _write(self._u, F.normalize(weight_mat.mv(self._v), dim=0, eps=self.eps))
                _write(self._v, F.normalize(weight_mat.mH.mv(self._u), dim=0, eps=self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = u.dot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def _default_dim(module: Module) -> int:
    from ..modules.conv import _ConvTransposeNd

    return 1 if isinstance(module, _ConvTransposeNd) else 0


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1, eps: float = 1e-12,
                  dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its spectral norm (largest singular value), estimated by power
    iteration; ``dim`` (default 0, 1 for ConvTranspose) is the output dimension."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = _default_dim(module)
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
