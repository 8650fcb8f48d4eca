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
from ...ops.shape import cat
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
