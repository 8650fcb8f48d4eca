"""Adafactor (Shazeer & Stern, 2018) as torch 2.13's ``torch.optim.Adafactor``: factored second moments
(a row and a column average) for parameters with 2+ dims, a full one for vectors; relative step size."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, _bump, _lerp_, _params_with_grad, _step_tensor

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Per step t (beta2_t = 1 - t^beta2_decay, rho_t = min(lr, 1/sqrt(t)),
    alpha = max(eps2, RMS(p)) rho_t): p *= 1 - lr wd; for a matrix R = lerp(R, mean_cols(g^2), 1 - beta2_t),
    C = lerp(C, mean_rows(g^2), 1 - beta2_t), V = R C / mean(R); for a vector V = lerp(V, g^2, 1 - beta2_t);
    u = g / sqrt(max(V, eps1^2)); p -= alpha / max(1, RMS(u) / d) * u.

    Like torch, each step reads the parameter and update norms back to the host (on a GPU: a sync)."""

    def __init__(self, params: ParamsT, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0, weight_decay: float = 0.0, *,
                 foreach: bool | None = None, maximize: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    @staticmethod
    def _cast_state(param: Tensor, index, value, key=None):
        """As the base class, but the factored ``row_var`` / ``col_var`` have a size-1 last / second-last dim."""
        if isinstance(value, dict):
            return {k: Adafactor._cast_state(param, index, v, k) for k, v in value.items()}
        if key in ("row_var", "col_var") and isinstance(value, Tensor):
            shape = list(param.shape)
            shape[-1 if key == "row_var" else -2] = 1
            if list(value.shape) != shape:
                raise ValueError(f"loaded state dict has state '{key}' of shape {tuple(value.shape)} for parameter "
                                 f"{index} of shape {tuple(param.shape)}")
            return Optimizer._cast_state(param, index, value)
        return Optimizer._cast_state(param, index, value, key)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            eps1, eps2 = group["eps"]
            d, wd, decay = float(group["d"]), float(group["weight_decay"]), float(group["beta2_decay"])
            for p in _params_with_grad(group):
                arr = p.array
                if arr.dtype.kind == "c":
                    raise RuntimeError("Adafactor does not support complex parameters")
                xp = xp_of(arr)
                g = p.grad.array
                if group["maximize"]:
                    g = -g
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    if g.ndim > 1:
                        state["row_var"] = Tensor._wrap(xp.zeros(g.shape[:-1] + (1,), dtype=g.dtype))
                        state["col_var"] = Tensor._wrap(xp.zeros(g.shape[:-2] + (1, g.shape[-1]), dtype=g.dtype))
                    else:
                        state["variance"] = Tensor._wrap(xp.zeros_like(g))
                if eps1 is None:  # as torch: the first parameter's dtype decides for the whole group
                    eps1 = float(np.finfo(arr.dtype).eps)
                t = _bump(state["step"])
                one_minus_beta2_t = t**decay
                rho_t = min(lr, 1 / (t**0.5))
                alpha = max(eps2, float(xp.sqrt((arr * arr).sum())) / (arr.size**0.5)) * rho_t
                if wd != 0:
                    xp.multiply(arr, 1 - lr * wd, out=arr)
                if g.ndim > 1:
                    row_var, col_var = state["row_var"].array, state["col_var"].array
                    row_mean = xp.sqrt((g * g).sum(axis=-1, keepdims=True)) ** 2 / g.shape[-1]
                    _lerp_(row_var, row_mean.astype(g.dtype, copy=False), one_minus_beta2_t, xp.empty_like(row_var))
                    col_mean = xp.sqrt((g * g).sum(axis=-2, keepdims=True)) ** 2 / g.shape[-2]
                    _lerp_(col_var, col_mean.astype(g.dtype, copy=False), one_minus_beta2_t, xp.empty_like(col_var))
                    var_estimate = xp.matmul(row_var, col_var)
                    var_estimate = var_estimate / xp.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
                else:
                    variance = state["variance"].array
                    _lerp_(variance, g * g, one_minus_beta2_t, xp.empty_like(variance))
                    var_estimate = variance.copy()
                update = (1 / xp.sqrt(xp.maximum(var_estimate, eps1 * eps1))).astype(arr.dtype, copy=False) * g
                denom = max(1.0, float(xp.sqrt((update * update).sum())) / ((update.size**0.5) * d))
                arr += (update * (-alpha / denom)).astype(arr.dtype, copy=False)
        return loss
