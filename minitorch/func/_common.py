"""What the transforms share: argnums, the inputs a transform differentiates, and "levels".

torch.func tracks nested transforms with levels. minitorch builds them on its reverse-mode engine:

- A transform differentiates at *its own* tensors: a detached copy of each input that is a new leaf
  (``detach().requires_grad_()``: a "private" leaf), or, when the input already requires grad in an
  outer graph (an enclosing transform or the user's own autograd), a view of it, so the result
  stays differentiable w.r.t. that outer graph.
- The backward runs with ``create_graph=True`` only when the output depends on something outside
  the transform (an outer graph); otherwise no graph is recorded for it.
- Results are "unwrapped": a result that depends only on the private leaves is detached (torch's
  results do not require grad then); one connected to an outer graph is returned as it is.
"""
from __future__ import annotations

from ..autograd.engine import grad as _autograd_grad
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from ..utils._pytree import tree_map


def check_argnums(argnums, num_args: int):
    """Normalised argnums (int or tuple of ints) with torch's RuntimeErrors."""
    def one(a):
        if isinstance(a, bool) or not isinstance(a, int):
            raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
        if not -num_args <= a < num_args:
            raise RuntimeError(f"Got argnum={a}, but only {num_args} positional inputs")
        return a % num_args

    if isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        out = tuple(one(a) for a in argnums)
        if len(set(out)) != len(out):
            raise RuntimeError(f"argnums elements must be unique, got {argnums}")
        return out
    return one(argnums)


def select_args(args: tuple, argnums):
    """The arguments named by (normalised) argnums: one pytree, or a tuple of them."""
    if isinstance(argnums, tuple):
        return tuple(args[i] for i in argnums)
    return args[argnums]


def replace_args(args: tuple, argnums, new) -> tuple:
    """``args`` with the selected arguments replaced by ``new`` (as ``select_args`` shaped them)."""
    args = list(args)
    if isinstance(argnums, tuple):
        for i, v in zip(argnums, new):
            args[i] = v
    else:
        args[argnums] = new
    return tuple(args)


def check_tensor(t) -> Tensor:
    if not isinstance(t, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
    return t


def level_input(t: Tensor, private: set, outer_grad: bool) -> Tensor:
    """The tensor a transform differentiates at: a view (keeps an outer graph) or a private leaf."""
    check_tensor(t)
    if outer_grad and t._requires_grad:
        return t.view(tuple(t.shape))
    if not t.is_floating_point():
        raise RuntimeError("only Tensors of floating point dtype can require gradients")
    leaf = t.detach().requires_grad_(True)
    private.add(id(leaf))
    return leaf


def depends_on_outer(tensors, private: set) -> bool:
    """Whether any of ``tensors`` reaches, through its graph, a tensor that requires grad and is not
    one of this transform's private leaves (an outer graph: a captured parameter, an outer level)."""
    stack, seen = [], set()
    for t in tensors:
        if not isinstance(t, Tensor) or not t._requires_grad:
            continue
        fn = t._grad_fn
        if fn is None:
            if id(t) not in private:
                return True
        elif fn not in seen:
            seen.add(fn)
            stack.append(fn)
    while stack:
        fn = stack.pop()
        for edge in getattr(fn, "next_edges", ()):
            if edge is None:
                continue
            child = edge[0]
            if child is None:
                if id(edge[1]) not in private:
                    return True
            elif child not in seen:
                seen.add(child)
                stack.append(child)
    return False


def unwrap(t, private: set, outer_grad: bool):
    """A transform's result as torch gives it: detached unless it belongs to an outer graph."""
    if not isinstance(t, Tensor) or not t._requires_grad:
        return t
    if outer_grad and depends_on_outer((t,), private):
        return t
    return t.detach()


class Level:
    """One transform call: its private leaves, and whether grad mode was on outside it."""

    def __init__(self) -> None:
        self.outer_grad = is_grad_enabled()
        self.private: set = set()

    def lift(self, tree):
        """The tensors (a pytree) this transform differentiates at (``level_input`` of each leaf)."""
        return tree_map(lambda t: level_input(t, self.private, self.outer_grad), tree)

    def reaches_outer(self, tensors) -> bool:
        """Whether a backward must be recorded: grad mode was on and the tensors reach an outer graph."""
        return self.outer_grad and depends_on_outer(tensors, self.private)

    def unwrap(self, tree, grad_on: bool | None = None):
        """``unwrap`` over a pytree of results (``grad_on``: the grad mode to judge by, default the outer one)."""
        on = self.outer_grad if grad_on is None else grad_on
        return tree_map(lambda t: unwrap(t, self.private, on), tree)


def zeros_like(t: Tensor) -> Tensor:
    from ..tensor import zeros_like_tensor

    return zeros_like_tensor(t)


def zeros_shaped(like: Tensor, shape: tuple) -> Tensor:
    """Zeros of ``shape`` with ``like``'s dtype and device."""
    from ..backend import xp_of

    return Tensor._wrap(xp_of(like.array).zeros(shape, dtype=like.array.dtype))


def grads_or_zeros(outputs, inputs, grad_outputs, create_graph: bool, retain_graph: bool = True) -> list:
    """d(sum_i <outputs_i, grad_outputs_i>)/d inputs, zeros for inputs the outputs do not reach."""
    keep = [(o, g) for o, g in zip(outputs, grad_outputs) if isinstance(o, Tensor) and o._requires_grad]
    if not keep or not inputs:
        return [zeros_like(x) for x in inputs]
    gs = _autograd_grad([o for o, _ in keep], list(inputs), [g for _, g in keep], retain_graph=retain_graph,
                        create_graph=create_graph, allow_unused=True)
    return [g if g is not None else zeros_like(x) for g, x in zip(gs, inputs)]


def basis(t: Tensor):
    """The rows of an identity matrix shaped like ``t`` (one-hot grad_outputs, one per element)."""
    from ..backend import xp_of

    arr = t.array
    eye = xp_of(arr).eye(t.numel(), dtype=arr.dtype)
    return [Tensor._wrap(eye[j].reshape(arr.shape)) for j in range(t.numel())]


def func_name(func) -> str:
    return getattr(func, "__name__", repr(func))
