"""What the op table can't express for contractions, scans and order statistics: errors (same exception
type as torch), integer inputs, in-place forms, and cumprod's gradient at zeros."""
from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest

import minitorch as mt

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch

torch = require_torch()


def _pair(a):
    a = np.asarray(a)
    return mt.tensor(a), torch.from_numpy(a.copy())


R = np.random.default_rng(0)
A34, B34 = R.standard_normal((3, 4)), R.standard_normal((3, 4))
SQ = R.standard_normal((3, 3))

# ---------------------------------------------------------------- errors -------------------------
ERRORS = {
    "einsum_too_few_operands": lambda L, a: L.einsum("ij,jk->ik", a),
    "einsum_too_many_operands": lambda L, a: L.einsum("ij", a, a),
    "einsum_size_mismatch": lambda L, a: L.einsum("ij,jk->ik", a, a),
    "einsum_bad_subscript": lambda L, a: L.einsum("i1", a),
    "einsum_repeated_output": lambda L, a: L.einsum("ij->ii", a),
    "einsum_unknown_output": lambda L, a: L.einsum("ij->k", a),
    "einsum_wrong_rank": lambda L, a: L.einsum("ijk->i", a),
    "tensordot_mismatch": lambda L, a: L.tensordot(a, a, dims=([1], [0])),
    "tensordot_lengths": lambda L, a: L.tensordot(a, a, dims=([0, 1], [0])),
    "cross_not_3": lambda L, a: L.cross(a, a, dim=1),
    "cross_broadcast_not_3": lambda L, a: L.cross(a, a[:1, :2], dim=0),
    "kthvalue_k_too_big": lambda L, a: L.kthvalue(a, 5),
    "kthvalue_k_zero": lambda L, a: L.kthvalue(a, 0),
    "quantile_q_above": lambda L, a: L.quantile(a, 1.5),
    "quantile_q_below": lambda L, a: L.quantile(a, -0.1, dim=0),
    "quantile_q_tensor_out_of_range": lambda L, a: L.quantile(a, L.tensor([0.2, 1.5], dtype=a.dtype)),
    "quantile_bad_interpolation": lambda L, a: L.quantile(a, 0.5, interpolation="cubic"),
    "quantile_int_input": lambda L, a: L.quantile(a.long(), 0.5),
    "quantile_q_dtype": lambda L, a: L.quantile(a, L.tensor([0.5], dtype=L.float32)),
    "searchsorted_leading_dims": lambda L, a: L.searchsorted(a, a[:2]),
    "searchsorted_side_conflict": lambda L, a: L.searchsorted(a[0], a, side="left", right=True),
    "searchsorted_scalar_needs_1d": lambda L, a: L.searchsorted(a, 0.5),
    "bucketize_2d_boundaries": lambda L, a: L.bucketize(a, a),
    "cdist_columns": lambda L, a: L.cdist(a, a[:, :2]),
    "cdist_1d": lambda L, a: L.cdist(a[0], a),
    "median_dim_out_of_range": lambda L, a: L.median(a, 2),
    "cumprod_dim_out_of_range": lambda L, a: L.cumprod(a, 3),
    "diff_prepend_rank": lambda L, a: L.diff(a, prepend=a[0]),
    "nanmean_int": lambda L, a: L.nanmean(a.long()),
    "logcumsumexp_int": lambda L, a: L.logcumsumexp(a.long(), 0),
    "histc_int": lambda L, a: L.histc(a.long()),
    "addmv_shapes": lambda L, a: L.addmv(a[0], a, a[0]),
    "baddbmm_batch": lambda L, a: L.baddbmm(a, a.reshape(1, 3, 4).expand(2, 3, 4), a.reshape(1, 4, 3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    fn = ERRORS[name]
    m, t = _pair(A34.astype(np.float64))
    err = raises_like_torch(lambda: fn(torch, t), lambda: fn(mt, m))
    assert str(err), name


def test_error_messages_name_op_and_shapes():
    a = mt.tensor(A34)
    with pytest.raises(RuntimeError, match="einsum.*size 3.*operand 1"):
        mt.einsum("ij,jk->ik", a, a)
    with pytest.raises(RuntimeError, match=r"dim 1.*dim 0"):
        mt.tensordot(a, a, dims=([1], [0]))
    with pytest.raises(RuntimeError, match=r"\[3, 4\].*\[2, 4\]"):
        mt.searchsorted(a, a[:2])


# ---------------------------------------------------------------- integer inputs -----------------
INT_OPS = {
    "einsum": lambda L, a, b: L.einsum("ij,kj->ik", a, b),
    "einsum_trace": lambda L, a, b: L.einsum("ii", a[:, :3]),
    "tensordot": lambda L, a, b: L.tensordot(a, b, dims=([1], [1])),
    "inner": lambda L, a, b: L.inner(a, b),
    "kron": lambda L, a, b: L.kron(a, b),
    "cross": lambda L, a, b: L.cross(a[:, :3], b[:, :3], dim=1),
    "addr": lambda L, a, b: L.addr(a, a[:, 0], b[0]),
    "cumprod": lambda L, a, b: L.cumprod(a, 1),
    "cummax": lambda L, a, b: L.cummax(a, 1),
    "cummin": lambda L, a, b: L.cummin(a, 0),
    "diff": lambda L, a, b: L.diff(a, n=2),
    "median": lambda L, a, b: L.median(a + 10 * b),
    "kthvalue": lambda L, a, b: L.kthvalue(a * 10 + b, 2, 1),
    "mode": lambda L, a, b: L.mode(a, 1),
    "nansum": lambda L, a, b: L.nansum(a, 0),
    "searchsorted": lambda L, a, b: L.searchsorted(L.arange(-4, 5, 2), a),
    "bucketize": lambda L, a, b: L.bucketize(a, L.arange(-4, 5, 2), right=True),
}


@pytest.mark.parametrize("name", sorted(INT_OPS))
def test_integer_inputs_match_torch(name):
    rng = np.random.default_rng(1)
    ma, ta = _pair(rng.integers(-3, 4, (3, 4)))
    mb, tb = _pair(rng.integers(-3, 4, (3, 4)))
    m_out, t_out = INT_OPS[name](mt, ma, mb), INT_OPS[name](torch, ta, tb)
    if isinstance(t_out, tuple):
        m_out, t_out = m_out.values, t_out.values  # tie order for indices is implementation-defined
    assert str(m_out.dtype).rsplit(".", 1)[-1] == str(t_out.dtype).rsplit(".", 1)[-1]
    assert_close(m_out, t_out, msg=name)


def test_bool_diff_is_xor():
    m, t = _pair(np.array([True, False, False, True]))
    assert_close(mt.diff(m), torch.diff(t))


# ---------------------------------------------------------------- methods and in-place -----------
def test_methods_exist():
    for name in ("addmm", "baddbmm", "addbmm", "addmv", "addr", "inner", "kron", "cross", "dist", "cumprod",
                 "cummax", "cummin", "logcumsumexp", "diff", "median", "nanmedian", "kthvalue", "mode",
                 "quantile", "nanquantile", "nansum", "nanmean", "histc"):
        assert callable(getattr(mt.Tensor, name)), name


INPLACE = {
    "addmm_": lambda x, L: x.addmm_(L.ones(3, 2, dtype=x.dtype), L.ones(2, 4, dtype=x.dtype), beta=0.5, alpha=2),
    "addmv_": lambda x, L: x[0].addmv_(L.ones(4, 3, dtype=x.dtype), L.ones(3, dtype=x.dtype)),
    "addr_": lambda x, L: x.addr_(L.arange(3, dtype=x.dtype), L.ones(4, dtype=x.dtype)),
    "baddbmm_": lambda x, L: x.unsqueeze(0).baddbmm_(L.ones(1, 3, 2, dtype=x.dtype), L.ones(1, 2, 4, dtype=x.dtype)),
    "addbmm_": lambda x, L: x.addbmm_(L.ones(2, 3, 2, dtype=x.dtype), L.ones(2, 2, 4, dtype=x.dtype), alpha=-1),
    "cumprod_": lambda x, L: x.cumprod_(1),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_forms_match_torch(name):
    m, t = _pair(A34.copy())
    m_ret, t_ret = INPLACE[name](m, mt), INPLACE[name](t, torch)
    assert_close(m, t, msg=name)
    assert_close(m_ret, t_ret, msg=name)


def test_inplace_cumprod_in_graph():
    x = mt.tensor(A34, requires_grad=True)
    tx = torch.tensor(A34, requires_grad=True)
    y = x * 1.0
    ty = tx * 1.0
    y.cumprod_(0)
    ty.cumprod_(0)
    y.sum().backward()
    ty.sum().backward()
    assert_close(x.grad, tx.grad)


# ---------------------------------------------------------------- cumprod at zeros ---------------
@pytest.mark.parametrize("zeros", [[2], [0], [5], [1, 3], [0, 5], [2, 3], [0, 1, 2, 3, 4, 5]])
def test_cumprod_gradient_with_zeros_matches_torch(zeros):
    x = np.random.default_rng(len(zeros)).uniform(0.5, 1.5, (2, 6))
    x[0, zeros] = 0.0
    g = np.random.default_rng(7).standard_normal((2, 6))
    m = mt.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    mt.cumprod(m, 1).backward(mt.tensor(g))
    torch.cumprod(t, 1).backward(torch.tensor(g))
    assert_close(m.grad, t.grad, rtol=1e-10, atol=1e-12)
    # second order, against torch too
    m2 = mt.tensor(x, requires_grad=True)
    t2 = torch.tensor(x, requires_grad=True)
    (gm,) = mt.autograd.grad(mt.cumprod(m2, 1), m2, mt.tensor(g), create_graph=True)
    (gt,) = torch.autograd.grad(torch.cumprod(t2, 1), t2, torch.tensor(g), create_graph=True)
    (gm * gm).sum().backward()
    (gt * gt).sum().backward()
    assert_close(m2.grad, t2.grad, rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------- semantics details --------------
def test_einsum_operands_as_list_and_tuple():
    a, b = mt.tensor(A34), mt.tensor(B34)
    ta, tb = torch.tensor(A34), torch.tensor(B34)
    assert_close(mt.einsum("ij,kj->ik", [a, b]), torch.einsum("ij,kj->ik", [ta, tb]))
    assert_close(mt.einsum("ij,kj", (a, b)), torch.einsum("ij,kj", (ta, tb)))


def test_einsum_identity_is_a_new_tensor():
    a = mt.tensor(A34)
    out = mt.einsum("ij->ij", a)
    assert out is not a
    assert_close(out, A34)


def test_median_without_dim_is_lower_median():
    m, t = _pair(np.array([4.0, 1.0, 3.0, 2.0]))
    assert mt.median(m).item() == torch.median(t).item() == 2.0


def test_median_nan_propagates_like_torch():
    x = np.array([[3.0, np.nan, 1.0, np.nan], [2.0, 0.5, 1.0, 4.0]])
    m, t = _pair(x)
    mv, tv = mt.median(m, 1), torch.median(t, 1)
    assert_close(mv.values, tv.values)
    assert mv.indices.tolist() == tv.indices.tolist()
    nv, tnv = mt.nanmedian(m, 1), torch.nanmedian(t, 1)
    assert_close(nv.values, tnv.values)
    assert nv.indices.tolist() == tnv.indices.tolist()


def test_cummax_ties_pick_the_latest_index_like_torch():
    m, t = _pair(np.array([1.0, 1.0, 2.0, 2.0, 0.0]))
    assert mt.cummax(m, 0).indices.tolist() == torch.cummax(t, 0).indices.tolist()


def test_logcumsumexp_is_stable():
    x = np.array([-1000.0, 0.0, 1000.0, 1000.0])
    m, t = _pair(x)
    assert_close(mt.logcumsumexp(m, 0), torch.logcumsumexp(t, 0))


def test_histc_has_no_gradient():
    x = mt.tensor(A34, requires_grad=True)
    assert not mt.histc(x, bins=4).requires_grad


def test_cross_default_dim_is_first_dim_of_size_3():
    a, b = R.standard_normal((3, 3)), R.standard_normal((3, 3))
    with warnings.catch_warnings():  # torch warns (once per process) that this default is deprecated
        warnings.simplefilter("ignore")
        expected = torch.cross(torch.tensor(a), torch.tensor(b))
    assert_close(mt.cross(mt.tensor(a), mt.tensor(b)), expected)


# ---------------------------------------------------------------- devices ------------------------
@pytest.mark.parametrize("device", devices())
def test_cumprod_zeros_and_einsum_diagonal_on_device_without_sync(device):
    x = np.array([[0.5, 0.0, 2.0, 0.0], [1.5, 1.0, 0.0, 3.0]])
    g = np.ones((2, 4))
    m = mt.tensor(x, device=device, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ctx = no_host_sync() if device == "cuda" else contextlib.nullcontext()
    with ctx:
        mt.cumprod(m, 1).backward(mt.tensor(g, device=device))
        d = mt.einsum("ii->i", m[:, :2])
    torch.cumprod(t, 1).backward(torch.tensor(g))
    assert m.grad.device.type == device
    assert_close(m.grad, t.grad)
    assert_close(d, np.diagonal(x[:, :2]))
