"""torch's top-level copies of the functional ops (ATen positional signatures) and the top-level odds and ends
(minitorch/functional_aliases.py, minitorch/toplevel_extras.py), each called the way torch is called and
compared with torch: values, dtypes, gradients, errors."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import minitorch
from minitorch.autograd.gradcheck import gradcheck

from .helpers import assert_close, devices, no_host_sync, require_torch

torch = require_torch()
RNG = np.random.default_rng(0)


def arr(*shape, positive=False, low=-1.0, high=1.0):
    a = RNG.uniform(low, high, shape)
    return np.abs(a) + 0.1 if positive else a


class G:
    """An input that requires grad (a float64 array)."""

    def __init__(self, a):
        self.a = np.asarray(a, dtype=np.float64)


class C:
    """An input without grad (any dtype)."""

    def __init__(self, a):
        self.a = np.asarray(a)


def _build(lib, args, device="cpu"):
    out, leaves = [], []
    for a in args:
        if isinstance(a, G):
            if lib is torch:
                t = torch.tensor(a.a.copy(), requires_grad=True)
            else:
                t = minitorch.tensor(a.a.copy(), device=device).requires_grad_(True)
            leaves.append(t)
            out.append(t)
        elif isinstance(a, C):
            out.append(torch.tensor(a.a.copy()) if lib is torch else minitorch.tensor(a.a.copy(), device=device))
        elif isinstance(a, list) and a and isinstance(a[0], (G, C)):
            built, sub = _build(lib, a, device)
            out.append(built)
            leaves.extend(sub)
        else:
            out.append(a)
    return out, leaves


def _flat(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _float_outputs(outs):
    return [o for o in outs if (o.is_floating_point() if hasattr(o, "is_floating_point") else False)]


# (name, args, kwargs); every G input is compared for its gradient
ROWS = [
    ("conv1d", [G(arr(2, 4, 9)), G(arr(6, 2, 3)), G(arr(6)), 2, 1, 1, 2], {}),
    ("conv2d", [G(arr(2, 3, 6, 6)), G(arr(4, 3, 3, 3)), None, [1, 2], [1, 0], 1, 1], {}),
    ("conv2d", [G(arr(1, 2, 5, 5)), G(arr(3, 2, 3, 3)), G(arr(3)), 1, "same"], {}),
    ("conv3d", [G(arr(1, 2, 4, 4, 4)), G(arr(3, 2, 2, 2, 2)), G(arr(3)), 1, 0, 1, 1], {}),
    ("conv_transpose1d", [G(arr(2, 4, 5)), G(arr(4, 3, 3)), G(arr(3)), 2, 1, 1, 1, 1], {}),
    ("conv_transpose2d", [G(arr(1, 2, 4, 4)), G(arr(2, 3, 3, 3)), None, 2, 1, 1, 1, 1], {}),
    ("conv_transpose3d", [G(arr(1, 2, 3, 3, 3)), G(arr(2, 2, 2, 2, 2)), G(arr(2)), 1, 0, 0, 1, 1], {}),
    ("conv_tbc", [G(arr(7, 2, 3)), G(arr(3, 3, 4)), G(arr(4)), 1], {}),
    ("convolution", [G(arr(2, 3, 6, 6)), G(arr(4, 3, 3, 3)), G(arr(4)), [1, 1], [1, 1], [1, 1], False, [0, 0], 1],
     {}),
    ("convolution", [G(arr(1, 4, 5)), G(arr(4, 2, 3)), None, [2], [1], [1], True, [1], 2], {}),
    ("avg_pool1d", [G(arr(2, 3, 9)), [3], [2], [1], True, False], {}),
    ("avg_pool1d", [G(arr(2, 3, 8)), 2], {}),
    ("max_pool1d", [G(arr(2, 3, 9)), [3], [], [1]], {}),
    ("max_pool1d_with_indices", [G(arr(2, 3, 9)), 3, 2, 1, 1, True], {}),
    ("max_pool2d", [G(arr(2, 3, 6, 6)), [2, 2], [], 0, 1, False], {}),
    ("max_pool3d", [G(arr(1, 2, 4, 4, 4)), 2], {}),
    ("adaptive_avg_pool1d", [G(arr(2, 3, 10)), [4]], {}),
    ("adaptive_max_pool1d", [G(arr(2, 3, 10)), [4]], {}),
    ("batch_norm", [G(arr(4, 3, 5)), G(arr(3)), G(arr(3)), None, None, True, 0.1, 1e-5, False], {}),
    ("batch_norm", [G(arr(4, 3)), G(arr(3)), None, C(arr(3)), C(arr(3, positive=True)), False, 0.1, 1e-5,
                    True], {}),
    ("layer_norm", [G(arr(3, 4, 5)), [4, 5], G(arr(4, 5)), G(arr(4, 5)), 1e-5, True], {}),
    ("layer_norm", [G(arr(3, 5)), [5]], {}),
    ("group_norm", [G(arr(2, 6, 4)), 3, G(arr(6)), G(arr(6)), 1e-5, True], {}),
    ("instance_norm", [G(arr(2, 3, 6)), G(arr(3)), G(arr(3)), None, None, True, 0.1, 1e-5, False], {}),
    ("rms_norm", [G(arr(3, 4)), [4], G(arr(4)), 1e-6], {}),
    ("native_batch_norm", [G(arr(4, 3, 5)), G(arr(3)), G(arr(3)), None, None, True, 0.1, 1e-5], {}),
    ("native_batch_norm", [G(arr(4, 3)), None, None, C(arr(3)), C(arr(3, positive=True)), False, 0.1, 1e-5], {}),
    ("native_layer_norm", [G(arr(3, 4, 5)), [5], G(arr(5)), G(arr(5)), 1e-5], {}),
    ("native_group_norm", [G(arr(2, 6, 4)), G(arr(6)), G(arr(6)), 2, 6, 4, 3, 1e-5], {}),
    ("dropout", [G(arr(3, 4)), 0.3, False], {}),
    ("alpha_dropout", [G(arr(3, 4)), 0.3, False], {}),
    ("feature_dropout", [G(arr(3, 4, 2)), 0.3, False], {}),
    ("feature_alpha_dropout", [G(arr(3, 4, 2)), 0.5, False], {}),
    ("embedding", [G(arr(10, 3)), C(np.array([[1, 2, 4], [4, 3, 9]])), 2], {}),
    ("embedding", [G(arr(10, 3)), C(np.array([1, 1, 4])), -1, True], {}),
    ("embedding_bag", [G(arr(10, 3)), C(np.array([1, 2, 4, 5, 4, 3])), C(np.array([0, 2, 2])), False, 0], {}),
    ("embedding_bag", [G(arr(10, 3)), C(np.array([1, 2, 4, 5, 4, 3])), C(np.array([0, 2, 2])), False, 1], {}),
    ("embedding_bag", [G(arr(10, 3)), C(np.array([1, 2, 4, 5, 4, 3])), C(np.array([0, 2, 2])), False, 2], {}),
    ("bilinear", [G(arr(4, 3)), G(arr(4, 2)), G(arr(5, 3, 2)), G(arr(5))], {}),
    ("binary_cross_entropy_with_logits", [G(arr(4, 3)), C(RNG.uniform(0, 1, (4, 3))), C(arr(4, 3)),
                                          C(arr(3, positive=True)), 2], {}),
    ("binary_cross_entropy_with_logits", [G(arr(4, 3)), C(RNG.uniform(0, 1, (4, 3)))], {}),
    ("celu", [G(arr(3, 4)), 0.7], {}),
    ("selu", [G(arr(3, 4))], {}),
    ("rrelu", [G(arr(3, 4)), 0.1, 0.3, False], {}),
    ("prelu", [G(arr(2, 3, 4)), G(arr(3))], {}),
    ("threshold", [G(arr(3, 4)), 0.1, -2.0], {}),
    ("hardshrink", [G(arr(3, 4)), 0.3], {}),
    ("pixel_shuffle", [G(arr(1, 8, 2, 3)), 2], {}),
    ("pixel_unshuffle", [G(arr(1, 2, 4, 6)), 2], {}),
    ("channel_shuffle", [G(arr(1, 6, 2, 2)), 3], {}),
    ("native_channel_shuffle", [C(arr(1, 6, 2, 2)), 2], {}),  # torch has no derivative for it
    ("cosine_similarity", [G(arr(4, 5)), G(arr(4, 5)), 1, 1e-8], {}),
    ("pairwise_distance", [G(arr(4, 5)), G(arr(4, 5)), 3.0, 1e-6, True], {}),
    ("pdist", [G(arr(5, 3))], {}),
    ("pdist", [G(arr(4, 3)), 1.0], {}),
    ("pdist", [G(arr(4, 3)), 3.0], {}),
    ("kl_div", [G(arr(3, 4)), G(RNG.uniform(0.1, 1, (3, 4)))], {}),
    ("kl_div", [G(arr(3, 4)), G(RNG.uniform(0.1, 1, (3, 4))), 1], {}),
    ("hinge_embedding_loss", [G(arr(5)), C(np.sign(arr(5)))], {}),
    ("ctc_loss", [C(np.log(RNG.dirichlet(np.ones(4), (6, 2)))), C(np.array([[1, 2], [3, 1]])), [6, 5], [2, 2]], {}),
    ("kl_div", [G(arr(3, 4)), G(arr(3, 4)), 2], {"log_target": True}),
    ("margin_ranking_loss", [G(arr(5)), G(arr(5)), C(np.sign(arr(5))), 0.2, 0], {}),
    ("hinge_embedding_loss", [G(arr(5)), C(np.sign(arr(5))), 0.5, 2], {}),
    ("cosine_embedding_loss", [G(arr(4, 3)), G(arr(4, 3)), C(np.sign(arr(4))), 0.1, 1], {}),
    ("poisson_nll_loss", [G(arr(4, 3)), C(RNG.uniform(0, 3, (4, 3))), True, True, 1e-8, 1], {}),
    ("poisson_nll_loss", [G(arr(4, 3, positive=True)), C(RNG.uniform(0, 3, (4, 3))), False, False, 1e-8, 0], {}),
    ("triplet_margin_loss", [G(arr(4, 3)), G(arr(4, 3)), G(arr(4, 3)), 1.0, 2.0, 1e-6, True, 2], {}),
    ("constant_pad_nd", [G(arr(2, 3, 4)), [1, 2, -1, 0], 0.5], {}),
    ("grid_sampler", [G(arr(1, 2, 4, 5)), G(arr(1, 3, 3, 2) * 0.9), 0, 0, False], {}),
    ("grid_sampler_2d", [G(arr(1, 2, 4, 5)), G(arr(1, 3, 3, 2) * 0.9), 0, 1, True], {}),
    ("affine_grid_generator", [G(arr(2, 2, 3)), [2, 1, 4, 5], False], {}),
    ("lstm_cell", [G(arr(3, 4)), [G(arr(3, 5)), G(arr(3, 5))], G(arr(20, 4)), G(arr(20, 5)), G(arr(20)),
                   G(arr(20))], {}),
    ("gru_cell", [G(arr(3, 4)), G(arr(3, 5)), G(arr(15, 4)), G(arr(15, 5)), G(arr(15)), G(arr(15))], {}),
    ("rnn_tanh_cell", [G(arr(3, 4)), G(arr(3, 5)), G(arr(5, 4)), G(arr(5, 5))], {}),
    ("rnn_relu_cell", [G(arr(3, 4)), G(arr(3, 5)), G(arr(5, 4)), G(arr(5, 5)), G(arr(5)), G(arr(5))], {}),
    ("fill", [G(arr(3, 4)), G(np.array(2.5))], {}),
    ("fill", [G(arr(3, 4)), 1.5], {}),
    ("rsub", [G(arr(3, 4)), G(arr(4))], {"alpha": 2}),
    ("rsub", [G(arr(3, 4)), 2.0], {}),
    ("frobenius_norm", [G(arr(3, 4)), [0, 1], True], {}),
    ("frobenius_norm", [G(arr(3, 4, 2)), [2]], {}),
    ("nuclear_norm", [G(arr(3, 4))], {}),
    ("nuclear_norm", [G(arr(2, 3, 4)), [1, 2], True], {}),
    ("norm_except_dim", [G(arr(3, 4, 2)), 2, 1], {}),
    ("norm_except_dim", [G(arr(3, 4)), 3, -1], {}),
    ("chain_matmul", [G(arr(2, 3)), G(arr(3, 4)), G(arr(4, 2))], {}),
    ("segment_reduce", [G(arr(6, 2)), "sum"], {"lengths": C(np.array([2, 0, 4]))}),
    ("segment_reduce", [G(arr(6)), "mean"], {"lengths": C(np.array([2, 0, 4]))}),
    ("segment_reduce", [G(arr(6)), "mean"], {"lengths": C(np.array([2, 0, 4])), "initial": 1.0}),
    ("segment_reduce", [G(arr(6, 3)), "max"], {"offsets": C(np.array([0, 2, 2, 6]))}),
    ("segment_reduce", [G(arr(6)), "min"], {"lengths": C(np.array([3, 3])), "initial": -0.5}),
    ("segment_reduce", [G(arr(6, positive=True)), "prod"], {"lengths": C(np.array([2, 0, 4]))}),
    ("adjoint", [G(arr(2, 3, 4))], {}),
    ("scalar_tensor", [3], {}),
    ("scalar_tensor", [True], {"dtype": "int64"}),
    ("nonzero_static", [C(np.array([[0, 1], [1, 1]]))], {"size": 5}),
    ("nonzero_static", [C(np.array([0, 1, 1, 1]))], {"size": 2, "fill_value": 9}),
    ("nonzero_static", [C(np.array([[0.0, 2.0, 0.0]]))], {"size": 1}),
]


def _ids(rows):
    return [f"{i}-{r[0]}" for i, r in enumerate(rows)]


def _kw(lib, kwargs, device="cpu"):
    out = {}
    for k, v in kwargs.items():
        if isinstance(v, (G, C)):
            out[k] = _build(lib, [v], device)[0][0]
        elif k == "dtype":
            out[k] = getattr(lib, v)
        else:
            out[k] = v
    return out


def _run(lib, name, args, kwargs, device="cpu"):
    built, leaves = _build(lib, args, device)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = getattr(lib, name)(*built, **_kw(lib, kwargs, device))
    return result, leaves


@pytest.mark.parametrize("row", ROWS, ids=_ids(ROWS))
def test_alias_matches_torch(row):
    name, args, kwargs = row
    got, got_leaves = _run(minitorch, name, args, kwargs)
    want, want_leaves = _run(torch, name, args, kwargs)
    got_outs, want_outs = _flat(got), _flat(want)
    assert len(got_outs) == len(want_outs), name
    for g, w in zip(got_outs, want_outs):
        assert isinstance(g, minitorch.Tensor)
        assert str(g.dtype).split(".")[-1] == str(w.dtype).split(".")[-1], (name, g.dtype, w.dtype)
        assert_close(g, w, rtol=1e-6, atol=1e-8, msg=name)
    floats = [(g, w) for g, w in zip(got_outs, want_outs) if w.requires_grad]
    if not floats or not want_leaves:
        return
    seeds = [RNG.standard_normal(tuple(w.shape)) for _, w in floats]
    minitorch.autograd.backward([g for g, _ in floats], [minitorch.tensor(s) for s in seeds])
    torch.autograd.backward([w for _, w in floats], [torch.tensor(s) for s in seeds])
    for gl, wl in zip(got_leaves, want_leaves):
        if wl.grad is None:
            assert gl.grad is None or not np.any(gl.grad.numpy()), name
        else:
            assert gl.grad is not None, name
            assert_close(gl.grad, wl.grad, rtol=1e-5, atol=1e-7, msg=f"{name} grad")


GRADCHECK = ["conv_tbc", "convolution", "max_pool1d_with_indices", "batch_norm", "native_layer_norm",
             "native_group_norm", "pdist", "kl_div", "poisson_nll_loss", "fill", "rsub",
             "nuclear_norm", "norm_except_dim", "segment_reduce", "embedding_bag", "constant_pad_nd", "gru_cell"]
# empty segments give nan / -inf outputs, where finite differences are undefined
GC_ROWS = [r for r in ROWS if r[0] in GRADCHECK and not (r[0] == "segment_reduce" and "lengths" in r[2]
                                                          and 0 in r[2]["lengths"].a)
           and not (r[0] == "segment_reduce" and "offsets" in r[2])]


@pytest.mark.parametrize("row", GC_ROWS, ids=_ids(GC_ROWS))
def test_alias_gradcheck(row):
    name, args, kwargs = row
    built, leaves = _build(minitorch, args)
    kw = _kw(minitorch, kwargs)
    positions = [i for i, a in enumerate(built) if any(a is leaf for leaf in leaves)]
    assert positions

    differentiable = [k for k, o in enumerate(_flat(getattr(minitorch, name)(*built, **kw))) if o.requires_grad]

    def fn(*xs):
        call = list(built)
        for p, x in zip(positions, xs):
            call[p] = x
        outs = _flat(getattr(minitorch, name)(*call, **kw))
        return minitorch.cat([outs[k].reshape(-1) for k in differentiable])

    assert gradcheck(fn, tuple(built[p] for p in positions))


# ---------------------------------------------------------------- recurrent layers -------------------------
def _rnn_params(mode, layers, bidirectional, bias, proj=0, inp=3, hid=4):
    gates = {"lstm": 4, "gru": 3}.get(mode, 1)
    params = []
    for layer in range(layers):
        for _ in range(2 if bidirectional else 1):
            width = inp if layer == 0 else (proj or hid) * (2 if bidirectional else 1)
            params += [G(arr(gates * hid, width)), G(arr(gates * hid, proj or hid))]
            if bias:
                params += [G(arr(gates * hid)), G(arr(gates * hid))]
            if proj:
                params.append(G(arr(proj, hid)))
    return params


@pytest.mark.parametrize("mode", ["lstm", "gru", "rnn_tanh", "rnn_relu"])
@pytest.mark.parametrize("layers,bidirectional,bias,batch_first", [(1, False, True, False), (2, True, False, True)])
def test_recurrent_layers_match_torch(mode, layers, bidirectional, bias, batch_first):
    d = 2 if bidirectional else 1
    x = G(arr(2, 5, 3) if batch_first else arr(5, 2, 3))
    hx = [G(arr(layers * d, 2, 4)), G(arr(layers * d, 2, 4))] if mode == "lstm" else G(arr(layers * d, 2, 4))
    params = _rnn_params(mode, layers, bidirectional, bias)
    args = [x, hx, params, bias, layers, 0.0, False, bidirectional, batch_first]
    got, got_leaves = _run(minitorch, mode, args, {})
    want, want_leaves = _run(torch, mode, args, {})
    assert len(got) == len(want)
    seeds = [RNG.standard_normal(tuple(w.shape)) for w in want]
    for g, w in zip(got, want):
        assert_close(g, w, msg=mode)
    minitorch.autograd.backward(list(got), [minitorch.tensor(s) for s in seeds])
    torch.autograd.backward(list(want), [torch.tensor(s) for s in seeds])
    for gl, wl in zip(got_leaves, want_leaves):
        assert_close(gl.grad, wl.grad, msg=f"{mode} grad")


def test_lstm_with_projection_and_packed_overload():
    lstm_t = torch.nn.LSTM(3, 4, proj_size=2).double()
    params = [p.detach().numpy() for p in lstm_t._flat_weights]
    x = arr(5, 2, 3)
    h0, c0 = arr(1, 2, 2), arr(1, 2, 4)
    want = torch.lstm(torch.tensor(x), [torch.tensor(h0), torch.tensor(c0)], [torch.tensor(p) for p in params],
                      True, 1, 0.0, False, False, False)
    got = minitorch.lstm(minitorch.tensor(x), [minitorch.tensor(h0), minitorch.tensor(c0)],
                         [minitorch.tensor(p) for p in params], True, 1, 0.0, False, False, False)
    for g, w in zip(got, want):
        assert_close(g, w)
    # packed: data (sum(batch_sizes), H_in), batch_sizes [2, 2, 1]
    gru_t = torch.nn.GRU(3, 4).double()
    gp = [p.detach().numpy() for p in gru_t._flat_weights]
    data, sizes, h = arr(5, 3), np.array([2, 2, 1]), arr(1, 2, 4)
    want = torch.gru(torch.tensor(data), torch.tensor(sizes), torch.tensor(h), [torch.tensor(p) for p in gp], True,
                     1, 0.0, False, False)
    got = minitorch.gru(minitorch.tensor(data), minitorch.tensor(sizes), minitorch.tensor(h),
                        [minitorch.tensor(p) for p in gp], True, 1, 0.0, False, False)
    for g, w in zip(got, want):
        assert_close(g, w)


# ---------------------------------------------------------------- random ops: statistics, shapes, in place --
def test_dropout_family_train_mode():
    minitorch.manual_seed(0)
    x = minitorch.ones(200, 50, dtype=minitorch.float64)
    y = minitorch.dropout(x, 0.3, True)
    kept = (y.numpy() != 0).mean()
    assert abs(kept - 0.7) < 0.02 and np.allclose(y.numpy()[y.numpy() != 0], 1 / 0.7)
    f = minitorch.feature_dropout(minitorch.ones(100, 40, 3), 0.5, True).numpy()
    assert np.all(f == f[:, :, :1])  # whole features dropped together
    out, mask = minitorch.native_dropout(x, 0.3, True)
    assert mask.dtype == minitorch.bool and np.allclose(out.numpy(), mask.numpy() / 0.7)
    out, mask = minitorch.native_dropout(x, 0.3, False)
    assert mask.numpy().all() and out is not x and np.allclose(out.numpy(), 1)
    a = minitorch.ones(100, 10)
    assert minitorch.dropout_(a, 0.5, True) is a and (a.numpy() == 0).any()
    b = minitorch.ones(50, 4, 2)
    assert minitorch.feature_alpha_dropout_(b, 0.5, True) is b
    c = minitorch.ones(50, 4)
    assert minitorch.alpha_dropout_(c, 0.5, True) is c and (c.numpy() != 1).any()
    with pytest.raises(TypeError):
        minitorch.dropout(x, 0.5)  # ``train`` is required, as in torch
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        minitorch.feature_dropout(minitorch.ones(3), 0.5, True)


def test_inplace_activations_and_rrelu_generator():
    x = arr(4, 5)
    for name, args in [("celu_", (0.5,)), ("selu_", ()), ("threshold_", (0.1, 3.0)), ("relu_", ()),
                       ("rrelu_", (0.1, 0.3, False))]:
        m, t = minitorch.tensor(x.copy()), torch.tensor(x.copy())
        assert getattr(minitorch, name)(m, *args) is m
        getattr(torch, name)(t, *args)
        assert_close(m, t, msg=name)
    g = minitorch.Generator().manual_seed(3)
    a = minitorch.rrelu(minitorch.tensor(x), 0.1, 0.3, True, g)
    g.manual_seed(3)
    b = minitorch.rrelu(minitorch.tensor(x), 0.1, 0.3, True, g)
    assert np.array_equal(a.numpy(), b.numpy())
    slopes = a.numpy()[x < 0] / x[x < 0]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3


def test_embedding_renorm_matches_torch():
    w = arr(6, 3) * 3
    m, t = minitorch.tensor(w.copy()), torch.tensor(w.copy())
    idx = np.array([1, 4, 4])
    assert minitorch.embedding_renorm_(m, minitorch.tensor(idx), 1.0, 2.0) is m
    torch.embedding_renorm_(t, torch.tensor(idx), 1.0, 2.0)
    assert_close(m, t)


def test_native_statistics_carry_no_graph_and_running_stats_update():
    x = arr(4, 3, 5)
    rm, rv = minitorch.zeros(3, dtype=minitorch.float64), minitorch.ones(3, dtype=minitorch.float64)
    trm, trv = torch.zeros(3, dtype=torch.float64), torch.ones(3, dtype=torch.float64)
    xm = minitorch.tensor(x).requires_grad_()
    _, mean, invstd = minitorch.native_batch_norm(xm, None, None, rm, rv, True, 0.1, 1e-5)
    torch.native_batch_norm(torch.tensor(x), None, None, trm, trv, True, 0.1, 1e-5)
    assert not mean.requires_grad and not invstd.requires_grad
    assert_close(rm, trm)
    assert_close(rv, trv)


# ---------------------------------------------------------------- losses with integer reductions -----------
@pytest.mark.parametrize("reduction", [0, 1, 2])
def test_ctc_loss_reductions(reduction):
    lp = torch.randn(6, 2, 4, dtype=torch.float64).log_softmax(2)
    targets = torch.tensor([[1, 2], [3, 1]])
    want = torch.ctc_loss(lp, targets, [6, 5], [2, 2], 0, reduction, False)
    got = minitorch.ctc_loss(minitorch.tensor(lp.numpy()), minitorch.tensor(targets.numpy()), [6, 5], [2, 2], 0,
                             reduction, False)
    assert_close(got, want)


def test_reduction_must_be_valid():
    with pytest.raises(ValueError):
        minitorch.hinge_embedding_loss(minitorch.ones(2), minitorch.ones(2), 1.0, 7)


# ---------------------------------------------------------------- conversions ------------------------------
def test_asarray_shares_and_converts_like_torch():
    a = np.ones(3)
    t = minitorch.asarray(a)
    t[0] = 5
    assert a[0] == 5 and t.dtype == minitorch.float64
    x = minitorch.ones(2)
    assert minitorch.asarray(x) is x and minitorch.asarray(x, copy=True) is not x
    with pytest.raises(ValueError, match="can't alias tensor with dtype 'Float' into dtype 'Double'"):
        minitorch.asarray(x, dtype=minitorch.float64, copy=False)
    with pytest.raises(ValueError, match="arbitrary sequence"):
        minitorch.asarray([1, 2], copy=False)
    for obj in ([1, 2.0], 3, np.float64(2.0), [np.float32(1)], [[1, 2], [3, 4]], True):
        got, want = minitorch.asarray(obj), torch.asarray(obj)
        assert str(got.dtype) == str(want.dtype), obj
        assert_close(got, want)
    assert minitorch.asarray(np.ones(2, np.int32), dtype=minitorch.float32).dtype == minitorch.float32
    r = minitorch.asarray(np.ones(2), requires_grad=True)
    assert r.requires_grad and r.is_leaf
    import array

    buf = array.array("f", [1.0, 2.0])
    assert_close(minitorch.asarray(buf), torch.asarray(buf))
    with pytest.raises(ValueError, match="multiple of element size"):
        minitorch.asarray(b"\x01\x02")


def test_frombuffer_matches_torch_and_shares_memory():
    buf = bytearray(b"\x01\x02\x03\x04")
    t = minitorch.frombuffer(buf, dtype=minitorch.int16)
    assert_close(t, torch.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=torch.int16))
    t[0] = 0
    assert buf[:2] == b"\x00\x00"
    assert_close(minitorch.frombuffer(bytearray(b"\x01\x02\x03\x04"), dtype=minitorch.int8, count=2, offset=1),
                 torch.tensor([2, 3], dtype=torch.int8))
    for kwargs, msg in [({}, "must not be 0"), ({"offset": 3}, "offset"), ({"count": 5}, "must not be greater")]:
        source = bytearray(b"") if not kwargs else bytearray(b"\x01\x02\x03")
        with pytest.raises(ValueError, match=msg):
            minitorch.frombuffer(source, dtype=minitorch.int8, **kwargs)
    with pytest.warns(UserWarning, match="not writable"):
        minitorch.frombuffer(b"\x01\x02", dtype=minitorch.int8)


def test_range_is_end_inclusive_and_deprecated():
    for args, kw in [((1, 4), {}), ((0, 1, 0.3), {}), ((1, 4), {"dtype": "int64"}), ((4, 1, -1), {})]:
        kwm = {k: getattr(minitorch, v) for k, v in kw.items()}
        kwt = {k: getattr(torch, v) for k, v in kw.items()}
        with pytest.warns(UserWarning, match="torch.range is deprecated"):
            got = minitorch.range(*args, **kwm)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = torch.range(*args, **kwt)
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        assert_close(got, want)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        minitorch.range(4, 1)
    with pytest.raises(TypeError):
        minitorch.range(4)


def test_scalar_tensor_requires_grad_and_rsub_errors():
    t = minitorch.scalar_tensor(2.0, requires_grad=True)
    assert t.requires_grad and t.dim() == 0 and t.dtype == minitorch.float32
    with pytest.raises(RuntimeError, match="alpha must not be a floating point"):
        minitorch.rsub(minitorch.tensor([1, 2]), 2, alpha=2.5)
    with pytest.raises(RuntimeError, match="two bool tensors"):
        minitorch.rsub(minitorch.tensor([True]), True)
    got = minitorch.rsub(minitorch.tensor([1, 2]), 2.5)
    assert got.dtype == minitorch.float32 and np.allclose(got.numpy(), [1.5, 0.5])
    assert minitorch.rsub(minitorch.tensor([1, 2], dtype=minitorch.uint8), 3).dtype == minitorch.uint8
    with pytest.raises(RuntimeError, match="0-dimension value tensor"):
        minitorch.fill(minitorch.ones(2), minitorch.ones(2))


def test_toplevel_inplace_functions_delegate_to_methods():
    names = [n for n in dir(torch) if n.endswith("_") and not n.startswith("_") and hasattr(minitorch, n)
             and hasattr(minitorch.Tensor, n)]
    checked = 0
    for name in ["exp_", "cos_", "abs_", "sqrt_", "tanh_", "zero_", "neg_", "sigmoid_", "ceil_", "round_"]:
        if name not in names:
            continue
        x = arr(3, 4, positive=True)
        m, t = minitorch.tensor(x.copy()), torch.tensor(x.copy())
        assert getattr(minitorch, name)(m) is m
        getattr(torch, name)(t)
        assert_close(m, t, msg=name)
        checked += 1
    assert checked >= 6
    m = minitorch.zeros(3)
    assert minitorch.fill_(m, 2.0) is m and np.all(m.numpy() == 2)
    m = minitorch.tensor([-1.0, 2.0])
    minitorch.clamp_(m, 0.0, 1.0)
    assert m.tolist() == [0.0, 1.0]


# ---------------------------------------------------------------- queries and switches ---------------------
def test_queries_match_torch():
    for mk in (lambda lib: lib.ones(2), lambda lib: lib.ones(2, dtype=lib.int64), lambda lib: lib.ones(2, 3),
               lambda lib: lib.ones(1, dtype=lib.uint8), lambda lib: lib.tensor([True])):
        m, t = mk(minitorch), mk(torch)
        assert minitorch.typename(m) == torch.typename(t)
        assert minitorch.is_signed(m) == torch.is_signed(t)
        assert minitorch.is_complex(m) is torch.is_complex(t) is False
        assert minitorch.get_device(m) == torch.get_device(t) == -1
        assert minitorch.is_same_size(m, minitorch.ones(2)) == torch.is_same_size(t, torch.ones(2))
    for obj in (3, np.ones(1), "s", int):
        assert minitorch.typename(obj) == torch.typename(obj)
    assert minitorch.typename(minitorch.nn.Linear(1, 1)) == "minitorch.nn.modules.linear.Linear"
    assert minitorch.is_nonzero(minitorch.tensor([2.0])) and not minitorch.is_nonzero(minitorch.tensor([0]))
    for bad, msg in [(minitorch.ones(2), "more than one value"), (minitorch.tensor([]), "no values")]:
        with pytest.raises(RuntimeError, match=msg):
            minitorch.is_nonzero(bad)
    assert minitorch.is_neg(minitorch.ones(1)) is False
    x = minitorch.ones(2)
    assert minitorch.resolve_neg(x) is x


def test_switches_round_trip():
    prev = minitorch.get_default_dtype()
    try:
        with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
            minitorch.set_default_tensor_type(minitorch.DoubleTensor)
        assert minitorch.get_default_dtype() == minitorch.float64
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            minitorch.set_default_tensor_type("torch.FloatTensor")
            assert minitorch.get_default_dtype() == minitorch.float32
            with pytest.raises(TypeError, match="only floating-point types"):
                minitorch.set_default_tensor_type(minitorch.LongTensor)
    finally:
        minitorch.set_default_dtype(prev)
    assert minitorch.set_flush_denormal(True) is False
    minitorch.set_warn_always(True)
    assert minitorch.is_warn_always_enabled()
    minitorch.set_warn_always(False)
    assert not minitorch.is_warn_always_enabled()
    for mode, expected in [("warn", 1), ("error", 2), (0, 0), (1, 1), ("default", 0)]:
        minitorch.set_deterministic_debug_mode(mode)
        assert minitorch.get_deterministic_debug_mode() == expected
    assert not minitorch.are_deterministic_algorithms_enabled()
    with pytest.raises(RuntimeError, match="expected one of"):
        minitorch.set_deterministic_debug_mode("x")
    with pytest.raises(RuntimeError, match="expected 0, 1, or 2"):
        minitorch.set_deterministic_debug_mode(5)
    with pytest.raises(TypeError):
        minitorch.set_deterministic_debug_mode(1.0)
    minitorch.set_anomaly_enabled(True, False)
    assert minitorch.is_anomaly_enabled() and minitorch.autograd.is_anomaly_enabled()
    assert not minitorch.is_anomaly_check_nan_enabled()
    minitorch.set_anomaly_enabled(False)
    assert not minitorch.is_anomaly_enabled() and minitorch.is_anomaly_check_nan_enabled()
    assert minitorch.get_device_module("cuda") is minitorch.cuda
    assert minitorch.init_num_threads() is None


def test_removed_functions_raise_torchs_errors():
    eye = minitorch.eye(2)
    for name, args in [("lstsq", (eye, eye)), ("solve", (eye, eye)), ("eig", (eye,)), ("symeig", (eye,)),
                       ("matrix_rank", (eye,))]:
        with pytest.raises(RuntimeError) as got:
            getattr(minitorch, name)(*args)
        with pytest.raises(RuntimeError) as want:
            getattr(torch, name)(*(torch.eye(2) for _ in args))
        assert str(got.value) == str(want.value), name


def test_chain_matmul_warns_and_checks():
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        one = minitorch.chain_matmul(minitorch.ones(2, 2))
    assert_close(one, torch.ones(2, 2))
    with pytest.raises(RuntimeError, match="expected 2"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        minitorch.chain_matmul(minitorch.ones(2), minitorch.ones(2, 2))


def test_segment_reduce_checks_lengths():
    with pytest.raises(RuntimeError, match="sum to data.size"):
        minitorch.segment_reduce(minitorch.ones(5), "sum", lengths=minitorch.tensor([2, 2]))
    with pytest.raises(RuntimeError, match="reduce argument"):
        minitorch.segment_reduce(minitorch.ones(4), "median", lengths=minitorch.tensor([2, 2]))


def test_cond_and_while_loop_run_eagerly_with_gradients():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    out = minitorch.cond(minitorch.tensor(True), lambda v: (v * 3).sum(), lambda v: v.sum(), (x,))
    out.backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert minitorch.cond(False, lambda v: v + 1, lambda v: v - 1, [minitorch.ones(1)]).tolist() == [0.0]
    i, y = minitorch.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * 2),
                                (minitorch.tensor(0), minitorch.ones(1)))
    # torch.while_loop's eager path imports dynamo, which switches torch.distributions' argument validation off
    # for the rest of the process, so torch's own result is taken in a subprocess
    out = subprocess.run([sys.executable, "-c", "import torch; i, y = torch.while_loop(lambda i, y: i < 3, "
                          "lambda i, y: (i + 1, y * 2), (torch.tensor(0), torch.ones(1))); print(int(i), y.tolist())"],
                         capture_output=True, text=True, check=True).stdout.split(maxsplit=1)
    assert int(i) == int(out[0]) and str(y.tolist()) == out[1].strip()
    with pytest.raises(RuntimeError, match="single element"):
        minitorch.cond(minitorch.ones(2), lambda: 1, lambda: 0)


def test_fork_wait_alias_jit():
    fut = minitorch.fork(lambda a: a + 1, minitorch.ones(1))
    assert minitorch.wait(fut).tolist() == [2.0]


def test_errors_match_torch_types():
    with pytest.raises(RuntimeError, match="pdist only supports 2D"):
        minitorch.pdist(minitorch.ones(3))
    with pytest.raises(RuntimeError, match="3 dims"):
        minitorch.conv_tbc(minitorch.ones(3, 2), minitorch.ones(1, 2, 2), minitorch.ones(2))


# ---------------------------------------------------------------- GPU --------------------------------------
GPU_ROWS = [r for r in ROWS if r[0] in ("conv_tbc", "pdist", "native_layer_norm", "native_group_norm",
                                        "native_batch_norm", "segment_reduce", "nonzero_static", "fill", "rsub",
                                        "embedding_bag", "kl_div", "frobenius_norm")]


@pytest.mark.parametrize("device", [d for d in devices() if d != "cpu"])
@pytest.mark.parametrize("row", GPU_ROWS, ids=_ids(GPU_ROWS))
def test_cuda_matches_cpu(row, device):
    name, args, kwargs = row
    cpu, _ = _run(minitorch, name, args, kwargs)
    built, leaves = _build(minitorch, args, device)
    kw = _kw(minitorch, kwargs, device)
    with no_host_sync():  # forward and backward never wait for the GPU
        gpu = getattr(minitorch, name)(*built, **kw)
        outs = [o for o in _flat(gpu) if o.requires_grad]
        if outs:
            sum(o.sum() for o in outs).backward()
    for c, g in zip(_flat(cpu), _flat(gpu)):
        assert g.device.type == "cuda"
        assert_close(g.cpu(), c, msg=name)
    if outs:
        assert all(leaf.grad is not None and leaf.grad.device.type == "cuda" for leaf in leaves)
