"""torch's top-level copies of the ``nn.functional`` ops (``torch.conv2d``, ``torch.batch_norm``, ``torch.lstm``...).

PyTorch exposes the ATen operators behind ``F.*`` at the top level, with **ATen's** positional signatures, which
differ from F's: ``torch.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps,
cudnn_enabled)``, ``torch.dropout(input, p, train)`` (``train`` required), losses with an integer ``reduction``
(0 none, 1 mean, 2 sum; left out it is 0, i.e. no reduction: torch 2.13's Python binding of these ops reads
ATen's ``Mean`` default as 0, and this module returns what torch returns), ``native_*`` ops returning tuples
with their saved statistics. Each function here takes torch's top-level signature and calls minitorch's ``F``
op (so forward and backward are the ones tested there); ``nn.functional`` is imported on first call so
``import minitorch`` stays fast. ``cudnn_enabled`` and similar backend switches are accepted and ignored (there
is no cuDNN here).
"""
from __future__ import annotations

import importlib
from collections.abc import Sequence

import numpy as np

from .backend import xp_of
from .backend.random import rng_for
from .tensor import Tensor

__all__ = [
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "affine_grid_generator", "alpha_dropout", "alpha_dropout_",
    "avg_pool1d", "batch_norm", "bilinear", "binary_cross_entropy_with_logits", "celu", "celu_", "channel_shuffle",
    "constant_pad_nd", "conv1d", "conv2d", "conv3d", "conv_tbc", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "convolution", "cosine_embedding_loss", "cosine_similarity", "ctc_loss", "dropout",
    "dropout_", "embedding", "embedding_bag", "embedding_renorm_", "feature_alpha_dropout",
    "feature_alpha_dropout_", "feature_dropout", "feature_dropout_", "grid_sampler", "grid_sampler_2d",
    "grid_sampler_3d", "group_norm", "gru", "gru_cell", "hardshrink", "hinge_embedding_loss", "instance_norm",
    "kl_div", "layer_norm", "lstm", "lstm_cell", "margin_ranking_loss", "max_pool1d", "max_pool1d_with_indices",
    "max_pool2d", "max_pool3d", "native_batch_norm", "native_channel_shuffle", "native_dropout",
    "native_group_norm", "native_layer_norm", "pairwise_distance", "pdist", "pixel_shuffle", "pixel_unshuffle",
    "poisson_nll_loss", "prelu", "relu_", "rms_norm", "rnn_relu", "rnn_relu_cell", "rnn_tanh", "rnn_tanh_cell",
    "rrelu", "rrelu_", "selu", "selu_", "threshold", "threshold_", "triplet_margin_loss",
]

_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _F():
    """``minitorch.nn.functional``, imported on first use (it pulls in all of ``nn``)."""
    return importlib.import_module("minitorch.nn.functional")


def _reduction(reduction: int) -> str:
    """ATen's integer reduction (``torch.nn._reduction``: 0 none, 1 mean, 2 sum) as F's string."""
    if isinstance(reduction, str):
        return reduction
    try:
        return _REDUCTIONS[int(reduction)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def _reduce(loss: Tensor, reduction: int) -> Tensor:
    red = _reduction(reduction)
    return loss if red == "none" else (loss.mean() if red == "mean" else loss.sum())


def _tuple_arg(value, n: int):
    """ATen's int[n] argument: one number is repeated, a list of length n is kept (F takes both)."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return int(value[0])
        return tuple(int(v) for v in value)
    return value


def _stride(stride):
    """ATen pools spell "stride = kernel_size" as an empty list; F spells it None."""
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        return None
    return _tuple_arg(stride, 0)


# ---------------------------------------------------------------- convolutions -----------------------------
def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """``torch.conv1d``: F.conv1d (same positional order; ``padding`` may be 'valid' / 'same')."""
    return _F().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """``torch.conv2d``: F.conv2d."""
    return _F().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """``torch.conv3d``: F.conv3d."""
    return _F().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """``torch.conv_transpose1d``: F.conv_transpose1d."""
    return _F().conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """``torch.conv_transpose2d``: F.conv_transpose2d."""
    return _F().conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """``torch.conv_transpose3d``: F.conv_transpose3d."""
    return _F().conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation)


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride, padding, dilation, transposed: bool,
                output_padding, groups: int) -> Tensor:
    """``torch.convolution``: the generic ATen convolution; the spatial rank is ``weight.dim() - 2``."""
    nd = weight.dim() - 2
    if nd not in (1, 2, 3):
        raise RuntimeError(f"convolution: expected a 3-D, 4-D or 5-D weight, got {weight.dim()}-D "
                           f"{list(weight.shape)}")
    F = _F()
    stride, padding, dilation = (_tuple_arg(v, nd) for v in (stride, padding, dilation))
    if transposed:
        op = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[nd - 1]
        return op(input, weight, bias, stride, padding, _tuple_arg(output_padding, nd), groups, dilation)
    op = (F.conv1d, F.conv2d, F.conv3d)[nd - 1]
    return op(input, weight, bias, stride, padding, dilation, groups)


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """``torch.conv_tbc``: 1-D convolution in (time, batch, channel) layout; weight (kernel, C_in, C_out).

    out[t, b, o] = bias[o] + sum_{k, c} input[t + k - pad, b, c] weight[k, c, o]: conv1d on the permuted
    tensors (its backward is conv1d's)."""
    if input.dim() != 3:
        raise RuntimeError(f"Input must have 3 dims: time, batch, in_channel (got {input.dim()})")
    if weight.dim() != 3:
        raise RuntimeError(f"Weight tensor must have 3 dims: kernel_width, in_channels, out_channels "
                           f"(got {weight.dim()})")
    if bias.dim() != 1:
        raise RuntimeError(f"Bias must be 1-D (got {bias.dim()})")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if weight.shape[2] != bias.shape[0]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    out = _F().conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, 1, int(pad))
    return out.permute(2, 0, 1)


# ---------------------------------------------------------------- pooling ----------------------------------
def avg_pool1d(input: Tensor, kernel_size, stride=(), padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """``torch.avg_pool1d`` (stride ``[]`` = kernel_size)."""
    return _F().avg_pool1d(input, _tuple_arg(kernel_size, 1), _stride(stride), _tuple_arg(padding, 1), ceil_mode,
                           count_include_pad)


def max_pool1d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    """``torch.max_pool1d`` (no ``return_indices``: see ``max_pool1d_with_indices``)."""
    return _F().max_pool1d(input, _tuple_arg(kernel_size, 1), _stride(stride), _tuple_arg(padding, 1),
                           _tuple_arg(dilation, 1), ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size, stride=(), padding=0, dilation=1,
                            ceil_mode: bool = False) -> tuple[Tensor, Tensor]:
    """``torch.max_pool1d_with_indices``: (values, int64 indices into the last dim)."""
    return tuple(_F().max_pool1d(input, _tuple_arg(kernel_size, 1), _stride(stride), _tuple_arg(padding, 1),
                                 _tuple_arg(dilation, 1), ceil_mode, True))


def max_pool2d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    """``torch.max_pool2d``."""
    return _F().max_pool2d(input, _tuple_arg(kernel_size, 2), _stride(stride), _tuple_arg(padding, 2),
                           _tuple_arg(dilation, 2), ceil_mode)


def max_pool3d(input: Tensor, kernel_size, stride=(), padding=0, dilation=1, ceil_mode: bool = False) -> Tensor:
    """``torch.max_pool3d``."""
    return _F().max_pool3d(input, _tuple_arg(kernel_size, 3), _stride(stride), _tuple_arg(padding, 3),
                           _tuple_arg(dilation, 3), ceil_mode)


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    """``torch.adaptive_avg_pool1d``."""
    return _F().adaptive_avg_pool1d(input, _tuple_arg(output_size, 1))


def adaptive_max_pool1d(input: Tensor, output_size) -> tuple[Tensor, Tensor]:
    """``torch.adaptive_max_pool1d``: always (values, indices), as ATen's op."""
    return tuple(_F().adaptive_max_pool1d(input, _tuple_arg(output_size, 1), True))


# ---------------------------------------------------------------- normalisation ----------------------------
def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
               running_var: Tensor | None, training: bool, momentum: float, eps: float,
               cudnn_enabled: bool) -> Tensor:
    """``torch.batch_norm`` (ATen order: weight and bias before the running statistics; all required)."""
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5, cudnn_enable: bool = True) -> Tensor:
    """``torch.layer_norm``."""
    return _F().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5, cudnn_enabled: bool = True) -> Tensor:
    """``torch.group_norm``."""
    return _F().group_norm(input, num_groups, weight, bias, eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                  running_var: Tensor | None, use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool) -> Tensor:
    """``torch.instance_norm`` (ATen order; all required)."""
    return _F().instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def rms_norm(input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None) -> Tensor:
    """``torch.rms_norm``."""
    return _F().rms_norm(input, normalized_shape, weight, eps)


def _stat(array, axes: tuple, eps: float):
    """(mean, 1 / sqrt(biased var + eps)) of ``array`` over ``axes``, kept dims, in the array's dtype."""
    xp = xp_of(array)
    mean = array.mean(axis=axes, keepdims=True)
    var = ((array - mean) ** 2).mean(axis=axes, keepdims=True)
    rstd = (1.0 / xp.sqrt(var + array.dtype.type(eps))).astype(array.dtype, copy=False)
    return mean.astype(array.dtype, copy=False), rstd


def native_batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, running_mean: Tensor | None,
                      running_var: Tensor | None, training: bool, momentum: float,
                      eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """``torch.native_batch_norm``: (output, save_mean, save_invstd); the statistics are the batch's per channel
    when training (running stats updated in place, as F.batch_norm), empty tensors in eval; they carry no graph."""
    out = _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    arr = input.array
    if training:
        axes = (0,) + tuple(range(2, arr.ndim))
        mean, rstd = _stat(arr, axes, eps)
        return out, Tensor._wrap(mean.reshape(-1)), Tensor._wrap(rstd.reshape(-1))
    empty = xp_of(arr).zeros((0,), dtype=arr.dtype)
    return out, Tensor._wrap(empty), Tensor._wrap(empty.copy())


def native_layer_norm(input: Tensor, normalized_shape, weight: Tensor | None, bias: Tensor | None,
                      eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """``torch.native_layer_norm``: (output, mean, rstd), the statistics with the normalised dims kept as 1."""
    shape = (int(normalized_shape),) if isinstance(normalized_shape, int) else tuple(int(s) for s in normalized_shape)
    out = _F().layer_norm(input, shape, weight, bias, eps)
    arr = input.array
    mean, rstd = _stat(arr, tuple(range(arr.ndim - len(shape), arr.ndim)), eps)
    return out, Tensor._wrap(mean), Tensor._wrap(rstd)


def native_group_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None, N: int, C: int, HxW: int,
                      group: int, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """``torch.native_group_norm``: (output, mean, rstd), the statistics of shape (N, group) (differentiable,
    as torch's)."""
    if input.numel() != N * C * HxW:
        raise RuntimeError(f"Expected input to be of size N * C * HxW = {N * C * HxW}, got {input.numel()}")
    out = _F().group_norm(input, group, weight, bias, eps)
    grouped = input.reshape(N, group, -1)  # torch's statistics here are differentiable outputs: Tensor ops
    mean = grouped.mean(-1)
    rstd = ((grouped - mean.unsqueeze(-1)).square().mean(-1) + eps).rsqrt()
    return out, mean, rstd


# ---------------------------------------------------------------- dropout ----------------------------------
def _in_place(input: Tensor, fn, *args) -> Tensor:
    from .nn.functional.activation_more import _in_place as in_place

    return in_place(input, fn, *args)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout(input, p, train)``: ``train`` is required, as in torch."""
    return _F().dropout(input, p, train)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.dropout_``: dropout written into ``input``."""
    return _in_place(input, _F().dropout, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout(input, p, train)``."""
    return _F().alpha_dropout(input, p, train)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.alpha_dropout_``."""
    return _in_place(input, _F().alpha_dropout, p, train)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout``: zero whole features (dim 1) of an input with at least 2 dims, the mask of
    shape (N, C, 1, ...), kept features scaled by 1/(1-p)."""
    from .nn.functional.dropout import _apply_mask, _check_p

    _check_p(p)
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if not train or p == 0.0:
        return input
    shape = tuple(input.shape)
    return _apply_mask(input, shape[:2] + (1,) * (len(shape) - 2), p, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_dropout_``."""
    return _in_place(input, feature_dropout, p, train)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout(input, p, train)``."""
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return _F().feature_alpha_dropout(input, p, train)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """``torch.feature_alpha_dropout_``."""
    return _in_place(input, feature_alpha_dropout, p, train)


def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple[Tensor, Tensor]:
    """``torch.native_dropout``: (output, bool keep-mask). ``train=None`` counts as training; in eval the output
    is a copy of the input and the mask all True."""
    from .nn.functional.dropout import _check_p

    _check_p(p)
    arr = input.array
    xp = xp_of(arr)
    if train is False:
        return input.clone(), Tensor._wrap(xp.ones(arr.shape, dtype=bool))
    keep = rng_for(input.device).random(arr.shape) >= p
    scale = 0.0 if p >= 1.0 else 1.0 / (1.0 - p)
    return input * Tensor._wrap(keep.astype(arr.dtype) * arr.dtype.type(scale)), Tensor._wrap(keep)


# ---------------------------------------------------------------- embeddings -------------------------------
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Tensor:
    """``torch.embedding(weight, indices, ...)`` (weight first; ATen's ``padding_idx=-1`` means none)."""
    return _F().embedding(indices, weight, None if padding_idx < 0 else padding_idx, None, 2.0, scale_grad_by_freq,
                          sparse)


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> Tensor:
    """``torch.embedding_renorm_``: rows ``input[indices]`` whose ``norm_type``-norm exceeds ``max_norm`` are
    scaled to norm max_norm / (norm + 1e-7) * norm, in place and without autograd (as torch)."""
    from .nn.functional.sparse import _renorm_rows_

    idx = indices.array.reshape(-1)
    if idx.size:
        _renorm_rows_(input, idx, max_norm, norm_type)
    return input


def embedding_bag(weight: Tensor, indices: Tensor, offsets: Tensor, scale_grad_by_freq: bool = False,
                  mode: int = 0, sparse: bool = False, per_sample_weights: Tensor | None = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> tuple:
    """``torch.embedding_bag``: (output, offset2bag, bag_size, max_indices), mode 0 sum / 1 mean / 2 max.

    The last three are ATen's bookkeeping, as torch's CPU kernel reports them: offset2bag = the bag of each
    index (torch's float32 'sum' fast path leaves it empty); bag_size = zeros for 'sum', else the bag sizes;
    max_indices = zeros for 'sum', the bag sizes for 'mean', and for 'max' the weight row giving each output
    element (0 for empty bags)."""
    from .nn.functional.sparse import _bags

    names = ("sum", "mean", "max")
    if mode not in (0, 1, 2):
        raise RuntimeError(f"embedding_bag: unknown mode {mode}")
    out = _F().embedding_bag(indices, weight, offsets, None, 2, scale_grad_by_freq, names[mode], sparse,
                             per_sample_weights, include_last_offset,
                             None if padding_idx is None or padding_idx < 0 else padding_idx)
    idx, bag, n_bags, inside, _ = _bags(indices, offsets, None, include_last_offset)
    xp = xp_of(weight.array)
    int64 = np.int64
    offset2bag = Tensor._wrap(bag.astype(int64, copy=True))
    if mode == 0:
        zeros = xp.zeros((n_bags,), dtype=int64)
        return out, offset2bag, Tensor._wrap(zeros), Tensor._wrap(zeros.copy())
    valid = xp.ones(idx.shape, dtype=bool) if inside is None else inside
    if padding_idx is not None and padding_idx >= 0:
        valid = valid & (idx != padding_idx)
    sizes = (xp.bincount(bag, weights=valid.astype(np.float64), minlength=n_bags)[:n_bags].astype(int64) if idx.size
             else xp.zeros((n_bags,), dtype=int64))
    if mode == 1:
        return out, offset2bag, Tensor._wrap(sizes), Tensor._wrap(sizes.copy())
    rows = weight.array[idx.astype(int64)]  # (n, D)
    best = out.array[bag]  # each index's bag maximum
    n = idx.shape[0]
    # the first index of each bag reaching the maximum, per feature (int32: CuPy's minimum.at has no int64)
    pos = xp.where((rows == best) & valid[:, None], xp.arange(n, dtype=np.int32)[:, None], np.int32(n))
    first = xp.full((n_bags, rows.shape[1]), n, dtype=np.int32)
    xp.minimum.at(first, bag, pos)
    padded = xp.concatenate([idx.astype(int64), xp.zeros((1,), dtype=int64)])
    return out, offset2bag, Tensor._wrap(sizes), Tensor._wrap(padded[first.astype(int64)])


# ---------------------------------------------------------------- activations ------------------------------
def celu(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``torch.celu``."""
    return _F().celu(input, alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """``torch.celu_``."""
    return _F().celu_(input, alpha)


def selu(input: Tensor) -> Tensor:
    """``torch.selu``."""
    return _F().selu(input)


def selu_(input: Tensor) -> Tensor:
    """``torch.selu_``."""
    return _F().selu_(input)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          generator=None) -> Tensor:
    """``torch.rrelu``: x for x > 0, a x otherwise; a ~ U(lower, upper) per element (drawn from ``generator``)
    when training, (lower + upper) / 2 in eval."""
    if not training or generator is None:
        return _F().rrelu(input, lower, upper, training)
    if lower > upper:
        raise RuntimeError(
            f"Lower bound should be less than or equal to the upper bound (rrelu: lower={lower}, upper={upper})")
    arr = input.array
    xp = xp_of(arr)
    draws = rng_for(input.device, generator).uniform(lower, upper, arr.shape)
    return input * Tensor._wrap(xp.where(arr > 0, 1, draws).astype(arr.dtype, copy=False))


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
           generator=None) -> Tensor:
    """``torch.rrelu_``."""
    return _in_place(input, rrelu, lower, upper, training, generator)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``torch.prelu``."""
    return _F().prelu(input, weight)


def threshold(input: Tensor, threshold: float, value: float) -> Tensor:
    """``torch.threshold(input, threshold, value)``: x where x > threshold, else value."""
    return _F().threshold(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """``torch.threshold_``."""
    return _F().threshold_(input, threshold, value)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``torch.hardshrink``."""
    return _F().hardshrink(input, lambd)


def relu_(input: Tensor) -> Tensor:
    """``torch.relu_``."""
    return _F().relu_(input)


# ---------------------------------------------------------------- shuffles, padding, grids -----------------
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``torch.pixel_shuffle``."""
    return _F().pixel_shuffle(input, upscale_factor)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``torch.pixel_unshuffle``."""
    return _F().pixel_unshuffle(input, downscale_factor)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``torch.channel_shuffle``."""
    return _F().channel_shuffle(input, groups)


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """``torch.native_channel_shuffle``: the same permutation as channel_shuffle."""
    return _F().channel_shuffle(input, groups)


def constant_pad_nd(input: Tensor, pad: Sequence[int], value: float = 0) -> Tensor:
    """``torch.constant_pad_nd``: F.pad in constant mode (negative pads crop)."""
    return _F().pad(input, tuple(pad), "constant", value)


_INTERP = ("bilinear", "nearest", "bicubic")
_PADDING = ("zeros", "border", "reflection")


def grid_sampler(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                 align_corners: bool) -> Tensor:
    """``torch.grid_sampler``: F.grid_sample with ATen's integer modes (0 bilinear / 1 nearest / 2 bicubic;
    padding 0 zeros / 1 border / 2 reflection)."""
    try:
        mode, pad = _INTERP[interpolation_mode], _PADDING[padding_mode]
    except (IndexError, TypeError):
        raise RuntimeError(f"grid_sampler(): unknown interpolation_mode {interpolation_mode} or padding_mode "
                           f"{padding_mode}") from None
    return _F().grid_sample(input, grid, mode, pad, align_corners)


def grid_sampler_2d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """``torch.grid_sampler_2d``: a 4-D input."""
    if input.dim() != 4:
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int,
                    align_corners: bool) -> Tensor:
    """``torch.grid_sampler_3d``: a 5-D input."""
    if input.dim() != 5:
        raise RuntimeError(f"grid_sampler(): expected 5D input and grid with same number of dimensions, but got "
                           f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def affine_grid_generator(theta: Tensor, size: Sequence[int], align_corners: bool) -> Tensor:
    """``torch.affine_grid_generator``: F.affine_grid."""
    return _F().affine_grid(theta, list(size), align_corners)


# ---------------------------------------------------------------- distances, bilinear, losses --------------
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``torch.bilinear``."""
    return _F().bilinear(input1, input2, weight, bias)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``torch.cosine_similarity``."""
    return _F().cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``torch.pairwise_distance``."""
    return _F().pairwise_distance(x1, x2, p, eps, keepdim)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """``torch.pdist``: the p-norm distances ||x_i - x_j||_p of the rows, i < j, in row-major order
    (N (N - 1) / 2 values). Built from index_select and vector_norm, whose backward it uses
    (d/dx_i = g * d||.||_p at x_i - x_j, and its negative for x_j)."""
    from .linalg import vector_norm
    from .ops.diagonal import triu_indices

    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_floating_point():
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    pairs = triu_indices(n, n, 1, device=input.device)
    diff = input.index_select(0, pairs[0]) - input.index_select(0, pairs[1])
    return vector_norm(diff, p, dim=1)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None, reduction: int = 0) -> Tensor:
    """``torch.binary_cross_entropy_with_logits`` (integer reduction; pos_weight before reduction)."""
    return _F().binary_cross_entropy_with_logits(input, target, weight, reduction=_reduction(reduction),
                                                 pos_weight=pos_weight)


def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *, log_target: bool = False) -> Tensor:
    """``torch.kl_div``: reduction 1 is the plain mean over all elements (no 'batchmean' warning at this level)."""
    return _reduce(_F().kl_div(input, target, reduction="none", log_target=log_target), reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    """``torch.margin_ranking_loss``."""
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 0) -> Tensor:
    """``torch.hinge_embedding_loss``."""
    return _F().hinge_embedding_loss(input, target, margin, reduction=_reduction(reduction))


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = 0) -> Tensor:
    """``torch.cosine_embedding_loss``."""
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=_reduction(reduction))


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """``torch.poisson_nll_loss(input, target, log_input, full, eps, reduction)``: every argument required."""
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_reduction(reduction))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2.0,
                        eps: float = 1e-6, swap: bool = False, reduction: int = 0) -> Tensor:
    """``torch.triplet_margin_loss``."""
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                    reduction=_reduction(reduction))


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: int = 0, zero_infinity: bool = False) -> Tensor:
    """``torch.ctc_loss`` (mean: each loss divided by its target length, then averaged, as F)."""
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, _reduction(reduction),
                         zero_infinity)


# ---------------------------------------------------------------- recurrent layers --------------------------
def _recurrent(mode: str, input: Tensor, batch_sizes, hx: list, params: Sequence[Tensor], has_biases: bool,
               num_layers: int, dropout: float, train: bool, bidirectional: bool, batch_first: bool) -> tuple:
    """All layers and directions of ATen's flat-parameter RNN: per layer and direction the weights
    ``w_ih, w_hh[, b_ih, b_hh][, w_hr]`` in that order (as ``nn.LSTM._flat_weights``)."""
    from .nn.functional.recurrent import recurrent_sequence
    from .ops.shape import cat, stack

    F = _F()
    directions = 2 if bidirectional else 1
    params = list(params)
    groups = num_layers * directions
    if groups == 0 or len(params) % groups:
        raise RuntimeError(f"{mode.lower()}: got {len(params)} parameters for {num_layers} layer(s) x {directions} "
                           "direction(s)")
    per = len(params) // groups
    expected = 4 if has_biases else 2
    has_proj = mode == "LSTM" and per == expected + 1
    if per != expected and not has_proj:
        raise RuntimeError(f"{mode.lower()}: expected {expected} parameters per layer and direction, got {per}")
    sizes = None
    if batch_sizes is not None:
        sizes = [int(n) for n in batch_sizes.tolist()]
        x = input
    else:
        if input.dim() != 3:
            raise RuntimeError(f"{mode.lower()}: expected a 3-D input, got {input.dim()}-D {list(input.shape)}")
        x = input.transpose(0, 1) if batch_first else input
    h0 = hx[0]
    c0 = hx[1] if mode == "LSTM" else None
    h_out, c_out = [], []
    for layer in range(num_layers):
        outs = []
        for direction in range(directions):
            k = layer * directions + direction
            w = params[k * per:(k + 1) * per]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            w_hr = w[-1] if has_proj else None
            seq, h, *rest = recurrent_sequence(mode, F.linear(x, w[0], b_ih), h0[k], None if c0 is None else c0[k],
                                               w[1], b_hh, direction == 1, sizes, w_hr)
            outs.append(seq)
            h_out.append(h)
            c_out.append(rest[0] if rest else None)
        x = outs[0] if directions == 1 else cat(outs, -1)
        if dropout and train and layer < num_layers - 1:
            x = F.dropout(x, dropout, True)
    if batch_sizes is None and batch_first:
        x = x.transpose(0, 1)
    h_n = stack(h_out, 0)
    return (x, h_n, stack(c_out, 0)) if mode == "LSTM" else (x, h_n)


def _split_overload(args: tuple, hx_is_list: bool) -> tuple:
    """ATen's two overloads: ``(input, hx, params, ...)`` with batch_first, or the packed
    ``(data, batch_sizes, hx, params, ...)`` without. lstm's hx is a list, so a Tensor second argument means
    packed; gru/rnn's hx is a Tensor, so a Tensor third argument (hx after batch_sizes) means packed."""
    packed = isinstance(args[1], Tensor) if hx_is_list else len(args) > 2 and isinstance(args[2], Tensor)
    if packed:
        data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional = args
        return data, batch_sizes, hx, params, has_biases, num_layers, dropout, train, bidirectional, False
    input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first = args
    return input, None, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first


def lstm(*args) -> tuple[Tensor, Tensor, Tensor]:
    """``torch.lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)``
    -> (output, h_n, c_n); or the packed overload ``lstm(data, batch_sizes, hx, params, has_biases, num_layers,
    dropout, train, bidirectional)``. ``hx`` = [h_0, c_0]; ``params`` per layer and direction
    [w_ih, w_hh, b_ih, b_hh(, w_hr)]."""
    input, sizes, hx, params, bias, layers, p, train, bidi, bf = _split_overload(args, True)
    return _recurrent("LSTM", input, sizes, list(hx), params, bias, layers, p, train, bidi, bf)


def gru(*args) -> tuple[Tensor, Tensor]:
    """``torch.gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)``
    -> (output, h_n); or the packed overload with ``(data, batch_sizes, hx, ...)``."""
    input, sizes, hx, params, bias, layers, p, train, bidi, bf = _split_overload(args, False)
    return _recurrent("GRU", input, sizes, [hx], params, bias, layers, p, train, bidi, bf)


def rnn_tanh(*args) -> tuple[Tensor, Tensor]:
    """``torch.rnn_tanh``: as ``gru`` with the Elman tanh cell."""
    input, sizes, hx, params, bias, layers, p, train, bidi, bf = _split_overload(args, False)
    return _recurrent("RNN_TANH", input, sizes, [hx], params, bias, layers, p, train, bidi, bf)


def rnn_relu(*args) -> tuple[Tensor, Tensor]:
    """``torch.rnn_relu``: as ``gru`` with the Elman ReLU cell."""
    input, sizes, hx, params, bias, layers, p, train, bidi, bf = _split_overload(args, False)
    return _recurrent("RNN_RELU", input, sizes, [hx], params, bias, layers, p, train, bidi, bf)


def _cell(mode: str, input: Tensor, h: Tensor, c, w_ih: Tensor, w_hh: Tensor, b_ih, b_hh):
    from .nn.modules.rnn import _step_for

    return _step_for(mode)(_F().linear(input, w_ih, b_ih), h, c, w_hh, b_hh)


def lstm_cell(input: Tensor, hx: Sequence[Tensor], w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
              b_hh: Tensor | None = None) -> tuple[Tensor, Tensor]:
    """``torch.lstm_cell(input, [h, c], w_ih, w_hh, b_ih, b_hh)`` -> (h', c'), gates i, f, g, o."""
    h, c = hx
    return tuple(_cell("LSTM", input, h, c, w_ih, w_hh, b_ih, b_hh))


def gru_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
             b_hh: Tensor | None = None) -> Tensor:
    """``torch.gru_cell`` -> h', gates r, z, n."""
    return _cell("GRU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_tanh_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """``torch.rnn_tanh_cell``: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _cell("RNN_TANH", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]


def rnn_relu_cell(input: Tensor, hx: Tensor, w_ih: Tensor, w_hh: Tensor, b_ih: Tensor | None = None,
                  b_hh: Tensor | None = None) -> Tensor:
    """``torch.rnn_relu_cell``: h' = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    return _cell("RNN_RELU", input, hx, None, w_ih, w_hh, b_ih, b_hh)[0]

