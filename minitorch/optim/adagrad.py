"""Adagrad (with learning-rate decay and an initial accumulator), in PyTorch's single-tensor order."""
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
    _params_with_grad,
    _step_tensor,
)


class Adagrad(Optimizer):
    """Adagrad: ``s += g^2``; ``p -= clr * g / (sqrt(s) + eps)`` with ``clr = lr / (1 + (t - 1) lr_decay)``.

    As in torch, the state (``step`` and ``sum`` = ``initial_accumulator_value``) exists from construction.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_common(lr, eps, weight_decay)
        _check(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _check(0.0 <= initial_accumulator_value,
               f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "foreach": foreach, "maximize": maximize,
            "differentiable": differentiable, "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        if len(state) == 0:
            xp = xp_of(p.array)
            state["step"] = _step_tensor()
            init = float(group["initial_accumulator_value"])
            if p.array.dtype.kind == "c":  # re and im each start at the value, as torch
                init = complex(init, init)
            state["sum"] = Tensor._wrap(xp.full_like(p.array, init))

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = float(group["lr"]), float(group["lr_decay"]), float(group["eps"])
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                self._init_state(p, group)
                state = self.state[p]
                step = _bump(state["step"])
                g, owned = _effective_grad(p.grad.array, arr, float(group["weight_decay"]), group["maximize"])
                clr = lr / (1 + (step - 1) * lr_decay)
                s = state["sum"].array
                if arr.dtype.kind == "c":  # as torch: re and im updated as independent reals
                    arr, g, s = _as_real(arr), _as_real(g), _as_real(s)
                std = xp.multiply(g, g, out=xp.empty_like(arr))
                xp.add(s, std, out=s)
                xp.sqrt(s, out=std)
                xp.add(std, eps, out=std)
                upd = g if owned else xp.empty_like(arr)
                xp.multiply(g, -clr, out=upd)
                xp.divide(upd, std, out=upd)
                xp.add(arr, upd, out=arr)
        return loss
