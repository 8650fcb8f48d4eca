"""The structure ops (ops/diagonal.py, ops/arrange.py) beyond the op table: bad arguments raise torch's
exception type naming the op, integer/bool inputs keep torch's dtypes, the in-place forms, device=,
the warning of meshgrid without indexing=, and the method forms."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch

from .helpers import assert_close, raises_like_torch, require_torch, requires_cuda

torch = require_torch()


def _o(L, *shape):
    return L.ones(*shape) if shape else L.tensor(1.0)


def _i(L, values):
    return L.tensor(values, dtype=L.int64)


# (id, fn(L), the op name minitorch's message must contain)
CASES = [
    ("tril_1d", lambda L: L.tril(_o(L, 3)), "tril"),
    ("triu_0d", lambda L: _o(L).triu(), "triu"),
    ("tril_indices_negative_row", lambda L: L.tril_indices(-1, 3), "tril_indices"),
    ("triu_indices_negative_col", lambda L: L.triu_indices(2, -3), "triu_indices"),
    ("tril_indices_float_dtype", lambda L: L.tril_indices(3, 3, dtype=L.float32), "tril_indices"),
    ("diag_3d", lambda L: L.diag(_o(L, 2, 2, 2)), "diag"),
    ("diag_0d", lambda L: L.diag(_o(L)), "diag"),
    ("diagonal_same_dims", lambda L: L.diagonal(_o(L, 3, 3), 0, 1, -1), "diagonal"),
    ("diagonal_bad_dim", lambda L: _o(L, 3, 3).diagonal(0, 0, 2), "diagonal"),
    ("diagonal_0d", lambda L: L.diagonal(_o(L)), "diagonal"),
    ("diag_embed_same_dims", lambda L: L.diag_embed(_o(L, 2, 3), 0, 0, 0), "diag_embed"),
    ("diag_embed_0d", lambda L: L.diag_embed(_o(L)), "diag_embed"),
    ("trace_3d", lambda L: L.trace(_o(L, 2, 2, 2)), "trace"),
    ("trace_1d", lambda L: _o(L, 2).trace(), "trace"),
    ("block_diag_3d", lambda L: L.block_diag(_o(L, 2), _o(L, 1, 2, 2)), "block_diag"),
    ("fill_diagonal_1d", lambda L: _o(L, 3).fill_diagonal_(2.0), "fill_diagonal_"),
    ("fill_diagonal_unequal", lambda L: _o(L, 3, 4, 3).fill_diagonal_(2.0), "fill_diagonal_"),
    ("fill_diagonal_leaf", lambda L: _o(L, 3, 3).requires_grad_().fill_diagonal_(2.0), "fill_diagonal_"),
    ("tril_inplace_leaf", lambda L: _o(L, 3, 3).requires_grad_().tril_(), "tril_"),
    ("roll_mismatch", lambda L: L.roll(_o(L, 3, 4), (1, 2), 0), "roll"),
    ("roll_two_shifts_no_dims", lambda L: L.roll(_o(L, 3, 4), (1, 2)), "roll"),
    ("roll_0d_with_dim", lambda L: L.roll(_o(L), 1, 0), "roll"),
    ("roll_bad_dim", lambda L: _o(L, 3).roll(1, 1), "roll"),
    ("rot90_three_dims", lambda L: L.rot90(_o(L, 2, 3, 4), 1, [0, 1, 2]), "rot90"),
    ("rot90_1d", lambda L: L.rot90(_o(L, 3), 1, [0, 0]), "rot90"),
    ("rot90_same_dims", lambda L: L.rot90(_o(L, 3, 4), 1, [0, -2]), "rot90"),
    ("rot90_bad_dim", lambda L: _o(L, 3, 4).rot90(1, [0, 2]), "rot90"),
    ("repeat_interleave_wrong_length", lambda L: L.repeat_interleave(_o(L, 3, 4), _i(L, [1, 2]), dim=0),
     "repeat_interleave"),
    ("repeat_interleave_wrong_length_dim1", lambda L: _o(L, 2, 3).repeat_interleave(_i(L, [1, 2]), dim=1),
     "repeat_interleave"),
    ("repeat_interleave_negative_int", lambda L: L.repeat_interleave(_o(L, 3), -1), "repeat_interleave"),
    ("repeat_interleave_negative_count", lambda L: L.repeat_interleave(_o(L, 3), _i(L, [1, -2, 1])),
     "repeat_interleave"),
    ("repeat_interleave_2d_counts", lambda L: L.repeat_interleave(_o(L, 3), _i(L, [[1, 1, 1]])),
     "repeat_interleave"),
    ("repeat_interleave_float_counts", lambda L: L.repeat_interleave(_o(L, 3), L.tensor([1.0, 2.0, 1.0])),
     "repeat_interleave"),
    ("repeat_interleave_bad_output_size", lambda L: L.repeat_interleave(_o(L, 3), _i(L, [1, 2, 1]), 0,
                                                                        output_size=3), "repeat_interleave"),
    ("repeat_interleave_bad_dim", lambda L: _o(L, 3).repeat_interleave(2, dim=1), "repeat_interleave"),
    ("hstack_empty", lambda L: L.hstack([]), "hstack"),
    ("vstack_empty", lambda L: L.vstack([]), "vstack"),
    ("row_stack_empty", lambda L: L.row_stack([]), "vstack"),
    ("dstack_empty", lambda L: L.dstack([]), "dstack"),
    ("column_stack_empty", lambda L: L.column_stack([]), "column_stack"),
    ("hstack_sizes", lambda L: L.hstack([_o(L, 2, 3), _o(L, 3, 1)]), "cat"),
    ("column_stack_sizes", lambda L: L.column_stack([_o(L, 2), _o(L, 2, 3), _o(L)]), "cat"),
    ("broadcast_tensors_mismatch", lambda L: L.broadcast_tensors(_o(L, 3, 4), _o(L, 2, 4)), "broadcast_tensors"),
    ("broadcast_shapes_mismatch", lambda L: L.broadcast_shapes((3, 4), 5), "broadcast_shapes"),
    ("broadcast_shapes_negative", lambda L: L.broadcast_shapes((-1, 2)), "broadcast_shapes"),
    ("meshgrid_bad_indexing", lambda L: L.meshgrid(_o(L, 3), indexing="foo"), "meshgrid"),
    ("meshgrid_2d", lambda L: L.meshgrid(_o(L, 2, 2), indexing="ij"), "meshgrid"),
    ("meshgrid_dtypes", lambda L: L.meshgrid(_o(L, 2), _i(L, [1, 2]), indexing="ij"), "meshgrid"),
    ("meshgrid_empty", lambda L: L.meshgrid(indexing="ij"), "meshgrid"),
    ("tensor_split_zero_sections", lambda L: L.tensor_split(_o(L, 3, 4), 0), "tensor_split"),
    ("tensor_split_0d", lambda L: L.tensor_split(_o(L), 2), "tensor_split"),
    ("tensor_split_float_sections", lambda L: L.tensor_split(_o(L, 4), 2.5), "tensor_split"),
    ("tensor_split_float_tensor", lambda L: L.tensor_split(_o(L, 4), L.tensor(2.0)), "tensor_split"),
    ("tensor_split_2d_tensor", lambda L: L.tensor_split(_o(L, 4), _i(L, [[1]])), "tensor_split"),
    ("tensor_split_bad_dim", lambda L: _o(L, 4).tensor_split(2, 1), "tensor_split"),
    ("hsplit_not_divisible", lambda L: L.hsplit(_o(L, 3, 4), 3), "hsplit"),
    ("hsplit_zero", lambda L: L.hsplit(_o(L, 3, 4), 0), "hsplit"),
    ("hsplit_0d", lambda L: L.hsplit(_o(L), 1), "hsplit"),
    ("vsplit_1d", lambda L: L.vsplit(_o(L, 3), 1), "vsplit"),
    ("dsplit_2d", lambda L: _o(L, 3, 4).dsplit(1), "dsplit"),
    ("select_out_of_range", lambda L: L.select(_o(L, 3, 4), 0, 5), "select"),
    ("select_negative_out_of_range", lambda L: _o(L, 3, 4).select(1, -5), "select"),
    ("select_0d", lambda L: L.select(_o(L), 0, 0), "select"),
    ("select_bad_dim", lambda L: L.select(_o(L, 3), 1, 0), "select"),
    ("fliplr_1d", lambda L: L.fliplr(_o(L, 3)), "fliplr"),
    ("flipud_0d", lambda L: _o(L).flipud(), "flipud"),
    ("moveaxis_bad_dim", lambda L: L.moveaxis(_o(L, 3), 0, 1), "movedim"),
    ("swapdims_bad_dim", lambda L: L.swapdims(_o(L, 3), 0, 2), "transpose"),
    ("cartesian_prod_2d", lambda L: L.cartesian_prod(_o(L, 2, 2)), "cartesian_prod"),
    ("cartesian_prod_0d", lambda L: L.cartesian_prod(_o(L), _o(L, 2)), "cartesian_prod"),
    ("cartesian_prod_dtypes", lambda L: L.cartesian_prod(_o(L, 2), _i(L, [1, 2])), "meshgrid"),
    ("combinations_2d", lambda L: L.combinations(_o(L, 2, 2)), "combinations"),
    ("combinations_negative_r", lambda L: L.combinations(_o(L, 4), -1), "combinations"),
    ("unfold_too_big", lambda L: _o(L, 3, 4).unfold(1, 5, 1), "unfold"),
    ("unfold_zero_step", lambda L: _o(L, 3, 4).unfold(1, 2, 0), "unfold"),
    ("unfold_negative_size", lambda L: _o(L, 3).unfold(0, -1, 1), "unfold"),
    ("unfold_bad_dim", lambda L: _o(L, 3).unfold(1, 1, 1), "unfold"),
    ("take_float_index", lambda L: L.take(_o(L, 3, 4), L.tensor([1.0])), "take"),
    ("take_int32_index", lambda L: L.take(_o(L, 3, 4), L.tensor([1], dtype=L.int32)), "take"),
    ("take_out_of_range", lambda L: L.take(_o(L, 3, 4), _i(L, [12])), "12"),
    ("view_as_wrong_size", lambda L: _o(L, 3, 4).view_as(_o(L, 5)), "[5]"),
]


@pytest.mark.parametrize("fn,words", [pytest.param(f, w, id=i) for i, f, w in CASES])
def test_bad_arguments_raise_like_torch(fn, words) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        err = raises_like_torch(lambda: fn(torch), lambda: fn(minitorch))
    assert words in str(err), f"the message should name {words!r}: {err}"


# ---------------------------------------------------------------- integer / bool inputs ----------
def _cmp(m_out, t_out, tol: float = 0.0) -> None:
    m_list = list(m_out) if isinstance(m_out, (tuple, list)) else [m_out]
    t_list = list(t_out) if isinstance(t_out, (tuple, list)) else [t_out]
    assert len(m_list) == len(t_list)
    for m, t in zip(m_list, t_list):
        assert str(m.dtype).rsplit(".", 1)[-1] == str(t.dtype).rsplit(".", 1)[-1], (m.dtype, t.dtype)
        assert_close(m, t, rtol=tol, atol=tol)


INT_CASES = [
    ("tril_bool", lambda L, a, b: L.tril(b, 1)),
    ("triu_int", lambda L, a, b: a.triu(-1)),
    ("diag_int", lambda L, a, b: L.diag(a[0], 1)),
    ("diag_2d_bool", lambda L, a, b: L.diag(b)),
    ("diagonal_int", lambda L, a, b: a.diagonal(1)),
    ("diag_embed_bool", lambda L, a, b: L.diag_embed(b)),
    ("trace_int64", lambda L, a, b: L.trace(a)),
    ("trace_int32", lambda L, a, b: L.trace(a.to(L.int32))),
    ("block_diag_mixed_ints", lambda L, a, b: L.block_diag(a.to(L.int32), a[0])),
    ("block_diag_int_float", lambda L, a, b: L.block_diag(a, L.ones(2))),
    ("block_diag_bool", lambda L, a, b: L.block_diag(b, b[0])),
    ("roll_bool", lambda L, a, b: L.roll(b, 1, 0)),
    ("rot90_int", lambda L, a, b: L.rot90(a, 1)),
    ("tile_bool", lambda L, a, b: b.tile((2,))),
    ("repeat_interleave_int", lambda L, a, b: L.repeat_interleave(a, 2, dim=1)),
    ("repeat_interleave_counts", lambda L, a, b: L.repeat_interleave(b, a[0, :3] + 6, dim=0)),
    ("hstack_int", lambda L, a, b: L.hstack([a, a])),
    ("vstack_int_float", lambda L, a, b: L.vstack([a, L.ones(4)])),
    ("column_stack_bool", lambda L, a, b: L.column_stack([b[:, 0], b])),
    ("broadcast_tensors_int_bool", lambda L, a, b: L.broadcast_tensors(a, b[:1])),
    ("meshgrid_int", lambda L, a, b: L.meshgrid(a[0], a[1], indexing="xy")),
    ("tensor_split_bool", lambda L, a, b: L.tensor_split(b, [1, 3], 1)),
    ("select_int", lambda L, a, b: L.select(a, 1, -1)),
    ("cartesian_prod_int", lambda L, a, b: L.cartesian_prod(a[0], a[1, :2])),
    ("combinations_int", lambda L, a, b: L.combinations(a[0], 2, with_replacement=True)),
    ("unfold_bool", lambda L, a, b: b.unfold(1, 2, 1)),
    ("take_int", lambda L, a, b: L.take(a, L.tensor([0, 5, -1]))),
    ("atleast_3d_int", lambda L, a, b: L.atleast_3d(a)),
    ("fliplr_bool", lambda L, a, b: L.fliplr(b)),
]


@pytest.mark.parametrize("fn", [pytest.param(f, id=i) for i, f in INT_CASES])
def test_integer_and_bool_inputs_match_torch(fn) -> None:
    a = np.arange(12, dtype=np.int64).reshape(3, 4) - 5
    b = (a % 3) == 0
    _cmp(fn(minitorch, minitorch.tensor(a), minitorch.tensor(b)), fn(torch, torch.tensor(a), torch.tensor(b)))


def test_fill_diagonal_on_int_truncates_like_torch() -> None:
    m = minitorch.zeros(3, 3, dtype=minitorch.int32).fill_diagonal_(2.7)
    t = torch.zeros(3, 3, dtype=torch.int32).fill_diagonal_(2.7)
    _cmp(m, t)


def test_tril_indices_dtype() -> None:
    _cmp(minitorch.tril_indices(4, 3, -1, dtype=minitorch.int32), torch.tril_indices(4, 3, -1, dtype=torch.int32))
    _cmp(minitorch.triu_indices(3, 5, 2), torch.triu_indices(3, 5, 2))


# ---------------------------------------------------------------- in-place forms ------------------
INPLACE = [  # (id, call, shapes)
    ("tril_", lambda t: t.tril_(), [(3, 4), (2, 3, 3)]),
    ("tril_k", lambda t: t.tril_(diagonal=-1), [(3, 4), (7, 3)]),
    ("triu_", lambda t: t.triu_(1), [(3, 4), (2, 3, 3)]),
    ("fill_diagonal_", lambda t: t.fill_diagonal_(-3.0), [(3, 4), (7, 3), (3, 3, 3)]),
    ("fill_diagonal_wrap", lambda t: t.fill_diagonal_(-3.0, wrap=True), [(3, 4), (7, 3), (8, 3)]),
]


@pytest.mark.parametrize("fn,shape", [pytest.param(f, s, id=f"{i}-{s}") for i, f, shapes in INPLACE for s in shapes])
def test_inplace_matches_torch_and_returns_self(fn, shape) -> None:
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    m, t = minitorch.tensor(a), torch.tensor(a)
    version = m._version
    out_m, out_t = fn(m), fn(t)
    assert out_m is m and out_t is t
    assert m._version == version + 1
    _cmp(m, t)


def test_inplace_on_a_view_is_seen_by_the_base() -> None:
    base = minitorch.ones(2, 3, 3)
    base[0].tril_()
    ref = torch.ones(2, 3, 3)
    ref[0].tril_()
    _cmp(base, ref)


def test_inplace_gradient_flows_like_torch() -> None:
    a = np.random.default_rng(1).standard_normal((4, 4))
    grads = []
    for L in (minitorch, torch):
        x = L.tensor(a, requires_grad=True)
        y = (x * 2).fill_diagonal_(0.0).triu_(-1)
        (y * L.tensor(np.arange(16.0).reshape(4, 4))).sum().backward()
        grads.append(x.grad)
    assert_close(grads[0], grads[1])


# ---------------------------------------------------------------- devices -------------------------
def test_tril_indices_device_cpu() -> None:
    for dev in ("cpu", minitorch.device("cpu"), None):
        out = minitorch.tril_indices(3, 3, device=dev)
        assert out.device.type == "cpu" and out.dtype == minitorch.int64


@requires_cuda
def test_tril_indices_device_cuda() -> None:
    for fn in (minitorch.tril_indices, minitorch.triu_indices):
        out = fn(4, 3, 1, device="cuda")
        assert out.device.type == "cuda" and out.dtype == minitorch.int64
        ref = fn(4, 3, 1)
        assert out.cpu().tolist() == ref.tolist()


@requires_cuda
def test_repeat_interleave_cpu_counts_on_cuda() -> None:
    x = minitorch.arange(3.0, device="cuda")
    out = minitorch.repeat_interleave(x, minitorch.tensor([1, 0, 2]), output_size=3)
    assert out.device.type == "cuda" and out.cpu().tolist() == [0.0, 2.0, 2.0]


# ---------------------------------------------------------------- behaviour -----------------------
def test_meshgrid_warns_without_indexing_like_torch() -> None:
    for L in (torch, minitorch):
        a, b = L.ones(2), L.ones(3)
        with pytest.warns(UserWarning, match="indexing"):
            grid = L.meshgrid(a, b)
        assert tuple(grid[0].shape) == (2, 3)  # default: 'ij'
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            L.meshgrid(a, b, indexing="ij")
            L.meshgrid(a, b, indexing="xy")


def test_broadcast_shapes_returns_a_size() -> None:
    out = minitorch.broadcast_shapes((3, 1), 4, ())
    assert isinstance(out, minitorch.Size) and out == torch.broadcast_shapes((3, 1), 4, ())
    assert minitorch.broadcast_shapes() == torch.broadcast_shapes() == ()


def test_tensor_split_with_a_tensor_argument() -> None:
    a = np.arange(14.0).reshape(7, 2)
    for arg in ([1, 5], 3):
        _cmp(minitorch.tensor_split(minitorch.tensor(a), minitorch.tensor(arg)),
             torch.tensor_split(torch.tensor(a), torch.tensor(arg)))


def test_atleast_forms() -> None:
    x, y = minitorch.tensor(1.0), minitorch.ones(2)
    assert isinstance(minitorch.atleast_2d(x), minitorch.Tensor)
    assert isinstance(minitorch.atleast_2d(x, y), tuple) and isinstance(minitorch.atleast_2d([x]), tuple)
    assert minitorch.atleast_1d(y) is y


def test_combinations_r0_and_cartesian_prod_of_one() -> None:
    x = minitorch.arange(4.0)
    _cmp(minitorch.combinations(x, 0), torch.combinations(torch.arange(4.0), 0))
    _cmp(minitorch.combinations(x[:2], 3), torch.combinations(torch.arange(2.0), 3))
    assert minitorch.cartesian_prod(x) is x


def test_block_diag_of_nothing() -> None:
    _cmp(minitorch.block_diag(), torch.block_diag())


def test_diagonal_is_a_copy_with_the_gradient_of_a_view() -> None:
    """torch returns a view; minitorch a copy (documented): the same values and gradient."""
    x = minitorch.arange(9.0).reshape(3, 3).requires_grad_()
    d = x.diagonal()
    d.sum().backward()
    assert x.grad.tolist() == np.eye(3).tolist()


ARRANGE_METHODS = ("roll rot90 tile repeat_interleave tensor_split hsplit vsplit dsplit select fliplr flipud "
                   "moveaxis swapdims take unfold view_as reshape_as").split()
DIAGONAL_METHODS = "tril triu diag diagonal diag_embed trace".split()
INPLACE_METHODS = "tril_ triu_ fill_diagonal_".split()
TOP_LEVEL = (minitorch.ops.arrange.__all__ + minitorch.ops.diagonal.__all__)


@pytest.mark.parametrize("name", ARRANGE_METHODS + DIAGONAL_METHODS + INPLACE_METHODS)
def test_method_exists_as_in_torch(name) -> None:
    assert hasattr(torch.Tensor, name)
    assert callable(getattr(minitorch.Tensor, name))


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_name_exists_as_in_torch(name) -> None:
    assert hasattr(torch, name)
    assert getattr(minitorch, name) is getattr(minitorch.ops.arrange, name, None) or getattr(
        minitorch, name) is getattr(minitorch.ops.diagonal, name, None)


def test_method_forms_match_the_functions() -> None:
    a = np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)
    m, t = minitorch.tensor(a), torch.tensor(a)
    for call in (lambda x: x.roll(1, 0), lambda x: x.rot90(), lambda x: x.tile((2,)),
                 lambda x: x.repeat_interleave(2), lambda x: x.tensor_split(3, 1), lambda x: x.hsplit(2),
                 lambda x: x.vsplit([1]), lambda x: x.select(1, 2), lambda x: x.fliplr(), lambda x: x.flipud(),
                 lambda x: x.moveaxis(0, 1), lambda x: x.swapdims(0, 1), lambda x: x.unfold(0, 2, 2),
                 lambda x: x.view_as(x.T), lambda x: x.reshape_as(x.T), lambda x: x.tril(1), lambda x: x.triu(),
                 lambda x: x.diag(), lambda x: x.diagonal(-1), lambda x: x[0].diag_embed(), lambda x: x.trace()):
        _cmp(call(m), call(t), tol=1e-6)
    _cmp(m.take(minitorch.tensor([3, 0])), t.take(torch.tensor([3, 0])))
    _cmp(m.reshape(2, 2, 6).dsplit(3), t.reshape(2, 2, 6).dsplit(3))
