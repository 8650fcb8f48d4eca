"""Activation checkpointing (``torch.utils.checkpoint``): trade compute for memory.

``checkpoint(fn, *args)`` runs ``fn`` without keeping its intermediate activations; in backward
it runs ``fn`` again (with the random-number state of the first run, so dropout draws the same
mask) and backpropagates through that recomputation. The gradients equal those of ``fn(*args)``.

- ``use_reentrant=True`` (torch's old default): forward runs under ``no_grad``; gradients reach
  the tensor arguments, and parameters used inside ``fn`` get theirs accumulated by an inner
  ``backward()`` (so ``autograd.grad`` and ``backward(inputs=...)`` are refused, as in torch, and
  nothing flows when no argument requires grad).
- ``use_reentrant=False`` (recommended): forward also finds the leaf tensors ``fn`` uses
  (parameters) and makes them inputs of the checkpoint node, so the outer pass routes their
  gradients like any other: ``autograd.grad``, hooks and keyword arguments work.
"""
from __future__ import annotations

import contextlib
import copy
import warnings
from collections.abc import Callable
from typing import Any

from ..autograd import engine as _engine
from ..autograd.function import Function
from ..autograd.grad_mode import _GradState, enable_grad, no_grad
from ..backend import random as _backend_random
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn"]


def noop_context_fn():
    """The default ``context_fn``: no context around forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


# ---- random-number state: capture at forward, replay during the recomputation ---------------------
def _capture_rng(preserve: bool):
    if not preserve:
        return None
    cuda = _backend_random._cuda_generator
    return _backend_random.default_generator.get_state(), (copy.deepcopy(cuda) if cuda is not None else None)


@contextlib.contextmanager
def _replay_rng(state):
    """Inside: the generators as they were at forward; after: as they were before (torch's fork_rng)."""
    if state is None:
        yield
        return
    cpu_state, cuda = state
    gen = _backend_random.default_generator
    before_cpu, before_cuda = gen.get_state(), _backend_random._cuda_generator
    gen.set_state(cpu_state)
    if cuda is not None:
        _backend_random._cuda_generator = copy.deepcopy(cuda)
    try:
        yield
    finally:
        gen.set_state(before_cpu)
        _backend_random._cuda_generator = before_cuda


# ---- outputs: a Tensor, or a tuple/list that may hold non-Tensors ------------------------------------
def _flat_tensors(out) -> list:
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [o for o in out if isinstance(o, Tensor)]
    return []


def _rebuild(out, tensors: list):
    if isinstance(out, Tensor):
        return tensors[0]
    it = iter(tensors)
    items = [next(it) if isinstance(o, Tensor) else o for o in out]
    return type(out)(*items) if hasattr(out, "_fields") else type(out)(items)


def _detached_args(args: tuple) -> tuple:
    """The tensor arguments cut from the outer graph, requiring grad as the originals do."""
    return tuple(
        a.detach().requires_grad_(a._requires_grad) if isinstance(a, Tensor) else a for a in args
    )


class _Link(Function):
    """Identity (sharing memory): the recomputation's view of a caller's tensor under create_graph."""

    @staticmethod
    def forward(ctx, x):
        return x.array

    @staticmethod
    def backward(ctx, g):
        """d x / d x = identity."""
        return g


class CheckpointFunction(Function):
    """One checkpointed call: forward returns fn's outputs; backward recomputes fn and differentiates it.

    Inputs: the tensor arguments of fn, then (non-reentrant) the leaves fn uses.
    """

    @staticmethod
    def forward(ctx, run, *tensors):
        ctx.run = run
        ctx.save_for_backward(*tensors)
        outs = run.first_outputs
        run.first_outputs = None
        arrays = tuple(o.array for o in outs)
        ctx.mark_non_differentiable(*(
            a for a, o, req in zip(arrays, outs, run.out_requires) if not req or o.array.dtype.kind not in "fc"
        ))
        ctx.set_materialize_grads(False)
        return arrays

    @staticmethod
    def backward(ctx, *grads):
        """d/d inputs of fn(inputs): recompute fn with grad enabled, then backpropagate grads through it."""
        run = ctx.run
        saved = ctx.saved_tensors
        return (None,) + run.recompute_and_backward(saved, grads)


class _Run:
    """The state of one checkpointed call (kept by its node until backward)."""

    def __init__(self, fn, args, kwargs, reentrant: bool, preserve: bool, context_fn):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.reentrant = reentrant
        self.context_fn = context_fn
        self.rng = _capture_rng(preserve)
        self.positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_leaves = 0
        self.first_outputs = None
        self.out_requires: list = []

    def _call(self, args):
        return self.fn(*args, **self.kwargs)

    def recompute_and_backward(self, saved: tuple, grads: tuple) -> tuple:
        n_args = len(self.positions)
        arg_tensors, leaves = saved[:n_args], saved[n_args:]
        if self.reentrant and _engine._task_stack and _engine._task_stack[-1]:
            raise RuntimeError(
                "When use_reentrant=True, torch.utils.checkpoint is incompatible with .grad() or passing an "
                "`inputs` parameter to .backward(). To resolve this error, you can either set "
                "use_reentrant=False, or call .backward() without passing the `inputs` argument."
            )
        create_graph = _GradState.enabled
        inputs = list(self.args)
        links: list = []
        if create_graph and not self.reentrant:
            # double backward: the recomputation must hang off the caller's tensors. Identity nodes
            # link to them; their edges are cut during the inner pass (so it stops there) and restored
            # after, so the graph of the returned gradients reaches the caller's tensors.
            with enable_grad():
                detached = tuple(_Link.apply(t) if t._requires_grad else t.detach() for t in arg_tensors)
            links = [(t._grad_fn, t._grad_fn.next_edges) for t in detached if t._grad_fn is not None]
        else:
            detached = _detached_args(tuple(arg_tensors))
        for pos, t in zip(self.positions, detached):
            inputs[pos] = t
        recompute_ctx = self.context_fn()[1] if not self.reentrant else contextlib.nullcontext()
        with _replay_rng(self.rng), enable_grad(), recompute_ctx:
            outs = _flat_tensors(self._call(inputs))
        pairs = [(o, g) for o, g in zip(outs, grads) if g is not None and o._requires_grad]
        wanted = [t for t in detached if isinstance(t, Tensor) and t._requires_grad]
        if self.reentrant:
            if pairs:
                _engine.backward([o for o, _ in pairs], [g for _, g in pairs], create_graph=create_graph)
            return tuple(t.grad if t._requires_grad else None for t in detached)
        targets = wanted + list(leaves)
        if not pairs or not targets:
            return (None,) * len(saved)
        for node, _ in links:
            node.next_edges = (None,)
        try:
            got = _engine.run_backward(
                [o for o, _ in pairs], [g for _, g in pairs], create_graph, create_graph, inputs=tuple(targets),
                allow_unused=True, leaf_hooks=False,
            )
        finally:
            for node, edges in links:
                node.next_edges = edges
        it = iter(got)
        arg_grads = tuple(next(it) if t._requires_grad else None for t in detached)
        return arg_grads + tuple(it)


def _find_leaves(outputs: list, exclude: set) -> list:
    """Leaves requiring grad that ``outputs`` depend on (parameters fn used), in first-seen order."""
    leaves: list = []
    seen_leaves: set = set()
    stack = [o._grad_fn for o in outputs if o._grad_fn is not None]
    seen = set(stack)
    while stack:
        fn = stack.pop()
        for edge in getattr(fn, "next_edges", ()):
            if edge is None:
                continue
            child = edge[0]
            if child is None:
                leaf = edge[1]
                if id(leaf) not in exclude and id(leaf) not in seen_leaves:
                    seen_leaves.add(id(leaf))
                    leaves.append(leaf)
            elif child not in seen:
                seen.add(child)
                stack.append(child)
    return leaves


def checkpoint(function: Callable, *args, use_reentrant: bool | None = None, context_fn: Callable = noop_context_fn,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True,
               preserve_rng_state: bool = True, **kwargs) -> Any:
    """``function(*args, **kwargs)`` without storing its activations; recomputed in backward.

    ``preserve_rng_state`` replays the random-number state of forward during the recomputation.
    ``determinism_check``, ``debug`` and ``early_stop`` are accepted for torch compatibility.
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
            "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False "
            "is recommended, but if you need to preserve the current default behavior, you can pass "
            "use_reentrant=True. Refer to docs for more details on the differences between the two variants.",
            UserWarning, stacklevel=2,
        )
        use_reentrant = True
    if use_reentrant:
        if context_fn is not noop_context_fn or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    if not _GradState.enabled:  # nothing will be differentiated: just run it
        return function(*args, **kwargs)
    run = _Run(function, args, kwargs, use_reentrant, preserve_rng_state, context_fn)
    arg_tensors = [args[i] for i in run.positions]
    if use_reentrant:
        if not any(t._requires_grad for t in arg_tensors):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning,
                          stacklevel=2)
        with no_grad():
            out = function(*args)
        outs = _flat_tensors(out)
        run.out_requires = [True] * len(outs)
        leaves: list = []
    else:
        detached = _detached_args(args)
        forward_ctx = context_fn()[0]
        with enable_grad(), forward_ctx:  # the graph of this run only finds the leaves fn uses
            out = function(*detached, **kwargs)
        outs_graph = _flat_tensors(out)
        exclude = {id(t) for t in detached if isinstance(t, Tensor)}
        leaves = [t for t in _find_leaves(outs_graph, exclude) if t._requires_grad]
        run.out_requires = [o._requires_grad for o in outs_graph]
        outs = [o.detach() for o in outs_graph]  # drop the graph: activations are freed here
        del outs_graph
    run.first_outputs = outs
    results = CheckpointFunction.apply(run, *arg_tensors, *leaves)
    if not isinstance(results, tuple):
        results = (results,)
    results = list(results)
    for r, o in zip(results, outs):  # integer outputs and the like stay as fn returned them
        if o.array.dtype.kind not in "fc":
            r._requires_grad = False
    return _rebuild(out, results)


def checkpoint_sequential(functions, segments: int, input: Tensor, use_reentrant: bool | None = None,
                          **kwargs) -> Tensor:
    """Run ``functions`` (a Sequential or list of modules) in ``segments`` chunks, checkpointing every
    chunk but the last (torch's algorithm, including its use of ``children()`` for a Sequential)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
            "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
            "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
            "you can pass use_reentrant=True. Refer to docs for more details on the differences between the "
            "two variants.", UserWarning, stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run_function(start: int, end: int, fns: list):
        def forward(x):
            for j in range(start, end + 1):
                x = fns[j](x)
            return x

        return forward

    from ..nn import Sequential

    fns: list = list(functions.children()) if isinstance(functions, Sequential) else list(functions)
    segment_size = len(fns) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end, fns), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(fns) - 1, fns)(input)
