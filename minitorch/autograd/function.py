"""``Function``: one differentiable op, forward and backward side by side. Instances are graph nodes.

Built-in ops compute ``forward`` on the raw arrays of their Tensor inputs (``x.array``) and
return an array; ``backward`` receives Tensor gradients and returns Tensor gradients written
with Tensor ops, so that with ``create_graph=True`` the backward itself is recorded and can be
differentiated again. A user's Function (PyTorch style) may return Tensors from ``forward``.
"""
from __future__ import annotations

import functools
import weakref

import numpy as np

from ..backend import xp_of
from ..tensor import Tensor
from ..tensor import _wrap_array as _wrap
from .anomaly import _AnomalyState, creation_stack
from .grad_mode import _GradState, no_grad

_FLOAT_KINDS = "fc"


class FunctionCtx:
    """What ``forward``/``setup_context``/``backward`` receive as ``ctx`` (torch.autograd.function.FunctionCtx).

    In minitorch the ctx object is the graph node itself (a ``Function`` instance), so
    ``isinstance(ctx, FunctionCtx)`` holds as in torch.
    """

    __slots__ = ()

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
        if self._packed:
            return _unpack_saved(saved)
        for t, v in zip(saved, self._saved_versions):
            if v is not None and t._version != v:
                _raise_modified(self, t, v)
        return saved

    def mark_non_differentiable(self, *tensors) -> None:
        """Outputs that get no gradient (e.g. indices); PyTorch's API."""
        self._non_differentiable = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value

    def mark_dirty(self, *tensors) -> None:  # accepted for PyTorch compatibility
        pass


class Function(FunctionCtx):
    """Base class of every op. Subclass it with static ``forward(ctx, ...)`` and ``backward(ctx, ...)``.

    ``Subclass.apply(*args)`` runs forward and, when any Tensor argument requires grad and grad
    mode is on, records a node (the ``ctx`` object itself) in the graph. The PyTorch 2 style works
    too: ``forward(*args)`` without ctx plus a static ``setup_context(ctx, inputs, output)``.
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
    _packed = False  # saved tensors went through saved_tensors_hooks' pack
    materialize_grads = True
    #: Built-in ops are trusted to return correctly shaped gradients; user Functions are checked.
    _builtin = False
    #: When True, ``ctx.output`` gives backward the forward result as a graph-connected Tensor.
    saves_output = False
    #: Whether backward follows torch's complex convention (grad = conj of the local derivative times the
    #: upstream grad). A user's Function is trusted, as in torch; a ``BuiltinOp`` refuses to record a node
    #: that touches complex data unless its class sets this (see ``minitorch/ops/complex.py``).
    complex_autograd = True

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

    # ---- the op ------------------------------------------------------------------------------
    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("Function subclasses must implement forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(f"{type(ctx).__name__} does not implement backward")

    @staticmethod
    def setup_context(ctx, inputs: tuple, output) -> None:
        """Override (with ``forward(*args)`` taking no ctx) to save what backward needs, torch 2 style."""
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def _run_forward(cls, ctx, args):
        """``forward(ctx, *args)``, or ``forward(*args)`` then ``setup_context`` (torch 2 style)."""
        if cls.setup_context is _BASE_SETUP_CONTEXT:
            return cls.forward(ctx, *args)
        out = cls.forward(*args)
        cls.setup_context(ctx, args, out)
        return out

    @classmethod
    def apply(cls, *args):
        """Run ``forward`` and record this op in the graph when a Tensor input requires grad."""
        ctx = _new(cls)
        if _GradState.enabled:  # one pass: which inputs need a gradient, and the graph edges to them
            needs, edges, tracked = [], [], False
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    tracked = True
                    needs.append(True)
                    fn = a._grad_fn
                    edges.append((fn, a._out_index) if fn is not None else (None, a))
                else:
                    needs.append(False)
                    edges.append(None)
        else:
            tracked = False
        if not tracked:  # the fast path: no input needs a gradient, so no node is recorded
            ctx.needs_input_grad = _NO_GRADS[len(args)] if len(args) < 16 else (False,) * len(args)
            out = cls.forward(ctx, *args) if cls._builtin else cls._run_forward(ctx, args)
            if type(out) is _ndarray:
                return _wrap(out)
            if type(out) is not tuple:
                return _wrap(_as_array(out))
            return tuple(_wrap(_as_array(o)) for o in out)

        ctx._saved = None
        ctx.needs_input_grad = tuple(needs)
        ctx.next_edges = tuple(edges)
        if cls._builtin:  # array-level forward: nothing in it can record a graph
            out = cls.forward(ctx, *args)
        else:  # a user's forward may call Tensor ops: run them without recording
            _GradState.enabled = False
            try:
                out = cls._run_forward(ctx, args)
            finally:
                _GradState.enabled = True
        saved = ctx._saved
        if saved:
            if _SAVED_HOOKS:
                _pack_saved(ctx, saved)
            else:
                ctx._saved_versions = tuple([t._version if isinstance(t, Tensor) else None for t in saved])
        if _AnomalyState.enabled:
            ctx._stack = creation_stack()
        if type(out) is not tuple:
            t = Tensor._wrap(out if type(out) is _ndarray else _as_array(out))
            kind = t.array.dtype.kind
            if kind == "f":
                if not cls.complex_autograd:  # a real result of complex inputs needs a complex-aware backward
                    for a in args:
                        if isinstance(a, Tensor) and a.array.dtype.kind == "c":
                            _refuse_complex(cls)
                t._requires_grad = True
                t._grad_fn = ctx
            elif kind == "c":
                _complex_node(cls, ctx, args)
                t._requires_grad = True
                t._grad_fn = ctx
            if cls.saves_output:
                ctx._out_data = t.array
                ctx._out_ref = weakref.ref(t)
            if not cls._builtin:
                ctx._out_meta = ((t.array.shape, t.array.dtype, xp_of(t.array)),)
            return t
        non_diff = getattr(ctx, "_non_differentiable", None)
        if any(_as_array(o).dtype.kind == "c" for o in out):
            _complex_node(cls, ctx, args)
        elif not cls.complex_autograd and _any_complex(args):
            _refuse_complex(cls)
        results = []
        for i, o in enumerate(out):
            t = Tensor._wrap(_as_array(o))
            if t.array.dtype.kind in _FLOAT_KINDS and not (non_diff and id(o) in non_diff):
                t._requires_grad = True
                t._grad_fn = ctx
                t._out_index = i
            results.append(t)
        ctx._n_outputs = len(results)
        ctx._out_meta = tuple((t.array.shape, t.array.dtype, xp_of(t.array)) for t in results)
        return tuple(results)

    # ---- graph node bookkeeping ---------------------------------------------------------------
    def name(self) -> str:
        """torch's node name: ``MulBackward0`` for built-in ops (overload 0), ``MyFnBackward`` for a user's."""
        cls = type(self)
        return cls.__name__ + ("Backward0" if cls.__module__.startswith("minitorch.") else "Backward")

    @property
    def next_functions(self) -> tuple:
        """``((node, output_index), ...)`` per forward input, as torch: a leaf appears as its
        ``AccumulateGrad`` node (``.variable`` is the leaf) and an input needing no grad as ``(None, 0)``
        (unlike torch, a non-Tensor argument such as ``dim`` also has its ``(None, 0)`` entry)."""
        out = []
        for edge in getattr(self, "next_edges", ()):
            if edge is None:
                out.append((None, 0))
            elif edge[0] is None:
                out.append((AccumulateGrad._for(edge[1]), 0))
            else:
                out.append(edge)
        return tuple(out)

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
        return f"<{self.name()} object at {id(self):#x}>"


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
        return out.array
    if isinstance(out, np.generic):
        return np.asarray(out)
    return out


class BuiltinOp(Function):
    """Base of minitorch's own ops (trusted shapes, array-level forward)."""

    __slots__ = ()
    _builtin = True
    complex_autograd = False


# ---- complex autograd: the safety net and real inputs of complex ops (cold paths only) ---------------
def _any_complex(args) -> bool:
    """Whether a Tensor argument holds complex data (checked only for ops not marked complex-aware)."""
    for a in args:
        if isinstance(a, Tensor) and a.array.dtype.kind == "c":
            return True
    return False


def _refuse_complex(cls) -> None:
    name = cls.__name__
    raise NotImplementedError(f"{name}: autograd for complex tensors is not implemented in minitorch "
                              "(the forward alone works under no_grad() or on detached tensors)")


def _complex_node(cls, ctx, args) -> None:
    """A complex-valued output is recorded: refuse unless ``cls`` is complex-aware; route each real input's
    gradient through a node that keeps its real part, as torch does for a real input of a complex op."""
    if not cls.complex_autograd:
        _refuse_complex(cls)
    edges = None
    for i, a in enumerate(args):
        if isinstance(a, Tensor) and a._requires_grad and a.array.dtype.kind != "c":
            if edges is None:
                edges = list(ctx.next_edges)
            node = _new(_RealPartOfGrad)
            node._saved = None
            node.needs_input_grad = (True,)
            node.next_edges = (edges[i],)
            edges[i] = (node, 0)
    if edges is not None:
        ctx.next_edges = tuple(edges)


class _RealPartOfGrad(BuiltinOp):
    """Identity from a real tensor into a complex op: the gradient that reaches the real tensor is the real
    part of the complex one (a real input can only move along the real axis)."""

    complex_autograd = True

    @staticmethod
    def forward(ctx, x):
        return x.array

    @staticmethod
    def backward(ctx, g):
        """d x / d x = 1 along the real axis: grad = Re(g)."""
        return g.real if g.array.dtype.kind == "c" else g


_BASE_SETUP_CONTEXT = Function.setup_context

# ---- saved_tensors_hooks (autograd.graph): pack on save, unpack on each access -------------------
#: Stack of active ``(pack_hook, unpack_hook)`` pairs; the innermost (last) one applies.
_SAVED_HOOKS: list = []


def _pack_saved(ctx, saved) -> None:
    """Run the active pack hook on every Tensor (or raw array) forward saved.

    Each packed entry keeps what unpacking needs to give the tensor back its place in the graph
    (its grad_fn and output index, or the leaf it was), as torch's SavedVariable does.
    """
    pack, unpack = _SAVED_HOOKS[-1]
    hooks = _SAVED_HOOKS[:]
    _SAVED_HOOKS.clear()  # the hooks' own ops save nothing through them (no recursion)
    prev = _GradState.enabled
    _GradState.enabled = False
    try:
        entries = []
        for t in saved:
            if isinstance(t, Tensor):
                link = None
                if t._requires_grad:
                    link = (t, None) if t._grad_fn is None else (t._grad_fn, t._out_index)
                entries.append((pack(t), unpack, False, link))
            elif isinstance(t, _ndarray) or type(t).__module__.startswith("cupy"):
                entries.append((pack(Tensor._wrap(t)), unpack, True, None))
            else:
                entries.append((t, None, False, None))
    finally:
        _GradState.enabled = prev
        _SAVED_HOOKS[:] = hooks
    ctx._saved = tuple(entries)
    ctx._packed = True


def _unpack_saved(entries) -> tuple:
    out = []
    for packed, unpack, was_array, link in entries:
        if unpack is None:
            out.append(packed)
            continue
        t = unpack(packed)
        if was_array:
            out.append(t.array if isinstance(t, Tensor) else t)
            continue
        if link is not None and _GradState.enabled:  # create_graph: reconnect to the graph
            node, idx = link
            if idx is None:  # a leaf: route the gradient to it through an identity node
                t = _Reattach.apply(node, Tensor._wrap(t.array))
            else:
                t = Tensor._wrap(t.array)
                t._requires_grad = True
                t._grad_fn = node
                t._out_index = idx
        out.append(t)
    return tuple(out)


class _Reattach(Function):
    """``data`` viewed as a function of ``leaf`` (an unpacked saved leaf under create_graph)."""

    @staticmethod
    def forward(ctx, leaf, data):
        return data

    @staticmethod
    def backward(ctx, g):
        """d out / d leaf = identity."""
        return g, None


# ---- graph introspection --------------------------------------------------------------------------
class AccumulateGrad:
    """The node a leaf's gradient flows into (torch's ``AccumulateGrad``); ``.variable`` is the leaf.

    Shown in ``grad_fn.next_functions``; one object per leaf while anyone holds it.
    """

    __slots__ = ("variable", "__weakref__")
    _cache: weakref.WeakValueDictionary = weakref.WeakValueDictionary()

    def __init__(self, variable: Tensor):
        self.variable = variable

    @classmethod
    def _for(cls, leaf: Tensor) -> AccumulateGrad:
        node = cls._cache.get(id(leaf))
        if node is None or node.variable is not leaf:
            node = cls(leaf)
            cls._cache[id(leaf)] = node
        return node

    next_functions = ()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


# ---- once_differentiable ------------------------------------------------------------------------------
class _DelayedError(Function):
    """Identity in forward; raises in backward (marks a once-differentiable backward's results)."""

    @staticmethod
    def forward(ctx, x):
        return x.array.copy()

    @staticmethod
    def backward(ctx, g):
        """Not differentiable: raises."""
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


def once_differentiable(fn):
    """Decorate a Function's ``backward`` that is not itself differentiable: it runs with grad
    disabled, and differentiating its result again (create_graph) raises, as in torch."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not _GradState.enabled:
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        wrapped = tuple(
            _DelayedError.apply(o.detach().requires_grad_(True)) if isinstance(o, Tensor)
            and o.array.dtype.kind in _FLOAT_KINDS else o
            for o in outs
        )
        return wrapped[0] if single else wrapped

    return wrapper


# ---- Variable (torch's pre-0.4 wrapper: now any Tensor is one) ------------------------------------------
class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(t, requires_grad=False)``: a Tensor sharing ``t``'s data, cut from the graph (as torch).

    ``isinstance(t, Variable)`` is True for every Tensor.
    """

    def __new__(cls, data=None, requires_grad: bool = False, volatile: bool = False):
        if data is None:
            from ..creation import tensor

            return tensor([]).requires_grad_(requires_grad)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
