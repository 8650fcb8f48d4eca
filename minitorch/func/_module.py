"""Modules as functions of their parameters: functional_call and stack_module_state (torch.func)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..ops.shape import stack

_MISSING = object()


def _untie(module, given: dict) -> dict:
    """Add the names tied to a given name (the same Parameter under two names); torch's ValueError when
    different values are given for names that are tied."""
    named: dict = {}
    named.update(module.named_parameters(remove_duplicate=False))
    named.update(module.named_buffers(remove_duplicate=False))
    by_tensor: dict = {}
    for name, t in named.items():
        by_tensor.setdefault(id(t), set()).add(name)
    tied = {n: names for names in by_tensor.values() if len(names) > 1 for n in names}
    out = dict(given)
    for name in [n for n in given if n in tied]:
        names = tied[name]
        values = {id(given[n]) for n in names if n in given}
        if len(values) > 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, which are tied. "
                             "Consider using tie_weights=False")
        for n in names:
            out[n] = given[name]
    return out


def _swap(module, name: str, value):
    """Put ``value`` where ``name`` (a dotted path) lives; return what is needed to put it back."""
    prefix, _, attr = name.rpartition(".")
    mod = module.get_submodule(prefix) if prefix else module
    for store in (mod._parameters, mod._buffers):
        if attr in store:
            old = store[attr]
            store[attr] = value
            return store, attr, old
    old = mod.__dict__.get(attr, _MISSING)
    object.__setattr__(mod, attr, value)
    return mod, attr, old


def _restore(record) -> None:
    where, attr, old = record
    if isinstance(where, dict):
        where[attr] = old
    elif old is _MISSING:
        object.__delattr__(where, attr)
    else:
        object.__setattr__(where, attr, old)


def functional_call(module, parameter_and_buffer_dicts, args: Any = None, kwargs: dict | None = None, *,
                    tie_weights: bool = True, strict: bool = False):
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced by the given tensors.

    ``parameter_and_buffer_dicts`` maps dotted names (as ``named_parameters()``) to tensors; a tuple of
    dicts is merged (their keys must not overlap). The module's own tensors are swapped out only for the
    call and restored afterwards, so ``grad(lambda p: loss(functional_call(model, p, x)))(params)``
    differentiates w.r.t. ``params``. ``tie_weights``: names tied in the module share the value given for
    one of them. ``strict``: the names must match the module's exactly (torch's RuntimeError otherwise).
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        given = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts: dict = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                             "ambiguous")
        given = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    values = _untie(module, given) if tie_weights else dict(given)
    if strict:
        valid = {n for n, _ in module.named_parameters(remove_duplicate=False)}
        valid |= {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(valid - set(values)), sorted(set(values) - valid)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(type(module).__name__,
                                                                                 "\n\t".join(msgs)))
    records = []
    try:
        for name, value in values.items():
            records.append(_swap(module, name, value))
        return module(*args, **kwargs)
    finally:
        for record in reversed(records):
            _restore(record)


def _stacked_leaf(tensors, name: str):
    all_rg = all(t.requires_grad for t in tensors)
    if not all_rg and any(t.requires_grad for t in tensors):
        raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
    result = stack(list(tensors))
    if all_rg:
        result = result.detach().requires_grad_()
    return result


def stack_module_state(models) -> tuple[dict[str, Any], dict[str, Any]]:
    """(params, buffers): each model's parameters and buffers stacked along a new first dimension, by name.

    For ensembling with ``vmap``: ``vmap(lambda p, b, x: functional_call(models[0], (p, b), x),
    in_dims=(0, 0, None))(params, buffers, x)``. Stacked parameters are new leaves (optimisable).
    """
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    typ = type(models[0])
    if not all(type(m) is typ for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    all_params = [dict(m.named_parameters()) for m in models]
    params = {k: _stacked_leaf(tuple(p[k] for p in all_params), k) for k in all_params[0]}
    all_buffers = [dict(m.named_buffers()) for m in models]
    buffers = {k: _stacked_leaf(tuple(b[k] for b in all_buffers), k) for k in all_buffers[0]}
    return params, buffers


def replace_all_batch_norm_modules_(root):
    """In place: every BatchNorm module in ``root`` stops tracking running statistics (``running_mean``,
    ``running_var``, ``num_batches_tracked`` become None), so it normalises with batch statistics under
    ``vmap`` as well. Returns ``root``."""
    from ..nn.modules.normalization import _BatchNorm

    for m in root.modules():
        if isinstance(m, _BatchNorm) and m.track_running_stats:
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root
