"""Automatic mixed precision: ``minitorch.autocast`` and ``minitorch.amp.GradScaler`` against torch.

Autocast: for every hooked op, the output dtype, values, gradient dtypes and gradient values equal
torch's CPU autocast with ``dtype=torch.float16``; the cuda policy (torch's CUDA op lists) runs on the
fake GPU (``MINITORCH_FAKE_GPU=1 pytest tests/test_amp.py -k cuda``). GradScaler: the scale
trajectory, skipped steps and parameters follow ``torch.amp.GradScaler('cpu')`` step by step.
"""
from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as MF
from tests.helpers import no_host_sync, require_torch

torch = require_torch()
TF = torch.nn.functional

# ---------------------------------------------------------------------------------------------------
# op cases: (call(F, lib, *args), [arg specs], input dtypes the case runs with)
# arg kinds: "x" float input in the case's dtype (requires grad), "w" float32 parameter (requires grad),
# "p" float32 probabilities (no grad), "px" probabilities in the case's dtype (requires grad),
# ("i", n) int64 class indices < n, "s" float32 +-1 signs, ("c", value) a fixed int tensor.
BOTH, F32_ONLY = ("float32", "float16"), ("float32",)
CASES = {
    "linear": (lambda F, L, x, w, b: F.linear(x, w, b), [((4, 8), "x"), ((5, 8), "w"), ((5,), "w")], BOTH),
    "linear_3d": (lambda F, L, x, w: F.linear(x, w), [((2, 3, 8), "x"), ((5, 8), "w")], BOTH),
    "matmul": (lambda F, L, a, b: L.matmul(a, b), [((3, 4), "x"), ((4, 5), "w")], BOTH),
    "matmul_op": (lambda F, L, a, b: a @ b, [((2, 3, 4), "x"), ((4, 5), "w")], BOTH),
    "mm": (lambda F, L, a, b: L.mm(a, b), [((3, 4), "x"), ((4, 5), "w")], BOTH),
    "bmm": (lambda F, L, a, b: L.bmm(a, b), [((2, 3, 4), "x"), ((2, 4, 5), "w")], BOTH),
    "addmm": (lambda F, L, c, a, b: L.addmm(c, a, b), [((3, 5), "w"), ((3, 4), "x"), ((4, 5), "w")], BOTH),
    "baddbmm": (lambda F, L, c, a, b: L.baddbmm(c, a, b), [((2, 3, 5), "w"), ((2, 3, 4), "x"), ((2, 4, 5), "w")],
                BOTH),
    "addbmm": (lambda F, L, c, a, b: L.addbmm(c, a, b), [((3, 5), "w"), ((2, 3, 4), "x"), ((2, 4, 5), "w")], BOTH),
    "einsum": (lambda F, L, a, b: L.einsum("ij,jk->ik", a, b), [((3, 4), "x"), ((4, 5), "w")], BOTH),
    "mv": (lambda F, L, a, v: L.mv(a, v), [((3, 4), "x"), ((4,), "w")], F32_ONLY),
    "addmv": (lambda F, L, c, a, v: L.addmv(c, a, v), [((3,), "w"), ((3, 4), "x"), ((4,), "w")], F32_ONLY),
    "conv1d": (lambda F, L, x, w, b: F.conv1d(x, w, b, padding=1),
               [((2, 3, 8), "x"), ((4, 3, 3), "w"), ((4,), "w")], BOTH),
    "conv2d": (lambda F, L, x, w, b: F.conv2d(x, w, b, stride=2),
               [((2, 3, 6, 6), "x"), ((4, 3, 3, 3), "w"), ((4,), "w")], BOTH),
    "conv3d": (lambda F, L, x, w, b: F.conv3d(x, w, b), [((1, 2, 4, 4, 4), "x"), ((3, 2, 3, 3, 3), "w"), ((3,), "w")],
               BOTH),
    "conv_transpose1d": (lambda F, L, x, w, b: F.conv_transpose1d(x, w, b),
                         [((2, 3, 5), "x"), ((3, 4, 3), "w"), ((4,), "w")], BOTH),
    "conv_transpose2d": (lambda F, L, x, w, b: F.conv_transpose2d(x, w, b, stride=2),
                         [((1, 3, 4, 4), "x"), ((3, 2, 3, 3), "w"), ((2,), "w")], BOTH),
    "conv_transpose3d": (lambda F, L, x, w, b: F.conv_transpose3d(x, w, b),
                         [((1, 2, 3, 3, 3), "x"), ((2, 3, 2, 2, 2), "w"), ((3,), "w")], BOTH),
    "prelu": (lambda F, L, x, w: F.prelu(x, w), [((2, 3, 4), "x"), ((3,), "w")], BOTH),
    "sdpa": (lambda F, L, q, k, v: F.scaled_dot_product_attention(q, k, v),
             [((1, 2, 3, 4), "x"), ((1, 2, 3, 4), "w"), ((1, 2, 3, 4), "w")], BOTH),
    "softmax": (lambda F, L, x: F.softmax(x, dim=-1), [((3, 5), "x")], BOTH),
    "log_softmax": (lambda F, L, x: F.log_softmax(x, dim=-1), [((3, 5), "x")], BOTH),
    "layer_norm": (lambda F, L, x, w, b: F.layer_norm(x, (5,), w, b), [((3, 5), "x"), ((5,), "w"), ((5,), "w")],
                   F32_ONLY),
    "group_norm": (lambda F, L, x, w, b: F.group_norm(x, 2, w, b), [((2, 4, 3), "x"), ((4,), "w"), ((4,), "w")],
                   F32_ONLY),
    "cross_entropy": (lambda F, L, x, t: F.cross_entropy(x, t), [((4, 5), "x"), ((4,), ("i", 5))], BOTH),
    "cross_entropy_probs": (lambda F, L, x, t: F.cross_entropy(x, t), [((4, 5), "x"), ((4, 5), "px")], BOTH),
    "nll_loss": (lambda F, L, x, t: F.nll_loss(x, t), [((4, 5), "x"), ((4,), ("i", 5))], BOTH),
    "mse_loss": (lambda F, L, x, y: F.mse_loss(x, y), [((3, 4), "x"), ((3, 4), "x")], BOTH),
    "mse_loss_mixed": (lambda F, L, x, y: F.mse_loss(x, y), [((3, 4), "x"), ((3, 4), "w")], BOTH),
    "l1_loss": (lambda F, L, x, y: F.l1_loss(x, y), [((3, 4), "x"), ((3, 4), "x")], BOTH),
    "smooth_l1_loss": (lambda F, L, x, y: F.smooth_l1_loss(x, y), [((3, 4), "x"), ((3, 4), "x")], BOTH),
    "huber_loss": (lambda F, L, x, y: F.huber_loss(x, y, delta=0.5), [((3, 4), "x"), ((3, 4), "x")], BOTH),
    "bce_with_logits": (lambda F, L, x, t: F.binary_cross_entropy_with_logits(x, t), [((3, 4), "x"), ((3, 4), "p")],
                        BOTH),
    "bce": (lambda F, L, x, t: F.binary_cross_entropy(x, t), [((3, 4), "px"), ((3, 4), "p")], BOTH),
    "kl_div": (lambda F, L, x, t: F.kl_div(x, t, reduction="batchmean"), [((3, 4), "x"), ((3, 4), "p")], BOTH),
    "cdist": (lambda F, L, a, b: L.cdist(a, b), [((3, 4), "x"), ((5, 4), "w")], BOTH),
    "cdist_mm": (lambda F, L, a, b: L.cdist(a, b), [((30, 4), "x"), ((27, 4), "w")], BOTH),
    "logsumexp": (lambda F, L, x: L.logsumexp(x, 1), [((3, 4), "x")], BOTH),
    "norm": (lambda F, L, x: L.norm(x), [((3, 4), "x")], BOTH),
    "normalize": (lambda F, L, x: F.normalize(x), [((3, 4), "x")], BOTH),
    "softplus": (lambda F, L, x: F.softplus(x), [((3, 4), "x")], BOTH),
    "poisson_nll_loss": (lambda F, L, x, t: F.poisson_nll_loss(x, t), [((3, 4), "x"), ((3, 4), "p")], BOTH),
    "margin_ranking_loss": (lambda F, L, a, b, y: F.margin_ranking_loss(a, b, y),
                            [((5,), "x"), ((5,), "x"), ((5,), "s")], BOTH),
    "soft_margin_loss": (lambda F, L, x, y: F.soft_margin_loss(x, y), [((5,), "x"), ((5,), "s")], BOTH),
    "hinge_embedding_loss": (lambda F, L, x, y: F.hinge_embedding_loss(x, y), [((5,), "x"), ((5,), "s")], BOTH),
    "triplet_margin_loss": (lambda F, L, a, p, n: F.triplet_margin_loss(a, p, n),
                            [((3, 4), "x"), ((3, 4), "x"), ((3, 4), "x")], BOTH),
    "cosine_embedding_loss": (lambda F, L, a, b, y: F.cosine_embedding_loss(a, b, y),
                              [((3, 4), "x"), ((3, 4), "x"), ((3,), "s")], BOTH),
    "multi_margin_loss": (lambda F, L, x, t: F.multi_margin_loss(x, t), [((3, 4), "x"), ((3,), ("i", 4))], BOTH),
    "multilabel_margin_loss": (lambda F, L, x, t: F.multilabel_margin_loss(x, t),
                               [((2, 4), "x"), ((2, 4), ("c", [[3, 0, -1, 1], [1, 2, 3, -1]]))], BOTH),
    # not on torch's CPU lists: plain type promotion (relu keeps float16; float16 + float32 is float32)
    "relu": (lambda F, L, x: F.relu(x), [((3, 4), "x")], BOTH),
    "add": (lambda F, L, x, w: x + w, [((3, 4), "x"), ((3, 4), "w")], BOTH),
    "exp": (lambda F, L, x: L.exp(x), [((3, 4), "x")], BOTH),
}


def _arrays(specs, dtype: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    out = []
    for shape, kind in specs:
        if kind in ("x", "w"):
            a = rng.standard_normal(shape).astype(dtype if kind == "x" else "float32")
        elif kind in ("p", "px"):
            a = rng.uniform(0.05, 0.95, shape).astype(dtype if kind == "px" else "float32")
        elif kind == "s":
            a = np.where(rng.uniform(size=shape) < 0.5, -1.0, 1.0).astype(np.float32)
        elif kind[0] == "i":
            a = rng.integers(0, kind[1], shape).astype(np.int64)
        else:
            a = np.array(kind[1], dtype=np.int64)
        if kind == "px" and dtype == "float32":
            a = a.astype(np.float32)
        out.append((a, kind in ("x", "w", "px")))
    return out


def _run(lib, F, call, arrays, autocast):
    ts = []
    for a, grad in arrays:
        t = lib.tensor(a.copy()) if lib is minitorch else torch.from_numpy(a.copy())
        if grad:
            t.requires_grad_(True)
        ts.append(t)
    with autocast:
        out = call(F, lib, *ts)
    return out, ts


def _np(t):
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def _close(a, b, name):
    a, b = _np(a).astype(np.float64), _np(b).astype(np.float64)
    assert a.shape == b.shape, name
    np.testing.assert_allclose(a, b, rtol=2e-2, atol=2e-2 * max(1.0, np.abs(b).max()), err_msg=name)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("op", list(CASES))
def test_cpu_autocast_matches_torch(op, dtype):
    call, specs, dtypes = CASES[op]
    if dtype not in dtypes:
        pytest.skip(f"{op}: torch rejects float16 input with float32 weights here too")
    arrays = _arrays(specs, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, tts = _run(torch, TF, call, arrays, torch.autocast("cpu", dtype=torch.float16))
    actual, mts = _run(minitorch, MF, call, arrays, minitorch.autocast("cpu"))
    assert str(actual.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1], f"{op}: output dtype"
    _close(actual, expected, f"{op}: forward")
    rng = np.random.default_rng(1)
    up = rng.standard_normal(tuple(expected.shape)).astype(np.float32)
    (expected.float() * torch.from_numpy(up)).sum().backward()
    (actual.float() * minitorch.tensor(up)).sum().backward()
    for i, (m, t) in enumerate(zip(mts, tts)):
        if t.requires_grad:
            assert (m.grad is None) == (t.grad is None), f"{op}: grad {i} presence"
            if t.grad is not None:
                if op == "add" and i == 0 and dtype == "float16":
                    continue  # see test_engine_casts_gradient_to_input_dtype
                assert str(m.grad.dtype).split(".")[-1] == str(t.grad.dtype).split(".")[-1], f"{op}: grad {i} dtype"
                _close(m.grad, t.grad, f"{op}: grad {i}")


def test_autocast_state_nesting_and_decorator():
    assert not minitorch.is_autocast_enabled("cpu")
    x, w = minitorch.randn(3, 4), minitorch.randn(4, 2)
    with minitorch.autocast("cpu") as ac:
        assert isinstance(ac, minitorch.autocast)
        assert minitorch.is_autocast_enabled("cpu") and not minitorch.is_autocast_enabled()
        assert (x @ w).dtype == minitorch.float16
        with minitorch.autocast("cpu", enabled=False):
            assert not minitorch.is_autocast_enabled("cpu")
            assert (x @ w).dtype == minitorch.float32
            with minitorch.autocast("cpu"):
                assert (x @ w).dtype == minitorch.float16
            assert (x @ w).dtype == minitorch.float32
        assert (x @ w).dtype == minitorch.float16
    assert (x @ w).dtype == minitorch.float32 and not minitorch.is_autocast_enabled("cpu")

    @minitorch.autocast("cpu")
    def f(a, b, depth=0):
        return f(a, b, depth + 1) if depth < 2 else a @ b

    assert f(x, w).dtype == minitorch.float16
    assert not minitorch.is_autocast_enabled("cpu") and minitorch.amp.autocast_mode._AutocastState.on is False

    with pytest.raises(ValueError):  # the state comes back after an exception too
        with minitorch.autocast("cpu"):
            raise ValueError
    assert not minitorch.is_autocast_enabled("cpu") and minitorch.amp.autocast_mode._AutocastState.nesting == 0
    with pytest.raises(TypeError, match="requires a callable"):
        minitorch.autocast("cpu")(3)


def test_autocast_api_like_torch():
    assert minitorch.autocast is minitorch.amp.autocast
    assert minitorch.get_autocast_dtype("cpu") == minitorch.float16  # torch: bfloat16 (NumPy has none)
    assert minitorch.get_autocast_dtype("cuda") == minitorch.float16 == torch_name(torch.get_autocast_dtype("cuda"))
    assert minitorch.amp.is_autocast_available("cpu") and minitorch.amp.is_autocast_available("cuda")
    assert not minitorch.amp.is_autocast_available("mps")
    with pytest.raises(ValueError, match="device_type"):
        minitorch.autocast(minitorch.device("cpu"))
    with pytest.raises(RuntimeError, match="unsupported autocast device_type"):
        minitorch.autocast("mps")
    with minitorch.autocast("cpu", dtype=minitorch.float16, enabled=False):
        assert minitorch.get_autocast_dtype("cpu") == minitorch.float16 and not minitorch.is_autocast_enabled("cpu")
    minitorch.set_autocast_dtype("cpu", minitorch.float32)
    try:
        assert minitorch.get_autocast_dtype("cpu") == minitorch.float32
    finally:
        minitorch.set_autocast_dtype("cpu", minitorch.float16)
    assert minitorch.is_autocast_cache_enabled()
    with pytest.warns(DeprecationWarning):
        assert minitorch.get_autocast_cpu_dtype() == minitorch.float16
    # the dtype may be given as torch's own dtype or a name
    with minitorch.autocast("cpu", dtype=torch.float16):
        assert minitorch.is_autocast_enabled("cpu")


def torch_name(d):
    return getattr(minitorch, str(d).split(".")[-1])


@pytest.mark.parametrize("dtype", [torch.bfloat16, "bfloat16", minitorch.float32, minitorch.float64, minitorch.int64])
def test_unsupported_cpu_dtype_warns_and_disables(dtype):
    with pytest.warns(UserWarning, match="target dtype is not supported. Disabling autocast"):
        ac = minitorch.autocast("cpu", dtype=dtype)
    with ac:
        assert not minitorch.is_autocast_enabled("cpu")
        assert (minitorch.randn(2, 3) @ minitorch.randn(3, 2)).dtype == minitorch.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minitorch.autocast("cpu", dtype=dtype, enabled=False)  # no warning when not enabled (as torch)


def test_cuda_autocast_without_gpu_warns_and_disables(monkeypatch):
    monkeypatch.setattr(minitorch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available.*Disabling autocast"):
        ac = minitorch.autocast("cuda")
    with ac:
        assert not minitorch.is_autocast_enabled("cuda")
    with pytest.warns(FutureWarning, match=r"torch.cuda.amp.autocast\(args...\)` is deprecated"):
        with pytest.warns(UserWarning, match="Disabling autocast"):
            old = minitorch.cuda.amp.autocast()
    assert old.device == "cuda" and old.fast_dtype == minitorch.float16 and not old._enabled
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        s = minitorch.amp.GradScaler()
    assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}
    with pytest.warns(FutureWarning, match="GradScaler"):
        with pytest.warns(UserWarning, match="Disabling"):
            assert not minitorch.cuda.amp.GradScaler().is_enabled()


def test_autocast_outside_region_and_float64_untouched():
    x64, w64 = minitorch.randn(3, 4, dtype=minitorch.float64), minitorch.randn(4, 2, dtype=minitorch.float64)
    with minitorch.autocast("cpu"):
        assert (x64 @ w64).dtype == minitorch.float64  # float64 is never autocast (as torch)
        assert MF.cross_entropy(x64, minitorch.tensor([0, 1, 0])).dtype == minitorch.float64
        i = minitorch.tensor([[1, 2], [3, 4]])
        assert (i @ i).dtype == minitorch.int64


def test_weight_cast_cache():
    from minitorch.amp.autocast_mode import _AutocastState

    lin = minitorch.nn.Linear(4, 4)
    x = minitorch.randn(2, 4)
    with minitorch.autocast("cpu"):
        y = lin(lin(x))  # the weight is cast once and reused
        assert len(_AutocastState.cache) == 2  # weight and bias
        with minitorch.autocast("cpu", cache_enabled=False):
            lin(x)
        assert len(_AutocastState.cache) == 2
        with minitorch.no_grad():  # casts without a graph are not cached
            MF.linear(x, minitorch.randn(3, 4, requires_grad=True))
        assert len(_AutocastState.cache) == 2
    assert len(_AutocastState.cache) == 0  # dropped when the outermost region exits
    y.float().sum().backward()
    assert lin.weight.grad.dtype == minitorch.float32
    tl = torch.nn.Linear(4, 4)
    with torch.no_grad():
        tl.weight.copy_(torch.from_numpy(lin.weight.detach().numpy()))
        tl.bias.copy_(torch.from_numpy(lin.bias.detach().numpy()))
    with torch.autocast("cpu", dtype=torch.float16):
        ty = tl(tl(torch.from_numpy(x.numpy())))
    ty.float().sum().backward()
    _close(lin.weight.grad, tl.weight.grad, "weight grad through two uses")
    _close(lin.bias.grad, tl.bias.grad, "bias grad through two uses")


def test_backward_inside_autocast_and_repeated_steps():
    lin = minitorch.nn.Linear(3, 2)
    opt = minitorch.optim.SGD(lin.parameters(), lr=0.1)
    with minitorch.autocast("cpu"):
        for _ in range(3):  # the cached cast is a fresh node per forward: no freed-graph error
            opt.zero_grad()
            loss = MF.mse_loss(lin(minitorch.randn(4, 3)), minitorch.randn(4, 2))
            assert loss.dtype == minitorch.float32
            loss.backward()
            opt.step()
            minitorch.clear_autocast_cache()
    assert lin.weight.grad.dtype == minitorch.float32


def test_custom_fwd_bwd():
    seen = {}

    class MyMM(minitorch.autograd.Function):
        @staticmethod
        @minitorch.amp.custom_fwd(device_type="cpu", cast_inputs=minitorch.float32)
        def forward(ctx, a, b):
            seen["fwd"] = (a.dtype, b.dtype, minitorch.is_autocast_enabled("cpu"))
            ctx.save_for_backward(a, b)
            return a @ b

        @staticmethod
        @minitorch.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            seen["bwd"] = minitorch.is_autocast_enabled("cpu")
            a, b = ctx.saved_tensors
            return g @ b.t(), a.t() @ g

    a = minitorch.randn(3, 4, requires_grad=True)
    b = minitorch.randn(4, 2).half().requires_grad_()
    with minitorch.autocast("cpu"):
        out = MyMM.apply(a, b)
    assert out.dtype == minitorch.float32 and seen["fwd"] == (minitorch.float32, minitorch.float32, False)
    out.sum().backward()
    assert seen["bwd"] is False and a.grad.dtype == minitorch.float32
    _close(b.grad, a.detach().t() @ minitorch.ones(3, 2), "custom_fwd: grad of the cast input")

    class Plain(minitorch.autograd.Function):
        @staticmethod
        @minitorch.amp.custom_fwd(device_type="cpu")
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a @ a.t()

        @staticmethod
        @minitorch.amp.custom_bwd(device_type="cpu")
        def backward(ctx, g):
            seen["plain_bwd"] = minitorch.is_autocast_enabled("cpu")
            (a,) = ctx.saved_tensors
            gx = (g + g.t()) @ a
            seen["plain_bwd_dtype"] = gx.dtype
            return gx.float()

    c = minitorch.randn(3, 4, requires_grad=True)
    with minitorch.autocast("cpu"):
        out = Plain.apply(c)
    assert out.dtype == minitorch.float16  # forward ran under the caller's autocast
    out.float().sum().backward()
    assert seen["plain_bwd"] is True and seen["plain_bwd_dtype"] == minitorch.float16  # backward: the same state
    _close(c.grad, 2 * minitorch.ones(3, 3) @ c.detach(), "custom_bwd grad")
    with pytest.warns(FutureWarning, match="custom_fwd"):
        minitorch.cuda.amp.custom_fwd(lambda ctx, x: x)
    with pytest.raises(ValueError, match="device_type"):
        minitorch.amp.custom_fwd(device_type=minitorch.device("cpu"))


def test_engine_casts_gradient_to_input_dtype():
    """As torch's validate_outputs: a leaf's gradient has the leaf's dtype (float16 + float32 -> float16 grad)."""
    a = minitorch.randn(3).half().requires_grad_()
    (a + minitorch.randn(3)).sum().backward()
    assert a.grad.dtype == minitorch.float16


# ---------------------------------------------------------------------------------------------------
# GradScaler against torch.amp.GradScaler('cpu')
def _twin_models(seed=0):
    rng = np.random.default_rng(seed)
    w1, b1 = rng.standard_normal((8, 5)).astype(np.float32) * 0.3, rng.standard_normal(8).astype(np.float32) * 0.1
    w2, b2 = rng.standard_normal((3, 8)).astype(np.float32) * 0.3, rng.standard_normal(3).astype(np.float32) * 0.1

    def build(lib):
        m = lib.nn.Sequential(lib.nn.Linear(5, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3))
        with lib.no_grad():
            for p, a in zip(m.parameters(), (w1, b1, w2, b2)):
                p.copy_(lib.tensor(a) if lib is minitorch else torch.from_numpy(a))
        return m

    return build(minitorch), build(torch)


def _data(n_steps, seed=1):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((16, 5)).astype(np.float32), rng.integers(0, 3, 16)) for _ in range(n_steps)]


def _params(m):
    return [_np(p) for p in m.parameters()]


def test_grad_scaler_trajectory_matches_torch_with_injected_infs():
    mm, tm = _twin_models()
    mopt, topt = minitorch.optim.SGD(mm.parameters(), lr=0.05), torch.optim.SGD(tm.parameters(), lr=0.05)
    ms = minitorch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=3)
    ts = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=3)
    inject = {2: float("inf"), 3: float("nan"), 9: float("inf")}
    for step, (x, y) in enumerate(_data(14)):
        for lib, F, m, opt, s in ((minitorch, MF, mm, mopt, ms), (torch, TF, tm, topt, ts)):
            opt.zero_grad()
            loss = F.cross_entropy(m(lib.tensor(x) if lib is minitorch else torch.from_numpy(x)),
                                   lib.tensor(y) if lib is minitorch else torch.from_numpy(y))
            s.scale(loss).backward()
            if step in inject:
                with lib.no_grad():
                    next(iter(m.parameters())).grad[0, 0] = inject[step]
            ret = s.step(opt)
            assert ret is None
            s.update()
        assert ms.get_scale() == ts.get_scale(), f"step {step}: scale"
        assert ms._get_growth_tracker() == ts._get_growth_tracker(), f"step {step}: growth tracker"
        for a, b in zip(_params(mm), _params(tm)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f"step {step}: params")
    assert ms.state_dict() == ts.state_dict()
    assert set(ms.state_dict()) == {"scale", "growth_factor", "backoff_factor", "growth_interval", "_growth_tracker"}


def test_grad_scaler_growth_capped_and_odd_factors():
    for kwargs in ({"init_scale": 3.0e38, "growth_interval": 1}, {"init_scale": 77.0, "growth_factor": 1.7,
                                                                    "backoff_factor": 0.3, "growth_interval": 2}):
        ms, ts = minitorch.amp.GradScaler("cpu", **kwargs), torch.amp.GradScaler("cpu", **kwargs)
        mp, tp = minitorch.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
        mopt, topt = minitorch.optim.SGD([mp], lr=0.0), torch.optim.SGD([tp], lr=0.0)
        for step in range(6):
            for lib, p, s, opt in ((minitorch, mp, ms, mopt), (torch, tp, ts, topt)):
                opt.zero_grad()
                s.scale((p * 1e-30).sum()).backward()
                if step == 3:
                    with lib.no_grad():
                        p.grad[1] = float("-inf")
                s.step(opt)
                s.update()
            assert ms.get_scale() == ts.get_scale() and ms._get_growth_tracker() == ts._get_growth_tracker()


def test_grad_scaler_unscale_clip_and_errors():
    mm, tm = _twin_models()
    (x, y), = _data(1)
    results = []
    for lib, F, m in ((minitorch, MF, mm), (torch, TF, tm)):
        opt = lib.optim.Adam(m.parameters(), lr=1e-2)
        s = lib.amp.GradScaler("cpu")
        with pytest.raises(AssertionError, match="_scale is None"):
            s.unscale_(opt)
        loss = F.cross_entropy(m(lib.tensor(x) if lib is minitorch else torch.from_numpy(x)),
                               lib.tensor(y) if lib is minitorch else torch.from_numpy(y))
        scaled = s.scale(loss)
        assert float(scaled.detach()) == pytest.approx(float(loss.detach()) * 65536.0, rel=1e-6)
        scaled.backward()
        s.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            s.unscale_(opt)
        results.append(float(lib.nn.utils.clip_grad_norm_(m.parameters(), 0.5)))
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            s.step(opt, closure=lambda: None)
        s.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
            s.step(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step\\(\\)"):
            s.unscale_(opt)
        s.update()
        results.append(_params(m))
    assert results[0] == pytest.approx(results[2], rel=1e-5)
    for a, b in zip(results[1], results[3]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)

    p = minitorch.ones(2, requires_grad=True)
    opt = minitorch.optim.SGD([p], lr=0.1)
    s = minitorch.amp.GradScaler("cpu", init_scale=4.0)
    s.scale(p.sum()).backward()
    p.grad = p.grad.half()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients"):
        s.step(opt)
    with pytest.raises(AssertionError, match="No inf checks were recorded prior to update"):
        minitorch.amp.GradScaler("cpu").update() if False else _update_without_step()
    with pytest.raises(AssertionError, match="growth factor must be > 1.0"):
        minitorch.amp.GradScaler("cpu", growth_factor=1.0)
    with pytest.raises(AssertionError, match="backoff factor must be < 1.0"):
        minitorch.amp.GradScaler("cpu", backoff_factor=1.0)


def _update_without_step():
    s = minitorch.amp.GradScaler("cpu")
    s.scale(minitorch.ones(()))
    s.update()


def test_grad_scaler_scale_nested_new_scale_state_dict_and_pickle():
    s = minitorch.amp.GradScaler("cpu", init_scale=4.0)
    a, b, c = minitorch.ones(2), minitorch.ones(()).half(), minitorch.ones(3)
    out = s.scale([a, (b, [c])])
    assert isinstance(out, list) and isinstance(out[1], tuple) and isinstance(out[1][1], list)
    assert out[0].tolist() == [4.0, 4.0] and out[1][1][0].tolist() == [4.0] * 3
    assert out[1][0].dtype == torch_name(torch.amp.GradScaler("cpu").scale(torch.ones(()).half()).dtype)
    gen = s.scale(iter([a]))
    assert next(gen).tolist() == [4.0, 4.0]
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable of Tensors"):
        s.scale([a, 3])
    s.update(new_scale=8.0)
    assert s.get_scale() == 8.0
    s.update(new_scale=minitorch.tensor([2.0]))
    assert s.get_scale() == 2.0
    with pytest.raises(AssertionError, match="new_scale should be a float"):
        s.update(new_scale=minitorch.tensor([2.0, 3.0]))
    state = s.state_dict()
    assert state == {"scale": 2.0, "growth_factor": 2.0, "backoff_factor": 0.5, "growth_interval": 2000,
                     "_growth_tracker": 0}
    t = torch.amp.GradScaler("cpu")
    t.load_state_dict(state)
    assert t.state_dict() == state
    s2 = minitorch.amp.GradScaler("cpu")
    s2.load_state_dict(t.state_dict())
    assert s2.get_scale() == 2.0 and s2.state_dict() == state
    s3 = pickle.loads(pickle.dumps(s))
    assert s3.state_dict() == state
    with pytest.raises(RuntimeError, match="source state dict is empty"):
        s2.load_state_dict({})
    assert s.get_growth_factor() == 2.0 and s.get_backoff_factor() == 0.5 and s.get_growth_interval() == 2000
    s.set_growth_factor(3.0)
    s.set_backoff_factor(0.25)
    s.set_growth_interval(10)
    assert (s.get_growth_factor(), s.get_backoff_factor(), s.get_growth_interval()) == (3.0, 0.25, 10)


def test_disabled_scaler_is_pass_through():
    s = minitorch.amp.GradScaler("cpu", enabled=False)
    loss = minitorch.ones((), requires_grad=True)
    assert s.scale(loss) is loss and s.get_scale() == 1.0 and s.state_dict() == {}
    p = minitorch.ones(2, requires_grad=True)
    opt = minitorch.optim.SGD([p], lr=0.5)
    (p * 2).sum().backward()
    s.unscale_(opt)  # no-op
    assert s.step(opt) is None
    s.update()
    assert p.tolist() == [0.0, 0.0]
    s.load_state_dict({"scale": 3.0})  # no-op when disabled


OPTIMIZERS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 1e-2}), ("AdamW", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-2}), ("Adagrad", {"lr": 0.1}), ("Adadelta", {}), ("Adamax", {"lr": 1e-2}),
    ("NAdam", {"lr": 1e-2}), ("RAdam", {"lr": 1e-2}), ("ASGD", {"lr": 1e-2}), ("Rprop", {}),
]


@pytest.mark.parametrize("name,kwargs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_grad_scaler_with_each_optimizer(name, kwargs):
    mm, tm = _twin_models()
    mopt, topt = getattr(minitorch.optim, name)(mm.parameters(), **kwargs), getattr(torch.optim, name)(
        tm.parameters(), **kwargs)
    ms, ts = minitorch.amp.GradScaler("cpu", growth_interval=2), torch.amp.GradScaler("cpu", growth_interval=2)
    for step, (x, y) in enumerate(_data(4)):
        for lib, F, m, opt, s in ((minitorch, MF, mm, mopt, ms), (torch, TF, tm, topt, ts)):
            opt.zero_grad()
            loss = F.cross_entropy(m(lib.tensor(x) if lib is minitorch else torch.from_numpy(x)),
                                   lib.tensor(y) if lib is minitorch else torch.from_numpy(y))
            s.scale(loss).backward()
            if step == 1:
                with lib.no_grad():
                    next(iter(m.parameters())).grad[0, 0] = float("inf")
            s.step(opt)
            s.update()
        assert ms.get_scale() == ts.get_scale()
        for a, b in zip(_params(mm), _params(tm)):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=f"{name} step {step}")


def test_grad_scaler_lbfgs_closure_rejected_like_torch():
    p = minitorch.ones(2, requires_grad=True)
    opt = minitorch.optim.LBFGS([p])
    s = minitorch.amp.GradScaler("cpu")
    s.scale(p.sum()).backward()
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        s.step(opt, closure=lambda: p.sum())


def test_training_loop_autocast_and_scaler_follows_torch():
    mm, tm = _twin_models(3)
    mopt, topt = minitorch.optim.SGD(mm.parameters(), lr=0.1), torch.optim.SGD(tm.parameters(), lr=0.1)
    ms, ts = minitorch.amp.GradScaler("cpu"), torch.amp.GradScaler("cpu")
    losses = {"mt": [], "torch": []}
    x_all = np.random.default_rng(5).standard_normal((64, 5)).astype(np.float32)
    y_all = (x_all[:, 0] > 0).astype(np.int64) + (x_all[:, 1] > 0.5)
    for _ in range(25):
        for key, lib, F, m, opt, s in (("mt", minitorch, MF, mm, mopt, ms), ("torch", torch, TF, tm, topt, ts)):
            x = lib.tensor(x_all) if lib is minitorch else torch.from_numpy(x_all)
            y = lib.tensor(y_all) if lib is minitorch else torch.from_numpy(y_all)
            opt.zero_grad()
            with lib.autocast("cpu", dtype=lib.float16):
                out = m(x)
                loss = F.cross_entropy(out, y)
            assert out.dtype == lib.float16 and loss.dtype == lib.float32
            s.scale(loss).backward()
            assert all(p.grad.dtype == lib.float32 for p in m.parameters())
            s.step(opt)
            s.update()
            losses[key].append(float(loss.detach()))
    np.testing.assert_allclose(losses["mt"], losses["torch"], rtol=2e-2, atol=2e-3)
    assert losses["mt"][-1] < 0.8 * losses["mt"][0]


# ---------------------------------------------------------------------------------------------------
# cuda: torch's CUDA op lists (run on a GPU, or on the fake one: MINITORCH_FAKE_GPU=1)
CUDA_EXPECTED = {  # op -> output dtype for float16 inputs with float32 weights under cuda autocast
    "linear": "float16", "matmul": "float16", "mm": "float16", "bmm": "float16", "addmm": "float16",
    "baddbmm": "float16", "addbmm": "float16", "einsum": "float16", "conv1d": "float16", "conv2d": "float16",
    "conv_transpose2d": "float16", "prelu": "float16", "sdpa": "float16",
    "softmax": "float32", "log_softmax": "float32", "cross_entropy": "float32", "nll_loss": "float32",
    "mse_loss": "float32", "l1_loss": "float32", "smooth_l1_loss": "float32", "huber_loss": "float32",
    "bce_with_logits": "float32", "kl_div": "float32", "cdist": "float32", "cdist_mm": "float32",
    "logsumexp": "float32", "norm": "float32", "normalize": "float32", "softplus": "float32",
    "relu": "float16", "add": "float32", "exp": "float16",
}
CUDA_EXPECTED_F32_INPUT = {"mv": "float16", "addmv": "float16", "layer_norm": "float32", "group_norm": "float32"}
_cuda = pytest.mark.skipif(not minitorch.cuda.is_available(), reason="no CUDA GPU / cupy here: cuda cases skipped")


@_cuda
@pytest.mark.parametrize("op", list(CUDA_EXPECTED) + list(CUDA_EXPECTED_F32_INPUT))
def test_cuda_autocast_policy(op):
    call, specs, _ = CASES[op]
    dtype = "float16" if op in CUDA_EXPECTED else "float32"
    ts = []
    for a, grad in _arrays(specs, dtype):
        t = minitorch.tensor(a).to("cuda")
        ts.append(t.requires_grad_() if grad else t)
    with minitorch.autocast("cuda"):
        out = call(MF, minitorch, *ts)
    expected = CUDA_EXPECTED.get(op) or CUDA_EXPECTED_F32_INPUT[op]
    assert out.dtype == getattr(minitorch, expected) and out.device.type == "cuda"
    out.float().sum().backward()
    for t in ts:
        if t.requires_grad:
            assert t.grad.device.type == "cuda"
            if op not in ("add", "normalize"):  # see test_engine_casts_gradient_to_input_dtype
                assert t.grad.dtype == t.dtype


@_cuda
def test_cuda_and_cpu_autocast_are_separate():
    xc, wc = minitorch.randn(3, 4, device="cuda"), minitorch.randn(4, 2, device="cuda")
    x, w = minitorch.randn(3, 4), minitorch.randn(4, 2)
    with minitorch.autocast("cpu"):  # cpu autocast leaves cuda tensors alone
        assert (xc @ wc).dtype == minitorch.float32 and (x @ w).dtype == minitorch.float16
    with minitorch.autocast("cuda"):
        assert (xc @ wc).dtype == minitorch.float16 and (x @ w).dtype == minitorch.float32
        assert minitorch.is_autocast_enabled() and not minitorch.is_autocast_enabled("cpu")
        sm = MF.softmax(xc.half(), -1)
        assert sm.dtype == minitorch.float32
        assert MF.softmax(xc.half(), -1, dtype=minitorch.float16).dtype == minitorch.float16  # explicit dtype wins


@_cuda
def test_cuda_autocast_bce_is_unsafe():
    x = minitorch.rand(3, 4, device="cuda")
    with minitorch.autocast("cuda"):
        with pytest.raises(RuntimeError, match="unsafe to autocast"):
            MF.binary_cross_entropy(x, x)
        assert MF.binary_cross_entropy_with_logits(x, x).dtype == minitorch.float32
    with minitorch.autocast("cpu"):  # on the CPU list it is a float32 op
        xc = minitorch.rand(3, 4).half()
        assert MF.binary_cross_entropy(xc, xc).dtype == minitorch.float32


@_cuda
def test_cuda_training_step_with_deprecated_aliases():
    mm, _ = _twin_models()
    mm.to("cuda")
    opt = minitorch.optim.Adam(mm.parameters(), lr=1e-2)
    with pytest.warns(FutureWarning):
        scaler = minitorch.cuda.amp.GradScaler(init_scale=2.0**10, growth_interval=1)
    (x, y), = _data(1)
    x, y = minitorch.tensor(x).cuda(), minitorch.tensor(y).cuda()
    for _ in range(3):
        opt.zero_grad()
        with pytest.warns(FutureWarning):
            ac = minitorch.cuda.amp.autocast()
        with ac:
            out = mm(x)
            loss = MF.cross_entropy(out, y)
        assert out.dtype == minitorch.float16 and loss.dtype == minitorch.float32
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    assert scaler.get_scale() == 2.0**13
    assert all(p.grad.dtype == minitorch.float32 and p.device.type == "cuda" for p in mm.parameters())


@_cuda
def test_cuda_scaler_waits_for_the_host_only_in_step():
    mm, _ = _twin_models()
    mm.to("cuda")
    opt = minitorch.optim.SGD(mm.parameters(), lr=0.1)
    scaler = minitorch.amp.GradScaler("cuda", growth_interval=1)
    (x, y), = _data(1)
    x, y = minitorch.tensor(x).cuda(), minitorch.tensor(y).cuda()
    for _ in range(2):
        opt.zero_grad()
        with no_host_sync():
            with minitorch.autocast("cuda"):
                loss = MF.cross_entropy(mm(x), y)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
        scaler.step(opt)  # reads found_inf back to decide (as torch)
        with no_host_sync():
            scaler.update()
    assert scaler.get_scale() == 2.0**18


def _copy_weights(tm, mm):
    mm.load_state_dict({k: minitorch.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


@pytest.mark.parametrize("arch", ["transformer", "cnn"])
def test_models_under_autocast_follow_torch(arch):
    torch.manual_seed(0)
    if arch == "transformer":
        def build(lib):
            nn = lib.nn
            return nn.Sequential(nn.TransformerEncoderLayer(16, 2, 32, batch_first=True, dropout=0.0),
                                 nn.Flatten(), nn.Linear(5 * 16, 3))
        x = np.random.default_rng(0).standard_normal((4, 5, 16)).astype(np.float32)
    else:
        def build(lib):
            nn = lib.nn
            return nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                                 nn.Conv2d(4, 6, 3, padding=1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))
        x = np.random.default_rng(0).standard_normal((4, 3, 10, 10)).astype(np.float32)
    y = np.array([0, 1, 2, 1])
    tm, mm = build(torch), build(minitorch)
    _copy_weights(tm, mm)
    got = {}
    for key, lib, F, m in (("mt", minitorch, MF, mm), ("torch", torch, TF, tm)):
        opt = lib.optim.AdamW(m.parameters(), lr=1e-3)
        s = lib.amp.GradScaler("cpu")
        losses = []
        for _ in range(3):
            opt.zero_grad()
            with lib.autocast("cpu", dtype=lib.float16):
                out = m(lib.tensor(x) if lib is minitorch else torch.from_numpy(x))
                loss = F.cross_entropy(out, lib.tensor(y) if lib is minitorch else torch.from_numpy(y))
            assert out.dtype == lib.float16 and loss.dtype == lib.float32
            s.scale(loss).backward()
            assert all(p.grad.dtype == lib.float32 for p in m.parameters())
            s.step(opt)
            s.update()
            losses.append(float(loss.detach()))
        got[key] = losses
    np.testing.assert_allclose(got["mt"], got["torch"], rtol=2e-2, atol=2e-2)


def test_float16_products_match_torch_without_autocast():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((16, 64)).astype(np.float16), rng.standard_normal((64, 8)).astype(np.float16)
    ma, mb = minitorch.tensor(a, requires_grad=True), minitorch.tensor(b, requires_grad=True)
    ta, tb = torch.from_numpy(a).requires_grad_(), torch.from_numpy(b).requires_grad_()
    for out_m, out_t in ((ma @ mb, ta @ tb), (MF.linear(ma, mb.t()), TF.linear(ta, tb.t()))):
        assert out_m.dtype == minitorch.float16
        ulp = np.spacing(np.abs(_np(out_t)).astype(np.float16)).astype(np.float32)
        assert np.all(np.abs(_np(out_m).astype(np.float32) - _np(out_t).astype(np.float32)) <= ulp)
        out_m.float().sum().backward()
        out_t.float().sum().backward()
    assert ma.grad.dtype == minitorch.float16
    _close(ma.grad, ta.grad, "float16 matmul grad")


@pytest.mark.parametrize("groups", [1, 4], ids=["dense", "grouped"])
def test_float16_conv2d_on_the_cpu_matches_torch_and_keeps_float16(groups):
    """NumPy has no float16 BLAS: the conv kernels compute float16 in float32 and round back, as torch's CPU
    kernels do; values and gradients equal torch's float16 conv."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 8, 9, 9)).astype(np.float16)
    w = (rng.standard_normal((8, 8 // groups, 3, 3)) * 0.2).astype(np.float16)
    outs = []
    for lib in (torch, minitorch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(xt, wt, padding=1, groups=groups)
        (y.float() * y.float()).sum().backward()
        assert y.dtype == lib.float16 and xt.grad.dtype == lib.float16 and wt.grad.dtype == lib.float16
        outs.append([t.detach().numpy().astype(np.float32) for t in (y, xt.grad, wt.grad)])
    for t_arr, m_arr in zip(*outs):
        np.testing.assert_allclose(m_arr, t_arr, rtol=2e-3, atol=2e-3 * np.abs(t_arr).max())
