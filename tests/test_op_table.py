"""Generic tests over the op table: forward and backward vs torch, gradcheck, gradgradcheck.

Every row of ``tests/op_table.collect()`` (core rows and nn rows) runs through the same checks,
on cpu and (when a GPU is present) on cuda. Rows flagged ``broadcasting`` also get
hypothesis-drawn broadcastable shapes, including size-1 and 0-d operands.
"""
from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import minitorch
from minitorch.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, devices, no_host_sync, require_torch, requires_cuda
from .op_table import OpInfo, collect

torch = require_torch()

OPS = collect()
ROWS = [pytest.param(op, id=op.name) for op in OPS]
GRAD_ROWS = [pytest.param(op, id=op.name) for op in OPS if op.supports_grad]
GRADCHECK_ROWS = [pytest.param(op, id=op.name) for op in OPS if op.supports_grad and op.supports_gradcheck]
GRADGRAD_ROWS = [
    pytest.param(op, id=op.name) for op in OPS
    if op.supports_grad and op.supports_gradcheck and op.supports_gradgrad
]
BROADCAST_ROWS = [pytest.param(op, id=op.name) for op in OPS if op.broadcasting]


# ---------------------------------------------------------------- building inputs ----------------
def _per_input(spec, i: int, is_pair_spec):
    """``spec`` is one setting for all inputs or a sequence with one setting per input."""
    if isinstance(spec, (list, tuple)) and spec and is_pair_spec(spec):
        return spec[i] if i < len(spec) else None
    return spec


def _domain(op: OpInfo, i: int) -> tuple:
    d = op.domain
    if d and isinstance(d[0], (tuple, list)):
        return tuple(d[i])
    return tuple(d)


def _values(op: OpInfo, i: int):
    v = op.values
    if isinstance(v, (list, tuple)):
        return v[i] if i < len(v) else None
    return v


def make_arrays(op: OpInfo, shapes, rng, dtype) -> list:
    """NumPy input arrays for one sample (``make_inputs`` wins; else values/domain per shape)."""
    if op.make_inputs is not None:
        return [np.asarray(a) for a in op.make_inputs(rng, dtype)]
    arrays = []
    for i, shape in enumerate(shapes):
        gen = _values(op, i)
        if gen is not None:
            arrays.append(np.asarray(gen(rng, tuple(shape), dtype)))
        else:
            lo, hi = _domain(op, i)
            arrays.append(np.asarray(rng.uniform(lo, hi, tuple(shape))).astype(dtype))
    return arrays


def samples(op: OpInfo) -> list:
    """(index, shapes, kwargs) for every sample of a row."""
    shape_list = [None] if op.make_inputs is not None else list(op.shapes)
    return [(k, s, kw) for k, (s, kw) in enumerate(itertools.product(shape_list, op.kwargs))]


def _rng(op: OpInfo, k: int):
    return np.random.default_rng(zlib.crc32(op.name.encode()) + 7919 * k)


def _differentiable(op: OpInfo, i: int, a: np.ndarray) -> bool:
    return a.dtype.kind == "f" and (op.grad_inputs is None or i in op.grad_inputs)


def to_inputs(op: OpInfo, arrays, device, grad: bool):
    """Matching minitorch and torch inputs (differentiable ones require grad when ``grad``)."""
    mts, ths = [], []
    for i, a in enumerate(arrays):
        diff = grad and _differentiable(op, i, a)
        m = minitorch.tensor(a, device=device)
        t = torch.from_numpy(np.array(a, copy=True))
        if diff:
            m.requires_grad_(True)
            t.requires_grad_(True)
        mts.append(m)
        ths.append(t)
    return mts, ths


def flat(out) -> list:
    if isinstance(out, (tuple, list)):
        return [o for x in out for o in flat(x)]
    return [out]


def _dtype_name(t) -> str:
    return str(t.dtype).rsplit(".", 1)[-1]


def _label(op, shapes, kw, device) -> str:
    return f"{op.name} shapes={shapes} kwargs={kw} device={device}"


# ---------------------------------------------------------------- the checks ---------------------
def check_forward(op: OpInfo, arrays, kw, device, label: str) -> None:
    m_in, t_in = to_inputs(op, arrays, device, grad=False)
    m_out, t_out = flat(op.mt(*m_in, **kw)), flat(op.th(*t_in, **kw))
    assert len(m_out) == len(t_out), f"{label}: {len(m_out)} outputs, torch gives {len(t_out)}"
    for j, (m, t) in enumerate(zip(m_out, t_out)):
        if not isinstance(t, torch.Tensor):
            assert m == t, f"{label}: output {j}: {m!r} != torch {t!r}"
            continue
        assert isinstance(m, minitorch.Tensor), f"{label}: output {j} is {type(m).__name__}, not a Tensor"
        assert _dtype_name(m) == _dtype_name(t), f"{label}: output {j} dtype {m.dtype} != torch {t.dtype}"
        assert m.device.type == device, f"{label}: output {j} on {m.device}, expected {device}"
        assert not m.requires_grad, f"{label}: output {j} requires grad although no input does"
        assert_close(m, t, rtol=op.rtol, atol=op.atol, msg=f"{label}: output {j}")


def check_backward(op: OpInfo, arrays, kw, device, label: str, rng) -> None:
    m_in, t_in = to_inputs(op, arrays, device, grad=True)
    m_outs = [o for o in flat(op.mt(*m_in, **kw)) if isinstance(o, minitorch.Tensor) and o.requires_grad]
    t_outs = [o for o in flat(op.th(*t_in, **kw)) if isinstance(o, torch.Tensor) and o.requires_grad]
    assert len(m_outs) == len(t_outs), (
        f"{label}: {len(m_outs)} outputs require grad, torch has {len(t_outs)}"
    )
    if not t_outs:
        return
    ups = [np.asarray(rng.standard_normal(tuple(o.shape))).astype(arrays_dtype(arrays)) for o in t_outs]
    minitorch.autograd.backward(m_outs, [minitorch.tensor(u, device=device) for u in ups])
    torch.autograd.backward(t_outs, [torch.from_numpy(u.copy()) for u in ups])
    for i, (m, t) in enumerate(zip(m_in, t_in)):
        if not t.requires_grad:
            continue
        mg = m.grad if m.grad is not None else minitorch.zeros_like(m)
        tg = t.grad if t.grad is not None else torch.zeros_like(t)
        assert tuple(mg.shape) == tuple(m.shape), f"{label}: grad of input {i} has shape {tuple(mg.shape)}"
        assert _dtype_name(mg) == _dtype_name(m), f"{label}: grad of input {i} is {mg.dtype}, input {m.dtype}"
        assert_close(mg, tg, rtol=max(op.rtol, 1e-4), atol=max(op.atol, 1e-5) * 10,
                     msg=f"{label}: grad of input {i}")


def arrays_dtype(arrays):
    for a in arrays:
        if a.dtype.kind == "f":
            return a.dtype
    return np.dtype(np.float32)


def _check_inputs64(op, arrays, device):
    m_in, _ = to_inputs(op, arrays, device, grad=True)
    return m_in


# ---------------------------------------------------------------- tests ---------------------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("op", ROWS)
def test_forward_matches_torch(op: OpInfo, device: str) -> None:
    for k, shapes, kw in samples(op):
        arrays = make_arrays(op, shapes, _rng(op, k), np.float32)
        check_forward(op, arrays, kw, device, _label(op, shapes, kw, device))


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("op", GRAD_ROWS)
def test_backward_matches_torch(op: OpInfo, device: str) -> None:
    for k, shapes, kw in samples(op):
        rng = _rng(op, k)
        arrays = make_arrays(op, shapes, rng, np.float32)
        check_backward(op, arrays, kw, device, _label(op, shapes, kw, device), rng)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("op", GRADCHECK_ROWS)
def test_gradcheck_float64(op: OpInfo, device: str) -> None:
    for k, shapes, kw in samples(op):
        arrays = make_arrays(op, shapes, _rng(op, k), np.float64)
        inputs = _check_inputs64(op, arrays, device)
        check_forward(op, arrays, kw, device, _label(op, shapes, kw, device) + " (float64)")
        assert gradcheck(lambda *xs, kw=kw: op.mt(*xs, **kw), tuple(inputs)), _label(op, shapes, kw, device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("op", GRADGRAD_ROWS)
def test_gradgradcheck_float64(op: OpInfo, device: str) -> None:
    for k, shapes, kw in samples(op)[:3]:
        arrays = make_arrays(op, shapes, _rng(op, k), np.float64)
        inputs = _check_inputs64(op, arrays, device)
        assert gradgradcheck(lambda *xs, kw=kw: op.mt(*xs, **kw), tuple(inputs)), _label(op, shapes, kw, device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("op", BROADCAST_ROWS)
@given(data=st.data())
def test_broadcasting_shapes(op: OpInfo, device: str, data) -> None:
    n = len(op.shapes[0])
    drawn = data.draw(
        mutually_broadcastable_shapes(num_shapes=n, min_dims=0, max_dims=3, min_side=1, max_side=3),
        label="shapes",
    ).input_shapes
    seed = data.draw(st.integers(0, 2**16), label="seed")
    rng = np.random.default_rng(seed)
    arrays = make_arrays(op, drawn, rng, np.float32)
    label = _label(op, drawn, {}, device)
    check_forward(op, arrays, {}, device, label)
    if op.supports_grad:
        check_backward(op, arrays, {}, device, label, rng)


def test_every_issue_op_has_a_row() -> None:
    """The op list of issue 2: each name must appear as (the start of) some row name."""
    required = """add sub mul div neg pow_tensor_tensor pow_tensor_scalar rpow_scalar exp log log1p sqrt
    rsqrt abs sign sin cos tanh sigmoid relu clamp_scalar clamp_tensor clip maximum minimum where
    masked_fill matmul sum mean var std prod max min max_dim min_dim amax amin argmax argmin logsumexp
    softmax log_softmax cumsum norm reshape view flatten squeeze unsqueeze permute transpose T mT
    expand expand_as repeat flip cat stack split chunk gather scatter_add index_select getitem_int
    getitem_step getitem_none getitem_ellipsis getitem_tensor_repeats getitem_bool_mask getitem_ndarray
    setitem remainder square""".split()
    names = [op.name for op in OPS]
    missing = [r for r in required if not any(n == r or n.startswith(r + "_") or n.startswith(r) for n in names)]
    assert not missing, f"ops without an op-table row: {missing}"
    assert len(set(names)) == len(names), "duplicate row names"


#: rows that read data back to the host by nature, as their torch counterparts do: the output's shape
#: depends on the values (boolean masks, one_hot sizing itself), or the backward branches on zeros (prod)
SYNCS_BY_NATURE = {
    "F_one_hot": "num_classes=-1 sizes the output from the largest index",
    "getitem_bool_cols": "a boolean mask's selection count sizes the output",
    "getitem_bool_mask": "a boolean mask's selection count sizes the output",
    "getitem_bool_rows": "a boolean mask's selection count sizes the output",
    "setitem_bool_mask": "CuPy counts the selected elements to scatter them",
    "prod": "prod's backward checks the input for zeros (torch's does too)",
    "prod_0d": "prod's backward checks the input for zeros (torch's does too)",
    "prod_with_zeros": "prod's backward checks the input for zeros (torch's does too)",
}


@requires_cuda
@pytest.mark.parametrize("op", ROWS)
def test_cuda_forward_and_backward_never_wait_for_the_host(op: OpInfo) -> None:
    """No op reads GPU data back behind the user's back (only .item()/.tolist()/.cpu() may)."""
    reason = op.syncs_by_nature or SYNCS_BY_NATURE.get(op.name)
    if reason:
        pytest.skip(f"syncs by nature: {reason}")
    for k, shapes, kw in samples(op):
        arrays = make_arrays(op, shapes, _rng(op, k), np.float32)
        m_in, _ = to_inputs(op, arrays, "cuda", grad=op.supports_grad)
        with no_host_sync():
            outs = [o for o in flat(op.mt(*m_in, **kw)) if isinstance(o, minitorch.Tensor) and o.requires_grad]
            if outs:
                minitorch.autograd.backward(outs, [minitorch.ones_like(o) for o in outs])


def test_sync_exemptions_name_real_rows() -> None:
    assert set(SYNCS_BY_NATURE) <= {op.name for op in OPS}
