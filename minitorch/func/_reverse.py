"""Reverse-mode transforms: grad, grad_and_value, vjp, jacrev (torch.func's names and semantics).

Each call differentiates ``func`` at its own copies of the selected inputs (see ``_common``), runs
``minitorch.autograd.grad`` on the recorded graph and returns results that require grad only when
they belong to an outer graph. Nesting works because an inner transform, called on an outer
transform's tensors (which require grad), records its backward (``create_graph=True``) so that
the outer one can differentiate through it.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..ops.shape import stack
from ..tensor import Tensor
from ..utils._pytree import tree_flatten, tree_unflatten
from ._common import (
    Level,
    basis,
    check_argnums,
    grads_or_zeros,
    replace_args,
    select_args,
    zeros_shaped,
)


def _split_aux(out, has_aux: bool, api: str):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    return out


def grad_and_value(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """``func`` -> a function returning (gradient of ``func`` w.r.t. ``args[argnums]``, value of ``func``).

    ``func`` must return a scalar (0-dim) Tensor, or ``(scalar, aux)`` with ``has_aux=True`` (then the
    result is ``(grad, (value, aux))``). The selected arguments may be pytrees of Tensors (e.g. a dict of
    parameters); the gradient has the same structure, a tuple of them when ``argnums`` is a tuple.
    """
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        api = "grad_and_value(f)(*args)"
        nums = check_argnums(argnums, len(args))
        level = Level()
        with enable_grad():
            diff = level.lift(select_args(args, nums))
            out = func(*replace_args(args, nums, diff), **kwargs)
            out, aux = _split_aux(out, has_aux, api)
            if not isinstance(out, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got {type(out)}")
            if out.dim() != 0:
                raise RuntimeError(
                    f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with {out.dim()} dims. "
                    "Maybe you wanted to use the vjp or jacrev APIs instead?"
                )
            flat, spec = tree_flatten(diff)
            create = level.reaches_outer((out,))
            grads = grads_or_zeros((out,), flat, (None,), create_graph=create, retain_graph=create)
        grads = level.unwrap(tree_unflatten(grads, spec))
        value = level.unwrap(out)
        if has_aux:
            return grads, (value, level.unwrap(aux))
        return grads, value

    return wrapper


def grad(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """``func`` -> a function computing the gradient of ``func`` w.r.t. ``args[argnums]`` (torch.func.grad).

    With ``has_aux=True`` ``func`` returns ``(scalar, aux)`` and the result is ``(grad, aux)``.
    Composes: ``grad(grad(f))`` is the second derivative, ``vmap(grad(f))`` per-sample gradients.
    """
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def _check_outputs(out, api: str) -> tuple[list, Any]:
    flat, spec = tree_flatten(out)
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(o)}")
    return flat, spec


def lifted_call(level: Level, func: Callable, primals: tuple, has_aux: bool, api: str):
    """Run ``func`` on the level's own copies of ``primals`` with grad on: (inputs, flat outputs, their spec, aux)."""
    with enable_grad():
        ins = level.lift(primals)
        out, aux = _split_aux(func(*ins), has_aux, api)
        flat_out, out_spec = _check_outputs(out, api)
    return ins, flat_out, out_spec, aux


def vjp(func: Callable, *primals, has_aux: bool = False):
    """(func(*primals), vjp_fn[, aux]): ``vjp_fn(cotangents)`` gives v^T J for each primal (a tuple).

    The graph of ``func`` is kept, so ``vjp_fn`` may be called several times. ``vjp_fn``'s results are
    differentiable w.r.t. the cotangents and any outer graph (so ``vjp`` composes with other transforms).
    """
    level = Level()
    ins, flat_out, out_spec, aux = lifted_call(level, func, primals, has_aux, "vjp(f, *primals)")
    flat_in, in_spec = tree_flatten(ins)
    out_outer = level.reaches_outer(flat_out)

    def vjp_fn(cotangents, retain_graph: bool = True, create_graph: bool | None = None):
        flat_cot, cot_spec = tree_flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of outputs to the "
                f"function. cotangents: {cot_spec}, primal output: {out_spec}"
            )
        for i, (c, o) in enumerate(zip(flat_cot, flat_out)):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and output[{i}] "
                                   f"has a shape of {o.shape}.")
        grad_on = is_grad_enabled()
        create = create_graph if create_graph is not None else grad_on and (
            out_outer or any(c._requires_grad for c in flat_cot))
        with enable_grad():
            grads = grads_or_zeros(flat_out, flat_in, flat_cot, create_graph=create, retain_graph=True)
        res = level.unwrap(list(grads), grad_on)
        return tree_unflatten(res, in_spec)

    result = level.unwrap(tree_unflatten(flat_out, out_spec))
    if has_aux:
        return result, vjp_fn, level.unwrap(aux)
    return result, vjp_fn


def _check_chunk_size(chunk_size, api: str) -> None:
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size <= 0):
        raise ValueError(f"{api}: `chunk_size` should be greater than 0.")


def jacrev(func: Callable, argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False) -> Callable:
    """``func`` -> a function computing its Jacobian w.r.t. ``args[argnums]`` by reverse mode.

    One vjp (a backward pass with a one-hot cotangent) per output element, on one recorded graph.
    The Jacobian of output ``o`` w.r.t. input ``x`` has shape ``o.shape + x.shape``; for pytree outputs
    each output leaf holds the argnums-structure of Jacobians, as torch.func.jacrev. ``chunk_size`` is
    validated and otherwise has no effect (rows are always computed one by one).
    """
    _check_chunk_size(chunk_size, "jacrev")

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        api = "vjp(f, *primals)"
        nums = check_argnums(argnums, len(args))
        level = Level()
        with enable_grad():
            diff = level.lift(select_args(args, nums))
            out = func(*replace_args(args, nums, diff), **kwargs)
            out, aux = _split_aux(out, has_aux, api)
            flat_out, out_spec = _check_outputs(out, api)
            flat_in, in_spec = tree_flatten(diff)
            create = level.reaches_outer(flat_out)
            per_output = []
            for o in flat_out:
                rows: list[list] = [[] for _ in flat_in]
                for e in basis(o):
                    for k, g in enumerate(grads_or_zeros((o,), flat_in, (e,), create_graph=create)):
                        rows[k].append(g)
                jacs = [
                    stack(r).reshape(tuple(o.shape) + tuple(x.shape)) if r
                    else zeros_shaped(x, tuple(o.shape) + tuple(x.shape))
                    for r, x in zip(rows, flat_in)
                ]
                per_output.append(level.unwrap(tree_unflatten(jacs, in_spec)))
        result = tree_unflatten(per_output, out_spec)
        if has_aux:
            return result, level.unwrap(aux)
        return result

    return wrapper
