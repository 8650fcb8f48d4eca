"""nn.functional: scaled_dot_product_attention and multi_head_attention_forward.

Both are compositions of differentiable Tensor ops (matmul, softmax, masked_fill, linear), so their
gradients come from those ops' backwards; no Function of their own is needed.

    attention(Q, K, V) = softmax(Q K^T * scale + bias) V

``bias`` is 0 where a position may be attended and -inf where it may not (boolean masks, the causal
mask), or any float added to the scores (float masks).
"""
from __future__ import annotations

import math
import warnings

from ... import creation
from ...amp.autocast_mode import _AutocastState, autocast_call
from ...ops.reduction import softmax
from ...ops.shape import cat
from ...tensor import Tensor
from .dropout import dropout
from .linear import linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")


def _shape(t: Tensor) -> tuple:
    return tuple(t.shape)


def _safe_softmax(scores: Tensor) -> Tensor:
    """softmax over the last dim, but 0 (not nan) on rows where every score is -inf, as torch's math path.

    The dead rows are set to 0 before the softmax too, so no nan reaches the backward either.
    """
    dead = (scores == _NEG_INF).all(dim=-1, keepdim=True)
    return softmax(scores.masked_fill(dead, 0.0), -1).masked_fill(dead, 0.0)


def _check_sdpa(query: Tensor, key: Tensor, value: Tensor, attn_mask, dropout_p: float, enable_gqa: bool) -> None:
    op = "scaled_dot_product_attention"
    if query.dtype != key.dtype or query.dtype != value.dtype:
        raise RuntimeError(
            f"{op}: Expected query, key, and value to have the same dtype, but got query.dtype: {query.dtype} "
            f"key.dtype: {key.dtype} and value.dtype: {value.dtype} instead."
        )
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"{op}: query {_shape(query)}, key {_shape(key)} and value {_shape(value)} must be at "
                           f"least 2-D (..., L, E)")
    if key.shape[-1] != query.shape[-1]:
        raise RuntimeError(f"{op}: query {_shape(query)} and key {_shape(key)} must have the same embedding size "
                           f"(last dim): {query.shape[-1]} != {key.shape[-1]}")
    if key.shape[-2] != value.shape[-2]:
        raise RuntimeError(f"{op}: key {_shape(key)} and value {_shape(value)} must have the same sequence length "
                           f"(dim -2): {key.shape[-2]} != {value.shape[-2]}")
    if attn_mask is not None and attn_mask.dtype.name != "bool" and attn_mask.dtype != query.dtype:
        raise RuntimeError(
            f"{op}: Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: "
            f"{attn_mask.dtype} and query.dtype: {query.dtype} instead."
        )
    if dropout_p < 0.0 or dropout_p > 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa and query.ndim >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise RuntimeError(f"{op}: with enable_gqa the number of query heads ({hq}) must be a multiple of the "
                               f"number of key heads ({hk}) and value heads ({hv})")


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Tensor | None = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(Q K^T * scale + bias) V over (..., L, E) queries and (..., S, E) keys / (..., S, Ev) values.

    ``attn_mask``: boolean (True = may attend) or float (added to the scores), broadcast to (..., L, S).
    ``is_causal``: query i attends keys 0..i (top-left aligned, as torch). A row that may attend nothing
    gives 0, as torch's math path does. Dropout (``dropout_p``) is always applied, as in torch.
    """
    if _AutocastState.on:  # autocast: float16, the body not autocast again (minitorch/amp)
        return autocast_call("scaled_dot_product_attention", scaled_dot_product_attention, query, key, value,
                             attn_mask, dropout_p, is_causal, scale, enable_gqa)
    _check_sdpa(query, key, value, attn_mask, dropout_p, enable_gqa)
    L, S = query.shape[-2], key.shape[-2]
    scale_factor = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    if enable_gqa and query.ndim >= 3:
        key = key.repeat_interleave(query.shape[-3] // key.shape[-3], dim=-3)
        value = value.repeat_interleave(query.shape[-3] // value.shape[-3], dim=-3)
    scores = (query @ key.transpose(-2, -1)) * scale_factor
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")
        keep = creation.ones(L, S, dtype="bool", device=query.device).tril()
        weights = softmax(scores.masked_fill(keep.logical_not(), _NEG_INF), -1)
    elif attn_mask is not None:
        if attn_mask.dtype.name == "bool":
            scores = scores.masked_fill(attn_mask.logical_not(), _NEG_INF)
        else:
            scores = scores + attn_mask
        weights = _safe_softmax(scores)
    else:
        weights = softmax(scores, -1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, training=True)
    return weights @ value


# ----------------------------------------------------------------------------- multi-head attention
def _canonical_mask(mask: Tensor | None, mask_name: str, other_type, other_name: str, target_type,
                    check_other: bool = True) -> Tensor | None:
    """A boolean mask (True = masked out) as a float mask of 0 / -inf; float masks are kept."""
    if mask is None:
        return None
    is_bool = mask.dtype.name == "bool"
    if not is_bool and not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if is_bool:
        mask = creation.zeros(_shape(mask), dtype=target_type, device=mask.device).masked_fill(mask, _NEG_INF)
    return mask


def _none_or_dtype(t: Tensor | None):
    return None if t is None else t.dtype


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """Whether the input is batched ((L, N, E)) or not ((L, E)); AssertionError (as torch) otherwise."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and _shape(attn_mask) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {_shape(attn_mask)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         "tensor")


def _in_projection_packed(q: Tensor, k: Tensor, v: Tensor, w: Tensor, b: Tensor | None):
    """q W_q^T + b_q, k W_k^T + b_k, v W_v^T + b_v with W = [W_q; W_k; W_v] packed along dim 0."""
    e = q.shape[-1]
    if k is v:
        if q is k:  # self-attention: one matmul
            return linear(q, w, b).chunk(3, dim=-1)
        w_q, w_kv = w.split([e, 2 * e])
        b_q, b_kv = (None, None) if b is None else b.split([e, 2 * e])
        return (linear(q, w_q, b_q), *linear(k, w_kv, b_kv).chunk(2, dim=-1))
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q, b_k, b_v):
    eq, ek, ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, shape in (("query", w_q, (eq, eq)), ("key", w_k, (eq, ek)), ("value", w_v, (eq, ev))):
        if _shape(w) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {_shape(w)}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(
    query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
    in_proj_weight: Tensor | None, in_proj_bias: Tensor | None, bias_k: Tensor | None, bias_v: Tensor | None,
    add_zero_attn: bool, dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Tensor | None,
    training: bool = True, key_padding_mask: Tensor | None = None, need_weights: bool = True,
    attn_mask: Tensor | None = None, use_separate_proj_weight: bool = False, q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None, v_proj_weight: Tensor | None = None, static_k: Tensor | None = None,
    static_v: Tensor | None = None, average_attn_weights: bool = True, is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention on (L, N, E) query and (S, N, E) key/value (or unbatched (L, E), (S, E)).

    Each head h: softmax(Q_h K_h^T / sqrt(E/H) + masks) V_h; heads concatenated, then the out projection.
    Boolean masks here mean True = masked out (torch's MultiheadAttention convention). Returns
    (output, weights) with weights averaged over heads (or per head), or None when not ``need_weights``.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = _shape(query)
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the mask is the causal one (the caller's hint): let attention build it
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if _shape(key)[:2] != _shape(value)[:2]:
            raise AssertionError(f"key's sequence and batch dims {_shape(key)[:2]} do not match value's "
                                 f"{_shape(value)[:2]}")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)
    else:
        if _shape(key) != _shape(value):
            raise AssertionError(f"key shape {_shape(key)} does not match value shape {_shape(value)}")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)

    if attn_mask is not None:
        if attn_mask.ndim == 2:
            if _shape(attn_mask) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {_shape(attn_mask)}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.ndim == 3:
            if _shape(attn_mask) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {_shape(attn_mask)}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None or static_v is not None:
            raise AssertionError("bias cannot be added to static key / value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)], 0)
        v = cat([v, bias_v.repeat(1, bsz, 1)], 0)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None or bias_v is not None:
        raise AssertionError("bias_k and bias_v must both be set or both be None")

    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "static_k")
    v = _heads(v, static_v, bsz, num_heads, head_dim, "static_v")
    if add_zero_attn:
        zeros = creation.zeros(bsz * num_heads, 1, head_dim, dtype=k.dtype, device=k.device)
        k = cat([k, zeros], 1)
        v = cat([v, zeros], 1)
        attn_mask = _pad_last(attn_mask)
        key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]

    if key_padding_mask is not None:
        if _shape(key_padding_mask) != (bsz, src_len):
            raise AssertionError(f"Expected key_padded_mask shape to be {(bsz, src_len)}, but got "
                                 f"{_shape(key_padding_mask)}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
        kpm = kpm.reshape(bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        scores = q_scaled @ k.transpose(-2, -1)
        if attn_mask is not None:
            scores = scores + attn_mask
        weights = softmax(scores, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        out = (weights @ v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(tgt_len * bsz, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not is_batched:
        out = out.squeeze(1)
    return out, None


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """One more (unmasked, 0) key column at the end of a float mask."""
    if mask is None:
        return None
    zeros = creation.zeros(_shape(mask)[:-1] + (1,), dtype=mask.dtype, device=mask.device)
    return cat([mask, zeros], -1)


def _heads(t: Tensor, static: Tensor | None, bsz: int, num_heads: int, head_dim: int, name: str) -> Tensor:
    """(S, N, E) -> (N*H, S, E/H), or the caller's precomputed ``static`` one after checking its shape."""
    if static is None:
        return t.reshape(t.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.shape[0] != bsz * num_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got {static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {static.shape[2]}")
    return static
