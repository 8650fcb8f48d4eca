"""RNN / LSTM / GRU and their cells against torch: same weights, outputs, states and gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from tests.helpers import devices, raises_like_torch, require_torch
from tests.test_nn_layers import compare_module, rand

torch = require_torch()

CONFIGS = [
    ("basic", {}, (5, 3, 4)),
    ("batch_first", {"batch_first": True}, (3, 5, 4)),
    ("bidirectional", {"bidirectional": True}, (5, 2, 4)),
    ("2layers-bidir-bf", {"num_layers": 2, "bidirectional": True, "batch_first": True}, (2, 4, 4)),
    ("2layers-nobias", {"num_layers": 2, "bias": False}, (4, 3, 4)),
    ("unbatched", {"num_layers": 2}, (6, 4)),
]
KINDS = [
    ("RNN", lambda L, kw: L.nn.RNN(4, 5, **kw)),
    ("RNN-relu", lambda L, kw: L.nn.RNN(4, 5, nonlinearity="relu", **kw)),
    ("LSTM", lambda L, kw: L.nn.LSTM(4, 5, **kw)),
    ("GRU", lambda L, kw: L.nn.GRU(4, 5, **kw)),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("cname,kw,shape", CONFIGS, ids=[c[0] for c in CONFIGS])
@pytest.mark.parametrize("kname,build", KINDS, ids=[k[0] for k in KINDS])
def test_recurrent_layer_matches_torch(kname, build, cname, kw, shape, device):
    compare_module(lambda L: build(L, kw), [rand(*shape)], device=device)
    tm, mm = build(torch, kw), build(minitorch, kw)
    assert repr(mm) == repr(tm)
    assert list(mm.state_dict()) == list(tm.state_dict())


@given(kind=st.sampled_from(["RNN", "LSTM", "GRU"]), layers=st.integers(1, 2), bidir=st.booleans(),
       batch_first=st.booleans(), bias=st.booleans(), seq=st.integers(1, 4), batch=st.integers(1, 3),
       sizes=st.tuples(st.integers(1, 4), st.integers(1, 4)))
def test_recurrent_random_configs_match_torch(kind, layers, bidir, batch_first, bias, seq, batch, sizes):
    n_in, hidden = sizes
    kw = dict(num_layers=layers, bidirectional=bidir, batch_first=batch_first, bias=bias)
    shape = (batch, seq, n_in) if batch_first else (seq, batch, n_in)
    compare_module(lambda L: getattr(L.nn, kind)(n_in, hidden, **kw), [rand(*shape)])


@pytest.mark.parametrize("kname,build", KINDS, ids=[k[0] for k in KINDS])
def test_recurrent_layer_with_initial_state(kname, build):
    kw = {"num_layers": 2, "bidirectional": True}
    x = rand(4, 3, 4)
    h0 = rand(4, 3, 5, seed=5)
    if kname == "LSTM":
        c0 = rand(4, 3, 5, seed=6)

        def call(m, args):
            lib = torch if isinstance(m, torch.nn.Module) else minitorch
            return m(args[0], (args[1], lib.tensor(c0, requires_grad=False) * 1.0))
    else:
        def call(m, args):
            return m(args[0], args[1])
    compare_module(lambda L: build(L, kw), [x, h0], call=call)


def test_lstm_unbatched_initial_state_and_gate_order():
    """Unbatched input with (h0, c0) of shape (layers, H); a hand-made LSTM step checks gate order i,f,g,o."""
    c0 = rand(1, 5, seed=6)
    compare_module(lambda L: L.nn.LSTM(4, 5), [rand(3, 4), rand(1, 5, seed=5)],
                   call=lambda m, a: m(a[0], (a[1], (torch if isinstance(m, torch.nn.Module) else minitorch)
                                              .tensor(c0))))
    m = minitorch.nn.LSTM(2, 3, bias=False)
    w_ih, w_hh = m.weight_ih_l0.detach().numpy(), m.weight_hh_l0.detach().numpy()
    x = rand(1, 1, 2)
    g = x[0] @ w_ih.T  # h0 = 0 so only the input contributes
    i, f, gg, o = np.split(g, 4, axis=1)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c = sig(i) * np.tanh(gg)
    h = sig(o) * np.tanh(c)
    out, (hn, cn) = m(minitorch.tensor(x))
    np.testing.assert_allclose(hn.detach().numpy()[0], h, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(cn.detach().numpy()[0], c, rtol=1e-5, atol=1e-6)
    assert w_hh.shape == (12, 3)


def test_dropout_between_layers_only_in_training():
    kw = {"num_layers": 3, "dropout": 0.5}
    x = rand(4, 2, 4)
    tm, mm = compare_module(lambda L: L.nn.GRU(4, 5, **kw), [x], train=False)  # eval: no dropout
    mm.train()
    minitorch.manual_seed(0)
    a = mm(minitorch.tensor(x))[0].detach().numpy()
    minitorch.manual_seed(1)
    b = mm(minitorch.tensor(x))[0].detach().numpy()
    assert not np.allclose(a, b)  # dropout active between layers in training
    assert repr(mm) == repr(tm)
    with pytest.warns(UserWarning, match="num_layers"):
        minitorch.nn.LSTM(3, 4, dropout=0.2)


CELLS = [
    ("RNNCell", lambda L: L.nn.RNNCell(4, 5)),
    ("RNNCell-relu-nobias", lambda L: L.nn.RNNCell(4, 5, bias=False, nonlinearity="relu")),
    ("LSTMCell", lambda L: L.nn.LSTMCell(4, 5)),
    ("GRUCell", lambda L: L.nn.GRUCell(4, 5)),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,build", CELLS, ids=[c[0] for c in CELLS])
def test_cell_matches_torch(name, build, device):
    compare_module(build, [rand(3, 4)], device=device)  # zero initial state
    compare_module(build, [rand(4)], device=device)  # unbatched
    h = rand(3, 5, seed=4)
    if name == "LSTMCell":
        compare_module(build, [rand(3, 4), h, rand(3, 5, seed=5)], call=lambda m, a: m(a[0], (a[1], a[2])))
    else:
        compare_module(build, [rand(3, 4), h])
    tm, mm = build(torch), build(minitorch)
    assert repr(mm) == repr(tm)
    assert list(mm.state_dict()) == list(tm.state_dict())


def test_cell_loop_equals_layer():
    """Running LSTMCell over time with the layer's weights reproduces nn.LSTM."""
    layer = minitorch.nn.LSTM(3, 4)
    cell = minitorch.nn.LSTMCell(3, 4)
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = minitorch.tensor(rand(5, 2, 3))
    out, (hn, cn) = layer(x)
    h = c = minitorch.zeros(2, 4)
    for t in range(5):
        h, c = cell(x[t], (h, c))
    np.testing.assert_allclose(h.detach().numpy(), hn.detach().numpy()[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.detach().numpy(), cn.detach().numpy()[0], rtol=1e-5, atol=1e-6)


BAD = [
    ("rank", lambda L: L.nn.LSTM(4, 5)(L.ones(2, 3, 4, 4))),
    ("input size", lambda L: L.nn.GRU(4, 5)(L.ones(2, 3, 3))),
    ("hidden shape", lambda L: L.nn.RNN(4, 5)(L.ones(2, 3, 4), L.ones(1, 2, 5))),
    ("cell rank", lambda L: L.nn.GRUCell(4, 5)(L.ones(2, 3, 4))),
    ("dropout range", lambda L: L.nn.LSTM(4, 5, dropout=1.5)),
    ("nonlinearity", lambda L: L.nn.RNN(4, 5, nonlinearity="gelu")),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_bad_recurrent_input_raises_torch_type(name, fn):
    raises_like_torch(lambda: fn(torch), lambda: fn(minitorch))


def test_default_init_is_uniform_one_over_sqrt_hidden():
    minitorch.manual_seed(0)
    m = minitorch.nn.GRU(8, 16, num_layers=2)
    bound = 1 / np.sqrt(16)
    vals = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert vals.min() >= -bound and vals.max() <= bound
    assert abs(vals.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert abs(vals.mean()) < 0.05 * bound


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("kw", [{}, {"bidirectional": True, "bias": False, "num_layers": 2}],
                         ids=["uni", "bi-nobias-2"])
@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_recurrent_gradcheck_and_gradgradcheck_in_float64(device, kw, kind):
    """The sequence node (array BPTT; Tensor-op BPTT under create_graph) has exact first and second
    derivatives with respect to the input, the initial states and the weights."""
    from minitorch.autograd import gradcheck, gradgradcheck

    minitorch.manual_seed(0)
    layer = getattr(minitorch.nn, kind)(3, 4, batch_first=True, **kw).double().to(device)
    states = (2 if kw else 1) * (2 if kw else 1)
    x = minitorch.randn(2, 5, 3, dtype=minitorch.float64, device=device, requires_grad=True)
    h0 = minitorch.randn(states, 2, 4, dtype=minitorch.float64, device=device, requires_grad=True)
    c0 = minitorch.randn(states, 2, 4, dtype=minitorch.float64, device=device, requires_grad=True)
    w_hh = layer.weight_hh_l0

    def run(x, h0, c0, w):
        layer._parameters["weight_hh_l0"] = w  # the weight as gradcheck hands it over
        return _outputs(layer(x, (h0, c0)) if kind == "LSTM" else layer(x, h0))

    try:
        assert gradcheck(run, (x, h0, c0, w_hh))
        assert gradgradcheck(run, (x, h0, c0, w_hh))
    finally:
        layer._parameters["weight_hh_l0"] = w_hh


def _outputs(out):
    """(output, h_n[, c_n]) as a flat tuple."""
    seq, state = out
    return (seq, *state) if isinstance(state, tuple) else (seq, state)


def test_fused_lstm_step_equals_the_op_by_op_formula():
    from minitorch.nn.functional.recurrent import lstm_pointwise

    rng = np.random.default_rng(3)
    gates = minitorch.tensor(rng.standard_normal((3, 8)), requires_grad=True)
    c = minitorch.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    h1, c1 = lstm_pointwise(gates, c)
    i, f, g, o = gates.chunk(4, -1)
    c2 = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h2 = o.sigmoid() * c2.tanh()
    np.testing.assert_allclose(h1.detach().numpy(), h2.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(c1.detach().numpy(), c2.detach().numpy(), rtol=1e-12)
    up_h, up_c = minitorch.tensor(rng.standard_normal((3, 2))), minitorch.tensor(rng.standard_normal((3, 2)))
    ga = minitorch.autograd.grad([h1, c1], [gates, c], [up_h, up_c])
    gb = minitorch.autograd.grad([h2, c2], [gates, c], [up_h, up_c])
    for a, b in zip(ga, gb):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12)


def test_fused_lstm_step_second_derivatives():
    from minitorch.autograd import gradcheck, gradgradcheck
    from minitorch.nn.functional.recurrent import lstm_pointwise

    rng = np.random.default_rng(5)
    gates = minitorch.tensor(rng.standard_normal((2, 8)), requires_grad=True)
    c = minitorch.tensor(rng.standard_normal((2, 2)), requires_grad=True)
    assert gradcheck(lstm_pointwise, (gates, c))
    assert gradgradcheck(lstm_pointwise, (gates, c))


# ------------------------------------------------------------------ LSTM(proj_size=...) ------------------
PROJ_CONFIGS = [
    ("uni", {}, (5, 3, 4)),
    ("2layers-bidir-bf", {"num_layers": 2, "bidirectional": True, "batch_first": True}, (3, 4, 4)),
    ("nobias", {"bias": False}, (4, 2, 4)),
    ("unbatched", {"num_layers": 2}, (6, 4)),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("cname,kw,shape", PROJ_CONFIGS, ids=[c[0] for c in PROJ_CONFIGS])
def test_lstm_with_projection_matches_torch(cname, kw, shape, device):
    """h_t = (o_t tanh(c_t)) W_hr^T: outputs and h_n are proj_size wide, c_n hidden_size wide; the
    gradients of every weight (weight_hr_l* included) and of the input equal torch's."""
    build = lambda L: L.nn.LSTM(4, 5, proj_size=2, **kw)  # noqa: E731
    compare_module(build, [rand(*shape)], device=device)
    tm, mm = build(torch), build(minitorch)
    assert repr(mm) == repr(tm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    assert [tuple(p.shape) for p in mm.parameters()] == [tuple(p.shape) for p in tm.parameters()]


def test_lstm_with_projection_and_initial_state_matches_torch():
    h0, c0 = rand(4, 3, 2, seed=5), rand(4, 3, 5, seed=6)

    def call(m, args):
        return m(args[0], (args[1], args[2]))

    compare_module(lambda L: L.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2),
                   [rand(4, 3, 4), h0, c0], call=call)


@pytest.mark.parametrize("enforce,lengths", [(True, [5, 3, 3, 1]), (False, [2, 5, 1, 3])], ids=["sorted", "unsorted"])
def test_packed_lstm_with_projection_matches_torch(enforce, lengths):
    from torch.nn.utils import rnn as TR

    from minitorch.nn.utils import rnn as MR

    h0, c0 = rand(4, 4, 2, seed=5), rand(4, 4, 5, seed=6)

    def call(m, args):
        R = TR if isinstance(m, torch.nn.Module) else MR
        out, (h, c) = m(R.pack_padded_sequence(args[0], lengths, enforce_sorted=enforce), (args[1], args[2]))
        return R.pad_packed_sequence(out)[0], h, c

    compare_module(lambda L: L.nn.LSTM(4, 5, num_layers=2, bidirectional=True, proj_size=2),
                   [rand(6, 4, 4), h0, c0], call=call)


@pytest.mark.parametrize("packed", [False, True], ids=["padded", "packed"])
def test_lstm_projection_gradcheck_and_gradgradcheck_in_float64(packed):
    from minitorch.autograd import gradcheck, gradgradcheck
    from minitorch.nn.utils import rnn as MR

    minitorch.manual_seed(0)
    layer = minitorch.nn.LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True).double()
    kw = {"dtype": minitorch.float64, "requires_grad": True}
    x, h0, c0 = minitorch.randn(4, 3, 3, **kw), minitorch.randn(4, 3, 2, **kw), minitorch.randn(4, 3, 4, **kw)
    w_hr = layer.weight_hr_l0_reverse

    def run(x, h0, c0, w):
        layer._parameters["weight_hr_l0_reverse"] = w
        if packed:
            out, (h, c) = layer(MR.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False), (h0, c0))
            return MR.pad_packed_sequence(out)[0], h, c
        out, (h, c) = layer(x, (h0, c0))
        return out, h, c

    try:
        assert gradcheck(run, (x, h0, c0, w_hr))
        assert gradgradcheck(run, (x, h0, c0, w_hr))
    finally:
        layer._parameters["weight_hr_l0_reverse"] = w_hr


BAD_PROJ = [
    ("proj >= hidden", lambda L: L.nn.LSTM(4, 5, proj_size=5)),
    ("negative proj", lambda L: L.nn.LSTM(4, 5, proj_size=-1)),
    ("GRU proj", lambda L: L.nn.GRU(4, 5, proj_size=2)),
    ("RNN proj", lambda L: L.nn.RNN(4, 5, proj_size=2)),
    ("h0 of hidden width", lambda L: L.nn.LSTM(4, 5, proj_size=2)(L.ones(3, 2, 4), (L.ones(1, 2, 5), L.ones(1, 2, 5)))),
    ("c0 of proj width", lambda L: L.nn.LSTM(4, 5, proj_size=2)(L.ones(3, 2, 4), (L.ones(1, 2, 2), L.ones(1, 2, 2)))),
]


@pytest.mark.parametrize("name,fn", BAD_PROJ, ids=[b[0] for b in BAD_PROJ])
def test_bad_projection_raises_torch_type(name, fn):
    raises_like_torch(lambda: fn(torch), lambda: fn(minitorch))
