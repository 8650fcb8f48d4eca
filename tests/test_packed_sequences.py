"""nn.utils.rnn (packed sequences) and RNN/LSTM/GRU layers on packed input, against torch: values,
batch_sizes, indices, outputs, final states and every gradient, on each device."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from tests.helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch, requires_cuda

torch = require_torch()
MR, TR = minitorch.nn.utils.rnn, torch.nn.utils.rnn


def _arr(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _pair(a, device="cpu", grad=True):
    return (torch.tensor(a, requires_grad=grad), minitorch.tensor(a, requires_grad=grad, device=device))


def _same_packed(mp, tp, device):
    assert_close(mp.data, tp.data, msg="data")
    assert mp.data.device.type == device
    assert mp.batch_sizes.device.type == "cpu" and mp.batch_sizes.dtype == minitorch.int64
    assert mp.batch_sizes.tolist() == tp.batch_sizes.tolist()
    for name in ("sorted_indices", "unsorted_indices"):
        m, t = getattr(mp, name), getattr(tp, name)
        assert (m is None) == (t is None), name
        if m is not None:
            assert m.tolist() == t.tolist(), name
            assert m.device.type == device and m.dtype == minitorch.int64, name


def _backward_both(t_out, m_out, seed=1):
    g = np.random.default_rng(seed).standard_normal(tuple(t_out.shape)).astype(np.float32)
    (t_out * torch.tensor(g)).sum().backward()
    (m_out * minitorch.tensor(g, device=m_out.device)).sum().backward()


# ------------------------------------------------------------------ packing and unpacking --------------
PACK_CASES = [
    ("sorted", [5, 3, 3, 1], True),
    ("unsorted", [2, 5, 1, 3], False),
    ("ties-unsorted", [3, 1, 3, 1], False),
    ("sorted-not-enforced", [5, 4, 2, 1], False),
    ("shorter-than-padding", [3, 2, 2, 1], True),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("batch_first", [False, True], ids=["time-major", "batch-first"])
@pytest.mark.parametrize("name,lengths,enforce", PACK_CASES, ids=[c[0] for c in PACK_CASES])
def test_pack_and_pad_match_torch_with_gradients(name, lengths, enforce, batch_first, device):
    a = _arr(4, 5, 3) if batch_first else _arr(5, 4, 3)
    tx, mx = _pair(a, device)
    tp = TR.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=enforce)
    mp = MR.pack_padded_sequence(mx, lengths, batch_first=batch_first, enforce_sorted=enforce)
    _same_packed(mp, tp, device)
    for total, pad in [(None, 0.0), (7, -2.5)]:
        t_pad, t_len = TR.pad_packed_sequence(tp, batch_first=batch_first, padding_value=pad, total_length=total)
        m_pad, m_len = MR.pad_packed_sequence(mp, batch_first=batch_first, padding_value=pad, total_length=total)
        assert_close(m_pad, t_pad, msg="padded")
        assert m_len.tolist() == t_len.tolist() and m_len.device.type == "cpu"
    _backward_both(t_pad, m_pad)
    assert_close(mx.grad, tx.grad, msg="grad through pack + pad")


@pytest.mark.parametrize("device", devices())
def test_lengths_as_tensor_and_data_only_gradient(device):
    a = _arr(4, 3, 2)
    tx, mx = _pair(a, device)
    tp = TR.pack_padded_sequence(tx, torch.tensor([2, 4, 1]), enforce_sorted=False)
    mp = MR.pack_padded_sequence(mx, minitorch.tensor([2, 4, 1]), enforce_sorted=False)
    _same_packed(mp, tp, device)
    _backward_both(tp.data, mp.data)
    assert_close(mx.grad, tx.grad)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(side, batch_first, device):
    arrays = [_arr(n, 2, 3, seed=n) for n in (2, 5, 3)]
    pairs = [_pair(a, device) for a in arrays]
    t = TR.pad_sequence([p[0] for p in pairs], batch_first=batch_first, padding_value=1.5, padding_side=side)
    m = MR.pad_sequence([p[1] for p in pairs], batch_first=batch_first, padding_value=1.5, padding_side=side)
    assert_close(m, t)
    assert m.device.type == device
    _backward_both(t, m)
    for (tp, mp) in pairs:
        assert_close(mp.grad, tp.grad)


def test_pad_sequence_of_a_tensor_and_of_integers():
    x = _arr(3, 4)
    assert_close(MR.pad_sequence(minitorch.tensor(x)), TR.pad_sequence(torch.tensor(x)))
    ints = [[1, 2, 3], [4], [5, 6]]
    m = MR.pad_sequence([minitorch.tensor(v) for v in ints], batch_first=True, padding_value=-1)
    t = TR.pad_sequence([torch.tensor(v) for v in ints], batch_first=True, padding_value=-1)
    assert m.tolist() == t.tolist() and m.dtype == minitorch.int64


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("enforce", [True, False])
def test_pack_sequence_unpack_sequence_and_unpad_sequence(enforce, device):
    lengths = [5, 3, 2] if enforce else [2, 5, 3]
    arrays = [_arr(n, 3, seed=n) for n in lengths]
    pairs = [_pair(a, device) for a in arrays]
    tp = TR.pack_sequence([p[0] for p in pairs], enforce_sorted=enforce)
    mp = MR.pack_sequence([p[1] for p in pairs], enforce_sorted=enforce)
    _same_packed(mp, tp, device)
    t_list, m_list = TR.unpack_sequence(tp), MR.unpack_sequence(mp)
    assert len(m_list) == len(t_list) == 3
    for m, t in zip(m_list, t_list):
        assert_close(m, t)
    _backward_both(torch.cat(t_list), minitorch.cat(m_list))
    for (tx, mx) in pairs:
        assert_close(mx.grad, tx.grad)
    padded = _arr(5, 3, 2)
    lens = [5, 2, 3]
    m_un = MR.unpad_sequence(minitorch.tensor(padded, device=device), minitorch.tensor(lens))
    t_un = TR.unpad_sequence(torch.tensor(padded), torch.tensor(lens))
    for m, t in zip(m_un, t_un):
        assert_close(m, t)
    m_un = MR.unpad_sequence(minitorch.tensor(padded.transpose(1, 0, 2).copy()), minitorch.tensor(lens), True)
    t_un = TR.unpad_sequence(torch.tensor(padded.transpose(1, 0, 2).copy()), torch.tensor(lens), True)
    for m, t in zip(m_un, t_un):
        assert_close(m, t)


def test_invert_permutation_and_constructor():
    perm = [2, 0, 3, 1]
    assert MR.invert_permutation(minitorch.tensor(perm)).tolist() == TR.invert_permutation(torch.tensor(perm)).tolist()
    assert MR.invert_permutation(None) is None
    p = MR.PackedSequence(minitorch.ones(3), minitorch.tensor([2, 1]))
    assert p.sorted_indices is None and p.unsorted_indices is None
    p = MR.PackedSequence(minitorch.ones(3), minitorch.tensor([2, 1]), minitorch.tensor([1, 0]))
    assert p.unsorted_indices.tolist() == [1, 0]
    data, batch_sizes, sorted_indices, unsorted_indices = p  # a named tuple, as in torch
    assert batch_sizes.tolist() == [2, 1] and p._fields == TR.PackedSequence._fields
    assert MR.PackedSequence((minitorch.ones(3), minitorch.tensor([2, 1]))).batch_sizes.tolist() == [2, 1]


def test_packed_sequence_to_and_dtype_conversions():
    mp = MR.pack_sequence([minitorch.ones(3, 2), minitorch.ones(1, 2)], enforce_sorted=False)
    assert mp.to(minitorch.float32) is mp
    d = mp.double()
    assert d.data.dtype == minitorch.float64 and d.batch_sizes is mp.batch_sizes
    assert d.sorted_indices.tolist() == mp.sorted_indices.tolist()
    assert mp.cpu() is mp and not mp.is_cuda


@requires_cuda
def test_packed_sequence_moves_to_cuda_and_back_keeping_batch_sizes_on_cpu():
    mp = MR.pack_sequence([minitorch.ones(1, 2), minitorch.ones(3, 2)], enforce_sorted=False)
    for moved in (mp.cuda(), mp.to("cuda")):
        assert moved.is_cuda and moved.data.device.type == "cuda"
        assert moved.sorted_indices.device.type == "cuda" and moved.unsorted_indices.device.type == "cuda"
        assert moved.batch_sizes.device.type == "cpu"
        back = moved.cpu()
        assert back.data.device.type == "cpu" and back.sorted_indices.device.type == "cpu"
        assert back.sorted_indices.tolist() == [1, 0]


BAD = [
    ("unsorted lengths", lambda L, R: R.pack_padded_sequence(L.ones(4, 3, 2), [2, 3, 1])),
    ("zero length", lambda L, R: R.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, 0])),
    ("negative unsorted", lambda L, R: R.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, -1], enforce_sorted=False)),
    ("lengths count", lambda L, R: R.pack_padded_sequence(L.ones(4, 3, 2), [3, 2])),
    ("lengths 2-d", lambda L, R: R.pack_padded_sequence(L.ones(4, 3, 2), L.tensor([[3, 2, 1]]))),
    ("1-d input", lambda L, R: R.pack_padded_sequence(L.ones(4), [3])),
    ("empty input", lambda L, R: R.pack_padded_sequence(L.ones(0, 3, 2), [1, 1, 1])),
    ("total_length", lambda L, R: R.pad_packed_sequence(R.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, 1]),
                                                        total_length=2)),
    ("pad trailing", lambda L, R: R.pad_sequence([L.ones(2, 3), L.ones(3, 4)])),
    ("pad empty", lambda L, R: R.pad_sequence([])),
    ("pad side", lambda L, R: R.pad_sequence([L.ones(2)], padding_side="middle")),
    ("pad non-iterable", lambda L, R: R.pad_sequence(5)),
    ("constructor tuple", lambda L, R: R.PackedSequence((L.ones(3),))),
    ("rnn packed 3-d data", lambda L, R: L.nn.GRU(2, 3)(R.PackedSequence(L.ones(3, 1, 2), L.tensor([2, 1])))),
    ("rnn packed input size", lambda L, R: L.nn.GRU(3, 3)(R.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, 1]))),
    ("rnn packed hidden", lambda L, R: L.nn.GRU(2, 3)(R.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, 1]),
                                                       L.zeros(1, 2, 3))),
    ("lstm packed cell", lambda L, R: L.nn.LSTM(2, 3)(R.pack_padded_sequence(L.ones(4, 3, 2), [3, 2, 1]),
                                                       (L.zeros(1, 3, 3), L.zeros(1, 2, 3)))),
]


@pytest.mark.parametrize("name,fn", BAD, ids=[b[0] for b in BAD])
def test_bad_packing_raises_torch_type(name, fn):
    raises_like_torch(lambda: fn(torch, TR), lambda: fn(minitorch, MR))


@requires_cuda
def test_lengths_on_cuda_raise_like_torch():
    with pytest.raises(RuntimeError, match="1D CPU int64"):
        MR.pack_padded_sequence(minitorch.ones(4, 3, 2), minitorch.tensor([3, 2, 1], device="cuda"))


# ------------------------------------------------------------------ packed RNN / LSTM / GRU ------------
def _layer_pair(kind, device, dtype=None, **kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(3, 4, **kw)
    mm = getattr(minitorch.nn, kind)(3, 4, **kw)
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    if dtype is not None:
        tm, mm = tm.to(dtype), mm.to(getattr(minitorch, str(dtype).split(".")[-1]))
    return tm, mm.to(device)


def _compare_packed_layer(kind, lengths, enforce, with_state, device, batch_first=False, **kw):
    tm, mm = _layer_pair(kind, device, batch_first=batch_first, **kw)
    steps, batch = max(lengths) + 1, len(lengths)
    states = kw.get("num_layers", 1) * (2 if kw.get("bidirectional") else 1)
    tx, mx = _pair(_arr(batch, steps, 3) if batch_first else _arr(steps, batch, 3), device)
    th, mh = _pair(_arr(states, batch, 4, seed=1), device)
    tc, mc = _pair(_arr(states, batch, 4, seed=2), device)
    tp = TR.pack_padded_sequence(tx, lengths, batch_first=batch_first, enforce_sorted=enforce)
    mp = MR.pack_padded_sequence(mx, lengths, batch_first=batch_first, enforce_sorted=enforce)
    if with_state:
        t_out, t_state = tm(tp, (th, tc) if kind == "LSTM" else th)
        m_out, m_state = mm(mp, (mh, mc) if kind == "LSTM" else mh)
    else:
        (t_out, t_state), (m_out, m_state) = tm(tp), mm(mp)
    assert isinstance(m_out, MR.PackedSequence)
    _same_packed(m_out, t_out, device)
    t_states = t_state if kind == "LSTM" else (t_state,)
    m_states = m_state if kind == "LSTM" else (m_state,)
    for m, t in zip(m_states, t_states):
        assert_close(m, t, rtol=1e-5, atol=1e-6, msg="final state")
        assert m.device.type == device
    t_pad, _ = TR.pad_packed_sequence(t_out, batch_first=batch_first)
    m_pad, _ = MR.pad_packed_sequence(m_out, batch_first=batch_first)
    rng = np.random.default_rng(3)
    t_loss, m_loss = 0, 0
    for t, m in [(t_pad, m_pad), *zip(t_states, m_states)]:
        g = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        t_loss = t_loss + (t * torch.tensor(g)).sum()
        m_loss = m_loss + (m * minitorch.tensor(g, device=device)).sum()
    t_loss.backward()
    m_loss.backward()
    assert_close(mx.grad, tx.grad, rtol=1e-4, atol=1e-5, msg="grad of input")
    if with_state:
        assert_close(mh.grad, th.grad, rtol=1e-4, atol=1e-5, msg="grad of h0")
        if kind == "LSTM":
            assert_close(mc.grad, tc.grad, rtol=1e-4, atol=1e-5, msg="grad of c0")
    m_params = dict(mm.named_parameters())
    for name, p in tm.named_parameters():
        assert_close(m_params[name].grad, p.grad, rtol=1e-4, atol=1e-5, msg=f"grad of {name}")


LAYER_CONFIGS = [
    ("uni-1", {}),
    ("bi-1", {"bidirectional": True}),
    ("uni-2", {"num_layers": 2}),
    ("bi-2-nobias", {"num_layers": 2, "bidirectional": True, "bias": False}),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("with_state", [False, True], ids=["no-h0", "h0"])
@pytest.mark.parametrize("enforce,lengths", [(True, [5, 3, 3, 1]), (False, [2, 5, 1, 3])], ids=["sorted", "unsorted"])
@pytest.mark.parametrize("cname,kw", LAYER_CONFIGS, ids=[c[0] for c in LAYER_CONFIGS])
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_packed_recurrent_layer_matches_torch(kind, cname, kw, enforce, lengths, with_state, device):
    _compare_packed_layer(kind, lengths, enforce, with_state, device, **kw)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_packed_layer_batch_first_relu_and_equal_lengths(kind, device):
    _compare_packed_layer(kind, [3, 1, 2], False, True, device, batch_first=True, bidirectional=True)
    _compare_packed_layer(kind, [4, 4, 4], True, False, device, num_layers=2)
    _compare_packed_layer(kind, [1], True, True, device, bidirectional=True)


def test_packed_relu_rnn_and_dropout_free_eval_match_torch():
    _compare_packed_layer("RNN", [4, 2, 2], True, True, "cpu", nonlinearity="relu", bidirectional=True)


@given(kind=st.sampled_from(["RNN", "LSTM", "GRU"]), layers=st.integers(1, 2), bidir=st.booleans(),
       lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4), with_state=st.booleans())
def test_packed_random_configs_match_torch(kind, layers, bidir, lengths, with_state):
    _compare_packed_layer(kind, lengths, False, with_state, "cpu", num_layers=layers, bidirectional=bidir)


def test_packed_output_equals_running_each_sequence_alone():
    """Packing is only a batching device: each sequence's outputs and final state are what the layer
    gives for that sequence on its own."""
    minitorch.manual_seed(0)
    lstm = minitorch.nn.LSTM(3, 4, bidirectional=True)
    seqs = [minitorch.randn(n, 3) for n in (2, 5, 3)]
    out, (h, c) = lstm(MR.pack_sequence(seqs, enforce_sorted=False))
    for b, (seq, alone) in enumerate(zip(seqs, MR.unpack_sequence(out))):
        ref, (h1, c1) = lstm(seq.unsqueeze(1))
        assert_close(alone, ref[:, 0], rtol=1e-5, atol=1e-6)
        assert_close(h[:, b], h1[:, 0], rtol=1e-5, atol=1e-6)
        assert_close(c[:, b], c1[:, 0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_packed_gradcheck_and_gradgradcheck_in_float64(kind, device):
    from minitorch.autograd import gradcheck, gradgradcheck

    minitorch.manual_seed(0)
    layer = getattr(minitorch.nn, kind)(2, 3, num_layers=2, bidirectional=True).double().to(device)
    kw = {"dtype": minitorch.float64, "device": device, "requires_grad": True}
    x = minitorch.randn(4, 3, 2, **kw)
    h0, c0 = minitorch.randn(4, 3, 3, **kw), minitorch.randn(4, 3, 3, **kw)
    w_hh = layer.weight_hh_l0_reverse

    def run(x, h0, c0, w):
        layer._parameters["weight_hh_l0_reverse"] = w
        packed = MR.pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        out, state = layer(packed, (h0, c0) if kind == "LSTM" else h0)
        states = state if isinstance(state, tuple) else (state,)
        return (MR.pad_packed_sequence(out)[0], *states)

    try:
        assert gradcheck(run, (x, h0, c0, w_hh))
        assert gradgradcheck(run, (x, h0, c0, w_hh))
    finally:
        layer._parameters["weight_hh_l0_reverse"] = w_hh


@requires_cuda
def test_packed_lstm_step_on_cuda_does_not_sync():
    """Packing sorts the CPU lengths on the host; batch_sizes stays on the CPU; the layer's permutations
    of h0 and h_n run on the device: a packed training step needs no device -> host transfer."""
    minitorch.manual_seed(0)
    lstm = minitorch.nn.LSTM(4, 6, bidirectional=True).cuda()
    x = minitorch.randn(5, 3, 4, device="cuda")
    h0 = minitorch.zeros(2, 3, 6, device="cuda")
    with no_host_sync():
        packed = MR.pack_padded_sequence(x, [2, 5, 3], enforce_sorted=False)
        out, (h, c) = lstm(packed, (h0, h0))
        sorted_out, _ = MR.pad_packed_sequence(MR.PackedSequence(out.data, out.batch_sizes))
        loss = h.sum() + sorted_out.sum() + out.data.pow(2).sum()
        loss.backward()
    assert all(p.grad is not None and p.grad.device.type == "cuda" for p in lstm.parameters())
