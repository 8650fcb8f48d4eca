"""nn.functional: embedding lookups and one_hot."""
from __future__ import annotations

import numpy as np

from ...autograd.function import BuiltinOp
from ...backend import xp_of
from ...backend.checks import fail_if, out_of_range
from ...ops.indexing import IndexAdd
from ...tensor import Tensor

__all__ = ["embedding", "one_hot"]


class Embedding(BuiltinOp):
    @staticmethod
    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.padding_idx, ctx.scale = idx, padding_idx, scale_grad_by_freq
        ctx.w_shape = weight.data.shape
        return weight.data[idx]

    @staticmethod
    def backward(ctx, g):
        """dW[v] = sum of g over the positions that looked up row v (row padding_idx gets none)."""
        idx = ctx.idx
        xp = xp_of(idx)
        if ctx.scale:  # divide each position's gradient by how often its row occurs in the batch
            counts = xp.bincount(idx.reshape(-1), minlength=ctx.w_shape[0])
            g = g * (1.0 / counts[idx])[..., None].astype(g.data.dtype)
        if ctx.padding_idx is not None:
            g = g * (idx != ctx.padding_idx)[..., None]
        return IndexAdd.apply(g, ctx.w_shape, (idx,), True), None, None, None


def _renorm_rows_(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """In place and without autograd, scale the looked-up rows whose norm exceeds max_norm."""
    w = weight.data
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
    idx = input.data if isinstance(input, Tensor) else xp_of(weight.data).asarray(input)
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


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each index (num_classes=-1: max + 1)."""
    idx = tensor.data
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
