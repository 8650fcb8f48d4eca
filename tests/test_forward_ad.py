"""minitorch.autograd.forward_ad (dual tensors, built on the double-vjp trick) vs
torch.autograd.forward_ad: tangents through matmul / tanh / softmax / conv2d, levels, errors."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
import minitorch.autograd.forward_ad as mfw
import minitorch.nn.functional as MF

from .helpers import assert_close, require_torch

torch = require_torch()
tfw = torch.autograd.forward_ad
TF = torch.nn.functional


def _pair(*shape, seed=0, requires_grad=False):
    arr = np.random.default_rng(seed).uniform(-1.2, 1.2, shape)
    m, t = minitorch.tensor(arr), torch.tensor(arr)
    if requires_grad:
        m.requires_grad_(True)
        t.requires_grad_(True)
    return m, t


def _mlp_softmax(lib, F):
    return lambda x, w: F.softmax(lib.tanh(x @ w), dim=-1)


def _conv(lib, F):
    return lambda x, w: F.conv2d(x, w, padding=1).tanh()


CASES = [
    ("matmul", lambda lib, F: (lambda x, w: x @ w), (4, 3), (3, 5)),
    ("tanh-softmax", _mlp_softmax, (4, 3), (3, 5)),
    ("conv2d", _conv, (2, 2, 5, 5), (3, 2, 3, 3)),
]


def _fwd(lib, fw, F, build, x, w, vx, vw):
    with fw.dual_level():
        dx, dw = fw.make_dual(x, vx), fw.make_dual(w, vw)
        out = build(lib, F)(dx, dw)
        primal, tangent = fw.unpack_dual(out)
    return primal, tangent


@pytest.mark.parametrize("name,build,xs,ws", CASES, ids=[c[0] for c in CASES])
def test_tangents_match_torch(name, build, xs, ws):
    (x, tx), (w, tw) = _pair(*xs), _pair(*ws, seed=1)
    (vx, tvx), (vw, tvw) = _pair(*xs, seed=2), _pair(*ws, seed=3)
    p, t = _fwd(minitorch, mfw, MF, build, x, w, vx, vw)
    tp, tt = _fwd(torch, tfw, TF, build, tx, tw, tvx, tvw)
    assert_close(p, tp, rtol=1e-9, atol=1e-10)
    assert_close(t, tt, rtol=1e-9, atol=1e-10)
    assert p.requires_grad == tp.requires_grad and t.requires_grad == tt.requires_grad
    assert t.dtype == minitorch.float64


def test_unpack_dual_namedtuple_and_none_tangent():
    (x, tx), (v, tv) = _pair(3), _pair(3, seed=1)
    with mfw.dual_level() as level:
        assert level == 0
        d = mfw.make_dual(x, v)
        u = mfw.unpack_dual(d)
        assert type(u).__name__ == "UnpackedDualTensor" and u._fields == ("primal", "tangent")
        assert u.tangent is v
        assert mfw.unpack_dual(x).tangent is None  # not a dual tensor
        assert mfw.unpack_dual(x * 2).tangent is None  # does not depend on a dual tensor
        y = d * 2
        assert_close(mfw.unpack_dual(y).tangent, 2 * tv)
        assert_close(mfw.unpack_dual(y).tangent, 2 * tv)  # unpack twice: the graph is kept
        assert not mfw.unpack_dual(y).primal.requires_grad
    assert mfw.unpack_dual(y).tangent is None  # the level is gone
    with tfw.dual_level():
        assert tfw.unpack_dual(tx).tangent is None


def test_tangent_is_differentiable_through_an_outer_graph():
    (x, tx) = _pair(3, requires_grad=True)
    (v, tv) = _pair(3, seed=1)
    with mfw.dual_level():
        p, t = mfw.unpack_dual(mfw.make_dual(x, v).sin() * x)
    with tfw.dual_level():
        tp, tt = tfw.unpack_dual(tfw.make_dual(tx, tv).sin() * tx)
    assert p.requires_grad and t.requires_grad and tp.requires_grad and tt.requires_grad
    assert_close(t, tt)
    assert_close(minitorch.autograd.grad(t.sum(), x)[0], torch.autograd.grad(tt.sum(), tx)[0])


def test_decorator_and_enter_exit():
    @mfw.dual_level()
    def f(x, v):
        return mfw.unpack_dual(mfw.make_dual(x, v).exp()).tangent

    (x, tx), (v, tv) = _pair(3), _pair(3, seed=1)
    assert_close(f(x, v), tx.exp() * tv)
    assert mfw.enter_dual_level() == 0
    mfw.exit_dual_level()


ERRORS = [
    (lambda fw, lib, x: fw.make_dual(x, x), RuntimeError, False),
    (lambda fw, lib, x: fw.make_dual(x, lib.ones(2, dtype=lib.float64)), RuntimeError, True),
    (lambda fw, lib, x: fw.make_dual(lib.ones(3, dtype=lib.int64), lib.ones(3, dtype=lib.int64)), ValueError, True),
    (lambda fw, lib, x: fw.enter_dual_level(), RuntimeError, True),
    (lambda fw, lib, x: fw.make_dual(x, x, level=3), RuntimeError, True),
    (lambda fw, lib, x: fw.unpack_dual(fw.make_dual(x, x) * 2, level=3), RuntimeError, True),
    (lambda fw, lib, x: fw.unpack_dual(3.0), TypeError, True),
    (lambda fw, lib, x: fw.exit_dual_level(), RuntimeError, False),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_errors_like_torch(i):
    call, exc, in_level = ERRORS[i]
    (x, tx) = _pair(3)
    msgs = []
    for fw, lib, arg in ((tfw, torch, tx), (mfw, minitorch, x)):
        if in_level:
            fw.enter_dual_level()
        try:
            with pytest.raises(exc) as err:
                call(fw, lib, arg)
            msgs.append(str(err.value))
        finally:
            if in_level:
                fw.exit_dual_level()
    assert msgs[0] == msgs[1]
