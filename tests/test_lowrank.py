"""torch.svd_lowrank / pca_lowrank: exact on matrices whose rank is at most q, differentiable, torch's errors."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from tests.helpers import assert_close, raises_like_torch, require_torch

torch = require_torch()


def _low_rank(m, n, r, seed=0, offset=0.0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, r)) @ rng.standard_normal((r, n)) + offset


@pytest.mark.parametrize("shape", [(40, 12), (12, 40), (3, 25, 9)], ids=["tall", "wide", "batched"])
def test_svd_lowrank_matches_torch_on_an_exactly_low_rank_matrix(shape):

    a = np.stack([_low_rank(*shape[-2:], 3, seed=i) for i in range(shape[0])]) if len(shape) == 3 else \
        _low_rank(*shape, 3)
    mu, ms, mv = minitorch.svd_lowrank(minitorch.tensor(a), q=4)
    tu, ts, tv = torch.svd_lowrank(torch.tensor(a), q=4)
    assert tuple(mu.shape) == tuple(tu.shape) and tuple(mv.shape) == tuple(tv.shape)
    assert_close(ms[..., :3], ts[..., :3], rtol=1e-9, atol=1e-9)
    recon = (mu.numpy() * ms.numpy()[..., None, :]) @ np.swapaxes(mv.numpy(), -1, -2)
    np.testing.assert_allclose(recon, a, atol=1e-9)



def test_pca_lowrank_centres_the_columns_like_torch():
    a = _low_rank(60, 10, 2, offset=3.0)
    mu, ms, mv = minitorch.pca_lowrank(minitorch.tensor(a), q=3)
    tu, ts, tv = torch.pca_lowrank(torch.tensor(a), q=3)
    assert_close(ms[:2], ts[:2], rtol=1e-9, atol=1e-9)
    # the principal directions agree up to sign
    np.testing.assert_allclose(np.abs(mv.numpy()[:, :2].T @ tv.numpy()[:, :2]), np.eye(2), atol=1e-9)
    recon = (mu.numpy() * ms.numpy()) @ mv.numpy().T
    np.testing.assert_allclose(recon, a - a.mean(0), atol=1e-9)


def test_svd_lowrank_singular_values_are_differentiable():
    a = _low_rank(20, 8, 2)
    x = minitorch.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    minitorch.svd_lowrank(x, q=2)[1].sum().backward()
    torch.linalg.svdvals(xt)[:2].sum().backward()  # d(sum of top singular values) = U_r V_r^T
    assert_close(x.grad, xt.grad, rtol=1e-7, atol=1e-9)


def test_bad_q_raises_like_torch_and_a_large_q_is_cut_to_min_m_n():
    a = _low_rank(8, 5, 2)
    raises_like_torch(lambda: torch.pca_lowrank(torch.tensor(a), q=-1),
                      lambda: minitorch.pca_lowrank(minitorch.tensor(a), q=-1))
    shapes = [tuple(t.shape) for t in minitorch.svd_lowrank(minitorch.tensor(a), q=9)]
    assert shapes == [tuple(t.shape) for t in torch.svd_lowrank(torch.tensor(a), q=9)]
