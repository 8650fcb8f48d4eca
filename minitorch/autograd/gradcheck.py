"""Finite-difference checks of analytic gradients (float64 central differences)."""
from __future__ import annotations

import numpy as np

from ..backend import numpy_of, xp_of
from ..tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytic and numeric gradients disagree."""


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _diff_inputs(inputs):
    return [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _flat_outputs(fn, inputs):
    outs = _as_tuple(fn(*inputs))
    return [o for o in outs if isinstance(o, Tensor) and o.array.dtype.kind == "f"]


def numerical_jacobian(fn, inputs, eps: float = 1e-6):
    """J[k][i]: d(output k, flattened) / d(input i, flattened) by central differences."""
    from .grad_mode import no_grad

    with no_grad():
        outs = _flat_outputs(fn, inputs)
        jac = [[np.zeros((o.array.size, inputs[i].array.size)) for i in _diff_inputs(inputs)] for o in outs]
        for col, i in enumerate(_diff_inputs(inputs)):
            if not inputs[i].array.flags.c_contiguous:  # perturb in place: a reshape must be a view
                inputs[i].array = xp_of(inputs[i].array).ascontiguousarray(inputs[i].array)
            arr = inputs[i].array
            flat = arr.reshape(-1)
            for j in range(flat.size):
                orig = flat[j].item()
                flat[j] = orig + eps
                plus = [numpy_of(o.array).astype(np.float64).reshape(-1) for o in _flat_outputs(fn, inputs)]
                flat[j] = orig - eps
                minus = [numpy_of(o.array).astype(np.float64).reshape(-1) for o in _flat_outputs(fn, inputs)]
                flat[j] = orig
                for k in range(len(outs)):
                    jac[k][col][:, j] = (plus[k] - minus[k]) / (2 * eps)
    return jac


def analytical_jacobian(fn, inputs):
    """J[k][i] built row by row with autograd.grad (one backward per output element)."""
    from .engine import grad as autograd_grad

    idx = _diff_inputs(inputs)
    outs = _flat_outputs(fn, inputs)
    jac = [[np.zeros((o.array.size, inputs[i].array.size)) for i in idx] for o in outs]
    for k, o in enumerate(outs):
        if not o.requires_grad:
            continue
        xp = xp_of(o.array)
        for r in range(o.array.size):
            seed = xp.zeros(o.array.size, dtype=o.array.dtype)
            seed[r] = 1
            grads = autograd_grad(o, [inputs[i] for i in idx], Tensor._wrap(seed.reshape(o.array.shape)),
                                  retain_graph=True, allow_unused=True)
            for col, g in enumerate(grads):
                if g is not None:
                    jac[k][col][r, :] = numpy_of(g.array).reshape(-1)
    return jac


def gradcheck(fn, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, **_) -> bool:
    """Compare autograd's Jacobian of ``fn`` at ``inputs`` with central finite differences.

    On a mismatch, the error names the input, the worst element, and both values.
    """
    inputs = _as_tuple(inputs)
    for i in _diff_inputs(inputs):
        if inputs[i].array.dtype != np.float64:
            import warnings

            warnings.warn(
                f"gradcheck: input {i} is {inputs[i].dtype}, not float64; finite differences will be "
                "imprecise", stacklevel=2,
            )
    analytic = analytical_jacobian(fn, inputs)
    numeric = numerical_jacobian(fn, inputs, eps)
    idx = _diff_inputs(inputs)
    for k in range(len(analytic)):
        for col, i in enumerate(idx):
            a, n = analytic[k][col], numeric[k][col]
            bad = ~np.isclose(a, n, rtol=rtol, atol=atol)
            if bad.any():
                err = np.abs(a - n)
                err[~bad] = -1
                r, c = np.unravel_index(np.argmax(err), err.shape)
                in_index = [int(v) for v in np.unravel_index(c, inputs[i].array.shape)] if inputs[i].array.ndim else []
                out_index = int(r)
                msg = (
                    f"Jacobian mismatch for output {k} with respect to input {i},\n"
                    f"worst element: input {i}{in_index} -> output {k} element {out_index}: "
                    f"analytical {a[r, c]:.6g} vs numerical {n[r, c]:.6g} "
                    f"({int(bad.sum())} of {bad.size} entries differ)\n"
                    f"numerical:{n}\nanalytical:{a}\n"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, raise_exception: bool = True, **_) -> bool:
    """gradcheck of the backward itself: checks second derivatives (needs create_graph support)."""
    from .engine import grad as autograd_grad

    inputs = _as_tuple(inputs)
    outs = _flat_outputs(fn, inputs)
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        grad_outputs = [
            Tensor._wrap(xp_of(o.array).asarray(rng.standard_normal(o.array.shape)).astype(o.array.dtype))
            for o in outs
        ]
        for g in grad_outputs:
            g.requires_grad_(True)
    grad_outputs = list(_as_tuple(tuple(grad_outputs)))
    idx = _diff_inputs(inputs)
    n_in = len(inputs)

    def first_grads(*args):
        from .grad_mode import enable_grad

        with enable_grad():  # numerical_jacobian calls this under no_grad; the inner backward needs a graph
            return _first_grads(*args)

    def _first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        outs2 = _flat_outputs(fn, ins)
        diff = [ins[i] for i in idx]
        pairs = [(o, g) for o, g in zip(outs2, gos) if o.requires_grad]
        grads = autograd_grad([p[0] for p in pairs], diff, [p[1] for p in pairs],
                              create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor._wrap(xp_of(d.array).zeros_like(d.array))
                     for g, d in zip(grads, diff))

    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
