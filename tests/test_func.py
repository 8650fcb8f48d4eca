"""minitorch.func (grad, vjp, jvp, jacrev, jacfwd, hessian, linearize, vmap, functional_call,
stack_module_state) against torch.func on the same float64 inputs: values, shapes, dtypes and
whether results require grad; composition (vmap(grad), grad(grad), MAML); torch's errors."""
from __future__ import annotations

import contextlib

import numpy as np
import pytest

import minitorch
import minitorch.func as mf
from minitorch.utils._pytree import tree_flatten

from .helpers import assert_close, devices, no_host_sync, require_torch, to_mt, to_torch

torch = require_torch()
tf = torch.func


def _pair(*shape, seed=0, requires_grad=False):
    arr = np.random.default_rng(seed).uniform(-1.2, 1.2, shape)
    m, t = minitorch.tensor(arr), torch.tensor(arr)
    if requires_grad:
        m.requires_grad_(True)
        t.requires_grad_(True)
    return m, t


def _same(a, b, atol=1e-9):
    """Pytrees of results equal torch's: structure, values, shapes, dtype, requires_grad."""
    fa, sa = tree_flatten(a)
    fb, sb = torch.utils._pytree.tree_flatten(b)
    assert repr(sa) == repr(sb)
    for x, y in zip(fa, fb):
        assert isinstance(x, minitorch.Tensor)
        assert tuple(x.shape) == tuple(y.shape)
        assert str(x.dtype) == str(y.dtype)
        assert x.requires_grad == y.requires_grad, (x.requires_grad, y.requires_grad)
        assert_close(x, y, rtol=1e-7, atol=atol)


def f_scalar(lib):
    return lambda x, y: (lib.tanh(x) * y.exp()).sum() + (x ** 3).sum() * y.sum()


def f_vec(lib):
    return lambda x, y: (lib.sin(x) * y, (x * y).sum(0))


# ---- grad / grad_and_value -------------------------------------------------------------------------------
@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1, 0), -1])
def test_grad_matches_torch(argnums):
    (x, tx), (y, ty) = _pair(2, 3), _pair(2, 3, seed=1)
    _same(mf.grad(f_scalar(minitorch), argnums)(x, y), tf.grad(f_scalar(torch), argnums)(tx, ty))


def test_grad_and_value_with_aux_and_pytree_argument():
    def f(lib):
        def fn(p, x):
            out = lib.tanh(x @ p["w"] + p["b"])
            return (out ** 2).mean(), {"out": out, "n": out.sum()}
        return fn

    (w, tw), (b, tb), (x, tx) = _pair(3, 2), _pair(2, seed=1), _pair(4, 3, seed=2)
    got = mf.grad_and_value(f(minitorch), has_aux=True)({"w": w, "b": b}, x)
    want = tf.grad_and_value(f(torch), has_aux=True)({"w": tw, "b": tb}, tx)
    _same(got, want)
    g, aux = mf.grad(f(minitorch), has_aux=True)({"w": w, "b": b}, x)
    _same((g, aux), tf.grad(f(torch), has_aux=True)({"w": tw, "b": tb}, tx))


def test_grad_result_requires_grad_only_through_an_outer_graph():
    (x, tx) = _pair(3)
    (w, tw) = _pair(3, seed=1, requires_grad=True)
    # captured parameter that requires grad: the gradient is differentiable w.r.t. it
    g, tg = mf.grad(lambda a: (w * a ** 2).sum())(x), tf.grad(lambda a: (tw * a ** 2).sum())(tx)
    _same(g, tg)
    g.sum().backward()
    tg.sum().backward()
    assert_close(w.grad, tw.grad)
    # input that requires grad in an outer graph
    (xr, txr) = _pair(3, seed=3, requires_grad=True)
    for fn in (lambda a: a.sum(), lambda a: (a ** 3).sum()):
        _same(mf.grad(fn)(xr), tf.grad(fn)(txr))
    g, tg = mf.grad(lambda a: (a ** 3).sum())(xr), tf.grad(lambda a: (a ** 3).sum())(txr)
    assert_close(minitorch.autograd.grad(g.sum(), xr)[0], torch.autograd.grad(tg.sum(), txr)[0])
    # under no_grad the transform still works and nothing requires grad
    with minitorch.no_grad():
        assert not mf.grad(lambda a: (a ** 3).sum())(xr).requires_grad


def test_nested_grad_is_the_second_derivative():
    x, tx = _pair(seed=4)  # 0-dim

    def f(a):
        return a.sin() * a ** 3

    _same(mf.grad(mf.grad(f))(x), tf.grad(tf.grad(f))(tx))
    _same(mf.grad(mf.grad(mf.grad(f)))(x), tf.grad(tf.grad(tf.grad(f)))(tx))

    # no perturbation confusion: the inner grad treats the captured outer variable as a constant
    def outer(lib_grad):
        return lambda a: a * lib_grad(lambda b: (a * b) + b ** 2)(a)

    _same(mf.grad(outer(mf.grad))(x), tf.grad(outer(tf.grad))(tx))


# ---- vjp / jvp / linearize ------------------------------------------------------------------------------
def test_vjp_matches_torch_and_can_be_called_twice():
    (x, tx), (y, ty) = _pair(2, 3), _pair(2, 3, seed=1)
    out, fn = mf.vjp(f_vec(minitorch), x, y)
    tout, tfn = tf.vjp(f_vec(torch), tx, ty)
    _same(out, tout)
    (c0, tc0), (c1, tc1) = _pair(2, 3, seed=5), _pair(3, seed=6)
    for _ in range(2):
        _same(fn((c0, c1)), tfn((tc0, tc1)))
    with pytest.raises(RuntimeError, match="pytree structure of cotangents"):
        fn(c0)


def test_vjp_has_aux_and_cotangent_that_requires_grad():
    (x, tx) = _pair(3)
    out, fn, aux = mf.vjp(lambda a: (a.exp(), a.sum()), x, has_aux=True)
    tout, tfn, taux = tf.vjp(lambda a: (a.exp(), a.sum()), tx, has_aux=True)
    _same((out, aux), (tout, taux))
    (v, tv) = _pair(3, seed=1, requires_grad=True)
    _same(fn(v), tfn(tv))


@pytest.mark.parametrize("outer", [False, True])
def test_jvp_matches_torch(outer):
    (x, tx), (y, ty) = _pair(2, 3, requires_grad=outer), _pair(2, 3, seed=1)
    (vx, tvx), (vy, tvy) = _pair(2, 3, seed=2), _pair(2, 3, seed=3)
    got = mf.jvp(f_vec(minitorch), (x, y), (vx, vy))
    want = tf.jvp(f_vec(torch), (tx, ty), (tvx, tvy))
    _same(got, want)
    if outer:  # forward-over-reverse: the tangent is differentiable w.r.t. the outer input
        assert_close(minitorch.autograd.grad(got[1][1].sum(), x)[0], torch.autograd.grad(want[1][1].sum(), tx)[0])


def test_jvp_has_aux_and_linearize():
    (x, tx), (v, tv) = _pair(4), _pair(4, seed=1)
    _same(mf.jvp(lambda a: (a.sin(), a.cos()), (x,), (v,), has_aux=True),
          tf.jvp(lambda a: (a.sin(), a.cos()), (tx,), (tv,), has_aux=True))
    out, fn = mf.linearize(lambda a: a.tanh() * a, x)
    tout, tfn = tf.linearize(lambda a: a.tanh() * a, tx)
    _same(out, tout)
    for seed in (2, 3):
        (u, tu) = _pair(4, seed=seed)
        _same(fn(u), tfn(tu))


def test_jvp_errors_like_torch():
    (x, tx) = _pair(3)
    for call in (lambda lib, a: lib.jvp(lambda b: b, a, a),
                 lambda lib, a: lib.jvp(lambda b: b, (a,), (a, a)),
                 lambda lib, a: lib.jvp(lambda b: b, (a,), (a[:2],)),
                 lambda lib, a: lib.jvp(lambda b: 2.0, (a,), (a,))):
        with pytest.raises(RuntimeError) as want:
            call(tf, tx)
        with pytest.raises(RuntimeError) as got:
            call(mf, x)
        assert str(got.value).split(".")[0].split(" structure")[0] == str(want.value).split(".")[0].split(
            " structure")[0]


# ---- jacrev / jacfwd / hessian ---------------------------------------------------------------------------
@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, (0, 1), (1,)])
def test_jacobians_match_torch(jac, argnums):
    (x, tx), (y, ty) = _pair(2, 3), _pair(2, 3, seed=1)
    _same(getattr(mf, jac)(f_vec(minitorch), argnums)(x, y), getattr(tf, jac)(f_vec(torch), argnums)(tx, ty))


@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
def test_jacobian_of_dict_output_with_aux(jac):
    (x, tx) = _pair(3)

    def f(a):
        return {"s": a.softmax(0), "n": (a ** 2).sum()}, a.mean()

    _same(getattr(mf, jac)(f, has_aux=True)(x), getattr(tf, jac)(f, has_aux=True)(tx))


def test_hessian_and_jacrev_of_jacrev():
    (x, tx), (y, ty) = _pair(2, 2), _pair(2, 2, seed=1)
    _same(mf.hessian(f_scalar(minitorch))(x, y), tf.hessian(f_scalar(torch))(tx, ty))
    _same(mf.hessian(f_scalar(minitorch), (0, 1))(x, y), tf.hessian(f_scalar(torch), (0, 1))(tx, ty))
    _same(mf.jacrev(mf.jacrev(f_scalar(minitorch)))(x, y), tf.jacrev(tf.jacrev(f_scalar(torch)))(tx, ty))
    _same(mf.jacfwd(mf.jacfwd(f_scalar(minitorch)))(x, y), tf.jacfwd(tf.jacfwd(f_scalar(torch)))(tx, ty))


def test_jacobian_requires_grad_through_outer_graph():
    (x, tx) = _pair(3, requires_grad=True)
    for name in ("jacrev", "jacfwd"):
        _same(getattr(mf, name)(lambda a: a ** 2)(x), getattr(tf, name)(lambda a: a ** 2)(tx))
    # a constant Jacobian does not require grad (torch's jacfwd returns a view that does: an artifact)
    _same(mf.jacrev(lambda a: a * 2)(x), tf.jacrev(lambda a: a * 2)(tx))
    assert not mf.jacfwd(lambda a: a * 2)(x).requires_grad


def test_jacobian_errors():
    (x, tx) = _pair(3)
    with pytest.raises(ValueError, match="`chunk_size` should be greater than 0"):
        mf.jacrev(lambda a: a, chunk_size=0)
    with pytest.raises(RuntimeError, match="expected f\\(\\*primals\\) to return only tensors"):
        mf.jacrev(lambda a: 2.0)(x)
    with pytest.raises(RuntimeError, match="randomness error mode"):
        mf.jacfwd(lambda a: a * minitorch.rand(3))(x)
    assert tuple(mf.jacfwd(lambda a: a * minitorch.rand(3), randomness="same")(x).shape) == (3, 3)


# ---- vmap ------------------------------------------------------------------------------------------------
def test_vmap_in_dims_out_dims_like_torch():
    (a, ta), (b, tb) = _pair(4, 3), _pair(3, seed=1)
    _same(mf.vmap(lambda u, v: u * v, in_dims=(0, None))(a, b), tf.vmap(lambda u, v: u * v, in_dims=(0, None))(ta, tb))
    _same(minitorch.vmap(lambda u: u.exp(), out_dims=1)(a), torch.vmap(lambda u: u.exp(), out_dims=1)(ta))
    _same(mf.vmap(lambda u: u.sum(), in_dims=1)(a), tf.vmap(lambda u: u.sum(), in_dims=1)(ta))
    _same(mf.vmap(lambda u: u.sum(), in_dims=-1)(a), tf.vmap(lambda u: u.sum(), in_dims=-1)(ta))

    def f(p, u):
        return {"s": p["w"] * u, "t": (u.sum(), u.max())}

    got = mf.vmap(f, in_dims=({"w": None}, 0), out_dims={"s": 1, "t": 0})({"w": b}, a)
    want = tf.vmap(f, in_dims=({"w": None}, 0), out_dims={"s": 1, "t": 0})({"w": tb}, ta)
    _same(got, want)
    # an output that is not batched, with out_dims=None
    _same(mf.vmap(lambda u: (u * 2, b), out_dims=(0, None))(a), tf.vmap(lambda u: (u * 2, tb), out_dims=(0, None))(ta))
    # nested vmap, chunk_size, keyword arguments passed through unbatched
    _same(mf.vmap(mf.vmap(lambda u, v: u * v, (0, None)), (1, None), chunk_size=2)(a, b[0]),
          tf.vmap(tf.vmap(lambda u, v: u * v, (0, None)), (1, None), chunk_size=2)(ta, tb[0]))
    _same(mf.vmap(lambda u, *, k: u * k)(a, k=b), tf.vmap(lambda u, *, k: u * k)(ta, k=tb))
    # an empty batch
    _same(mf.vmap(lambda u: u.sum(0))(minitorch.zeros(0, 3, dtype=minitorch.float64)),
          tf.vmap(lambda u: u.sum(0))(torch.zeros(0, 3, dtype=torch.float64)))


def test_vmap_is_differentiable():
    (a, ta) = _pair(4, 3, requires_grad=True)
    out, tout = mf.vmap(lambda u: u.softmax(0))(a), tf.vmap(lambda u: u.softmax(0))(ta)
    _same(out, tout)
    (out * out).sum().backward()
    (tout * tout).sum().backward()
    assert_close(a.grad, ta.grad)


VMAP_ERRORS = [
    (lambda v: v(lambda a, b: a + b)(_T(2, 3), _T(3, 3)), "Expected all tensors to have the same size"),
    (lambda v: v(lambda a: a, in_dims=2)(_T(2, 3)), "so expected in_dim to satisfy -2 <= in_dim < 2"),
    (lambda v: v(lambda a: a, in_dims=(0, 0))(_T(2, 3)), "in_dims is not compatible with the structure"),
    (lambda v: v(lambda a: a, in_dims=None)(_T(2, 3)), "expected `in_dims` to be int or a"),
    (lambda v: v(lambda a: a, in_dims=[0])(_T(2, 3)), "expected `in_dims` to be int or a"),
    (lambda v: v(lambda a, b: a, in_dims=(0, 0))(_T(2, 3), 3), "We cannot vmap over non-Tensor arguments"),
    (lambda v: v(lambda a: 3.0)(_T(2, 3)), "must only return Tensors, got type <class 'float'>"),
    (lambda v: v(lambda a: a, out_dims=None)(_T(2, 3)), "can not return a BatchedTensor when out_dim is None"),
    (lambda v: v(lambda a: a, out_dims=(0, 1))(_T(2, 3)), "out_dims is not compatible with the structure"),
    (lambda v: v(lambda a: a.sum(), chunk_size=0)(_T(2, 3)), "chunk_size should be None or greater than 0"),
    (lambda v: v(lambda a: a.sum())(), "got no inputs"),
]


def _T(*shape):  # noqa: N802  (distinct values per batch element)
    return _T.lib.arange(float(np.prod(shape))).reshape(*shape)


@pytest.mark.parametrize("call,msg", VMAP_ERRORS, ids=[m for _, m in VMAP_ERRORS])
def test_vmap_errors_like_torch(call, msg):
    _T.lib = torch
    with pytest.raises(ValueError, match=msg.replace("(", "\\(").replace(")", "\\)").replace("[", "\\[")):
        call(tf.vmap)
    _T.lib = minitorch
    with pytest.raises(ValueError, match=msg.replace("(", "\\(").replace(")", "\\)").replace("[", "\\[")):
        call(mf.vmap)


def test_vmap_randomness():
    a = minitorch.ones(3, 2)
    with pytest.raises(RuntimeError, match="called random operation while in randomness error mode"):
        mf.vmap(lambda u: u * minitorch.rand(2))(a)
    same = mf.vmap(lambda u: u * minitorch.rand(2), randomness="same")(a).numpy()
    assert np.all(same == same[0])
    diff = mf.vmap(lambda u: u * minitorch.rand(2), randomness="different")(a).numpy()
    assert not np.all(diff == diff[0])
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        mf.vmap(lambda u: u, randomness="sometimes")
    minitorch.rand(2)  # the generator works again after vmap


# ---- errors of grad --------------------------------------------------------------------------------------
GRAD_ERRORS = [
    (lambda lib, x: lib.grad(lambda a: a * 2)(x), RuntimeError),
    (lambda lib, x: lib.grad(lambda a: 2.0)(x), RuntimeError),
    (lambda lib, x: lib.grad(lambda a: a.sum(), argnums=1)(x), RuntimeError),
    (lambda lib, x: lib.grad(lambda a: a.sum(), argnums=1.0)(x), RuntimeError),
    (lambda lib, x: lib.grad(lambda a: a.sum(), argnums=())(x), RuntimeError),
    (lambda lib, x: lib.grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x), RuntimeError),
    (lambda lib, x: lib.grad(lambda a: a.sum(), has_aux=True)(x), RuntimeError),
    (lambda lib, x: lib.grad(lambda a: a.sum())(3.0), ValueError),
    (lambda lib, x: lib.grad(lambda a: a.sum())(x.long()), RuntimeError),
]


@pytest.mark.parametrize("i", range(len(GRAD_ERRORS)))
def test_grad_errors_like_torch(i):
    call, exc = GRAD_ERRORS[i]
    (x, tx) = _pair(3)
    with pytest.raises(exc) as want:
        call(tf, tx)
    with pytest.raises(exc) as got:
        call(mf, x)
    assert str(got.value) == str(want.value)


# ---- modules: functional_call, per-sample gradients, MAML, ensembles ----------------------------------------
def _mlp(lib, seed=0):
    lib.manual_seed(seed)
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2)).double()


def _params(tmodel):
    tparams = {k: v.detach() for k, v in tmodel.named_parameters()}
    return {k: to_mt(v) for k, v in tparams.items()}, tparams


def test_functional_call_swaps_and_restores():
    model, tmodel = _mlp(minitorch), _mlp(torch)
    params, tparams = _params(tmodel)
    (x, tx) = _pair(4, 3)
    before = {k: v for k, v in model.named_parameters()}
    _same(mf.functional_call(model, params, (x,)), tf.functional_call(tmodel, tparams, (tx,)))
    _same(mf.functional_call(model, (params, {}), x), tf.functional_call(tmodel, (tparams, {}), tx))
    assert all(p is before[k] for k, p in model.named_parameters())
    with pytest.raises(RuntimeError, match="Missing key\\(s\\): '2.bias'"):
        mf.functional_call(model, {k: v for k, v in params.items() if k != "2.bias"}, x, strict=True)
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        mf.functional_call(model, (params, params), x)


def test_functional_call_ties_weights():
    class Tied(minitorch.nn.Module):
        def __init__(self):
            super().__init__()
            self.a = minitorch.nn.Linear(2, 2, bias=False)
            self.b = minitorch.nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x):
            return self.b(self.a(x))

    m, w, x = Tied(), minitorch.eye(2) * 2, minitorch.ones(1, 2)
    assert_close(mf.functional_call(m, {"a.weight": w}, x), np.full((1, 2), 4.0))
    with pytest.raises(ValueError, match="which are tied"):
        mf.functional_call(m, {"a.weight": w, "b.weight": w * 3}, x)


def test_per_sample_gradients_vmap_grad_functional_call():
    model, tmodel = _mlp(minitorch), _mlp(torch)
    params, tparams = _params(tmodel)
    (x, tx), (y, ty) = _pair(6, 3), _pair(6, 2, seed=1)

    def loss(lib, m):
        def fn(p, xi, yi):
            out = lib.func.functional_call(m, p, (xi.unsqueeze(0),))
            return ((out - yi.unsqueeze(0)) ** 2).mean()
        return fn

    got = mf.vmap(mf.grad(loss(minitorch, model)), in_dims=(None, 0, 0))(params, x, y)
    want = tf.vmap(tf.grad(loss(torch, tmodel)), in_dims=(None, 0, 0))(tparams, tx, ty)
    _same(got, want)


def test_maml_inner_step_is_differentiated_through():
    model, tmodel = _mlp(minitorch), _mlp(torch)
    params, tparams = _params(tmodel)
    (xs, txs), (ys, tys) = _pair(5, 3, seed=1), _pair(5, 2, seed=2)
    (xq, txq), (yq, tyq) = _pair(5, 3, seed=3), _pair(5, 2, seed=4)

    def meta_loss(lib, m):
        def loss(p, x, y):
            return ((lib.func.functional_call(m, p, (x,)) - y) ** 2).mean()

        def outer(p):
            g = lib.func.grad(loss)(p, xs if lib is minitorch else txs, ys if lib is minitorch else tys)
            fast = {k: p[k] - 0.1 * g[k] for k in p}
            return loss(fast, xq if lib is minitorch else txq, yq if lib is minitorch else tyq)
        return outer

    _same(mf.grad(meta_loss(minitorch, model))(params), tf.grad(meta_loss(torch, tmodel))(tparams))
    # the same meta-gradient with ordinary autograd on parameters that require grad
    p = {k: v.detach().requires_grad_() for k, v in params.items()}
    tp = {k: v.detach().requires_grad_() for k, v in tparams.items()}
    meta_loss(minitorch, model)(p).backward()
    meta_loss(torch, tmodel)(tp).backward()
    for k in p:
        assert_close(p[k].grad, tp[k].grad, rtol=1e-7, atol=1e-9)


def test_stack_module_state_ensemble():
    models = [_mlp(minitorch, seed=s) for s in range(3)]
    tmodels = [_mlp(torch, seed=s) for s in range(3)]
    for m, tm in zip(models, tmodels):
        for (_, p), (_, tp) in zip(m.named_parameters(), tm.named_parameters()):
            p.data = to_mt(tp.detach()).data
    params, buffers = mf.stack_module_state(models)
    tparams, tbuffers = tf.stack_module_state(tmodels)
    _same(params, tparams)
    (x, tx) = _pair(4, 3)
    got = mf.vmap(lambda p, b, xx: mf.functional_call(models[0], (p, b), (xx,)), in_dims=(0, 0, None))(
        params, buffers, x)
    want = tf.vmap(lambda p, b, xx: tf.functional_call(tmodels[0], (p, b), (xx,)), in_dims=(0, 0, None))(
        tparams, tbuffers, tx)
    _same(got, want)
    with pytest.raises(RuntimeError, match="Expected at least one model"):
        mf.stack_module_state([])
    models[1].eval()
    with pytest.raises(RuntimeError, match="same training/eval mode"):
        mf.stack_module_state(models)


def test_to_torch_helper_roundtrip():  # keeps helpers honest for the comparisons above
    (x, tx) = _pair(2)
    assert_close(to_torch(x), tx)


@pytest.mark.parametrize("device", devices())
def test_transforms_run_on_each_device(device):
    (x, tx) = _pair(3, 2)
    xd = x.to(device)

    def f(a):
        return (a.tanh() ** 2).sum()

    with no_host_sync() if device == "cuda" else contextlib.nullcontext():
        per_row = mf.vmap(mf.grad(f))(xd)
        hess = mf.hessian(f)(xd[0])
        tangent = mf.jvp(lambda a: a.exp(), (xd,), (xd,))[1]
        same = mf.vmap(lambda a: a * minitorch.rand(2, device=device), randomness="same")(xd)
    assert per_row.device.type == device
    assert_close(per_row.cpu(), tf.vmap(tf.grad(f))(tx))
    assert_close(hess.cpu(), tf.hessian(f)(tx[0]))
    assert_close(tangent.cpu(), tx.exp() * tx)
    assert tuple(same.shape) == (3, 2)
