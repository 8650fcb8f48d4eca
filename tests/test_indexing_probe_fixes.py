"""Probe fixes: torch's layout of mixed basic/advanced indexing (an int or 0-d integer tensor selects first, so
in ``x[0, :, [1, 2]]`` the index dims stay in place where NumPy would move them to the front) for getitem,
setitem, index_put and gradients; uint8 tensor indices as masks; torch.einsum's sublist format. All compared
with torch."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch, requires_cuda

torch = require_torch()


# ---------------------------------------------------------------- random index tuples ---------------------
def _entry(rng, n: int, kinds: list) -> tuple:
    """One index entry for a dim of size n (n >= 2): (kind, payload). Advanced index arrays broadcast to (2,)
    or (2, 2)."""
    kind = kinds[rng.integers(len(kinds))]
    if kind in ("int", "t0"):
        return kind, int(rng.integers(-n, n))
    if kind == "slice":
        return kind, [(1, None, None), (None, None, 2), (0, 2, None), (None, None, None)][rng.integers(4)]
    if kind in ("list", "long1"):
        return kind, [int(v) for v in rng.choice(n, 2, replace=False)]
    if kind == "long2":
        return kind, rng.integers(0, n, (2, 1) if rng.integers(2) else (1, 2)).tolist()
    if kind == "mask":
        m = np.zeros(n, bool)
        m[rng.choice(n, 2, replace=False)] = True
        return kind, m.tolist()
    return kind, None


_CONSUMING = ["int", "t0", "slice", "slice", "list", "long1", "long2", "mask"]


def _random_spec(rng, shape: tuple) -> list:
    spec, dim, ellipsis_used = [], 0, False
    while dim < len(shape):
        r = rng.random()
        if r < 0.08:
            spec.append(("none", None))
        elif r < 0.12:
            spec.append(("bool0", True) if rng.integers(2) else ("pybool", True))
        elif r < 0.2 and not ellipsis_used:
            ellipsis_used = True
            skip = int(rng.integers(0, len(shape) - dim + 1))
            spec.append(("ell", None))
            dim += skip
        elif r < 0.25 and spec:
            break  # the remaining dims implicit
        else:
            spec.append(_entry(rng, shape[dim], _CONSUMING))
            dim += 1
    return spec


def _build(spec: list, lib, device: str):
    out = []
    for kind, p in spec:
        if kind == "int":
            out.append(p)
        elif kind == "t0":
            out.append(lib.tensor(p, device=device))
        elif kind == "slice":
            out.append(slice(*p))
        elif kind == "none":
            out.append(None)
        elif kind == "ell":
            out.append(Ellipsis)
        elif kind == "list":
            out.append(list(p))
        elif kind in ("long1", "long2"):
            out.append(lib.tensor(p, dtype=lib.int64, device=device))
        elif kind == "mask":
            out.append(lib.tensor(p, dtype=lib.bool, device=device))
        elif kind == "bool0":
            out.append(lib.tensor(p, device=device))
        else:
            out.append(p)
    return tuple(out)


_SHAPES = [(2, 3, 4), (2, 3, 4, 5)]
_N = 120
_CASES = []
for _shape in _SHAPES:
    _rng = np.random.default_rng(len(_shape))
    _CASES += [(_shape, _random_spec(_rng, _shape)) for _ in range(_N)]
# the probe cases, and the int-between-lists shapes explicitly
_CASES += [((2, 3, 4), s) for s in (
    [("int", 0), ("slice", (None, None, None)), ("list", [1, 2])],
    [("t0", 0), ("slice", (None, None, None)), ("list", [1, 2])],
    [("none", None), ("t0", 0), ("slice", (None, None, None)), ("list", [1, 2])],
    [("list", [0, 1]), ("int", 1), ("list", [2, 3])],
    [("list", [0, 1]), ("slice", (None, None, None)), ("int", 1)],
    [("int", 1), ("ell", None), ("long2", [[0], [3]])],
    [("int", -1), ("none", None), ("long1", [2, 0])],
    [("int", 0), ("mask", [True, False, True]), ("slice", (1, None, None))],
    [("int", 0), ("slice", (None, None, 2)), ("mask", [True, False, True, False])],
)]
_CASES += [((2, 3, 4, 5), s) for s in (
    [("int", 1), ("slice", (None, None, None)), ("slice", (None, None, None)), ("list", [0])],
    [("slice", (None, None, None)), ("int", 1), ("slice", (None, None, None)), ("list", [1, 3])],
    [("int", 0), ("slice", (None, None, None)), ("int", 1), ("list", [1, 3])],
    [("int", 0), ("slice", (None, None, None)), ("list", [1, 0]), ("int", 2)],
    [("t0", 1), ("none", None), ("long1", [0, 2]), ("ell", None), ("int", 3)],
)]
_IDS = [f"{len(s)}d-" + "-".join(k for k, _ in spec) + f"-{n}" for n, (s, spec) in enumerate(_CASES)]


def _x(lib, shape, device, requires_grad=False):
    x = lib.tensor(np.arange(np.prod(shape), dtype=np.float64).reshape(shape), device=device)
    return x.requires_grad_(requires_grad)


def _torch_get(shape, spec):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _x(torch, shape, "cpu")[_build(spec, torch, "cpu")]
        except (IndexError, RuntimeError, ValueError):
            return None


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize(("shape", "spec"), _CASES, ids=_IDS)
def test_getitem_layout_matches_torch(shape, spec, device):
    expected = _torch_get(shape, spec)
    got_call = lambda: _x(minitorch, shape, device)[_build(spec, minitorch, device)]  # noqa: E731
    if expected is None:
        with pytest.raises((IndexError, RuntimeError, ValueError)):
            got_call().cpu()
        return
    assert_close(got_call(), expected, msg=str(spec))


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize(("shape", "spec"), _CASES, ids=_IDS)
def test_setitem_layout_matches_torch(shape, spec, device):
    """y[idx] = v with v in torch's layout of y[idx] (values derived from x[idx], so repeated positions
    get equal values and the result does not depend on the write order)."""
    picked = _torch_get(shape, spec)
    if picked is None:
        return
    value = picked * 2 + 1
    t = _x(torch, shape, "cpu")
    t[_build(spec, torch, "cpu")] = value
    m = _x(minitorch, shape, device)
    m[_build(spec, minitorch, device)] = minitorch.tensor(value.numpy(), device=device)
    assert_close(m, t, msg=str(spec))
    # through the autograd path (IndexPut): gradients to the base and to the value
    w = torch.from_numpy(np.random.default_rng(0).standard_normal(shape))
    tx, tv = _x(torch, shape, "cpu", True), value.clone().requires_grad_()
    ty = tx * 1
    ty[_build(spec, torch, "cpu")] = tv
    (ty * w).sum().backward()
    mx = _x(minitorch, shape, device, True)
    mv = minitorch.tensor(value.numpy(), device=device).requires_grad_()
    my = mx * 1
    my[_build(spec, minitorch, device)] = mv
    (my * minitorch.tensor(w.numpy(), device=device)).sum().backward()
    assert_close(my, ty, msg=str(spec))
    assert_close(mx.grad, tx.grad, msg=str(spec))
    assert_close(mv.grad, tv.grad, msg=str(spec))


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize(("shape", "spec"), _CASES, ids=_IDS)
def test_getitem_gradient_matches_torch(shape, spec, device):
    picked = _torch_get(shape, spec)
    if picked is None:
        return
    w = torch.from_numpy(np.random.default_rng(1).standard_normal(tuple(picked.shape)))
    tx = _x(torch, shape, "cpu", True)
    (tx[_build(spec, torch, "cpu")] * w).sum().backward()
    mx = _x(minitorch, shape, device, True)
    (mx[_build(spec, minitorch, device)] * minitorch.tensor(w.numpy(), device=device)).sum().backward()
    assert_close(mx.grad, tx.grad, msg=str(spec))


@pytest.mark.parametrize("device", devices())
def test_probe_values_and_double_backward(device):
    x = minitorch.arange(24.0, device=device).reshape(2, 3, 4)
    assert x[0, :, [1, 2]].tolist() == [[1, 2], [5, 6], [9, 10]]
    assert tuple(minitorch.zeros(2, 3, 4, 5, device=device)[1, :, :, [0]].shape) == (3, 4, 1)
    y = x.clone()
    y[0, :, [1, 2]] = minitorch.ones(3, 2, device=device)
    t = torch.arange(24.0).reshape(2, 3, 4)
    t[0, :, [1, 2]] = torch.ones(3, 2)
    assert_close(y, t)
    # the value broadcast from fewer dims, and from a leading size-1 dim
    for v in ([[5.0, 6.0]], [[[5.0, 6.0]]], [[5.0], [6.0], [7.0]]):
        y, t = x.clone(), torch.arange(24.0).reshape(2, 3, 4)
        y[1, :, [0, 3]] = minitorch.tensor(v, device=device)
        t[1, :, [0, 3]] = torch.tensor(v)
        assert_close(y, t)
    # double backward: IndexAdd's backward gathers in torch's layout again
    mx = minitorch.tensor(np.random.default_rng(2).standard_normal((2, 3, 4)), device=device, requires_grad=True)
    tx = torch.from_numpy(mx.detach().cpu().numpy()).requires_grad_()
    outs = []
    for L, a in ((minitorch, mx), (torch, tx)):
        g = L.autograd.grad((a[1, :, [0, 3]] ** 3).sum(), a, create_graph=True)[0]
        outs.append(L.autograd.grad((g[1, :, [3, 0]] * g[1, :, [0, 3]]).sum(), a)[0])
    assert_close(outs[0], outs[1])


def test_forward_ad_through_a_0d_tensor_index():
    import torch.autograd.forward_ad as tfw

    import minitorch.autograd.forward_ad as mfw

    base = np.arange(24.0).reshape(2, 3, 4)
    tangent = np.random.default_rng(3).standard_normal((2, 3, 4))
    res = []
    for L, fw in ((minitorch, mfw), (torch, tfw)):
        with fw.dual_level():
            d = fw.make_dual(L.tensor(base), L.tensor(tangent))
            out = d[None, L.tensor(0), :, [1, 2]]
            res.append((fw.unpack_dual(out).primal, fw.unpack_dual(out).tangent))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])


@pytest.mark.parametrize("device", devices())
def test_index_put_with_0d_and_list(device):
    x = np.arange(24.0).reshape(2, 3, 4)
    v = np.arange(8.0).reshape(2, 4)
    got = minitorch.index_put(minitorch.tensor(x, device=device),
                              (minitorch.tensor(1, device=device), minitorch.tensor([0, 2], device=device)),
                              minitorch.tensor(v, device=device))
    want = torch.index_put(torch.tensor(x), (torch.tensor(1), torch.tensor([0, 2])), torch.tensor(v))
    assert_close(got, want)


@pytest.mark.parametrize("device", devices())
def test_uint8_tensor_index_is_a_mask(device):
    x = np.arange(24.0).reshape(2, 3, 4)
    for idx in ([1, 0], 1, [[1, 0, 1], [0, 0, 1]]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = torch.tensor(x)[torch.tensor(idx, dtype=torch.uint8)]
        with pytest.warns(UserWarning, match="uint8 is now deprecated"):
            got = minitorch.tensor(x, device=device)[minitorch.tensor(idx, dtype=minitorch.uint8, device=device)]
        assert_close(got, want)


# ---------------------------------------------------------------- einsum sublist format -------------------
_E = Ellipsis
_SUBLISTS = [
    ("mv", [(3, 4), (4,)], lambda a, b: ([a, [0, 1], b, [1], [0]])),
    ("mm-implicit", [(3, 4), (4, 5)], lambda a, b: ([a, [0, 1], b, [1, 2]])),
    ("outer-high-letters", [(3,), (4,)], lambda a, b: ([a, [30], b, [51], [51, 30]])),
    ("batch-ellipsis", [(2, 3, 4), (2, 4, 5)], lambda a, b: ([a, [_E, 0, 1], b, [_E, 1, 2], [_E, 0, 2]])),
    ("ellipsis-implicit", [(2, 3, 4), (4,)], lambda a, b: ([a, [_E, 1], b, [1]])),
    ("trace", [(4, 4)], lambda a: ([a, [7, 7], []])),
    ("three", [(2, 3), (3, 4), (4, 2)], lambda a, b, c: ([a, [0, 1], b, (1, 2), c, [2, 3], [0, 3]])),
]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize(("name", "shapes", "args"), _SUBLISTS, ids=[s[0] for s in _SUBLISTS])
def test_einsum_sublist_format(name, shapes, args, device):
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(s) for s in shapes]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    ms = [minitorch.tensor(a, device=device, requires_grad=True) for a in arrays]
    want, got = torch.einsum(*args(*ts)), minitorch.einsum(*args(*ms))
    assert_close(got, want)
    w = rng.standard_normal(tuple(want.shape))
    (want * torch.tensor(w)).sum().backward()
    (got * minitorch.tensor(w, device=device)).sum().backward()
    for m, t in zip(ms, ts):
        assert_close(m.grad, t.grad)


@pytest.mark.parametrize("args", [
    lambda L: (L.ones(2, 2), [0, 52]),
    lambda L: (L.ones(2, 2), [0, -1]),
    lambda L: (L.ones(2, 2), [0, 1], L.ones(2, 2), [1, 60], [0]),
    lambda L: (L.ones(2, 2),),
])
def test_einsum_sublist_errors_like_torch(args):
    raises_like_torch(lambda: torch.einsum(*args(torch)), lambda: minitorch.einsum(*args(minitorch)))


@requires_cuda
def test_cuda_0d_index_reorders_without_a_host_sync():
    x = minitorch.arange(24.0, device="cuda").reshape(2, 3, 4).requires_grad_()
    idx = (minitorch.tensor(1, device="cuda"), slice(None), minitorch.tensor([0, 3], device="cuda"))
    w = minitorch.arange(6.0, device="cuda").reshape(3, 2)
    with no_host_sync():
        out = x[idx]
        (out * w).sum().backward()
        y = x.detach().clone()
        y[idx] = w
    t = torch.arange(24.0).reshape(2, 3, 4).requires_grad_()
    (t[1, :, [0, 3]] * torch.arange(6.0).reshape(3, 2)).sum().backward()
    assert_close(out, t[1, :, [0, 3]])
    assert_close(x.grad, t.grad)
    ty = t.detach().clone()
    ty[1, :, [0, 3]] = torch.arange(6.0).reshape(3, 2)
    assert_close(y, ty)
