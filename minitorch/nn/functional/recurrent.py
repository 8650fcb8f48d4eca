"""The pointwise half of an LSTM step as one op: gates (B, 4H) and c (B, H) in, (h', c') out.

Written out with separate ops it costs about a dozen graph nodes per time step (chunk, three
sigmoids, two tanh, three products, a sum); fused, it is one node whose backward is the same
chain rule done by hand.
"""
from __future__ import annotations

from ...autograd.function import BuiltinOp
from ...autograd.grad_mode import _GradState
from ...backend import xp_of
from ...ops.elementwise import sigmoid_array
from ...ops.shape import cat, stack
from ...tensor import Tensor


class LSTMPointwise(BuiltinOp):
    @staticmethod
    def forward(ctx, gates, c):
        z = gates.data
        xp = xp_of(z)
        hid = z.shape[-1] // 4
        act = sigmoid_array(z)  # i, f, o; the g quarter is overwritten with tanh below
        xp.tanh(z[..., 2 * hid:3 * hid], out=act[..., 2 * hid:3 * hid])
        i, f, g, o = (act[..., k * hid:(k + 1) * hid] for k in range(4))
        c_new = f * c.data
        c_new += i * g
        tc = xp.tanh(c_new)
        ctx.save_for_backward(gates, c)
        ctx.act, ctx.tc = act, tc
        return o * tc, c_new

    @staticmethod
    def backward(ctx, dh, dc):
        """With i, f, o = sigmoid, g = tanh of the gate quarters and T = tanh(c'):
        dc' += dh o (1 - T^2); di = dc' g i(1-i); df = dc' c f(1-f); dg = dc' i (1-g^2);
        do = dh T o(1-o); d gates = [di, df, dg, do]; dc = dc' f."""
        gates, c = ctx.saved_tensors
        if not _GradState.enabled:  # plain backward: on arrays
            act, tc, hid = ctx.act, ctx.tc, ctx.act.shape[-1] // 4
            i, f, g, o = (act[..., k * hid:(k + 1) * hid] for k in range(4))
            dha = dh.data
            dct = dc.data + dha * o * (1 - tc * tc)
            xp = xp_of(act)
            out = xp.empty_like(act)
            xp.multiply(dct * g, i * (1 - i), out=out[..., :hid])
            xp.multiply(dct * c.data, f * (1 - f), out=out[..., hid:2 * hid])
            xp.multiply(dct * i, 1 - g * g, out=out[..., 2 * hid:3 * hid])
            xp.multiply(dha * tc, o * (1 - o), out=out[..., 3 * hid:])
            return Tensor._wrap(out), Tensor._wrap(dct * f)
        # create_graph: the same chain rule with differentiable ops of gates and c
        i, f, g, o = gates.chunk(4, -1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        tc = (f * c + i * g).tanh()
        dct = dc + dh * o * (1 - tc * tc)
        d_gates = cat([dct * g * i * (1 - i), dct * c * f * (1 - f), dct * i * (1 - g * g),
                       dh * tc * o * (1 - o)], -1)
        return d_gates, dct * f


def lstm_pointwise(gates: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """(h', c') = (o tanh(c'), f c + i g) with i, f, o = sigmoid and g = tanh of gates' quarters."""
    return LSTMPointwise.apply(gates, c)


class LSTMSequence(BuiltinOp):
    """One LSTM layer direction over a whole sequence as one node.

    Inputs: xg (T, B, 4H) = x W_ih^T + b_ih for every step, h0 and c0 (B, H), w_hh (4H, H), b_hh
    (4H) or None, and ``reverse`` (run t = T-1 .. 0). Outputs: the hidden states (T, B, H) in time
    order, h_T and c_T. Backward is backpropagation through time on arrays; the hidden-to-hidden
    weight gradient is one product over all steps instead of one per step.
    """

    @staticmethod
    def forward(ctx, xg, h0, c0, w_hh, b_hh, reverse):
        z_all, w = xg.data, w_hh.data
        xp = xp_of(z_all)
        steps, batch, width = z_all.shape
        hid = width // 4
        hs = xp.empty((steps, batch, hid), dtype=z_all.dtype)
        cs = xp.empty_like(hs)
        tcs = xp.empty_like(hs)
        acts = xp.empty_like(z_all)
        h, c = h0.data, c0.data
        for t in _order(steps, reverse):
            gates = h @ w.T
            gates += z_all[t]
            if b_hh is not None:
                gates += b_hh.data
            act = acts[t]
            act[...] = sigmoid_array(gates)
            xp.tanh(gates[:, 2 * hid:3 * hid], out=act[:, 2 * hid:3 * hid])
            c = act[:, hid:2 * hid] * c
            c += act[:, :hid] * act[:, 2 * hid:3 * hid]
            cs[t] = c
            xp.tanh(c, out=tcs[t])
            h = act[:, 3 * hid:] * tcs[t]
            hs[t] = h
        ctx.save_for_backward(xg, h0, c0, w_hh, *([b_hh] if b_hh is not None else []))
        ctx.hs, ctx.cs, ctx.tcs, ctx.acts, ctx.reverse = hs, cs, tcs, acts, reverse
        return hs, h, c

    @staticmethod
    def backward(ctx, d_hs, d_ht, d_ct):
        """Through time, last step first: dh_t = d_hs[t] + dh_{t+1}; the step's gate gradients as in
        LSTMPointwise; dh_{t-1} = d gates_t W_hh, dc_{t-1} = dc'_t f_t; dW_hh = sum_t d gates_t^T h_{t-1};
        db_hh = sum_t d gates_t; d xg = d gates."""
        saved = ctx.saved_tensors
        xg, h0, c0, w_hh = saved[:4]
        b_hh = saved[4] if len(saved) > 4 else None
        if _GradState.enabled:  # create_graph: the same recursion with differentiable ops
            return _lstm_sequence_backward_graph(xg, h0, c0, w_hh, b_hh, ctx.reverse, d_hs, d_ht, d_ct)
        acts, tcs, cs, hs = ctx.acts, ctx.tcs, ctx.cs, ctx.hs
        xp = xp_of(acts)
        steps, batch, width = acts.shape
        hid = width // 4
        w = w_hh.data
        d_gates = xp.empty_like(acts)
        dh_next, dc_next = d_ht.data, d_ct.data
        order = list(_order(steps, ctx.reverse))
        for k in range(steps - 1, -1, -1):
            t = order[k]
            c_prev = cs[order[k - 1]] if k else c0.data
            i, f, g, o = (acts[t][:, q * hid:(q + 1) * hid] for q in range(4))
            tc = tcs[t]
            dh = d_hs.data[t] + dh_next
            dct = dc_next + dh * o * (1 - tc * tc)
            dz = d_gates[t]
            xp.multiply(dct * g, i * (1 - i), out=dz[:, :hid])
            xp.multiply(dct * c_prev, f * (1 - f), out=dz[:, hid:2 * hid])
            xp.multiply(dct * i, 1 - g * g, out=dz[:, 2 * hid:3 * hid])
            xp.multiply(dh * tc, o * (1 - o), out=dz[:, 3 * hid:])
            dc_next = dct * f
            dh_next = dz @ w
        h_prev = xp.empty_like(hs)  # h_{t-1} for every step, in time order
        for k, t in enumerate(order):
            h_prev[t] = hs[order[k - 1]] if k else h0.data
        flat_dz = d_gates.reshape(steps * batch, width)
        d_w = flat_dz.T @ h_prev.reshape(steps * batch, hid)
        d_b = flat_dz.sum(axis=0) if b_hh is not None else None
        return (Tensor._wrap(d_gates), Tensor._wrap(dh_next), Tensor._wrap(dc_next), Tensor._wrap(d_w),
                None if d_b is None else Tensor._wrap(d_b), None)


def _order(steps: int, reverse: bool) -> range:
    return range(steps - 1, -1, -1) if reverse else range(steps)


def _lstm_sequence_backward_graph(xg, h0, c0, w_hh, b_hh, reverse, d_hs, d_ht, d_ct):
    """LSTMSequence's backward with Tensor ops (for create_graph): recompute the steps, then recurse."""
    steps = xg.shape[0]
    order = list(_order(steps, reverse))
    h, c, saved = h0, c0, []
    for t in order:
        gates = xg[t] + h @ w_hh.t()
        if b_hh is not None:
            gates = gates + b_hh
        i, f, g, o = gates.chunk(4, -1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c_prev, h_prev = c, h
        c = f * c + i * g
        tc = c.tanh()
        h = o * tc
        saved.append((i, f, g, o, tc, c_prev, h_prev))
    dh_next, dc_next = d_ht, d_ct
    d_gates = [None] * steps
    d_w = d_b = None
    for k in range(steps - 1, -1, -1):
        t = order[k]
        i, f, g, o, tc, c_prev, h_prev = saved[k]
        dh = d_hs[t] + dh_next
        dct = dc_next + dh * o * (1 - tc * tc)
        dz = cat([dct * g * i * (1 - i), dct * c_prev * f * (1 - f), dct * i * (1 - g * g),
                  dh * tc * o * (1 - o)], -1)
        d_gates[t] = dz
        dc_next = dct * f
        dh_next = dz @ w_hh
        part = dz.t() @ h_prev
        d_w = part if d_w is None else d_w + part
        if b_hh is not None:
            d_b = dz.sum(0) if d_b is None else d_b + dz.sum(0)
    return stack(d_gates, 0), dh_next, dc_next, d_w, d_b, None


def lstm_sequence(xg: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, b_hh: Tensor | None,
                  reverse: bool = False) -> tuple[Tensor, Tensor, Tensor]:
    """(hidden states (T, B, H), h_T, c_T) of one LSTM layer direction; xg = x W_ih^T + b_ih (T, B, 4H)."""
    return LSTMSequence.apply(xg, h0, c0, w_hh, b_hh, reverse)
