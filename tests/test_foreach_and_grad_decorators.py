"""``torch._foreach_*`` list ops and grad-mode decorators on generator functions, against torch."""
from __future__ import annotations

import numpy as np
import pytest

import minitorch
from tests.helpers import require_torch

torch = require_torch()


def _lists(lib, seed=0):
    rng = np.random.default_rng(seed)
    a = [lib.tensor(rng.random((2, 3)) + 0.5), lib.tensor(rng.random(4) + 0.5)]
    b = [lib.tensor(rng.random((2, 3)) + 0.5), lib.tensor(rng.random(4) + 0.5)]
    return a, b


CASES = [
    ("lerp_", lambda L, a, b: L._foreach_lerp_(a, b, 0.25)),
    ("lerp list weight", lambda L, a, b: L._foreach_lerp_(a, b, [0.1, 0.9])),
    ("mul_ scalar", lambda L, a, b: L._foreach_mul_(a, 0.5)),
    ("mul_ list", lambda L, a, b: L._foreach_mul_(a, b)),
    ("add_ alpha", lambda L, a, b: L._foreach_add_(a, b, alpha=-2.0)),
    ("sub_", lambda L, a, b: L._foreach_sub_(a, b)),
    ("div_", lambda L, a, b: L._foreach_div_(a, b)),
    ("addcmul_", lambda L, a, b: L._foreach_addcmul_(a, b, b, value=0.3)),
    ("addcdiv_", lambda L, a, b: L._foreach_addcdiv_(a, b, b, value=-0.3)),
    ("sqrt_", lambda L, a, b: L._foreach_sqrt_(a)),
    ("copy_", lambda L, a, b: L._foreach_copy_(a, b)),
    ("zero_", lambda L, a, b: L._foreach_zero_(a)),
]


@pytest.mark.parametrize("name,op", CASES, ids=[c[0] for c in CASES])
def test_in_place_foreach_ops_match_torch(name, op):
    (ta, tb), (ma, mb) = _lists(torch), _lists(minitorch)
    op(torch, ta, tb)
    op(minitorch, ma, mb)
    for t, m in zip(ta, ma):
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12)


@pytest.mark.parametrize("op", [lambda L, a, b: L._foreach_mul(a, 2.0), lambda L, a, b: L._foreach_add(a, b, alpha=2),
                                lambda L, a, b: L._foreach_norm(a), lambda L, a, b: L._foreach_exp(a),
                                lambda L, a, b: L._foreach_maximum(a, b)], ids=["mul", "add", "norm", "exp", "maximum"])
def test_out_of_place_foreach_ops_return_tuples_like_torch(op):
    (ta, tb), (ma, mb) = _lists(torch), _lists(minitorch)
    t_out, m_out = op(torch, ta, tb), op(minitorch, ma, mb)
    assert isinstance(m_out, tuple) and len(m_out) == len(t_out)
    for t, m in zip(t_out, m_out):
        np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12)


def test_mismatched_list_lengths_raise():
    a, b = _lists(minitorch)
    with pytest.raises(RuntimeError, match="same number"):
        minitorch._foreach_add_(a, b[:1])


@pytest.mark.parametrize("deco", ["no_grad", "inference_mode", "enable_grad"])
def test_grad_mode_decorators_apply_inside_generator_functions_like_torch(deco):
    """`@torch.no_grad() def sample(): ... yield x`: the mode holds inside the generator's steps, and the
    consumer keeps its own mode between them (progressive diffusion samplers are written this way)."""
    results = []
    for lib in (torch, minitorch):
        @getattr(lib, deco)()
        def steps(x, lib=lib):
            got = yield (x * 2).requires_grad, lib.is_grad_enabled()
            yield got, lib.is_grad_enabled()
            return "done"

        outer = lib.no_grad() if deco == "enable_grad" else lib.enable_grad()
        with outer:
            gen = steps(lib.ones(1, requires_grad=True))
            first = next(gen)
            between = lib.is_grad_enabled()
            second = gen.send("sent")
            with pytest.raises(StopIteration) as stop:
                next(gen)
        results.append((first, between, second, stop.value.value))
    assert results[1] == results[0]
