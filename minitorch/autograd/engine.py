"""The backward engine: iterative reverse-mode traversal of the graph of Function nodes.

1. Count, for every node reachable from the roots, how many edges point at it (its dependencies).
2. Start from the roots' gradients; run a node only once all gradients flowing into it have
   been summed (dependency count reaches zero), so each backward runs once, in a valid
   topological order, with no Python recursion (a 10,000-op chain is fine).
3. Leaves accumulate into ``.grad`` (or, for ``autograd.grad``, into the returned tuple).
"""
from __future__ import annotations

import warnings

from ..backend import xp_of
from ..tensor import Tensor
from .anomaly import _AnomalyState
from .grad_mode import _GradState

#: Active backward tracers (``autograd.trace``); each gets a callback per node run.
_tracers: list = []
#: One entry per running backward pass (nested ones come from checkpoint's recomputation): whether
#: it is an ``autograd.grad`` / ``backward(inputs=...)`` pass.
_task_stack: list = []


def _count_dependencies(roots) -> tuple[dict, dict]:
    """Edges into each reachable node, and into each leaf whose hooks must see its summed gradient.

    A leaf with tensor hooks or post-accumulate hooks is tracked like a node (torch's AccumulateGrad):
    its contributions are summed and its hooks run once, when the last one has arrived.
    """
    deps: dict = {}
    leaf_deps: dict = {}
    stack = list(roots)
    seen = set(roots)
    while stack:
        fn = stack.pop()
        for edge in fn.next_edges:
            if edge is None:
                continue
            child = edge[0]
            if child is None:
                leaf = edge[1]
                if leaf._hooks or leaf._post_hooks:
                    k = id(leaf)
                    leaf_deps[k] = leaf_deps.get(k, 0) + 1
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps, leaf_deps


_NEVER = 1 << 62


def _prune(roots, target_fns: set, target_leaves: set, leaf_hooks: bool = True) -> tuple[set, dict, dict]:
    """For ``autograd.grad`` and ``backward(inputs=...)``: run only the nodes on a path to an input.

    Returns the nodes to execute and the dependency counts restricted to the edges between them
    (a node whose output is an input is reached, to read its gradient, but runs only when it also
    leads to another input). Hooks on tensors off those paths do not fire, as in torch.
    """
    parents: dict = {}
    feeds_leaf = []
    seen = set(roots)
    stack = list(roots)
    while stack:
        fn = stack.pop()
        for edge in fn.next_edges:
            if edge is None:
                continue
            child = edge[0]
            if child is None:
                if id(edge[1]) in target_leaves:
                    feeds_leaf.append(fn)
                continue
            parents.setdefault(child, []).append(fn)
            if child not in seen:
                seen.add(child)
                stack.append(child)
    execute: set = set(feeds_leaf)
    frontier = [fn for fn in target_fns if fn in seen] + feeds_leaf
    done = set(frontier)
    while frontier:
        for p in parents.get(frontier.pop(), ()):
            execute.add(p)
            if p not in done:
                done.add(p)
                frontier.append(p)
    reached = execute | (target_fns & seen)
    deps: dict = dict.fromkeys(seen - reached, _NEVER)  # off the paths: never becomes ready
    leaf_deps: dict = {}
    for fn in execute:
        for edge in fn.next_edges:
            if edge is None:
                continue
            child = edge[0]
            if child is None:
                leaf = edge[1]
                if leaf_hooks and id(leaf) in target_leaves and (leaf._hooks or leaf._post_hooks):
                    leaf_deps[id(leaf)] = leaf_deps.get(id(leaf), 0) + 1
            elif child in reached:
                deps[child] = deps.get(child, 0) + 1
    for fn in reached:
        deps.setdefault(fn, 0)
    return execute, deps, leaf_deps


def _accumulate(a, b):
    """Sum two gradient contributions (either may be None)."""
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _owned(grad: Tensor) -> Tensor:
    """A gradient safe to store as ``.grad``: a fresh array no other tensor shares."""
    arr = grad.array
    if arr.base is not None or not getattr(arr.flags, "writeable", True) or not arr.flags.c_contiguous:
        return Tensor._wrap(arr.copy())
    return grad


def _shared(results, i: int, g) -> bool:
    """Whether a backward returned the same gradient array for an earlier input too (then a leaf
    must get its own copy, or accumulating into one leaf's .grad would change the other's)."""
    arr = g.array
    for r in results[:i]:
        if r is not None and (r is g or getattr(r, "array", r) is arr):
            return True
    return False


def _leaf_hooks(leaf: Tensor, grad: Tensor) -> Tensor:
    """Run a leaf's tensor hooks (each may replace the gradient)."""
    if leaf._hooks:
        for hook in tuple(leaf._hooks):
            new = hook(grad)
            if new is not None:
                grad = new
    return grad


def _store_leaf_grad(leaf: Tensor, grad: Tensor, create_graph: bool, passthrough: bool) -> None:
    """Accumulate ``grad`` (the leaf's whole gradient for this backward) into ``leaf.grad``: the
    tensor hooks run first (and may replace it), the post-accumulate hooks after, once each."""
    if leaf._hooks:
        grad = _leaf_hooks(leaf, grad)
    dtype = leaf.array.dtype
    if grad.array.dtype is not dtype and grad.array.dtype != dtype and dtype.kind == "f":  # f16 + f32: f16 grad
        grad = grad.to(leaf.dtype) if create_graph else Tensor._wrap(grad.array.astype(dtype))
    old = leaf.grad
    if old is None:
        if create_graph:
            leaf.grad = grad
        else:
            g = Tensor._wrap(grad.array.copy()) if passthrough else _owned(grad)
            leaf.grad = g
    elif create_graph or old.requires_grad:
        leaf.grad = old + grad
    else:
        old.array += grad.array
    if leaf._post_hooks:
        for hook in tuple(leaf._post_hooks):
            hook(leaf)


def _run_node_hooks(fn, grads, create_graph, capture_node, captured) -> None:
    """Tensor hooks and retain_grad on a node's outputs, and autograd.grad captures."""
    if fn._hooks:
        for idx, hooks in fn._hooks.items():
            for hook in tuple(hooks):
                if grads[idx] is not None:
                    new = hook(grads[idx])
                    if new is not None:
                        grads[idx] = new
    if fn._retained:
        for idx, ref in fn._retained.items():
            t = ref()
            if t is not None and grads[idx] is not None:
                g = grads[idx]
                old = t.grad
                if old is None:  # like torch, a retained .grad accumulates over backward calls
                    t.grad = g if create_graph else Tensor._wrap(g.array.copy())
                else:
                    t.grad = old + g
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
    roots, root_grads, retain_graph: bool, create_graph: bool, inputs=None, allow_unused: bool = False,
    accumulate: bool = False, leaf_hooks: bool = True,
):
    """Backpropagate from ``roots``.

    - ``inputs`` None: accumulate into every leaf's ``.grad`` (``backward()``);
    - ``inputs`` given: return the gradients for ``inputs`` without touching ``.grad``
      (``autograd.grad``), or, with ``accumulate=True``, accumulate into those tensors' ``.grad``
      only (``backward(inputs=...)``; a non-leaf input retains its grad, as in torch).
    In both ``inputs`` modes only the nodes on a path to an input run. ``leaf_hooks=False`` (for
    checkpoint's inner pass, whose leaf gradients the outer pass accumulates) skips leaf hooks.
    """
    capture_leaf: dict = {}
    capture_node: dict = {}
    target_leaves = None
    if inputs is not None:
        for i, t in enumerate(inputs):
            if not t._requires_grad:
                raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
            if t._grad_fn is None:
                capture_leaf.setdefault(id(t), []).append(i)
            else:
                capture_node.setdefault((t._grad_fn, t._out_index), []).append(i)
        target_leaves = set(capture_leaf)
        if accumulate:  # non-leaf inputs were given retain_grad(): nothing to capture
            target_fns = {key[0] for key in capture_node}
            capture_node, capture_leaf = {}, {}
        else:
            target_fns = {key[0] for key in capture_node}
    captured = [None] * (len(inputs) if inputs is not None else 0)

    root_fns = []
    root_leaves = []
    buffers: dict = {}
    prev_mode = _GradState.enabled
    _GradState.enabled = create_graph
    tracked_task = inputs is not None or bool(_task_stack)
    if tracked_task:
        _task_stack.append(inputs is not None)
    try:
        for t, g in zip(roots, root_grads):
            fn = t._grad_fn
            if fn is None:  # a leaf root: its gradient is the seed itself
                root_leaves.append((t, g))
                continue
            buf = buffers.get(fn)
            if buf is None:
                buf = buffers[fn] = [None] * fn._n_outputs
                root_fns.append(fn)
            buf[t._out_index] = _accumulate(buf[t._out_index], g)

        if inputs is None:
            execute = None
            deps, leaf_deps = _count_dependencies(root_fns)
            ready = [fn for fn in root_fns if fn not in deps]
        else:
            execute, deps, leaf_deps = _prune(root_fns, target_fns, target_leaves, leaf_hooks)
            ready = [fn for fn in root_fns if deps.get(fn) == 0]
        leaf_bufs: dict = {}
        for t, g in root_leaves:
            if leaf_deps and id(t) in leaf_deps:  # more contributions to come: sum them first
                leaf_bufs[id(t)] = _accumulate(leaf_bufs.get(id(t)), g)
            else:
                _finish_leaf(t, g, inputs, accumulate, target_leaves, capture_leaf, captured, create_graph, True,
                             leaf_hooks)

        tracers = _tracers
        while ready:
            fn = ready.pop()
            grads = buffers.pop(fn)
            if fn._hooks or fn._retained or capture_node:
                _run_node_hooks(fn, grads, create_graph, capture_node, captured)
            if execute is not None and fn not in execute:
                continue  # reached only to read an input's gradient
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
                if _AnomalyState.enabled and _AnomalyState.check_nan:
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
                    if leaf_deps and id(idx) in leaf_deps:  # hooked leaf: sum, then hooks once
                        key = id(idx)
                        if g is not None:
                            leaf_bufs[key] = _accumulate(leaf_bufs.get(key), g)
                        remaining = leaf_deps[key] - 1
                        leaf_deps[key] = remaining
                        if remaining == 0:
                            total = leaf_bufs.pop(key, None)
                            if total is not None:
                                _finish_leaf(idx, total, inputs, accumulate, target_leaves, capture_leaf,
                                             captured, create_graph, True)
                        continue
                    if g is None:
                        continue
                    if inputs is None:  # plain backward (the hot path): straight into .grad
                        if idx._requires_grad:
                            shared = g is grads[0] or (not builtin and i > 0 and _shared(results, i, g))
                            _store_leaf_grad(idx, g, create_graph, passthrough=shared)
                    elif id(idx) in target_leaves:
                        shared = g is grads[0] or (not builtin and i > 0 and _shared(results, i, g))
                        _finish_leaf(idx, g, inputs, accumulate, target_leaves, capture_leaf, captured, create_graph,
                                     shared)
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
        if tracked_task:
            _task_stack.pop()

    if inputs is not None and not accumulate:
        for i, g in enumerate(captured):
            if g is None and not allow_unused:
                raise RuntimeError(
                    f"One of the differentiated Tensors (input {i}) appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
        return tuple(captured)
    return None


def _finish_leaf(leaf, g, inputs, accumulate, target_leaves, capture_leaf, captured, create_graph, shared,
                 leaf_deps_hooks=True):
    """A leaf's whole gradient has arrived: hooks once, then ``.grad`` or the autograd.grad capture."""
    if inputs is None or accumulate:
        if (inputs is None or id(leaf) in target_leaves) and leaf._requires_grad:
            _store_leaf_grad(leaf, g, create_graph, passthrough=shared)
    elif id(leaf) in target_leaves:
        if leaf_deps_hooks:
            g = _leaf_hooks(leaf, g)
        for j in capture_leaf[id(leaf)]:
            captured[j] = _accumulate(captured[j], g)


def _check_anomaly(fn, results) -> None:
    for i, g in enumerate(results):
        if isinstance(g, Tensor):
            xp_arr = g.array
            if xp_arr.dtype.kind == "f" and not bool((abs(xp_arr) < float("inf")).all()):
                where = getattr(fn, "_stack", None) or "(creation stack not recorded)\n"
                raise RuntimeError(
                    f"Function '{fn.name()}' returned nan/inf values in its {i}th output.\n"
                    f"The op was created at (most recent call last):\n{where}"
                )


def backward(
    tensors, grad_tensors=None, retain_graph=None, create_graph: bool = False, grad_variables=None, inputs=None
):
    """Compute gradients of ``tensors`` w.r.t. graph leaves and accumulate them into ``.grad``.

    ``inputs`` (a tensor or a sequence of tensors) limits the accumulation to those tensors; a
    non-leaf among them gets ``retain_grad()`` and so its ``.grad`` filled, as in torch.
    """
    if grad_variables is not None:  # torch's deprecated name for grad_tensors
        if grad_tensors is not None:
            raise RuntimeError("'grad_tensors' and 'grad_variables' (deprecated) arguments both passed to "
                               "backward(). Please only use 'grad_tensors'.")
        grad_tensors = grad_variables
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
    tensors = tuple(tensors)
    if inputs is not None:
        inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            t.retain_grad()  # raises like torch for a tensor that does not require grad
    if grad_tensors is None or isinstance(grad_tensors, Tensor):
        grad_tensors = (grad_tensors,) * len(tensors) if grad_tensors is None else (grad_tensors,)
    grads = _make_root_grads(tensors, tuple(grad_tensors), "backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is None:
        run_backward(tensors, grads, retain_graph, create_graph)
    else:
        run_backward(tensors, grads, retain_graph, create_graph, inputs, False, True)


def backward_scalar(t: Tensor, retain_graph, create_graph: bool) -> None:
    """``t.backward()`` with no gradient and no inputs: ``backward`` without its argument handling."""
    if not t._requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    arr = t.array
    if arr.size != 1:
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs (got shape {list(t.shape)}); "
            "pass gradient=... with the output's shape"
        )
    if arr.dtype.kind == "c":
        _refuse_complex_root(t)
    run_backward((t,), (Tensor._wrap(_ones_like(arr)),), create_graph if retain_graph is None else retain_graph,
                 create_graph)


def _refuse_complex_root(t: Tensor) -> None:
    raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {t.dtype}")


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
            if t.array.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs (got shape {list(t.shape)}); "
                    "pass gradient=... with the output's shape"
                )
            if t.array.dtype.kind == "c":
                _refuse_complex_root(t)
            g = Tensor._wrap(_ones_like(t.array))
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(_as_array_like(t.array, g))
        elif tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(
                f"{api}: Mismatch in shape: grad_output[{i}] has a shape of {list(g.shape)} and "
                f"output[{i}] has a shape of {list(t.shape)}."
            )
        if (t.array.dtype.kind == "c" or g.array.dtype.kind == "c") and g.array.dtype != t.array.dtype:
            raise RuntimeError(
                f"For complex Tensors, both grad_output and output are required to have the same dtype. Mismatch "
                f"in dtype: grad_output[{i}] has a dtype of {g.dtype} and output[{i}] has a dtype of {t.dtype}."
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
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` without touching any ``.grad``.

    ``only_inputs`` is accepted as in torch (deprecated and ignored there: False only warns).
    ``is_grads_batched=True``: each ``grad_outputs`` entry has a leading batch dimension, and the result
    stacks one vector-Jacobian product per batch entry (torch vmaps the backward; here it is a loop).
    """
    if not only_inputs:
        warnings.warn(
            "only_inputs argument is deprecated and is ignored now (defaults to True). To accumulate "
            "gradient for other parts of the graph, please use torch.autograd.backward.",
            FutureWarning, stacklevel=2,
        )
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    allow_unused = bool(allow_unused)
    single = isinstance(inputs, Tensor)
    if isinstance(outputs, Tensor):
        outputs = (outputs,)
    if single:
        inputs = (inputs,)
    outputs, inputs = tuple(outputs), tuple(inputs)
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        grad_outputs = (grad_outputs,) * len(outputs) if grad_outputs is None else (grad_outputs,)
    if retain_graph is None:
        retain_graph = create_graph
    if is_grads_batched:
        result = _batched_vjps(outputs, inputs, tuple(grad_outputs), retain_graph, create_graph,
                               allow_unused or materialize_grads)
    else:
        grads = _make_root_grads(outputs, tuple(grad_outputs), "grad")
        result = run_backward(
            outputs, grads, retain_graph, create_graph, inputs=inputs,
            allow_unused=allow_unused or materialize_grads,
        )
    if materialize_grads:
        from ..tensor import zeros_like_tensor

        result = tuple(g if g is not None else zeros_like_tensor(t) for g, t in zip(result, inputs))
    return result


def _batched_vjps(outputs, inputs, grad_outputs, retain_graph: bool, create_graph: bool, allow_unused: bool):
    """``grad(..., is_grads_batched=True)``: one backward per entry of the grad_outputs' leading dim, stacked."""
    from ..ops.shape import stack

    if any(not isinstance(g, Tensor) for g in grad_outputs):
        raise RuntimeError("autograd.grad(is_grads_batched=True): every grad_outputs entry must be a Tensor "
                           "with a leading batch dimension")
    sizes = {g.shape[0] if g.ndim else None for g in grad_outputs}
    if len(sizes) != 1 or None in sizes:
        raise RuntimeError(
            "autograd.grad(is_grads_batched=True): grad_outputs must share one leading batch dimension, got "
            f"shapes {[list(g.shape) for g in grad_outputs]}"
        )
    (batch,) = sizes
    if batch == 0:
        raise IndexError("index 0 is out of bounds for dimension 0 with size 0")
    for g, out in zip(grad_outputs, outputs):
        if tuple(g.shape[1:]) != tuple(out.shape):
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as the batch "
                "dimension. The sizes of the remaining dimensions are expected to match the shape of corresponding "
                f"output, but a mismatch was detected: grad_output has a shape of {list(g.shape)} and output has "
                f"a shape of {list(out.shape)}."
            )
    per_entry = []
    for i in range(batch):
        roots = _make_root_grads(outputs, tuple(g[i] for g in grad_outputs), "grad")
        keep = retain_graph or i < batch - 1
        per_entry.append(run_backward(outputs, roots, keep, create_graph, inputs=inputs, allow_unused=allow_unused))
    result = []
    for k in range(len(inputs)):
        parts = [entry[k] for entry in per_entry]
        result.append(None if parts[0] is None else stack(parts))
    return tuple(result)
