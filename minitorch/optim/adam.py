"""Adam (with AMSGrad, L2 or decoupled weight decay, ``maximize``), in PyTorch's single-tensor order."""
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


class Adam(Optimizer):
    """Adam: moment estimates with bias correction.

    With g = grad (+ weight_decay * p unless decoupled), t the step:
    ``m = lerp(m, g, 1 - beta1)``; ``v = beta2 v + (1 - beta2) g^2``;
    ``p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`` (``v`` -> running max with
    ``amsgrad``). Decoupled weight decay (AdamW) first does ``p *= 1 - lr * weight_decay``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        _check_common(lr, eps, weight_decay)
        _check(len(betas) == 2, f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
            "maximize": maximize, "foreach": foreach, "capturable": capturable, "differentiable": differentiable,
            "fused": fused, "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            decoupled = group["decoupled_weight_decay"]
            amsgrad = group["amsgrad"]
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = Tensor._wrap(xp.zeros_like(arr))
                    state["exp_avg_sq"] = Tensor._wrap(xp.zeros_like(arr))
                    if amsgrad:
                        state["max_exp_avg_sq"] = Tensor._wrap(xp.zeros_like(arr))
                step = _bump(state["step"])
                if wd != 0 and decoupled:
                    xp.multiply(arr, 1 - lr * wd, out=arr)
                    g, owned = _effective_grad(p.grad.array, arr, 0.0, group["maximize"])
                else:
                    g, owned = _effective_grad(p.grad.array, arr, wd, group["maximize"])
                m, v = state["exp_avg"].array, state["exp_avg_sq"].array
                vmax = state["max_exp_avg_sq"].array if amsgrad else None
                if arr.dtype.kind == "c":  # as torch: re and im updated as independent reals
                    arr, g, m, v = _as_real(arr), _as_real(g), _as_real(m), _as_real(v)
                    vmax = _as_real(vmax) if amsgrad else None
                tmp = xp.empty_like(arr)
                # v = beta2 * v + ((1 - beta2) * g) * g
                xp.multiply(v, beta2, out=v)
                xp.multiply(g, 1 - beta2, out=tmp)
                xp.multiply(tmp, g, out=tmp)
                xp.add(v, tmp, out=v)
                _lerp_(m, g, 1 - beta1, g if owned else tmp)  # m = lerp(m, g, 1 - beta1)
                bias_correction1 = 1 - beta1**step
                bias_correction2_sqrt = (1 - beta2**step) ** 0.5
                step_size = lr / bias_correction1
                if amsgrad:
                    xp.maximum(vmax, v, out=vmax)
                    v = vmax
                denom = xp.sqrt(v, out=tmp)
                xp.divide(denom, bias_correction2_sqrt, out=denom)
                xp.add(denom, eps, out=denom)
                # p += (-step_size * m) / denom   (torch.addcdiv order)
                upd = g if owned else xp.empty_like(arr)
                xp.multiply(m, -step_size, out=upd)
                xp.divide(upd, denom, out=upd)
                xp.add(arr, upd, out=arr)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the Adam update."""

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
