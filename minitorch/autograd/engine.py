"""The backward engine: iterative reverse-mode traversal of the graph of Function nodes.

1. Count, for every node reachable from the roots, how many edges point at it (its dependencies).
2. Start from the roots' gradients; run a node only once all gradients flowing into it have
   been summed (dependency count reaches zero), so each backward runs once, in a valid
   topological order, with no Python recursion (a 10,000-op chain is fine).
3. Leaves accumulate into ``.grad`` (or, for ``autograd.grad``, into the returned tuple).
"""
from __future__ import annotations

from ..backend import xp_of
from ..tensor import Tensor
from .anomaly import _AnomalyState
from .grad_mode import _GradState

#: Active backward tracers (``autograd.trace``); each gets a callback per node run.
_tracers: list = []


def _count_dependencies(roots) -> dict:
    deps: dict = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        fn = stack.pop()
        for edge in fn.next_edges:
            if edge is None:
                continue
            child = edge[0]
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps


def _accumulate(a, b):
    """Sum two gradient contributions (either may be None)."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _owned(grad: Tensor) -> Tensor:
    """A gradient safe to store as ``.grad``: a fresh array no other tensor shares."""
    arr = grad.data
    if arr.base is not None or not arr.flags.writeable or not arr.flags.c_contiguous:
        return Tensor._wrap(arr.copy())
    return grad


def _shared(results, i: int, g) -> bool:
    """Whether a backward returned the same gradient array for an earlier input too (then a leaf
    must get its own copy, or accumulating into one leaf's .grad would change the other's)."""
    arr = g.data
    for r in results[:i]:
        if r is not None and (r is g or getattr(r, "data", r) is arr):
            return True
    return False


def _leaf_hooks(leaf: Tensor, grad: Tensor) -> Tensor:
    """Run a leaf's tensor hooks (each may replace the gradient)."""
    if leaf._hooks:
        for hook in leaf._hooks:
            new = hook(grad)
            if new is not None:
                grad = new
    return grad


def _store_leaf_grad(leaf: Tensor, grad: Tensor, create_graph: bool, passthrough: bool) -> None:
    if leaf._hooks:
        grad = _leaf_hooks(leaf, grad)
    old = leaf.grad
    if old is None:
        if create_graph:
            leaf.grad = grad
        else:
            g = Tensor._wrap(grad.data.copy()) if passthrough else _owned(grad)
            leaf.grad = g
    elif create_graph or old.requires_grad:
        leaf.grad = old + grad
    else:
        old.data += grad.data
    if leaf._post_hooks:
        for hook in leaf._post_hooks:
            hook(leaf)


def _run_node_hooks(fn, grads, create_graph, capture_node, captured) -> None:
    """Tensor hooks and retain_grad on a node's outputs, and autograd.grad captures."""
    if fn._hooks:
        for idx, hooks in fn._hooks.items():
            for hook in hooks:
                if grads[idx] is not None:
                    new = hook(grads[idx])
                    if new is not None:
                        grads[idx] = new
    if fn._retained:
        for idx, ref in fn._retained.items():
            t = ref()
            if t is not None and grads[idx] is not None:
                g = grads[idx]
                t.grad = g if create_graph else Tensor._wrap(g.data.copy())
    if capture_node:
        for idx in range(len(grads)):
            for i in capture_node.get((fn, idx), ()):
                captured[i] = _accumulate(captured[i], grads[idx])


def _fit_results(fn, results):
    """Drop trailing None gradients beyond the inputs, or raise like torch on a wrong count."""
    n = len(fn.next_edges)
    if len(results) > n and all(r is None for r in results[n:]):
        return results[:n]
    if len(results) != n:
        raise RuntimeError(
            f"function {fn.name()} returned an incorrect number of gradients (expected {n}, got {len(results)})"
        )
    return results


def _check_grad_shape(fn, edge, g, i) -> None:
    expected = edge[1].shape if edge[0] is None else edge[0]._out_shape(edge[1])
    if expected is not None and tuple(g.shape) != tuple(expected):
        raise RuntimeError(
            f"Function {fn.name()} returned an invalid gradient at index {i} - got {list(g.shape)} "
            f"but expected shape compatible with {list(expected)}"
        )


def run_backward(
    roots, root_grads, retain_graph: bool, create_graph: bool, inputs=None, allow_unused: bool = False
):
    """Backpropagate from ``roots``; accumulate into leaves' ``.grad`` or, if ``inputs`` is given,
    return the gradients for ``inputs`` (``autograd.grad``) without touching ``.grad``."""
    capture_leaf: dict = {}
    capture_node: dict = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
            if t._grad_fn is None:
                capture_leaf.setdefault(id(t), []).append(i)
            else:
                capture_node.setdefault((t._grad_fn, t._out_index), []).append(i)
    captured = [None] * (len(inputs) if inputs is not None else 0)

    root_fns = []
    buffers: dict = {}
    prev_mode = _GradState.enabled
    _GradState.enabled = create_graph
    try:
        for t, g in zip(roots, root_grads):
            fn = t._grad_fn
            if fn is None:  # a leaf root: its gradient is the seed itself
                if inputs is None:
                    _store_leaf_grad(t, g, create_graph, passthrough=True)
                elif id(t) in capture_leaf:
                    g = _leaf_hooks(t, g)
                    for i in capture_leaf[id(t)]:
                        captured[i] = _accumulate(captured[i], g)
                continue
            buf = buffers.get(fn)
            if buf is None:
                buf = buffers[fn] = [None] * fn._n_outputs
                root_fns.append(fn)
            buf[t._out_index] = _accumulate(buf[t._out_index], g)

        deps = _count_dependencies(root_fns)
        ready = [fn for fn in root_fns if fn not in deps]
        tracers = _tracers
        while ready:
            fn = ready.pop()
            grads = buffers.pop(fn)
            if fn._hooks or fn._retained or capture_node:
                _run_node_hooks(fn, grads, create_graph, capture_node, captured)
            if fn._n_outputs == 1:
                has_grad = grads[0] is not None
            else:
                missing = [g is None for g in grads]
                has_grad = not all(missing)
                if has_grad and any(missing) and fn.materialize_grads:
                    grads = [g if g is not None else fn._zeros_for_output(i) for i, g in enumerate(grads)]
            edges = fn.next_edges
            if has_grad:
                if tracers:
                    for tr in tracers:
                        tr._before(fn, grads)
                results = fn.backward(fn, *grads)
                if type(results) is not tuple:
                    results = (results,)
                if len(results) != len(edges):
                    results = _fit_results(fn, results)
                if tracers:
                    for tr in tracers:
                        tr._after(fn, results)
                if _AnomalyState.enabled:
                    _check_anomaly(fn, results)
            else:
                results = (None,) * len(edges)
            if not retain_graph:
                fn._release()

            builtin = fn._builtin
            for i, edge in enumerate(edges):
                if edge is None:
                    continue
                g = results[i]
                child, idx = edge
                if g is not None:
                    if type(g) is not Tensor and not isinstance(g, Tensor):
                        g = Tensor._wrap(g)
                    if not builtin:
                        _check_grad_shape(fn, edge, g, i)
                if child is None:  # a leaf: idx is the leaf tensor itself
                    if g is None:
                        continue
                    if inputs is None:
                        if idx._requires_grad:
                            shared = g is grads[0] or (not builtin and i > 0 and _shared(results, i, g))
                            _store_leaf_grad(idx, g, create_graph, passthrough=shared)
                    elif id(idx) in capture_leaf:
                        g = _leaf_hooks(idx, g)
                        for j in capture_leaf[id(idx)]:
                            captured[j] = _accumulate(captured[j], g)
                    continue
                buf = buffers.get(child)
                if buf is None:
                    buf = buffers[child] = [None] * child._n_outputs
                if g is not None:
                    old = buf[idx]
                    buf[idx] = g if old is None else old + g
                remaining = deps[child] - 1
                deps[child] = remaining
                if remaining == 0:
                    ready.append(child)
    finally:
        _GradState.enabled = prev_mode

    if inputs is not None:
        for i, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        return tuple(captured)
    return None


def _check_anomaly(fn, results) -> None:
    for i, g in enumerate(results):
        if isinstance(g, Tensor):
            xp_arr = g.data
            if xp_arr.dtype.kind == "f" and not bool((abs(xp_arr) < float("inf")).all()):
                where = getattr(fn, "_stack", None) or "(creation stack not recorded)\n"
                raise RuntimeError(
                    f"Function '{fn.name()}' returned nan/inf values in its {i}th output.\n"
                    f"The op was created at (most recent call last):\n{where}"
                )


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False, inputs=None):
    """Compute gradients of ``tensors`` w.r.t. graph leaves and accumulate them into ``.grad``."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    tensors = tuple(tensors)
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,) * len(tensors) if grad_tensors is None else (grad_tensors,)
    grads = _make_root_grads(tensors, tuple(grad_tensors), "backward")
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, grads, retain_graph, create_graph)


def _make_root_grads(tensors, grad_tensors, api: str):
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"{api}: got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    grads = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if t.data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs (got shape {list(t.shape)}); "
                    "pass gradient=... with the output's shape"
                )
            g = Tensor._wrap(_ones_like(t.data))
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(_as_array_like(t.data, g))
        elif tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(
                f"{api}: Mismatch in shape: grad_output[{i}] has a shape of {list(g.shape)} and "
                f"output[{i}] has a shape of {list(t.shape)}."
            )
        grads.append(g)
    return grads


def _ones_like(array):
    out = xp_of(array).empty(array.shape, dtype=array.dtype)
    out.fill(1)
    return out


def _as_array_like(array, value):
    return xp_of(array).asarray(value, dtype=array.dtype).reshape(array.shape)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph: bool = False,
    allow_unused: bool = False,
    materialize_grads: bool = False,
):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` without touching any ``.grad``."""
    single = isinstance(inputs, Tensor)
    if isinstance(outputs, Tensor):
        outputs = (outputs,)
    if single:
        inputs = (inputs,)
    outputs, inputs = tuple(outputs), tuple(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    grads = _make_root_grads(outputs, tuple(grad_outputs), "grad")
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(
        outputs, grads, retain_graph, create_graph, inputs=inputs,
        allow_unused=allow_unused or materialize_grads,
    )
    if materialize_grads:
        from ..tensor import zeros_like_tensor

        result = tuple(g if g is not None else zeros_like_tensor(t) for g, t in zip(result, inputs))
    return result
