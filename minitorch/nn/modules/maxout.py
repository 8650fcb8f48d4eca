"""Maxout (Goodfellow et al. 2013): not in PyTorch, built from Linear's pieces."""
from __future__ import annotations

from ... import creation
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Maxout"]


class Maxout(Module):
    """y_j = max_{k < pool_size} (x W_{j,k}^T + b_{j,k}): the max over ``pool_size`` linear pieces.

    minitorch addition (PyTorch has no ``nn.Maxout``). Parameters: ``weight`` of shape
    (out_features * pool_size, in_features) and ``bias`` (out_features * pool_size), laid out so
    that rows j*pool_size ... j*pool_size + pool_size - 1 are the pieces of output j. Initialised
    like ``nn.Linear(in_features, out_features * pool_size)``. The gradient of the max goes to the
    winning piece (split evenly on exact ties, as ``amax`` does).

    Input (*, in_features) -> output (*, out_features).
    """

    def __init__(self, in_features: int, out_features: int, pool_size: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        if pool_size < 1:
            raise ValueError(f"Maxout: pool_size must be a positive integer, got {pool_size}")
        self.in_features = in_features
        self.out_features = out_features
        self.pool_size = pool_size
        rows = out_features * pool_size
        self.weight = Parameter(creation.empty(rows, in_features, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(creation.empty(rows, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init._default_layer_init_(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        pieces = F.linear(input, self.weight, self.bias)
        return pieces.unflatten(-1, (self.out_features, self.pool_size)).amax(-1)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"pool_size={self.pool_size}, bias={self.bias is not None}")
