"""minitorch.utils._pytree vs torch.utils._pytree: flatten order, specs, unflatten, tree_map, errors."""
from __future__ import annotations

import collections

import pytest

import minitorch
from minitorch.utils import _pytree as mp

from .helpers import require_torch

torch = require_torch()
tp = torch.utils._pytree

NT = collections.namedtuple("NT", "x y")

TREES = [
    1,
    None,
    (1, [2, {"b": 3, "a": 4}], None),
    NT(1, (2, 3)),
    {"z": [1, (2,)], "a": NT([], 5)},
    collections.OrderedDict(b=1, a=(2, 3)),
    [(), [], {}],
    collections.deque([1, 2], maxlen=4),
    collections.defaultdict(list, {"k": [1, 2]}),
]


@pytest.mark.parametrize("tree", TREES, ids=lambda t: type(t).__name__)
def test_flatten_and_unflatten_match_torch(tree):
    leaves, spec = mp.tree_flatten(tree)
    t_leaves, t_spec = tp.tree_flatten(tree)
    assert leaves == t_leaves
    assert spec.num_leaves == t_spec.num_leaves
    assert spec.num_nodes == t_spec.num_nodes
    assert repr(spec) == repr(t_spec)
    new = [f"leaf{i}" for i in range(len(leaves))]
    assert mp.tree_unflatten(new, spec) == tp.tree_unflatten(new, t_spec)
    assert type(mp.tree_unflatten(leaves, spec)) is type(tree)
    assert mp.tree_leaves(tree) == tp.tree_leaves(tree)
    assert mp.tree_structure(tree) == spec


def test_specs_compare_by_structure_not_values():
    assert mp.tree_structure({"b": 1, "a": 2}) == mp.tree_structure({"b": 5, "a": 6})
    assert mp.tree_structure({"b": 1, "a": 2}) != mp.tree_structure({"a": 1, "b": 2})
    assert mp.tree_structure((1, 2)) != mp.tree_structure([1, 2])
    assert mp.LeafSpec().is_leaf() and repr(mp.LeafSpec()) == "*"


def test_tensors_are_leaves_and_is_leaf_stops_descent():
    x = minitorch.ones(2)
    leaves, spec = mp.tree_flatten({"w": x, "bs": [x, x]})
    assert len(leaves) == 3 and all(leaf is x for leaf in leaves)
    assert mp.tree_leaves([1, (2,)], is_leaf=lambda n: isinstance(n, tuple)) == \
        tp.tree_leaves([1, (2,)], is_leaf=lambda n: isinstance(n, tuple))


def test_tree_map_with_several_trees_and_only():
    a, b = (1, {"k": 2}), (10, {"k": 20})
    assert mp.tree_map(lambda u, v: u + v, a, b) == tp.tree_map(lambda u, v: u + v, a, b)
    assert mp.tree_map_only(int, lambda u: -u, (1, "s", [2.5, 3])) == (-1, "s", [2.5, -3])
    assert mp.tree_all(lambda u: u > 0, a) and not mp.tree_any(lambda u: u > 5, a)


def test_errors_like_torch():
    _, spec = mp.tree_flatten(NT(1, (2, 3)))
    with pytest.raises(ValueError, match="`leaves` has length 1 but the spec refers to a pytree that holds 3"):
        mp.tree_unflatten([1], spec)
    with pytest.raises(ValueError, match="Node arity mismatch; expected 2, but got 3"):
        mp.tree_map(lambda u, v: u + v, (1, 2), (10, 20, 3))
    with pytest.raises(ValueError, match="arity mismatch"):
        tp.tree_map(lambda u, v: u + v, (1, 2), (10, 20, 3))
    with pytest.raises(TypeError):
        mp.tree_unflatten([1], "not a spec")
