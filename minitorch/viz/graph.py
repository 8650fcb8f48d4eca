"""Draw the autograd graph behind a tensor as Graphviz DOT (and SVG/PNG when ``dot`` is installed).

    g = minitorch.viz.draw_graph(loss, params=dict(model.named_parameters()))
    g            # in Jupyter: drawn inline (SVG) when Graphviz's `dot` is installed
    g.source     # the DOT text, always available
    g.render("graph.svg")

Boxes are tensors (leaves in grey, named parameters in blue, the output in green); rounded
boxes are ops (the Function's name, then its output shape and dtype where known). Arrows
follow the data (inputs -> op -> output). After ``backward()`` leaves, and non-leaves that
``retain_grad()``, show their gradient's shape and norm.

The walk is iterative, so graphs of 10,000+ nodes are fine (rendering them is ``dot``'s job).
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from ..backend import numpy_of
from ..tensor import Tensor

_FILL = {"param": "lightblue", "leaf": "lightgrey", "output": "darkolivegreen1", "op": "white"}


@dataclass
class GraphNode:
    """One drawn node: ``kind`` is 'param', 'leaf', 'output' or 'op'; ``label`` its text lines."""

    id: str
    kind: str
    name: str
    shape: tuple | None = None
    dtype: str | None = None
    grad_shape: tuple | None = None
    grad_norm: float | None = None
    grad_value: float | None = None

    @property
    def label_lines(self) -> list[str]:
        lines = [self.name]
        if self.shape is not None:
            lines.append(_fmt_shape(self.shape) + (f" {self.dtype}" if self.dtype else ""))
        elif self.dtype is not None:
            lines.append(self.dtype)
        if self.grad_shape is not None:
            if self.grad_value is not None:  # a one-element gradient: show its value
                lines.append(f"grad {_fmt_shape(self.grad_shape)} = {self.grad_value:.4g}")
            else:
                lines.append(f"grad {_fmt_shape(self.grad_shape)} |g|={self.grad_norm:.4g}")
        return lines


class Graph:
    """A drawn graph: ``.source`` (DOT), ``.nodes``/``.edges`` (for inspection), rendering helpers."""

    def __init__(self, nodes: list[GraphNode], edges: list[tuple[str, str, str]], rankdir: str = "TB"):
        self.nodes = nodes
        self.edges = edges
        self.rankdir = rankdir
        self.source = self._dot()

    def _dot(self) -> str:
        out = [
            "digraph minitorch {",
            f"  rankdir={self.rankdir};",
            '  node [fontname="Helvetica", fontsize=10, style=filled, shape=box];',
            '  edge [fontname="Helvetica", fontsize=8];',
        ]
        for n in self.nodes:
            label = "\\n".join(_escape(line) for line in n.label_lines)
            style = ', style="rounded,filled"' if n.kind == "op" else ""
            out.append(f'  {n.id} [label="{label}", fillcolor={_FILL[n.kind]}{style}];')
        for src, dst, label in self.edges:
            out.append(f'  {src} -> {dst}' + (f' [label="{_escape(label)}"]' if label else "") + ";")
        out.append("}")
        return "\n".join(out) + "\n"

    # ---- lookups (handy in tests and notebooks) ----------------------------------------------
    def node(self, name: str) -> GraphNode:
        """The first node whose name is ``name``."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"no node named {name!r} in the graph (names: {[n.name for n in self.nodes]})")

    @property
    def op_names(self) -> list[str]:
        """The op nodes' names in data-flow order (inputs first)."""
        return [n.name for n in self.nodes if n.kind == "op"]

    # ---- rendering -------------------------------------------------------------------------
    def pipe(self, format: str = "svg") -> bytes:  # noqa: A002  (graphviz's own argument name)
        """The graph rendered by Graphviz's ``dot`` as bytes (``format``: 'svg', 'png', ...)."""
        if not can_render():
            raise RuntimeError(
                "draw_graph: rendering needs Graphviz's `dot` program (apt-get install graphviz, "
                "brew install graphviz, or conda install graphviz); the DOT text is in .source"
            )
        try:
            import graphviz
        except ImportError:
            graphviz = None
        if graphviz is not None:
            return graphviz.Source(self.source).pipe(format=format)
        done = subprocess.run(["dot", f"-T{format}"], input=self.source.encode(), capture_output=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"draw_graph: dot failed: {done.stderr.decode(errors='replace')}")
        return done.stdout

    def render(self, path: str, format: str | None = None) -> str:  # noqa: A002
        """Write the rendered graph to ``path`` (format from ``format`` or the file suffix); returns path."""
        fmt = format or (path.rsplit(".", 1)[-1].lower() if "." in path else "svg")
        if fmt == "dot" or fmt == "gv":
            data = self.source.encode()
        else:
            data = self.pipe(fmt)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/plain": repr(self)}
        if can_render():
            bundle["image/svg+xml"] = self.pipe("svg").decode()
        return bundle

    def _repr_svg_(self):
        return self.pipe("svg").decode() if can_render() else None

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        n_ops = sum(n.kind == "op" for n in self.nodes)
        return f"<minitorch.viz.Graph: {n_ops} ops, {len(self.nodes) - n_ops} tensors, {len(self.edges)} edges>"


def can_render() -> bool:
    """True when Graphviz's ``dot`` program is on the PATH (needed for SVG/PNG)."""
    return shutil.which("dot") is not None


def draw_graph(tensor, params: dict | None = None, show_grads: bool = True, *, trace=None,
               rankdir: str = "TB") -> Graph:
    """The graph of ops that produced ``tensor`` (or a list of tensors), inputs first.

    ``params``: ``{name: tensor}`` (e.g. ``dict(model.named_parameters())``) names leaves;
    a tensor's ``.name`` attribute is used otherwise. ``show_grads``: show each leaf's (and each
    retained non-leaf's) ``.grad`` shape and norm. ``trace``: an ``autograd.trace`` recorded
    while backpropagating through this graph (with ``retain_graph=True``) fills in every op's
    output shape and dtype from the gradients it received.
    """
    roots = [tensor] if isinstance(tensor, Tensor) else list(tensor)
    names = {id(t): n for n, t in (params or {}).items()}
    info = _known_outputs(roots, trace)

    nodes: list[GraphNode] = []
    edges: list[tuple[str, str, str]] = []
    ids: dict[int, str] = {}  # id(Function or leaf Tensor) -> DOT id
    dtypes: dict[int, str | None] = {}  # id(Function) -> its output dtype, when known
    keep: list = []  # keep traversed objects alive so their ids stay unique during the walk

    def leaf_node(t: Tensor) -> str:
        key = id(t)
        if key not in ids:
            ids[key] = f"n{len(ids)}"
            keep.append(t)
            name = names.get(key)
            kind = "param" if name is not None else "leaf"
            name = name or t.name or "leaf"
            node = GraphNode(ids[key], kind, name, tuple(t.shape), t.dtype.name)
            if show_grads and t.grad is not None:
                _set_grad(node, t.grad)
            nodes.append(node)
        return ids[key]

    # iterative post-order walk: a node is emitted after all its inputs (data-flow order)
    start = [t._grad_fn for t in roots if t._grad_fn is not None]
    for root_fn in start:
        if id(root_fn) in ids:
            continue
        stack = [(root_fn, 0)]
        on_stack = {id(root_fn)}
        while stack:
            fn, i = stack[-1]
            edges_in = fn.next_edges
            if i < len(edges_in):
                stack[-1] = (fn, i + 1)
                e = edges_in[i]
                if e is not None and e[0] is not None and id(e[0]) not in ids and id(e[0]) not in on_stack:
                    on_stack.add(id(e[0]))
                    stack.append((e[0], 0))
                continue
            stack.pop()
            for e in edges_in:  # leaves first, so the DOT text reads in data-flow order
                if e is not None and e[0] is None:
                    leaf_node(e[1])
            key = id(fn)
            ids[key] = f"n{len(ids)}"
            keep.append(fn)
            node = GraphNode(ids[key], "op", type(fn).__name__)
            meta = info.get((key, 0)) if fn._n_outputs == 1 else None
            if meta is not None:
                node.shape, node.dtype, grad = meta
                if show_grads and grad is not None:
                    _set_grad(node, grad)
            if node.dtype is None:
                node.dtype = _infer_dtype(fn, dtypes)
            dtypes[key] = node.dtype
            nodes.append(node)
            for j, e in enumerate(edges_in):
                if e is None:
                    continue
                parent, idx = e
                if parent is None:
                    src, label = leaf_node(idx), ""
                else:
                    src = ids[id(parent)]
                    label = f"out {idx}" if parent._n_outputs > 1 else ""
                if len(edges_in) > 1 and sum(x is not None for x in edges_in) > 1:
                    label = (label + " " if label else "") + f"arg {j}"
                edges.append((src, ids[key], label))

    for k, t in enumerate(roots):
        if t._grad_fn is None:
            leaf_node(t)
            continue
        oid = f"out{k}"
        node = GraphNode(oid, "output", t.name or names.get(id(t)) or "output", tuple(t.shape), t.dtype.name)
        if show_grads and t.grad is not None:
            _set_grad(node, t.grad)
        nodes.append(node)
        fn = t._grad_fn
        edges.append((ids[id(fn)], oid, f"out {t._out_index}" if fn._n_outputs > 1 else ""))
    return Graph(nodes, edges, rankdir)


def _known_outputs(roots, trace) -> dict:
    """(id(node), output index) -> (shape, dtype name, retained grad or None), from what the graph keeps.

    Built-in ops don't store their output shape; it is recovered from: the roots themselves, a
    user Function's output metadata, a ``saves_output`` op's saved result, tensors that other
    ops saved for backward (``save_for_backward(x)`` keeps x, the output of x's op), shapes ops
    record about their inputs (``ctx.shapes``, ``ctx.in_shape``), retained non-leaves, and an
    optional trace.
    """
    out: dict = {}

    def put(fn, idx, shape, dtype, grad=None, force=False):
        key = (id(fn), idx)
        if force or key not in out or (grad is not None and out[key][2] is None):
            old = out.get(key)
            out[key] = (tuple(shape), dtype if dtype is not None else (old[1] if old else None), grad)

    for t in roots:
        if t._grad_fn is not None:
            put(t._grad_fn, t._out_index, t.shape, t.dtype.name, t.grad, force=True)

    seen = set()
    stack = [t._grad_fn for t in roots if t._grad_fn is not None]
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        retained = getattr(fn, "_retained", None)
        if retained:
            for idx, ref in retained.items():
                rt = ref()
                if rt is not None:
                    put(fn, idx, rt.shape, rt.dtype.name, rt.grad, force=True)
        meta = getattr(fn, "_out_meta", None)
        if meta:
            for idx, (shape, dt, _xp) in enumerate(meta):
                put(fn, idx, shape, _dtype_name(dt))
        data = getattr(fn, "_out_data", None)
        if data is not None and fn._n_outputs == 1:
            put(fn, 0, data.shape, _dtype_name(data.dtype))
        saved = getattr(fn, "_saved", None)
        for s in saved or ():
            if isinstance(s, Tensor) and s._grad_fn is not None:
                put(s._grad_fn, s._out_index, s.shape, s.dtype.name)
        d = getattr(fn, "__dict__", {})
        edges = fn.next_edges
        if isinstance(d.get("shapes"), tuple) and len(d["shapes"]) == len(edges):
            for e, shape in zip(edges, d["shapes"]):
                if e is not None and e[0] is not None and isinstance(shape, tuple):
                    put(e[0], e[1], shape, None)
        if isinstance(d.get("in_shape"), tuple) and edges and edges[0] is not None and edges[0][0] is not None:
            put(edges[0][0], edges[0][1], d["in_shape"], None)
        for e in edges:
            if e is not None and e[0] is not None:
                stack.append(e[0])

    for rec in trace or ():
        fn = rec.node() if rec.node is not None else None
        if fn is None:
            continue
        for idx, shape in enumerate(rec.grad_output_shapes):
            if shape is not None:
                key = (id(fn), idx)
                old = out.get(key)
                put(fn, idx, shape, old[1] if old else None, old[2] if old else None, force=True)
    return out


def _infer_dtype(fn, dtypes: dict) -> str | None:
    """An op's output dtype when nothing recorded it: its inputs' promoted dtype (not for casts)."""
    if type(fn).__name__ == "ToCopy":
        return None
    import numpy as np

    found = []
    for e in fn.next_edges:
        if e is None:
            continue
        dt = e[1].dtype.name if e[0] is None else dtypes.get(id(e[0]))
        if dt is None:
            return None
        found.append(np.dtype(dt))
    return str(np.result_type(*found)) if found else None


def _dtype_name(dt) -> str:
    from ..backend.dtype import from_numpy_dtype

    return from_numpy_dtype(dt).name


def _set_grad(node: GraphNode, g: Tensor) -> None:
    node.grad_shape, node.grad_norm = tuple(g.shape), _norm(g)
    if g.array.size == 1:
        node.grad_value = float(numpy_of(g.array).reshape(()).item())


def _norm(g: Tensor) -> float:
    return float(numpy_of((abs(g.array) ** 2).sum()) ** 0.5)


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"')


__all__ = ["draw_graph", "Graph", "GraphNode", "can_render"]
