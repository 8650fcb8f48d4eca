"""nn layers against torch: same weights (through load_state_dict), same outputs, same gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import minitorch
from tests.helpers import assert_close, devices, raises_like_torch, require_torch, to_mt

torch = require_torch()

RTOL, ATOL = 2e-4, 2e-5


def _flat(out) -> list:
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def copy_weights(tm, mm) -> None:
    """Load the torch module's state_dict into the minitorch module (strict: keys must match)."""
    result = mm.load_state_dict({k: to_mt(v) for k, v in tm.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys


def compare_module(build, inputs, train: bool = True, rtol: float = RTOL, atol: float = ATOL, seed: int = 0,
                   call=None, device: str = "cpu"):
    """Build the module in both libraries, copy weights, compare outputs, input grads, param grads, buffers.

    ``inputs``: NumPy arrays (float ones get gradients) or non-array arguments passed as-is. The minitorch
    module and inputs live on ``device``; torch's stay on the CPU as the reference.
    """
    torch.manual_seed(seed)
    tm, mm = build(torch), build(minitorch)
    copy_weights(tm, mm)
    mm.to(device)
    tm.train(train)
    mm.train(train)
    targs, margs = [], []
    for a in inputs:
        if isinstance(a, np.ndarray):
            grad = a.dtype.kind == "f"
            targs.append(torch.tensor(a, requires_grad=grad))
            margs.append(minitorch.tensor(a, requires_grad=grad, device=device))
        else:
            targs.append(a)
            margs.append(a)
    call = call or (lambda m, args: m(*args))
    tout, mout = _flat(call(tm, targs)), _flat(call(mm, margs))
    assert len(tout) == len(mout)
    rng = np.random.default_rng(seed)
    tloss = 0
    mloss = 0
    for i, (t, m) in enumerate(zip(tout, mout)):
        assert_close(m, t, rtol, atol, msg=f"output {i}")
        assert m.dtype.name == str(t.dtype).split(".")[-1], f"output {i} dtype {m.dtype} != {t.dtype}"
        if t.requires_grad:
            g = rng.standard_normal(tuple(t.shape)).astype(np.float32)
            tloss = tloss + (t * torch.tensor(g)).sum()
            assert m.device.type == device, f"output {i} on {m.device}, expected {device}"
            mloss = mloss + (m * minitorch.tensor(g, device=device)).sum()
    if isinstance(tloss, torch.Tensor):
        tloss.backward()
        mloss.backward()
        for i, (t, m) in enumerate(zip(targs, margs)):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                assert_close(m.grad, t.grad, rtol, atol, msg=f"grad of input {i}")
        mparams = dict(mm.named_parameters())
        for name, p in tm.named_parameters():
            if p.grad is None:
                assert mparams[name].grad is None or not np.any(mparams[name].grad.cpu().numpy()), name
            else:
                assert mparams[name].grad is not None, f"no grad for {name}"
                assert_close(mparams[name].grad, p.grad, rtol, atol, msg=f"grad of {name}")
    mbufs = dict(mm.named_buffers())
    for name, b in tm.named_buffers():
        assert_close(mbufs[name], b, rtol, atol, msg=f"buffer {name}")
    return tm, mm


def rand(*shape, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed + sum(shape)).standard_normal(shape).astype(np.float32)


# ------------------------------------------------------------------------ layer table ------------
LAYERS = [
    ("Linear", lambda L: L.nn.Linear(5, 3), [(4, 5)]),
    ("Linear-nobias-3d", lambda L: L.nn.Linear(5, 3, bias=False), [(2, 4, 5)]),
    ("Bilinear", lambda L: L.nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("Identity", lambda L: L.nn.Identity(7, k=1), [(2, 3)]),
    ("Flatten", lambda L: L.nn.Flatten(), [(2, 3, 4, 5)]),
    ("Flatten-1-2", lambda L: L.nn.Flatten(1, 2), [(2, 3, 4, 5)]),
    ("Unflatten", lambda L: L.nn.Unflatten(1, (3, 4)), [(2, 12)]),
    ("Conv1d", lambda L: L.nn.Conv1d(4, 6, 3), [(2, 4, 9)]),
    ("Conv1d-s2p1d2g2", lambda L: L.nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2), [(2, 4, 11)]),
    ("Conv1d-same-reflect", lambda L: L.nn.Conv1d(3, 2, 4, padding="same", padding_mode="reflect"), [(2, 3, 8)]),
    ("Conv1d-unbatched", lambda L: L.nn.Conv1d(3, 2, 3, bias=False), [(3, 7)]),
    ("Conv2d", lambda L: L.nn.Conv2d(3, 4, 3), [(2, 3, 7, 6)]),
    ("Conv2d-s2p1", lambda L: L.nn.Conv2d(3, 4, 3, stride=2, padding=1), [(2, 3, 8, 7)]),
    ("Conv2d-rect-dil", lambda L: L.nn.Conv2d(2, 4, (2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1)),
     [(2, 2, 7, 9)]),
    ("Conv2d-groups", lambda L: L.nn.Conv2d(4, 6, 3, padding=1, groups=2, bias=False), [(2, 4, 5, 5)]),
    ("Conv2d-depthwise", lambda L: L.nn.Conv2d(3, 6, 3, groups=3), [(1, 3, 6, 6)]),
    ("Conv2d-same", lambda L: L.nn.Conv2d(2, 3, (3, 4), padding="same", dilation=2), [(2, 2, 8, 8)]),
    ("Conv2d-valid", lambda L: L.nn.Conv2d(2, 3, 3, padding="valid"), [(2, 2, 5, 5)]),
    ("Conv2d-replicate", lambda L: L.nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"), [(2, 2, 5, 6)]),
    ("Conv2d-circular", lambda L: L.nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="circular"), [(1, 2, 5, 6)]),
    ("ConvTranspose2d", lambda L: L.nn.ConvTranspose2d(3, 4, 3), [(2, 3, 5, 5)]),
    ("ConvTranspose2d-s2p1op1", lambda L: L.nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
     [(2, 4, 4, 5)]),
    ("ConvTranspose2d-groups-dil", lambda L: L.nn.ConvTranspose2d(4, 6, (2, 3), groups=2, dilation=2, bias=False),
     [(2, 4, 4, 4)]),
    ("MaxPool1d", lambda L: L.nn.MaxPool1d(3, stride=2, padding=1), [(2, 3, 9)]),
    ("MaxPool2d", lambda L: L.nn.MaxPool2d(2), [(2, 3, 6, 6)]),
    ("MaxPool2d-ceil-dil", lambda L: L.nn.MaxPool2d(3, stride=2, padding=1, dilation=2, ceil_mode=True),
     [(2, 2, 9, 8)]),
    ("MaxPool2d-indices", lambda L: L.nn.MaxPool2d(2, return_indices=True), [(1, 2, 4, 4)]),
    ("AvgPool1d", lambda L: L.nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False), [(2, 3, 8)]),
    ("AvgPool2d", lambda L: L.nn.AvgPool2d(2), [(2, 3, 6, 6)]),
    ("AvgPool2d-ceil", lambda L: L.nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), [(2, 2, 7, 8)]),
    ("AdaptiveAvgPool2d", lambda L: L.nn.AdaptiveAvgPool2d((3, 2)), [(2, 3, 7, 5)]),
    ("AdaptiveAvgPool2d-1", lambda L: L.nn.AdaptiveAvgPool2d(1), [(2, 3, 4, 4)]),
    ("AdaptiveMaxPool2d", lambda L: L.nn.AdaptiveMaxPool2d((2, 3)), [(2, 3, 5, 7)]),
    ("LayerNorm", lambda L: L.nn.LayerNorm(6), [(3, 4, 6)]),
    ("LayerNorm-2d-noaffine", lambda L: L.nn.LayerNorm((4, 6), elementwise_affine=False), [(3, 4, 6)]),
    ("GroupNorm", lambda L: L.nn.GroupNorm(2, 6), [(3, 6, 4, 5)]),
    ("GroupNorm-nobias", lambda L: L.nn.GroupNorm(3, 6, bias=False), [(3, 6, 4)]),
    ("LayerNorm-nobias", lambda L: L.nn.LayerNorm(4, bias=False), [(3, 4)]),
    ("Upsample-nearest", lambda L: L.nn.Upsample(scale_factor=2), [(2, 3, 4, 5)]),
    ("Upsample-bilinear", lambda L: L.nn.Upsample(size=(7, 9), mode="bilinear", align_corners=False),
     [(2, 3, 4, 5)]),
    ("CosineSimilarity", lambda L: L.nn.CosineSimilarity(dim=1), [(4, 5), (4, 5)]),
    ("PairwiseDistance", lambda L: L.nn.PairwiseDistance(), [(4, 5), (4, 5)]),
    ("Sequential", lambda L: L.nn.Sequential(L.nn.Linear(4, 8), L.nn.Tanh(), L.nn.Linear(8, 2)), [(3, 4)]),
]

ACTIVATIONS = [
    ("ReLU", lambda L: L.nn.ReLU()), ("ReLU6", lambda L: L.nn.ReLU6()),
    ("LeakyReLU", lambda L: L.nn.LeakyReLU(0.2)), ("ELU", lambda L: L.nn.ELU(alpha=0.7)),
    ("SELU", lambda L: L.nn.SELU()), ("CELU", lambda L: L.nn.CELU(alpha=1.5)),
    ("GELU", lambda L: L.nn.GELU()), ("GELU-tanh", lambda L: L.nn.GELU(approximate="tanh")),
    ("SiLU", lambda L: L.nn.SiLU()), ("Mish", lambda L: L.nn.Mish()),
    ("Softplus", lambda L: L.nn.Softplus(beta=2.0, threshold=3.0)), ("Softsign", lambda L: L.nn.Softsign()),
    ("Hardtanh", lambda L: L.nn.Hardtanh(-0.5, 0.8)), ("Hardsigmoid", lambda L: L.nn.Hardsigmoid()),
    ("Hardswish", lambda L: L.nn.Hardswish()), ("Sigmoid", lambda L: L.nn.Sigmoid()),
    ("Tanh", lambda L: L.nn.Tanh()), ("Softmax", lambda L: L.nn.Softmax(dim=1)),
    ("LogSoftmax", lambda L: L.nn.LogSoftmax(dim=-1)), ("GLU", lambda L: L.nn.GLU(dim=1)),
    ("LogSigmoid", lambda L: L.nn.LogSigmoid()), ("Softmin", lambda L: L.nn.Softmin(dim=0)),
    ("PReLU", lambda L: L.nn.PReLU(4)),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,build,shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, build, shapes, device):
    compare_module(build, [rand(*s, seed=i) for i, s in enumerate(shapes)], device=device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,build", ACTIVATIONS, ids=[c[0] for c in ACTIVATIONS])
def test_activation_module_matches_torch(name, build, device):
    x = rand(3, 4, 5) * 3
    compare_module(build, [x], device=device)
    assert repr(build(minitorch)) == repr(build(torch))


@pytest.mark.parametrize("name,build,shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_repr_and_state_dict_keys_match_torch(name, build, shapes):
    tm, mm = build(torch), build(minitorch)
    assert repr(mm) == repr(tm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    for (_, vt), (km, vm) in zip(tm.state_dict().items(), mm.state_dict().items()):
        assert tuple(vm.shape) == tuple(vt.shape), km
        assert not vm.requires_grad


@st.composite
def conv_configs(draw):
    groups = draw(st.sampled_from([1, 2]))
    cin, cout = groups * draw(st.integers(1, 3)), groups * draw(st.integers(1, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    size = [draw(st.integers(dilation[i] * (k[i] - 1) + 1, 8)) for i in range(2)]
    bias = draw(st.booleans())
    return dict(in_channels=cin, out_channels=cout, kernel_size=k, stride=stride, padding=padding,
                dilation=dilation, groups=groups, bias=bias), (draw(st.integers(1, 3)), cin, *size)


@given(conv_configs())
def test_conv2d_random_configs_match_torch(cfg):
    kw, shape = cfg
    compare_module(lambda L: L.nn.Conv2d(**kw), [rand(*shape)])


@given(conv_configs(), st.integers(0, 1))
def test_conv_transpose2d_random_configs_match_torch(cfg, extra):
    kw, shape = cfg
    op = tuple(min(extra, max(s, d) - 1) for s, d in zip(kw["stride"], kw["dilation"]))
    kw = dict(kw, in_channels=kw["out_channels"], out_channels=kw["in_channels"], output_padding=op)
    shape = (shape[0], kw["in_channels"], *shape[2:])
    out = [(shape[2 + i] - 1) * kw["stride"][i] - 2 * kw["padding"][i] + kw["dilation"][i] * (kw["kernel_size"][i] - 1)
           + 1 + op[i] for i in range(2)]
    assume(min(out) > 0)
    compare_module(lambda L: L.nn.ConvTranspose2d(**kw), [rand(*shape)])


def test_conv_transpose_output_size():
    x = rand(2, 3, 5, 5)
    compare_module(lambda L: L.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1), [x],
                   call=lambda m, args: m(args[0], output_size=[10, 10]))
    m = minitorch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    t = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1)
    with pytest.raises(ValueError):
        t(torch.tensor(x), output_size=[20, 20])
    with pytest.raises(ValueError, match="output size"):
        m(minitorch.tensor(x), output_size=[20, 20])


# ------------------------------------------------------------------------ BatchNorm --------------
BN_CASES = [
    ("bn1d-2d", lambda L: L.nn.BatchNorm1d(4), (6, 4)),
    ("bn1d-3d", lambda L: L.nn.BatchNorm1d(4, momentum=0.3), (5, 4, 3)),
    ("bn1d-cumulative", lambda L: L.nn.BatchNorm1d(4, momentum=None), (6, 4)),
    ("bn2d", lambda L: L.nn.BatchNorm2d(3), (4, 3, 5, 5)),
    ("bn2d-noaffine", lambda L: L.nn.BatchNorm2d(3, affine=False, eps=1e-3), (4, 3, 2, 3)),
    ("bn2d-notrack", lambda L: L.nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 2, 3)),
    ("bn2d-nobias", lambda L: L.nn.BatchNorm2d(3, bias=False), (4, 3, 2, 3)),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,build,shape", BN_CASES, ids=[c[0] for c in BN_CASES])
def test_batchnorm_train_then_eval_matches_torch(name, build, shape, device):
    torch.manual_seed(0)
    tm, mm = build(torch), build(minitorch)
    copy_weights(tm, mm)
    mm.to(device)
    if tm.weight is not None:  # non-trivial affine parameters
        w, b = rand(shape[1], seed=7), rand(shape[1], seed=8)
        with torch.no_grad():
            tm.weight.copy_(torch.tensor(w))
            if tm.bias is not None:
                tm.bias.copy_(torch.tensor(b))
        copy_weights(tm, mm)
    assert all(b.device.type == device for b in mm.buffers())  # load_state_dict keeps the module's device
    for step in range(3):  # several training steps move the running statistics
        x = rand(*shape, seed=step) * (step + 1) + step
        to, mo = tm(torch.tensor(x)), mm(minitorch.tensor(x, device=device))
        assert_close(mo, to, RTOL, ATOL)
    for (n, b) in tm.named_buffers():
        assert_close(dict(mm.named_buffers())[n], b, RTOL, ATOL, msg=n)
    if tm.num_batches_tracked is not None:
        assert mm.num_batches_tracked.item() == 3 and mm.num_batches_tracked.dtype == minitorch.int64
    # gradients in training mode and outputs/gradients in eval mode
    compare_module(lambda L: tm if L is torch else mm, [rand(*shape, seed=9)], train=True, device=device)
    compare_module(lambda L: tm if L is torch else mm, [rand(*shape, seed=10)], train=False, device=device)


def test_batchnorm_bad_rank_raises_value_error_like_torch():
    for L in (torch, minitorch):
        with pytest.raises(ValueError, match="expected 4D input"):
            L.nn.BatchNorm2d(3)(L.ones(2, 3, 4))
        with pytest.raises(ValueError, match="expected 2D or 3D input"):
            L.nn.BatchNorm1d(3)(L.ones(2, 3, 4, 4))


# ------------------------------------------------------------------------ Embedding, Dropout -----
def test_embedding_matches_torch_with_padding_idx():
    idx = np.array([[0, 2, 1], [4, 2, 2]], dtype=np.int64)
    tm, mm = compare_module(lambda L: L.nn.Embedding(5, 3, padding_idx=2), [idx])
    assert not np.any(mm.weight.grad.numpy()[2])
    m = minitorch.nn.Embedding(5, 3, padding_idx=-1)
    assert m.padding_idx == 4 and not np.any(m.weight.detach().numpy()[4])
    assert repr(m) == repr(torch.nn.Embedding(5, 3, padding_idx=-1))


def test_embedding_from_pretrained():
    w = rand(4, 3)
    m = minitorch.nn.Embedding.from_pretrained(minitorch.tensor(w))
    t = torch.nn.Embedding.from_pretrained(torch.tensor(w))
    assert m.weight.requires_grad is t.weight.requires_grad is False
    idx = np.array([3, 0, 3])
    assert_close(m(minitorch.tensor(idx)), t(torch.tensor(idx)))
    m2 = minitorch.nn.Embedding.from_pretrained(minitorch.tensor(w), freeze=False)
    assert m2.weight.requires_grad


def test_dropout_identity_in_eval_and_scaled_in_train():
    for mod in (minitorch.nn.Dropout(0.3), minitorch.nn.Dropout2d(0.3)):
        x = minitorch.ones(200, 50, 1, 1) if isinstance(mod, minitorch.nn.Dropout2d) else minitorch.ones(200, 50)
        mod.eval()
        assert np.array_equal(mod(x).numpy(), x.numpy())
        mod.train()
        minitorch.manual_seed(0)
        y = mod(x).numpy()
        kept = y[y != 0]
        np.testing.assert_allclose(kept, 1 / 0.7, rtol=1e-6)
        assert abs((y == 0).mean() - 0.3) < 0.03
    assert repr(minitorch.nn.Dropout(0.3)) == repr(torch.nn.Dropout(0.3))
    with pytest.raises(ValueError, match="between 0 and 1"):
        minitorch.nn.Dropout(1.5)


# ------------------------------------------------------------------------ losses -----------------
def _cls_target(n, c, seed=0):
    return np.random.default_rng(seed).integers(0, c, n).astype(np.int64)


def _pm1(n, seed=0):
    return np.where(np.random.default_rng(seed).random(n) < 0.5, -1.0, 1.0).astype(np.float32)


def _probs(*shape, seed=0):
    return np.random.default_rng(seed).uniform(0.05, 0.95, shape).astype(np.float32)


class _Const:
    """A float array passed without requires_grad (targets)."""

    def __init__(self, a):
        self.a = a


def _nograd(a):
    return _Const(a)


LOSSES = [
    ("MSELoss", lambda L, r: L.nn.MSELoss(reduction=r), lambda: [rand(3, 4), _nograd(rand(3, 4, seed=5))]),
    ("L1Loss", lambda L, r: L.nn.L1Loss(reduction=r), lambda: [rand(3, 4), _nograd(rand(3, 4, seed=5))]),
    ("SmoothL1Loss", lambda L, r: L.nn.SmoothL1Loss(reduction=r, beta=0.5),
     lambda: [rand(3, 4), _nograd(rand(3, 4, seed=5))]),
    ("HuberLoss", lambda L, r: L.nn.HuberLoss(reduction=r, delta=0.7),
     lambda: [rand(3, 4), _nograd(rand(3, 4, seed=5))]),
    ("CrossEntropyLoss", lambda L, r: L.nn.CrossEntropyLoss(reduction=r), lambda: [rand(5, 4), _cls_target(5, 4)]),
    ("CrossEntropyLoss-opts", lambda L, r: L.nn.CrossEntropyLoss(
        weight=L.tensor([1.0, 2.0, 0.5, 1.5]), ignore_index=1, label_smoothing=0.1, reduction=r),
     lambda: [rand(6, 4, 3), _cls_target(18, 4).reshape(6, 3)]),
    ("CrossEntropyLoss-probs", lambda L, r: L.nn.CrossEntropyLoss(reduction=r),
     lambda: [rand(5, 4), _nograd(np.full((5, 4), 0.25, np.float32))]),
    ("NLLLoss", lambda L, r: L.nn.NLLLoss(weight=L.tensor([0.3, 1.0, 2.0]), reduction=r),
     lambda: [rand(5, 3), _cls_target(5, 3)]),
    ("BCELoss", lambda L, r: L.nn.BCELoss(reduction=r), lambda: [_probs(4, 3), _nograd(_probs(4, 3, seed=2))]),
    ("BCEWithLogitsLoss", lambda L, r: L.nn.BCEWithLogitsLoss(pos_weight=L.tensor([1.0, 2.0, 0.5]), reduction=r),
     lambda: [rand(4, 3) * 5, _nograd(_probs(4, 3, seed=2))]),
    ("KLDivLoss", lambda L, r: L.nn.KLDivLoss(reduction=r), lambda: [rand(4, 3), _nograd(_probs(4, 3, seed=2))]),
    ("KLDivLoss-logt", lambda L, r: L.nn.KLDivLoss(reduction=r, log_target=True),
     lambda: [rand(4, 3), _nograd(rand(4, 3, seed=3))]),
    ("CosineEmbeddingLoss", lambda L, r: L.nn.CosineEmbeddingLoss(margin=0.2, reduction=r),
     lambda: [rand(4, 5), rand(4, 5, seed=3), _nograd(_pm1(4))]),
    ("MarginRankingLoss", lambda L, r: L.nn.MarginRankingLoss(margin=0.1, reduction=r),
     lambda: [rand(6), rand(6, seed=3), _nograd(_pm1(6))]),
    ("HingeEmbeddingLoss", lambda L, r: L.nn.HingeEmbeddingLoss(margin=0.5, reduction=r),
     lambda: [rand(3, 4), _nograd(_pm1(12).reshape(3, 4))]),
    ("TripletMarginLoss", lambda L, r: L.nn.TripletMarginLoss(margin=0.5, swap=True, reduction=r),
     lambda: [rand(4, 5), rand(4, 5, seed=3), rand(4, 5, seed=4)]),
]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("name,build,make", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_module_matches_torch(name, build, make, reduction, device):
    compare_module(lambda L: build(L, reduction), make(), call=_const_call_on(device), device=device)
    assert repr(build(minitorch, reduction)) == repr(build(torch, reduction))


def _const_call_on(device: str = "cpu"):
    """Call ``m`` with the _Const targets turned into tensors of m's library (no gradient; minitorch's
    on ``device``)."""
    def call(m, args):
        if isinstance(m, torch.nn.Module):
            return m(*[torch.tensor(a.a) if isinstance(a, _Const) else a for a in args])
        return m(*[minitorch.tensor(a.a, device=device) if isinstance(a, _Const) else a for a in args])
    return call


_const_call = _const_call_on("cpu")


def test_kl_div_batchmean():
    compare_module(lambda L: L.nn.KLDivLoss(reduction="batchmean"), [rand(4, 3), _nograd(_probs(4, 3))],
                   call=_const_call)


def test_weighted_loss_registers_weight_buffer():
    w = [1.0, 2.0, 3.0]
    m, t = minitorch.nn.CrossEntropyLoss(weight=minitorch.tensor(w)), torch.nn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(m.state_dict()) == list(t.state_dict()) == ["weight"]
    assert list(minitorch.nn.BCEWithLogitsLoss(pos_weight=minitorch.ones(2)).state_dict()) == ["pos_weight"]


# ------------------------------------------------------------------------ Maxout (not in torch) ---
def test_maxout_is_max_over_linear_pieces():
    minitorch.manual_seed(0)
    m = minitorch.nn.Maxout(5, 3, pool_size=4)
    assert tuple(m.weight.shape) == (12, 5) and tuple(m.bias.shape) == (12,)
    x = rand(6, 5)
    xm = minitorch.tensor(x, requires_grad=True)
    y = m(xm)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    pieces = (x @ w.T + b).reshape(6, 3, 4)
    np.testing.assert_allclose(y.detach().numpy(), pieces.max(-1), rtol=1e-5, atol=1e-6)
    # gradient: same as torch for the equivalent Linear + amax
    lin = torch.nn.Linear(5, 12)
    with torch.no_grad():
        lin.weight.copy_(torch.tensor(w))
        lin.bias.copy_(torch.tensor(b))
    xt = torch.tensor(x, requires_grad=True)
    yt = lin(xt).unflatten(-1, (3, 4)).amax(-1)
    g = rand(6, 3, seed=4)
    (yt * torch.tensor(g)).sum().backward()
    (y * minitorch.tensor(g)).sum().backward()
    assert_close(xm.grad, xt.grad, RTOL, ATOL)
    assert_close(m.weight.grad, lin.weight.grad, RTOL, ATOL)
    assert_close(m.bias.grad, lin.bias.grad, RTOL, ATOL)
    assert repr(m) == "Maxout(in_features=5, out_features=3, pool_size=4, bias=True)"
    with pytest.raises(ValueError, match="pool_size"):
        minitorch.nn.Maxout(5, 3, 0)


# ------------------------------------------------------------------------ bad input --------------
BAD_INPUTS = [
    ("linear wrong features", lambda L: L.nn.Linear(4, 2)(L.ones(3, 5))),
    ("conv2d wrong channels", lambda L: L.nn.Conv2d(3, 4, 3)(L.ones(1, 2, 8, 8))),
    ("conv2d wrong rank", lambda L: L.nn.Conv2d(3, 4, 3)(L.ones(1, 1, 3, 8, 8))),
    ("conv1d wrong rank", lambda L: L.nn.Conv1d(3, 4, 3)(L.ones(3, 8, 8, 8))),
    ("conv2d kernel too large", lambda L: L.nn.Conv2d(1, 1, 5)(L.ones(1, 1, 3, 3))),
    ("maxpool2d wrong rank", lambda L: L.nn.MaxPool2d(2)(L.ones(4, 4))),
    ("layernorm wrong shape", lambda L: L.nn.LayerNorm(5)(L.ones(2, 4))),
    ("groupnorm channels", lambda L: L.nn.GroupNorm(2, 4)(L.ones(2, 6, 3))),
    ("batchnorm channels", lambda L: L.nn.BatchNorm1d(3)(L.ones(4, 5))),
    ("conv groups", lambda L: L.nn.Conv2d(3, 4, 3, groups=2)),
    ("conv padding string", lambda L: L.nn.Conv2d(3, 4, 3, padding="full")),
    ("conv same strided", lambda L: L.nn.Conv2d(3, 4, 3, stride=2, padding="same")),
    ("groupnorm divisible", lambda L: L.nn.GroupNorm(4, 6)),
    ("embedding float index", lambda L: L.nn.Embedding(4, 2)(L.ones(3))),
]


@pytest.mark.parametrize("name,fn", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_torch_exception_type(name, fn):
    assert str(raises_like_torch(lambda: fn(torch), lambda: fn(minitorch)))
