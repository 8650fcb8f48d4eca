"""PyTorch-compatibility fixes found by running real scripts: element views from integer indexing, sort/topk
edge cases, unique(dim), bincount dtypes, scatter_reduce corner cases, the ``axis=`` alias, in-place writes into
expand() results, and view() of non-viewable memory. Everything is compared with torch."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch as mt
from minitorch.autograd import gradcheck, gradgradcheck

from .helpers import assert_close, devices, require_torch

torch = require_torch()


def _both(fn):
    return fn(torch), fn(mt)


def _dev(L, device: str) -> str:
    """torch runs on the cpu (the reference); minitorch on the device under test."""
    return "cpu" if L is torch else device


def _same(t, m, exact_dtype=True):
    ts = t if isinstance(t, (tuple, list)) else [t]
    ms = m if isinstance(m, (tuple, list)) else [m]
    assert len(ts) == len(ms)
    for a, b in zip(ts, ms):
        assert_close(b, a, rtol=1e-5, atol=1e-6)
        if exact_dtype:
            assert str(a.dtype).rsplit(".", 1)[-1] == str(b.dtype).rsplit(".", 1)[-1]


# ---------------------------------------------------------------- 1. x[i] is a 0-d view ----------
@pytest.mark.parametrize("device", devices())
def test_integer_index_gives_a_writable_view(device) -> None:
    for L in (torch, mt):
        a = L.zeros(3, device=_dev(L, device))
        a[1].fill_(5)
        d = L.zeros(2, 3, device=_dev(L, device))
        d[0, 1].add_(3)
        b = L.zeros(3, device=_dev(L, device))
        e = b[1]
        e += 4
        c = L.zeros(3, device=_dev(L, device))
        for x in c:
            x.add_(1)
        u = L.zeros(2, 3, device=_dev(L, device))
        for row in u:
            row[2].mul_(0).add_(7)
        v = L.zeros(4, device=_dev(L, device))
        v.unbind(0)[2].add_(2)
        got = [t.cpu().numpy().tolist() for t in (a, d, b, c, u, v)]
        if L is torch:
            expected = got
    assert got == expected


def test_integer_index_keeps_autograd_and_values() -> None:
    x = mt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[1] * 2 + x[-1]
    y.backward()
    assert x.grad.tolist() == [0.0, 2.0, 1.0]
    e = mt.arange(6).reshape(2, 3)[1, 2]
    assert e.shape == () and e.item() == 5 and int(e) == 5 and isinstance(e.array, np.ndarray)
    # a non-leaf element: the write reaches the memory, backward through the original graph still works
    z = x * 1
    with mt.no_grad():
        z[0].add_(10)
    assert z.tolist() == [11.0, 2.0, 3.0]


# ---------------------------------------------------------------- 2. sort / topk / argsort -------
NAN = float("nan")


@pytest.mark.parametrize("k", [7, -1])
def test_topk_k_out_of_range_raises(k) -> None:
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        torch.topk(torch.zeros(6), k)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        mt.topk(mt.zeros(6), k)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        mt.topk(mt.tensor(1.0), 2)


@pytest.mark.parametrize("device", devices())
def test_nan_sorts_as_the_largest(device) -> None:
    vals = [3.0, NAN, 1.0, float("inf"), -float("inf"), NAN, 2.0]
    for kw in [{}, {"descending": True}]:
        t, m = _both(lambda L, kw=kw: L.sort(L.tensor(vals, device=_dev(L, device)), **kw))
        _same(tuple(t), tuple(m))
    t, m = _both(lambda L: L.topk(L.tensor(vals, device=_dev(L, device)), 3))
    _same(tuple(t), tuple(m))
    t, m = _both(lambda L: L.topk(L.tensor(vals, device=_dev(L, device)), 3, largest=False))
    _same(tuple(t), tuple(m))
    t, m = _both(lambda L: L.argsort(L.tensor(vals, device=_dev(L, device)), descending=True))
    _same(t, m)


@pytest.mark.parametrize("device", devices())
def test_sort_topk_integer_and_bool_dtypes(device) -> None:
    cases = [
        (lambda L: L.tensor([200, 3, 255, 0, 17], dtype=L.uint8, device=_dev(L, device)), {}),
        (lambda L: L.tensor([-2**63, 5, 2**63 - 1, 0, -1], dtype=L.int64, device=_dev(L, device)), {}),
        (lambda L: L.tensor([5, -128, 127, 0], dtype=L.int8, device=_dev(L, device)), {}),
    ]
    for make, _ in cases:
        for desc in (False, True):
            t, m = _both(lambda L, make=make, desc=desc: L.sort(make(L), descending=desc))
            _same(tuple(t), tuple(m))
        for largest in (False, True):
            t, m = _both(lambda L, make=make, largest=largest: L.topk(make(L), 2, largest=largest))
            _same(tuple(t), tuple(m))
    for desc in (False, True):
        t, m = _both(lambda L, desc=desc: L.sort(L.tensor([True, False, True, False], device=_dev(L, device)),
                                                 descending=desc, stable=True))
        _same(tuple(t), tuple(m))


def test_stable_sort_keeps_the_order_of_ties() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, (5, 40)).astype(np.float32)
    for desc in (False, True):
        t, m = _both(lambda L, desc=desc: L.sort(L.tensor(a), dim=1, descending=desc, stable=True))
        _same(tuple(t), tuple(m))
        t, m = _both(lambda L, desc=desc: L.argsort(L.tensor(a), dim=0, descending=desc, stable=True))
        _same(t, m)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("shape,k,dim", [((4, 200), 5, -1), ((300,), 10, 0), ((50, 3), 7, 0), ((3, 8), 6, 1),
                                         ((2, 3, 100), 4, 2)])
def test_topk_matches_torch_on_distinct_values(device, shape, k, dim) -> None:
    rng = np.random.default_rng(k)
    a = rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float32) / 7
    for largest in (True, False):
        t, m = _both(lambda L, largest=largest: L.topk(L.tensor(a, device=_dev(L, device)), k, dim=dim,
                                                        largest=largest))
        _same(tuple(t), tuple(m))
    # sorted=False: the same k elements (order free)
    _, mi = mt.topk(mt.tensor(a, device=device), k, dim=dim, sorted=False)
    _, ti = torch.topk(torch.tensor(a), k, dim=dim, sorted=False)
    assert np.array_equal(np.sort(mi.cpu().numpy(), axis=dim), np.sort(ti.numpy(), axis=dim))


def test_topk_ties_pick_the_same_values_as_torch() -> None:
    rng = np.random.default_rng(3)
    a = rng.integers(0, 5, (6, 60)).astype(np.float32)
    t, m = _both(lambda L: L.topk(L.tensor(a), 8))
    assert_close(m.values, t.values)
    picked = np.take_along_axis(a, m.indices.numpy(), 1)  # the indices point at the values returned
    assert np.array_equal(picked, m.values.numpy())


def test_topk_gradient() -> None:
    rng = np.random.default_rng(0)
    a = rng.permutation(80).reshape(2, 40).astype(np.float64)
    x = mt.tensor(a, requires_grad=True)
    assert gradcheck(lambda x: mt.topk(x, 5, dim=1).values, (x,))
    xt = torch.tensor(a, requires_grad=True)
    g = rng.standard_normal((2, 5))
    mt.topk(x, 5).values.backward(mt.tensor(g))
    torch.topk(xt, 5).values.backward(torch.tensor(g))
    assert_close(x.grad, xt.grad)


# ---------------------------------------------------------------- 3. unique / bincount -----------
@pytest.mark.parametrize("device", devices())
def test_unique_along_dim(device) -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 2, (6, 3))
    for dim in (0, 1, -1):
        for kw in [{}, {"return_inverse": True}, {"return_counts": True},
                   {"return_inverse": True, "return_counts": True}]:
            t, m = _both(lambda L, dim=dim, kw=kw: L.unique(L.tensor(a, device=_dev(L, device)), dim=dim, **kw))
            _same(t, m)
    b = rng.integers(0, 2, (2, 5, 2)).astype(np.float32)
    t, m = _both(lambda L: L.unique(L.tensor(b, device=_dev(L, device)), dim=1, return_inverse=True,
                                    return_counts=True))
    _same(t, m)
    t, m = _both(lambda L: L.tensor(b, device=_dev(L, device)).unique(sorted=True, return_inverse=True))
    _same(t, m)


def test_unique_flat_keeps_nans_apart_and_inverse_shape() -> None:
    t, m = _both(lambda L: L.unique(L.tensor([2.0, NAN, 1.0, NAN, 2.0]), return_counts=True))
    _same(t, m)
    t, m = _both(lambda L: L.unique(L.tensor([[3, 1], [1, 1]]), return_inverse=True, return_counts=True))
    _same(t, m)


def test_unique_consecutive() -> None:
    a = [[1, 1], [1, 1], [2, 3], [1, 1]]
    for dim in (None, 0, 1):
        t, m = _both(lambda L, dim=dim: L.unique_consecutive(L.tensor(a), return_inverse=True, return_counts=True,
                                                             dim=dim))
        _same(t, m)
    t, m = _both(lambda L: L.tensor([5, 5, 2, 2, 5]).unique_consecutive())
    _same(t, m)


@pytest.mark.parametrize("wdtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_bincount_weight_dtypes(wdtype) -> None:
    idx = [0, 1, 1, 3]
    t, m = _both(lambda L: L.bincount(L.tensor(idx), L.tensor([1, 2, 0, 1], dtype=getattr(L, wdtype)), minlength=5))
    _same(t, m)
    t, m = _both(lambda L: L.tensor(idx).bincount())
    _same(t, m)


# ---------------------------------------------------------------- 4. new ops ---------------------
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_scatter_reduce_values_incl_zeros_and_ints(reduce, include_self, dtype) -> None:
    rng = np.random.default_rng(1)
    x = rng.integers(-3, 4, (3, 4))
    src = rng.integers(-3, 4, (5, 4))
    idx = rng.integers(0, 3, (4, 4))
    t, m = _both(lambda L: L.tensor(x, dtype=getattr(L, dtype)).scatter_reduce(
        0, L.tensor(idx), L.tensor(src, dtype=getattr(L, dtype)), reduce, include_self=include_self))
    _same(t, m)


@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_prod_gradient_with_zeros(include_self) -> None:
    rng = np.random.default_rng(2)
    x = rng.integers(-2, 3, (3, 4)).astype(np.float64)
    src = rng.integers(-2, 3, (3, 4)).astype(np.float64)
    x[0, 0] = src[0, 1] = src[1, 1] = 0.0  # a single zero and a double zero in one group
    idx = rng.integers(0, 3, (3, 4))
    idx[0, 1] = idx[1, 1] = 0
    g = rng.standard_normal((3, 4))
    tx, ts = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
    mx, ms = mt.tensor(x, requires_grad=True), mt.tensor(src, requires_grad=True)
    tx.scatter_reduce(0, torch.tensor(idx), ts, "prod", include_self=include_self).backward(torch.tensor(g))
    mx.scatter_reduce(0, mt.tensor(idx), ms, "prod", include_self=include_self).backward(mt.tensor(g))
    assert_close(mx.grad, tx.grad)
    assert_close(ms.grad, ts.grad)


def test_scatter_reduce_errors_and_inplace() -> None:
    x, i, s = mt.zeros(3), mt.tensor([0, 1]), mt.ones(2)
    with pytest.raises(RuntimeError, match="reduce argument must be either sum, prod, mean, amax or amin"):
        x.scatter_reduce(0, i, s, "max")
    with pytest.raises(RuntimeError, match="reduce argument must be either add or multiply"):
        x.scatter(0, i, s, reduce="sum")
    with pytest.raises(RuntimeError, match="dtype"):
        x.scatter_reduce(0, i, s.to(mt.float64), "sum")
    y = mt.ones(3)
    assert y.scatter_reduce_(0, i, s * 3, "sum") is y and y.tolist() == [4.0, 4.0, 1.0]
    z = mt.ones(3)
    z.scatter_(0, i, 2.0, reduce="multiply")
    assert z.tolist() == torch.ones(3).scatter_(0, torch.tensor([0, 1]), 2.0, reduce="multiply").tolist()


def test_new_ops_forward_edge_cases() -> None:
    checks = [
        lambda L: L.isin(L.tensor([1, 2, 3]), L.tensor([2, 5]), invert=True),
        lambda L: L.isin(2, L.tensor([1, 2])),
        lambda L: L.unravel_index(L.tensor([4, -1, 5, 6]), (2, 3)),
        lambda L: L.unravel_index(L.tensor(7), L.Size([2, 2, 2])),
        lambda L: tuple(L.aminmax(L.tensor([[1.0, 5.0], [3.0, 2.0]]), dim=1, keepdim=True)),
        lambda L: tuple(L.aminmax(L.tensor([4, -2, 9]))),
        lambda L: L.diagflat(L.tensor([[1, 2], [3, 4]]), -1),
        lambda L: L.vander(L.tensor([1, 2, 3])),
        lambda L: L.vander(L.tensor([1.0, 2.0, 3.0]), N=0),
        lambda L: L.cov(L.tensor([[1, 2, 4], [0, 1, 1]])),
        lambda L: L.cov(L.tensor([1.0, 2.0, 4.0])),
        lambda L: L.corrcoef(L.tensor([[1.0, 2.0, 4.0], [0.0, 1.0, 1.5], [3.0, 1.0, 0.0]])),
        lambda L: L.trapezoid(L.tensor([1, 2, 3])),
        lambda L: L.trapezoid(L.tensor([1.0, 2.0, 3.0]), L.tensor([0, 1, 3])),
        lambda L: L.trapz(L.tensor([[1.0, 2.0], [3.0, 5.0]]), dx=0.5, dim=0),
        lambda L: L.cumulative_trapezoid(L.tensor([[1.0, 2.0, 3.0]]), dim=0),
        lambda L: L.cumulative_trapezoid(L.tensor([1.0, 2.0, 4.0]), dx=3.0),
    ]
    for fn in checks:
        t, m = _both(fn)
        _same(t, m)


def test_vander_gradient() -> None:
    """torch 2.13's own vander backward fails, so its reference is x ** powers (same function)."""
    a = np.array([0.0, 1.5, -0.7, 2.0])
    g = np.random.default_rng(0).standard_normal((4, 4))
    x = mt.tensor(a, requires_grad=True)
    mt.vander(x).backward(mt.tensor(g))
    xt = torch.tensor(a, requires_grad=True)
    (xt.unsqueeze(1) ** torch.arange(3, -1, -1, dtype=torch.float64)).backward(torch.tensor(g))
    assert_close(x.grad, xt.grad)
    y = mt.tensor(a + 0.3, requires_grad=True)
    assert gradcheck(lambda y: mt.vander(y, N=3, increasing=True), (y,))
    assert gradgradcheck(lambda y: mt.vander(y, N=3), (y,))


def test_cov_errors() -> None:
    with pytest.raises(RuntimeError, match="fweights to have integral dtype"):
        mt.cov(mt.ones(2, 3), fweights=mt.ones(3))
    with pytest.raises(RuntimeError, match="same numel"):
        mt.cov(mt.ones(2, 3), aweights=mt.ones(4))
    with pytest.raises(RuntimeError, match="two or fewer dimensions"):
        mt.cov(mt.ones(2, 3, 4))


# ---------------------------------------------------------------- 5. axis= alias -----------------
AXIS_OPS = ["sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "std", "var", "any", "all",
            "cumsum", "logsumexp", "squeeze", "unsqueeze", "nansum", "nanmean", "median", "nanmedian",
            "count_nonzero", "softmax", "log_softmax", "unbind", "sort", "argsort", "mode", "var_mean", "std_mean"]


@pytest.mark.parametrize("name", AXIS_OPS)
def test_axis_alias_functions_and_methods(name) -> None:
    a = np.random.default_rng(0).permutation(24).reshape(2, 3, 4).astype(np.float32)
    t, m = _both(lambda L: getattr(L, name)(L.tensor(a), axis=1))
    _same(t, m, exact_dtype=False)
    if hasattr(torch.Tensor, name):
        t, m = _both(lambda L: getattr(L.tensor(a), name)(axis=-1))
        _same(t, m, exact_dtype=False)


def test_axis_alias_with_extra_arguments() -> None:
    a = np.random.default_rng(0).permutation(24).reshape(2, 3, 4).astype(np.float32)
    for fn in [lambda L, x: L.topk(x, 2, axis=1), lambda L, x: L.chunk(x, 2, axis=2),
               lambda L, x: L.narrow(x, axis=2, start=1, length=2), lambda L, x: L.kthvalue(x, 2, axis=0),
               lambda L, x: L.quantile(x, 0.25, axis=2), lambda L, x: L.cat([x, x], axis=1),
               lambda L, x: L.concat([x, x], axis=-1), lambda L, x: L.concatenate([x, x], axis=0),
               lambda L, x: L.stack([x, x], axis=2), lambda L, x: x.sum(axis=(0, 2), keepdim=True)]:
        t, m = _both(lambda L, fn=fn: fn(L, L.tensor(a)))
        _same(t, m, exact_dtype=False)


# ---------------------------------------------------------------- 6. in-place into expand() ------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("write", ["add_", "iadd", "mul_", "copy_", "setitem_row", "setitem_col", "setitem_elem",
                                   "clamp_", "row_add_"])
@pytest.mark.parametrize("base_shape", [(3, 1), (1,), (1, 4)])
def test_inplace_on_expanded_raises_like_torch(device, write, base_shape) -> None:
    """torch refuses a write whose target has elements sharing memory; a write into a region without
    overlap (one row of a row-expanded tensor, one element) is allowed."""
    ops = {
        "add_": lambda L, e: e.add_(1), "mul_": lambda L, e: e.mul_(2), "clamp_": lambda L, e: e.clamp_(0, 1),
        "iadd": lambda L, e: e.__iadd__(1), "copy_": lambda L, e: e.copy_(L.ones(3, 4, device=e.device)),
        "setitem_row": lambda L, e: e.__setitem__(0, 1.0),
        "setitem_col": lambda L, e: e.__setitem__((slice(None), 0), 1.0),
        "setitem_elem": lambda L, e: e.__setitem__((1, 2), 1.0), "row_add_": lambda L, e: e[1].add_(1),
    }
    raised = []
    for L in (torch, mt):
        base = L.zeros(*base_shape, device=_dev(L, device))
        try:
            ops[write](L, base.expand(3, 4))
            raised.append(None)
        except RuntimeError as e:
            raised.append(str(e))
            assert float(base.sum()) == 0.0
        e = base.expand(3, 4).clone()  # after clone() it works
        ops[write](L, e)
    assert (raised[0] is None) == (raised[1] is None), f"torch: {raised[0]!r}, minitorch: {raised[1]!r}"
    if raised[0] is not None:
        assert "more than one element of the written-to tensor refers to a single memory location. Please clone" in \
            raised[1]


def test_inplace_on_ordinary_views_still_writes_through() -> None:
    x = mt.zeros(3)
    x.unsqueeze(1).add_(1)  # a new axis has stride 0 but size 1: no overlap
    y = mt.zeros(2, 3)
    y[:, None].mul_(2)
    y.t()[1].add_(5)
    assert x.tolist() == [1.0, 1.0, 1.0] and y.tolist() == [[0.0, 5.0, 0.0], [0.0, 5.0, 0.0]]
    z = mt.zeros(1).expand(3, 4)
    z.fill_(2)  # torch allows fill_/zero_ on an expanded tensor
    assert z.tolist() == [[2.0] * 4] * 3


# ---------------------------------------------------------------- 7. view() of non-viewable memory
def test_view_of_conv_output_works_and_transposed_view_copies() -> None:
    """The decided rule (README Differences): view() never raises for a memory layout; where NumPy cannot
    view, it returns a copy as reshape() does (conv/pool outputs are channels-last views, so a stride rule
    would raise on ``conv(x).view(N, -1)``, which works in torch)."""
    x = mt.randn(2, 3, 5, 5)
    y = mt.nn.functional.conv2d(x, mt.randn(4, 3, 3, 3))
    flat = y.view(2, -1)
    assert_close(flat, torch.tensor(y.numpy()).reshape(2, -1))
    a = mt.arange(6.0).reshape(2, 3)
    assert a.t().view(-1).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        torch.arange(6.0).reshape(2, 3).t().view(-1)


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16"])
@pytest.mark.parametrize("op", ["add", "radd", "sub", "rsub", "mul"])
def test_python_int_outside_the_dtype_range_wraps_like_torch(op, dtype):
    """torch computes small-int arithmetic modulo 2**bits: uint8 200 + 300 is 244 (NumPy 2 raises OverflowError)."""
    fns = {"add": lambda t: t + 300, "radd": lambda t: 300 + t, "sub": lambda t: t - 300,
           "rsub": lambda t: 1000 - t, "mul": lambda t: t * 300}
    values = [200, 100, 7] if dtype == "uint8" else [100, -3, 7]
    expected = fns[op](torch.tensor(values, dtype=getattr(torch, dtype)))
    got = fns[op](mt.tensor(values, dtype=getattr(mt, dtype)))
    assert got.dtype == getattr(mt, dtype)
    assert got.tolist() == expected.tolist()


def test_range_indexes_like_a_list():
    """`input[range(n), target]` (the "What is torch.nn really?" nll) reads and writes as in torch."""
    for lib in (torch, mt):
        x = lib.arange(12.0).view(3, 4)
        assert x[range(3), lib.tensor([0, 1, 2])].tolist() == [0.0, 5.0, 10.0]
        assert tuple(x[:, range(2)].shape) == (3, 2)
        x[range(2)] = 0.0
        assert x.sum().item() == 38.0


def test_deprecated_scalar_first_overloads_of_add_sub_addcmul_addcdiv():
    """Old tutorials' `p.data.add_(-lr, grad)`: torch accepts it (warning once per process); minitorch warns."""
    import warnings

    results = []
    for lib in (torch, mt):
        x, g = lib.ones(3), lib.full((3,), 2.0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            row = [x.add(-0.1, g), lib.add(x, -0.1, g), x.sub(0.1, g)]
            y = lib.ones(3)
            y.add_(-0.1, g)
        if lib is mt:
            assert sum("deprecated" in str(w.message) for w in caught) == 4
        row += [lib.addcmul(x, 0.5, g, g), x.addcdiv(-0.5, g, g)]
        y.addcmul_(0.5, g, g)
        results.append([t.tolist() for t in row] + [y.tolist()])
    np.testing.assert_allclose(np.array(results[1]), np.array(results[0]), rtol=1e-6)


def test_zero_to_a_negative_power_is_silent_like_torch():
    import warnings

    z = mt.tensor([0.0, 4.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert z.pow(-0.5).tolist() == [float("inf"), 0.5]
        assert z.reciprocal().tolist() == [float("inf"), 0.25]


@pytest.mark.parametrize("name,call", [
    ("max", lambda L, x: x.max(1)), ("min", lambda L, x: L.min(x, 0)), ("sort", lambda L, x: x.sort()),
    ("topk", lambda L, x: x.topk(1)), ("kthvalue", lambda L, x: x.kthvalue(1)), ("median", lambda L, x: x.median(1)),
    ("mode", lambda L, x: x.mode(1)), ("cummax", lambda L, x: x.cummax(1)), ("aminmax", lambda L, x: L.aminmax(x)),
])
def test_multi_result_ops_return_torch_return_types(name, call):
    """`torch.return_types.max(values=..., indices=...)`: same class name, fields and printed form as torch."""
    data = [[1.0, 5.0], [3.0, 2.0]]
    t, m = call(torch, torch.tensor(data)), call(mt, mt.tensor(data))
    assert type(m).__name__ == type(t).__name__ == name
    assert isinstance(m, getattr(mt.return_types, name)) and isinstance(m, tuple)
    assert repr(m) == repr(t)


def test_flip_takes_dims_as_separate_arguments_like_torch():
    x = np.arange(24.0).reshape(2, 3, 4)
    expected = torch.tensor(x).flip(1, 2)
    t = mt.tensor(x)
    for got in (t.flip(1, 2), t.flip((1, 2)), t.flip(dims=[1, 2]), mt.flip(t, [1, 2])):
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


@pytest.mark.parametrize("op", ["sum", "mean", "amax", "prod", "std", "logsumexp", "max"])
def test_an_int_in_keepdim_position_raises_like_torch(op):
    """x.sum(1, 2) (meant: dims 1 and 2) must not reduce dim 1 with keepdim=True silently."""
    for lib in (torch, mt):
        with pytest.raises(TypeError):
            getattr(lib.ones(2, 3, 4), op)(1, 2)


def test_resize_like_torch():
    for lib in (torch, mt):
        x = lib.arange(6.0).reshape(2, 3)
        assert x.resize_(4) is x and x.tolist() == [0.0, 1.0, 2.0, 3.0]
        z = lib.arange(4.0)
        z.resize_(2, 2)
        assert z.tolist() == [[0.0, 1.0], [2.0, 3.0]]
        assert tuple(z.resize_(3, 3).shape) == (3, 3) and z.reshape(-1)[:4].tolist() == [0.0, 1.0, 2.0, 3.0]
        with pytest.raises(RuntimeError, match="require grad"):
            lib.ones(2, requires_grad=True).resize_(3)


def test_cross_entropy_with_every_target_ignored_is_a_silent_nan():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = mt.nn.functional.cross_entropy(mt.zeros(1, 3), mt.tensor([255]), ignore_index=255)
    assert np.isnan(loss.item())
