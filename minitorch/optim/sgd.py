"""SGD with momentum, dampening, Nesterov, L2 weight decay and ``maximize`` (PyTorch's update order)."""
from __future__ import annotations

from typing import Any

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check, _check_common, _check_unsupported, _effective_grad, _params_with_grad


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    Per parameter, with g = grad (+ weight_decay * p), b the momentum buffer (b_1 = g_1):
    ``b_t = momentum * b_{t-1} + (1 - dampening) * g_t``; ``d = g_t + momentum * b_t`` (nesterov)
    or ``d = b_t``; ``p -= lr * d`` (``p += lr * d`` with ``maximize``).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False, fused: bool | None = None) -> None:
        _check_common(lr, weight_decay=weight_decay)
        _check(momentum >= 0.0, f"Invalid momentum value: {momentum}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unsupported(differentiable)
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
            "nesterov": nesterov, "maximize": maximize, "foreach": foreach, "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum = float(group["momentum"])
            dampening = float(group["dampening"])
            nesterov = group["nesterov"]
            for p in _params_with_grad(group):
                arr = p.array
                xp = xp_of(arr)
                g, owned = _effective_grad(p.grad.array, arr, float(group["weight_decay"]), group["maximize"])
                if momentum != 0:
                    state = self.state[p]
                    buf_t = state.get("momentum_buffer")
                    if buf_t is None:
                        buf = g if owned else g.copy()  # a fresh array can become the buffer
                        state["momentum_buffer"] = Tensor._wrap(buf)
                    else:
                        buf = buf_t.array
                        xp.multiply(buf, momentum, out=buf)
                        if dampening == 0:
                            xp.add(buf, g, out=buf)
                        else:
                            scaled = xp.multiply(g, 1 - dampening, out=xp.empty_like(buf))
                            xp.add(buf, scaled, out=buf)
                    if nesterov:
                        mb = xp.multiply(buf, momentum, out=xp.empty_like(buf))
                        g = xp.add(g, mb, out=mb)
                        owned = True
                    else:
                        g, owned = buf, False
                upd = g if owned else self._scratch_like(arr)
                xp.multiply(g, lr, out=upd)
                xp.subtract(arr, upd, out=arr)
        return loss

    def _scratch_like(self, arr):
        """A reused work array shaped like ``arr`` (a fresh large allocation per step costs page faults)."""
        cache = self.__dict__.setdefault("_scratch", {})
        key = (arr.shape, arr.dtype.str, type(arr))
        buf = cache.get(key)
        if buf is None:
            buf = cache[key] = xp_of(arr).empty_like(arr)
        return buf
