"""Higher-level autograd: vjp, jvp, jacobian, hessian, vhp, hvp (as torch.autograd.functional).

Every function differentiates at fresh copies of ``inputs`` (or, with ``create_graph=True``,
differentiable aliases of them, so results stay connected to the caller's tensors). An output
that does not depend on an input gives zeros (``strict=False``) or raises (``strict=True``),
with torch's messages. minitorch has reverse mode only: forward-mode products (``jvp``,
``hvp``, ``strategy="forward-mode"``) use the double-backward trick, J v = d/du (u^T J) v.
"""
from __future__ import annotations

from ..backend import xp_of
from ..tensor import Tensor
from .engine import grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

_STAGE_MESSAGES = {
    "back": "The output of the user-provided function is independent of input {i}. This is not allowed in "
            "strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the grad_outputs when "
                  "using the double backward trick to compute forward mode gradients. This is not allowed in "
                  "strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. This is not "
                   "allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} in the "
                         "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
                         "double backward trick to replace forward mode AD.",
}


def _as_tuple(value, arg_name: str, fn_name: str) -> tuple[bool, tuple]:
    """(whether ``value`` was a tuple, it as a tuple of Tensors); torch's TypeError otherwise."""
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors but the "
                f"{where} has type {type(el)}."
            )
    return is_tuple, items


def _unpack(res, is_tuple):
    """Undo ``_as_tuple``; ``is_tuple`` may be a pair (outer, inner) for nested results."""
    if isinstance(is_tuple, tuple):
        outer, inner = is_tuple
        if not inner:
            res = tuple(el[0] for el in res)
        return res if outer else res[0]
    return res if is_tuple else res[0]


def _prepare(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    """Fresh tensors to differentiate at: aliases that keep the caller's graph (create_graph) or
    detached copies, so that tensors the function captures from outside are not confused with them."""
    return tuple(
        t.view(tuple(t.shape)) if create_graph and t._requires_grad else t.detach().requires_grad_(need_graph)
        for t in inputs
    )


def _finish(tensors, create_graph: bool):
    """Results detached unless the caller asked for a graph (nested tuples allowed)."""
    if tensors and isinstance(tensors[0], Tensor):
        return tensors if create_graph else tuple(t.detach() for t in tensors)
    return tuple(_finish(t, create_graph) for t in tensors)


def _validate_v(v: tuple, other: tuple, other_is_tuple: bool) -> None:
    if len(v) != len(other):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, other)):
        if tuple(a.shape) != tuple(b.shape):
            prefix = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{prefix}v has invalid size: should be {b.shape} but got {a.shape}.")


def _check_requires_grad(tensors, kind: str, strict: bool) -> None:
    """strict mode: every tensor must depend on the inputs (torch's messages per ``kind``)."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This is not "
                "allowed in strict mode."
            )
        if t._requires_grad:
            continue
        if kind == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is independent of the "
                "input. This is not allowed in strict mode. You should ensure that your function is thrice "
                "differentiable and that the hessian depends on the inputs."
            )
        if kind == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided function with "
                f"respect to input {i} is independent of the input. This is not allowed in strict mode. You "
                "should ensure that your function is twice differentiable and that the jacobian depends on "
                "the inputs (this would be violated by a linear function for example)."
            )
        if kind == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the user-provided "
                "function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The outputs must be "
            "computed in a differentiable manner from the input when running in strict mode."
        )


def _grad(outputs: tuple, inputs: tuple, grad_outputs=None, create_graph: bool = False,
          retain_graph=None) -> tuple:
    """``autograd.grad`` that skips outputs (None, or not requiring grad) and gives None for unused inputs."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    keep = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o._requires_grad]
    if not keep:  # nothing depends on the inputs: no backward at all
        return (None,) * len(inputs)
    return grad(
        [o for o, _ in keep], inputs, [g for _, g in keep], retain_graph=retain_graph,
        create_graph=create_graph, allow_unused=True,
    )


def _fill_in_zeros(grads, refs, strict: bool, create_graph: bool, stage: str) -> tuple:
    """None gradients (no dependence) become zeros shaped like ``refs``, or raise in strict mode."""
    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STAGE_MESSAGES[stage].format(i=i))
            g = _zeros_like(refs[i])
        elif strict and create_graph and not g._requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This is not allowed "
                "in strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _zeros_like(t: Tensor) -> Tensor:
    from ..tensor import zeros_like_tensor

    return zeros_like_tensor(t)


def _needs_single_element(tensors: tuple, what: str) -> None:
    if len(tensors) != 1 or tensors[0].numel() != 1:
        raise RuntimeError(f"The vector v can only be None if {what} a single Tensor with a single element.")


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J): the vector-Jacobian product, J = d func / d inputs."""
    with enable_grad():
        in_tuple, ins = _as_tuple(inputs, "inputs", "vjp")
        ins = _prepare(ins, create_graph, need_graph=True)
        out_tuple, outs = _as_tuple(func(*ins), "outputs of the user-provided function", "vjp")
        _check_requires_grad(outs, "outputs", strict)
        if v is not None:
            vs = _prepare(_as_tuple(v, "v", "vjp")[1], create_graph, need_graph=False)
            _validate_v(vs, outs, out_tuple)
        else:
            _needs_single_element(outs, "the user-provided function returns")
            vs = None
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_in_zeros(_grad(outs, ins, vs, create_graph=create_graph), ins, strict, create_graph, "back")
    return _unpack(_finish(outs, create_graph), out_tuple), _unpack(_finish(res, create_graph), in_tuple)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v), by the double-backward trick: J v = d/du [(u^T J) v]."""
    with enable_grad():
        in_tuple, ins = _as_tuple(inputs, "inputs", "jvp")
        ins = _prepare(ins, create_graph, need_graph=True)
        if v is not None:
            vs = _prepare(_as_tuple(v, "v", "jvp")[1], create_graph, need_graph=False)
            _validate_v(vs, ins, in_tuple)
        else:
            _needs_single_element(ins, "the input to the user-provided function is")
            vs = None
        out_tuple, outs = _as_tuple(func(*ins), "outputs of the user-provided function", "jvp")
        _check_requires_grad(outs, "outputs", strict)
        # backward is linear in u, so u's value never matters (zeros: no inf/nan can appear)
        us = tuple(_zeros_like(o).requires_grad_(True) for o in outs)
        grad_inputs = _grad(outs, ins, us, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _grad(grad_inputs, us, vs, create_graph=create_graph)
        res = _fill_in_zeros(res, outs, strict, create_graph, "back_trick")
    return _unpack(_finish(outs, create_graph), out_tuple), _unpack(_finish(res, create_graph), out_tuple)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode"):
    """The Jacobian d func / d inputs, shaped ``out.shape + in.shape`` (nested tuples as torch).

    ``strategy="reverse-mode"``: one vjp per output element; ``"forward-mode"`` (torch: only with
    ``vectorize=True``): one jvp per input element (by the double-backward trick here). ``vectorize``
    selects torch's batched path; minitorch computes the same rows one by one (as its ``vmap`` does).
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your function has more '
            'outputs than inputs, "forward-mode" tends to be more performant. Otherwise, prefer to use '
            '"reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and `strategy=\"forward-mode\"` are "
                "not supported together (yet). Please either set `create_graph=False` or "
                "`strategy=\"reverse-mode\"`."
            )
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `strategy=\"forward-mode\"` are not "
                "supported together (yet). Please either set `strict=False` or `strategy=\"reverse-mode\"`."
            )
        if not vectorize:
            raise NotImplementedError(
                "Computing Jacobian using forward-AD or forward-over-reverse Hessian is only implemented for "
                "`vectorize=True`."
            )
        return _jacobian_forward(func, inputs)
    with enable_grad():
        in_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
        ins = _prepare(ins, create_graph, need_graph=True)
        out_tuple, outs = _as_tuple(func(*ins), "outputs of the user-provided function", "jacobian")
        _check_requires_grad(outs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not supported "
                "together. Please either set `strict=False` or `vectorize=False`."
            )
        from ..ops.shape import stack

        jac = []
        for i, out in enumerate(outs):
            rows: list[list] = [[] for _ in ins]
            flat = out.reshape(-1)
            for j in range(out.numel()):
                vj = _grad((flat[j],), ins, retain_graph=True, create_graph=create_graph)
                for k, (g, x) in enumerate(zip(vj, ins)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of input {k}. This "
                                "is not allowed in strict mode."
                            )
                        g = _zeros_like(x)
                    elif strict and create_graph and not g._requires_grad:
                        raise RuntimeError(
                            f"The jacobian of the user-provided function is independent of input {i}. This "
                            "is not allowed in strict mode when create_graph=True."
                        )
                    rows[k].append(g)
            jac.append(tuple(
                stack(r).reshape(tuple(out.shape) + tuple(x.shape)) if r else
                Tensor._wrap(x.array.reshape((0,) + x.array.shape)).reshape(tuple(out.shape) + tuple(x.shape))
                for r, x in zip(rows, ins)
            ))
        return _unpack(_finish(tuple(jac), create_graph), (out_tuple, in_tuple))


def _jacobian_forward(func, inputs):
    """Column by column: J e_k = jvp(func, inputs, e_k) for each input element k."""
    from ..ops.shape import stack

    in_tuple, ins = _as_tuple(inputs, "inputs", "jacobian")
    ins = tuple(t.detach() for t in ins)
    cols: list | None = None
    outs = None
    for k, x in enumerate(ins):
        for e in range(x.numel()):
            vs = tuple(_zeros_like(t) for t in ins)
            vs[k].array.reshape(-1)[e] = 1
            out, jv = jvp(func, ins, vs)
            out_is_tuple = isinstance(out, tuple)
            outs = out if out_is_tuple else (out,)
            jv = jv if out_is_tuple else (jv,)
            if cols is None:
                cols = [[[] for _ in ins] for _ in outs]
                out_tuple = out_is_tuple
            for o in range(len(outs)):
                cols[o][k].append(jv[o])
    if outs is None:  # every input is empty: evaluate once for the output shapes
        out = func(*ins)
        out_tuple = isinstance(out, tuple)
        outs = out if out_tuple else (out,)
        cols = [[[] for _ in ins] for _ in outs]
    jac = tuple(
        tuple(
            stack(c, -1).reshape(tuple(o.shape) + tuple(x.shape)) if c else
            Tensor._wrap(xp_of(o.array).zeros(tuple(o.shape) + tuple(x.shape), dtype=o.array.dtype))
            for c, x in zip(cols[oi], ins)
        )
        for oi, o in enumerate(outs)
    )
    return _unpack(jac, (out_tuple, in_tuple))


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar ``func``: the Jacobian of its gradient (shape ``in.shape + in.shape``)."""
    in_tuple, ins = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single_output(*xs):
        out = func(*xs)
        out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should contain a single element")
        return out.squeeze()

    def jac_func(*xs):
        if outer_jacobian_strategy == "forward-mode":
            xs = tuple(t.requires_grad_(True) for t in xs)
        jac = jacobian(single_output, xs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    res = jacobian(jac_func, ins, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _unpack(res, (in_tuple, in_tuple))


def _scalar_output(func, ins, name: str, strict: bool):
    out_tuple, outs = _as_tuple(func(*ins), "outputs of the user-provided function", name)
    _check_requires_grad(outs, "outputs", strict)
    if out_tuple or not isinstance(outs[0], Tensor):
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {name} should contain a single element")
    return out_tuple, outs


def _scalar_function_and_gradient(func, inputs, v, create_graph: bool, strict: bool, name: str):
    """What vhp and hvp share (called under enable_grad): the prepared inputs and ``v``, the scalar output,
    and its gradient w.r.t. the inputs with a graph (so it can be differentiated again)."""
    in_tuple, ins = _as_tuple(inputs, "inputs", name)
    ins = _prepare(ins, create_graph, need_graph=True)
    if v is not None:
        vs = _prepare(_as_tuple(v, "v", name)[1], create_graph, need_graph=False)
        _validate_v(vs, ins, in_tuple)
    else:
        _needs_single_element(ins, "the input to the user-provided function is")
        vs = None
    out_tuple, outs = _scalar_output(func, ins, name, strict)
    jac = _grad(outs, ins, create_graph=True)
    _check_requires_grad(jac, "jacobian", strict)
    return in_tuple, ins, vs, out_tuple, outs, jac


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T H) for a scalar ``func``: the gradient of (grad func) . v."""
    with enable_grad():
        in_tuple, ins, vs, out_tuple, outs, jac = _scalar_function_and_gradient(func, inputs, v, create_graph,
                                                                                strict, "vhp")
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_in_zeros(_grad(jac, ins, vs, create_graph=create_graph), ins, strict, create_graph,
                             "double_back")
    return _unpack(_finish(outs, create_graph), out_tuple), _unpack(_finish(res, create_graph), in_tuple)


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a scalar ``func``, by the double-backward trick (H is symmetric
    for twice continuously differentiable functions, so this equals vhp's result)."""
    with enable_grad():
        in_tuple, ins, vs, out_tuple, outs, jac = _scalar_function_and_gradient(func, inputs, v, create_graph,
                                                                                strict, "hvp")
        grad_jac = tuple(_zeros_like(x).requires_grad_(True) for x in ins)
        double_back = _grad(jac, ins, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else is_grad_enabled()):
        res = _fill_in_zeros(_grad(double_back, grad_jac, vs, create_graph=create_graph), ins, strict,
                             create_graph, "double_back_trick")
    return _unpack(_finish(outs, create_graph), out_tuple), _unpack(_finish(res, create_graph), in_tuple)


__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]
