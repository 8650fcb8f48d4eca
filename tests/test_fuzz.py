"""Property-based fuzzing: random programs of ops, checked value-for-value and grad-for-grad against torch.

Run longer by hand with ``HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py``.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch

from .helpers import devices, require_torch

torch = require_torch()

# Each op: (name, arity, fn(lib, *xs)); fn is written once and run with minitorch or torch as `lib`.
UNARY = [
    ("tanh", lambda lib, x: x.tanh()),
    ("sigmoid", lambda lib, x: x.sigmoid()),
    ("exp_clipped", lambda lib, x: lib.clamp(x, -3.0, 3.0).exp()),
    ("sin", lambda lib, x: x.sin()),
    ("square", lambda lib, x: x * x),
    ("neg", lambda lib, x: -x),
    ("softplus_like", lambda lib, x: (x.exp() + 1).log()),
    ("scale", lambda lib, x: x * 0.5 + 1.0),
    ("relu_shift", lambda lib, x: (x + 0.37).relu()),
    ("abs_shift", lambda lib, x: (x + 0.123).abs()),
    ("sqrt_pos", lambda lib, x: (x * x + 1.0).sqrt()),
]
BINARY = [
    ("add", lambda lib, a, b: a + b),
    ("sub", lambda lib, a, b: a - b),
    ("mul", lambda lib, a, b: a * b),
    ("div_safe", lambda lib, a, b: a / (b * b + 1.0)),
    ("maximum", lambda lib, a, b: lib.maximum(a, b + 0.01)),
]
REDUCE = [
    ("sum_last", lambda lib, x: x.sum(dim=-1, keepdim=True)),
    ("mean_first", lambda lib, x: x.mean(dim=0, keepdim=True)),
    ("softmax_last", lambda lib, x: x.softmax(dim=-1)),
    ("logsumexp_last", lambda lib, x: x.logsumexp(dim=-1, keepdim=True)),
    ("amax_last", lambda lib, x: x.amax(dim=-1, keepdim=True)),
    ("cumsum_first", lambda lib, x: x.cumsum(dim=0)),
    ("flip_last", lambda lib, x: x.flip(-1)),
    ("slice_step", lambda lib, x: x[..., ::2]),
    ("transpose_mm", lambda lib, x: x @ x.transpose(-1, -2)),
]

ROWS, COLS = 3, 4


@st.composite
def programs(draw):
    """A list of steps over a growing pool of (3, 4)-broadcastable values."""
    n_steps = draw(st.integers(2, 8))
    steps = []
    for i in range(n_steps):
        kind = draw(st.sampled_from(["unary", "binary", "reduce"]))
        pool = 2 + i  # inputs + results so far
        if kind == "unary":
            steps.append(("unary", draw(st.integers(0, len(UNARY) - 1)), draw(st.integers(0, pool - 1))))
        elif kind == "binary":
            steps.append(("binary", draw(st.integers(0, len(BINARY) - 1)),
                          draw(st.integers(0, pool - 1)), draw(st.integers(0, pool - 1))))
        else:
            steps.append(("reduce", draw(st.integers(0, len(REDUCE) - 1)), draw(st.integers(0, pool - 1))))
    shape_b = draw(st.sampled_from([(ROWS, COLS), (1, COLS), (ROWS, 1), (COLS,), ()]))
    seed = draw(st.integers(0, 2**16))
    return steps, shape_b, seed


def _run(lib, steps, inputs):
    pool = list(inputs)
    for step in steps:
        if step[0] == "unary":
            pool.append(UNARY[step[1]][1](lib, pool[step[2]]))
        elif step[0] == "binary":
            a, b = pool[step[2]], pool[step[3]]
            try:
                np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
            except ValueError:  # incompatible after a shape-changing step: combine with a reduction
                b = b.sum()
            pool.append(BINARY[step[1]][1](lib, a, b))
        else:
            x = pool[step[2]]
            if x.dim() == 0 or (step[1] == 8 and x.dim() < 2):
                x = x.reshape(1, -1) if x.dim() else x.reshape(1, 1)
            pool.append(REDUCE[step[1]][1](lib, x))
    out = pool[-1]
    return (out * out).sum() + pool[-1].sum()


@pytest.mark.parametrize("device", devices())
@given(program=programs())
def test_random_programs_match_torch_in_float64(program, device):
    steps, shape_b, seed = program
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1.5, 1.5, (ROWS, COLS))
    b = rng.uniform(-1.5, 1.5, shape_b)
    mt_in = [minitorch.tensor(a, requires_grad=True, device=device),
             minitorch.tensor(b, requires_grad=True, device=device)]
    th_in = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    mt_out = _run(minitorch, steps, mt_in)
    th_out = _run(torch, steps, th_in)
    np.testing.assert_allclose(mt_out.item(), th_out.item(), rtol=1e-9, atol=1e-9, err_msg=str(steps))
    mt_out.backward()
    th_out.backward()
    for m, t in zip(mt_in, th_in):
        if t.grad is None:
            assert m.grad is None or np.allclose(m.grad.cpu().numpy(), 0)
            continue
        assert m.grad is not None, f"missing grad for {steps}"
        assert m.grad.device.type == device
        np.testing.assert_allclose(m.grad.cpu().numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-9, err_msg=str(steps))
