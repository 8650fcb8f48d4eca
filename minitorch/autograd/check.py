"""``autograd.check``: an exercise checker for hand-written gradients.

    class Softplus(minitorch.autograd.Function):
        ...
    minitorch.autograd.check(Softplus, minitorch.randn(3, 4))

It runs gradcheck (central finite differences in float64) on the function, optionally
gradgradcheck, optionally compares with a torch reference, and explains a failure the way a
teaching assistant would: which input, which element, expected vs got, and the likely cause,
recognised from the pattern of the error:

============================  ==========================================================
pattern                       likely cause (``result.cause``)
============================  ==========================================================
gradient has the broadcast    forgot to sum the gradient back to the input's shape
shape, not the input's        (``'unbroadcast'``)
analytic == -numeric          wrong sign (``'sign'``)
analytic == numeric with an   used ``b`` where ``b.T`` is needed, or returned the
operand / itself transposed   gradient transposed (``'transpose'``)
analytic == c * numeric       a constant factor of the chain rule is missing (``'factor'``)
same for every upstream       forgot to multiply by the upstream gradient ``g``
gradient                      (``'upstream'``)
right zeros, wrong values     the local derivative is wrong (``'derivative'``)
analytic all zero             backward returned None/zeros or the output was detached
                              (``'zero'``)
============================  ==========================================================
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..backend import numpy_of, xp_of
from ..tensor import Tensor
from .engine import grad as autograd_grad
from .function import Function
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import analytical_jacobian, numerical_jacobian
from .trace import trace

_HINTS = {
    "unbroadcast": (
        "forgot to unbroadcast: the forward broadcast this input, so its gradient must be summed "
        "back over the broadcast dims to the input's shape: minitorch.ops._util.unbroadcast(grad, "
        "x.shape), or grad.sum(dims, keepdim=...)."
    ),
    "shape": "the gradient for an input must have exactly that input's shape.",
    "count": "backward must return one gradient per forward argument (None for non-tensor arguments).",
    "sign": "wrong sign: your gradient is exactly minus the right one. Check the sign of each term "
            "(d(-x) = -1, d(a-b)/db = -1, d(1/x) = -1/x^2).",
    "transpose": "wrong transpose: for y = a @ b the gradients are g @ b.T and a.T @ g; check which "
                 "operand needs .T (or .transpose(-2, -1)) and the order of the product.",
    "factor": "a constant factor is missing or extra in the chain rule (e.g. the 2 in d(x^2) = 2x, "
              "1/n in a mean, or beta in softplus(beta x)).",
    "upstream": "backward ignores the upstream gradient: the chain rule multiplies the local "
                "derivative by g (the gradient of the output), e.g. return g * f'(x), not f'(x).",
    "derivative": "the local derivative is wrong (its zeros are in the right places but its values "
                  "differ): re-derive f'(x); often a chain-rule factor is missing, e.g. the inner "
                  "derivative of f(u(x)).",
    "zero": "the gradient is all zeros: backward returned None or zeros for this input, or forward "
            "detached the output (used .data / numpy / .detach() on the path from input to output).",
    "pattern": "wrong elements get gradient: check indexing, reshape/permute and reductions in backward "
               "(each output element should send gradient to the inputs it was computed from).",
    "not_differentiable": "the second derivative is zero: write backward with Tensor ops (not .array "
                          "or numpy), so that create_graph=True can differentiate it again.",
    "forward": "your forward does not compute the same values as the torch reference.",
    "torch": "your gradient satisfies finite differences but differs from torch's.",
    "error": "backward raised an exception.",
    "detached": "the output does not require grad: forward returned a tensor cut from the graph, or no "
                "input requires grad.",
}


_MAX_JACOBIAN = 1_000_000


@dataclass
class CheckResult:
    """What ``check`` found. ``ok`` is True when everything matched; ``message`` says it in words."""

    ok: bool
    message: str
    name: str = ""
    cause: str | None = None
    input_index: int | None = None
    element: tuple | None = None
    output_element: tuple | None = None
    expected: float | None = None
    got: float | None = None
    stage: str = "gradcheck"
    details: dict = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return self.message

    def _repr_pretty_(self, p, cycle) -> None:  # IPython shows the message, not the dataclass
        p.text(self.message)


def check(fn_or_function, *inputs, gradgrad: bool = False, torch_fn=None, eps: float = 1e-6,
          atol: float = 1e-5, rtol: float = 1e-3, seed: int = 0, verbose: bool = True) -> CheckResult:
    """Check the gradients of ``fn_or_function`` (a callable or a ``Function`` subclass) at ``inputs``.

    Inputs are copied to float64 (float inputs that require grad are differentiated; if none does,
    all float tensor inputs are). ``gradgrad``: also check second derivatives. ``torch_fn``: a torch
    callable computing the same thing, compared value by value (needs torch). Prints the verdict
    when ``verbose``; returns a :class:`CheckResult` (``.ok``, ``.message``, ``.cause``...).
    """
    if isinstance(fn_or_function, type) and issubclass(fn_or_function, Function):
        fn, name = fn_or_function.apply, fn_or_function.__name__
    elif callable(fn_or_function):
        fn, name = fn_or_function, getattr(fn_or_function, "__name__", type(fn_or_function).__name__)
    else:
        raise TypeError(f"check: expected a callable or a Function subclass, got {type(fn_or_function).__name__}")
    ins = _float64_inputs(inputs)
    rng = np.random.default_rng(seed)

    result = _check_first_order(fn, name, ins, rng, eps, atol, rtol)
    if result.ok and torch_fn is not None:
        vs_torch = _compare_torch(fn, name, ins, torch_fn, rng, atol, rtol)
        result = vs_torch if vs_torch is not None else result
    if result.ok and gradgrad:
        vs_torch = result.stage == "torch"
        result = _check_second_order(fn, name, ins, rng, eps, atol, rtol)
        if result.ok and vs_torch:
            result.message = result.message[:-1] + ", and the gradients match torch."
    if verbose:
        print(result.message)
    return result


# ---- inputs -------------------------------------------------------------------------------------
def _float64_inputs(inputs) -> tuple:
    out = []
    for x in inputs:
        if isinstance(x, Tensor) and x.array.dtype.kind == "f":
            t = Tensor._wrap(x.array.astype(xp_of(x.array).float64, copy=True))
            t._requires_grad = x.requires_grad
            t.name = x.name
            out.append(t)
        else:
            out.append(x)
    floats = [t for t in out if isinstance(t, Tensor) and t.array.dtype.kind == "f"]
    if floats and not any(t.requires_grad for t in floats):
        for t in floats:
            t._requires_grad = True
    return tuple(out)


def _diff(ins) -> list[int]:
    return [i for i, t in enumerate(ins) if isinstance(t, Tensor) and t.requires_grad]


def _outputs(fn, ins) -> list[Tensor]:
    out = fn(*ins)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return [o for o in outs if isinstance(o, Tensor) and o.array.dtype.kind == "f"]


def _label(ins, i) -> str:
    t = ins[i]
    return f"input {i}" + (f" ({t.name})" if getattr(t, "name", None) else "") + f" of shape {tuple(t.shape)}"


# ---- first order --------------------------------------------------------------------------------
def _check_first_order(fn, name, ins, rng, eps, atol, rtol, stage="gradcheck") -> CheckResult:
    idx = _diff(ins)
    if not idx:
        return _result(False, name, "detached", stage, "no float tensor input to differentiate")
    try:
        outs = _outputs(fn, ins)
    except Exception as e:  # a learner's forward may raise anything
        return _result(False, name, "error", stage, f"forward raised {type(e).__name__}: {e}")
    if not outs or not any(o.requires_grad for o in outs):
        return _result(False, name, "detached", stage, "the output does not require grad")

    n_in = sum(ins[i].array.size for i in idx)
    n_out = sum(o.array.size for o in outs)
    if n_in * n_out > _MAX_JACOBIAN:
        raise ValueError(
            f"check: the full Jacobian would have {n_out} x {n_in} entries; use small inputs (a few "
            "dozen elements, e.g. shape (3, 4)): every element is perturbed and every output is backpropagated"
        )
    # probe: one backward with a random upstream gradient, traced, to catch shape/count errors
    us = [Tensor._wrap(xp_of(o.array).asarray(rng.standard_normal(o.array.shape))) for o in outs]
    with trace() as t:
        try:
            probe = autograd_grad([o for o in outs if o.requires_grad], [ins[i] for i in idx],
                                  [u for u, o in zip(us, outs) if o.requires_grad],
                                  retain_graph=True, allow_unused=True)
        except Exception as e:
            return _diagnose_exception(e, t, name, ins, stage)

    try:
        analytic = analytical_jacobian(fn, ins)
        numeric = numerical_jacobian(fn, ins, eps)
    except Exception as e:
        return _result(False, name, "error", stage, f"{type(e).__name__}: {e}")
    worst_err = 0.0
    for k in range(len(analytic)):
        for col, i in enumerate(idx):
            a, n = analytic[k][col], numeric[k][col]
            bad = ~np.isclose(a, n, rtol=rtol, atol=atol)
            if a.size:
                worst_err = max(worst_err, float(np.abs(a - n).max()))
            if not bad.any():
                continue
            err = np.where(bad, np.abs(a - n), -1.0)
            r, c = np.unravel_index(np.argmax(err), err.shape)
            in_shape, out_shape = tuple(ins[i].shape), tuple(outs[k].shape)
            element = tuple(int(v) for v in np.unravel_index(c, in_shape)) if in_shape else ()
            out_el = tuple(int(v) for v in np.unravel_index(r, out_shape)) if out_shape else ()
            returned_none = probe[col] is None
            cause, extra = _diagnose(fn, ins, i, col, k, a, n, us, outs, eps, atol, rtol, returned_none)
            if stage == "gradgradcheck" and cause == "zero":
                cause = "not_differentiable"
            what = f"the gradient of output {k} " if len(outs) > 1 else "the gradient "
            lines = [
                f"check({name}): FAILED ({stage}): {what}with respect to {_label(ins, i)} is wrong.",
                f"  worst element: input {i}{list(element)} (via output{list(out_el)}): "
                f"expected (finite differences) {n[r, c]:.6g}, got (your backward) {a[r, c]:.6g}; "
                f"{int(bad.sum())} of {bad.size} Jacobian entries differ.",
            ]
            if extra:
                lines.append("  " + extra)
            lines.append(f"  likely cause: {_HINTS[cause]}")
            return CheckResult(False, "\n".join(lines), name, cause, i, element, out_el,
                               float(n[r, c]), float(a[r, c]), stage, {"analytic": a, "numeric": n})
    n_in = len(idx)
    msg = (f"check({name}): OK ({stage}): the gradients of {n_in} input{'s' if n_in > 1 else ''} match "
           f"finite differences (max abs error {worst_err:.2g}).")
    return CheckResult(True, msg, name, None, stage=stage)


def _result(ok, name, cause, stage, what, **kw) -> CheckResult:
    msg = f"check({name}): FAILED ({stage}): {what}.\n  likely cause: {_HINTS[cause]}"
    return CheckResult(ok, msg, name, cause, stage=stage, **kw)


def _diagnose_exception(e, t, name, ins, stage) -> CheckResult:
    rec = t.records[-1] if t.records else None
    text = f"{type(e).__name__}: {e}"
    if rec is not None and not rec.pending:
        for j in rec.shape_mismatch:
            got, want = tuple(rec.grad_input_shapes[j]), tuple(rec.expected_shapes[j])
            where = f"input {j}" if len(ins) > j else f"argument {j}"
            broadcastable = _broadcasts_to(want, got)
            cause = "unbroadcast" if broadcastable else "shape"
            what = (f"backward of {rec.op} returned a gradient of shape {got} for {where}, whose shape is "
                    f"{want}" + (" (the broadcast shape instead of the input's)" if broadcastable else ""))
            return _result(False, name, cause, stage, what, input_index=j)
    if "incorrect number of gradients" in str(e):
        return _result(False, name, "count", stage, str(e))
    op = f" in the backward of {rec.op}" if rec is not None and rec.pending else ""
    return _result(False, name, "error", stage, f"{text}{op}")


def _broadcasts_to(shape, target) -> bool:
    try:
        return tuple(np.broadcast_shapes(tuple(shape), tuple(target))) == tuple(target) and tuple(shape) != tuple(
            target)
    except ValueError:
        return False


def _close(x, y, atol, rtol) -> bool:
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=rtol, atol=atol))


def _diagnose(fn, ins, i, col, k, a, n, us, outs, eps, atol, rtol, returned_none):
    """Name the likely cause of a Jacobian mismatch ``a`` (analytic) vs ``n`` (numeric)."""
    small = atol + rtol * max(float(np.abs(n).max(initial=0.0)), 1e-12)
    if returned_none or float(np.abs(a).max(initial=0.0)) <= small * 1e-3 + 1e-12:
        return "zero", ("your backward returned None for this input" if returned_none else "")
    if _close(a, -n, atol, rtol):
        return "sign", ""
    nz_n, nz_a = np.abs(n) > small, np.abs(a) > small
    if (nz_n == nz_a).all() and nz_n.any():
        ratio = a[nz_n] / n[nz_n]
        c = float(np.median(ratio))
        if np.allclose(ratio, c, rtol=1e-3, atol=1e-6):
            return "factor", f"your gradient is {c:.4g} times the right one everywhere."
    if a.shape[0] > 1 and _close(a, np.broadcast_to(n.sum(axis=0), a.shape), atol, rtol):
        return "upstream", "every output element sends the same gradient back, whatever g is."
    tr = _transpose_evidence(fn, ins, i, col, k, a, n, us, outs, eps, atol, rtol)
    if tr:
        return "transpose", tr
    if (nz_n == nz_a).all():
        return "derivative", ""
    return "pattern", ""


def _transpose_evidence(fn, ins, i, col, k, a, n, us, outs, eps, atol, rtol) -> str:
    """Compare the vector-Jacobian product with transposed variants of the right one."""
    u = numpy_of(us[k].array).reshape(-1)
    shape = tuple(ins[i].shape)
    got = (u @ a).reshape(shape)
    want = (u @ n).reshape(shape)
    if len(shape) >= 2 and shape[-1] == shape[-2] and _close(got, np.swapaxes(want, -1, -2), atol, rtol):
        return f"your gradient for input {i} is the right one transposed."
    for j, other in enumerate(ins):
        if j == i or not isinstance(other, Tensor) or other.ndim < 2 or other.shape[-1] != other.shape[-2]:
            continue
        swapped = list(ins)
        swapped[j] = Tensor._wrap(xp_of(other.array).ascontiguousarray(other.array.swapaxes(-1, -2)))
        try:
            want_t = _numeric_vjp(fn, swapped, i, k, u, eps).reshape(shape)
        except Exception:
            continue
        if _close(got, want_t, atol, rtol):
            return (f"your gradient for input {i} equals the right one computed with input {j} transposed: "
                    f"you used input {j} where its transpose is needed (or vice versa).")
    return ""


def _numeric_vjp(fn, ins, i, k, u, eps) -> np.ndarray:
    """d <u, output k> / d input i by central differences."""
    arr = ins[i].array
    flat = arr.reshape(-1)
    out = np.zeros(flat.size)
    with no_grad():
        for j in range(flat.size):
            orig = flat[j].item()
            flat[j] = orig + eps
            plus = float(u @ numpy_of(_outputs(fn, ins)[k].array).reshape(-1))
            flat[j] = orig - eps
            minus = float(u @ numpy_of(_outputs(fn, ins)[k].array).reshape(-1))
            flat[j] = orig
            out[j] = (plus - minus) / (2 * eps)
    return out


# ---- torch reference ----------------------------------------------------------------------------
def _compare_torch(fn, name, ins, torch_fn, rng, atol, rtol) -> CheckResult | None:
    try:
        import torch
    except ImportError:
        return None
    idx = _diff(ins)
    t_ins = []
    for x in ins:
        if isinstance(x, Tensor):
            tx = torch.from_numpy(numpy_of(x.array).copy())
            if x.requires_grad:
                tx.requires_grad_(True)
            t_ins.append(tx)
        else:
            t_ins.append(x)
    t_out = torch_fn(*t_ins)
    t_outs = list(t_out) if isinstance(t_out, (tuple, list)) else [t_out]
    outs = _outputs(fn, ins)
    for k, (o, to) in enumerate(zip(outs, t_outs)):
        mine, ref = numpy_of(o.array), to.detach().numpy()
        if mine.shape != ref.shape or not np.allclose(mine, ref, rtol=rtol, atol=atol):
            what = (f"output {k} has shape {mine.shape}, torch's has {ref.shape}" if mine.shape != ref.shape
                    else _where(mine, ref, f"output {k}"))
            return _result(False, name, "forward", "torch", what)
    us = [rng.standard_normal(o.array.shape) for o in outs]
    pairs = [(o, to, u) for o, to, u in zip(outs, t_outs, us) if o.requires_grad and to.requires_grad]
    if not pairs:
        return None
    mine = autograd_grad([p[0] for p in pairs], [ins[i] for i in idx],
                         [Tensor._wrap(xp_of(p[0].array).asarray(p[2])) for p in pairs], allow_unused=True)
    ref = torch.autograd.grad([p[1] for p in pairs], [t_ins[i] for i in idx],
                              [torch.from_numpy(p[2]) for p in pairs], allow_unused=True)
    for col, i in enumerate(idx):
        g = np.zeros(ins[i].shape) if mine[col] is None else numpy_of(mine[col].array)
        r = np.zeros(ins[i].shape) if ref[col] is None else ref[col].numpy()
        if not _close(g, r, atol, rtol):
            return _result(False, name, "torch", "torch", _where(g, r, f"the gradient of {_label(ins, i)}"),
                           input_index=i)
    return CheckResult(True, f"check({name}): OK: gradients match finite differences and torch.", name,
                       stage="torch")


def _where(got, want, what) -> str:
    err = np.abs(got - want)
    j = np.unravel_index(int(np.argmax(err)), err.shape) if err.ndim else ()
    return (f"{what} differs from torch at element {list(int(v) for v in j)}: expected (torch) "
            f"{float(want[j]):.6g}, got {float(got[j]):.6g}")


# ---- second order -------------------------------------------------------------------------------
def _check_second_order(fn, name, ins, rng, eps, atol, rtol) -> CheckResult:
    idx = _diff(ins)
    outs = [o for o in _outputs(fn, ins) if o.requires_grad]
    gos = []
    for o in outs:
        g = Tensor._wrap(xp_of(o.array).asarray(rng.standard_normal(o.array.shape)))
        g._requires_grad = True
        g.name = "grad_output"
        gos.append(g)
    n_in = len(ins)

    def first_grads(*args):
        xs, gs = args[:n_in], args[n_in:]
        outer = is_grad_enabled()  # False while finite differences run, True for the analytic pass
        with enable_grad():  # finite differences run under no_grad; the first backward needs a graph
            os = _outputs(fn, xs)
            pairs = [(o, g) for o, g in zip(os, gs) if o.requires_grad]
            grads = autograd_grad([p[0] for p in pairs], [xs[i] for i in idx], [p[1] for p in pairs],
                                  create_graph=outer, allow_unused=True)
        return tuple(g if g is not None else Tensor._wrap(xp_of(xs[i].array).zeros_like(xs[i].array))
                     for g, i in zip(grads, idx))

    first_grads.__name__ = name
    res = _check_first_order(first_grads, name, tuple(ins) + tuple(gos), rng, eps, atol, rtol,
                             stage="gradgradcheck")
    if res.cause == "detached":  # the first gradients carry no graph: backward ran on raw arrays
        res = _result(False, name, "not_differentiable", "gradgradcheck",
                      "the gradients computed by backward do not require grad under create_graph=True")
    if res.ok:
        res.message = (f"check({name}): OK: first and second derivatives match finite differences "
                       "(gradcheck and gradgradcheck).")
    return res


__all__ = ["check", "CheckResult"]
