"""Weight normalisation (the hook API): ``weight = g * v / ||v||``, with the norm over every dimension but
``dim``. ``weight_norm(module)`` replaces the parameter ``weight`` by ``weight_g`` (the magnitudes) and
``weight_v`` (the direction), and recomputes ``weight`` from them before every forward (a forward pre-hook),
so gradients reach g and v through ordinary differentiable ops."""
from __future__ import annotations

import warnings

from ...tensor import Tensor
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of v over every dimension except ``dim``, kept as size-1 dimensions
    (``dim=-1``: the norm of the whole tensor, a 0-d tensor, as torch's old weight_norm API has it)."""
    a = v.abs() if pow != 2 else v
    if dim == -1:
        return (a * a).sum().sqrt() if pow == 2 else (a ** pow).sum() ** (1.0 / pow)
    d = dim % v.dim()
    others = tuple(k for k in range(v.dim()) if k != d)
    if not others:
        return a.abs()
    if pow == 2:
        return (a * a).sum(others, keepdim=True).sqrt()
    return (a ** pow).sum(others, keepdim=True) ** (1.0 / pow)


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, 2, self.dim))

    @staticmethod
    def apply(module, name: str, dim: int | None) -> WeightNorm:
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Reparametrise ``module.<name>`` as ``g * v / ||v||`` (norm over every dimension but ``dim``;
    ``dim=None``: over the whole tensor); returns the module."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo ``weight_norm``: ``<name>`` becomes a plain Parameter again with its current value."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
