"""Pointwise math (ops/trig.py, ops/special.py) beyond the op table: errors, edge values, in-place
methods, integer-input dtypes and the special-function fallbacks, each compared with torch."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minitorch as mt
from minitorch.ops import special, trig

from .helpers import assert_close, raises_like_torch, require_torch, requires_cuda

torch = require_torch()

INF, NAN = math.inf, math.nan
NEW_NAMES = sorted(set(trig.__all__) | set(special.__all__))


def both(values, dtype="float32", requires_grad=False):
    """The same values as a minitorch and a torch tensor."""
    a = np.asarray(values, dtype=dtype)
    m, t = mt.tensor(a), torch.from_numpy(a.copy())
    if requires_grad:
        m.requires_grad_(True)
        t.requires_grad_(True)
    return m, t


def _dt(x) -> str:
    return str(x.dtype).rsplit(".", 1)[-1]


# ---------------------------------------------------------------- the API surface -----------------
@pytest.mark.parametrize("name", NEW_NAMES)
def test_top_level_method_and_inplace_exist_where_torch_has_them(name):
    assert callable(getattr(mt, name)), f"minitorch.{name}"
    assert hasattr(mt.Tensor, name) == hasattr(torch.Tensor, name), f"Tensor.{name}"
    assert hasattr(mt.Tensor, name + "_") == hasattr(torch.Tensor, name + "_"), f"Tensor.{name}_"


def test_aliases_are_the_same_function():
    assert mt.arcsin is mt.asin and mt.arccos is mt.acos and mt.arctan is mt.atan
    assert mt.arctan2 is mt.atan2 and mt.arcsinh is mt.asinh and mt.arccosh is mt.acosh
    assert mt.arctanh is mt.atanh


def test_erf_lives_in_the_ops_layer_and_nn_reuses_it():
    import inspect

    import minitorch.nn.functional.activation as activation

    assert activation.erf is special.erf and activation.erf_array is special.erf_array
    for module in (special, trig):
        assert ".nn" not in "".join(line for line in inspect.getsource(module).splitlines() if "import" in line)


# ---------------------------------------------------------------- errors like torch ---------------
X3 = np.array([0.5, 1.0, 1.5], dtype=np.float32)
X2 = np.array([0.5, 1.0], dtype=np.float32)
I3 = np.array([1, 2, 3])


def _pair(a):
    return mt.tensor(a), torch.from_numpy(np.array(a))


ERROR_CASES = {
    "atan2_shapes": lambda L, T: L.atan2(T(X3), T(X2)),
    "atan2_scalar_other": lambda L, T: L.atan2(T(X3), 2.0),
    "atan2_scalar_input": lambda L, T: L.atan2(2.0, T(X3)),
    "hypot_shapes": lambda L, T: L.hypot(T(X3), T(X2)),
    "hypot_int": lambda L, T: L.hypot(T(I3), T(I3)),
    "logaddexp_int": lambda L, T: L.logaddexp(T(I3), T(I3)),
    "logaddexp2_scalar": lambda L, T: L.logaddexp2(T(X3), 1.0),
    "logaddexp_shapes": lambda L, T: L.logaddexp(T(X3), T(X2)),
    "xlogy_shapes": lambda L, T: L.xlogy(T(X3), T(X2)),
    "xlogy_two_scalars": lambda L, T: L.xlogy(2.0, 3.0),
    "lerp_shapes": lambda L, T: L.lerp(T(X3), T(X2), 0.5),
    "lerp_weight_shapes": lambda L, T: L.lerp(T(X3), T(X3), T(X2)),
    "lerp_end_dtype": lambda L, T: L.lerp(T(X3), T(X3.astype(np.float64)), 0.5),
    "lerp_weight_dtype": lambda L, T: L.lerp(T(X3), T(X3), T(X3.astype(np.float64))),
    "lerp_int": lambda L, T: L.lerp(T(I3), T(I3), 0.5),
    "lerp_scalar_end": lambda L, T: L.lerp(T(X3), 2.0, 0.5),
    "addcmul_shapes": lambda L, T: L.addcmul(T(X3), T(X2), T(X3)),
    "addcdiv_int": lambda L, T: L.addcdiv(T(X3), T(I3), T(I3)),
    "addcdiv_shapes": lambda L, T: L.addcdiv(T(X3), T(X3), T(X2)),
    "fmod_shapes": lambda L, T: L.fmod(T(X3), T(X2)),
    "fmod_scalar_input": lambda L, T: L.fmod(2.0, T(X3)),
    "copysign_scalar_input": lambda L, T: L.copysign(2.0, T(X3)),
    "copysign_shapes": lambda L, T: L.copysign(T(X3), T(X2)),
    "heaviside_dtypes": lambda L, T: L.heaviside(T(X3), T(X3.astype(np.float64))),
    "heaviside_scalar": lambda L, T: L.heaviside(T(X3), 0.5),
    "frac_int": lambda L, T: L.frac(T(I3)),
    "float_power_two_scalars": lambda L, T: L.float_power(2.0, 3.0),
    "float_power__float32": lambda L, T: T(X3).float_power_(2),
    "tan__int": lambda L, T: T(I3).tan_(),
    "erf__int": lambda L, T: T(I3).erf_(),
    "lerp__broadcast_grows": lambda L, T: T(X2[:1]).lerp_(T(X3), 0.5),
    "addcmul__broadcast_grows": lambda L, T: T(X2[:1]).addcmul_(T(X3), T(X3)),
    "atan2__broadcast_grows": lambda L, T: T(X2[:1]).atan2_(T(X3)),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_like_torch(case):
    call = ERROR_CASES[case]
    err = raises_like_torch(
        lambda: call(torch, lambda a: torch.from_numpy(np.array(a))),
        lambda: call(mt, lambda a: mt.tensor(np.array(a))),
    )
    assert str(err)


@pytest.mark.parametrize("name", ["tan_", "erf_", "lerp_", "xlogy_", "atan2_", "addcmul_", "nan_to_num_"])
def test_inplace_on_a_leaf_that_requires_grad_raises_like_torch(name):
    args = {"lerp_": (X3, 0.5), "xlogy_": (X3,), "atan2_": (X3,), "addcmul_": (X3, X3)}.get(name, ())

    def call(L, x):
        return getattr(x, name)(*[L.tensor(a) if isinstance(a, np.ndarray) else a for a in args])

    m, t = both(X3, requires_grad=True)
    raises_like_torch(lambda: call(torch, t), lambda: call(mt, m))


def test_heaviside_output_requires_grad_but_backward_raises_like_torch():
    m, t = both([-1.0, 0.0, 2.0], requires_grad=True)
    v = np.array([0.5], dtype=np.float32)
    mo, to = mt.heaviside(m, mt.tensor(v)), torch.heaviside(t, torch.from_numpy(v))
    assert mo.requires_grad == to.requires_grad
    assert_close(mo.detach(), to.detach())
    raises_like_torch(lambda: to.sum().backward(), lambda: mo.sum().backward())


# ---------------------------------------------------------------- edge values vs torch --------------
def _forward_and_grad(name, *values, kw=None, dtype="float64", rtol=1e-12):
    """Forward values and input gradients (for a sum upstream of ones) in minitorch and torch."""
    kw = kw or {}
    pairs = [both(v, dtype, requires_grad=True) for v in values]
    mo = getattr(mt, name)(*[p[0] for p in pairs], **kw)
    to = getattr(torch, name)(*[p[1] for p in pairs], **kw)
    assert _dt(mo) == _dt(to)
    assert_close(mo.detach(), to.detach(), rtol=rtol, atol=0, msg=f"{name} forward")
    mo.sum().backward()
    to.sum().backward()
    for i, (m, t) in enumerate(pairs):
        assert_close(m.grad, t.grad, rtol=rtol, atol=0, msg=f"{name} grad of input {i}")


def test_xlogy_at_zero_nan_and_negative():
    x = [0.0, 0.0, 0.0, 1.0, 2.0, 0.0, 0.0, -1.5]
    y = [0.0, -1.0, 2.0, 0.0, NAN, NAN, INF, 3.0]
    _forward_and_grad("xlogy", x, y)
    m, t = both(x)
    assert_close(mt.xlogy(m, 0), torch.xlogy(t, 0))
    assert_close(mt.xlogy(0, mt.tensor(y)), torch.xlogy(0, torch.tensor(y)))
    assert mt.xlogy(mt.tensor(0.0), mt.tensor(0.0)).item() == 0.0


def test_logaddexp_with_infinities():
    a = [-INF, INF, 1.0, -INF, 800.0, -800.0]
    b = [-INF, INF, -INF, 2.0, 800.0, -801.0]
    _forward_and_grad("logaddexp", a, b)
    _forward_and_grad("logaddexp2", a, b)


@pytest.mark.parametrize("eps", [None, 0.1])
def test_logit_at_and_beyond_the_ends(eps):
    _forward_and_grad("logit", [-0.5, 0.0, 0.05, 0.1, 0.5, 0.9, 1.0, 1.5], kw={"eps": eps})


def test_sinc_at_zero():
    # near 0 both formulas for the slope cancel (cos(pi x) against sinc(x)): digits agree to ~1e-12
    _forward_and_grad("sinc", [0.0, 0.5, -1.0, 1e-3], rtol=1e-10)


def test_hypot_and_atan2_at_the_origin():
    _forward_and_grad("hypot", [0.0, 3.0], [0.0, -4.0])
    _forward_and_grad("atan2", [0.5, -0.5, 0.5], [1.0, -1.0, -2.0])


def test_fmod_truncates_where_remainder_floors():
    m, t = both([-3.0, 3.0, -3.0, 5.5])
    mb, tb = both([2.0, -2.0, -2.0, 1.5])
    assert mt.fmod(m, mb).tolist() == [-1.0, 1.0, -1.0, 1.0]
    assert_close(mt.fmod(m, mb), torch.fmod(t, tb))
    assert_close(mt.fmod(m, 2), torch.fmod(t, 2))
    assert mt.fmod(mt.tensor([-3]), 2).tolist() == [-1]
    assert mt.remainder(mt.tensor([-3]), 2).tolist() == [1]
    _forward_and_grad("fmod", [-3.0, 3.0, 5.5], [2.0, -2.0, 1.5])


def test_copysign_sees_negative_zero():
    m, t = both([1.0, 2.0, 0.0, -3.0])
    mb, tb = both([-0.0, 0.0, -1.0, -0.0])
    assert_close(mt.copysign(m, mb), torch.copysign(t, tb))
    assert np.signbit(mt.copysign(m, mb).numpy()).tolist() == torch.signbit(torch.copysign(t, tb)).tolist()
    _forward_and_grad("copysign", [1.0, -2.0, 0.0, 3.0], [-1.0, -1.0, 1.0, -0.0])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_nan_to_num_defaults_are_the_dtype_limits(dtype):
    m, t = both([NAN, INF, -INF, 1.5], dtype)
    out = mt.nan_to_num(m)
    assert _dt(out) == dtype
    assert_close(out, torch.nan_to_num(t), rtol=0, atol=0)
    assert out.numpy()[1] == np.finfo(dtype).max
    assert_close(mt.nan_to_num(m, nan=2.0, neginf=0.0), torch.nan_to_num(t, nan=2.0, neginf=0.0))


def test_nan_to_num_gradient_passes_only_where_finite():
    _forward_and_grad("nan_to_num", [NAN, INF, -INF, 1.5, -2.0])


def test_frac_signbit_sgn_heaviside_edges():
    vals = [-2.5, -0.0, 0.0, 1.75, INF, -INF, NAN]
    m, t = both(vals)
    assert mt.signbit(m).tolist() == torch.signbit(t).tolist()
    assert_close(mt.frac(m), torch.frac(t))
    assert_close(mt.sgn(m), torch.sgn(t))
    hv = np.array([0.25], dtype=np.float32)
    assert_close(mt.heaviside(m, mt.tensor(hv)), torch.heaviside(t, torch.from_numpy(hv)))
    assert mt.signbit(mt.tensor([True, False])).tolist() == [False, False]


def test_float_power_result_is_float64_with_float32_gradients():
    m, t = both([0.5, 1.5, 2.0], requires_grad=True)
    mo, to = mt.float_power(m, 2.5), torch.float_power(t, 2.5)
    assert _dt(mo) == _dt(to) == "float64"
    assert_close(mo.detach(), to.detach(), rtol=1e-12, atol=0)
    mo.sum().backward()
    to.sum().backward()
    assert _dt(m.grad) == "float32"
    assert_close(m.grad, t.grad)


def test_lerp_weights_at_and_beyond_the_ends():
    for w in (0.0, 1.0, 0.5, -0.5, 1.5, 2):
        m, t = both([1.0, -2.0, 3.5])
        mb, tb = both([4.0, 0.5, -1.0])
        assert_close(mt.lerp(m, mb, w), torch.lerp(t, tb, w), rtol=0, atol=0)
    _forward_and_grad("lerp", [1.0, -2.0, 3.5], [4.0, 0.5, -1.0], [0.25, 0.75, 1.5])


def test_addcmul_int_value_is_truncated_like_torch():
    m, t = _pair(I3)
    assert_close(mt.addcmul(m, m, m, value=2.5), torch.addcmul(t, t, t, value=2.5))
    assert _dt(mt.addcmul(m, m, m, value=2.5)) == "int64"


# ---------------------------------------------------------------- erf family accuracy ---------------
ERF_X = np.concatenate([np.linspace(-6, 6, 241), [0.0, 2.5, -2.5, 1e-8, 10.0, 26.0, -27.0, INF, -INF, NAN]])
ERFINV_Y = np.concatenate([
    np.linspace(-0.999, 0.999, 201), 1 - np.logspace(-15, -2, 27), -(1 - np.logspace(-15, -2, 27)),
    [0.0, 1e-12, -1e-300, 0.5, 1.0, -1.0, 1.5, -2.0, INF, NAN],
])


def _torch64(name, x):
    return getattr(torch, name)(torch.from_numpy(np.asarray(x, dtype=np.float64))).numpy()


@pytest.mark.parametrize("name, x, rtol", [("erf", ERF_X, 1e-14), ("erfc", ERF_X, 1e-13),
                                           ("erfinv", ERFINV_Y, 1e-12)])
def test_erf_family_float64_matches_torch(name, x, rtol):
    ours = getattr(mt, name)(mt.tensor(x)).numpy()
    np.testing.assert_allclose(ours, _torch64(name, x), rtol=rtol, atol=0, equal_nan=True)


@pytest.mark.parametrize("name, x, rtol", [("erf", ERF_X, 1e-14), ("erfc", ERF_X, 1e-11),
                                           ("erfinv", ERFINV_Y, 1e-12)])
def test_erf_family_without_scipy_matches_torch(name, x, rtol, monkeypatch):
    """The no-SciPy fallbacks (series/continued fraction for erf/erfc, Newton for erfinv)."""
    monkeypatch.setattr(special, "_special", lambda arr, fn: None)
    with np.errstate(all="raise"):  # the fallback runs under its own errstate: nothing may leak
        ours = getattr(mt, name)(mt.tensor(x)).numpy()
    np.testing.assert_allclose(ours, _torch64(name, x), rtol=rtol, atol=0, equal_nan=True)
    if name == "erfinv":
        assert ours[list(x).index(1.0)] == INF and ours[list(x).index(-1.0)] == -INF


def test_erfinv_roundtrips_through_erf():
    y = np.linspace(-0.99, 0.99, 101)
    np.testing.assert_allclose(mt.erf(mt.erfinv(mt.tensor(y))).numpy(), y, rtol=1e-13, atol=1e-15)


def test_erfinv_at_plus_minus_one_and_outside():
    m, t = both([-1.0, 1.0, 1.0001, -3.0, 0.0])
    assert_close(mt.erfinv(m), torch.erfinv(t))
    assert mt.erfinv(m).tolist()[:2] == [-INF, INF]


# ---------------------------------------------------------------- in-place methods vs torch ----------
INPLACE_CASES = {  # name: (input values, extra args as (kind, value)); kind "t" = tensor argument
    **{n: ([0.2, -0.4, 0.6], ()) for n in (
        "tan_", "asin_", "arcsin_", "acos_", "arccos_", "atan_", "arctan_", "sinh_", "cosh_", "asinh_",
        "arcsinh_", "atanh_", "arctanh_", "deg2rad_", "rad2deg_", "erf_", "erfc_", "erfinv_", "expm1_",
        "exp2_", "sinc_", "frac_", "sgn_")},
    "acosh_": ([1.5, 2.0, 3.0], ()),
    "arccosh_": ([1.5, 2.0, 3.0], ()),
    "logit_": ([0.2, 0.5, 0.7], ()),
    "nan_to_num_": ([NAN, INF, 1.0], ()),
    "atan2_": ([0.2, -0.4, 0.6], (("t", [1.0, -1.0, 2.0]),)),
    "arctan2_": ([0.2, -0.4, 0.6], (("t", [1.0, -1.0, 2.0]),)),
    "hypot_": ([0.2, -0.4, 0.6], (("t", [1.0, -1.0, 2.0]),)),
    "xlogy_": ([0.0, -0.4, 0.6], (("t", [1.0, 2.0, 3.0]),)),
    "fmod_": ([-3.0, 3.0, 5.5], (("s", 2.0),)),
    "copysign_": ([0.2, -0.4, 0.6], (("t", [-1.0, 1.0, -1.0]),)),
    "heaviside_": ([0.0, -0.4, 0.6], (("t", [0.5, 0.5, 0.5]),)),
    "lerp_": ([0.2, -0.4, 0.6], (("t", [1.0, 2.0, 3.0]), ("s", 0.25))),
    "addcmul_": ([0.2, -0.4, 0.6], (("t", [1.0, 2.0, 3.0]), ("t", [0.5, 0.5, 2.0]))),
    "addcdiv_": ([0.2, -0.4, 0.6], (("t", [1.0, 2.0, 3.0]), ("t", [0.5, 0.5, 2.0]))),
}


def _inplace_args(L, extra, dtype):
    return [L.tensor(np.asarray(v, dtype=dtype)) if kind == "t" else v for kind, v in extra]


def test_every_inplace_method_has_a_case():
    ours = {n + "_" for n in NEW_NAMES if hasattr(mt.Tensor, n + "_")} - {"float_power_"}
    assert ours == set(INPLACE_CASES)


@pytest.mark.parametrize("name", sorted(INPLACE_CASES))
def test_inplace_method_matches_torch_and_returns_self(name):
    values, extra = INPLACE_CASES[name]
    m, t = both(values)
    mr = getattr(m, name)(*_inplace_args(mt, extra, "float32"))
    tr = getattr(t, name)(*_inplace_args(torch, extra, "float32"))
    assert mr is m and tr is t
    assert_close(m, t)


@pytest.mark.parametrize("name", ["tan_", "erf_", "lerp_", "xlogy_", "addcdiv_", "hypot_", "logit_"])
def test_inplace_on_a_non_leaf_backpropagates_like_torch(name):
    values, extra = INPLACE_CASES[name]
    grads = []
    for L in (mt, torch):
        leaf = L.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
        y = leaf * 1.0
        getattr(y, name)(*_inplace_args(L, extra, "float64"))
        (y * y).sum().backward()
        grads.append(leaf.grad)
    assert_close(grads[0], grads[1], rtol=1e-12, atol=1e-14)


def test_float_power_inplace_on_float64():
    m, t = both([0.5, 2.0], "float64")
    assert_close(m.float_power_(2.5), t.float_power_(2.5), rtol=1e-14, atol=0)


# ---------------------------------------------------------------- integer inputs: dtypes ------------
UNARY_FLOAT = ["tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "deg2rad", "rad2deg",
               "erf", "erfc", "erfinv", "expm1", "exp2", "logit", "sinc"]


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8", "bool"])
@pytest.mark.parametrize("name", UNARY_FLOAT + ["sgn", "signbit", "nan_to_num"])
def test_integer_input_dtype_like_torch(name, dtype):
    vals = [0, 1, 1] if dtype == "bool" else [0, 1, 2]
    m, t = both(vals, dtype)
    try:
        expected = getattr(torch, name)(t)
    except Exception:  # torch has no kernel for it (e.g. sgn on bool): minitorch must raise too
        raises_like_torch(lambda: getattr(torch, name)(t), lambda: getattr(mt, name)(m))
        return
    out = getattr(mt, name)(m)
    assert _dt(out) == _dt(expected), f"{name}({dtype})"
    assert_close(out, expected)


BINARY = ["atan2", "hypot", "xlogy", "logaddexp", "logaddexp2", "fmod", "copysign", "heaviside", "float_power"]
OPERAND_DTYPES = [("int64", "int64"), ("int32", "int64"), ("int64", "float32"), ("float32", "float64"),
                  ("float64", "int64"), ("bool", "bool"), ("uint8", "int16")]


@pytest.mark.parametrize("dtypes", OPERAND_DTYPES, ids=lambda d: "-".join(d))
@pytest.mark.parametrize("name", BINARY)
def test_binary_operand_dtypes_like_torch(name, dtypes):
    a_vals, b_vals = ([1, 0, 1], [1, 1, 0]) if "bool" in dtypes else ([3, 0, 5], [2, 1, 3])
    (ma, ta), (mb, tb) = both(a_vals, dtypes[0]), both(b_vals, dtypes[1])
    try:
        expected = getattr(torch, name)(ta, tb)
    except Exception:
        raises_like_torch(lambda: getattr(torch, name)(ta, tb), lambda: getattr(mt, name)(ma, mb))
        return
    out = getattr(mt, name)(ma, mb)
    assert _dt(out) == _dt(expected), f"{name}{dtypes}"
    assert_close(out, expected)


@pytest.mark.parametrize("case", [
    ("xlogy", "int64", 2), ("xlogy", "float64", 2), ("fmod", "int64", 2), ("fmod", "int64", 2.5),
    ("fmod", "float32", 2), ("copysign", "int64", -1), ("copysign", "float64", -1.0),
    ("float_power", "int64", 2), ("float_power", "float32", 0.5),
])
def test_tensor_scalar_dtypes_like_torch(case):
    name, dtype, scalar = case
    m, t = both([1, 2, 3], dtype)
    out, expected = getattr(mt, name)(m, scalar), getattr(torch, name)(t, scalar)
    assert _dt(out) == _dt(expected)
    assert_close(out, expected)


def test_zero_dim_float64_operand_does_not_widen():
    m, t = both([0.5, 1.5])
    m0, t0 = both(2.0, "float64")
    for name in ("atan2", "hypot", "xlogy", "logaddexp", "copysign", "fmod"):
        out, expected = getattr(mt, name)(m, m0), getattr(torch, name)(t, t0)
        assert _dt(out) == _dt(expected), name
        assert_close(out, expected)


# ---------------------------------------------------------------- method forms ---------------------
def test_method_forms_match_torch():
    x = np.array([0.3, 0.6, 0.9], dtype=np.float32)
    y = np.array([1.5, -0.5, 2.0], dtype=np.float32)
    calls = [
        lambda a, b, L: a.atan2(b), lambda a, b, L: a.hypot(b), lambda a, b, L: a.xlogy(b),
        lambda a, b, L: a.xlogy(2), lambda a, b, L: a.logaddexp(b), lambda a, b, L: a.fmod(b),
        lambda a, b, L: a.fmod(0.25), lambda a, b, L: a.copysign(b), lambda a, b, L: a.lerp(b, 0.4),
        lambda a, b, L: a.lerp(b, b), lambda a, b, L: a.addcmul(b, b, value=3), lambda a, b, L: a.addcdiv(a, b),
        lambda a, b, L: a.logit(0.35), lambda a, b, L: a.nan_to_num(posinf=1.0), lambda a, b, L: a.float_power(b),
        lambda a, b, L: a.heaviside(b), lambda a, b, L: a.signbit(), lambda a, b, L: a.erfinv(),
    ]
    for k, call in enumerate(calls):
        assert_close(call(mt.tensor(x), mt.tensor(y), mt), call(torch.tensor(x), torch.tensor(y), torch),
                     msg=f"call {k}")


# ---------------------------------------------------------------- the same edges on cuda --------------
CUDA_EDGES = {
    "xlogy": lambda L, a, b: L.xlogy(a, b),
    "xlogy_scalar": lambda L, a, b: L.xlogy(a, 0),
    "logaddexp": lambda L, a, b: L.logaddexp(a, b),
    "logaddexp2": lambda L, a, b: L.logaddexp2(a, b),
    "nan_to_num": lambda L, a, b: L.nan_to_num(a),
    "sgn": lambda L, a, b: L.sgn(a),
    "signbit": lambda L, a, b: L.signbit(a),
    "heaviside": lambda L, a, b: L.heaviside(a, b),
    "erfinv": lambda L, a, b: L.erfinv(a.clamp(-1.0, 1.0)),
    "erfc": lambda L, a, b: L.erfc(a),
    "fmod": lambda L, a, b: L.fmod(a, b),
    "copysign": lambda L, a, b: L.copysign(a, b),
    "frac": lambda L, a, b: L.frac(a),
}
EDGE_A = [0.0, -0.0, 1.0, -1.0, INF, -INF, NAN, 0.0, 2.5]
EDGE_B = [0.0, 2.0, -INF, -1.0, INF, -INF, 1.0, NAN, -0.5]


@requires_cuda
@pytest.mark.parametrize("name", sorted(CUDA_EDGES))
def test_edge_values_on_cuda_match_torch(name):
    call = CUDA_EDGES[name]
    a, b = np.array(EDGE_A, dtype=np.float32), np.array(EDGE_B, dtype=np.float32)
    ours = call(mt, mt.tensor(a, device="cuda"), mt.tensor(b, device="cuda"))
    assert ours.device.type == "cuda"
    expected = call(torch, torch.from_numpy(a), torch.from_numpy(b))
    assert _dt(ours) == _dt(expected)
    assert_close(ours, expected)


@requires_cuda
def test_inplace_and_backward_on_cuda_match_torch():
    x = np.array([0.2, -0.4, 0.6], dtype=np.float64)
    grads = []
    for L, dev in ((mt, "cuda"), (torch, "cpu")):
        leaf = L.tensor(x, requires_grad=True, device=dev)
        y = leaf * 1.0
        y.erfinv_()
        y.lerp_(L.tensor(x[::-1].copy(), device=dev), 0.25)
        L.logaddexp(y, leaf).sum().backward()
        grads.append(leaf.grad)
    assert grads[0].device.type == "cuda"
    assert_close(grads[0], grads[1], rtol=1e-12, atol=1e-14)


def test_erfinv_keeps_the_sign_of_zero_like_torch():
    m = mt.erfinv(mt.tensor([-0.0, 0.0, -0.5])).numpy()
    t = torch.erfinv(torch.tensor([-0.0, 0.0, -0.5])).numpy()
    assert np.array_equal(np.signbit(m), np.signbit(t))
