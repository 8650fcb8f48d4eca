"""nn.functional: loss functions, each with ``reduction='mean'|'sum'|'none'`` and PyTorch's edge semantics.

cross_entropy, nll_loss, binary_cross_entropy and binary_cross_entropy_with_logits are fused
Functions (one forward on arrays, an analytic backward written with Tensor ops); the others are
short composites of differentiable ops.
"""
from __future__ import annotations

import warnings

import numpy as np

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...autograd.function import BuiltinOp
from ...autograd.grad_mode import _GradState
from ...backend import is_cupy_array, xp_of
from ...backend.checks import fail_if
from ...ops.elementwise import minimum, where
from ...ops.reduction import norm
from ...tensor import Tensor

__all__ = [
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "cosine_similarity",
    "pairwise_distance", "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "triplet_margin_loss", "soft_margin_loss",
]

_REDUCTIONS = ("mean", "sum", "none")


# ---------------------------------------------------------------- reduction helpers --------------
def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """Map the deprecated ``size_average``/``reduce`` flags onto ``reduction`` as PyTorch does."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction='mean'/'sum'/'none' instead.",
        UserWarning, stacklevel=3,
    )
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check_reduction(reduction: str, allowed=_REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _warn_size(op: str, input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(
            f"{op}: Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=3,
        )


def _weighted(loss: Tensor, weight, input: Tensor) -> Tensor:
    if weight is None:
        return loss
    if tuple(weight.shape) != tuple(input.shape):
        raise ValueError(
            f"Weights and input must have the same size. (weight {list(weight.shape)}, input {list(input.shape)})"
        )
    return loss * weight


def _reduce_weighted(loss: Tensor, weight, reduction: str) -> Tensor:
    """mse/l1 with a weight: 'mean' divides by the summed weight (PyTorch 2.13)."""
    if weight is not None and reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- regression losses --------------
def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight: Tensor | None = None) -> Tensor:
    """mean((x - y)^2) (or sum / elementwise)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight = autocast_args("mse_loss", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size("mse_loss", input, target)
    if input.array.dtype.kind == "c" or getattr(getattr(target, "array", None), "dtype", input.array.dtype).kind == "c":
        from ...ops.comparison import complex_not_implemented  # torch has no complex mse kernel

        dev = "cpu" if input.device.type == "cpu" else "cuda"
        raise complex_not_implemented(f"mse_{dev}", input.array, target.array)
    diff = input - target
    return _reduce_weighted(_weighted(diff * diff, weight, input), weight, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight: Tensor | None = None) -> Tensor:
    """mean(|x - y|)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight = autocast_args("l1_loss", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size("l1_loss", input, target)
    return _reduce_weighted(_weighted((input - target).abs(), weight, input), weight, reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, |d| - beta/2 elsewhere (d = x - y; plain L1 when beta = 0)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target = autocast_args("smooth_l1_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta (got {beta}).")
    _warn_size("smooth_l1_loss", input, target)
    diff = input - target
    if beta == 0:
        return _reduce(diff.abs(), reduction)
    small = xp_of(diff.array).abs(diff.array) < beta
    loss = where(small, diff * diff * (0.5 / beta), diff.abs() - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, delta (|d| - delta/2) elsewhere (d = x - y)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight = autocast_args("huber_loss", input, target, weight)
    _check_reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta (got {delta}).")
    _warn_size("huber_loss", input, target)
    diff = input - target
    small = xp_of(diff.array).abs(diff.array) < delta
    loss = where(small, diff * diff * 0.5, (diff.abs() - 0.5 * delta) * delta)
    return _reduce(_weighted(loss, weight, input), reduction)


# ---------------------------------------------------------------- classification (fused) ---------
def _classes_last(arr, xp):
    """(N, C, d1..dk) -> (N*d1*..*dk, C); (N, C) stays; (C,) -> (1, C)."""
    if arr.ndim == 1:
        return arr.reshape(1, -1)
    if arr.ndim == 2:
        return arr
    return xp.moveaxis(arr, 1, -1).reshape(-1, arr.shape[1])


def _classes_back(g: Tensor, shape: tuple) -> Tensor:
    """The inverse of ``_classes_last`` on a Tensor (differentiable)."""
    if len(shape) == 1:
        return g.reshape(shape)
    if len(shape) == 2:
        return g
    moved = (shape[0],) + tuple(shape[2:]) + (shape[1],)
    return g.reshape(moved).movedim(-1, 1)


_CLASS_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))


def _check_class_target(op: str, input: Tensor, target: Tensor, weight) -> None:
    """Shapes and dtype of class-index targets, as PyTorch checks them."""
    ishape, tshape = tuple(input.shape), tuple(target.shape)
    if target.array.dtype not in _CLASS_TARGET_DTYPES:  # torch: int32/int16/bool/float class targets raise
        names = {"int32": "Int", "int16": "Short", "int8": "Char", "bool": "Bool", "float16": "Half",
                 "float32": "Float", "float64": "Double"}
        raise RuntimeError(
            f"{op}: expected target dtype to be Long or Byte, but got {names.get(target.dtype.name, target.dtype)} "
            f"(input {list(ishape)}, target {list(tshape)})"
        )
    if input.ndim == 0:
        raise ValueError(f"{op}: Expected 1 or more dimensions (got 0)")
    if input.ndim == 1:
        if target.ndim != 0:
            raise RuntimeError(
                f"{op}: 0D target tensor expected for a 1D input of shape {list(ishape)}, "
                f"got target {list(tshape)}"
            )
    else:
        if target.ndim >= 1 and tshape[0] != ishape[0]:
            raise ValueError(f"Expected input batch_size ({ishape[0]}) to match target batch_size ({tshape[0]}).")
        if tshape != (ishape[0],) + ishape[2:]:
            raise RuntimeError(
                f"{op}: expected target of shape {[ishape[0], *ishape[2:]]} for input of shape {list(ishape)}, "
                f"got {list(tshape)}"
            )
    n_classes = ishape[0] if input.ndim == 1 else ishape[1]
    if weight is not None and tuple(weight.shape) != (n_classes,):
        raise RuntimeError(
            f"{op}: weight tensor should be defined either for all {n_classes} classes or no classes but "
            f"got weight tensor of shape: {list(weight.shape)}"
        )


def _class_parts(t, n_classes: int, weight, ignore_index: int, smoothing: float, dtype):
    """The loss coefficients A (M, C), loss_i = -sum_c A_ic logp_ic, for class-index targets t (M,).

    A_ic = (1 - eps) w[t_i] [c = t_i] + eps/C w[c], zero on ignored rows, kept in parts: ``safe``
    (t with ignored rows sent to class 0), ``w1`` = (1 - eps) w[t_i] (0 on ignored rows) and the dense
    smoothing term (None when eps = 0). ``w1`` is None when it is all ones (no weight, nothing ignored, no
    smoothing). Also returns the 'mean' denominator: the summed weight of the non-ignored targets (a Python
    int when every row counts once).
    """
    xp = xp_of(t)
    if is_cupy_array(t):  # no host sync on the GPU: always mask ignored rows, check the range on the device
        valid = t != ignore_index
        fail_if((valid & ((t < 0) | (t >= n_classes))).any(), IndexError,
                f"Target out of bounds: class indices must be in [0, {n_classes}).")
    else:
        in_range = t.size == 0 or (int(t.min()) >= 0 and int(t.max()) < n_classes)
        valid = None if in_range and not 0 <= ignore_index < n_classes else t != ignore_index
        if not in_range:
            bad = valid & ((t < 0) | (t >= n_classes))
            if bool(bad.any()):
                raise IndexError(f"Target {int(t[bad][0])} is out of bounds.")
    if valid is None and weight is None and smoothing == 0:  # the common case: every row counts once
        return t, None, None, t.shape[0]
    safe = t if valid is None else xp.where(valid, t, 0)
    w_t = weight[safe] if weight is not None else xp.ones(t.shape, dtype=dtype)
    if valid is not None:
        w_t = w_t * valid
    w_t = w_t.astype(dtype, copy=False)
    smooth = None
    if smoothing > 0:
        w_row = weight if weight is not None else xp.ones(n_classes, dtype=dtype)
        keep = xp.ones((t.shape[0], 1), dtype=dtype) if valid is None else valid[:, None].astype(dtype)
        smooth = ((smoothing / n_classes) * keep * w_row[None, :]).astype(dtype, copy=False)
    w1 = w_t * (1.0 - smoothing) if smoothing > 0 else w_t
    return safe, w1.astype(dtype, copy=False), smooth, w_t.sum()


def _dense(parts, n_classes: int, dtype):
    """The coefficient matrix A from its parts (see ``_class_parts``)."""
    safe, w1, smooth = parts
    xp = xp_of(safe)
    coeffs = xp.zeros((safe.shape[0], n_classes), dtype=dtype) if smooth is None else smooth.copy()
    coeffs[xp.arange(safe.shape[0]), safe] += 1 if w1 is None else w1
    return coeffs


def _mean_scale(denom, dtype):
    """1 / denom in ``dtype``; denom is a positive Python int when no row can be ignored or weighted."""
    if type(denom) is int:
        return dtype.type(1 / denom)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1 / denom).astype(dtype)


def _scaled_mean(xp, total, scale, dtype, denom):
    """The 'mean' reduction's result; when every target was ignored, 0 * inf is nan silently, as in torch."""
    if type(denom) is int:
        return xp.asarray(total * scale, dtype=dtype)
    with np.errstate(invalid="ignore"):
        return xp.asarray(total * scale, dtype=dtype)


class CrossEntropy(BuiltinOp):
    """log_softmax over the class dim and the (weighted, smoothed) negative log-likelihood in one op."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction, smoothing):
        arr = x.array
        xp = xp_of(arr)
        z = _classes_last(arr, xp)
        n_classes = z.shape[1]
        shifted = z - z.max(axis=1, keepdims=True)
        logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
        t = target.array
        w = None if weight is None else weight.array.astype(arr.dtype, copy=False)
        prob = t.dtype.kind == "f"
        if prob:
            tm = _classes_last(t, xp)
            coeffs = tm * (1.0 - smoothing) + smoothing / n_classes if smoothing > 0 else tm
            if w is not None:
                coeffs = coeffs * w
            coeffs = coeffs.astype(arr.dtype, copy=False)
            per_row = -(coeffs * logp).sum(axis=1)
            ctx.parts = None
            denom = xp.asarray(z.shape[0], dtype=arr.dtype)
        else:
            safe, w1, smooth, denom = _class_parts(t.reshape(-1), n_classes, w, ignore_index, smoothing, arr.dtype)
            picked = logp[xp.arange(safe.shape[0]), safe]
            per_row = -picked if w1 is None else -(w1 * picked)
            if smooth is not None:
                per_row -= (smooth * logp).sum(axis=1)
            ctx.parts = (safe, w1, smooth)
            coeffs = None
        ctx.save_for_backward(x, target)
        ctx.logp, ctx.coeffs, ctx.w, ctx.prob = logp, coeffs, w, prob
        ctx.reduction, ctx.smoothing, ctx.in_shape = reduction, smoothing, arr.shape
        ctx.scale = None
        if reduction == "none":
            loss_shape = t.shape if not prob else (arr.shape[:1] + arr.shape[2:] if arr.ndim > 1 else ())
            return per_row.reshape(loss_shape)
        total = per_row.sum()
        if reduction == "sum":
            return xp.asarray(total, dtype=arr.dtype)
        ctx.scale = _mean_scale(denom, arr.dtype)
        return _scaled_mean(xp, total, ctx.scale, arr.dtype, denom)

    @staticmethod
    def backward(ctx, g):
        """d/dz = g * (softmax(z) * sum_c A_c - A); d/dtarget = -g (1 - eps) w logp (probability targets)."""
        x, target = ctx.saved_tensors
        n_classes = ctx.in_shape[0] if len(ctx.in_shape) == 1 else ctx.in_shape[1]
        dtype = ctx.logp.dtype
        nx, nt = ctx.needs_input_grad[:2]
        if not _GradState.enabled:  # plain backward: all on arrays
            ga = g.array if ctx.scale is None else g.array * ctx.scale
            col = ga.reshape(-1, 1) if ctx.reduction == "none" else ga
            gx = gt = None
            if nx:
                xp = xp_of(ctx.logp)
                dz = xp.exp(ctx.logp)
                if ctx.parts is None:
                    dz *= ctx.coeffs.sum(axis=1, keepdims=True)
                    dz -= ctx.coeffs
                else:
                    safe, w1, smooth = ctx.parts
                    if w1 is not None:
                        dz *= (w1 if smooth is None else w1 + smooth.sum(axis=1))[:, None]
                    dz[xp.arange(safe.shape[0]), safe] -= 1 if w1 is None else w1
                    if smooth is not None:
                        dz -= smooth
                dz *= col
                gx = _classes_back(Tensor._wrap(dz.astype(dtype, copy=False)), ctx.in_shape)
            if nt:
                wl = ctx.logp * (-(1.0 - ctx.smoothing)) * col
                if ctx.w is not None:
                    wl = wl * ctx.w
                gt = _classes_back(Tensor._wrap(wl.astype(dtype, copy=False)), ctx.in_shape)
            return gx, gt, None, None, None, None
        # create_graph: the same formulas with differentiable ops of x, target and g
        gcol = g.reshape((-1, 1)) if ctx.reduction == "none" else g
        if ctx.scale is not None:
            gcol = gcol * ctx.scale
        logp = _classes_back_inv(x).log_softmax(dim=1)
        if ctx.parts is not None:
            coeffs = Tensor._wrap(_dense(ctx.parts, n_classes, dtype))
        elif target.requires_grad:
            tm = _classes_back_inv(target)
            coeffs = tm * (1.0 - ctx.smoothing) + ctx.smoothing / n_classes
            if ctx.w is not None:
                coeffs = coeffs * ctx.w
        else:
            coeffs = Tensor._wrap(ctx.coeffs)
        gx = gt = None
        if nx:
            gx = _classes_back(gcol * (logp.exp() * coeffs.sum(1, keepdim=True) - coeffs), ctx.in_shape)
        if nt:
            wl = logp * (-(1.0 - ctx.smoothing))
            if ctx.w is not None:
                wl = wl * ctx.w
            gt = _classes_back(gcol * wl, ctx.in_shape)
        return gx, gt, None, None, None, None


def _classes_back_inv(x: Tensor) -> Tensor:
    """``_classes_last`` on a Tensor (differentiable)."""
    if x.ndim == 1:
        return x.reshape((1, -1))
    if x.ndim == 2:
        return x
    return x.movedim(1, -1).reshape((-1, x.shape[1]))


class NllLoss(BuiltinOp):
    """-w[t] * input[t] per sample: the loss on log-probabilities."""

    @staticmethod
    def forward(ctx, x, target, weight, ignore_index, reduction):
        arr = x.array
        xp = xp_of(arr)
        z = _classes_last(arr, xp)
        w = None if weight is None else weight.array.astype(arr.dtype, copy=False)
        safe, w1, _, denom = _class_parts(target.array.reshape(-1), z.shape[1], w, ignore_index, 0.0, arr.dtype)
        picked = z[xp.arange(safe.shape[0]), safe]
        per_row = -picked if w1 is None else -(w1 * picked)
        ctx.parts, ctx.reduction, ctx.in_shape, ctx.dtype = (safe, w1, None), reduction, arr.shape, arr.dtype
        ctx.scale = None
        if reduction == "none":
            return per_row.reshape(target.array.shape)
        total = per_row.sum()
        if reduction == "sum":
            return xp.asarray(total, dtype=arr.dtype)
        ctx.scale = _mean_scale(denom, arr.dtype)
        return _scaled_mean(xp, total, ctx.scale, arr.dtype, denom)

    @staticmethod
    def backward(ctx, g):
        """d/dinput = -g * A (A: the weight at the target class, 0 elsewhere and on ignored rows)."""
        gcol = g.reshape((-1, 1)) if ctx.reduction == "none" else g
        if ctx.scale is not None:
            gcol = gcol * ctx.scale
        n_classes = ctx.in_shape[0] if len(ctx.in_shape) == 1 else ctx.in_shape[1]
        coeffs = _dense(ctx.parts, n_classes, ctx.dtype)
        return _classes_back(gcol * Tensor._wrap(-coeffs), ctx.in_shape), None, None, None, None


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """-sum_c q_c log softmax(x)_c with q the (smoothed) one-hot or probability target; classes in dim 1."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight = autocast_args("cross_entropy", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if target.array.dtype.kind == "f" and tuple(target.shape) == tuple(input.shape):
        if target.array.dtype != input.array.dtype:
            raise RuntimeError(
                f"cross_entropy: expected probability target of dtype {input.dtype}, got {target.dtype}"
            )
        n_classes = input.shape[0] if input.ndim == 1 else input.shape[1]
        if weight is not None and tuple(weight.shape) != (n_classes,):
            raise RuntimeError(
                f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or no "
                f"classes but got weight tensor of shape: {list(weight.shape)}"
            )
    else:
        _check_class_target("cross_entropy", input, target, weight)
    return CrossEntropy.apply(input, target, weight, ignore_index, reduction, float(label_smoothing))


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """-w[t] input[t] per sample (input: log-probabilities, classes in dim 1)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight = autocast_args("nll_loss", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_class_target("nll_loss", input, target, weight)
    return NllLoss.apply(input, target, weight, ignore_index, reduction)


# ---------------------------------------------------------------- binary classification ----------
class BinaryCrossEntropy(BuiltinOp):
    @staticmethod
    def forward(ctx, x, t):
        ctx.save_for_backward(x, t)
        xa, ta = x.array, t.array
        xp = xp_of(xa)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_x = xp.maximum(xp.log(xa), -100)
            log_1mx = xp.maximum(xp.log1p(-xa), -100)
        return (-(ta * log_x + (1 - ta) * log_1mx)).astype(xa.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """dx = g (x - t) / max(x (1 - x), 1e-12); dt = g (log(1 - x) - log x), logs clamped at -100."""
        x, t = ctx.saved_tensors
        nx, nt = ctx.needs_input_grad
        gx = gt = None
        if nx:
            gx = g * (x - t) / (x * (1 - x)).clamp(min=1e-12)
        if nt:
            gt = g * ((1 - x).log().clamp(min=-100) - x.log().clamp(min=-100))
        return gx, gt


class BinaryCrossEntropyWithLogits(BuiltinOp):
    @staticmethod
    def forward(ctx, x, t, pos_weight):
        ctx.save_for_backward(x, t)
        xa, ta = x.array, t.array
        xp = xp_of(xa)
        pw = None if pos_weight is None else pos_weight.array.astype(xa.dtype, copy=False)
        ctx.pw = pw
        softplus_neg = xp.log1p(xp.exp(-xp.abs(xa))) + xp.maximum(-xa, 0)  # log(1 + e^{-x}), stable
        lw = 1 if pw is None else 1 + (pw - 1) * ta
        return ((1 - ta) * xa + lw * softplus_neg).astype(xa.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """dx = g ((1 + (pw-1) t) sigmoid(x) - pw t); dt = g ((pw - 1) softplus(-x) - x)."""
        x, t = ctx.saved_tensors
        pw = ctx.pw
        nx, nt = ctx.needs_input_grad[:2]
        gx = gt = None
        if nx:
            s = x.sigmoid()
            gx = g * (s - t) if pw is None else g * ((t * (pw - 1) + 1) * s - t * pw)
        if nt:
            if pw is None:
                gt = -g * x
            else:
                from .activation import softplus

                gt = g * (softplus(-x) * (pw - 1) - x)
        return gx, gt, None


def _bce_weight(weight, input: Tensor):
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        try:
            np.broadcast_shapes(tuple(weight.shape), tuple(input.shape))
        except ValueError:
            raise RuntimeError(
                f"binary_cross_entropy: weight of shape {list(weight.shape)} cannot be broadcast to the "
                f"input's {list(input.shape)}"
            ) from None
    return weight


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """-w (t log x + (1 - t) log(1 - x)), each log clamped at -100 as PyTorch does."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight = autocast_args("binary_cross_entropy", input, target, weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size."
        )
    xa, ta = input.array, target.array
    fail_if(((xa < 0) | (xa > 1)).any(), RuntimeError,
            f"binary_cross_entropy: all elements of input should be between 0 and 1 (input {list(input.shape)})")
    fail_if(((ta < 0) | (ta > 1)).any(), RuntimeError,
            f"binary_cross_entropy: all elements of target should be between 0 and 1 (target {list(target.shape)})")
    loss = BinaryCrossEntropy.apply(input, target)
    loss = loss if weight is None else loss * _bce_weight(weight, input)
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """w [(1 - t) x + (1 + (pw - 1) t) log(1 + e^{-x})], computed without overflow."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target, weight, pos_weight = autocast_args(
            "binary_cross_entropy_with_logits", input, target, weight, pos_weight)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    loss = BinaryCrossEntropyWithLogits.apply(input, target, pos_weight)
    loss = loss if weight is None else loss * _bce_weight(weight, input)
    return _reduce(loss, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                     reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x))."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target = autocast_args("soft_margin_loss", input, target)
    from .activation import softplus

    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _reduce(softplus(-target * input), reduction)


# ---------------------------------------------------------------- distribution / embedding losses -
def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """target * (log target - input) (input: log-probabilities); exp(t) (t - input) when log_target."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target = autocast_args("kl_div", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    if log_target:
        loss = target.exp() * (target - input)
    else:
        zero = target.array == 0
        safe = where(zero, 1.0, target)
        loss = where(zero, 0.0, target * safe.log()) - target * input
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support size."
            "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
            "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
            UserWarning, stacklevel=2,
        )
    return _reduce(loss, reduction)


def _straight_clamp_min(n: Tensor, eps: float) -> Tensor:
    """max(n, eps) in value, but with the gradient of n (PyTorch clamps the norm under no_grad)."""
    arr = n.array
    lifted = xp_of(arr).maximum(arr, eps) - arr
    return n + Tensor._wrap(lifted.astype(arr.dtype, copy=False))


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 x2) / (max(||x1||, eps) max(||x2||, eps)) along ``dim`` (inputs broadcast)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        x1, x2 = autocast_args("cosine_similarity", x1, x2)
    try:
        shape = np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    except ValueError:
        raise RuntimeError(
            f"cosine_similarity: x1 {list(x1.shape)} and x2 {list(x2.shape)} are not broadcastable"
        ) from None
    if tuple(x1.shape) != shape:
        x1 = x1.expand(shape)
    if tuple(x2.shape) != shape:
        x2 = x2.expand(shape)
    n1 = _straight_clamp_min(norm(x1, 2, dim=dim, keepdim=True), eps)
    n2 = _straight_clamp_min(norm(x2, 2, dim=dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim."""
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        return diff.abs()
    return norm(diff, p, dim=-1, keepdim=keepdim)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input1, input2, target = autocast_args("cosine_embedding_loss", input1, input2, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.ndim not in (1, 2) or tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(
            f"cosine_embedding_loss: expected 1D or 2D inputs of equal shape, got {list(input1.shape)} "
            f"and {list(input2.shape)}"
        )
    dim = 1 if input1.ndim == 2 else 0
    expected = (input1.shape[0],) if input1.ndim == 2 else ()
    if tuple(target.shape) != expected:
        raise RuntimeError(
            f"cosine_embedding_loss: target of shape {list(target.shape)} does not match the inputs "
            f"{list(input1.shape)} (expected {list(expected)})"
        )
    eps = 1e-12
    prod = (input1 * input2).sum(dim)
    mag = ((input1 * input1).sum(dim) + eps) * ((input2 * input2).sum(dim) + eps)
    cos = prod / mag.sqrt()
    t = target.array
    loss = where(t == 1, 1 - cos, 0.0) + where(t == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input1, input2, target = autocast_args("margin_ranking_loss", input1, input2, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """x where y = 1, max(0, margin - x) where y = -1."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, target = autocast_args("hinge_embedding_loss", input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    t = target.array
    loss = where(t != 1, (margin - input).clamp(min=0), 0.0) + where(t != -1, input, 0.0)
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0) with d the p-norm pairwise distance (swap: min with d(p, n))."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        anchor, positive, negative = autocast_args("triplet_margin_loss", anchor, positive, negative)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    a, po, ne = anchor.ndim, positive.ndim, negative.ndim
    if not (a == po == ne):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {po}D, and negative {ne}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction)
