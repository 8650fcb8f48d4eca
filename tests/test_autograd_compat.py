"""PyTorch compatibility of the autograd engine and API, each case checked against torch:
leaf hooks see the summed gradient, ``backward(inputs=...)``, autograd.functional on constant
outputs and its strategies, grad_fn names and ``next_functions``, the torch-2 Function style,
``once_differentiable``, ``Variable``, ``saved_tensors_hooks`` and ``utils.checkpoint``."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch
from minitorch.autograd import functional as MF

from .helpers import assert_close, require_torch

torch = require_torch()
TF = torch.autograd.functional


def _both(values, dtype="float64", requires_grad=True):
    m = minitorch.tensor(values, dtype=getattr(minitorch, dtype), requires_grad=requires_grad)
    t = torch.tensor(values, dtype=getattr(torch, dtype), requires_grad=requires_grad)
    return m, t


def _np(x):
    return x.detach().numpy() if hasattr(x, "detach") else np.asarray(x)


def _close(a, b, tol=1e-6):
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y, tol)
        return
    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)
    assert tuple(a.shape) == tuple(b.shape)


# ---- 1. leaf hooks: once, with the summed gradient ------------------------------------------------------
def _hook_run(lib, api):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    calls, post = [], []
    x.register_hook(lambda g: (calls.append(g.detach().numpy().copy()), g.clamp(max=1.0))[1])
    if api == "backward":
        x.register_post_accumulate_grad_hook(lambda t: post.append(t.grad.detach().numpy().copy()))
        (x * x).sum().backward()
        return calls, post, x.grad.numpy()
    (g,) = lib.autograd.grad((x * x).sum(), x)
    return calls, post, g.numpy()


@pytest.mark.parametrize("api", ["backward", "grad"])
def test_leaf_hook_fires_once_with_the_summed_gradient(api):
    m_calls, m_post, m_grad = _hook_run(minitorch, api)
    t_calls, t_post, t_grad = _hook_run(torch, api)
    assert len(m_calls) == len(t_calls) == 1
    np.testing.assert_allclose(m_calls[0], t_calls[0])  # [2, 4], not two partial [1, 2]
    np.testing.assert_allclose(m_grad, t_grad)  # clamped once: [1, 1]
    assert len(m_post) == len(t_post)
    for a, b in zip(m_post, t_post):
        np.testing.assert_allclose(a, b)


def test_leaf_hook_sums_root_seed_and_graph_contributions():
    out = {}
    for lib in (minitorch, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        x.register_hook(lambda g, seen=seen: seen.append(g.detach().numpy().copy()))
        lib.autograd.backward([x, (x * x).sum()], [lib.ones(2), None])
        out[lib] = (seen, x.grad.numpy())
    assert len(out[minitorch][0]) == len(out[torch][0]) == 1
    np.testing.assert_allclose(out[minitorch][0][0], out[torch][0][0])
    np.testing.assert_allclose(out[minitorch][1], out[torch][1])


def test_leaf_hook_over_a_deep_chain_and_repeated_backward():
    for lib in (minitorch, torch):
        x = lib.tensor([0.5, -1.0], requires_grad=True)
        n = []
        x.register_hook(lambda g, n=n: n.append(1))
        y = x
        for _ in range(3000):  # iterative engine: no recursion
            y = y * 1.0 + x * 0.0
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        assert len(n) == 2
        np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_retained_grad_accumulates_over_backward_calls_like_torch():
    res = []
    for lib in (minitorch, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        y = a * 2
        y.retain_grad()
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        res.append(y.grad.numpy())
    np.testing.assert_allclose(res[0], res[1])


# ---- 2. backward(inputs=...) ---------------------------------------------------------------------------------
def _inputs_run(lib, which):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0], requires_grad=True)
    c = a * b
    d = (c * 2).sum()
    fired = []
    other = b * 3
    other.register_hook(lambda g: fired.append(1))
    d = d + other.sum()
    target = {"a": [a], "c": [c], "ac": [a, c], "a_tensor": a}[which]
    d.backward(inputs=target)
    grads = [None if t.grad is None else t.grad.numpy().copy() for t in (a, b, c)]
    return grads, c.retains_grad, len(fired)


@pytest.mark.parametrize("which", ["a", "c", "ac", "a_tensor"])
def test_backward_inputs_accumulates_only_into_the_given_tensors(which):
    m = _inputs_run(minitorch, which)
    t = _inputs_run(torch, which)
    for gm, gt in zip(m[0], t[0]):
        assert (gm is None) == (gt is None)
        if gm is not None:
            np.testing.assert_allclose(gm, gt)
    assert m[1] == t[1]  # a non-leaf input keeps retains_grad, as in torch
    assert m[2] == t[2] == 0  # hooks off the paths to the inputs do not fire


def test_backward_inputs_errors_like_torch():
    for lib in (minitorch, torch):
        a = lib.tensor([1.0], requires_grad=True)
        with pytest.raises(RuntimeError, match="cannot be empty"):
            (a * 2).sum().backward(inputs=[])
        with pytest.raises(RuntimeError, match="retain_grad"):
            (a * 2).sum().backward(inputs=[lib.tensor([1.0])])
        e = lib.tensor([1.0], requires_grad=True)
        (a * 2).sum().backward(inputs=[e])  # not in the graph: no error, no grad
        assert e.grad is None and a.grad is None


def test_autograd_grad_only_inputs_and_signature():
    m, t = _both([1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (gm,) = minitorch.autograd.grad((m * m).sum(), m, only_inputs=True)
    with pytest.warns(FutureWarning, match="only_inputs argument is deprecated"):
        minitorch.autograd.grad((m * m).sum(), m, only_inputs=False)
    (gt,) = torch.autograd.grad((t * t).sum(), t)
    _close(gm, gt)
    with pytest.raises(ValueError, match="allow_unused"):
        minitorch.autograd.grad((m * 2).sum(), m, allow_unused=False, materialize_grads=True)


def test_autograd_grad_does_not_run_nodes_off_the_path():
    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    b = minitorch.tensor([3.0, 4.0], requires_grad=True)
    fired = []
    side = b.exp()
    side.register_hook(lambda g: fired.append(1))
    (g,) = minitorch.autograd.grad((a * 2).sum() + side.sum(), a)
    assert fired == [] and g.tolist() == [2.0, 2.0]


# ---- 3. autograd.functional --------------------------------------------------------------------------------
CONSTANT_FNS = {
    "ones": lambda lib: (lambda x: lib.ones(3, dtype=lib.float64)),
    "detached": lambda lib: (lambda x: x.detach() * 2),
}
SCALAR_FNS = {
    "constant": lambda lib: (lambda x: lib.tensor(3.0, dtype=lib.float64)),
    "detached": lambda lib: (lambda x: (x.detach() ** 2).sum()),
    "linear": lambda lib: (lambda x: x.sum()),
    "cubic": lambda lib: (lambda x: (x ** 3).sum()),
}


@pytest.mark.parametrize("name", list(CONSTANT_FNS))
def test_functional_on_outputs_independent_of_the_input_give_zeros(name):
    xm, xt = _both([1.0, 2.0], requires_grad=False)
    fm, ft = CONSTANT_FNS[name](minitorch), CONSTANT_FNS[name](torch)
    n_out = 3 if name == "ones" else 2
    vm, vt = _both([1.0] * n_out, requires_grad=False)
    um, ut = _both([1.0, 1.0], requires_grad=False)
    _close(MF.jacobian(fm, xm), TF.jacobian(ft, xt))
    _close(MF.vjp(fm, xm, vm), TF.vjp(ft, xt, vt))
    _close(MF.jvp(fm, xm, um), TF.jvp(ft, xt, ut))
    with pytest.raises(RuntimeError, match="does not require gradients"):
        MF.jacobian(fm, xm, strict=True)


@pytest.mark.parametrize("name", list(SCALAR_FNS))
def test_functional_second_order_matches_torch(name):
    xm, xt = _both([1.0, 2.0], requires_grad=False)
    vm, vt = _both([0.5, -1.0], requires_grad=False)
    fm, ft = SCALAR_FNS[name](minitorch), SCALAR_FNS[name](torch)
    _close(MF.hessian(fm, xm), TF.hessian(ft, xt))
    _close(MF.hvp(fm, xm, vm), TF.hvp(ft, xt, vt))
    _close(MF.vhp(fm, xm, vm), TF.vhp(ft, xt, vt))


@pytest.mark.parametrize("fname", ["hvp", "vhp", "hessian"])
def test_second_order_of_a_non_scalar_function_raises_torchs_error(fname):
    xm, xt = _both([1.0, 2.0], requires_grad=False)
    args_m = (lambda x: x ** 2, xm) + (() if fname == "hessian" else (xm,))
    args_t = (lambda x: x ** 2, xt) + (() if fname == "hessian" else (xt,))
    with pytest.raises(RuntimeError) as em:
        getattr(MF, fname)(*args_m)
    with pytest.raises(RuntimeError) as et:
        getattr(TF, fname)(*args_t)
    assert str(em.value) == str(et.value)


def test_strict_mode_messages_match_torch():
    xm, xt = _both([1.0, 2.0], requires_grad=False)
    cases = [
        ("hvp", lambda lib: (lambda x: x.sum()), True),
        ("hessian", lambda lib: (lambda x: x.sum()), False),
        ("vjp", lambda lib: (lambda x: lib.ones(3)), True),
    ]
    for fname, make, with_v in cases:
        msgs = []
        for lib, F, x in ((minitorch, MF, xm), (torch, TF, xt)):
            args = (make(lib), x) + ((lib.ones(3 if fname == "vjp" else 2, dtype=lib.float64),) if with_v else ())
            with pytest.raises(RuntimeError) as e:
                getattr(F, fname)(*args, strict=True)
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


def test_jacobian_strategies():
    xm, xt = _both([[1.0, 2.0, 3.0]], requires_grad=False)

    def f(lib):
        return lambda x: (x.sin() * x[:, :2].sum()).exp()

    ref = TF.jacobian(f(torch), xt)
    _close(MF.jacobian(f(minitorch), xm, strategy="forward-mode", vectorize=True), ref)
    _close(MF.jacobian(f(minitorch), xm, vectorize=True), ref)
    with pytest.raises(NotImplementedError, match="vectorize=True"):
        MF.jacobian(f(minitorch), xm, strategy="forward-mode")
    with pytest.raises(AssertionError, match="forward-mode"):
        MF.jacobian(f(minitorch), xm, strategy="sideways")

    def g(lib):
        return lambda x: (x ** 3).sum() + x.prod()

    ref_h = TF.hessian(g(torch), xt)
    _close(MF.hessian(g(minitorch), xm, outer_jacobian_strategy="forward-mode", vectorize=True), ref_h)
    with pytest.raises(NotImplementedError):
        MF.hessian(g(minitorch), xm, outer_jacobian_strategy="forward-mode")


def test_jacobian_of_tuple_inputs_and_outputs_with_an_unused_input():
    (am, at), (bm, bt) = _both([1.0, 2.0], requires_grad=False), _both([3.0], requires_grad=False)

    def f(lib):
        return lambda a, b: (a * 2, a.sum().reshape(1) * 0 + 1)

    _close(MF.jacobian(f(minitorch), (am, bm)), TF.jacobian(f(torch), (at, bt)))


# ---- 4. grad_fn names and next_functions -----------------------------------------------------------------
def _structure(fn, depth=2):
    if fn is None:
        return None
    if depth == 0:
        return fn.name()
    if hasattr(fn, "variable"):
        return ("leaf", tuple(fn.variable.shape))
    nexts = list(fn.next_functions)
    while nexts and nexts[-1] == (None, 0):  # minitorch lists non-Tensor args (dim, keepdim) too
        nexts.pop()
    return (fn.name(), tuple((_structure(f, depth - 1), i) for f, i in nexts))


@pytest.mark.parametrize("build", [
    lambda lib, a, b: a * b + 3,
    lambda lib, a, b: (a * lib.tensor([1.0, 2.0], dtype=a.dtype)).exp(),
    lambda lib, a, b: (a - b).sum(),
    lambda lib, a, b: lib.tanh(a) / b,
])
def test_grad_fn_names_and_next_functions_match_torch(build):
    am, at = _both([1.0, 2.0])
    bm, bt = _both([3.0, 4.0])
    sm, st = _structure(build(minitorch, am, bm).grad_fn), _structure(build(torch, at, bt).grad_fn)
    assert sm == st


def test_accumulate_grad_node_and_reprs():
    a = minitorch.tensor([1.0, 2.0], requires_grad=True)
    y = a * 2
    acc = y.grad_fn.next_functions[0][0]
    assert acc.variable is a and acc.next_functions == ()
    assert acc.name() == "torch::autograd::AccumulateGrad"
    assert (a * 3).grad_fn.next_functions[0][0] is acc  # one node per leaf while held
    assert y.grad_fn.name() == "MulBackward0" and repr(y.grad_fn).startswith("<MulBackward0 object at 0x")
    assert "grad_fn=<MulBackward0>" in repr(y)

    class Double(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    assert Double.apply(a).grad_fn.name() == "DoubleBackward"  # user Functions: no overload index


def test_anomaly_message_uses_the_torch_name():
    x = minitorch.tensor([0.0, 1.0], requires_grad=True)
    with minitorch.autograd.detect_anomaly(), pytest.raises(RuntimeError, match="'SqrtBackward0'"):
        (x.sqrt() * 0).sum().backward()


# ---- 5. Function styles, once_differentiable, Variable, saved_tensors_hooks --------------------------------
def _cube_class(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x ** k

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, k = inputs
            assert isinstance(ctx, lib.autograd.function.FunctionCtx)
            ctx.save_for_backward(x)
            ctx.k = k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ctx.k * x ** (ctx.k - 1), None

    return Cube


def test_setup_context_style_function_matches_torch():
    xm, xt = _both([1.0, -2.0, 0.5])
    ym, yt = _cube_class(minitorch).apply(xm, 3), _cube_class(torch).apply(xt, 3)
    _close(ym, yt)
    ym.sum().backward()
    yt.sum().backward()
    _close(xm.grad, xt.grad)
    with minitorch.no_grad():
        _close(_cube_class(minitorch).apply(xm, 2), xt.detach() ** 2)
    assert minitorch.autograd.gradcheck(lambda x: _cube_class(minitorch).apply(x, 3), (xm.detach().requires_grad_(),))


def _once_class(lib):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert not lib.is_grad_enabled()
            return 2 * x * g

    return Square


def test_once_differentiable_first_order_and_double_backward_error():
    results = []
    for lib, x in zip((minitorch, torch), _both([1.0, 2.0])):
        sq = _once_class(lib)
        (g,) = lib.autograd.grad(sq.apply(x).sum(), x, create_graph=True)
        assert not g.requires_grad  # the upstream grad needs no grad: nothing to differentiate
        y = sq.apply(x)
        (g2,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)  # upstream grad 2y needs grad
        assert g2.requires_grad
        with pytest.raises(RuntimeError, match="marked with @once_differentiable"):
            g2.sum().backward()
        results.append(g.detach().numpy())
    np.testing.assert_allclose(results[0], results[1])


def test_variable_is_a_detached_tensor_and_every_tensor_is_a_variable():
    from minitorch.autograd import Variable

    t = minitorch.tensor([1.0, 2.0])
    v = Variable(t, requires_grad=True)
    assert v is not t and v.requires_grad and not t.requires_grad
    assert v.data_ptr() == t.data_ptr()
    assert isinstance(t, Variable) and isinstance(v, minitorch.Tensor)
    w = Variable(v * 2)
    assert w.grad_fn is None and not w.requires_grad
    with pytest.raises(TypeError, match="Variable data has to be a tensor"):
        Variable([1.0, 2.0])
    assert isinstance(torch.tensor([1.0]), torch.autograd.Variable)  # the torch behaviour mirrored


def _hooks_log(lib):
    from_graph = lib.autograd.graph
    log = []

    def pack(t):
        log.append("pack")
        return t * 1

    def unpack(t):
        log.append("unpack")
        return t

    x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
    with from_graph.saved_tensors_hooks(pack, unpack):
        y = _cube_class(lib).apply(x, 3)
        z = x * x
    n_pack = log.count("pack")
    y.sum().backward()
    z.sum().backward()
    return n_pack, log.count("unpack"), x.grad.numpy()


def test_saved_tensors_hooks_pack_and_unpack_like_torch():
    m, t = _hooks_log(minitorch), _hooks_log(torch)
    assert m[0] == t[0] == 3  # Cube saves x; x * x saves x twice
    assert m[1] == t[1] == 3
    np.testing.assert_allclose(m[2], t[2])


def test_saved_tensors_hooks_keep_double_backward_connected():
    x = minitorch.tensor([1.0, 2.0], dtype=minitorch.float64, requires_grad=True)
    xt = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    for lib, v in ((minitorch, x), (torch, xt)):
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t.detach().clone(), lambda t: t):
            y = (v * v * v).sum()
        (g,) = lib.autograd.grad(y, v, create_graph=True)
        g.sum().backward()
    _close(x.grad, xt.grad)


def test_save_on_cpu_gives_the_same_gradients():
    xm, xt = _both([0.3, -1.2, 2.0])
    with minitorch.autograd.graph.save_on_cpu():
        y = (xm.sin() * xm).sum()
    y.backward()
    (xt.sin() * xt).sum().backward()
    _close(xm.grad, xt.grad)


# ---- 7. utils.checkpoint ----------------------------------------------------------------------------------
def _net():
    minitorch.manual_seed(0)
    return minitorch.nn.Sequential(
        minitorch.nn.Linear(4, 8), minitorch.nn.Tanh(), minitorch.nn.Dropout(0.5), minitorch.nn.Linear(8, 3),
        minitorch.nn.ReLU(), minitorch.nn.Linear(3, 2),
    )


def _grads(net, x, run):
    for p in net.parameters():
        p.grad = None
    x.grad = None
    minitorch.manual_seed(1)  # the same dropout masks for every variant
    y = run(x)
    (y * y).sum().backward()
    return [y.detach().numpy().copy(), x.grad.numpy().copy()] + [p.grad.numpy().copy() for p in net.parameters()]


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_gradients_equal_the_plain_run(reentrant):
    from minitorch.utils.checkpoint import checkpoint, checkpoint_sequential

    net = _net()
    x = minitorch.randn(5, 4, requires_grad=True)
    ref = _grads(net, x, net)
    for run in (lambda v: checkpoint(net, v, use_reentrant=reentrant),
                lambda v: checkpoint_sequential(net, 3, v, use_reentrant=reentrant)):
        got = _grads(net, x, run)
        for a, b in zip(ref, got):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_checkpoint_does_not_keep_the_inner_graph_and_recomputes_once():
    from minitorch.utils.checkpoint import checkpoint

    calls = []

    def f(t):
        calls.append(1)
        return (t.exp() * 2).sin()

    x = minitorch.randn(3, requires_grad=True)
    y = checkpoint(f, x, use_reentrant=False)
    assert y.grad_fn.name() == "CheckpointFunctionBackward0"
    assert [type(n).__name__ for n, _ in y.grad_fn.next_functions if n is not None] == ["AccumulateGrad"]
    y.sum().backward()
    assert len(calls) == 2
    assert_close(x.grad, (x.exp() * 2).cos().detach() * 2 * x.exp().detach())


def test_checkpoint_non_reentrant_supports_autograd_grad_kwargs_and_double_backward():
    from minitorch.utils.checkpoint import checkpoint

    net = _net()
    x = minitorch.randn(2, 4)
    minitorch.manual_seed(3)
    y = checkpoint(lambda v, scale: net(v) * scale, x, use_reentrant=False, scale=2.0)
    g = minitorch.autograd.grad(y.sum(), list(net.parameters()))
    minitorch.manual_seed(3)
    g0 = minitorch.autograd.grad((net(x) * 2.0).sum(), list(net.parameters()))
    for a, b in zip(g, g0):
        assert_close(a, b)
    v = minitorch.tensor([0.1, 0.7, -0.4], dtype=minitorch.float64, requires_grad=True)

    def f(t):
        return (t.sin() * t).sum()

    (gc,) = minitorch.autograd.grad(checkpoint(f, v, use_reentrant=False), v, create_graph=True)
    (hc,) = minitorch.autograd.grad(gc.sum(), v)
    (gp,) = minitorch.autograd.grad(f(v), v, create_graph=True)
    (hp,) = minitorch.autograd.grad(gp.sum(), v)
    assert_close(hc, hp)


def test_checkpoint_reentrant_semantics_like_torch():
    from minitorch.utils.checkpoint import checkpoint

    lin = minitorch.nn.Linear(2, 2)
    xr = minitorch.ones(1, 2, requires_grad=True)
    y = checkpoint(lin, xr, use_reentrant=True)
    with pytest.raises(RuntimeError, match="incompatible with .grad()"):
        minitorch.autograd.grad(y.sum(), xr)
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        y = checkpoint(lin, minitorch.ones(1, 2), use_reentrant=True)
    assert not y.requires_grad
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        checkpoint(lin, xr, use_reentrant=True, foo=1)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        checkpoint(lin, xr)
    assert checkpoint(lin, minitorch.ones(1, 2), use_reentrant=False).requires_grad  # params still get grads


def test_checkpoint_module_is_importable_as_in_torch():
    import minitorch.utils.checkpoint as ckpt
    from minitorch.utils.checkpoint import checkpoint

    assert minitorch.utils.checkpoint is ckpt and ckpt.checkpoint is checkpoint
