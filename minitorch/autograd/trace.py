"""``autograd.trace()``: watch the chain rule run, one backward step at a time.

    with minitorch.autograd.trace() as t:
        loss.backward()
    print(t)            # a table: step, op, upstream gradient, gradients produced, time

The engine calls ``_before(node, grads)`` just before a node's ``backward`` and
``_after(node, results)`` just after it (see ``engine._tracers``); a trace turns each such
pair into a :class:`TraceRecord`. Steps appear in the order the engine ran them, which is a
topological order of the graph read from the loss back to the leaves.
"""
from __future__ import annotations

import time
import weakref
from dataclasses import dataclass, field

from ..backend import numpy_of
from ..tensor import Tensor
from . import engine

Shape = tuple


@dataclass
class TraceRecord:
    """One backward step: node ``op`` received ``grad_output`` and produced ``grad_input``.

    PyTorch's naming: ``grad_output`` is the upstream gradient (one per output of the op),
    ``grad_input`` what ``backward`` returned (one per forward argument; ``None`` = no grad).
    """

    step: int
    op: str
    grad_output_shapes: tuple
    grad_output_norms: tuple
    grad_input_shapes: tuple = ()
    grad_input_norms: tuple = ()
    #: Where each produced gradient flows: a leaf's name, the next op's name, or None.
    targets: tuple = ()
    #: The shape each produced gradient must have (its input's shape, when known).
    expected_shapes: tuple = ()
    #: The gradient's value where it has a single element (else None): scalar chains read better.
    grad_output_items: tuple = ()
    grad_input_items: tuple = ()
    time_s: float = float("nan")
    #: True while the step's backward is running, or if it raised.
    pending: bool = True
    #: Copies of the gradients themselves (only with ``trace(keep_values=True)``).
    grad_output: tuple | None = None
    grad_input: tuple | None = None
    node: weakref.ref | None = field(default=None, repr=False)

    @property
    def shape_mismatch(self) -> list:
        """Indices of produced gradients whose shape differs from their input's shape."""
        return [
            i for i, (got, want) in enumerate(zip(self.grad_input_shapes, self.expected_shapes))
            if got is not None and want is not None and tuple(got) != tuple(want)
        ]


def _norm(g) -> float | None:
    if not isinstance(g, Tensor):
        return None
    arr = g.array
    if arr.dtype.kind not in "fc":
        return None
    return float(numpy_of((abs(arr) ** 2).sum()) ** 0.5)


def _shape(g):
    return tuple(g.shape) if isinstance(g, Tensor) else (tuple(g.shape) if hasattr(g, "shape") else None)


def _copy(g):
    if isinstance(g, Tensor):
        return Tensor._wrap(g.array.copy())
    return None if g is None else Tensor._wrap(g.copy()) if hasattr(g, "copy") else g


class trace:  # noqa: N801  (a context manager named like torch's lower-case helpers)
    """Record every backward step run inside the ``with`` block.

    ``params``: optional ``{name: tensor}`` (e.g. ``dict(model.named_parameters())``) so leaves
    are named in the table; a tensor's ``.name`` is used otherwise.
    ``keep_values``: also keep copies of the gradients (for small teaching examples).
    """

    def __init__(self, params: dict | None = None, keep_values: bool = False) -> None:
        self.records: list[TraceRecord] = []
        self.keep_values = keep_values
        self._names = {id(t): n for n, t in (params or {}).items()}
        self._pending: list[tuple[TraceRecord, float]] = []

    # ---- context manager ---------------------------------------------------------------------
    def __enter__(self) -> trace:
        engine._tracers.append(self)
        return self

    def __exit__(self, *exc) -> None:
        # remove this tracer by identity (another tracer may have been pushed after it)
        for i in range(len(engine._tracers) - 1, -1, -1):
            if engine._tracers[i] is self:
                del engine._tracers[i]
                break
        self._pending.clear()

    # ---- engine callbacks --------------------------------------------------------------------
    def _before(self, fn, grads) -> None:
        rec = TraceRecord(
            step=len(self.records),
            op=type(fn).__name__,
            grad_output_shapes=tuple(_shape(g) for g in grads),
            grad_output_norms=tuple(_norm(g) for g in grads),
            grad_output_items=tuple(_item(g) for g in grads),
            node=weakref.ref(fn),
        )
        if self.keep_values:
            rec.grad_output = tuple(_copy(g) for g in grads)
        self.records.append(rec)
        self._pending.append((rec, time.perf_counter()))

    def _after(self, fn, results) -> None:
        now = time.perf_counter()
        while self._pending:  # a step whose backward raised leaves a stale entry: skip it
            rec, start = self._pending.pop()
            if rec.node is not None and rec.node() is fn:
                break
        else:
            return
        rec.time_s = now - start
        rec.pending = False
        rec.grad_input_shapes = tuple(_shape(g) for g in results)
        rec.grad_input_norms = tuple(_norm(g) if isinstance(g, Tensor) else _norm_array(g) for g in results)
        rec.grad_input_items = tuple(_item(g) for g in results)
        rec.targets = tuple(self._target(e) for e in fn.next_edges)
        rec.expected_shapes = tuple(_expected_shape(e) for e in fn.next_edges)
        if self.keep_values:
            rec.grad_input = tuple(_copy(g) for g in results)

    def _target(self, edge) -> str | None:
        if edge is None:
            return None
        node, idx = edge
        if node is None:
            name = self._names.get(id(idx)) or idx.name
            return f"leaf {name}" if name else f"leaf{list(idx.shape)}"
        return type(node).__name__ + (f"[{idx}]" if node._n_outputs > 1 else "")

    # ---- reading the trace -------------------------------------------------------------------
    def __iter__(self):
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i):
        return self.records[i]

    @property
    def ops(self) -> list[str]:
        """The op names in execution order."""
        return [r.op for r in self.records]

    def table(self) -> str:
        """The records as a plain-text table (one row per backward step)."""
        header = ("step", "op", "upstream grad: shape |g| (or g)", "grads produced: shape |g| (or g) -> where", "time")
        rows = []
        for r in self.records:
            up = ", ".join(_fmt(*v) for v in zip(r.grad_output_shapes, r.grad_output_norms, r.grad_output_items))
            if r.pending:
                produced = "(backward raised)"
            else:
                parts = []
                n_in = len(r.grad_input_shapes)
                targets = r.targets + (None,) * (n_in - len(r.targets))
                for s, n, v, t in zip(r.grad_input_shapes, r.grad_input_norms, r.grad_input_items, targets):
                    if s is None and t is None:
                        continue
                    parts.append(f"{_fmt(s, n, v)} -> {t if t is not None else '(no grad)'}")
                produced = "; ".join(parts) or "-"
            ms = "" if r.time_s != r.time_s else f"{r.time_s * 1e3:.3f} ms"
            rows.append((str(r.step), r.op, up, produced, ms))
        widths = [max([len(h)] + [len(row[i]) for row in rows]) for i, h in enumerate(header)]
        line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
        out = [line(header), "-+-".join("-" * w for w in widths)]
        out += [line(row) for row in rows]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.table()

    def __repr__(self) -> str:
        return f"<autograd.trace: {len(self.records)} backward steps>"


def _norm_array(g):
    if g is None or not hasattr(g, "dtype"):
        return None
    return _norm(Tensor._wrap(g))


def _expected_shape(edge):
    if edge is None:
        return None
    node, idx = edge
    if node is None:
        return tuple(idx.shape)
    s = node._out_shape(idx)
    return tuple(s) if s is not None else None


def _item(g):
    arr = g.array if isinstance(g, Tensor) else g
    if arr is None or not hasattr(arr, "size") or arr.size != 1 or arr.dtype.kind not in "fc":
        return None
    return numpy_of(arr).reshape(()).item()


def _fmt(shape, norm, item=None) -> str:
    if shape is None:
        return "None"
    s = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    if item is not None and not isinstance(item, complex):
        return f"{s} g={item:.4g}"
    return s if norm is None else f"{s} |g|={norm:.4g}"


__all__ = ["trace", "TraceRecord"]
