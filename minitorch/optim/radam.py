"""RAdam (rectified Adam, optional decoupled weight decay), in PyTorch's single-tensor order."""
from __future__ import annotations

from typing import Any

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    _as_real,
    _bump,
    _check,
    _check_common,
    _check_unsupported,
    _effective_grad,
    _lerp_,
    _params_with_grad,
    _step_tensor,
)


class RAdam(Optimizer):
    """RAdam: Adam whose adaptive step is switched on only once the variance estimate is trustworthy.

    ``m``, ``v`` as Adam; ``rho_inf = 2 / (1 - beta2) - 1``, ``rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)``.
    If ``rho_t > 5``: ``p -= lr * m / (1 - beta1^t) * sqrt(1 - beta2^t) / (sqrt(v) + eps) * r_t`` with the
    rectification ``r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))``;
    otherwise plain momentum: ``p -= lr * m / (1 - beta1^t)``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_common(lr, eps, weight_decay)
        _check(len(betas) == 2, f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
            "foreach": foreach, "capturable": capturable, "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps, wd = float(group["eps"]), float(group["weight_decay"])
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = Tensor._wrap(xp.zeros_like(arr))
                    state["exp_avg_sq"] = Tensor._wrap(xp.zeros_like(arr))
                step = _bump(state["step"])
                if wd != 0 and group["decoupled_weight_decay"]:
                    xp.multiply(arr, 1 - lr * wd, out=arr)
                    g, owned = _effective_grad(p.grad.array, arr, 0.0, group["maximize"])
                else:
                    g, owned = _effective_grad(p.grad.array, arr, wd, group["maximize"])
                m, v = state["exp_avg"].array, state["exp_avg_sq"].array
                if arr.dtype.kind == "c":  # as torch: re and im updated as independent reals
                    arr, g, m, v = _as_real(arr), _as_real(g), _as_real(m), _as_real(v)
                tmp = xp.empty_like(arr)
                _lerp_(m, g, 1 - beta1, tmp)
                xp.multiply(v, beta2, out=v)
                xp.multiply(g, 1 - beta2, out=tmp)
                xp.multiply(tmp, g, out=tmp)
                xp.add(v, tmp, out=v)
                bias_correction1 = 1 - beta1**step
                bias_correction2 = 1 - beta2**step
                upd = g if owned else xp.empty_like(arr)
                xp.divide(m, bias_correction1, out=upd)  # the bias-corrected first moment
                xp.multiply(upd, lr, out=upd)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
                if rho_t > 5.0:  # the variance is tractable: rectified adaptive step
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    adaptive = xp.sqrt(v, out=tmp)
                    xp.add(adaptive, eps, out=adaptive)
                    xp.reciprocal(adaptive, out=adaptive)  # torch computes scalar / t as t.reciprocal() * scalar
                    xp.multiply(adaptive, bias_correction2**0.5, out=adaptive)
                    xp.multiply(upd, adaptive, out=upd)
                    xp.multiply(upd, rect, out=upd)
                xp.subtract(arr, upd, out=arr)
        return loss
