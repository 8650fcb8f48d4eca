"""nn.Buffer, nn.utils (clip_grads_with_norm_, skip_init, convert_conv*_weight_memory_format), NLLLoss2d,
F re-exports, SyncBatchNorm, CrossMapLRN2d, fractional max pooling: against torch 2.13."""
import copy
import warnings

import numpy as np
import pytest
import torch

import minitorch


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


# ---- nn.Buffer ---------------------------------------------------------------------------------
def test_buffer_registration_and_persistence_match_torch():
    res = []
    for L in (torch, minitorch):
        m = L.nn.Module()
        x = L.ones(2, requires_grad=True)
        b = L.nn.Buffer(x, persistent=False)
        row = [isinstance(b, L.Tensor), isinstance(b, L.nn.Buffer), b.requires_grad, b.persistent,
               isinstance(L.ones(1), L.nn.Buffer), b.grad_fn is None]
        m.b = b
        m.c = L.nn.Buffer(L.zeros(1))
        row += [list(m.state_dict()), [n for n, _ in m.named_buffers()], m.b is b, list(m.parameters())]
        m.c = L.ones(3)  # a plain tensor on an existing buffer name keeps its persistence
        m.b = L.ones(3)
        row += [list(m.state_dict()), tuple(m.c.shape)]
        m.d = L.nn.Buffer(L.ones(1), persistent=False)
        m.d = L.nn.Buffer(L.ones(1))  # a Buffer brings its own persistence
        row += [list(m.state_dict())]
        e = L.nn.Buffer()
        row += [tuple(e.shape), str(e.dtype).split(".")[-1]]
        b2 = L.nn.Buffer(L.ones(1))
        b2.persistent = False
        m.f = b2
        row += [list(m.state_dict()), b2.persistent]
        with pytest.raises(TypeError, match="torch.nn.Buffer, torch.Tensor or None expected"):
            m.c = 3
        m2 = L.nn.Module()
        m2.q = 1
        with pytest.raises(KeyError, match="attribute 'q' already exists"):
            m2.q = L.nn.Buffer(L.ones(1))
        res.append(row)
    assert res[0] == res[1]


def test_buffer_shares_memory_and_survives_deepcopy():
    x = minitorch.zeros(3)
    b = minitorch.nn.Buffer(x)
    b.add_(1)
    assert float(x.sum()) == 3.0
    m = minitorch.nn.Module()
    m.b = minitorch.nn.Buffer(minitorch.ones(2), persistent=False)
    m2 = copy.deepcopy(m)
    assert list(m2.state_dict()) == [] and isinstance(m2.b, minitorch.nn.Buffer) and not m2.b.persistent


# ---- nn.utils -----------------------------------------------------------------------------------
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grads_with_norm_matches_torch(max_norm):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5)]
    out = []
    for L in (torch, minitorch):
        ps = [L.zeros(*g.shape, requires_grad=True) for g in grads]
        for p, g in zip(ps, grads):
            p.grad = L.tensor(g.astype(np.float32))
        ps.append(L.zeros(2, requires_grad=True))  # no grad: skipped
        total = L.nn.utils.get_total_norm([p.grad for p in ps if p.grad is not None])
        assert L.nn.utils.clip_grads_with_norm_(ps, max_norm, total) is None
        out.append([_np(p.grad) for p in ps[:2]])
        single = L.zeros(2, requires_grad=True)
        single.grad = L.tensor([3.0, 4.0])
        L.nn.utils.clip_grads_with_norm_(single, 1.0, L.tensor(5.0))
        out[-1].append(_np(single.grad))
    for a, b in zip(*out):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(out[1][2], [0.6, 0.8], rtol=1e-5)


def test_skip_init_matches_torch_shapes_and_errors():
    for L in (torch, minitorch):
        m = L.nn.utils.skip_init(L.nn.Linear, 5, 2, bias=False)
        assert type(m) is L.nn.Linear and tuple(m.weight.shape) == (2, 5) and m.bias is None
        assert m.weight.requires_grad and isinstance(m.weight, L.nn.Parameter)
        m2 = L.nn.utils.skip_init(L.nn.Linear, in_features=6, out_features=1, dtype=L.float64)
        assert m2.weight.dtype == L.float64
        with pytest.raises(RuntimeError, match="Expected a Module"):
            L.nn.utils.skip_init(int)

        class NoDevice(L.nn.Module):
            def __init__(self):
                super().__init__()

        with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
            L.nn.utils.skip_init(NoDevice)


def test_skip_init_leaves_memory_uninitialised():
    calls = []
    orig = minitorch.nn.Module.to_empty

    def spy(self, *, device, recurse=True):
        calls.append(device)
        return orig(self, device=device, recurse=recurse)

    minitorch.nn.Module.to_empty = spy
    try:
        minitorch.nn.utils.skip_init(minitorch.nn.Linear, 3, 3)
    finally:
        minitorch.nn.Module.to_empty = orig
    assert calls == ["cpu"]


@pytest.mark.parametrize("dim", [2, 3])
def test_convert_conv_weight_memory_format_matches_torch(dim):
    res = []
    for L in (torch, minitorch):
        L.manual_seed(0)
        conv = getattr(L.nn, f"Conv{dim}d")
        tconv = getattr(L.nn, f"ConvTranspose{dim}d")
        net = L.nn.Sequential(conv(3, 4, 2), L.nn.Sequential(tconv(4, 2, 2)), L.nn.Linear(2, 2))
        fmt = L.channels_last if dim == 2 else L.channels_last_3d
        fn = getattr(L.nn.utils, f"convert_conv{dim}d_weight_memory_format")
        w_before = net[0].weight
        vals = _np(net[0].weight).copy()
        assert fn(net, fmt) is net
        assert net[0].weight is w_before
        np.testing.assert_array_equal(_np(net[0].weight), vals)
        row = [net[0].weight.is_contiguous(memory_format=fmt), net[1][0].weight.is_contiguous(memory_format=fmt),
               net[0].weight.is_contiguous(), net[2].weight.is_contiguous()]
        fn(net, L.contiguous_format)
        row += [net[0].weight.is_contiguous()]
        res.append(row)
    assert res[0] == res[1]
    assert res[0][:2] == [True, True]


def test_nllloss2d_is_deprecated_nllloss():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    y = rng.integers(0, 3, (2, 4, 4))
    vals = []
    for L in (torch, minitorch):
        with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
            loss = L.nn.NLLLoss2d(reduction="sum", ignore_index=1)
        assert isinstance(loss, L.nn.NLLLoss)
        xi = L.tensor(x, requires_grad=True)
        out = loss(L.log_softmax(xi, 1), L.tensor(y))
        out.backward()
        vals.append((float(out), _np(xi.grad)))
    np.testing.assert_allclose(vals[0][0], vals[1][0], rtol=1e-5)
    np.testing.assert_allclose(vals[0][1], vals[1][1], rtol=1e-5, atol=1e-6)


def test_functional_reexports_are_the_top_level_ops():
    F = minitorch.nn.functional
    assert F.pdist is minitorch.pdist and F.conv_tbc is minitorch.conv_tbc
    assert F.native_channel_shuffle is minitorch.native_channel_shuffle
    x = np.random.default_rng(1).standard_normal((4, 3))
    np.testing.assert_allclose(_np(F.pdist(minitorch.tensor(x))), _np(torch.nn.functional.pdist(torch.tensor(x))))


def test_no_warning_from_plain_nllloss():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minitorch.nn.NLLLoss()


# ---- CrossMapLRN2d ---------------------------------------------------------------------------------
@pytest.mark.parametrize("size,channels", [(3, 5), (5, 7), (2, 4), (4, 3), (6, 9)])
def test_cross_map_lrn2d_forward_and_torch_backward(size, channels):
    rng = np.random.default_rng(size)
    x = rng.standard_normal((2, channels, 3, 2))
    g = rng.standard_normal((2, channels, 3, 2))
    res = []
    for L in (torch, minitorch):
        xi = L.tensor(x, requires_grad=True)
        m = L.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.0)
        out = m(xi)
        out.backward(L.tensor(g))
        res.append((_np(out), _np(xi.grad), repr(m)))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12, atol=1e-14)
    assert res[0][2] == res[1][2]


def test_cross_map_lrn2d_float32_defaults_and_errors():
    x = np.random.default_rng(0).standard_normal((1, 6, 4, 4)).astype(np.float32)
    outs = [_np(L.nn.CrossMapLRN2d(3)(L.tensor(x))) for L in (torch, minitorch)]
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-6)
    for L in (torch, minitorch):
        with pytest.raises(ValueError, match="Expected input to be 4D, got 3D instead"):
            L.nn.CrossMapLRN2d(3)(L.ones(2, 3, 4))
        with pytest.raises(RuntimeError, match="exceeds dimension size"):  # torch's size-1 backward fails
            xi = L.ones(1, 3, 2, 2, requires_grad=True)
            L.nn.CrossMapLRN2d(1)(xi).sum().backward()


# ---- SyncBatchNorm ---------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 4), (2, 3, 2, 2, 2)])
def test_sync_batchnorm_without_process_group_is_batchnorm(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    res = []
    for L in (torch, minitorch):
        m = L.nn.SyncBatchNorm(3, momentum=None, dtype=L.float64)
        xi = L.tensor(x, requires_grad=True)
        out = m(xi)
        (out * L.tensor(np.arange(out.numel()).reshape(shape))).sum().backward()
        m(xi)
        m.eval()
        ev = m(xi)
        res.append([_np(out), _np(xi.grad), _np(m.running_mean), _np(m.running_var), int(m.num_batches_tracked),
                    _np(ev), repr(m), list(m.state_dict())])
    for a, b in zip(*res):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-12)
        else:
            assert a == b


def test_sync_batchnorm_errors_and_convert():
    for L in (torch, minitorch):
        with pytest.raises(ValueError, match="expected at least 2D input \\(got 1D input\\)"):
            L.nn.SyncBatchNorm(3)(L.ones(3))
        with pytest.raises(ValueError, match="number of input channels should be non-zero"):
            L.nn.SyncBatchNorm(0)(L.ones(2, 0))
        net = L.nn.Sequential(L.nn.Linear(2, 3), L.nn.BatchNorm1d(3),
                              L.nn.Sequential(L.nn.BatchNorm2d(3, affine=False), L.nn.ReLU()))
        net[2][0].eval()
        bn_w = net[1].weight
        rm = net[2][0].running_mean
        out = L.nn.SyncBatchNorm.convert_sync_batchnorm(net, process_group="pg")
        assert out is net
        assert type(net[1]) is L.nn.SyncBatchNorm and type(net[2][0]) is L.nn.SyncBatchNorm
        assert net[1].weight is bn_w and net[2][0].running_mean is rm and net[2][0].weight is None
        assert net[2][0].training is False and net[1].process_group == "pg"
        single = L.nn.SyncBatchNorm.convert_sync_batchnorm(L.nn.BatchNorm3d(4, bias=False))
        assert type(single) is L.nn.SyncBatchNorm and single.bias is None
        assert isinstance(single, L.nn.modules.batchnorm._BatchNorm)


# ---- GPU (real CuPy, or tests/fakecupy with MINITORCH_FAKE_GPU=1) -------------------------------------
def test_cuda_cross_map_lrn_and_clip_grads_never_wait_for_the_host():
    if not minitorch.cuda.is_available():
        pytest.skip("no CUDA (run with MINITORCH_FAKE_GPU=1)")
    x_np = np.random.default_rng(0).standard_normal((2, 5, 3, 3)).astype(np.float32)
    x = minitorch.tensor(x_np, device="cuda", requires_grad=True)
    p = minitorch.zeros(3, device="cuda", requires_grad=True)
    p.grad = minitorch.tensor([3.0, 4.0, 0.0], device="cuda")
    from tests.helpers import no_host_sync

    with no_host_sync():
        out = minitorch.nn.CrossMapLRN2d(3, alpha=0.5)(x)
        out.sum().backward()
        total = minitorch.nn.utils.get_total_norm([p.grad])
        minitorch.nn.utils.clip_grads_with_norm_([p], 1.0, total)
    xt = torch.tensor(x_np, requires_grad=True)
    ot = torch.nn.CrossMapLRN2d(3, alpha=0.5)(xt)
    ot.sum().backward()
    np.testing.assert_allclose(out.cpu().detach().numpy(), ot.detach().numpy(), rtol=1e-5)
    np.testing.assert_allclose(x.grad.cpu().numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(p.grad.cpu().numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
