"""ASGD (averaged stochastic gradient descent), in PyTorch's single-tensor order."""
from __future__ import annotations

from typing import Any

from ..backend import xp_of
from ..tensor import Tensor
from ._host_scalars import cast_state_keeping_host_scalars, host_scalar
from .optimizer import (
    Optimizer,
    ParamsT,
    _bump,
    _check_common,
    _check_unsupported,
    _effective_grad,
    _params_with_grad,
    _step_tensor,
)


class ASGD(Optimizer):
    """Averaged SGD: an SGD step with a decaying rate, plus a running average ``ax`` of the iterates.

    With g = grad (+ weight_decay * p) and t the step: ``p *= 1 - lambd * eta``; ``p -= eta * g``;
    ``ax += mu (p - ax)`` (``ax = p`` while ``mu == 1``); then ``eta = lr / (1 + lambd lr t)^alpha`` and
    ``mu = 1 / max(1, t - t0)``. ``ax`` is the averaged model; the parameters keep the plain iterate.
    ``step``, ``eta`` and ``mu`` are 0-d float32 CPU tensors (torch keeps them on the parameter's device
    and reads them with ``.item()``; on the host a GPU step never waits for them).
    """

    _cast_state = cast_state_keeping_host_scalars(("eta", "mu"))

    def __init__(self, params: ParamsT, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_common(lr, weight_decay=weight_decay)
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay, "foreach": foreach,
            "maximize": maximize, "differentiable": differentiable, "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr, lambd = float(group["lr"]), float(group["lambd"])
            alpha, t0 = float(group["alpha"]), float(group["t0"])
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["eta"] = host_scalar(lr)
                    state["mu"] = host_scalar(1.0)
                    state["ax"] = Tensor._wrap(xp.zeros_like(arr))
                step = _bump(state["step"])
                g, owned = _effective_grad(p.grad.array, arr, float(group["weight_decay"]), group["maximize"])
                eta = float(state["eta"].array)
                mu = float(state["mu"].array)
                xp.multiply(arr, 1 - lambd * eta, out=arr)
                upd = g if owned else xp.empty_like(arr)
                xp.multiply(g, -eta, out=upd)
                xp.add(arr, upd, out=arr)
                ax = state["ax"].array
                if mu != 1:
                    xp.subtract(arr, ax, out=upd)
                    xp.multiply(upd, mu, out=upd)
                    xp.add(ax, upd, out=ax)
                else:
                    ax[...] = arr
                state["eta"].array[...] = lr / ((1 + lambd * lr * step) ** alpha)
                state["mu"].array[...] = 1 / max(1, step - t0)
        return loss
