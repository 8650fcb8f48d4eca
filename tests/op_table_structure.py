"""Op-table rows (see op_table.py) for the structure ops: ops/diagonal.py (tril, diag, trace, block_diag, ...)
and ops/arrange.py (roll, rot90, tile, repeat_interleave, stacks, meshgrid, splits, unfold, take, ...)."""
from __future__ import annotations

import numpy as np

from .op_table_core import _f, pair

OPS: list = []
add = OPS.append
I64 = np.int64

# ---------------------------------------------------------------- diagonal.py --------------------
TRI_SHAPES = [((3, 4),), ((4, 3),), ((2, 3, 4),), ((2, 2, 3, 3),), ((0, 3),)]
TRI_KW = [{}, {"diagonal": 1}, {"diagonal": -2}, {"diagonal": 5}, {"diagonal": -5}]
add(pair("tril", lambda L: lambda a, **k: L.tril(a, **k), shapes=TRI_SHAPES, kwargs=TRI_KW))
add(pair("triu", lambda L: lambda a, **k: L.triu(a, **k), shapes=TRI_SHAPES, kwargs=TRI_KW))
add(pair("tril_method", lambda L: lambda a: a.tril(-1), shapes=[((3, 4),)]))
add(pair("triu_method", lambda L: lambda a: a.triu(1), shapes=[((2, 4, 3),)]))
add(pair("tril_inplace", lambda L: lambda a: (a * 1).tril_(1), shapes=[((3, 4),), ((2, 3, 3),)]))
add(pair("triu_inplace", lambda L: lambda a: (a * 1).triu_(-1), shapes=[((3, 4),)]))
# the int outputs take a (dummy) input only to learn the device
add(pair("tril_indices", lambda L: lambda a, **k: L.tril_indices(device=a.device, **k), shapes=[((),)],
         kwargs=[{"row": 3, "col": 4}, {"row": 4, "col": 3, "offset": 1}, {"row": 3, "col": 3, "offset": -5},
                 {"row": 0, "col": 2}], supports_grad=False))
add(pair("triu_indices", lambda L: lambda a, **k: L.triu_indices(device=a.device, **k), shapes=[((),)],
         kwargs=[{"row": 3, "col": 4}, {"row": 4, "col": 3, "offset": -1}, {"row": 2, "col": 5, "offset": 3}],
         supports_grad=False))
add(pair("tril_indices_int32", lambda L: lambda a: L.tril_indices(3, 3, dtype=L.int32, device=a.device),
         shapes=[((),)], supports_grad=False))
add(pair("diag", lambda L: lambda a, **k: L.diag(a, **k), shapes=[((4,),), ((3, 4),), ((4, 3),), ((0,),)],
         kwargs=[{}, {"diagonal": 1}, {"diagonal": -2}, {"diagonal": 6}]))
add(pair("diag_method", lambda L: lambda a: a.diag(), shapes=[((3,),), ((3, 3),)]))
add(pair("diagonal_2d", lambda L: lambda a, **k: L.diagonal(a, **k), shapes=[((3, 4),), ((4, 3),)],
         kwargs=[{}, {"offset": 1}, {"offset": -2}, {"offset": 1, "dim1": 1, "dim2": 0}, {"offset": 7}]))
add(pair("diagonal_3d", lambda L: lambda a, **k: a.diagonal(**k), shapes=[((2, 3, 4),)],
         kwargs=[{}, {"offset": -1, "dim1": -1, "dim2": 0}, {"offset": 2, "dim1": 2, "dim2": 1},
                 {"dim1": 1, "dim2": -1}]))
add(pair("diag_embed", lambda L: lambda a, **k: L.diag_embed(a, **k), shapes=[((3,),), ((2, 3),), ((0,),)],
         kwargs=[{}, {"offset": 1}, {"offset": -2, "dim1": 0, "dim2": -1}, {"dim1": -1, "dim2": 0}]))
add(pair("diag_embed_method", lambda L: lambda a: a.diag_embed(1, 1, 0), shapes=[((2, 3, 2),)]))
add(pair("trace", lambda L: lambda a: L.trace(a), shapes=[((3, 4),), ((3, 3),), ((4, 2),), ((0, 2),)]))
add(pair("trace_method", lambda L: lambda a: a.trace(), shapes=[((3, 3),)]))
add(pair("block_diag", lambda L: L.block_diag,
         shapes=[((2, 3), (3,), ()), ((2, 2),), ((1, 2), (0, 3), (2, 1)), ((3,), (2,))]))
add(pair("fill_diagonal_inplace", lambda L: lambda a, **k: (a * 1).fill_diagonal_(0.5, **k),
         shapes=[((3, 4),), ((5, 2),), ((3, 3, 3),), ((2, 0),)], kwargs=[{}, {"wrap": True}]))

# ---------------------------------------------------------------- arrange.py ---------------------
R3 = (2, 3, 4)
add(pair("roll", lambda L: lambda a, **k: L.roll(a, **k), shapes=[(R3,)],
         kwargs=[{"shifts": 1, "dims": 0}, {"shifts": -2, "dims": -1}, {"shifts": (1, 5), "dims": (2, 0)},
                 {"shifts": 7}, {"shifts": [1, -1, 2], "dims": [0, 1, 2]}, {"shifts": 0, "dims": 1}]))
add(pair("roll_0d_1d", lambda L: lambda a: a.roll(2), shapes=[((),), ((5,),), ((0,),)]))
add(pair("rot90", lambda L: lambda a, **k: L.rot90(a, **k), shapes=[(R3,), ((3, 4),)],
         kwargs=[{}, {"k": 2}, {"k": 3}, {"k": -1}, {"k": 0}, {"k": 5, "dims": (1, 0)}, {"k": 1, "dims": [-1, 0]}]))
add(pair("rot90_method", lambda L: lambda a: a.rot90(1, (1, 2)), shapes=[(R3,)]))
add(pair("tile", lambda L: lambda a, **k: L.tile(a, **k), shapes=[((2, 3),), ((),), ((3,),)],
         kwargs=[{"dims": (2,)}, {"dims": (2, 1, 3)}, {"dims": ()}]))
add(pair("tile_method", lambda L: lambda a: a.tile(2, 1), shapes=[((2, 3),)]))
add(pair("repeat_interleave", lambda L: lambda a, **k: L.repeat_interleave(a, **k), shapes=[(R3,), ((3,),)],
         kwargs=[{"repeats": 2}, {"repeats": 3, "dim": 0}, {"repeats": 2, "dim": -1}, {"repeats": 0, "dim": 0}]))
add(pair("repeat_interleave_0d", lambda L: lambda a: a.repeat_interleave(3), shapes=[((),)]))


def _counts(rng, dtype):
    return [_f(rng, dtype, 3, 4), np.array([2, 0, 3], dtype=I64)]


add(pair("repeat_interleave_tensor", lambda L: lambda a, r, **k: L.repeat_interleave(a, r, **k),
         make_inputs=_counts, kwargs=[{"dim": 0}, {"dim": -2}],
         syncs_by_nature="a tensor of counts sizes the output by its sum (torch reads it back too)"))
add(pair("repeat_interleave_tensor_flat", lambda L: lambda a, r: a.repeat_interleave(r.repeat(4)),
         make_inputs=_counts, syncs_by_nature="a tensor of counts sizes the output by its sum"))
add(pair("repeat_interleave_tensor_output_size", lambda L: lambda a, r: L.repeat_interleave(a, r, 0, output_size=5),
         make_inputs=_counts))
add(pair("repeat_interleave_one_count", lambda L: lambda a, r: a.repeat_interleave(r[2:], dim=1, output_size=12),
         make_inputs=_counts))
add(pair("repeat_interleave_counts_only", lambda L: lambda a, r: L.repeat_interleave(r), make_inputs=_counts,
         supports_grad=False, syncs_by_nature="the counts' sum sizes the output"))
STACK_SHAPES = [((3,), (2,)), ((2, 3), (2, 1)), ((), (2,)), ((2, 2, 1), (2, 1, 1))]
add(pair("hstack", lambda L: lambda *ts: L.hstack(ts), shapes=STACK_SHAPES))
add(pair("vstack", lambda L: lambda *ts: L.vstack(list(ts)), shapes=[((3,), (3,)), ((2, 3), (3,)), ((), ()),
                                                                       ((1, 2, 2), (2, 2, 2))]))
add(pair("row_stack", lambda L: lambda *ts: L.row_stack(ts), shapes=[((3,), (2, 3))]))
add(pair("dstack", lambda L: lambda *ts: L.dstack(ts), shapes=[((3,), (3,)), ((2, 3), (2, 3, 2)), ((), ())]))
add(pair("column_stack", lambda L: lambda *ts: L.column_stack(ts), shapes=[((3,), (3, 2)), ((), (1, 2)),
                                                                          ((2,), (2,), (2, 0))]))
add(pair("broadcast_tensors", lambda L: L.broadcast_tensors,
         shapes=[((3, 1), (4,)), ((2, 1, 3), (), (4, 1)), ((3, 4),), ((0, 1), (3,))]))
add(pair("broadcast_shapes", lambda L: lambda a: L.broadcast_shapes(a.shape, (4, 1, 1), 3, ()),
         shapes=[((2, 1),), ((),)], supports_grad=False))
add(pair("meshgrid", lambda L: lambda *ts, **k: L.meshgrid(*ts, **k),
         shapes=[((3,), (2,)), ((2,), (), (4,)), ((3,),), ((), ())], kwargs=[{"indexing": "ij"}, {"indexing": "xy"}]))
add(pair("meshgrid_list", lambda L: lambda a, b: L.meshgrid([a, b], indexing="xy"), shapes=[((2,), (3,))]))
add(pair("tensor_split", lambda L: lambda a, s, **k: L.tensor_split(a, s, **k), shapes=[((7, 4),)],
         kwargs=[{"s": 3}, {"s": 2, "dim": -1}, {"s": 9}, {"s": [1, 4]}, {"s": (-2, 6), "dim": 0}, {"s": [5, 2]},
                 {"s": [0, 0, 9]}, {"s": [3], "dim": 1}]))
add(pair("tensor_split_method", lambda L: lambda a: a.tensor_split(2, 1), shapes=[((2, 5),)]))
add(pair("hsplit", lambda L: lambda a, s: L.hsplit(a, s), shapes=[((3, 4),), ((6,),), ((2, 4, 2),)],
         kwargs=[{"s": 2}, {"s": [1, 3]}]))
add(pair("vsplit", lambda L: lambda a, s: a.vsplit(s), shapes=[((4, 3),), ((4, 1, 2),)],
         kwargs=[{"s": 2}, {"s": [3]}]))
add(pair("dsplit", lambda L: lambda a, s: L.dsplit(a, s), shapes=[((2, 3, 4),)], kwargs=[{"s": 4}, {"s": [1, -1]}]))
ATLEAST_SHAPES = [((),), ((3,),), ((2, 3),), ((2, 3, 2),), ((), (2,), (2, 2))]
add(pair("atleast_1d", lambda L: L.atleast_1d, shapes=ATLEAST_SHAPES))
add(pair("atleast_2d", lambda L: L.atleast_2d, shapes=ATLEAST_SHAPES))
add(pair("atleast_3d", lambda L: L.atleast_3d, shapes=ATLEAST_SHAPES))
add(pair("atleast_list", lambda L: lambda a, b: L.atleast_3d([a, b]), shapes=[((2,), (2, 3))]))
add(pair("select", lambda L: lambda a, **k: L.select(a, **k), shapes=[(R3,)],
         kwargs=[{"dim": 0, "index": 1}, {"dim": -1, "index": -1}, {"dim": 1, "index": 0}]))
add(pair("select_method_1d", lambda L: lambda a: a.select(0, 2), shapes=[((4,),)]))
add(pair("fliplr", lambda L: lambda a: L.fliplr(a), shapes=[((3, 4),), (R3,)]))
add(pair("flipud", lambda L: lambda a: a.flipud(), shapes=[((3,),), ((3, 4),)]))
add(pair("moveaxis", lambda L: lambda a, **k: L.moveaxis(a, **k), shapes=[(R3,)],
         kwargs=[{"source": 0, "destination": -1}, {"source": (0, 1), "destination": (2, 0)}]))
add(pair("moveaxis_method", lambda L: lambda a: a.moveaxis(-1, 0), shapes=[(R3,)]))
add(pair("swapdims", lambda L: lambda a: L.swapdims(a, 0, -1), shapes=[(R3,)]))
add(pair("swapdims_method", lambda L: lambda a: a.swapdims(1, 0), shapes=[((3, 4),)]))
add(pair("cartesian_prod", lambda L: L.cartesian_prod, shapes=[((3,), (2,)), ((2,), (2,), (3,)), ((4,),),
                                                              ((0,), (2,))]))
add(pair("combinations", lambda L: lambda a, **k: L.combinations(a, **k), shapes=[((4,),), ((2,),)],
         kwargs=[{}, {"r": 3}, {"r": 1}, {"with_replacement": True}, {"r": 3, "with_replacement": True}]))
add(pair("view_as", lambda L: lambda a, b: a.view_as(b), shapes=[((3, 4), (2, 6)), ((1,), ())], grad_inputs=(0,)))
add(pair("reshape_as", lambda L: lambda a, b: a.reshape_as(b), shapes=[((3, 4), (4, 3))], grad_inputs=(0,)))
add(pair("unfold_windows", lambda L: lambda a, **k: a.unfold(**k), shapes=[((3, 5),)],
         kwargs=[{"dimension": 1, "size": 2, "step": 1}, {"dimension": -1, "size": 3, "step": 2},
                 {"dimension": 0, "size": 3, "step": 1}, {"dimension": 1, "size": 5, "step": 4},
                 {"dimension": 0, "size": 0, "step": 1}]))
add(pair("unfold_windows_batched", lambda L: lambda a: a.unfold(1, 3, 1), shapes=[(R3,)]))
add(pair("unfold_windows_0d", lambda L: lambda a, **k: a.unfold(0, **k), shapes=[((),)],
         kwargs=[{"size": 1, "step": 1}, {"size": 0, "step": 2}]))


def _take_inputs(rng, dtype):
    return [_f(rng, dtype, 3, 4), np.array([[0, 11, 5], [-1, 5, 0]], dtype=I64)]


add(pair("take", lambda L: lambda a, i: L.take(a, i), make_inputs=_take_inputs))
add(pair("take_method_0d_index", lambda L: lambda a, i: a.take(i[0, 1]), make_inputs=_take_inputs))


def _take_0d_inputs(rng, dtype):
    return [_f(rng, dtype), np.array([0, 0, -1], dtype=I64)]


add(pair("take_0d_input", lambda L: lambda a, i: L.take(a, i), make_inputs=_take_0d_inputs))
