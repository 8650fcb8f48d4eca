"""The same seed gives bit-identical training runs on CPU."""
from __future__ import annotations

import numpy as np

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F


def _train(seed: int, steps: int = 15):
    minitorch.manual_seed(seed)
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Dropout(0.2), nn.Linear(4 * 4 * 4, 10),
    )
    opt = minitorch.optim.Adam(model.parameters(), lr=1e-2)
    x = minitorch.randn(32, 1, 8, 8)
    y = minitorch.randint(0, 10, (32,))
    loader = minitorch.utils.data.DataLoader(
        minitorch.utils.data.TensorDataset(x, y), batch_size=8, shuffle=True
    )
    losses = []
    for _ in range(steps // 4 + 1):
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    weights = [p.detach().numpy().copy() for p in model.parameters()]
    return np.array(losses), weights


def test_same_seed_is_bit_identical():
    losses_a, weights_a = _train(1234)
    losses_b, weights_b = _train(1234)
    assert np.array_equal(losses_a, losses_b)
    for wa, wb in zip(weights_a, weights_b):
        assert np.array_equal(wa, wb)


def test_different_seed_differs():
    losses_a, _ = _train(1)
    losses_b, _ = _train(2)
    assert not np.array_equal(losses_a, losses_b)
