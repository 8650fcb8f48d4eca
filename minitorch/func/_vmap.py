"""vmap: map a function over a batch dimension (torch.vmap / torch.func.vmap).

minitorch has no batching rules: ``vmap`` runs ``func`` once per batch element (inputs sliced with
``select`` along their ``in_dims``) and stacks the results along ``out_dims``. The semantics are
torch's (in_dims / out_dims as pytree prefixes, nesting, ``chunk_size``, tuple/dict outputs, the
errors), the speed is that of a Python loop, and data-dependent code that torch's vmap refuses
(``.item()``, Python control flow on values) simply works here. Slicing and stacking are
differentiable ops, so gradients flow through ``vmap`` and transforms compose with it
(``vmap(grad(f))`` gives per-sample gradients).
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..backend import xp_of
from ..ops.shape import stack
from ..tensor import Tensor
from ..utils._pytree import TreeSpec, tree_flatten, tree_structure, tree_unflatten
from ._common import func_name
from ._randomness import SameRandomness, check_randomness, forbid_randomness


def _broadcast_prefix(prefix, tree_spec: TreeSpec, tree) -> list | None:
    """Flatten ``prefix`` (a pytree prefix of ``tree``: each prefix leaf covers a whole subtree) to one
    entry per leaf of ``tree``; None when the structures do not match."""
    if tree_spec.is_leaf() or tree_structure(prefix).is_leaf():
        if not tree_structure(prefix).is_leaf():
            return None
        return [prefix] * tree_spec.num_leaves
    p_leaves, p_spec = tree_flatten(prefix, is_leaf=lambda x: x is None)
    if p_spec.type is not tree_spec.type or p_spec.context != tree_spec.context \
            or p_spec.num_children != tree_spec.num_children:
        return None
    kids = list(prefix.values()) if isinstance(prefix, dict) else list(prefix)
    subtrees = [tree[k] for k in tree_spec.context] if isinstance(tree, dict) else list(tree)
    out: list = []
    for p, sub, s in zip(kids, subtrees, tree_spec.children()):
        r = _broadcast_prefix(p, s, sub)
        if r is None:
            return None
        out += r
    return out


def _fmt(x) -> str:
    return repr(x)


def _flat_in_dims(name: str, in_dims, args: tuple) -> tuple[list, list, TreeSpec, int]:
    head = f"vmap({name}, in_dims={_fmt(in_dims)}, ...)(<inputs>)"
    if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
        raise ValueError(f"{head}: expected `in_dims` to be int or a (potentially nested) tuple matching the "
                         f"structure of inputs, got: {type(in_dims)}.")
    if not args:
        raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                         "trying to vmap over a function with no inputs. The latter is unsupported.")
    flat_args, spec = tree_flatten(args)
    dims = _broadcast_prefix(in_dims, spec, args)
    if dims is None:
        raise ValueError(f"{head}: in_dims is not compatible with the structure of `inputs`. in_dims has "
                         f"structure {tree_structure(in_dims)} but inputs has structure {spec}.")
    sizes = []
    for i, (a, d) in enumerate(zip(flat_args, dims)):
        if d is None:
            continue
        if isinstance(d, bool) or not isinstance(d, int):
            raise ValueError(f"{head}: Got in_dim={d} for an input but in_dim must be either an integer "
                             "dimension or None.")
        if not isinstance(a, Tensor):
            raise ValueError(f"{head}: Got in_dim={d} for an input but the input is of type {type(a)}. We cannot "
                             "vmap over non-Tensor arguments, please use None as the respective in_dim")
        if not -a.dim() <= d < max(a.dim(), 0) or a.dim() == 0:
            raise ValueError(f"{head}: Got in_dim={d} for some input, but that input is a Tensor of "
                             f"dimensionality {a.dim()} so expected in_dim to satisfy -{a.dim()} <= in_dim < "
                             f"{a.dim()}.")
        dims[i] = d % a.dim()
        sizes.append(a.shape[dims[i]])
    if not sizes:
        raise ValueError(f"{head}: at least one input must be batched (have in_dim != None). Got in_dims="
                         f"{_fmt(in_dims)} and no input is a Tensor with a mapped dimension.")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return flat_args, dims, spec, sizes[0]


def _element(a, d, i):
    if d is None:
        return a
    if i is None:  # empty batch: a zero element of the per-sample shape, to learn the output structure
        shape = tuple(a.shape[:d]) + tuple(a.shape[d + 1:])
        return Tensor._wrap(xp_of(a.array).zeros(shape, dtype=a.array.dtype))
    return a.select(d, i)


def _check_outputs(name: str, out) -> tuple[list, TreeSpec]:
    flat, spec = tree_flatten(out)
    for o in flat:
        if not isinstance(o, Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(o)}. Did you "
                             "mean to set out_dims= to None for output?")
    return flat, spec


def _same_tensor(a: Tensor, b: Tensor) -> bool:
    if a is b:
        return True
    if tuple(a.shape) != tuple(b.shape):
        return False
    return bool(xp_of(a.array).array_equal(a.array, b.array))  # host sync: only for out_dims=None


def vmap(func: Callable, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None) -> Callable:
    """``func`` mapped over a batch dimension: ``in_dims`` picks it per input (int, None, or a nested tuple
    matching the positional inputs), ``out_dims`` places it in each output (int, None, or a pytree prefix of
    the outputs). Keyword arguments are passed through unbatched.

    Implemented as a loop: ``func`` runs on each batch element and the outputs are stacked (see the module
    docstring). ``randomness``: 'error' (a random op inside raises), 'different' (each element draws its own
    numbers) or 'same' (every element draws the same numbers). ``chunk_size`` is validated; the loop runs
    one element at a time whatever its value. An output with ``out_dims=None`` must be the same for every
    element (checked by value: one host sync on a GPU).
    """
    check_randomness(randomness)
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)
                                   or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        name = func_name(func)
        flat_args, dims, spec, batch = _flat_in_dims(name, in_dims, args)
        same = SameRandomness() if randomness == "same" else None
        results = []
        out_spec = None
        for i in range(batch) if batch else [None]:
            elem = tree_unflatten([_element(a, d, i) for a, d in zip(flat_args, dims)], spec)
            if same is not None:
                same.replay()
            if randomness == "error":
                with forbid_randomness():
                    out = func(*elem, **kwargs)
            else:
                out = func(*elem, **kwargs)
            flat_out, o_spec = _check_outputs(name, out)
            if out_spec is not None and o_spec != out_spec:
                raise ValueError(f"vmap({name}, ...): `{name}` returned outputs of different structures for "
                                 f"different batch elements: {out_spec} and {o_spec}")
            out_spec = o_spec
            results.append(flat_out)
        odims = _broadcast_prefix(out_dims, out_spec, tree_unflatten(results[0], out_spec))
        if odims is None:
            raise ValueError(f"vmap({name}, ..., out_dims={_fmt(out_dims)})(<inputs>): out_dims is not compatible "
                             f"with the structure of `outputs`. out_dims has structure {tree_structure(out_dims)} "
                             f"but outputs has structure {out_spec}.")
        final = []
        for j, od in enumerate(odims):
            column = [r[j] for r in results]
            if od is None:
                if batch and not all(_same_tensor(column[0], c) for c in column[1:]):
                    raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim "
                                     "is None")
                final.append(column[0])
            elif isinstance(od, bool) or not isinstance(od, int):
                raise ValueError(f"vmap({name}, ..., out_dims={_fmt(out_dims)}): Got out_dim={od} for an output "
                                 "but out_dim must be either an integer dimension or None.")
            elif batch:
                final.append(stack(column, od))
            else:
                o = column[0]
                d = od % (o.dim() + 1) if -(o.dim() + 1) <= od <= o.dim() else od
                stack([o], d)  # raises torch's IndexError for an out-of-range out_dim
                shape = tuple(o.shape[:d]) + (0,) + tuple(o.shape[d:])
                final.append(Tensor._wrap(xp_of(o.array).zeros(shape, dtype=o.array.dtype)))
        return tree_unflatten(final, out_spec)

    return wrapped
