"""Muon (Jordan et al., 2024) as torch 2.13's ``torch.optim.Muon``: momentum, then the update is
orthogonalised by a quintic Newton-Schulz iteration, with decoupled weight decay and a shape-based lr scale.

bfloat16 emulation: torch runs the Newton-Schulz iteration in bfloat16; NumPy and CuPy have no bfloat16, so
minitorch computes each of those operations in float32 and rounds the result to bfloat16 precision
(round-to-nearest-even on the upper 16 bits of the float32 bit pattern, through a uint32 view; NaN kept),
exactly where torch's tensors are bfloat16: the cast of the update, its norm, the clamp, the division, and each
``X @ X.T`` and ``addmm`` (one rounding per ``addmm``: torch's CPU bfloat16 GEMM accumulates ``beta C +
alpha A @ B`` in float32 and rounds once). The orthogonalised update therefore holds bfloat16 values, as
torch's, and is added to the float32 parameter in float32. Measured against torch 2.13 on the CPU the
parameters agree to ~1e-7 relative (float32 round-off in the sums; a bfloat16 rounding that lands on the other
side of a tie can move one update element by one bfloat16 ulp, 2^-8 relative, which the tests allow for).
"""
from __future__ import annotations

import math
from typing import Any

from ..backend import xp_of
from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, _lerp_, _params_with_grad

__all__ = ["Muon"]

EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _bf16(x):
    """Round a float32 array to the nearest bfloat16 value (ties to even), kept in float32; NaN stays NaN."""
    xp = xp_of(x)
    x = xp.ascontiguousarray(x, dtype=xp.float32)
    u = x.view(xp.uint32)
    lsb = (u >> 16) & xp.uint32(1)
    r = ((u + (lsb + xp.uint32(0x7FFF))) & xp.uint32(0xFFFF0000)).view(xp.float32)
    return xp.where(x != x, x, r)


def _zeropower_via_newtonschulz(grad, ns_coefficients, ns_steps: int, eps: float):
    """X = bf16(G) / ||G|| (transposed if tall); k times: A = X X^T, B = b A + c A A, X = a X + B X."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if len(grad.shape) != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (float(v) for v in ns_coefficients)
    xp = xp_of(grad)
    x = _bf16(grad)
    tall = grad.shape[0] > grad.shape[1]
    if tall:
        x = x.T
    norm = _bf16(xp.sqrt((x * x).sum(dtype=xp.float32)))
    norm = xp.maximum(norm, _bf16(xp.asarray(eps, dtype=xp.float32)))
    x = _bf16(x / norm)
    for _ in range(ns_steps):
        gram = _bf16(x @ x.T)
        gram_update = _bf16(b * gram + c * (gram @ gram))
        x = _bf16(a * x + gram_update @ x)
    return x.T if tall else x


def _adjust_lr(lr: float, adjust_lr_fn: str | None, param_shape) -> float:
    """sqrt(max(1, A / B)) ("original"), or 0.2 sqrt(max(A, B)) ("match_rms_adamw"), times lr."""
    A, B = param_shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, A / B))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(A, B))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    """Per step: B = lerp(B, g, 1 - mu); u = lerp(g, B, mu) (nesterov) or B; O = NS_k(u) (bfloat16, emulated:
    see the module docstring); p *= 1 - lr wd; p -= AdjustLR(lr, shape) O. Only 2-D parameters."""

    def __init__(self, params: ParamsT, lr: float = 1e-3, weight_decay: float = 0.1, momentum: float = 0.95,
                 nesterov: bool = True, ns_coefficients: tuple[float, float, float] = (DEFAULT_A, DEFAULT_B, DEFAULT_C),
                 eps: float = EPS, ns_steps: int = DEFAULT_NS_STEPS, adjust_lr_fn: str | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ["original", "match_rms_adamw"]:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": ns_coefficients, "eps": eps, "ns_steps": ns_steps,
                    "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(
                        f"Muon only supports 2D parameters whereas we found a parameter with size: {p.size()}")

    def step(self, closure=None) -> Any:
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            wd, mu = float(group["weight_decay"]), float(group["momentum"])
            for p in _params_with_grad(group):
                arr = p.array
                if arr.dtype.kind == "c":
                    raise RuntimeError("Muon does not support complex parameters")
                xp = xp_of(arr)
                g = p.grad.array
                if g.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                state = self.state[p]
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = Tensor._wrap(xp.zeros_like(g))
                buf = state["momentum_buffer"].array
                _lerp_(buf, g, 1 - mu, xp.empty_like(buf))
                if group["nesterov"]:
                    update = _lerp_(g.copy(), buf, mu, xp.empty_like(buf))
                else:
                    update = buf
                update = _zeropower_via_newtonschulz(update, group["ns_coefficients"], group["ns_steps"],
                                                     group["eps"])
                adjusted_lr = _adjust_lr(lr, group["adjust_lr_fn"], p.shape)
                xp.multiply(arr, 1 - lr * wd, out=arr)
                arr += (update * -adjusted_lr).astype(arr.dtype, copy=False)
        return loss
