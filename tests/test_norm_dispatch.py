"""torch.norm's string orders: 'fro' over <= 2 dims is a vector 2-norm, 'nuc' and 'fro' over more dims go to
linalg.matrix_norm (values, shapes, gradients and errors as torch's)."""
import numpy as np
import pytest
import torch

import minitorch


@pytest.mark.parametrize("kw", [dict(p="nuc", dim=(0, 1)), dict(p="nuc", dim=(2, 0), keepdim=True),
                                dict(p="fro", dim=(1, 2)), dict(p="fro", dim=1), dict(p="fro")])
def test_string_orders_match_torch(kw):
    a = np.random.default_rng(0).standard_normal((2, 3, 4))
    xm, xt = minitorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    rm, rt = minitorch.norm(xm, **kw), torch.norm(xt, **kw)
    assert tuple(rm.shape) == tuple(rt.shape)
    np.testing.assert_allclose(rm.detach().numpy(), rt.detach().numpy(), rtol=1e-12)
    rm.sum().backward()
    rt.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_nuclear_norm_of_a_matrix_without_dim():
    b = np.random.default_rng(1).standard_normal((3, 4))
    np.testing.assert_allclose(float(minitorch.norm(minitorch.tensor(b), p="nuc")),
                               float(torch.norm(torch.tensor(b), p="nuc")), rtol=1e-12)


@pytest.mark.parametrize("kw", [dict(p="fro", dim=(0, 1, 2)), dict(p="nuc")])
def test_matrix_orders_over_three_dims_raise_like_torch(kw):
    a = np.ones((2, 3, 4))
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        torch.norm(torch.tensor(a), **kw)
    with pytest.raises(RuntimeError, match="dim must be a 2-tuple"):
        minitorch.norm(minitorch.tensor(a), **kw)
