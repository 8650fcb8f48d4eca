"""Binary ops promote dtypes as torch does, not as NumPy does: a 0-d tensor or a Python/NumPy scalar of the same
category never widens a dimensioned tensor (``int32 + tensor(3)`` is int32, ``uint8 - tensor(128)`` wraps mod
256), an int with a float gives that float (``float16 + int64`` is float16). The full dtype matrix x operand
forms (1-d tensor, 0-d tensor, Python scalar) for each op, dtype and values against torch; gradients of float
pairs; the cuda device (fake or real)."""
from __future__ import annotations

import contextlib
import warnings

import numpy as np
import pytest
import torch

import minitorch as mt

from .helpers import devices, no_host_sync

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FORMS = ["1d", "0d", "py"]
# values wrap into small dtypes the same way in both libraries (made with NumPy's astype)
LHS = np.array([-7, 5, 0, 255])
RHS = np.array([3, -3, 2, 128])
POW_RHS = np.array([2, 3, 0, 1])


def _operand(lib, dtype: str, form: str, base: np.ndarray, device: str = "cpu"):
    arr = base.astype(np.float64 if dtype.startswith("float") else np.int64).astype(dtype)
    if form == "py":
        v = arr[-1].item()
        return float(v) + 0.5 if dtype.startswith("float") else v
    if form == "0d":
        arr = arr[-1]
    t = lib.tensor(np.array(arr), dtype=getattr(lib, dtype))
    return t.to(device) if lib is mt and device != "cpu" else t


def _cond(lib, device="cpu"):
    c = lib.tensor([True, False, True, False])
    return c.to(device) if lib is mt and device != "cpu" else c


OPS = {
    "add": lambda lib, x, y: x + y,
    "sub": lambda lib, x, y: x - y,
    "mul": lambda lib, x, y: x * y,
    "div": lambda lib, x, y: x / y,
    "pow": lambda lib, x, y: x ** y,
    "remainder": lambda lib, x, y: lib.remainder(x, y),
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "minimum": lambda lib, x, y: lib.minimum(x, y),
    "where": lambda lib, x, y: lib.where(_cond(lib, getattr(x, "device", getattr(y, "device", "cpu"))), x, y),
    "atan2": lambda lib, x, y: lib.atan2(x, y),
    "clamp": lambda lib, x, y: lib.clamp(x, min=y),
    "eq": lambda lib, x, y: lib.eq(x, y),
    "lt": lambda lib, x, y: x < y,
    "ge": lambda lib, x, y: x >= y,
}
TENSORS_ONLY = {"maximum", "minimum", "atan2"}
SCALAR_FIRST = {"add", "sub", "mul", "div", "pow", "where"}  # ops torch takes a Python scalar first for


def _run(lib, op, x, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with np.errstate(all="ignore"):
                return OPS[op](lib, x, y), None
        except Exception as e:  # noqa: BLE001 - compared with torch's outcome below
            return None, e


def _compare(op: str, device: str = "cpu") -> list:
    """The cases where minitorch's dtype or values differ from torch's (or one raises and the other not)."""
    bad = []
    rhs_base = POW_RHS if op == "pow" else RHS
    pairs = [(fa, fb) for fa in ("1d", "0d") for fb in FORMS]
    if op in SCALAR_FIRST:
        pairs += [("py", "1d"), ("py", "0d")]
    for da in DTYPES:
        for db in DTYPES:
            for fa, fb in pairs:
                if op in TENSORS_ONLY and "py" in (fa, fb):
                    continue
                args = {}
                for lib in (torch, mt):
                    dev = device if lib is mt else "cpu"
                    args[lib] = (_operand(lib, da, fa, LHS, dev), _operand(lib, db, fb, rhs_base, dev))
                t, terr = _run(torch, op, *args[torch])
                m, merr = _run(mt, op, *args[mt])
                case = f"{op}({da} {fa}, {db} {fb})"
                if terr is not None or merr is not None:
                    if (terr is None) != (merr is None):
                        bad.append(f"{case}: torch {terr!r} minitorch {merr!r}")
                    continue
                if str(m.dtype) != str(t.dtype):
                    bad.append(f"{case}: dtype {m.dtype} != torch {t.dtype}")
                    continue
                mv, tv = m.cpu().numpy(), t.numpy()
                if mv.shape != tv.shape:
                    bad.append(f"{case}: shape {mv.shape} != torch {tv.shape}")
                    continue
                if tv.dtype.kind == "f":
                    tol = 2e-3 if tv.dtype == np.float16 else 1e-6
                    ok = np.allclose(mv, tv, rtol=tol, atol=tol, equal_nan=True)
                else:
                    ok = np.array_equal(mv, tv)
                if not ok:
                    bad.append(f"{case}: values {mv} != torch {tv}")
    return bad


@pytest.mark.parametrize("op", list(OPS))
def test_dtype_matrix_matches_torch(op):
    bad = _compare(op)
    assert not bad, f"{len(bad)} cases differ:\n" + "\n".join(bad[:40])


# ---------------------------------------------------------------- the probe's cases, spelled out ---------
def test_probe_cases():
    u = mt.tensor([255, 0], dtype=mt.uint8) - mt.tensor(128)
    assert u.dtype is mt.uint8 and u.tolist() == [127, 128]
    assert (mt.tensor([1, 2], dtype=mt.int32) + mt.tensor(3)).dtype is mt.int32
    assert (mt.tensor([1.0, 2.0], dtype=mt.float16) * mt.tensor(0.1)).dtype is mt.float16
    assert (mt.tensor([1.0], dtype=mt.float16) + mt.tensor([1, 2])).dtype is mt.float16
    # torch wraps a Python int into a uint8 tensor's width before comparing (-1 is 255)
    assert (mt.tensor([255, 0], dtype=mt.uint8) == -1).tolist() == [True, False]
    # float32 compared with a 0-d float64: in float32, as torch
    assert (mt.tensor([0.1]) == mt.tensor(0.1, dtype=mt.float64)).tolist() == [True]
    # NumPy scalars count as Python numbers, as in torch
    assert (mt.tensor([1.0], dtype=mt.float16) * np.float32(2)).dtype is mt.float16
    assert (mt.tensor([1], dtype=mt.int32) + np.int64(2)).dtype is mt.int32


# ---------------------------------------------------------------- autograd of mixed float pairs ------------
FLOAT_PAIRS = [("float32", "float64", "1d", "0d"), ("float64", "float32", "0d", "1d"),
               ("float32", "float16", "1d", "1d"), ("float16", "float64", "1d", "0d"),
               ("float64", "float64", "1d", "1d")]
GRAD_OPS = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "where", "atan2", "clamp"]


@pytest.mark.parametrize("op", GRAD_OPS)
@pytest.mark.parametrize("da,db,fa,fb", FLOAT_PAIRS)
def test_mixed_float_gradients_match_torch(op, da, db, fa, fb):
    a = np.array([0.7, 1.5, 2.0, 0.3])
    b = np.array([1.2, 0.4, 2.0, 0.9])
    res = {}
    for lib in (torch, mt):
        x = lib.tensor(a if fa == "1d" else a[0], dtype=getattr(lib, da), requires_grad=True)
        y = lib.tensor(b if fb == "1d" else b[0], dtype=getattr(lib, db), requires_grad=True)
        out = OPS[op](lib, x, y)
        out.sum().backward()  # leaf grads come in the leaf's dtype (autograd.grad's results: see the report)
        res[lib] = (out, x.grad, y.grad)
    (t, tgx, tgy), (m, mgx, mgy) = res[torch], res[mt]
    assert str(m.dtype) == str(t.dtype)
    assert str(mgx.dtype) == str(tgx.dtype) and str(mgy.dtype) == str(tgy.dtype)
    tol = 3e-3 if "float16" in (da, db) else 1e-5
    for mv, tv in ((m, t), (mgx, tgx), (mgy, tgy)):
        np.testing.assert_allclose(mv.detach().numpy().astype(np.float64), tv.detach().numpy().astype(np.float64),
                                   rtol=tol, atol=tol)


# ---------------------------------------------------------------- the cuda device ---------------------------
@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "where", "eq"])
def test_dtype_matrix_cuda(device, op):
    bad = _compare(op, device)
    assert not bad, f"{len(bad)} cases differ:\n" + "\n".join(bad[:40])


@pytest.mark.parametrize("device", devices())
def test_mixed_dtypes_no_host_sync(device):
    x = mt.tensor([255, 0], dtype=mt.uint8).to(device)
    s = mt.tensor(128).to(device)
    h = mt.tensor([1.0, 2.0], dtype=mt.float16).to(device)
    with no_host_sync() if device == "cuda" else contextlib.nullcontext():
        u = x - s
        f = h * mt.tensor(0.1).to(device)
        g = h + mt.tensor([1, 2]).to(device)
        e = x == -1
    assert u.dtype is mt.uint8 and u.tolist() == [127, 128]
    assert f.dtype is mt.float16 and g.dtype is mt.float16
    assert e.tolist() == [True, False]


@pytest.mark.parametrize("op", ["fmod", "floor_divide"])
@pytest.mark.parametrize("a, b", [
    (np.array([7, -7], np.int32), np.array(3)),
    (np.array([7.0, -7.0], np.float16), np.array([2, 3])),
    (np.array([200, 3], np.uint8), np.array(7)),
    (np.array([7.5, -7.5], np.float32), np.array(2.0)),
])
def test_fmod_and_floor_divide_promote_like_torch(op, a, b):
    r_t = getattr(torch, op)(torch.tensor(a), torch.tensor(b))
    r_m = getattr(mt, op)(mt.tensor(a), mt.tensor(b))
    assert str(r_m.dtype) == str(r_t.dtype)
    np.testing.assert_array_equal(r_m.numpy(), r_t.numpy())
