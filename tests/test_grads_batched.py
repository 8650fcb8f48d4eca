"""autograd.grad(is_grads_batched=True): one vector-Jacobian product per grad_outputs row, against torch."""
import numpy as np
import pytest
import torch

import minitorch


def _pair(seed, *shape):
    a = np.random.default_rng(seed).standard_normal(shape)
    return minitorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _f(lib, x, w):
    return lib.tanh(x @ w).sin() * 2


@pytest.mark.parametrize("create_graph", [False, True])
def test_batched_vjps_match_torch(create_graph):
    xm, xt = _pair(0, 4, 3)
    wm, wt = _pair(1, 3, 5)
    basis = np.random.default_rng(2).standard_normal((6, 4, 5))
    om, ot = _f(minitorch, xm, wm), _f(torch, xt, wt)
    gm = minitorch.autograd.grad(om, (xm, wm), minitorch.tensor(basis), create_graph=create_graph,
                                 is_grads_batched=True)
    gt = torch.autograd.grad(ot, (xt, wt), torch.tensor(basis), create_graph=create_graph, is_grads_batched=True)
    for a, b in zip(gm, gt):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)
        assert a.requires_grad == b.requires_grad
    if create_graph:  # the stacked result is differentiable, as torch's
        (hm,) = minitorch.autograd.grad(gm[0].pow(2).sum(), wm)
        (ht,) = torch.autograd.grad(gt[0].pow(2).sum(), wt)
        np.testing.assert_allclose(hm.numpy(), ht.numpy(), rtol=1e-10)


def test_full_jacobian_rows_from_an_identity_batch():
    xm, xt = _pair(3, 5)
    eye = np.eye(5)
    (jm,) = minitorch.autograd.grad(xm.exp() * xm, xm, minitorch.tensor(eye), is_grads_batched=True)
    jt = torch.autograd.functional.jacobian(lambda v: v.exp() * v, xt)
    np.testing.assert_allclose(jm.numpy(), jt.numpy(), rtol=1e-12)


def test_unused_input_and_materialize_follow_torch():
    xm, xt = _pair(4, 3)
    zm, zt = _pair(5, 4)
    go = np.ones((2, 3))
    gm = minitorch.autograd.grad(xm * 3, (xm, zm), minitorch.tensor(go), is_grads_batched=True, allow_unused=True)
    gt = torch.autograd.grad(xt * 3, (xt, zt), torch.tensor(go), is_grads_batched=True, allow_unused=True)
    assert gm[1] is None and gt[1] is None
    np.testing.assert_allclose(gm[0].numpy(), gt[0].numpy())
    mm = minitorch.autograd.grad(xm * 3, (xm, zm), minitorch.tensor(go), is_grads_batched=True,
                                 materialize_grads=True)
    mt = torch.autograd.grad(xt * 3, (xt, zt), torch.tensor(go), is_grads_batched=True, materialize_grads=True)
    assert tuple(mm[1].shape) == tuple(mt[1].shape)


def test_batched_grad_outputs_of_the_wrong_shape_raise_like_torch():
    xm, xt = _pair(6, 3)
    with pytest.raises(RuntimeError, match="interpret the first dimension"):
        torch.autograd.grad(xt * 2, xt, torch.ones(2, 4), is_grads_batched=True)
    with pytest.raises(RuntimeError, match="interpret the first dimension"):
        minitorch.autograd.grad(xm * 2, xm, minitorch.ones(2, 4), is_grads_batched=True)
    with pytest.raises(IndexError):
        minitorch.autograd.grad(xm * 2, xm, minitorch.ones(0, 3), is_grads_batched=True)


def test_the_graph_is_freed_after_the_last_row_unless_retained():
    xm, _ = _pair(7, 3)
    out = xm * xm
    minitorch.autograd.grad(out, xm, minitorch.ones(2, 3), is_grads_batched=True)
    with pytest.raises(RuntimeError, match="second time"):
        minitorch.autograd.grad(out, xm, minitorch.ones(3))
