"""Forward-mode transforms (jvp, jacfwd, linearize, hessian) derived from reverse mode.

minitorch has one engine, reverse mode. A Jacobian-vector product J v comes from two vjps (the
"double-vjp" or transpose trick): with ``u`` a dummy cotangent that requires grad,

    g(u) = vjp(f, x)(u) = J^T u          (recorded with create_graph=True: g is linear in u)
    J v  = d <g(u), v> / du              (a second backward, from g to u, with grad_output v)

The value of ``u`` never matters (g is linear in it), so it is zeros. Cost: the forward, plus two
backward passes per tangent instead of one forward-mode pass; every op's backward must itself be
differentiable w.r.t. its grad_output, which DESIGN rule 5 guarantees.
"""
from __future__ import annotations

import functools
from collections.abc import Callable

from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..ops.shape import stack
from ..tensor import Tensor
from ..utils._pytree import tree_flatten, tree_unflatten
from ._common import (
    Level,
    basis,
    check_argnums,
    depends_on_outer,
    grads_or_zeros,
    replace_args,
    select_args,
    zeros_like,
    zeros_shaped,
)
from ._randomness import check_randomness, forbid_randomness
from ._reverse import _check_outputs, _split_aux, jacrev, lifted_call


class _Transposed:
    """f's outputs at the inputs, and g = J^T u recorded for the second backward of the trick."""

    def __init__(self, flat_out, flat_in):
        self.flat_out, self.flat_in = flat_out, flat_in
        self.us = [zeros_like(o).requires_grad_(True) for o in flat_out]
        self.g = grads_or_zeros(flat_out, flat_in, self.us, create_graph=True)

    def jvp(self, flat_tangents, create_graph: bool) -> list:
        """J v for the tangents ``v`` (one per input), one result per output."""
        return grads_or_zeros(self.g, self.us, flat_tangents, create_graph=create_graph)


def _check_tangents(primals, tangents) -> None:
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    p_flat, p_spec = tree_flatten(primals)
    t_flat, t_spec = tree_flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{api}: Expected primals and tangents to have the same python structure. For example, if primals "
            f"is a tuple of 3 tensors, tangents also must be. Got primals with structure {p_spec} and tangents "
            f"with structure {t_spec}"
        )
    for p, t in zip(p_flat, t_flat):
        for what, x in (("primals", p), ("tangents", t)):
            if not isinstance(x, Tensor):
                raise RuntimeError(f"{api}: Expected {what} to only contain Tensors, got {type(x)}")
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the original Tensor, "
                f"this is not supported. Tensor is of size {list(p.shape)} while the given forward gradient is "
                f"of size {list(t.shape)}."
            )


def jvp(func: Callable, primals: tuple, tangents: tuple, *, strict: bool = False, has_aux: bool = False):
    """(func(*primals), J v[, aux]): the Jacobian-vector product with tangents ``v`` (torch.func.jvp).

    Forward mode by the double-vjp trick (see the module docstring): two backward passes.
    ``primals`` and ``tangents`` are tuples with the same pytree structure. ``strict`` is
    accepted and unused, as in torch.
    """
    _check_tangents(primals, tangents)
    level = Level()
    ins, flat_out, out_spec, aux = lifted_call(level, func, primals, has_aux, "jvp(f, primals, tangents)")
    with enable_grad():
        flat_in, _ = tree_flatten(ins)
        flat_t = [t.to(x.dtype) if t.dtype != x.dtype else t for t, x in zip(tree_flatten(tangents)[0], flat_in)]
        create = level.outer_grad and (level.reaches_outer(flat_out) or any(t._requires_grad for t in flat_t))
        tangent_out = _Transposed(flat_out, flat_in).jvp(flat_t, create)
    primal_out = level.unwrap(tree_unflatten(flat_out, out_spec))
    tangent_out = level.unwrap(tree_unflatten(tangent_out, out_spec))
    if has_aux:
        return primal_out, tangent_out, level.unwrap(aux)
    return primal_out, tangent_out


def linearize(func: Callable, *primals) -> tuple:
    """(func(*primals), jvp_fn): ``jvp_fn(*tangents)`` evaluates J v at the fixed primals.

    The forward and the first backward of the double-vjp trick are done once here; each ``jvp_fn``
    call is one more backward pass over the kept graph.
    """
    api = "linearize(func, *primals)"
    level = Level()
    ins, flat_out, out_spec, _ = lifted_call(level, func, primals, False, api)
    flat_in, in_spec = tree_flatten(ins)
    with enable_grad():
        transposed = _Transposed(flat_out, flat_in)

    def jvp_fn(*tangents):
        flat_t, t_spec = tree_flatten(tangents)
        if t_spec != in_spec:
            raise RuntimeError(f"{api}: Expected the tangents to have the structure of the primals {in_spec}, "
                               f"got {t_spec}")
        _check_tangents(tuple(primals), tuple(tangents))
        grad_on = is_grad_enabled()
        with enable_grad():
            create = grad_on and (depends_on_outer(flat_out, level.private) or any(t._requires_grad for t in flat_t))
            res = transposed.jvp(flat_t, create)
        return level.unwrap(tree_unflatten(res, out_spec), grad_on)

    return level.unwrap(tree_unflatten(flat_out, out_spec)), jvp_fn


def jacfwd(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """``func`` -> a function computing its Jacobian w.r.t. ``args[argnums]`` column by column (forward mode).

    ``func`` runs once; each column J e_k (one per input element) is the second backward of the
    double-vjp trick (see the module docstring). Results have jacrev's shapes and structure.
    ``randomness='error'`` makes a random op inside ``func`` raise, as in torch.
    """
    check_randomness(randomness)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        api = "jvp(f, primals, tangents)"
        nums = check_argnums(argnums, len(args))
        level = Level()
        with enable_grad():
            diff = level.lift(select_args(args, nums))
            if randomness == "error":
                with forbid_randomness():
                    out = func(*replace_args(args, nums, diff), **kwargs)
            else:
                out = func(*replace_args(args, nums, diff), **kwargs)
            out, aux = _split_aux(out, has_aux, api)
            flat_out, out_spec = _check_outputs(out, api)
            flat_in, in_spec = tree_flatten(diff)
            create = level.reaches_outer(flat_out)
            transposed = _Transposed(flat_out, flat_in)
            cols: list = [[[] for _ in flat_in] for _ in flat_out]  # [output][input] -> columns
            for k, x in enumerate(flat_in):
                for e in basis(x):
                    jv = grads_or_zeros([transposed.g[k]], transposed.us, [e], create_graph=create)
                    for i, c in enumerate(jv):
                        cols[i][k].append(c)
            per_output = []
            for i, o in enumerate(flat_out):
                jacs = [
                    stack(c, -1).reshape(tuple(o.shape) + tuple(x.shape)) if c
                    else zeros_shaped(o, tuple(o.shape) + tuple(x.shape))
                    for c, x in zip(cols[i], flat_in)
                ]
                per_output.append(level.unwrap(tree_unflatten(jacs, in_spec)))
        result = tree_unflatten(per_output, out_spec)
        if has_aux:
            return result, level.unwrap(aux)
        return result

    return wrapper


def hessian(func: Callable, argnums: int | tuple[int, ...] = 0) -> Callable:
    """The Hessian of a scalar ``func`` w.r.t. ``args[argnums]``: ``jacfwd(jacrev(func, argnums), argnums)``,
    as torch.func.hessian (forward-over-reverse; forward by the double-vjp trick here)."""
    return jacfwd(jacrev(func, argnums), argnums)
