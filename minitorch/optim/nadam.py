"""NAdam (Adam with Nesterov momentum, optional decoupled weight decay), in PyTorch's single-tensor order."""
from __future__ import annotations

from typing import Any

from ..backend import xp_of
from ..tensor import Tensor
from ._host_scalars import cast_state_keeping_host_scalars, host_scalar
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


class NAdam(Optimizer):
    """NAdam: Adam whose update looks one momentum step ahead.

    With t the step, ``mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay))`` and ``P_t = mu_1 ... mu_t``
    (``mu_product``): ``m = lerp(m, g, 1 - beta1)``; ``v = beta2 v + (1 - beta2) g^2``;
    ``d = sqrt(v / (1 - beta2^t)) + eps``;
    ``p -= lr (1 - mu_t) / (1 - P_t) * g / d + lr mu_{t+1} / (1 - P_t mu_{t+1}) * m / d``.
    ``weight_decay`` adds ``wd * p`` to g, or with ``decoupled_weight_decay`` first does ``p *= 1 - lr wd``.
    """

    _cast_state = cast_state_keeping_host_scalars(("mu_product",))

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_common(lr, eps, weight_decay)
        _check(len(betas) == 2, f"betas must be a pair (beta1, beta2), got {betas!r}")
        _check(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
        _check(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")
        _check(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize, "foreach": foreach,
            "capturable": capturable, "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps, wd = float(group["eps"]), float(group["weight_decay"])
            momentum_decay = float(group["momentum_decay"])
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["mu_product"] = host_scalar(1.0)
                    state["exp_avg"] = Tensor._wrap(xp.zeros_like(arr))
                    state["exp_avg_sq"] = Tensor._wrap(xp.zeros_like(arr))
                step = _bump(state["step"])
                bias_correction2 = 1 - beta2**step
                if wd != 0 and group["decoupled_weight_decay"]:
                    xp.multiply(arr, 1 - lr * wd, out=arr)
                    g, owned = _effective_grad(p.grad.array, arr, 0.0, group["maximize"])
                else:
                    g, owned = _effective_grad(p.grad.array, arr, wd, group["maximize"])
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                mu_product_arr = state["mu_product"].array  # float32 on the host, as torch keeps it
                mu_product_arr *= mu
                mu_product = float(mu_product_arr)
                mu_product_next = mu_product * mu_next
                m, v = state["exp_avg"].array, state["exp_avg_sq"].array
                if arr.dtype.kind == "c":  # as torch: re and im updated as independent reals
                    arr, g, m, v = _as_real(arr), _as_real(g), _as_real(m), _as_real(v)
                tmp = xp.empty_like(arr)
                _lerp_(m, g, 1 - beta1, tmp)
                xp.multiply(v, beta2, out=v)
                xp.multiply(g, 1 - beta2, out=tmp)
                xp.multiply(tmp, g, out=tmp)
                xp.add(v, tmp, out=v)
                denom = xp.divide(v, bias_correction2, out=tmp)
                xp.sqrt(denom, out=denom)
                xp.add(denom, eps, out=denom)
                # p += (c * g) / denom; p += (c' * m) / denom   (torch.addcdiv order)
                upd = g if owned else xp.empty_like(arr)
                xp.multiply(g, -lr * (1.0 - mu) / (1.0 - mu_product), out=upd)
                xp.divide(upd, denom, out=upd)
                xp.add(arr, upd, out=arr)
                xp.multiply(m, (-lr * mu_next) / (1.0 - mu_product_next), out=upd)
                xp.divide(upd, denom, out=upd)
                xp.add(arr, upd, out=arr)
        return loss
