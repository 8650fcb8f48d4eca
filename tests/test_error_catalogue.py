"""The error catalogue: bad inputs across the API raise PyTorch's exception type with a message that
names the op and the offending shapes/dtypes/devices. Each case runs the same bad call in torch
first, so the expected exception type is torch's own, not a guess."""
from __future__ import annotations

import io

import numpy as np
import pytest

import minitorch
import minitorch.nn as nn
import minitorch.nn.functional as F

from .helpers import require_torch

torch = require_torch()
tnn, tF = torch.nn, torch.nn.functional


def _pair(lib):
    """Small inputs built the same way in both libraries."""
    return {
        "a23": lib.ones(2, 3),
        "a34": lib.ones(3, 4),
        "a4": lib.ones(4),
        "a22": lib.ones(2, 2),
        "leaf": lib.ones(3, requires_grad=True),
        "img": lib.ones(1, 3, 8, 8),
        "logits": lib.ones(4, 5),
    }


# (case id, fn(lib, x) -> triggers the error, words the minitorch message must contain)
CASES = [
    ("add shape mismatch", lambda L, x: x["a23"] + x["a34"], ["add", "3", "4"]),
    ("sub shape mismatch", lambda L, x: x["a23"] - x["a4"], ["sub", "3", "4"]),
    ("mul shape mismatch", lambda L, x: x["a23"] * x["a4"], ["mul", "3", "4"]),
    ("div shape mismatch", lambda L, x: x["a23"] / x["a4"], ["div", "3", "4"]),
    ("maximum shape mismatch", lambda L, x: L.maximum(x["a23"], x["a4"]), ["maximum"]),
    ("where shape mismatch", lambda L, x: L.where(x["a23"] > 0, x["a23"], x["a4"]), ["where"]),
    ("matmul inner dims", lambda L, x: x["a23"] @ x["a4"].reshape(4, 1), ["matmul", "3", "4"]),
    ("matmul 0-d", lambda L, x: L.matmul(L.tensor(1.0), x["a4"]), ["matmul"]),
    ("mm not 2-D", lambda L, x: L.mm(x["a4"], x["a4"]), ["mm"]),
    ("bmm batch mismatch", lambda L, x: L.bmm(L.ones(2, 3, 4), L.ones(3, 4, 5)), ["bmm"]),
    ("cat dims mismatch", lambda L, x: L.cat([x["a23"], x["a34"]], dim=0), ["cat", "Sizes"]),
    ("cat rank mismatch", lambda L, x: L.cat([x["a23"], x["a4"]]), ["cat", "dimensions"]),
    ("cat empty list", lambda L, x: L.cat([]), ["cat"]),
    ("stack unequal", lambda L, x: L.stack([x["a23"], x["a34"]]), ["stack", "size"]),
    ("view wrong size", lambda L, x: x["a23"].view(4, 2), ["shape", "invalid", "6"]),
    ("reshape wrong size", lambda L, x: x["a23"].reshape(5), ["invalid", "6"]),
    ("expand bad", lambda L, x: x["a23"].expand(4, 3), ["expand"]),
    ("sum bad dim", lambda L, x: x["a23"].sum(dim=2), ["Dimension out of range"]),
    ("softmax bad dim", lambda L, x: x["a23"].softmax(dim=-3), ["Dimension out of range"]),
    ("transpose bad dim", lambda L, x: x["a23"].transpose(0, 5), ["Dimension out of range"]),
    ("unsqueeze bad dim", lambda L, x: x["a23"].unsqueeze(4), ["Dimension out of range"]),
    ("index out of range", lambda L, x: x["a23"][5], ["index", "5"]),
    ("float index tensor", lambda L, x: x["a4"][L.tensor([0.5])], ["indices", "long"]),
    ("gather bad index dtype", lambda L, x: x["a23"].gather(1, L.tensor([[0.0]])), ["gather"]),
    ("index_select 2-D index", lambda L, x: x["a23"].index_select(0, L.zeros(2, 2, dtype=L.int64)), ["index"]),
    ("mean of int tensor", lambda L, x: L.arange(4).mean(), ["mean", "dtype"]),
    ("item of many", lambda L, x: x["a23"].item(), ["elements"]),
    ("bool of many", lambda L, x: bool(x["a23"]), ["ambiguous"]),
    ("requires_grad on int", lambda L, x: L.arange(3).requires_grad_(), ["floating point"]),
    ("backward non-scalar", lambda L, x: (x["leaf"] * 2).backward(), ["scalar outputs"]),
    ("backward no grad", lambda L, x: x["a4"].sum().backward(), ["does not require grad"]),
    ("backward twice", lambda L, x: _backward_twice(L, x), ["second time", "retain_graph"]),
    ("inplace on leaf", lambda L, x: x["leaf"].add_(1), ["leaf", "in-place"]),
    ("saved tensor modified", lambda L, x: _modified_saved(L, x), ["modified by an inplace operation"]),
    ("numpy of grad tensor", lambda L, x: x["leaf"].numpy(), ["requires grad", "detach"]),
    ("grad of unused input", lambda L, x: L.autograd.grad(x["leaf"].sum(), [x["leaf"], L.ones(2, requires_grad=True)]),
     ["not have been used"]),
    ("linear wrong features", lambda L, x: L.nn.Linear(4, 2)(x["a23"]), ["3", "4"]),
    ("conv2d wrong channels", lambda L, x: L.nn.Conv2d(4, 2, 3)(x["img"]), ["channels", "4", "3"]),
    ("conv2d wrong rank", lambda L, x: L.nn.Conv2d(3, 2, 3)(L.ones(8)), ["conv2d"]),
    ("maxpool kernel too big", lambda L, x: L.nn.functional.max_pool2d(L.ones(1, 1, 2, 2), 5), ["pool", "size"]),
    ("cross_entropy target out of range",
     lambda L, x: L.nn.functional.cross_entropy(x["logits"], L.tensor([0, 1, 2, 9])),
     ["9", "out of"]),
    ("nll_loss target out of range", lambda L, x: L.nn.functional.nll_loss(x["logits"], L.tensor([0, 1, 2, -5])),
     ["out of"]),
    ("cross_entropy batch mismatch", lambda L, x: L.nn.functional.cross_entropy(x["logits"], L.tensor([0, 1])),
     ["batch", "4", "2"]),
    ("bce outside [0,1]", lambda L, x: L.nn.functional.binary_cross_entropy(L.tensor([1.5]), L.tensor([1.0])),
     ["between 0 and 1"]),
    ("mse shape mismatch warning-free error", lambda L, x: L.nn.functional.mse_loss(x["a23"], x["a34"]), ["size"]),
    ("embedding index out of range", lambda L, x: L.nn.Embedding(3, 2)(L.tensor([5])), ["index", "range"]),
    ("sgd negative lr", lambda L, x: L.optim.SGD([x["leaf"]], lr=-0.1), ["Invalid learning rate"]),
    ("adam bad beta", lambda L, x: L.optim.Adam([x["leaf"]], betas=(1.5, 0.9)), ["beta"]),
    ("adam bad eps", lambda L, x: L.optim.Adam([x["leaf"]], eps=-1.0), ["epsilon"]),
    ("sgd nesterov without momentum", lambda L, x: L.optim.SGD([x["leaf"]], lr=0.1, nesterov=True), ["Nesterov"]),
    ("optimizer empty params", lambda L, x: L.optim.SGD([], lr=0.1), ["empty parameter list"]),
    ("optimizer duplicate param", lambda L, x: L.optim.SGD([{"params": [x["leaf"]]}, {"params": [x["leaf"]]}], lr=0.1),
     ["more than one parameter group"]),
    ("optimizer tensor not iterable", lambda L, x: L.optim.SGD(x["leaf"], lr=0.1), ["iterable"]),
    ("module bad dropout p", lambda L, x: L.nn.Dropout(p=1.5), ["dropout probability"]),
]


def _backward_twice(L, x):
    y = (x["leaf"] * x["leaf"]).sum()
    y.backward()
    y.backward()


def _modified_saved(L, x):
    a = x["leaf"] * 1
    y = (a * a).sum()
    a.mul_(2)
    y.backward()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_torch_type_with_clear_message(case):
    name, fn, words = case
    with pytest.raises(Exception) as torch_err:
        fn(torch, _pair(torch))
    expected_type = type(torch_err.value)
    if expected_type.__name__ == "AcceleratorError" or not issubclass(
        expected_type, (RuntimeError, ValueError, TypeError, IndexError)
    ):
        expected_type = RuntimeError
    with pytest.raises(Exception) as err:
        fn(minitorch, _pair(minitorch))
    assert isinstance(err.value, expected_type), (
        f"{name}: minitorch raised {type(err.value).__name__}: {err.value}; torch raised {expected_type.__name__}"
    )
    msg = str(err.value)
    for w in words:
        assert w.lower() in msg.lower(), f"{name}: message {msg!r} lacks {w!r}"


def test_catalogue_has_at_least_40_cases():
    assert len(CASES) + len(NON_TORCH_CASES) >= 40


def _corrupt_checkpoint(tmp_path):
    path = tmp_path / "c.ckpt"
    minitorch.save({"w": minitorch.ones(3)}, str(path))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _pickle_checkpoint(tmp_path):
    import pickle

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"w": np.ones(3)}))
    return path


def _device_mix():
    if not minitorch.cuda.is_available():
        raise RuntimeError("cuda: CUDA is not available (device mixing is tested on GPU machines)")
    return minitorch.ones(2).cuda() + minitorch.ones(2)


NON_TORCH_CASES = [
    ("truncated checkpoint", lambda tmp: minitorch.load(str(_corrupt_checkpoint(tmp))), RuntimeError,
     ["checkpoint"]),
    ("pickle file is refused", lambda tmp: minitorch.load(str(_pickle_checkpoint(tmp))), RuntimeError, []),
    ("load_state_dict wrong keys",
     lambda tmp: nn.Linear(2, 2).load_state_dict({"weight": minitorch.ones(2, 2), "bogus": minitorch.ones(1)}),
     RuntimeError, ["Missing key", "bias", "Unexpected key", "bogus"]),
    ("load_state_dict wrong shape",
     lambda tmp: nn.Linear(2, 2).load_state_dict({"weight": minitorch.ones(3, 2), "bias": minitorch.ones(2)}),
     RuntimeError, ["size mismatch", "weight"]),
    ("optimizer state_dict mismatch", lambda tmp: minitorch.optim.SGD([minitorch.ones(2, requires_grad=True)], lr=0.1)
     .load_state_dict({"state": {}, "param_groups": []}), ValueError, ["group"]),
    ("device mixing", lambda tmp: _device_mix(), RuntimeError, ["cuda"]),
    ("dataset root without files", lambda tmp: minitorch.datasets.MNIST(str(tmp), train=False), RuntimeError,
     ["not found"]),
    ("F.conv2d weight rank", lambda tmp: F.conv2d(minitorch.ones(1, 1, 4, 4), minitorch.ones(3, 3)), RuntimeError,
     ["weight"]),
]


@pytest.mark.parametrize("case", NON_TORCH_CASES, ids=[c[0] for c in NON_TORCH_CASES])
def test_bad_input_outside_torch_comparison(case, tmp_path):
    name, fn, exc, words = case
    with pytest.raises(exc) as err:
        fn(tmp_path)
    for w in words:
        assert w.lower() in str(err.value).lower(), f"{name}: {err.value!r} lacks {w!r}"


def test_checkpoint_error_leaves_nothing_half_loaded(tmp_path):
    path = _corrupt_checkpoint(tmp_path)
    result = None
    with pytest.raises(RuntimeError):
        result = minitorch.load(str(path))
    assert result is None
    buf = io.BytesIO(b"not a checkpoint at all")
    with pytest.raises(RuntimeError):
        minitorch.load(buf)
