"""dtype facts and promotion (finfo, iinfo, promote_types, result_type, can_cast) against torch, every pair."""
from __future__ import annotations

import itertools

import pytest

import minitorch

from .helpers import raises_like_torch, require_torch

torch = require_torch()
NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
PAIRS = list(itertools.product(NAMES, NAMES))


def _name(d) -> str:
    return str(d).rsplit(".", 1)[-1]


@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types_and_can_cast_match_torch(a, b):
    da, db = getattr(minitorch, a), getattr(minitorch, b)
    ta, tb = getattr(torch, a), getattr(torch, b)
    assert _name(minitorch.promote_types(da, db)) == _name(torch.promote_types(ta, tb))
    assert minitorch.can_cast(da, db) == torch.can_cast(ta, tb)


def _operands(L, a, b, kind):
    """Two operands of dtypes a/b: 'dim' tensors with dimensions, '0d' zero-dim tensors, 'py' numbers."""
    def make(name, k):
        if k == "py":
            return {"bool": True, "float16": 1.5, "float32": 1.5, "float64": 1.5}.get(name, 3)
        return L.ones((2,) if k == "dim" else (), dtype=getattr(L, name))
    return make(a, kind[0]), make(b, kind[1])


@pytest.mark.parametrize("kind", [("dim", "dim"), ("dim", "0d"), ("0d", "dim"), ("dim", "py"), ("0d", "py"),
                                  ("py", "0d"), ("0d", "0d")])
def test_result_type_matches_torch_for_every_pair(kind):
    for a, b in PAIRS:
        m = minitorch.result_type(*_operands(minitorch, a, b, kind))
        t = torch.result_type(*_operands(torch, a, b, kind))
        assert _name(m) == _name(t), f"{a} {kind[0]} with {b} {kind[1]}"


@pytest.mark.parametrize("name", NAMES)
def test_finfo_and_iinfo_match_torch(name):
    d, td = getattr(minitorch, name), getattr(torch, name)
    if td.is_floating_point:
        m, t = minitorch.finfo(d), torch.finfo(td)
        for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(m, field) == getattr(t, field), field
        assert repr(m) == repr(t)
        raises_like_torch(lambda: torch.iinfo(td), lambda: minitorch.iinfo(d))
    elif name != "bool":  # torch.iinfo(torch.bool) raises; ours answers like uint8 (not compared)
        m, t = minitorch.iinfo(d), torch.iinfo(td)
        assert (m.bits, m.min, m.max, m.dtype) == (t.bits, t.min, t.max, t.dtype)
        assert repr(m) == repr(t)
        raises_like_torch(lambda: torch.finfo(td), lambda: minitorch.finfo(d))


def test_finfo_default_is_the_default_float_dtype():
    assert minitorch.finfo().eps == torch.finfo().eps
    assert minitorch.finfo(minitorch.float32).eps == minitorch.finfo().eps
