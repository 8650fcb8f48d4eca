"""nn.functional: more losses (Gaussian / Poisson NLL, multi-class and multi-label margins, triplet with
a distance function, CTC), each with ``reduction='mean'|'sum'|'none'`` as in PyTorch.

All but CTC are short composites of differentiable ops (so their gradients, and gradients of those,
come from autograd). ``ctc_loss`` is one Function: the forward runs the alpha recursion in log space
over the time steps (vectorised over the batch and the label positions) and the backward runs the
matching beta recursion.
"""
from __future__ import annotations

import math

import numpy as np

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...autograd.function import BuiltinOp
from ...backend import is_cupy_array, xp_of
from ...backend.checks import fail_if
from ...ops.elementwise import minimum, where
from ...ops.indexing import Gather
from ...tensor import Tensor
from .loss import _check_reduction, _legacy_reduction, _reduce, _straight_clamp_min, pairwise_distance

__all__ = [
    "gaussian_nll_loss", "poisson_nll_loss", "multi_margin_loss", "multilabel_margin_loss",
    "multilabel_soft_margin_loss", "triplet_margin_with_distance_loss", "ctc_loss",
]


# ---------------------------------------------------------------- likelihood losses --------------
def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """0.5 (log max(var, eps) + (x - y)^2 / max(var, eps)) (+ 0.5 log(2 pi) when ``full``)."""
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = Tensor._wrap(xp_of(input.array).full(input.array.shape, var, dtype=input.array.dtype))
    else:
        fail_if((var.array < 0).any(), ValueError,
                f"gaussian_nll_loss: var has negative entry/entries (var {list(var.shape)})")
    ishape, vshape = tuple(input.shape), tuple(var.shape)
    if vshape != ishape:
        if ishape[:-1] == vshape:  # homoscedastic: one variance per row
            var = var.unsqueeze(-1)
        elif not (len(ishape) == len(vshape) and sum(v for i, v in zip(ishape, vshape) if i != v) == 1):
            raise ValueError(
                f"var is of incorrect size (gaussian_nll_loss: input {list(ishape)}, var {list(vshape)})"
            )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    var = _straight_clamp_min(var, eps)  # clamped in value, gradient of var unchanged (torch's no_grad clamp)
    diff = input - target
    loss = (var.log() + diff * diff / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """exp(x) - y x (log_input), else x - y log(x + eps); ``full`` adds Stirling's y log y - y + log(2 pi y)/2
    where y > 1."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target = autocast_args("poisson_nll_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target.array > 1
        y = where(big, target, 1.0)
        stirling = y * y.log() - y + (y * (2 * math.pi)).log() * 0.5
        loss = loss + where(big, stirling, 0.0)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- margin losses ------------------
def _long_target(op: str, target: Tensor) -> None:
    if target.array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected scalar type Long but found {target.dtype} (target {list(target.shape)})")


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """sum_{j != y} w[y] max(0, margin - x[y] + x[j])^p / C per sample (p = 1 or 2)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight = autocast_args("multi_margin_loss", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _long_target("multi_margin_loss", target)
    if input.ndim > 2 or input.numel() == 0 and input.ndim != 2:
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {list(input.shape)}"
        )
    unbatched = input.ndim < 2
    x = input.reshape((1, -1)) if unbatched else input
    n, c = x.shape
    if target.numel() != n or (not unbatched and target.ndim != 1) or target.ndim > 1:
        raise RuntimeError(
            f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples "
            f"(batch size). Expected target size [{n}], but got {list(target.shape)}. Input {list(input.shape)}"
        )
    if weight is not None and tuple(weight.shape) != (c,):
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    t = target.array.reshape(n, 1).astype(np.int64, copy=False)
    fail_if(((t < 0) | (t >= c)).any(), RuntimeError,
            f"multi_margin_loss: target out of range (classes 0..{c - 1}, input {list(input.shape)})")
    xp = xp_of(t)
    safe = xp.clip(t, 0, c - 1)
    x_y = Gather.apply(x, 1, safe)  # (N, 1)
    z = (x - x_y + margin).clamp(min=0)
    if p == 2:
        z = z * z
    z = where(xp.arange(c)[None, :] == safe, 0.0, z)
    if weight is not None:
        z = z * Gather.apply(weight, 0, safe.reshape(-1)).reshape((n, 1))
    loss = z.sum(1) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """sum_{j in targets} sum_{i not in targets} max(0, 1 - (x[y_j] - x[i])) / C; targets end at the first -1."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target = autocast_args("multilabel_margin_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _long_target("multilabel_margin_loss", target)
    if input.ndim > 2 or input.numel() == 0 and input.ndim != 2:
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {list(input.shape)}"
        )
    unbatched = input.ndim < 2
    x = input.reshape((1, -1)) if unbatched else input
    n, c = x.shape
    if tuple(target.shape) != tuple(input.shape) and not (input.ndim == 0 and target.numel() == 1):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    t = target.array.reshape(n, c).astype(np.int64, copy=False)
    xp = xp_of(t)
    valid = xp.cumprod(t != -1, axis=1).astype(bool)  # the targets before the first -1
    fail_if((valid & ((t < 0) | (t >= c))).any(), RuntimeError,
            f"multilabel_margin_loss: argument #2 'target' is out of range (classes 0..{c - 1}, "
            f"target {list(target.shape)})")
    safe = xp.where(valid, t, 0)
    is_target = ((safe[:, :, None] == xp.arange(c)[None, None, :]) & valid[:, :, None]).any(axis=1)  # (N, C)
    x_y = Gather.apply(x, 1, safe)  # (N, C): x[y_j]
    hinge = (x.unsqueeze(1) - x_y.unsqueeze(2) + 1.0).clamp(min=0)  # (N, j, i)
    keep = valid[:, :, None] & ~is_target[:, None, :]
    loss = where(keep, hinge, 0.0).sum((1, 2)) / c
    if unbatched:
        loss = loss.reshape(())
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                                reduce=None, reduction: str = "mean") -> Tensor:
    """-mean_c w_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c)) per sample."""
    from .activation import logsigmoid

    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.shape[class_dim]
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(reduction + " is not valid")
    return _reduce(loss, reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function=None, margin: float = 1.0, swap: bool = False,
                                      reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with any distance d (default: pairwise_distance); swap: min with d(p, n)."""
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, po, ne = anchor.ndim, positive.ndim, negative.ndim
    if not (a == po == ne):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {po}D, and negative {ne}D inputs"
        )
    dist = pairwise_distance if distance_function is None else distance_function
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = minimum(d_neg, dist(positive, negative))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)


# ---------------------------------------------------------------- CTC ----------------------------
def _shift(a, k: int, xp):
    """a shifted right by k along the last axis, -inf filled in."""
    out = xp.full(a.shape, -np.inf, dtype=a.dtype)
    if k < a.shape[-1]:
        out[..., k:] = a[..., :-k]
    return out


class CtcLoss(BuiltinOp):
    """-log p(target | log_probs) per sample, summed over all CTC alignments (blank-extended labels)."""

    @staticmethod
    def forward(ctx, log_probs, ext, skip, il, tl, zero_infinity):
        """log_probs (T, N, C); ext (N, L) the blank-extended labels; skip (N, L): may s come from s - 2;
        il, tl (N,) the input and target lengths."""
        lp = log_probs.array
        xp = xp_of(lp)
        n_t = lp.shape[0]
        n_b, n_l = ext.shape
        lpe = xp.take_along_axis(lp, xp.broadcast_to(ext[None], (n_t, n_b, n_l)), axis=2)  # (T, N, L)
        neg_inf = lp.dtype.type(-np.inf)
        with np.errstate(invalid="ignore", over="ignore"):
            alpha = xp.full((n_t, n_b, n_l), neg_inf, dtype=lp.dtype)
            alpha[0, :, :2] = lpe[0, :, :2]
            for t in range(1, n_t):
                prev = alpha[t - 1]
                step = xp.logaddexp(prev, _shift(prev, 1, xp))
                step = xp.logaddexp(step, xp.where(skip, _shift(prev, 2, xp), neg_inf)) + lpe[t]
                alpha[t] = xp.where((t < il)[:, None], step, prev)  # frozen past the input length
            rows = xp.arange(n_b)
            last = alpha[n_t - 1]
            end = last[rows, 2 * tl]
            end1 = xp.where(tl > 0, last[rows, xp.maximum(2 * tl - 1, 0)], neg_inf)
            ll = xp.logaddexp(end, end1)
            ll = xp.where(il == 0, xp.where(tl == 0, 0, neg_inf), ll).astype(lp.dtype, copy=False)
        nll = -ll
        ctx.keep = None
        if zero_infinity:
            ctx.keep = xp.isfinite(nll)
            nll = xp.where(ctx.keep, nll, 0).astype(lp.dtype, copy=False)
        ctx.alpha, ctx.lpe, ctx.ext, ctx.skip, ctx.il, ctx.tl, ctx.nll = alpha, lpe, ext, skip, il, tl, -ll
        ctx.n_classes = lp.shape[2]
        return nll

    @staticmethod
    def backward(ctx, g):
        """d nll_n / d lp[t, n, c] = -sum_{s: ext_s = c} alpha_t(s) beta_t(s) / (y_t(c) p_n) (beta: reverse pass)."""
        alpha, lpe, ext, skip, il, tl = ctx.alpha, ctx.lpe, ctx.ext, ctx.skip, ctx.il, ctx.tl
        xp = xp_of(alpha)
        n_t, n_b, n_l = alpha.shape
        neg_inf = alpha.dtype.type(-np.inf)
        pos = xp.arange(n_l)[None, :]
        ends = (pos == 2 * tl[:, None]) | ((pos == 2 * tl[:, None] - 1) & (tl[:, None] > 0))
        skip_from = xp.zeros_like(skip)  # may s go on to s + 2
        skip_from[:, :-2] = skip[:, 2:]
        with np.errstate(invalid="ignore", over="ignore"):
            beta = xp.full((n_b, n_l), neg_inf, dtype=alpha.dtype)
            coef = xp.empty_like(alpha)
            for t in range(n_t - 1, -1, -1):
                nxt = xp.logaddexp(beta, _left(beta, 1, xp))
                nxt = xp.logaddexp(nxt, xp.where(skip_from, _left(beta, 2, xp), neg_inf))
                start = xp.where(ends, lpe[t], neg_inf)
                tt = t == il - 1
                beta = xp.where(tt[:, None], start, xp.where((t < il - 1)[:, None], nxt + lpe[t], neg_inf))
                ab = xp.where(xp.isneginf(lpe[t]), neg_inf, alpha[t] + beta - lpe[t])
                coef[t] = -xp.exp(ab + ctx.nll[:, None])
        if ctx.keep is not None:
            coef = xp.where(ctx.keep[None, :, None], coef, 0)
        onehot = (ext[:, :, None] == xp.arange(ctx.n_classes)[None, None, :]).astype(alpha.dtype)
        grad = xp.matmul(coef.transpose(1, 0, 2), onehot).transpose(1, 0, 2)  # (T, N, C)
        return Tensor._wrap(xp.ascontiguousarray(grad)) * g.reshape((1, -1, 1)), None, None, None, None, None


def _left(a, k: int, xp):
    """a shifted left by k along the last axis, -inf filled in."""
    out = xp.full(a.shape, -np.inf, dtype=a.dtype)
    if k < a.shape[-1]:
        out[..., :-k] = a[..., k:]
    return out


def _lengths(op: str, name: str, lengths, xp, n: int):
    """Lengths as an int64 array on the log_probs' device; also the host copy when known without a sync."""
    if isinstance(lengths, Tensor):
        arr = lengths.array
        if arr.dtype.kind not in "iu":
            raise TypeError(f"{op}: {name} must be an integer tensor or a tuple of ints, got {lengths.dtype}")
        host = None if is_cupy_array(arr) else np.asarray(arr).reshape(-1)
        arr = xp.asarray(arr).reshape(-1).astype(np.int64, copy=False)
    else:
        host = np.asarray(lengths, dtype=np.int64).reshape(-1)
        arr = xp.asarray(host)
    if arr.shape[0] != n:
        raise RuntimeError(f"{name} must be of size batch_size ({op}: got {arr.shape[0]} lengths for batch {n})")
    return arr, host


def _check_lengths(name: str, arr, host, limit: int | None, what: str) -> None:
    if host is not None:
        if host.size and host.min() < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value {int(host.min())} (ctc_loss)")
        if limit is not None and host.size and host.max() > limit:
            raise RuntimeError(
                f"Expected {name} to have value at most {limit}, but got value {int(host.max())} ({what})"
            )
        return
    fail_if((arr < 0).any(), RuntimeError, f"ctc_loss: Expected {name} to have value at least 0")
    if limit is not None:
        fail_if((arr > limit).any(), RuntimeError, f"ctc_loss: Expected {name} to have value at most {limit} ({what})")


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """-log sum over alignments of prod_t y_t(pi_t) (Connectionist Temporal Classification).

    log_probs (T, N, C) (or (T, C) unbatched); targets padded (N, S) or concatenated (sum of target
    lengths,); 'mean' divides each loss by its target length, then averages over the batch.
    """
    _check_reduction(reduction)
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor) or isinstance(input_lengths, int):
        raise TypeError(
            "ctc_loss(): input_lengths and target_lengths must both be Tensors or both be tuples of ints, got "
            f"{type(input_lengths).__name__} and {type(target_lengths).__name__}"
        )
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    if lp.ndim != 3:
        raise RuntimeError(
            f"Expected 3-dimensional tensor, but got {log_probs.ndim}-dimensional tensor for argument #1 "
            f"'log_probs' (ctc_loss: log_probs {list(log_probs.shape)})"
        )
    n_t, n_b, n_c = lp.shape
    if not 0 <= blank < n_c:
        raise RuntimeError(f"blank must be in label range (ctc_loss: blank {blank}, {n_c} classes)")
    xp = xp_of(lp.array)
    tg = targets.array
    tg = xp.asarray(tg).astype(np.int64, copy=False)
    if unbatched:
        tg = tg.reshape(1, -1)
    il, il_host = _lengths("ctc_loss", "input_lengths", input_lengths, xp, n_b)
    tl, tl_host = _lengths("ctc_loss", "target_lengths", target_lengths, xp, n_b)
    _check_lengths("input_lengths", il, il_host, n_t, "the number of time steps")
    if unbatched or tg.ndim == 2:
        width = tg.shape[1]
        if tg.shape[0] != n_b:
            raise RuntimeError(
                f"Expected tensor to have size {n_b} at dimension 0, but got size {tg.shape[0]} for argument #2 "
                f"'targets' (ctc_loss)"
            )
        if tl_host is not None and tl_host.size and tl_host.max() > width:
            raise RuntimeError(
                f"Expected tensor to have size at least {int(tl_host.max())} at dimension 1, but got size {width} "
                f"for argument #2 'targets' (ctc_loss)"
            )
        _check_lengths("target_lengths", tl, tl_host, width, "the targets' width")
        padded = tg
    elif tg.ndim == 1:
        _check_lengths("target_lengths", tl, tl_host, None, "")
        total = tg.shape[0]
        if tl_host is not None and int(tl_host.sum()) != total:
            raise RuntimeError(
                f"Expected tensor to have size {int(tl_host.sum())} at dimension 0, but got size {total} for "
                f"argument #2 'targets' (ctc_loss: the concatenated targets must hold sum(target_lengths))"
            )
        # the padded width: the longest target when known on the host, else the total (no GPU sync)
        width = int(tl_host.max()) if tl_host is not None and tl_host.size else total
        offsets = xp.cumsum(tl) - tl
        idx = offsets[:, None] + xp.arange(width)[None, :]
        padded = tg[xp.clip(idx, 0, max(total - 1, 0))] if total else xp.zeros((n_b, width), dtype=np.int64)
    else:
        raise RuntimeError(f"ctc_loss: targets must be 1-D or 2-D, got {list(targets.shape)}")
    pos = xp.arange(width)[None, :]
    padded = xp.where(pos < tl[:, None], padded, blank)
    fail_if(((padded < 0) | (padded >= n_c)).any(), IndexError,
            f"ctc_loss: target labels must be in [0, {n_c}) (log_probs {list(log_probs.shape)})")
    ext = xp.full((n_b, 2 * width + 1), blank, dtype=np.int64)
    ext[:, 1::2] = padded
    skip = xp.zeros(ext.shape, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    nll = CtcLoss.apply(lp, ext, skip, il, tl, bool(zero_infinity))
    if unbatched:
        nll = nll.reshape(())
    if reduction == "mean":
        denom = xp.maximum(tl, 1).astype(lp.array.dtype).reshape(nll.shape)
        return (nll / Tensor._wrap(denom)).mean()
    return _reduce(nll, reduction)
