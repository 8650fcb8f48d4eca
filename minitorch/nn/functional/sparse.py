"""nn.functional: embedding lookups, embedding bags (sums / means / maxes of looked-up rows) and one_hot."""
from __future__ import annotations

import warnings

import numpy as np

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...backend.checks import fail_if, out_of_range
from ...ops.indexing import GetItem, IndexAdd
from ...tensor import Tensor

__all__ = ["embedding", "embedding_bag", "one_hot"]


class Embedding(BuiltinOp):
    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.padding_idx, ctx.scale = idx, padding_idx, scale_grad_by_freq
        ctx.w_shape = weight.array.shape
        return weight.array[idx]

    @staticmethod
    def backward(ctx, g):
        """dW[v] = sum of g over the positions that looked up row v (row padding_idx gets none)."""
        idx = ctx.idx
        xp = xp_of(idx)
        if ctx.scale:  # divide each position's gradient by how often its row occurs in the batch
            counts = xp.bincount(idx.reshape(-1), minlength=ctx.w_shape[0])
            g = g * (1.0 / counts[idx])[..., None].astype(g.array.dtype)
        if ctx.padding_idx is not None:
            g = g * (idx != ctx.padding_idx)[..., None]
        return IndexAdd.apply(g, ctx.w_shape, (idx,), True), None, None, None


def _renorm_rows_(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """In place and without autograd, scale the looked-up rows whose norm exceeds max_norm."""
    w = weight.array
    xp = xp_of(w)
    rows = xp.unique(idx.reshape(-1))
    sel = w[rows]
    if norm_type == float("inf"):
        norms = xp.abs(sel).max(axis=1)
    else:
        norms = (xp.abs(sel) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] = sel * scale[:, None]
    weight._version += 1


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None, max_norm: float | None = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """weight[input]: rows of ``weight`` (num_embeddings, dim) picked by integer indices of any shape."""
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported in minitorch")
    idx = input.array if isinstance(input, Tensor) else xp_of(weight.array).asarray(input)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {input.dtype} instead (while checking arguments for embedding)"
        )
    if weight.ndim != 2:
        raise RuntimeError(f"embedding: 'weight' must be 2-D, got shape {list(weight.shape)}")
    num = weight.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < num, "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -num, "Padding_idx must be within num_embeddings"
            padding_idx = num + padding_idx
    if idx.size:
        fail_if(out_of_range(idx, 0, num), IndexError,
                f"index out of range in self (embedding: indices must be in [0, {num}) for weight "
                f"{list(weight.shape)})")
    if max_norm is not None and idx.size:
        _renorm_rows_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx.astype(np.int64, copy=False), padding_idx, scale_grad_by_freq)


def _bags(input: Tensor, offsets, per_sample_weights, include_last_offset: bool):
    """(flat indices, bag of each index, number of bags, is each index inside a bag, flat per_sample_weights),
    all on the device, from a 2-D input (one bag per row) or a 1-D input with bag start ``offsets``."""
    idx = input.array
    xp = xp_of(idx)
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        n_bags, width = idx.shape
        bag = xp.arange(idx.size, dtype=np.int64) // max(width, 1)
        psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
        return idx.reshape(-1), bag, n_bags, None, psw
    if input.dim() != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if offsets.dim() != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    off = offsets.array
    if off.dtype.kind not in "iu":
        raise RuntimeError(f"embedding_bag: offsets must be an integer tensor, got {offsets.dtype}")
    n = idx.shape[0]
    n_bags = max(off.shape[0] - 1, 0) if include_last_offset else off.shape[0]
    if off.shape[0]:
        fail_if(off[0] != 0, RuntimeError, lambda: (
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
            f"However, got {int(off[0])}"))
        fail_if(off[-1] > n, RuntimeError, lambda: (
            f"offsets[-1] can not be greater than input's length {n} but got offsets[-1] of {int(off[-1])}"))
        if off.shape[0] > 1:
            fail_if((off[1:] < off[:-1]).any(), RuntimeError, "embedding_bag: offsets must be non-decreasing")
    bag = xp.searchsorted(off[:n_bags], xp.arange(n), side="right") - 1  # the bag each position falls in
    inside = None
    if include_last_offset and off.shape[0]:
        inside = xp.arange(n) < off[-1]  # positions past the last offset belong to no bag
    bag = xp.clip(bag, 0, max(n_bags - 1, 0)).astype(np.int64)
    return idx, bag, n_bags, inside, per_sample_weights


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """(B, dim): per bag of indices, the sum / mean / max of the rows ``weight[i]`` (entries equal to
    padding_idx left out; an empty bag gives zeros). Bags: the rows of a 2-D input, or a 1-D input cut at
    ``offsets``. ``per_sample_weights`` scales each row (mode='sum')."""
    if weight.dtype.name == "int64" and input.is_floating_point():
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(f"embedding_bag: If per_sample_weights ({list(per_sample_weights.shape)}) is not None, "
                         f"then it must have the same shape as the input ({list(input.shape)})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    idx, bag, n_bags, inside, psw = _bags(input, offsets, per_sample_weights, include_last_offset)
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {input.dtype} instead (while checking arguments for embedding_bag)"
        )
    num = weight.shape[0]
    if idx.size:
        fail_if(out_of_range(idx, 0, num), RuntimeError,
                f"embedding_bag: an index of input is not in the valid range [0, {num})")
    if max_norm is not None and idx.size:
        _renorm_rows_(weight, idx, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    if sparse:
        raise NotImplementedError("embedding_bag: sparse=True (sparse gradients) is not supported in minitorch")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += num
    if n_bags == 0:
        return weight[:0] * 0.0
    xp = xp_of(weight.array)
    idx = idx.astype(np.int64, copy=False)
    valid = xp.ones(idx.shape, dtype=bool) if inside is None else inside
    if padding_idx is not None:
        valid = valid & (idx != padding_idx)
    if mode == "max":
        return _bag_max(weight, idx, bag, n_bags, valid)
    dtype = weight.array.dtype
    scale = valid.astype(dtype)
    if mode == "mean":
        counts = xp.bincount(bag, weights=scale, minlength=n_bags) if idx.size else xp.zeros(n_bags, dtype)
        scale = scale / xp.maximum(counts, 1).astype(dtype)[bag]
    rows = Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)  # (n, dim)
    rows = rows * Tensor._wrap(scale[:, None])
    if psw is not None:
        rows = rows * psw.reshape(-1, 1)
    return IndexAdd.apply(rows, (n_bags, weight.shape[1]), (bag,), True)


def _bag_max(weight: Tensor, idx, bag, n_bags: int, valid) -> Tensor:
    """Per bag and column the largest looked-up value (the first row holding it gets the gradient)."""
    w = weight.array
    xp = xp_of(w)
    n, dim = idx.shape[0], w.shape[1]
    vals = xp.where(valid[:, None], w[idx], -xp.inf)
    best = xp.full((n_bags, dim), -xp.inf, dtype=w.dtype)
    xp.maximum.at(best, bag, vals)
    position = xp.broadcast_to(xp.arange(n, dtype=np.int32)[:, None], (n, dim))
    hit = valid[:, None] & (vals == best[bag])
    first = xp.full((n_bags, dim), n, dtype=np.int32)  # int32: what CuPy's scatter-min supports
    xp.minimum.at(first, bag, xp.where(hit, position, np.int32(n)))
    empty = first == n  # empty bags (or bags of padding only): zeros
    rows = xp.concatenate([idx, xp.zeros(1, dtype=np.int64)])[first]  # the winning weight row per entry
    out = GetItem.apply(weight, (rows, xp.arange(dim)[None, :]), True)
    return out * Tensor._wrap((~empty).astype(w.dtype)) if n_bags else out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each index (num_classes=-1: max + 1)."""
    idx = tensor.array
    xp = xp_of(idx)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1  # the output's shape depends on the data: a sync, as in torch
    if idx.size:
        fail_if((idx < 0).any(), RuntimeError, "one_hot: Class values must be non-negative.")
        fail_if((idx >= num_classes).any(), RuntimeError,
                f"one_hot: Class values must be smaller than num_classes ({num_classes}).")
    out = (idx[..., None] == xp.arange(num_classes)).astype(np.int64)
    return Tensor._wrap(out)
