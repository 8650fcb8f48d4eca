"""Construction, dtypes, printing and global settings against torch: legacy constructors (``Tensor(2, 3)``,
``LongTensor``), creation keywords (``size=``, ``out=``), dtype inference from NumPy scalars, small-int
accumulation, Python conversions, ``set_printoptions``, memory formats, generators and ``torch.random``."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch
from tests.helpers import require_torch

torch = require_torch()


def _raises_like(fn):
    """Run ``fn(torch)`` and ``fn(minitorch)``: both raise the same exception type; return the two messages."""
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(type(te.value)) as me:
        fn(minitorch)
    return str(te.value), str(me.value)


# ---------------------------------------------------------------- legacy constructors --------------
@pytest.mark.parametrize("make", [
    lambda L: L.Tensor(2, 3), lambda L: L.Tensor(5), lambda L: L.Tensor(L.Size([2, 3])), lambda L: L.Tensor(2, 3, 4),
    lambda L: L.Tensor(), lambda L: L.FloatTensor(5), lambda L: L.LongTensor(2, 2), lambda L: L.Tensor(np.int64(3)),
    lambda L: L.ones(2, dtype=L.int32).new(2, 3), lambda L: L.ones(2, dtype=L.float64).new(L.Size([4])),
    lambda L: L.ones(2).new(),
])
def test_sizes_constructors_give_uninitialised_tensors_of_that_shape(make):
    m, t = make(minitorch), make(torch)
    assert tuple(m.shape) == tuple(t.shape) and str(m.dtype) == str(t.dtype)
    assert m.requires_grad is False


@pytest.mark.parametrize("make", [
    lambda L: L.Tensor([2, 3]), lambda L: L.Tensor((2, 3)), lambda L: L.Tensor(np.array([1, 2])),
    lambda L: L.Tensor([[1.5, 2], [3, 4]]), lambda L: L.Tensor(np.array(3.0)),
    lambda L: L.FloatTensor([1, 2]), lambda L: L.DoubleTensor([1, 2]), lambda L: L.HalfTensor([1.5]),
    lambda L: L.LongTensor([1.7, 2]), lambda L: L.IntTensor([1, 2]), lambda L: L.ShortTensor([1]),
    lambda L: L.CharTensor([-1]), lambda L: L.ByteTensor([1, 255]), lambda L: L.BoolTensor([1, 0]),
    lambda L: L.ones(2, dtype=L.int32).new([1.5, 2]), lambda L: L.ones(2).new([1, 2]),
])
def test_data_constructors_match_torch(make):
    m, t = make(minitorch), make(torch)
    assert repr(m) == repr(t)


def test_tensor_of_a_tensor_shares_its_memory_and_dtype():
    for L in (torch, minitorch):
        a = L.tensor([1, 2])
        b = L.Tensor(a)
        assert b.dtype == L.int64 and b.data_ptr() == a.data_ptr()
        b[0] = 7
        assert a[0].item() == 7
    assert minitorch.DoubleTensor(minitorch.ones(2, dtype=minitorch.float64)).dtype == minitorch.float64


@pytest.mark.parametrize("fn", [
    lambda L: L.Tensor(2.5), lambda L: L.Tensor(True), lambda L: L.Tensor(2, 3.0),
    lambda L: L.Tensor([1, 2], requires_grad=True), lambda L: L.Tensor([1.0], dtype=L.float64),
    lambda L: L.LongTensor(L.ones(2)), lambda L: L.Tensor(-1), lambda L: L.Tensor([[1, 2], [3]]),
])
def test_legacy_constructor_errors_like_torch(fn):
    _raises_like(fn)


def test_parameter_of_a_legacy_tensor():
    w = minitorch.nn.Parameter(minitorch.Tensor(4, 3))
    assert isinstance(w, minitorch.Tensor) and w.shape == (4, 3) and w.requires_grad and w.dtype == minitorch.float32
    minitorch.nn.init.zeros_(w)
    assert float(w.sum()) == 0.0


@pytest.mark.parametrize("name", ["Float", "Double", "Half", "Long", "Int", "Short", "Char", "Byte", "Bool"])
def test_legacy_types_isinstance_and_type_strings(name):
    for dt in ("float32", "float64", "int64", "uint8", "bool"):
        t_x, m_x = torch.ones(2, dtype=getattr(torch, dt)), minitorch.ones(2, dtype=getattr(minitorch, dt))
        tt, mt = getattr(torch, name + "Tensor"), getattr(minitorch, name + "Tensor")
        assert isinstance(m_x, mt) == isinstance(t_x, tt)
        assert m_x.type() == t_x.type()
        assert m_x.type(mt).dtype.name == str(t_x.type(tt).dtype).split(".")[1].replace("bool", "bool")
        assert str(m_x.type(f"torch.{name}Tensor").dtype) == str(t_x.type(f"torch.{name}Tensor").dtype)
        assert m_x.type(f"minitorch.{name}Tensor").dtype == m_x.type(mt).dtype
    assert isinstance(minitorch.ones(2), minitorch.Tensor) and not issubclass(minitorch.FloatTensor, minitorch.Tensor)
    assert repr(getattr(minitorch, name + "Tensor")) == repr(getattr(torch, name + "Tensor"))


def test_type_conversions_return_self_when_nothing_changes_and_reject_bad_names():
    for L in (torch, minitorch):
        x = L.ones(2, dtype=L.int32)
        assert x.type(L.int32) is x and x.type(L.IntTensor) is x and x.type("torch.IntTensor") is x
        assert x.type(L.float64).dtype == L.float64
    _raises_like(lambda L: L.ones(2).type("float"))
    assert isinstance(minitorch.nn.Parameter(minitorch.ones(1)), minitorch.FloatTensor)


def test_dtype_size_and_type_names_print_as_torch():
    for name in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"):
        assert str(getattr(minitorch, name)) == str(getattr(torch, name)) == repr(getattr(minitorch, name))
    assert str(minitorch.ones(2, 3).dtype) == "torch.float32"
    assert repr(minitorch.ones(2, 3).shape) == repr(torch.ones(2, 3).shape)
    assert str(minitorch.Size([2])) == str(torch.Size([2]))
    for fmt in ("channels_last", "contiguous_format", "preserve_format", "channels_last_3d", "strided"):
        assert repr(getattr(minitorch, fmt)) == repr(getattr(torch, fmt))


# ---------------------------------------------------------------- creation keywords ----------------
@pytest.mark.parametrize("fn", [
    lambda L: L.empty(size=(2, 3)), lambda L: L.zeros(size=(2, 3)), lambda L: L.ones(size=[4]),
    lambda L: L.rand(size=(2, 3)), lambda L: L.randn(size=(3,)), lambda L: L.randint(0, 5, size=(2, 2)),
    lambda L: L.randint(5, size=(3,)), lambda L: L.randint(low=2, high=5, size=(3,)),
    lambda L: L.full(size=(2,), fill_value=1.5),
    lambda L: L.zeros(2, 3, layout=L.strided), lambda L: L.empty(2, pin_memory=False, requires_grad=True),
    lambda L: L.zeros_like(L.ones(2, 3), memory_format=L.preserve_format, layout=L.strided),
    lambda L: L.empty(2, 3, memory_format=L.contiguous_format),
])
def test_size_and_torch_keywords(fn):
    m, t = fn(minitorch), fn(torch)
    assert tuple(m.shape) == tuple(t.shape) and str(m.dtype) == str(t.dtype) and m.requires_grad == t.requires_grad


@pytest.mark.parametrize("fn", [
    lambda L: L.empty(2, foo=1), lambda L: L.zeros(2, bar=1), lambda L: L.ones(2, memory_format=L.contiguous_format),
    lambda L: L.zeros(2, size=(2, 3)), lambda L: L.rand(2, foo=1), lambda L: L.zeros_like(L.ones(2), size=3),
    lambda L: L.tensor([1.0], foo=1), lambda L: L.zeros(2.5), lambda L: L.zeros((2, 3), (4,)),
    lambda L: L.rand_like(L.ones(2, dtype=L.int64)), lambda L: L.randn_like(L.ones(2, dtype=L.int64)),
    lambda L: L.rand(2, dtype=L.int64), lambda L: L.randn(2, dtype=L.int32),
    lambda L: L.zeros(2, dtype=L.float32, out=L.empty(2, dtype=L.int64)),
    lambda L: L.zeros(2, out=L.empty(2, requires_grad=True)),
    lambda L: L.rand(2, out=L.empty(2, dtype=L.int64)),
])
def test_creation_errors_like_torch(fn):
    _raises_like(fn)


@pytest.mark.parametrize("fn", [
    lambda L, o: L.zeros(2, 3, out=o), lambda L, o: L.ones(2, out=o), lambda L, o: L.full((2,), 3, out=o),
    lambda L, o: L.arange(5, out=o), lambda L, o: L.linspace(0, 1, 3, out=o), lambda L, o: L.eye(2, out=o),
    lambda L, o: L.empty(0, out=o), lambda L, o: L.logspace(0, 1, 2, out=o),
])
@pytest.mark.parametrize("out_dtype", ["float32", "float64", "int64"])
def test_out_is_written_and_resized_like_torch(fn, out_dtype):
    res = {}
    for L in (torch, minitorch):
        o = L.empty(2, dtype=getattr(L, out_dtype))
        r = fn(L, o)
        assert r is o
        res[L.__name__] = o
    t, m = res["torch"], res["minitorch"]
    assert tuple(m.shape) == tuple(t.shape) and str(m.dtype) == str(t.dtype)
    if t.numel():
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-6)


def test_random_out_keeps_the_out_tensor():
    o = minitorch.empty(3)
    assert minitorch.rand(2, 2, out=o) is o and o.shape == (2, 2)
    assert minitorch.randint(10, (3,), out=o) is o and o.dtype == minitorch.float32
    assert minitorch.randn(4, out=o) is o and o.shape == (4,)


@pytest.mark.parametrize("fn", [
    lambda L: L.arange(L.tensor(3)), lambda L: L.arange(L.tensor(3.0)), lambda L: L.arange(0, L.tensor(3)),
    lambda L: L.arange(np.int32(3)), lambda L: L.arange(np.float64(3)), lambda L: L.arange(L.tensor(1), 7, L.tensor(2)),
    lambda L: L.linspace(L.tensor(0), L.tensor(3), 4), lambda L: L.logspace(L.tensor(0), 2, 3),
])
def test_ranges_take_tensor_and_numpy_scalars(fn):
    assert repr(fn(minitorch)) == repr(fn(torch))


# ---------------------------------------------------------------- dtype inference ------------------
@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([np.float64(1.0)]), lambda L: L.tensor([np.ones(2), np.zeros(2)]),
    lambda L: L.as_tensor([np.float64(1)]), lambda L: L.tensor((np.float64(1), 2.0)),
    lambda L: L.tensor([np.int32(1)]), lambda L: L.tensor([np.int32(1), 2]), lambda L: L.tensor([np.float32(1), 2.0]),
    lambda L: L.tensor([np.int32(1), 2.0]), lambda L: L.tensor(np.float64(2)), lambda L: L.tensor([np.float16(1), 3]),
    lambda L: L.tensor([True, np.float64(1)]), lambda L: L.tensor([np.bool_(True)]), lambda L: L.tensor([np.uint8(3)]),
    lambda L: L.tensor([L.tensor(1.0), L.tensor(2.0)]), lambda L: L.tensor([L.tensor(1), 2.5]),
    lambda L: L.tensor([L.tensor(1, dtype=L.float64)]), lambda L: L.tensor([L.ones(1)]), lambda L: L.tensor([]),
    lambda L: L.tensor([[], []]), lambda L: L.tensor([[1, 2], [3, 4]]), lambda L: L.tensor(True),
    lambda L: L.tensor([[np.int64(1)], [np.int64(2)]]),
])
def test_dtype_inference_like_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = fn(torch)
    assert repr(fn(minitorch)) == repr(t)


@pytest.mark.parametrize("fn", [
    lambda L: L.tensor([L.ones(2), L.ones(2)]), lambda L: L.tensor([[1, 2], [3]]), lambda L: L.tensor([[1, 2], 3]),
    lambda L: L.tensor(["a"]), lambda L: L.tensor([1, None]), lambda L: L.tensor([np.ones(2), np.zeros(3)]),
    lambda L: L.tensor([-1, 256], dtype=L.uint8),
])
def test_bad_data_raises_like_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_msg, m_msg = _raises_like(fn)
    assert m_msg == t_msg


def test_default_dtype_applies_to_python_floats_only(monkeypatch):
    minitorch.set_default_dtype(minitorch.float64)
    try:
        assert minitorch.tensor([1.0]).dtype == minitorch.float64 and minitorch.Tensor(2).dtype == minitorch.float64
        assert minitorch.tensor([np.float32(1)]).dtype == minitorch.float32
    finally:
        minitorch.set_default_dtype(minitorch.float32)


# ---------------------------------------------------------------- small-int accumulation ----------
@pytest.mark.parametrize("dt", ["bool", "int8", "int16", "int32", "uint8", "int64"])
@pytest.mark.parametrize("op", ["sum", "prod", "cumsum", "cumprod"])
def test_small_int_reductions_accumulate_in_int64(dt, op):
    def run(L):
        x = L.tensor([200, 100, 0, 3]).to(getattr(L, dt))
        return getattr(x, op)() if op in ("sum", "prod") else getattr(x, op)(0)
    m, t = run(minitorch), run(torch)
    assert str(m.dtype) == str(t.dtype)
    np.testing.assert_array_equal(m.numpy(), t.numpy())


# ---------------------------------------------------------------- Python conversions ---------------
def test_comparison_with_none_and_python_conversions():
    t = minitorch.ones(2)
    assert (t == None) is False and (t != None) is True  # noqa: E711
    assert t != None and not (t == None)  # noqa: E711
    for fn in (lambda L: bool(L.tensor([])), lambda L: bool(L.ones(2)), lambda L: float(L.ones(2)),
               lambda L: int(L.ones(2)), lambda L: float(L.tensor([]))):
        t_msg, m_msg = _raises_like(fn)
        assert m_msg == t_msg
    assert float(minitorch.tensor([2.5])) == 2.5 and int(minitorch.tensor([[3]])) == 3


# ---------------------------------------------------------------- printing ------------------------
_PRINT_CASES = [
    lambda L: L.arange(2000.0) - 3.0, lambda L: L.arange(2000) * 3, lambda L: L.linspace(-1, 1, 1500).reshape(30, 50),
    lambda L: L.tensor([1e-5, 1.0, 123.456]), lambda L: L.tensor([0.433, 5.5338], dtype=L.float16),
    lambda L: L.tensor([60000.0, 1.5], dtype=L.float16), lambda L: L.arange(24.0).reshape(2, 3, 4) / 7,
    lambda L: L.tensor([True, False] * 600), lambda L: L.tensor([[1.5, float("nan")], [float("inf"), -2.0]]),
    lambda L: L.arange(100.0).reshape(10, 10) * 1e6, lambda L: L.arange(40.0).reshape(2, 20) / 3,
    lambda L: L.tensor(3.14159), lambda L: L.tensor([1, 2], dtype=L.int8), lambda L: L.arange(5000).reshape(50, 100),
]


@pytest.mark.parametrize("make", _PRINT_CASES)
def test_repr_matches_torch(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no 'overflow encountered in cast' from float16
        assert repr(make(minitorch)) == repr(make(torch))


@pytest.mark.parametrize("opts", [
    {"precision": 2}, {"threshold": 5}, {"edgeitems": 1, "threshold": 10}, {"linewidth": 30},
    {"sci_mode": True}, {"sci_mode": False}, {"profile": "short"}, {"profile": "full"},
    {"precision": 6, "sci_mode": True},
])
@pytest.mark.parametrize("make", [
    lambda L: L.arange(12.0) / 3, lambda L: L.arange(30).reshape(5, 6), lambda L: L.tensor([1e-5, 1.0, 1e5]),
    lambda L: L.arange(2000.0).reshape(40, 50) / 7, lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
])
def test_set_printoptions_changes_repr_like_torch(opts, make):
    try:
        torch.set_printoptions(**opts)
        minitorch.set_printoptions(**opts)
        assert repr(make(minitorch)) == repr(make(torch))
    finally:
        torch.set_printoptions(profile="default")
        minitorch.set_printoptions(profile="default")
    assert repr(make(minitorch)) == repr(make(torch))


# ---------------------------------------------------------------- memory formats ------------------
def test_channels_last_is_an_nchw_view_of_nhwc_memory_with_gradients():
    xt = torch.randn(2, 3, 4, 5, dtype=torch.float64, requires_grad=True)
    xm = minitorch.tensor(xt.detach().numpy(), requires_grad=True)
    for fn in (lambda x, L: x.contiguous(memory_format=L.channels_last),
               lambda x, L: x.to(memory_format=L.channels_last)):
        yt, ym = fn(xt, torch), fn(xm, minitorch)
        assert ym.stride() == yt.stride() and tuple(ym.shape) == tuple(yt.shape)
        assert ym.is_contiguous() is yt.is_contiguous() is False
        assert ym.is_contiguous(memory_format=minitorch.channels_last) is True
        np.testing.assert_array_equal(ym.detach().numpy(), xt.detach().numpy())
        w = np.arange(120.0).reshape(2, 3, 4, 5)
        (yt * torch.tensor(w)).sum().backward()
        (ym * minitorch.tensor(w)).sum().backward()
        np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy())
        xt.grad = None
        xm.grad = None
        back = ym.contiguous()
        assert back.is_contiguous() and back.stride() == yt.contiguous().stride()
    x5 = minitorch.ones(1, 2, 3, 4, 5).contiguous(memory_format=minitorch.channels_last_3d)
    assert x5.stride() == torch.ones(1, 2, 3, 4, 5).contiguous(memory_format=torch.channels_last_3d).stride()
    e = minitorch.empty(1, 2, 3, 4, memory_format=minitorch.channels_last)
    assert e.stride() == torch.empty(1, 2, 3, 4, memory_format=torch.channels_last).stride()
    assert minitorch.empty_like(e).stride() == e.stride()
    assert minitorch.zeros_like(e, memory_format=minitorch.contiguous_format).is_contiguous()
    _raises_like(lambda L: L.ones(2, 3).contiguous(memory_format=L.channels_last))
    _raises_like(lambda L: L.ones(3, 2).t().contiguous(memory_format=L.preserve_format))
    assert minitorch.ones(2).layout is minitorch.strided


# ---------------------------------------------------------------- generators and torch.random -----
def test_generator_state_is_a_byte_tensor_shared_with_get_rng_state():
    g = minitorch.Generator().manual_seed(3)
    st = g.get_state()
    assert st.dtype == minitorch.uint8 and st.dim() == 1 and isinstance(st, minitorch.ByteTensor)
    a = minitorch.rand(4, generator=g)
    g.set_state(st)
    assert minitorch.equal(minitorch.rand(4, generator=g), a)
    minitorch.manual_seed(5)
    gs = minitorch.get_rng_state()
    b = minitorch.rand(3)
    g.set_state(gs)  # the global state loads into any CPU generator
    assert minitorch.equal(minitorch.rand(3, generator=g), b)
    minitorch.default_generator.set_state(gs)
    assert minitorch.equal(minitorch.rand(3), b)
    assert minitorch.default_generator.initial_seed() == 5
    s = g.seed()
    assert g.initial_seed() == s and isinstance(s, int)
    with pytest.raises(TypeError, match="ByteTensor"):
        g.set_state({"seed": 1})
    with pytest.raises(RuntimeError):
        g.set_state(minitorch.zeros(5, dtype=minitorch.uint8))


def test_torch_random_module():
    r = minitorch.random
    for name in ("manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng"):
        assert callable(getattr(r, name)) and hasattr(torch.random, name)
    r.manual_seed(7)
    assert r.initial_seed() == 7
    with r.fork_rng():
        inside = minitorch.rand(3)
    assert minitorch.equal(minitorch.rand(3), inside)  # the state was restored on exit
    with r.fork_rng(devices=[], enabled=False):
        minitorch.rand(1)
    state = r.get_rng_state()
    x = minitorch.rand(2)
    r.set_rng_state(state)
    assert minitorch.equal(minitorch.rand(2), x)
    assert r.default_generator is minitorch.default_generator


# ---------------------------------------------------------------- global settings -----------------
def test_global_settings_round_trip():
    n = minitorch.get_num_threads()
    assert isinstance(n, int) and n >= 1
    minitorch.set_num_threads(1)
    assert minitorch.get_num_threads() == 1
    pytest.importorskip("threadpoolctl")
    from threadpoolctl import threadpool_info

    assert all(p["num_threads"] == 1 for p in threadpool_info() if p["user_api"] == "blas")
    minitorch.set_num_threads(n)
    assert isinstance(minitorch.get_num_interop_threads(), int)
    minitorch.use_deterministic_algorithms(True, warn_only=True)
    assert minitorch.are_deterministic_algorithms_enabled()
    assert minitorch.is_deterministic_algorithms_warn_only_enabled()
    minitorch.use_deterministic_algorithms(False)
    assert not minitorch.are_deterministic_algorithms_enabled()
    minitorch.set_float32_matmul_precision("high")
    assert minitorch.get_float32_matmul_precision() == "high"
    minitorch.set_float32_matmul_precision("highest")
    for L in (torch, minitorch):
        with pytest.warns(UserWarning, match="no effect"):
            L.set_float32_matmul_precision("foo")
        assert L.get_float32_matmul_precision() == "highest"
    assert not minitorch.is_inference_mode_enabled()
    with minitorch.inference_mode():
        assert minitorch.is_inference_mode_enabled() and not minitorch.is_grad_enabled()
        with minitorch.inference_mode(False):
            assert not minitorch.is_inference_mode_enabled()
    assert not minitorch.is_inference_mode_enabled()
    for name in ("pi", "e", "inf", "nan"):
        v, w = getattr(minitorch, name), getattr(torch, name)
        assert v == w or (v != v and w != w)
    assert minitorch.newaxis is None is torch.newaxis


def test_default_device_is_used_by_creation_functions():
    assert minitorch.get_default_device() == minitorch.device("cpu")
    assert str(minitorch.get_default_device()) == str(torch.get_default_device())
    minitorch.set_default_device("cpu")
    try:
        assert minitorch.zeros(2).device.type == "cpu" and minitorch.tensor([1]).device.type == "cpu"
    finally:
        minitorch.set_default_device(None)


@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="needs a GPU (or MINITORCH_FAKE_GPU=1)")
def test_default_device_cuda_creation_and_repr():
    minitorch.set_default_device("cuda")
    try:
        for t in (minitorch.zeros(2), minitorch.tensor([1.0]), minitorch.arange(3), minitorch.Tensor(2),
                  minitorch.rand(2), minitorch.empty(size=(1,)), minitorch.eye(2), minitorch.full((1,), 2.0)):
            assert t.device.type == "cuda"
        assert "device=" not in repr(minitorch.zeros(2))
        assert "device='cpu'" in repr(minitorch.zeros(2, device="cpu"))
    finally:
        minitorch.set_default_device(None)


def test_bfloat16_name_exists_and_using_it_raises_a_clear_type_error():
    """NumPy has no bfloat16: scripts that list it import; creating or converting to it says why."""
    import copy

    assert repr(minitorch.bfloat16) == repr(torch.bfloat16) == "torch.bfloat16"
    assert copy.deepcopy(minitorch.bfloat16) is minitorch.bfloat16
    assert minitorch.cuda.is_bf16_supported() is False
    for make in (lambda: minitorch.zeros(2, dtype=minitorch.bfloat16), lambda: minitorch.ones(2).to(minitorch.bfloat16),
                 lambda: minitorch.ones(2).to("bfloat16")):
        with pytest.raises(TypeError, match="no bfloat16"):
            make()
