"""The cuda device end to end: creation with ``device=``, moves, modules, optimizers, data, checkpoints,
RNG, device-side checks, and no hidden host syncs in a training step.

These run on a real GPU (CuPy) when one is usable, on tests/fakecupy with ``MINITORCH_FAKE_GPU=1``
(NumPy underneath, CuPy's rules on top), and skip otherwise.
"""
from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import pytest

import minitorch
import minitorch.nn.functional as F
from minitorch import nn
from minitorch.backend import checks
from tests.helpers import assert_close, cuda_is_fake, no_host_sync, require_torch, requires_cuda

pytestmark = requires_cuda


@pytest.fixture(autouse=True)
def _clean_pending_checks():
    checks.discard_pending()
    yield
    checks.discard_pending()


def _on_cuda(t: minitorch.Tensor) -> None:
    assert t.device.type == "cuda" and t.is_cuda, t.device
    assert minitorch.backend.is_cupy_array(t.array), type(t.array)


# ---------------------------------------------------------------- creation and moves ---------------
DETERMINISTIC = {
    "tensor": lambda **d: minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], **d),
    "zeros": lambda **d: minitorch.zeros(2, 3, **d),
    "ones": lambda **d: minitorch.ones((2, 3), **d),
    "full": lambda **d: minitorch.full((2, 2), 7.5, **d),
    "arange": lambda **d: minitorch.arange(0, 5, 2, **d),
    "linspace": lambda **d: minitorch.linspace(0, 1, 5, **d),
    "logspace": lambda **d: minitorch.logspace(0, 2, 3, **d),
    "eye": lambda **d: minitorch.eye(3, **d),
    "empty_shape": lambda **d: minitorch.empty(2, 3, **d).fill_(1.5),
    "zeros_like": lambda **d: minitorch.zeros_like(minitorch.ones(2, 2), **d),
    "ones_like": lambda **d: minitorch.ones_like(minitorch.ones(2, 2), **d),
    "full_like": lambda **d: minitorch.full_like(minitorch.ones(2, 2), 3.0, **d),
}


@pytest.mark.parametrize("name", sorted(DETERMINISTIC))
def test_creation_with_device_matches_cpu(name):
    make = DETERMINISTIC[name]
    on_gpu, on_cpu = make(device="cuda"), make(device="cpu")
    _on_cuda(on_gpu)
    assert on_gpu.dtype == on_cpu.dtype and on_gpu.shape == on_cpu.shape
    np.testing.assert_array_equal(on_gpu.cpu().numpy(), on_cpu.numpy())


RANDOM = {
    "rand": lambda **d: minitorch.rand(1000, **d),
    "randn": lambda **d: minitorch.randn(1000, **d),
    "randint": lambda **d: minitorch.randint(0, 10, (1000,), **d),
    "randperm": lambda **d: minitorch.randperm(1000, **d),
    "normal": lambda **d: minitorch.normal(2.0, 3.0, (1000,), **d),
    "rand_like": lambda **d: minitorch.rand_like(minitorch.ones(1000, **d)),
    "randn_like": lambda **d: minitorch.randn_like(minitorch.ones(1000, **d)),
    "uniform_": lambda **d: minitorch.empty(1000, **d).uniform_(-2, 2),
    "normal_": lambda **d: minitorch.empty(1000, **d).normal_(1.0, 0.5),
    "bernoulli_": lambda **d: minitorch.empty(1000, **d).bernoulli_(0.3),
}


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_creation_on_cuda_is_seeded_and_has_the_right_distribution(name):
    make = RANDOM[name]
    minitorch.manual_seed(123)
    a = make(device="cuda")
    minitorch.manual_seed(123)
    b = make(device="cuda")
    _on_cuda(a)
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())  # manual_seed seeds the GPU generator
    c = make(device="cuda")
    assert not np.array_equal(a.cpu().numpy(), c.cpu().numpy())
    cpu = make(device="cpu")
    assert a.dtype == cpu.dtype and a.shape == cpu.shape
    values = a.cpu().numpy().astype(np.float64)
    expected = cpu.numpy().astype(np.float64)
    assert abs(values.mean() - expected.mean()) < 0.25 * max(1.0, expected.std())
    if name == "randperm":
        np.testing.assert_array_equal(np.sort(values), np.arange(1000))


def test_generator_device_must_match():
    g = minitorch.Generator("cpu").manual_seed(0)
    with pytest.raises(RuntimeError, match="cuda.*generator.*cpu"):
        minitorch.randn(3, device="cuda", generator=g)
    gg = minitorch.Generator("cuda:0").manual_seed(5)
    a = minitorch.randn(4, device="cuda", generator=gg)
    b = minitorch.randn(4, device="cuda", generator=minitorch.Generator("cuda").manual_seed(5))
    np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy())
    with pytest.raises(RuntimeError, match="manual_seed"):
        gg.get_state()


def test_moves_between_devices():
    x = minitorch.arange(6.0).reshape(2, 3)
    for moved in (x.cuda(), x.to("cuda"), x.to("cuda:0"), x.to(minitorch.device("cuda")), x.cuda(0),
                  x.to(minitorch.zeros(1, device="cuda"))):
        _on_cuda(moved)
        np.testing.assert_array_equal(moved.cpu().numpy(), x.numpy())
    y = x.to("cuda", minitorch.float64)
    _on_cuda(y)
    assert y.dtype is minitorch.float64
    z = x.cuda()
    assert z.cuda() is z and z.to("cuda") is z  # already there: no copy, as torch
    back = z.cpu()
    assert back.device.type == "cpu" and isinstance(back.array, np.ndarray)
    assert z.tolist() == x.tolist() and z[1, 2].item() == 5.0
    assert "device='cuda:0'" in repr(z)
    with pytest.raises(TypeError, match="cuda.*Tensor.cpu"):
        z.numpy()


def test_gradient_flows_back_across_a_device_move():
    x = minitorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x.cuda() ** 2).sum()
    y.backward()
    assert x.grad.device.type == "cpu"
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    w = minitorch.tensor([1.0, -1.0], device="cuda", requires_grad=True)
    (w.cpu() * 3).sum().backward()
    _on_cuda(w.grad)


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a @ b.reshape(3, 1),
    lambda a, b: minitorch.cat([a, b]), lambda a, b: minitorch.where(a > 0, a, b),
    lambda a, b: F.mse_loss(a, b), lambda a, b: minitorch.maximum(a, b),
])
def test_ops_mixing_devices_name_both(op):
    a, b = minitorch.ones(3, device="cuda"), minitorch.ones(3)
    with pytest.raises(RuntimeError, match=r"(cuda:0.*cpu|cpu.*cuda:0)"):
        op(a, b)


def test_cpu_index_on_cuda_tensor_is_allowed_and_cuda_index_on_cpu_is_not():
    x = minitorch.arange(10.0, device="cuda")
    picked = x[minitorch.tensor([1, 3, 5])]
    _on_cuda(picked)
    assert picked.tolist() == [1.0, 3.0, 5.0]
    with pytest.raises(RuntimeError, match="indices should be either on cpu"):
        minitorch.arange(10.0)[minitorch.tensor([1, 2], device="cuda")]


# ---------------------------------------------------------------- cuda namespace ---------------
def test_cuda_namespace():
    assert minitorch.cuda.is_available() is True
    assert minitorch.cuda.device_count() >= 1
    assert minitorch.cuda.current_device() == 0
    assert isinstance(minitorch.cuda.get_device_name(), str) and minitorch.cuda.get_device_name()
    minitorch.cuda.synchronize()
    minitorch.cuda.manual_seed(9)
    a = minitorch.rand(3, device="cuda")
    minitorch.cuda.manual_seed_all(9)
    np.testing.assert_array_equal(a.cpu().numpy(), minitorch.rand(3, device="cuda").cpu().numpy())


# ---------------------------------------------------------------- device-side checks ---------------
BAD_INDEX_CASES = {
    "embedding": (lambda: F.embedding(minitorch.tensor([0, 7], device="cuda"), minitorch.ones(5, 2, device="cuda")),
                  IndexError, "embedding"),
    "cross_entropy": (lambda: F.cross_entropy(minitorch.zeros(2, 3, device="cuda"),
                                              minitorch.tensor([0, 3], device="cuda")), IndexError, "Target"),
    "nll_loss": (lambda: F.nll_loss(minitorch.zeros(2, 3, device="cuda"), minitorch.tensor([-2, 0], device="cuda")),
                 IndexError, "Target"),
    "getitem": (lambda: minitorch.arange(4.0, device="cuda")[minitorch.tensor([1, 4], device="cuda")],
                IndexError, "index out of bounds"),
    "setitem": (lambda: minitorch.zeros(4, device="cuda").index_put_((minitorch.tensor([9], device="cuda"),),
                                                                     minitorch.ones(1, device="cuda")),
                IndexError, "out of bounds"),
    "gather": (lambda: minitorch.zeros(2, 3, device="cuda").gather(1, minitorch.tensor([[0], [3]], device="cuda")),
               IndexError, "gather"),
    "index_select": (lambda: minitorch.zeros(2, 3, device="cuda").index_select(
        1, minitorch.tensor([5], device="cuda")), RuntimeError, "index_select"),
    "bce": (lambda: F.binary_cross_entropy(minitorch.full((2,), 1.5, device="cuda"), minitorch.ones(2, device="cuda")),
            RuntimeError, "between 0 and 1"),
}


@pytest.mark.parametrize("name", sorted(BAD_INDEX_CASES))
def test_bad_values_on_cuda_raise_at_the_next_sync_without_stalling_the_op(name):
    make, exc, words = BAD_INDEX_CASES[name]
    with no_host_sync():
        out = make()  # no device -> host read inside the op: the check is queued on the device
    with pytest.raises(exc, match=words):
        out.sum().item() if isinstance(out, minitorch.Tensor) else minitorch.cuda.synchronize()
    minitorch.ones(2, device="cuda").sum().item()  # reported once: the next sync is clean


def test_pending_check_is_raised_by_synchronize_and_cpu_too():
    F.embedding(minitorch.tensor([9], device="cuda"), minitorch.ones(3, 2, device="cuda"))
    with pytest.raises(IndexError, match="embedding"):
        minitorch.cuda.synchronize()
    F.embedding(minitorch.tensor([9], device="cuda"), minitorch.ones(3, 2, device="cuda"))
    with pytest.raises(IndexError, match="embedding"):
        minitorch.ones(2, device="cuda").cpu()


def test_good_values_pass_the_device_checks():
    w = minitorch.randn(5, 2, device="cuda")
    idx = minitorch.tensor([[0, 4], [-1, 2]], device="cuda")
    assert_close(F.embedding(idx.clamp(min=0), w), F.embedding(idx.clamp(min=0).cpu(), w.cpu()))
    assert_close(w[idx], w.cpu()[idx.cpu()])  # negative in-range indices are fine
    minitorch.cuda.synchronize()


# ---------------------------------------------------------------- modules, optimizers, training ---------------
def _cnn():
    return nn.Sequential(
        nn.Conv2d(1, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 8, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(), nn.Dropout(0.1), nn.Linear(8 * 1 * 1, 10),
    )


def test_module_to_moves_parameters_and_buffers():
    model = _cnn()
    assert model.cuda() is model
    for name, p in model.named_parameters():
        _on_cuda(p)
        assert isinstance(p, nn.Parameter) and p.requires_grad, name
    for _, b in model.named_buffers():
        assert b.device.type == "cuda"
    model.to("cpu")
    assert all(p.device.type == "cpu" for p in model.parameters())
    assert all(b.device.type == "cpu" for b in model.buffers())


def _batches(n_steps: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal((8, 1, 10, 10)).astype(np.float32), rng.integers(0, 10, 8)) for _ in range(n_steps)]


@pytest.mark.parametrize("opt_name, kw", [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}),
    ("Adam", {"lr": 1e-2, "amsgrad": True}),
    ("AdamW", {"lr": 1e-2}),
    ("RMSprop", {"lr": 1e-3, "centered": True, "momentum": 0.5}),
    ("Adagrad", {"lr": 1e-2}),
    ("Adadelta", {}),
])
def test_cnn_training_on_cuda_matches_cpu_and_never_syncs_inside_a_step(opt_name, kw):
    losses = {}
    for device in ("cpu", "cuda"):
        minitorch.manual_seed(0)
        model = _cnn().to(device)
        model[8].p = 0.0  # dropout off: the two devices' generators differ
        opt = getattr(minitorch.optim, opt_name)(model.parameters(), **kw)
        losses[device] = []
        for x, y in _batches(4):
            xb = minitorch.tensor(x).to(device)
            yb = minitorch.tensor(y).to(device)
            with no_host_sync() if device == "cuda" else nullcontext():
                opt.zero_grad()
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                opt.step()
            losses[device].append(loss.item())
        for state in opt.state.values():
            for key, value in state.items():
                if isinstance(value, minitorch.Tensor) and key != "step":
                    assert value.device.type == device, (opt_name, key, value.device)
    np.testing.assert_allclose(losses["cuda"], losses["cpu"], rtol=2e-4, atol=1e-5)


def test_dropout_and_lstm_on_cuda_do_not_sync():
    minitorch.manual_seed(1)
    lstm = nn.LSTM(4, 6, batch_first=True).cuda()
    head = nn.Linear(6, 3).cuda()
    x = minitorch.randn(5, 7, 4, device="cuda")
    with no_host_sync():
        out, (h, c) = lstm(F.dropout(x, 0.3))
        loss = F.cross_entropy(head(out[:, -1]), minitorch.tensor([0, 1, 2, 0, 1], device="cuda"))
        loss.backward()
    assert all(p.grad is not None and p.grad.device.type == "cuda" for p in lstm.parameters())


def test_dataloader_batches_move_with_to():
    from minitorch.utils.data import DataLoader, TensorDataset

    ds = TensorDataset(minitorch.randn(10, 3), minitorch.arange(10))
    seen = 0
    for xb, yb in DataLoader(ds, batch_size=4, shuffle=True):
        xb, yb = xb.to("cuda"), yb.to("cuda")
        _on_cuda(xb)
        _on_cuda(yb)
        seen += len(yb)
    assert seen == 10


def test_checkpoint_of_a_cuda_model_loads_on_either_device(tmp_path):
    model = _cnn().cuda()
    path = tmp_path / "m.pt"
    minitorch.save(model.state_dict(), path)
    for location, expected in (("cpu", "cpu"), ("cuda", "cuda"), (None, "cuda")):
        state = minitorch.load(path, map_location=location)
        for key, value in state.items():
            assert value.device.type == expected, (location, key)
            np.testing.assert_array_equal(value.cpu().numpy(), model.state_dict()[key].cpu().numpy())


def test_nn_init_on_cuda_parameters():
    w = nn.Parameter(minitorch.empty(16, 8, device="cuda"))
    for init in (nn.init.uniform_, nn.init.normal_, nn.init.xavier_uniform_, nn.init.xavier_normal_,
                 nn.init.kaiming_uniform_, nn.init.kaiming_normal_, nn.init.trunc_normal_,
                 nn.init.orthogonal_, nn.init.zeros_, nn.init.ones_, nn.init.eye_):
        init(w)
        _on_cuda(w)
    nn.init.sparse_(w, 0.5)
    _on_cuda(w)
    assert (w.detach().cpu().numpy() == 0).sum() >= 8 * 8


# ---------------------------------------------------------------- DLPack with real CUDA producers ---------------
@pytest.mark.skipif(cuda_is_fake(), reason="fakecupy arrays are host memory: DLPack to torch CUDA needs a real GPU")
def test_dlpack_exchange_with_cupy_and_torch_cuda_is_zero_copy():
    torch = require_torch()
    cp = minitorch.backend.cupy_module()
    a = cp.arange(6, dtype=cp.float32)
    m = minitorch.from_dlpack(a)
    _on_cuda(m)
    a[0] = 42
    assert m[0].item() == 42.0
    if torch.cuda.is_available():
        t = torch.from_dlpack(m)
        assert t.is_cuda
        m.array[1] = -1
        assert t[1].item() == -1.0
        back = minitorch.from_dlpack(torch.ones(3, device="cuda"))
        _on_cuda(back)


# ---------------------------------------------------------------- the GPU benchmarks' minitorch side ---------------
def _timing_workloads():
    pytest.importorskip("torch", reason="the benchmark package imports torch helpers")
    from benchmarks.workloads import WORKLOADS

    return [w for w in WORKLOADS if w.kind == "timing"]


@pytest.mark.parametrize("name", ["overhead", "mlp", "cnn", "conv2d", "matmul", "digits", "lstm"])
def test_benchmark_workloads_run_on_cuda_agree_with_cpu_and_do_not_sync_per_step(name):
    from benchmarks.frameworks import Framework
    from benchmarks.workloads.base import Config, compare

    matching = [w for w in _timing_workloads() if w.name.startswith(name)]
    assert matching, f"no benchmark workload named {name}*"
    for wl in matching:
        probes = {}
        for device in ("cpu", "cuda"):
            case = wl.build(Framework("minitorch", device), Config(device=device, quick=True))
            probes[device] = case.probe()
            if device == "cuda":
                with no_host_sync():
                    case.step()
                case.sync()
        ok, message, _ = compare(probes["cuda"], probes["cpu"], 1e-4)
        assert ok, f"{wl.name}: {message}"


def test_pytorch_gpu_idioms_run():
    """What PyTorch training scripts call around the GPU works (single GPU: cuda:0)."""
    device = minitorch.device("cuda" if minitorch.cuda.is_available() else "cpu")
    x = minitorch.ones(3)
    _on_cuda(x.to(device, non_blocking=True))
    _on_cuda(x.pin_memory().cuda(non_blocking=True))
    assert x.get_device() == -1 and x.cuda().get_device() == 0
    minitorch.backends.cudnn.benchmark = True
    minitorch.backends.cudnn.deterministic = True
    assert minitorch.backends.mps.is_available() is False
    minitorch.cuda.set_device(0)
    with minitorch.cuda.device(0):
        _on_cuda(minitorch.zeros(1, device="cuda"))
    with pytest.raises(ValueError, match="one GPU"):
        minitorch.cuda.set_device(1)
    assert minitorch.cuda.memory_allocated() >= 0 and minitorch.cuda.memory_reserved() >= 0
    minitorch.cuda.empty_cache()
    start, end = minitorch.cuda.Event(enable_timing=True), minitorch.cuda.Event(enable_timing=True)
    start.record()
    (minitorch.randn(64, 64, device="cuda") @ minitorch.randn(64, 64, device="cuda")).sum()
    end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0.0
    with pytest.raises(RuntimeError, match="pin"):
        x.cuda().pin_memory()


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "float32", "float64"])
def test_accumulating_scatter_works_for_every_dtype_on_cuda(dtype):
    """CuPy's atomic scatter-add has no int64/int16/uint8: minitorch routes those through other types."""
    dt = getattr(minitorch, dtype)
    idx = minitorch.tensor([0, 2, 0, 4, 0])
    src = minitorch.tensor([1, 2, 3, 4, 5 if dtype != "int64" else 2**40], dtype=dt)
    for device in ("cpu", "cuda"):
        base = minitorch.zeros(5, dtype=dt, device=device)
        out = base.scatter_add(0, idx.to(device), src.to(device))
        put = minitorch.zeros(5, dtype=dt, device=device).index_put_((idx.to(device),), src.to(device), accumulate=True)
        if device == "cpu":
            expected = out.tolist()
        else:
            assert out.tolist() == expected and put.tolist() == expected and out.dtype == dt


@pytest.mark.parametrize("opt_name", ["SGD", "Adam", "RMSprop", "Adagrad", "Adadelta"])
def test_optimizer_state_follows_a_model_moved_after_steps(opt_name):
    """model.cuda() after some CPU steps: the next step moves the optimizer's state along (torch raises);
    the result equals training on one device throughout."""
    kw = {"lr": 0.1, "momentum": 0.9} if opt_name == "SGD" else {}
    runs = {}
    for moved in (False, True):
        minitorch.manual_seed(0)
        model = nn.Linear(3, 2)
        opt = getattr(minitorch.optim, opt_name)(model.parameters(), **kw)
        x = minitorch.randn(4, 3)
        for step in range(4):
            if moved and step == 2:
                model.cuda()
            xb = x.to(model.weight.device)
            opt.zero_grad()
            model(xb).pow(2).sum().backward()
            opt.step()
        if moved:
            for state in opt.state.values():
                assert all(v.device.type == "cuda" for k, v in state.items()
                           if isinstance(v, minitorch.Tensor) and k != "step")
        runs[moved] = model.weight.detach().cpu().numpy()
    np.testing.assert_allclose(runs[True], runs[False], rtol=1e-5, atol=1e-6)
