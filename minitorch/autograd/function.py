"""``Function``: one differentiable op, forward and backward side by side. Instances are graph nodes.

Built-in ops compute ``forward`` on the raw arrays of their Tensor inputs (``x.data``) and
return an array; ``backward`` receives Tensor gradients and returns Tensor gradients written
with Tensor ops, so that with ``create_graph=True`` the backward itself is recorded and can be
differentiated again. A user's Function (PyTorch style) may return Tensors from ``forward``.
"""
from __future__ import annotations

import weakref

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor
from ..tensor import _wrap_array as _wrap
from .anomaly import _AnomalyState, creation_stack
from .grad_mode import _GradState

_FLOAT_KINDS = "fc"


class Function:
    """Base class of every op. Subclass it with static ``forward(ctx, ...)`` and ``backward(ctx, ...)``.

    ``Subclass.apply(*args)`` runs forward and, when any Tensor argument requires grad and grad
    mode is on, records a node (the ``ctx`` object itself) in the graph.
    """

    __slots__ = ("next_edges", "needs_input_grad", "_saved", "_saved_versions", "__dict__", "__weakref__")
    # Defaults read through the class until a node sets its own (keeps apply() lean).
    _freed = False
    _hooks = None
    _retained = None
    _n_outputs = 1
    _out_data = None
    _out_ref = None
    _out_version = 0
    _stack = None
    materialize_grads = True
    #: Built-in ops are trusted to return correctly shaped gradients; user Functions are checked.
    _builtin = False
    #: When True, ``ctx.output`` gives backward the forward result as a graph-connected Tensor.
    saves_output = False

    # ---- what forward/backward call on ctx -------------------------------------------------
    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (or raw arrays) for backward; in-place changes to them are detected."""
        self._saved = tensors  # apply() records their versions when forward returns

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked against in-place modification."""
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Saved intermediate values of the graph are freed "
                "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need "
                "to backward through the graph a second time or if you need to access saved tensors "
                "after calling backward."
            )
        saved = self._saved
        if saved is None:
            return ()
        for t, v in zip(saved, self._saved_versions):
            if v is not None and t._version != v:
                _raise_modified(self, t, v)
        return saved

    @property
    def output(self) -> Tensor:
        """The forward result (for ops with ``saves_output``), connected to this node."""
        if self._freed:
            self.saved_tensors  # raises the freed-graph error  # noqa: B018
        ref = self._out_ref
        if ref is not None:
            alive = ref()
            if alive is not None and alive._version != self._out_version:
                _raise_modified(self, alive, self._out_version)
        out = Tensor._wrap(self._out_data)
        if _GradState.enabled:  # create_graph: the output is a function of the inputs via this node
            out._requires_grad = True
            out._grad_fn = self
        return out

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that get no gradient (e.g. indices); PyTorch's API."""
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    def mark_dirty(self, *tensors) -> None:  # accepted for PyTorch compatibility
        pass

    # ---- the op ------------------------------------------------------------------------------
    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("Function subclasses must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(f"{type(ctx).__name__} does not implement backward")

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` and record this op in the graph when a Tensor input requires grad."""
        ctx = _new(cls)
        if _GradState.enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    break
            else:
                a = None
        else:
            a = None
        if a is None:  # the fast path: no input needs a gradient, so no node is recorded
            ctx.needs_input_grad = _NO_GRADS[len(args)] if len(args) < 16 else (False,) * len(args)
            out = cls.forward(ctx, *args)
            if type(out) is _ndarray:
                return _wrap(out)
            if type(out) is not tuple:
                return _wrap(_as_array(out))
            return tuple(_wrap(_as_array(o)) for o in out)

        ctx._saved = None
        needs, edges = [], []
        for a in args:
            if isinstance(a, Tensor) and a._requires_grad:
                needs.append(True)
                fn = a._grad_fn
                edges.append((fn, a._out_index) if fn is not None else (None, a))
            else:
                needs.append(False)
                edges.append(None)
        ctx.needs_input_grad = tuple(needs)
        ctx.next_edges = tuple(edges)
        if cls._builtin:  # array-level forward: nothing in it can record a graph
            out = cls.forward(ctx, *args)
        else:  # a user's forward may call Tensor ops: run them without recording
            _GradState.enabled = False
            try:
                out = cls.forward(ctx, *args)
            finally:
                _GradState.enabled = True
        saved = ctx._saved
        if saved:
            ctx._saved_versions = tuple([t._version if isinstance(t, Tensor) else None for t in saved])
        if _AnomalyState.enabled:
            ctx._stack = creation_stack()
        if type(out) is not tuple:
            t = Tensor._wrap(out if type(out) is _ndarray else _as_array(out))
            if t.data.dtype.kind in _FLOAT_KINDS:
                t._requires_grad = True
                t._grad_fn = ctx
            if cls.saves_output:
                ctx._out_data = t.data
                ctx._out_ref = weakref.ref(t)
            if not cls._builtin:
                ctx._out_meta = ((t.data.shape, t.data.dtype, xp_of(t.data)),)
            return t
        non_diff = getattr(ctx, "_non_differentiable", None)
        results = []
        for i, o in enumerate(out):
            t = Tensor._wrap(_as_array(o))
            if t.data.dtype.kind in _FLOAT_KINDS and not (non_diff and id(o) in non_diff):
                t._requires_grad = True
                t._grad_fn = ctx
                t._out_index = i
            results.append(t)
        ctx._n_outputs = len(results)
        ctx._out_meta = tuple((t.data.shape, t.data.dtype, xp_of(t.data)) for t in results)
        return tuple(results)

    # ---- graph node bookkeeping ---------------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def register_hook(self, index: int, hook) -> None:
        """Hook on the gradient of output ``index`` (what ``Tensor.register_hook`` uses)."""
        if self._hooks is None:
            self._hooks = {}
        self._hooks.setdefault(index, []).append(hook)

    def _out_shape(self, index: int):
        meta = getattr(self, "_out_meta", None)
        return meta[index][0] if meta else None

    def _zeros_for_output(self, index: int) -> Tensor:
        shape, dtype, xp = self._out_meta[index]
        return Tensor._wrap(xp.zeros(shape, dtype=dtype))

    def _release(self) -> None:
        """Free what forward saved; a later backward through this node raises."""
        self._saved = None
        self._out_data = None
        self._freed = True

    def __repr__(self) -> str:
        return f"<{self.name()} object>"


def _raise_modified(ctx, t, expected_version) -> None:
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{t.dtype} {list(t.shape)}] is at version {t._version}; expected version "
        f"{expected_version} instead (saved by {ctx.name()}). Hint: replace the in-place op "
        "(add_, mul_, x[...] = v, ...) by its out-of-place version, or clone() before modifying."
    )


_ndarray = np.ndarray
_new = object.__new__
_NO_GRADS = tuple((False,) * n for n in range(16))


def _as_array(out):
    """Forward may return a Tensor, an array, or a NumPy scalar (0-d reductions): make it an array."""
    if isinstance(out, Tensor):
        return out.data
    if isinstance(out, np.generic):
        return np.asarray(out)
    return out


class BuiltinOp(Function):
    """Base of minitorch's own ops (trusted shapes, array-level forward)."""

    __slots__ = ()
    _builtin = True
