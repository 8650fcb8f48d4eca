"""The op table: the spine of the test suite (like PyTorch's OpInfo).

Each row says how to call an op in minitorch and in torch, what inputs it takes, and what
to check. Generic tests in ``test_op_table.py`` walk every row: forward vs torch, backward vs
torch for the same upstream gradient, gradcheck in float64, gradgradcheck where flagged,
and the same on cuda when a GPU is present.

Rows live in ``op_table_core.py`` (Tensor ops) and ``op_table_nn.py`` (nn.functional ops);
this module collects them into ``OPS``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class OpInfo:
    name: str
    #: minitorch callable: fn(*tensors, **kwargs)
    mt: Callable
    #: torch callable with the same calling convention
    th: Callable
    #: sample input shapes: each entry is a tuple of shapes, one per tensor input
    shapes: list = field(default_factory=lambda: [((3, 4),)])
    #: keyword-argument sets to try (each combined with each shape sample)
    kwargs: list = field(default_factory=lambda: [{}])
    #: input value range (low, high); use e.g. (0.1, 3) for log/sqrt; or one (low, high) per input
    domain: tuple = (-2.0, 2.0)
    #: which tensor inputs are differentiated (default: all floating inputs)
    grad_inputs: tuple | None = None
    #: custom input maker: fn(rng, dtype) -> list of NumPy arrays (overrides shapes/domain);
    #: ``dtype`` is a NumPy float type (np.float32 or np.float64), ``rng`` a np.random.Generator
    make_inputs: Callable | None = None
    #: check gradients at all (False for non-differentiable ops)
    supports_grad: bool = True
    #: run gradgradcheck (second derivatives)
    supports_gradgrad: bool = True
    #: hypothesis may draw broadcastable shapes for this op (elementwise binary ops)
    broadcasting: bool = False
    #: forward tolerance in float32
    rtol: float = 1e-4
    atol: float = 1e-5
    #: skip cuda for this op (with a reason string) -- should stay empty
    skip_cuda: str | None = None
    #: extra notes
    notes: Any = None
    #: value generator used instead of uniform(domain): fn(rng, shape, np_dtype) -> ndarray; or a
    #: list/tuple with one generator (or None = use domain) per tensor input
    values: Any = None
    #: run gradcheck (False where finite differences are meaningless, e.g. at ties; backward vs
    #: torch is still checked)
    supports_gradcheck: bool = True
    #: why this op must read GPU data back to the host (its output shape depends on the values, ...),
    #: as its torch counterpart does; None = it must never sync
    syncs_by_nature: str | None = None


def collect() -> list:
    from . import op_table_core

    ops = list(op_table_core.OPS)
    try:
        from . import op_table_nn
    except ImportError:  # nn rows not written yet
        op_table_nn = None
    if op_table_nn is not None:
        ops += list(op_table_nn.OPS)
    from . import (
        op_table_contraction,
        op_table_gamma,
        op_table_linalg,
        op_table_math,
        op_table_nn_more,
        op_table_stats,
        op_table_structure,
    )

    for family in (op_table_math, op_table_structure, op_table_contraction, op_table_linalg, op_table_gamma,
                   op_table_nn_more, op_table_stats):
        ops += list(family.OPS)
    return ops
