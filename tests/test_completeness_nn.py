"""nn.init's deprecated non-underscore names (torch 2.13 still has them): each warns with torch's
FutureWarning text and delegates to the underscore version."""
from __future__ import annotations

import pytest

import minitorch

from .helpers import require_torch

torch = require_torch()

DEPRECATED = ["uniform", "normal", "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform",
              "kaiming_normal", "orthogonal", "sparse", "eye", "dirac"]
ARGS = {"constant": (0.5,), "sparse": (0.5,)}


@pytest.mark.parametrize("name", DEPRECATED)
def test_deprecated_init_names_warn_like_torch_and_delegate(name):
    shape = (3, 2, 3) if name == "dirac" else (4, 3)
    tm, tt = minitorch.empty(*shape), torch.empty(*shape)
    with pytest.warns(FutureWarning) as wt:
        rt = getattr(torch.nn.init, name)(tt, *ARGS.get(name, ()))
    with pytest.warns(FutureWarning) as wm:
        minitorch.manual_seed(0)
        rm = getattr(minitorch.nn.init, name)(tm, *ARGS.get(name, ()))
    assert str(wm[0].message) == str(wt[0].message)
    assert rm is tm and rt is tt
    assert getattr(minitorch.nn.init, name).__name__ == getattr(torch.nn.init, name).__name__
    if name in ("eye", "dirac", "constant"):  # deterministic: equal values
        assert (rm.numpy() == rt.numpy()).all()
    minitorch.manual_seed(0)
    ref = getattr(minitorch.nn.init, name + "_")(minitorch.empty(*shape), *ARGS.get(name, ()))
    assert (ref.numpy() == rm.numpy()).all()
