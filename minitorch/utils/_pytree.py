"""Pytrees, as ``torch.utils._pytree``: nested tuples, lists, dicts and namedtuples of leaves.

``tree_flatten(tree)`` gives the leaves (depth first, left to right; dicts in insertion order) and a
``TreeSpec`` that ``tree_unflatten(leaves, spec)`` uses to rebuild the same structure. Anything that
is not a tuple, list, dict, OrderedDict, defaultdict, deque or namedtuple is a leaf (``None`` and
Tensors included, as in torch 2.x). ``minitorch.func`` uses these to accept pytrees of Tensors.
"""
from __future__ import annotations

import collections
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from typing import Any

__all__ = [
    "TreeSpec", "LeafSpec", "tree_flatten", "tree_unflatten", "tree_map", "tree_map_only", "tree_leaves",
    "tree_structure", "tree_iter", "tree_all", "tree_any", "tree_is_leaf",
]


def _namedtuple_type(node) -> bool:
    return isinstance(node, tuple) and hasattr(type(node), "_fields")


def _node_kind(node):
    """(type tag, context, children) for a container node, or None for a leaf."""
    t = type(node)
    if t is tuple:
        return tuple, None, list(node)
    if t is list:
        return list, None, list(node)
    if t is dict:
        return dict, list(node.keys()), list(node.values())
    if t is OrderedDict:
        return OrderedDict, list(node.keys()), list(node.values())
    if t is defaultdict:
        return defaultdict, [node.default_factory, list(node.keys())], list(node.values())
    if t is deque:
        return deque, node.maxlen, list(node)
    if _namedtuple_type(node):
        return collections.namedtuple, t, list(node)
    return None


def _type_name(kind) -> str:
    return getattr(kind, "__name__", str(kind))


class TreeSpec:
    """The structure of a pytree: node type, context (dict keys, namedtuple class) and child specs.

    A leaf is ``TreeSpec(None, None, [])`` (printed ``*``); ``LeafSpec()`` builds one.
    """

    __slots__ = ("type", "context", "_children", "num_leaves", "num_nodes")

    def __init__(self, type, context, children_specs: list):  # noqa: A002  (torch's name)
        self.type = type
        self.context = context
        self._children = list(children_specs)
        if type is None:
            self.num_leaves, self.num_nodes = 1, 1
        else:
            self.num_leaves = sum(c.num_leaves for c in self._children)
            self.num_nodes = 1 + sum(c.num_nodes for c in self._children)

    @property
    def children_specs(self) -> list:
        return self._children

    @property
    def num_children(self) -> int:
        return len(self._children)

    def children(self) -> list:
        return list(self._children)

    def child(self, index: int) -> TreeSpec:
        return self._children[index]

    def is_leaf(self) -> bool:
        return self.type is None

    def __eq__(self, other) -> bool:
        if not isinstance(other, TreeSpec):
            return NotImplemented
        return (self.type is other.type and self.context == other.context
                and self._children == other._children)

    def __hash__(self):
        return hash((id(self.type), len(self._children)))

    def __repr__(self, indent: int = 0) -> str:
        if self.type is None:
            return "*"
        ctx = self.context.__name__ if isinstance(self.context, type) else self.context
        if self.type is collections.namedtuple:
            ctx = repr(self.context)
        inner = ""
        if self._children:
            inner = self._children[0].__repr__(indent + 2)
            for c in self._children[1:]:
                inner += ",\n" + " " * (indent + 2) + c.__repr__(indent + 2)
        return f"TreeSpec({_type_name(self.type)}, {ctx}, [{inner}])"

    def flatten_up_to(self, tree) -> list:
        """The subtrees of ``tree`` at this spec's leaves (``tree`` must have this structure above them)."""
        out: list = []
        _flatten_up_to(self, tree, out)
        return out

    def unflatten(self, leaves) -> Any:
        return tree_unflatten(leaves, self)


def LeafSpec() -> TreeSpec:  # noqa: N802  (torch's name)
    """The spec of a single leaf."""
    return TreeSpec(None, None, [])


_LEAF = LeafSpec()


def tree_is_leaf(tree, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when ``tree`` is not a container (or ``is_leaf(tree)`` says so)."""
    if is_leaf is not None and is_leaf(tree):
        return True
    return _node_kind(tree) is None


def _flatten(tree, leaves: list, is_leaf) -> TreeSpec:
    if is_leaf is not None and is_leaf(tree):
        leaves.append(tree)
        return _LEAF
    kind = _node_kind(tree)
    if kind is None:
        leaves.append(tree)
        return _LEAF
    typ, ctx, children = kind
    return TreeSpec(typ, ctx, [_flatten(c, leaves, is_leaf) for c in children])


def tree_flatten(tree, is_leaf: Callable[[Any], bool] | None = None) -> tuple[list, TreeSpec]:
    """(leaves, spec): the leaves of ``tree`` in order and the structure to rebuild it."""
    leaves: list = []
    spec = _flatten(tree, leaves, is_leaf)
    return leaves, spec


def _build(spec: TreeSpec, it):
    if spec.type is None:
        return next(it)
    children = [_build(c, it) for c in spec._children]
    typ, ctx = spec.type, spec.context
    if typ is tuple:
        return tuple(children)
    if typ is list:
        return children
    if typ is dict:
        return dict(zip(ctx, children))
    if typ is OrderedDict:
        return OrderedDict(zip(ctx, children))
    if typ is defaultdict:
        return defaultdict(ctx[0], zip(ctx[1], children))
    if typ is deque:
        return deque(children, maxlen=ctx)
    return ctx(*children)  # namedtuple


def tree_unflatten(leaves, treespec: TreeSpec):
    """Rebuild the pytree of ``treespec`` from ``leaves`` (ValueError when the count differs)."""
    if not isinstance(treespec, TreeSpec):
        raise TypeError(f"tree_unflatten(leaves, treespec): Expected `treespec` to be instance of TreeSpec but "
                        f"got item of type {type(treespec)}.")
    leaves = list(leaves)
    if len(leaves) != treespec.num_leaves:
        raise ValueError(
            f"treespec.unflatten(leaves): `leaves` has length {len(leaves)} but the spec refers to a pytree "
            f"that holds {treespec.num_leaves} items ({treespec})."
        )
    return _build(treespec, iter(leaves))


def tree_leaves(tree, is_leaf: Callable[[Any], bool] | None = None) -> list:
    """The leaves of ``tree``, in flatten order."""
    return tree_flatten(tree, is_leaf)[0]


def tree_iter(tree, is_leaf: Callable[[Any], bool] | None = None):
    """An iterator over the leaves of ``tree``."""
    return iter(tree_leaves(tree, is_leaf))


def tree_structure(tree, is_leaf: Callable[[Any], bool] | None = None) -> TreeSpec:
    """The ``TreeSpec`` of ``tree``."""
    return tree_flatten(tree, is_leaf)[1]


def _flatten_up_to(spec: TreeSpec, tree, out: list) -> None:
    if spec.type is None:
        out.append(tree)
        return
    kind = _node_kind(tree)
    if kind is None or kind[0] is not spec.type:
        got = "a leaf" if kind is None else _type_name(kind[0])
        raise ValueError(f"Node type mismatch; expected {_type_name(spec.type)}, but got {got}.")
    typ, ctx, children = kind
    if len(children) != len(spec._children):
        raise ValueError(f"Node arity mismatch; expected {len(spec._children)}, but got {len(children)}.")
    if typ in (dict, OrderedDict, defaultdict):
        keys = ctx[1] if typ is defaultdict else ctx
        want = spec.context[1] if typ is defaultdict else spec.context
        if set(keys) != set(want):
            raise ValueError(f"Node context mismatch for custom node type {_type_name(typ)}.")
        children = [tree[k] for k in want]
    elif ctx != spec.context:
        raise ValueError(f"Node context mismatch for custom node type {_type_name(typ)}.")
    for c, s in zip(children, spec._children):
        _flatten_up_to(s, c, out)


def tree_map(func: Callable[..., Any], tree, *rests, is_leaf: Callable[[Any], bool] | None = None):
    """Apply ``func`` to every leaf (and the matching leaves of ``rests``, which share the structure)."""
    leaves, spec = tree_flatten(tree, is_leaf)
    others = [spec.flatten_up_to(r) for r in rests]
    return tree_unflatten([func(*xs) for xs in zip(leaves, *others)], spec)


def tree_map_only(type_or_types, func: Callable[[Any], Any], tree, is_leaf: Callable[[Any], bool] | None = None):
    """``tree_map`` applying ``func`` only to leaves of the given type(s); others pass through."""
    return tree_map(lambda x: func(x) if isinstance(x, type_or_types) else x, tree, is_leaf=is_leaf)


def tree_all(pred: Callable[[Any], bool], tree, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when ``pred`` holds for every leaf."""
    return all(map(pred, tree_leaves(tree, is_leaf)))


def tree_any(pred: Callable[[Any], bool], tree, is_leaf: Callable[[Any], bool] | None = None) -> bool:
    """True when ``pred`` holds for some leaf."""
    return any(map(pred, tree_leaves(tree, is_leaf)))
