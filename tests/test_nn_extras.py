"""The smaller nn additions against torch: RMSNorm, InstanceNorm1d/2d/3d, LocalResponseNorm, the padding
layers, PixelShuffle/PixelUnshuffle, Fold/Unfold, Softmax2d, and F.prelu. Same weights and buffers (torch's
state_dict loaded), same outputs, gradients and running statistics, on every device."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch
from minitorch.autograd import gradcheck

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch, requires_cuda
from .test_nn_layers import compare_module, rand

torch = require_torch()
MF = minitorch.nn.functional

LAYERS = [
    ("RMSNorm", lambda L: L.nn.RMSNorm(6), [(3, 4, 6)]),
    ("RMSNorm-2d-eps", lambda L: L.nn.RMSNorm((4, 6), eps=1e-3), [(3, 4, 6)]),
    ("RMSNorm-noaffine", lambda L: L.nn.RMSNorm(4, elementwise_affine=False), [(3, 4)]),
    ("InstanceNorm1d", lambda L: L.nn.InstanceNorm1d(3), [(2, 3, 5)]),
    ("InstanceNorm1d-unbatched", lambda L: L.nn.InstanceNorm1d(3, affine=True), [(3, 5)]),
    ("InstanceNorm2d-affine", lambda L: L.nn.InstanceNorm2d(3, affine=True), [(2, 3, 4, 5)]),
    ("InstanceNorm2d-stats", lambda L: L.nn.InstanceNorm2d(3, affine=True, track_running_stats=True, momentum=0.3),
     [(2, 3, 4, 5)]),
    ("InstanceNorm2d-stats-nobias", lambda L: L.nn.InstanceNorm2d(3, affine=True, bias=False,
                                                                  track_running_stats=True), [(3, 4, 5)]),
    ("InstanceNorm1d-stats-momentum-None", lambda L: L.nn.InstanceNorm1d(2, track_running_stats=True, momentum=None),
     [(4, 2, 6)]),
    ("InstanceNorm3d", lambda L: L.nn.InstanceNorm3d(2, affine=True), [(2, 2, 3, 2, 3)]),
    ("LocalResponseNorm", lambda L: L.nn.LocalResponseNorm(3, alpha=0.5), [(2, 5, 4)]),
    ("LocalResponseNorm-4d", lambda L: L.nn.LocalResponseNorm(2, alpha=0.2, beta=0.5, k=2.0), [(2, 4, 3, 3)]),
    ("ZeroPad1d", lambda L: L.nn.ZeroPad1d((1, 2)), [(2, 3, 4)]),
    ("ZeroPad2d", lambda L: L.nn.ZeroPad2d(1), [(2, 3, 4, 4)]),
    ("ZeroPad2d-crop", lambda L: L.nn.ZeroPad2d((1, -1, 0, 2)), [(3, 4, 4)]),
    ("ConstantPad1d", lambda L: L.nn.ConstantPad1d(2, 3.5), [(2, 4)]),
    ("ConstantPad2d", lambda L: L.nn.ConstantPad2d((1, 0, 2, 1), -1.0), [(2, 3, 4, 4)]),
    ("ConstantPad3d", lambda L: L.nn.ConstantPad3d(1, 0.5), [(1, 2, 2, 3, 2)]),
    ("ReflectionPad1d", lambda L: L.nn.ReflectionPad1d((2, 1)), [(2, 3, 5)]),
    ("ReflectionPad2d", lambda L: L.nn.ReflectionPad2d((1, 2, 2, 0)), [(2, 3, 4, 5)]),
    ("ReflectionPad2d-unbatched", lambda L: L.nn.ReflectionPad2d(1), [(3, 4, 5)]),
    ("ReplicationPad1d", lambda L: L.nn.ReplicationPad1d(3), [(2, 3, 4)]),
    ("ReplicationPad2d", lambda L: L.nn.ReplicationPad2d((2, 0, 1, 3)), [(2, 3, 4, 5)]),
    ("CircularPad1d", lambda L: L.nn.CircularPad1d((1, 3)), [(2, 3, 4)]),
    ("CircularPad2d", lambda L: L.nn.CircularPad2d(1), [(2, 3, 4, 5)]),
    ("CircularPad2d-unbatched", lambda L: L.nn.CircularPad2d((2, 1, 0, 1)), [(3, 4, 5)]),
    ("PixelShuffle", lambda L: L.nn.PixelShuffle(2), [(2, 8, 3, 4)]),
    ("PixelShuffle-unbatched", lambda L: L.nn.PixelShuffle(3), [(9, 2, 2)]),
    ("PixelUnshuffle", lambda L: L.nn.PixelUnshuffle(2), [(2, 2, 4, 6)]),
    ("Fold", lambda L: L.nn.Fold((4, 5), 2, padding=1, stride=2), [(2, 12, 9)]),
    ("Unfold", lambda L: L.nn.Unfold((2, 3), dilation=1, padding=1, stride=(1, 2)), [(2, 3, 4, 5)]),
    ("Softmax2d", lambda L: L.nn.Softmax2d(), [(2, 3, 4, 5)]),
    ("Softmax2d-unbatched", lambda L: L.nn.Softmax2d(), [(3, 4, 5)]),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name,build,shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_torch(name, build, shapes, train, device):
    compare_module(build, [rand(*s, seed=i) for i, s in enumerate(shapes)], train=train, device=device)


@pytest.mark.parametrize("name,build,shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_repr_and_state_dict_keys_match_torch(name, build, shapes):
    tm, mm = build(torch), build(minitorch)
    assert repr(mm) == repr(tm)
    assert list(mm.state_dict()) == list(tm.state_dict())
    for (k, vt), vm in zip(tm.state_dict().items(), mm.state_dict().values()):
        assert tuple(vm.shape) == tuple(vt.shape), k
        assert_close(vm, vt, msg=k)  # the initial values too (ones, zeros, running stats)


@pytest.mark.parametrize("device", devices())
def test_instance_norm_running_stats_over_several_steps_then_eval(device):
    def build(L):
        return L.nn.InstanceNorm1d(3, affine=True, track_running_stats=True)

    tm, mm = compare_module(build, [rand(4, 3, 6)], device=device)
    for seed in (1, 2):
        x = rand(4, 3, 6, seed=seed)
        tm(torch.tensor(x))
        mm(minitorch.tensor(x, device=device))
    for name, b in tm.named_buffers():
        assert_close(dict(mm.named_buffers())[name], b, 1e-5, 1e-6, msg=name)
    tm.eval()
    mm.eval()
    x = rand(2, 3, 5, seed=3)
    assert_close(mm(minitorch.tensor(x, device=device)), tm(torch.tensor(x)), 1e-5, 1e-5)


def test_rms_norm_gradcheck_and_default_eps():
    rng = np.random.default_rng(0)
    x = minitorch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    w = minitorch.tensor(rng.standard_normal(4), requires_grad=True)
    assert gradcheck(lambda a, b: MF.rms_norm(a, (4,), b), (x, w))
    tiny = np.full((2, 3), 1e-5, dtype=np.float32)  # eps matters at this scale: finfo(float32).eps by default
    assert_close(MF.rms_norm(minitorch.tensor(tiny), (3,)), torch.nn.functional.rms_norm(torch.tensor(tiny), (3,)))


def test_instance_norm_and_lrn_gradcheck():
    rng = np.random.default_rng(1)
    x = minitorch.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
    m = minitorch.nn.InstanceNorm1d(3, affine=True, dtype=minitorch.float64)
    assert gradcheck(lambda a: m(a), (x,))
    assert gradcheck(lambda a: MF.local_response_norm(a, 3, alpha=0.5), (x,))


def test_prelu_functional_matches_torch_and_module_weight():
    x = rand(2, 3, 4) * 2
    w = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    mx, mw = minitorch.tensor(x, requires_grad=True), minitorch.tensor(w, requires_grad=True)
    t, m = torch.nn.functional.prelu(tx, tw), MF.prelu(mx, mw)
    assert_close(m, t)
    t.sum().backward()
    m.sum().backward()
    assert_close(mx.grad, tx.grad)
    assert_close(mw.grad, tw.grad, 1e-5, 1e-5)


ERRORS = [
    ("rms-shape", lambda L: L.nn.functional.rms_norm(L.zeros(2, 3, 4), (3,))),
    ("rms-weight", lambda L: L.nn.functional.rms_norm(L.zeros(2, 3, 4), (4,), L.ones(3))),
    ("instance-dim", lambda L: L.nn.InstanceNorm2d(3)(L.zeros(2, 3))),
    ("instance-affine-channels", lambda L: L.nn.InstanceNorm1d(3, affine=True)(L.zeros(2, 4, 5))),
    ("instance-one-spatial", lambda L: L.nn.InstanceNorm1d(3)(L.zeros(2, 3, 1))),
    ("lrn-2d", lambda L: L.nn.LocalResponseNorm(2)(L.zeros(2, 3))),
    ("pixel-shuffle-channels", lambda L: L.nn.functional.pixel_shuffle(L.zeros(2, 6, 3, 3), 2)),
    ("pixel-shuffle-2d", lambda L: L.nn.functional.pixel_shuffle(L.zeros(6, 3), 2)),
    ("pixel-unshuffle-width", lambda L: L.nn.functional.pixel_unshuffle(L.zeros(2, 2, 4, 3), 2)),
    ("pixel-unshuffle-height", lambda L: L.nn.functional.pixel_unshuffle(L.zeros(2, 2, 3, 4), 2)),
    ("prelu-channels", lambda L: L.nn.functional.prelu(L.zeros(2, 3, 4), L.ones(4))),
    ("prelu-2d-weight", lambda L: L.nn.functional.prelu(L.zeros(2, 3), L.ones(1, 3))),
    ("circular-dim", lambda L: L.nn.CircularPad2d(1)(L.zeros(3, 3))),
    ("reflection-too-wide", lambda L: L.nn.ReflectionPad1d(3)(L.zeros(1, 2, 3))),
    ("softmax2d-dim", lambda L: L.nn.Softmax2d()(L.zeros(3, 3))),
]


@pytest.mark.parametrize("name,call", ERRORS, ids=[c[0] for c in ERRORS])
def test_errors_like_torch(name, call):
    raises_like_torch(lambda: call(torch), lambda: call(minitorch))


def test_instance_norm_channel_mismatch_without_affine_warns_like_torch():
    with pytest.warns(UserWarning, match="does not match num_features"):
        minitorch.nn.InstanceNorm1d(3)(minitorch.zeros(2, 4, 5) + minitorch.arange(5.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minitorch.nn.InstanceNorm1d(4)(minitorch.zeros(2, 4, 5) + minitorch.arange(5.0))


@requires_cuda
def test_cuda_extras_never_wait_for_the_host():
    layers = [minitorch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True), minitorch.nn.RMSNorm(5),
              minitorch.nn.LocalResponseNorm(2), minitorch.nn.ReflectionPad2d(1), minitorch.nn.PixelUnshuffle(2),
              minitorch.nn.Softmax2d()]
    for layer in layers:
        layer.to("cuda")
        x = minitorch.tensor(rand(2, 3, 4, 5)[..., :4], device="cuda", requires_grad=True)
        if isinstance(layer, minitorch.nn.RMSNorm):
            x = minitorch.tensor(rand(2, 3, 4, 5), device="cuda", requires_grad=True)
        with no_host_sync():
            layer(x).sum().backward()
        assert x.grad.device.type == "cuda"
