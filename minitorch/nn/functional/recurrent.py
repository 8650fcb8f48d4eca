"""Recurrent time loops as single graph nodes.

``RecurrentSequence``: one RNN/LSTM/GRU layer direction over a whole sequence is one node. Written
out op by op, each time step costs a dozen graph nodes and a small weight-gradient product;
here backward is backpropagation through time done by hand, and the hidden-to-hidden weight
gradient is one product over all steps. Each cell's step and step-backward are written once, over
"values" that are raw arrays (plain backward) or Tensors (``create_graph``: the same formulas
then record a graph, so second derivatives work).

``LSTMPointwise``: the pointwise half of one LSTM step (what ``LSTMCell`` uses).
"""
from __future__ import annotations

from ...autograd.function import BuiltinOp
from ...autograd.grad_mode import _GradState
from ...backend import xp_of
from ...ops.elementwise import sigmoid_array
from ...ops.shape import cat, stack
from ...tensor import Tensor


class LSTMPointwise(BuiltinOp):
    """The pointwise half of one LSTM step, gates (B, 4H) and c (B, H) in, (h', c') out, as one node
    (the formulas are the sequence node's LSTM cell, ``_lstm`` / ``_lstm_back``)."""

    @staticmethod
    def forward(ctx, gates, c):
        h_new, c_new, ctx.cache = _lstm(ArrayOps, gates.array, 0, None, c.array)
        ctx.save_for_backward(gates, c)
        return h_new, c_new

    @staticmethod
    def backward(ctx, dh, dc):
        """d gates = [dc' g i(1-i), dc' c f(1-f), dc' i (1-g^2), dh tanh(c') o(1-o)] with
        dc' = dc + dh o (1 - tanh(c')^2); dc_prev = dc' f."""
        if _GradState.enabled:  # create_graph: the same formulas on Tensors, recomputed from the inputs
            gates, c = ctx.saved_tensors
            cache = _lstm(TensorOps, gates, 0, None, c)[2]
            d_gates, _, _, d_c = _lstm_back(TensorOps, cache, dh, dc)
            return d_gates, d_c
        d_gates, _, _, d_c = _lstm_back(ArrayOps, ctx.cache, dh.array, dc.array)
        return Tensor._wrap(d_gates), Tensor._wrap(d_c)


def lstm_pointwise(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """(h', c') = (o tanh(c'), f c + i g) with i, f, o = sigmoid and g = tanh of gates' quarters."""
    return LSTMPointwise.apply(gates, c)


class ArrayOps:
    """The few functions a cell's formulas need, on raw arrays."""

    sigmoid = staticmethod(sigmoid_array)

    @staticmethod
    def tanh(a):
        return xp_of(a).tanh(a)

    @staticmethod
    def relu(a):
        return xp_of(a).maximum(a, 0)

    @staticmethod
    def positive(a):
        return a > 0

    @staticmethod
    def split(a, parts: int):
        width = a.shape[-1] // parts
        return [a[..., k * width:(k + 1) * width] for k in range(parts)]

    @staticmethod
    def cat(values):
        return xp_of(values[0]).concatenate(values, axis=-1)

    @staticmethod
    def stack(values):
        return xp_of(values[0]).stack(values)

    @staticmethod
    def cat0(values):
        return xp_of(values[0]).concatenate(values, axis=0)

    @staticmethod
    def matmul_t(a, b):
        """a @ b^T, computed as (b a^T)^T: with a few rows in ``a`` (a batch) and many in ``b`` (the gates), OpenBLAS
        runs that product ~1.7x faster than a @ b^T; the result is a transposed (column-major) view."""
        return (b @ a.T).T

    @staticmethod
    def matmul_tn(a, b):
        """a^T @ b."""
        return a.T @ b


class TensorOps:
    """The same functions on Tensors (they record a graph under create_graph)."""

    sigmoid = staticmethod(lambda t: t.sigmoid())
    tanh = staticmethod(lambda t: t.tanh())
    relu = staticmethod(lambda t: t.relu())
    positive = staticmethod(lambda t: (t > 0).to(t.dtype))
    split = staticmethod(lambda t, parts: list(t.chunk(parts, -1)))
    cat = staticmethod(lambda values: cat(values, -1))
    stack = staticmethod(lambda values: stack(values, 0))
    cat0 = staticmethod(lambda values: cat(values, 0))
    matmul_t = staticmethod(lambda a, b: a @ b.t())
    matmul_tn = staticmethod(lambda a, b: a.t() @ b)


# ---- the cells: step(ops, zx, zh, h, c) -> (h', c', cache); step_back(ops, cache, dh, dc) ->
# (d zx, d zh, dh through the cell's own use of h (or None), dc) where zx = x W_ih^T + b_ih and
# zh = h W_hh^T + b_hh are the step's two pre-activation products.
def _lstm(ops, zx, zh, h, c):
    """i, f, o = sigmoid, g = tanh of (zx + zh)'s quarters; c' = f c + i g; h' = o tanh(c')."""
    z = zx + zh
    i, f, _, o = ops.split(ops.sigmoid(z), 4)  # one sigmoid pass over all four quarters
    g = ops.tanh(ops.split(z, 4)[2])
    c_new = f * c + i * g
    tc = ops.tanh(c_new)
    return o * tc, c_new, (i, f, g, o, tc, c)


def _lstm_back(ops, cache, dh, dc):
    """dc' += dh o (1 - tanh(c')^2); d z = [dc' g i(1-i), dc' c f(1-f), dc' i (1-g^2), dh tanh(c') o(1-o)]."""
    i, f, g, o, tc, c = cache
    dct = dh * o * (1 - tc * tc) if dc is None else dc + dh * o * (1 - tc * tc)
    dz = ops.cat([dct * g * i * (1 - i), dct * c * f * (1 - f), dct * i * (1 - g * g), dh * tc * o * (1 - o)])
    return dz, dz, None, dct * f


def _gru(ops, zx, zh, h, c):
    """r, z = sigmoid(zx_rz + zh_rz); n = tanh(zx_n + r zh_n); h' = n + z (h - n)."""
    xr, xz, xn = ops.split(zx, 3)
    hr, hz, hn = ops.split(zh, 3)
    r, z = ops.sigmoid(xr + hr), ops.sigmoid(xz + hz)
    n = ops.tanh(xn + r * hn)
    return n + z * (h - n), None, (r, z, n, hn, h)


def _gru_back(ops, cache, dh, dc):
    """dn = dh (1-z) (1-n^2); dr = dn zh_n r(1-r); dz = dh (h-n) z(1-z); d zx = [dr, dz, dn];
    d zh = [dr, dz, dn r]; dh through h' = dh z."""
    r, z, n, hn, h = cache
    dn = dh * (1 - z) * (1 - n * n)
    dr = dn * hn * r * (1 - r)
    dz = dh * (h - n) * z * (1 - z)
    return ops.cat([dr, dz, dn]), ops.cat([dr, dz, dn * r]), dh * z, None


def _rnn_tanh(ops, zx, zh, h, c):
    """h' = tanh(zx + zh)."""
    h_new = ops.tanh(zx + zh)
    return h_new, None, (h_new,)


def _rnn_tanh_back(ops, cache, dh, dc):
    """d z = dh (1 - h'^2)."""
    (h_new,) = cache
    dz = dh * (1 - h_new * h_new)
    return dz, dz, None, None


def _rnn_relu(ops, zx, zh, h, c):
    """h' = relu(zx + zh)."""
    h_new = ops.relu(zx + zh)
    return h_new, None, (h_new,)


def _rnn_relu_back(ops, cache, dh, dc):
    """d z = dh [h' > 0]."""
    (h_new,) = cache
    dz = dh * ops.positive(h_new)
    return dz, dz, None, None


CELLS = {
    "LSTM": (_lstm, _lstm_back),
    "GRU": (_gru, _gru_back),
    "RNN_TANH": (_rnn_tanh, _rnn_tanh_back),
    "RNN_RELU": (_rnn_relu, _rnn_relu_back),
}


def _order(steps: int, reverse: bool) -> list:
    return list(range(steps - 1, -1, -1) if reverse else range(steps))


def _run_steps(ops, mode, xg, h, c, w_hh, b_hh, w_hr, order):
    """The forward recursion in ``order``: per time index t, (h_{t-1}, h_t, cache_t, the cell's output before
    the projection ``w_hr`` (LSTM ``proj_size``; else None)); and the last (h, c)."""
    step = CELLS[mode][0]
    per_t = [None] * len(order)
    for t in order:
        zh = ops.matmul_t(h, w_hh)
        if b_hh is not None:
            zh = zh + b_hh
        h_new, c, cache = step(ops, xg[t], zh, h, c)
        raw = None
        if w_hr is not None:  # h_t = (o tanh(c_t)) W_hr^T
            raw, h_new = h_new, ops.matmul_t(h_new, w_hr)
        per_t[t] = (h, h_new, cache, raw)
        h = h_new
    return per_t, h, c


def _projection_back(ops, per_t, d_out, w_hr):
    """Through h_t = raw_t W_hr^T: d raw_t = d h_t W_hr per step, and dW_hr = sum_t d h_t^T raw_t (one product)."""
    flat = ops.cat0(d_out)
    raw = ops.cat0([rec[3] for rec in per_t])
    return ops.matmul_tn(flat, raw)


def _backprop_steps(ops, mode, per_t, order, w_hh, has_bias, w_hr, d_hs, d_ht, d_ct):
    """Backpropagation through time, last step first; the weight gradients as one product over all steps
    (and dW_hr, the projection's, when ``w_hr`` is given; else None)."""
    step_back = CELLS[mode][1]
    dh_next, dc_next = d_ht, d_ct
    d_zx, d_zh = [None] * len(order), [None] * len(order)
    d_proj = [None] * len(order)
    for t in reversed(order):
        dh = d_hs[t] + dh_next
        if w_hr is not None:
            d_proj[t] = dh
            dh = dh @ w_hr
        d_zx[t], d_zh[t], dh_direct, dc_next = step_back(ops, per_t[t][2], dh, dc_next)
        dh_next = d_zh[t] @ w_hh if dh_direct is None else dh_direct + d_zh[t] @ w_hh
    dzh_all = ops.stack(d_zh)
    steps, batch, width = dzh_all.shape
    flat = dzh_all.reshape((steps * batch, width))
    h_prev = ops.stack([rec[0] for rec in per_t])
    d_w = ops.matmul_tn(flat, h_prev.reshape((steps * batch, h_prev.shape[-1])))
    d_b = flat.sum(0) if has_bias else None
    d_whr = _projection_back(ops, per_t, d_proj, w_hr) if w_hr is not None else None
    shared = all(a is b for a, b in zip(d_zx, d_zh))  # LSTM and RNN: both products have one gradient
    return dzh_all if shared else ops.stack(d_zx), dh_next, dc_next, d_w, d_b, d_whr


# ---- packed sequences: the rows of step t are xg[offsets[t] : offsets[t] + sizes[t]], the first sizes[t]
# sequences (longest first). The state keeps one row per running sequence: in forward time order the
# active batch shrinks (rows whose sequence ended are set aside: their last state is h_n); in reverse
# order it grows (a sequence joins at its own last step, from its row of h0).
def _packed_offsets(sizes: list) -> list:
    offsets, total = [], 0
    for n in sizes:
        offsets.append(total)
        total += n
    return offsets


def _run_steps_packed(ops, mode, xg, h0, c0, w_hh, b_hh, w_hr, order, sizes, offsets):
    """The forward recursion over packed steps: per t (h_{t-1}, h_t, cache_t) for its sizes[t] rows; the
    final (h, c) of every sequence (each one's state after its own last step)."""
    step = CELLS[mode][0]
    per_t = [None] * len(order)
    m = sizes[order[0]]
    h, c = h0[:m], None if c0 is None else c0[:m]
    ended_h, ended_c = [], []  # rows set aside when their sequences ended, the highest rows first
    for t in order:
        n = sizes[t]
        if n < m:
            ended_h.append(h[n:])
            h = h[:n]
            if c is not None:
                ended_c.append(c[n:])
                c = c[:n]
        elif n > m:
            h = ops.cat0([h, h0[m:n]])
            if c is not None:
                c = ops.cat0([c, c0[m:n]])
        m = n
        zh = ops.matmul_t(h, w_hh)
        if b_hh is not None:
            zh = zh + b_hh
        h_new, c, cache = step(ops, xg[offsets[t]:offsets[t] + n], zh, h, c)
        raw = None
        if w_hr is not None:
            raw, h_new = h_new, ops.matmul_t(h_new, w_hr)
        per_t[t] = (h, h_new, cache, raw)
        h = h_new
    if ended_h:
        h = ops.cat0([h, *reversed(ended_h)])
        if c is not None:
            c = ops.cat0([c, *reversed(ended_c)])
    return per_t, h, c


def _backprop_steps_packed(ops, mode, per_t, order, sizes, offsets, w_hh, has_bias, w_hr, d_hs, d_ht, d_ct):
    """Backpropagation through time over packed steps, undoing each step's change of the active rows:
    rows whose sequence ended take their gradient from d h_n (d c_n); rows that joined from h0 hand
    theirs to d h0 (d c0). The weight gradients are one product over all packed rows."""
    step_back = CELLS[mode][1]
    last = sizes[order[-1]]
    dh_next, dc_next = d_ht[:last], None if d_ct is None else d_ct[:last]
    d_zx, d_zh = [None] * len(order), [None] * len(order)
    joined_h, joined_c = [], []  # gradients of h0 (c0) rows that joined mid-sequence, the highest rows first
    d_proj = [None] * len(order)
    for k in range(len(order) - 1, -1, -1):
        t = order[k]
        n = sizes[t]
        m = sizes[order[k - 1]] if k else n  # active rows before this step's change
        dh = d_hs[offsets[t]:offsets[t] + n] + dh_next
        if w_hr is not None:
            d_proj[t] = dh
            dh = dh @ w_hr
        d_zx[t], d_zh[t], dh_direct, dc_next = step_back(ops, per_t[t][2], dh, dc_next)
        dh_next = d_zh[t] @ w_hh if dh_direct is None else dh_direct + d_zh[t] @ w_hh
        if n < m:
            dh_next = ops.cat0([dh_next, d_ht[n:m]])
            if dc_next is not None:
                dc_next = ops.cat0([dc_next, d_ct[n:m]])
        elif n > m:
            joined_h.append(dh_next[m:n])
            dh_next = dh_next[:m]
            if dc_next is not None:
                joined_c.append(dc_next[m:n])
                dc_next = dc_next[:m]
    if joined_h:
        dh_next = ops.cat0([dh_next, *reversed(joined_h)])
        if dc_next is not None:
            dc_next = ops.cat0([dc_next, *reversed(joined_c)])
    flat = ops.cat0(d_zh)
    h_prev = ops.cat0([rec[0] for rec in per_t])
    d_w = ops.matmul_tn(flat, h_prev)
    d_b = flat.sum(0) if has_bias else None
    d_whr = _projection_back(ops, per_t, d_proj, w_hr) if w_hr is not None else None
    shared = all(a is b for a, b in zip(d_zx, d_zh))
    return flat if shared else ops.cat0(d_zx), dh_next, dc_next, d_w, d_b, d_whr


class RecurrentSequence(BuiltinOp):
    """One RNN/LSTM/GRU layer direction over a whole sequence as one node.

    Inputs: xg (T, B, G*H) = x W_ih^T + b_ih for every step, h0 (B, H), c0 (B, H) for LSTM (else
    None), w_hh (G*H, H), b_hh or None, w_hr (P, H) or None (an LSTM's ``proj_size``: h0, w_hh's
    columns and the hidden states are then P wide), ``reverse`` (t = T-1 .. 0) and the mode.
    Outputs: the hidden states (T, B, H) in time order, h_T, and c_T for LSTM. With ``batch_sizes`` (a list of ints, a
    PackedSequence's) xg and the hidden states are packed (sum(batch_sizes), .) and each sequence's
    h_T / c_T is its state after its own last step.
    """

    @staticmethod
    def forward(ctx, xg, h0, c0, w_hh, b_hh, w_hr, reverse, mode, batch_sizes=None):
        c0_data, b_hh_data = None if c0 is None else c0.array, None if b_hh is None else b_hh.array
        w_hr_data = None if w_hr is None else w_hr.array
        if batch_sizes is None:
            order = _order(xg.array.shape[0], reverse)
            per_t, h, c = _run_steps(ArrayOps, mode, xg.array, h0.array, c0_data, w_hh.array, b_hh_data, w_hr_data,
                                     order)
            hs = xp_of(h).stack([rec[1] for rec in per_t])
        else:
            order, ctx.offsets = _order(len(batch_sizes), reverse), _packed_offsets(batch_sizes)
            per_t, h, c = _run_steps_packed(ArrayOps, mode, xg.array, h0.array, c0_data, w_hh.array, b_hh_data,
                                            w_hr_data, order, batch_sizes, ctx.offsets)
            hs = xp_of(h).concatenate([rec[1] for rec in per_t], axis=0)
        ctx.save_for_backward(xg, h0, c0, w_hh, b_hh, w_hr)
        ctx.per_t, ctx.order, ctx.mode, ctx.batch_sizes = per_t, order, mode, batch_sizes
        return (hs, h, c) if mode == "LSTM" else (hs, h)

    @staticmethod
    def backward(ctx, d_hs, d_ht, d_ct=None):
        """Backpropagation through time: dh_t = d_hs[t] + dh_{t+1}; each cell's step-backward gives
        the gradients of its two pre-activation products; dh_{t-1} = d zh_t W_hh (+ the cell's own
        use of h); dW_hh = sum_t d zh_t^T h_{t-1}, db_hh = sum_t d zh_t, d xg = d zx (packed: per step
        only the running sequences' rows; an ended sequence's rows start from d h_T). With a projection
        h_t = r_t W_hr^T: d r_t = d h_t W_hr feeds the cell's backward, dW_hr = sum_t d h_t^T r_t."""
        xg, h0, c0, w_hh, b_hh, w_hr = ctx.saved_tensors
        sizes = ctx.batch_sizes
        if _GradState.enabled:  # create_graph: the same recursion on Tensors, recomputed from the inputs
            ops, w, wr = TensorOps, w_hh, w_hr
            if sizes is None:
                per_t = _run_steps(TensorOps, ctx.mode, xg, h0, c0, w_hh, b_hh, w_hr, ctx.order)[0]
            else:
                per_t = _run_steps_packed(TensorOps, ctx.mode, xg, h0, c0, w_hh, b_hh, w_hr, ctx.order, sizes,
                                          ctx.offsets)[0]
            dhs, dht, dct = d_hs, d_ht, d_ct
        else:
            ops, w, per_t = ArrayOps, w_hh.array, ctx.per_t
            wr = None if w_hr is None else w_hr.array
            dhs, dht, dct = d_hs.array, d_ht.array, None if d_ct is None else d_ct.array
        if sizes is None:
            d_xg, d_h0, d_c0, d_w, d_b, d_whr = _backprop_steps(ops, ctx.mode, per_t, ctx.order, w,
                                                                b_hh is not None, wr, dhs, dht, dct)
        else:
            if dct is None and ctx.mode == "LSTM":
                dct = xp_of(dht).zeros(c0.array.shape, dtype=dht.dtype) if ops is ArrayOps else c0 * 0
            d_xg, d_h0, d_c0, d_w, d_b, d_whr = _backprop_steps_packed(
                ops, ctx.mode, per_t, ctx.order, sizes, ctx.offsets, w, b_hh is not None, wr, dhs, dht, dct)
        if ops is ArrayOps:
            wrap = Tensor._wrap
            d_xg, d_h0, d_w = wrap(d_xg), wrap(d_h0), wrap(d_w)
            d_c0 = None if d_c0 is None else wrap(d_c0)
            d_b = None if d_b is None else wrap(d_b)
            d_whr = None if d_whr is None else wrap(d_whr)
        return d_xg, d_h0, d_c0, d_w, d_b, d_whr, None, None, None


def recurrent_sequence(mode: str, xg: Tensor, h0: Tensor, c0: Tensor | None, w_hh: Tensor, b_hh: Tensor | None,
                       reverse: bool = False, batch_sizes: list | None = None, w_hr: Tensor | None = None) -> tuple:
    """(hidden states (T, B, H), h_T[, c_T]) of one layer direction; xg = x W_ih^T + b_ih (T, B, G*H).
    With ``batch_sizes`` (a PackedSequence's, as a list of ints) xg and the hidden states are packed;
    with ``w_hr`` (LSTM only) each hidden state is projected, h_t = (o_t tanh(c_t)) W_hr^T."""
    if batch_sizes is None:
        return RecurrentSequence.apply(xg, h0, c0, w_hh, b_hh, w_hr, reverse, mode)
    return RecurrentSequence.apply(xg, h0, c0, w_hh, b_hh, w_hr, reverse, mode, batch_sizes)
