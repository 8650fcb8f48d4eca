"""The backward engine: graph shapes, hooks, retain_graph, errors, grad mode, autograd.grad,
higher-order gradients and user-defined Functions, each compared with torch."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from minitorch.autograd import Function

from .helpers import assert_close, require_torch, to_mt, to_torch

torch = require_torch()


def _pair(*shape, seed=0, lo=-2.0, hi=2.0, dtype=np.float32):
    arr = np.random.default_rng(seed).uniform(lo, hi, shape).astype(dtype)
    return minitorch.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)


# ---------------------------------------------------------------- graph shapes --------------------
def test_diamond_graph_sums_both_paths():
    def f(L, x):
        h = x.tanh()
        a, b = h * 2, h.exp()
        return (a * b + a.sin()).sum()

    m, t = _pair(3, 4)
    f(minitorch, m).backward()
    f(torch, t).backward()
    assert_close(m.grad, t.grad)


def test_shared_leaf_used_many_times():
    def f(x, y):
        return (x * y + x * x - y / (x * x + 1) + x).sum()

    mx, tx = _pair(5, seed=1)
    my, ty = _pair(5, seed=2)
    f(mx, my).backward()
    f(tx, ty).backward()
    assert_close(mx.grad, tx.grad)
    assert_close(my.grad, ty.grad)


def test_reused_non_leaf_and_multiple_roots():
    def f(x):
        h = x.sigmoid() * 3
        return (h * h).sum(), (h.log()).mean()

    m, t = _pair(4, 2, seed=3)
    minitorch.autograd.backward(list(f(m)))
    torch.autograd.backward(list(f(t)))
    assert_close(m.grad, t.grad)


def test_node_runs_once_after_all_its_gradients_arrived():
    calls = []

    class Count(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            calls.append(g.detach().numpy().copy())
            return g

    x = minitorch.ones(3, requires_grad=True)
    h = Count.apply(x)
    (h * 2 + h * 3 + h.sum()).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], [8.0, 8.0, 8.0])


def test_chain_of_10000_ops_backprops_without_recursion_error():
    x = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(2, 1.0001**10_000, dtype=np.float32), rtol=1e-3)


def test_gradient_accumulates_across_two_backward_calls():
    m, t = _pair(3)
    for x in (m, t):
        (x * x).sum().backward()
        (x.exp()).sum().backward()
    assert_close(m.grad, t.grad)


def test_leaf_grad_is_not_aliased_to_upstream_gradient():
    x = minitorch.ones(3, requires_grad=True)
    g = minitorch.tensor([1.0, 2.0, 3.0])
    (x + 0).backward(g)
    x.grad.array += 1  # must not change g
    np.testing.assert_array_equal(g.numpy(), [1.0, 2.0, 3.0])
    y = minitorch.ones(3, requires_grad=True)
    y.backward(g)  # a leaf root: .grad is a copy of the seed
    y.grad.array *= 0
    np.testing.assert_array_equal(g.numpy(), [1.0, 2.0, 3.0])


def test_grad_keeps_float32_and_float64():
    for dt in (minitorch.float32, minitorch.float64):
        x = minitorch.ones(2, 3, dtype=dt, requires_grad=True)
        (x * 2.5).sum().backward()
        assert x.grad.dtype == dt


def test_int_outputs_do_not_require_grad():
    x = minitorch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    v, i = x.max(0)
    assert v.requires_grad and not i.requires_grad
    assert not x.argmax().requires_grad
    assert not (x > 1).requires_grad


# ---------------------------------------------------------------- hooks, retain_grad -------------
def test_tensor_hooks_on_leaf_and_non_leaf_can_replace_grad():
    seen = {}
    mx, tx = _pair(3, seed=4)
    def record(key):
        def hook(g):
            seen[key] = g.detach().numpy().copy()  # returns None: the gradient is unchanged

        return hook

    for name, x in (("mt", mx), ("th", tx)):
        h = x * 2
        h.register_hook(record(name + "_h"))
        h.register_hook(lambda g: g * 10)
        x.register_hook(record(name + "_x"))
        (h * h).sum().backward()
    np.testing.assert_allclose(seen["mt_h"], seen["th_h"], rtol=1e-6)
    np.testing.assert_allclose(seen["mt_x"], seen["th_x"], rtol=1e-6)
    assert_close(mx.grad, tx.grad)


def test_hook_handle_remove():
    x = minitorch.ones(2, requires_grad=True)
    handle = x.register_hook(lambda g: g * 100)
    handle.remove()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_hook_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError):
        torch.ones(2).register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minitorch.ones(2).register_hook(lambda g: g)


def test_retain_grad_on_non_leaf():
    mx, tx = _pair(2, 3, seed=5)
    res = {}
    for name, x in (("mt", mx), ("th", tx)):
        h = x.exp()
        h.retain_grad()
        u = h * 3
        (u.sin()).sum().backward()
        res[name] = h
        assert h.retains_grad
    assert_close(res["mt"].grad, res["th"].grad)


def test_non_leaf_grad_is_none_without_retain_grad():
    x = minitorch.ones(2, requires_grad=True)
    h = x * 2
    h.sum().backward()
    assert h.grad is None
    assert x.grad is not None


def test_post_accumulate_grad_hook():
    x = minitorch.ones(2, requires_grad=True)
    got = []
    x.register_post_accumulate_grad_hook(lambda p: got.append(p.grad.numpy().copy()))
    (x * 4).sum().backward()
    np.testing.assert_array_equal(got[0], [4.0, 4.0])


# ---------------------------------------------------------------- retain_graph, freed graphs ------
def test_retain_graph_allows_second_backward():
    mx, tx = _pair(3, seed=6)
    for x in (mx, tx):
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()
    assert_close(mx.grad, tx.grad)


@pytest.mark.parametrize("make", [
    lambda L, x: (x.exp() * x).sum(),
    lambda L, x: (x * x).sigmoid().sum(),
    lambda L, x: (x.tanh() / 3).sum(),
])
def test_second_backward_through_freed_graph_raises_like_torch(make):
    mx, tx = _pair(3, seed=7)
    ty = make(torch, tx)
    ty.backward()
    with pytest.raises(RuntimeError) as th_err:
        ty.backward()
    my = make(minitorch, mx)
    my.backward()
    with pytest.raises(type(th_err.value), match="second time"):
        my.backward()


def test_backward_on_non_scalar_without_gradient_raises():
    with pytest.raises(RuntimeError):
        (torch.ones(3, requires_grad=True) * 2).backward()
    with pytest.raises(RuntimeError, match=r"scalar outputs.*\[3\]"):
        (minitorch.ones(3, requires_grad=True) * 2).backward()


def test_backward_with_gradient_of_wrong_shape_raises():
    with pytest.raises(RuntimeError):
        (torch.ones(3, requires_grad=True) * 2).backward(torch.ones(4))
    with pytest.raises(RuntimeError, match="shape"):
        (minitorch.ones(3, requires_grad=True) * 2).backward(minitorch.ones(4))


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError):
        torch.ones(()).backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        minitorch.ones(()).backward()


def test_non_scalar_backward_with_gradient_matches_torch():
    mx, tx = _pair(2, 3, seed=8)
    g = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    (mx.sin() * mx).backward(minitorch.tensor(g))
    (tx.sin() * tx).backward(torch.tensor(g))
    assert_close(mx.grad, tx.grad)


# ---------------------------------------------------------------- in-place and versions ----------
def test_inplace_on_saved_tensor_raises_like_torch():
    tx = torch.ones(3, requires_grad=True)
    th = tx * 2
    ty = (th * th).sum()
    th.add_(1)
    with pytest.raises(RuntimeError) as th_err:
        ty.backward()
    mx = minitorch.ones(3, requires_grad=True)
    mh = mx * 2
    my = (mh * mh).sum()
    mh.add_(1)
    with pytest.raises(type(th_err.value), match="modified by an inplace operation"):
        my.backward()


def test_inplace_on_saved_output_raises():
    x = minitorch.ones(3, requires_grad=True)
    y = x.exp()
    z = y.sum()
    y.mul_(2)
    with pytest.raises(RuntimeError, match="inplace"):
        z.backward()


def test_setitem_on_saved_tensor_raises():
    x = minitorch.ones(3, requires_grad=True)
    h = x * 1
    z = (h * h).sum()
    h[0] = 5.0
    with pytest.raises(RuntimeError, match="inplace"):
        z.backward()


def test_inplace_on_leaf_requiring_grad_raises_like_torch():
    with pytest.raises(RuntimeError):
        torch.ones(2, requires_grad=True).add_(1)
    for op in (lambda x: x.add_(1), lambda x: x.mul_(2), lambda x: x.zero_(), lambda x: x.fill_(3.0),
               lambda x: x.clamp_(0, 1), lambda x: x.copy_(minitorch.zeros(2)), lambda x: x.sub_(1),
               lambda x: x.div_(2)):
        with pytest.raises(RuntimeError, match="leaf"):
            op(minitorch.ones(2, requires_grad=True))


def test_inplace_on_leaf_is_fine_under_no_grad():
    x = minitorch.ones(2, requires_grad=True)
    with minitorch.no_grad():
        x.add_(1)
        x.mul_(3)
    np.testing.assert_array_equal(x.numpy(force=True), [6.0, 6.0])
    assert x.is_leaf and x.requires_grad


@pytest.mark.parametrize("name,args", [
    ("add_", (2.0,)), ("sub_", (0.5,)), ("mul_", (3.0,)), ("div_", (4.0,)), ("clamp_", (-0.5, 0.5)),
])
def test_inplace_ops_on_non_leaf_are_differentiable_like_torch(name, args):
    mx, tx = _pair(4, seed=9)
    res = []
    for x in (mx, tx):
        h = x * 1.5
        getattr(h, name)(*args)
        (h * x).sum().backward()
        res.append(h)
    assert_close(res[0], res[1])
    assert_close(mx.grad, tx.grad)


def test_inplace_zero_fill_copy_and_versions():
    for L in (minitorch, torch):
        x = L.ones(3)
        v0 = x._version
        x.zero_()
        x.fill_(2.0)
        x.copy_(L.tensor([1.0, 2.0, 3.0]))
        assert x._version == v0 + 3
        assert x.tolist() == [1.0, 2.0, 3.0]


def test_copy_into_non_leaf_gradient_flows_to_source():
    ms, ts = _pair(3, seed=10)
    for L, s in ((minitorch, ms), (torch, ts)):
        h = L.zeros(3, requires_grad=True) * 1
        h.copy_(s * 2)
        (h * h).sum().backward()
    assert_close(ms.grad, ts.grad)


# ---------------------------------------------------------------- grad mode ----------------------
def test_no_grad_enable_grad_set_grad_enabled_as_context_managers():
    x = minitorch.ones(2, requires_grad=True)
    with minitorch.no_grad():
        assert not minitorch.is_grad_enabled()
        y = x * 2
        with minitorch.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad
    with minitorch.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minitorch.is_grad_enabled()
    with minitorch.set_grad_enabled(True):
        assert (x * 2).requires_grad


def test_grad_mode_as_decorators_and_restored_after_exceptions():
    x = minitorch.ones(2, requires_grad=True)

    @minitorch.no_grad()
    def f(t):
        return t * 2

    @minitorch.enable_grad()
    def g(t):
        return t * 2

    @minitorch.set_grad_enabled(False)
    def h(t):
        return t * 2

    assert minitorch.is_grad_enabled()
    assert not f(x).requires_grad
    assert not h(x).requires_grad
    with minitorch.no_grad():
        assert g(x).requires_grad
    assert minitorch.is_grad_enabled()
    with pytest.raises(ValueError):
        with minitorch.no_grad():
            raise ValueError("boom")
    assert minitorch.is_grad_enabled()


def test_set_grad_enabled_as_plain_call():
    minitorch.set_grad_enabled(False)
    try:
        assert not minitorch.is_grad_enabled()
    finally:
        minitorch.set_grad_enabled(True)
    assert minitorch.is_grad_enabled()


def test_no_grad_decorator_without_parentheses_like_torch():
    @torch.no_grad
    def tf(t):
        return t * 2

    @minitorch.no_grad
    def mf(t):
        return t * 2

    assert not tf(torch.ones(1, requires_grad=True)).requires_grad
    assert not mf(minitorch.ones(1, requires_grad=True)).requires_grad


# ---------------------------------------------------------------- autograd.grad -------------------
def test_autograd_grad_with_grad_outputs_does_not_touch_dot_grad():
    mx, tx = _pair(2, 3, seed=11)
    v = np.random.default_rng(2).standard_normal((2, 3)).astype(np.float32)
    (mg,) = minitorch.autograd.grad(mx.exp() * mx, mx, grad_outputs=minitorch.tensor(v))
    (tg,) = torch.autograd.grad(tx.exp() * tx, tx, grad_outputs=torch.tensor(v))
    assert_close(mg, tg)
    assert mx.grad is None


def test_autograd_grad_multiple_inputs_and_non_leaf_input():
    mx, tx = _pair(3, seed=12)
    out = {}
    for name, L, x in (("mt", minitorch, mx), ("th", torch, tx)):
        h = x.sin()
        y = (h * x).sum()
        out[name] = L.autograd.grad(y, [x, h])
    for a, b in zip(out["mt"], out["th"]):
        assert_close(a, b)


def test_autograd_grad_allow_unused():
    x = minitorch.ones(2, requires_grad=True)
    u = minitorch.ones(2, requires_grad=True)
    y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        minitorch.autograd.grad(y, [x, u], retain_graph=True)
    gx, gu = minitorch.autograd.grad(y, [x, u], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(gx.numpy(), [2.0, 2.0])


def test_autograd_grad_retain_graph():
    x = minitorch.ones(2, requires_grad=True)
    y = (x.exp()).sum()
    minitorch.autograd.grad(y, x, retain_graph=True)
    minitorch.autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="second time"):
        minitorch.autograd.grad(y, x)


def test_autograd_grad_of_input_without_grad_raises():
    x = minitorch.ones(2, requires_grad=True)
    c = minitorch.ones(2)
    with pytest.raises(RuntimeError):
        torch.autograd.grad((torch.ones(2, requires_grad=True) * 2).sum(), torch.ones(2))
    with pytest.raises(RuntimeError, match="does not require grad"):
        minitorch.autograd.grad((x * 2).sum(), c)


def test_autograd_grad_create_graph_gives_differentiable_grads():
    mx, tx = _pair(3, seed=13)
    res = {}
    for name, L, x in (("mt", minitorch, mx), ("th", torch, tx)):
        (g,) = L.autograd.grad((x**3).sum(), x, create_graph=True)
        assert g.requires_grad
        (g * g).sum().backward()
        res[name] = x.grad
    assert_close(res["mt"], res["th"])


@pytest.mark.parametrize("fn", [
    lambda L, x: x**3,
    lambda L, x: x.tanh(),
    lambda L, x: x.sigmoid(),
    lambda L, x: x.softmax(dim=-1),
    lambda L, x: x.log_softmax(dim=-1),
    lambda L, x: x.exp() * x.sin(),
    lambda L, x: (x * x).sum().sqrt(),
    lambda L, x: x.logsumexp(dim=0),
])
def test_second_derivative_matches_torch(fn):
    mx, tx = _pair(4, seed=14, dtype=np.float64)
    res = {}
    for name, L, x in (("mt", minitorch, mx), ("th", torch, tx)):
        y = fn(L, x)
        w = L.tensor(np.linspace(-1, 1, int(np.prod(tuple(y.shape)))).reshape(tuple(y.shape)), dtype=L.float64)
        (g,) = L.autograd.grad((y * w).sum(), x, create_graph=True)
        (h,) = L.autograd.grad((g * g.detach()).sum() + g.sum(), x, create_graph=True)
        (h3,) = L.autograd.grad(h.sum(), x, allow_unused=True)
        res[name] = (g, h, h3)
    for a, b in zip(res["mt"], res["th"]):
        if b is None:
            assert a is None or np.allclose(a.numpy(), 0)
        else:
            assert_close(a, b, rtol=1e-9, atol=1e-10)


def test_d2_dx2_of_cube_is_6x():
    x = minitorch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (g,) = minitorch.autograd.grad((x**3).sum(), x, create_graph=True)
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * np.array([1.0, -2.0, 0.5]), rtol=1e-6)


def test_backward_create_graph_then_grad_of_grad():
    mx, tx = _pair(3, seed=15)
    res = {}
    for name, x in (("mt", mx), ("th", tx)):
        (x.sin() * x).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        x.grad = None
        g.sum().backward()
        res[name] = x.grad
    assert_close(res["mt"], res["th"])


# ---------------------------------------------------------------- user Functions ------------------
class MyCube(Function):
    @staticmethod
    def forward(ctx, x, scale):
        ctx.save_for_backward(x)
        ctx.scale = scale
        return x * x * x * scale

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x * ctx.scale, None


class MySplit(Function):
    """Two outputs; the second one marked non-differentiable."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        idx = x.argmax().to(x.dtype)  # a float output that still gets no gradient
        ctx.mark_non_differentiable(idx)
        return x.exp(), x * 2, idx

    @staticmethod
    def backward(ctx, g_exp, g_double, g_idx):
        (x,) = ctx.saved_tensors
        return g_exp * x.exp() + g_double * 2


class NeedsGrad(Function):
    seen = None

    @staticmethod
    def forward(ctx, a, b):
        NeedsGrad.seen = ctx.needs_input_grad
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g, g


def test_custom_function_like_torch():
    class TorchCube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * x * x * scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x * ctx.scale, None

    mx, tx = _pair(3, seed=16)
    my, ty = MyCube.apply(mx, 2.0), TorchCube.apply(tx, 2.0)
    assert_close(my, ty)
    assert my.grad_fn is not None and not my.is_leaf
    my.sum().backward()
    ty.sum().backward()
    assert_close(mx.grad, tx.grad)


def test_custom_function_gradcheck_and_multiple_outputs():
    x = minitorch.tensor(np.random.default_rng(3).standard_normal(4), requires_grad=True)
    assert minitorch.autograd.gradcheck(lambda t: MyCube.apply(t, 1.5), (x,))
    e, d, idx = MySplit.apply(x)
    assert e.requires_grad and d.requires_grad and not idx.requires_grad
    (e.sum() + d.sum()).backward()
    assert_close(x.grad, np.exp(x.detach().numpy()) + 2)


def test_custom_function_one_unused_output_gets_zero_grad():
    x = minitorch.tensor([0.5, -1.0], requires_grad=True)
    e, _, _ = MySplit.apply(x)
    e.sum().backward()
    assert_close(x.grad, np.exp(x.detach().numpy()))  # g_double materialized as zeros


def test_needs_input_grad():
    a = minitorch.ones(2, requires_grad=True)
    b = minitorch.ones(2)
    NeedsGrad.apply(a, b)
    assert NeedsGrad.seen == (True, False)
    NeedsGrad.apply(b, a)
    assert NeedsGrad.seen == (False, True)


def test_custom_function_wrong_gradient_shape_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()

    with pytest.raises(RuntimeError, match="invalid gradient"):
        Bad.apply(minitorch.ones(3, requires_grad=True)).sum().backward()


def test_custom_function_wrong_number_of_gradients_raises():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    a, b = minitorch.ones(3, requires_grad=True), minitorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(a, b).sum().backward()


def test_custom_function_forward_records_no_graph():
    class Inner(Function):
        @staticmethod
        def forward(ctx, x):
            y = x * 2
            assert not y.requires_grad
            return y

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = minitorch.ones(2, requires_grad=True)
    Inner.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0])


# ---------------------------------------------------------------- leaves, detach -----------------
def test_requires_grad_detach_is_leaf_semantics_like_torch():
    for L in (minitorch, torch):
        x = L.ones(2)
        assert x.is_leaf and not x.requires_grad and x.grad_fn is None
        assert x.requires_grad_() is x and x.requires_grad
        y = x * 2
        assert not y.is_leaf and y.grad_fn is not None
        d = y.detach()
        assert d.is_leaf and not d.requires_grad
        z = (x * 2).detach().requires_grad_()
        assert z.is_leaf and z.requires_grad
        with pytest.raises(RuntimeError):
            y.requires_grad_(False)
        x.requires_grad = False
        assert not x.requires_grad
        with pytest.raises(RuntimeError):
            L.tensor([1, 2]).requires_grad_()


def test_detach_shares_memory():
    x = minitorch.ones(3, requires_grad=True)
    d = x.detach()
    d[0] = 7.0
    assert x.tolist()[0] == 7.0


def test_grad_fn_names_and_next_functions():
    x = minitorch.ones(2, requires_grad=True)
    y = (x * 2).exp()
    assert "Exp" in y.grad_fn.name()
    assert "Exp" in repr(y)


def test_zero_grad_setting_none_then_reaccumulate():
    x = minitorch.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_to_mt_helper_roundtrip():
    t = torch.randn(2, 2, requires_grad=True)
    m = to_mt(t)
    assert m.requires_grad
    assert_close(m, to_torch(m))


def test_same_gradient_object_for_two_leaves_does_not_alias_their_grads():
    class Twice(Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            h = g * 2
            return h, h  # one tensor for both inputs

    a, b = minitorch.ones(2, requires_grad=True), minitorch.ones(2, requires_grad=True)
    Twice.apply(a, b).sum().backward()
    Twice.apply(a, b).sum().backward()
    assert a.grad.tolist() == [4.0, 4.0] and b.grad.tolist() == [4.0, 4.0]
    x = minitorch.ones(2, requires_grad=True)
    (x + x).sum().backward()
    (x + x).sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_leaf_hooks_run_in_autograd_grad_like_torch():
    res = []
    for L in (minitorch, torch):
        x = L.ones(2, requires_grad=True)
        x.register_hook(lambda g: g * 10)
        res.append(L.autograd.grad((x * 2).sum(), x)[0].tolist())
        res.append(L.autograd.grad(x, x, L.ones(2))[0].tolist())  # a leaf as its own output
    assert res[:2] == res[2:]
