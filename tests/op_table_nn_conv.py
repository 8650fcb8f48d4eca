"""Op-table rows for the conv / pooling / vision ops of nn.functional (tiny shapes: gradcheck is fast)."""
from __future__ import annotations

import numpy as np

import minitorch.nn.functional as F

from .helpers import require_torch
from .op_table import OpInfo

torch = require_torch()
TF = torch.nn.functional


def _distinct(rng, shape, dtype):
    """Values with no ties (a permutation scaled): max-pool's argmax is unambiguous for gradcheck."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) / max(n, 1) * 4 - 2).astype(dtype)


def both(name, fname, **kw):
    """A row calling F.<fname> in minitorch and torch.nn.functional.<fname> in torch."""
    return OpInfo(name, getattr(F, fname), getattr(TF, fname), **kw)


OPS = [
    # ------------------------------------------------------------------ convolutions
    both("conv2d", "conv2d", shapes=[((2, 4, 5, 5), (6, 4, 3, 3), (6,))],
         kwargs=[{}, {"stride": 2}, {"padding": 1}, {"padding": (2, 0), "stride": (1, 2)}, {"dilation": 2},
                 {"padding": "same"}, {"padding": "valid"}, {"padding": "same", "dilation": (1, 2)}]),
    both("conv2d_groups", "conv2d", shapes=[((2, 4, 5, 4), (6, 2, 3, 2), (6,))],
         kwargs=[{"groups": 2}, {"groups": 2, "stride": 2, "padding": 1}]),
    both("conv2d_depthwise", "conv2d", shapes=[((1, 3, 5, 5), (6, 1, 3, 3))],
         kwargs=[{"groups": 3, "padding": 1}, {"groups": 3, "stride": 2, "dilation": 2, "padding": 2}]),
    both("conv2d_even_kernel_same", "conv2d", shapes=[((1, 2, 5, 6), (3, 2, 2, 4), (3,))],
         kwargs=[{"padding": "same"}]),
    both("conv2d_unbatched", "conv2d", shapes=[((2, 4, 4), (3, 2, 3, 3), (3,))], kwargs=[{"padding": 1}]),
    both("conv1d", "conv1d", shapes=[((2, 3, 7), (4, 3, 3), (4,))],
         kwargs=[{}, {"stride": 2, "padding": 1}, {"dilation": 2}, {"padding": "same"}]),
    both("conv1d_groups", "conv1d", shapes=[((2, 4, 6), (4, 2, 2))], kwargs=[{"groups": 2, "stride": 2}]),
    both("conv_transpose2d", "conv_transpose2d", shapes=[((2, 4, 3, 3), (4, 3, 3, 3), (3,))],
         kwargs=[{}, {"stride": 2}, {"stride": 2, "padding": 1, "output_padding": 1},
                 {"dilation": 2, "padding": 1}, {"stride": (2, 1), "padding": (1, 0)}]),
    both("conv_transpose2d_groups", "conv_transpose2d", shapes=[((1, 4, 3, 2), (4, 1, 2, 3))],
         kwargs=[{"groups": 2}, {"groups": 4, "stride": 2, "output_padding": 1}]),
    both("conv_transpose1d", "conv_transpose1d", shapes=[((2, 3, 4), (3, 2, 3), (2,))],
         kwargs=[{}, {"stride": 2, "padding": 1, "output_padding": 1}]),
    both("unfold", "unfold", shapes=[((2, 2, 5, 4),)],
         kwargs=[{"kernel_size": 2}, {"kernel_size": (3, 2), "stride": 2, "padding": 1},
                 {"kernel_size": 2, "dilation": 2}]),
    OpInfo("fold", lambda x, **kw: F.fold(x, (5, 4), **kw), lambda x, **kw: TF.fold(x, (5, 4), **kw),
           shapes=[((2, 8, 12),)], kwargs=[{"kernel_size": 2}]),
    OpInfo("fold_strided", lambda x, **kw: F.fold(x, (5, 4), **kw), lambda x, **kw: TF.fold(x, (5, 4), **kw),
           shapes=[((1, 12, 9),)], kwargs=[{"kernel_size": (3, 2), "stride": 2, "padding": 1}]),
    # ------------------------------------------------------------------ max pooling
    both("max_pool2d", "max_pool2d", shapes=[((2, 3, 6, 5),)], values=_distinct,
         kwargs=[{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                 {"kernel_size": 2, "dilation": 2}, {"kernel_size": 3, "stride": 2, "ceil_mode": True},
                 {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 0)}]),
    both("max_pool2d_indices", "max_pool2d", shapes=[((1, 2, 5, 5),)], values=_distinct,
         kwargs=[{"kernel_size": 2, "return_indices": True},
                 {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "return_indices": True}]),
    both("max_pool1d", "max_pool1d", shapes=[((2, 3, 7),)], values=_distinct,
         kwargs=[{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
                 {"kernel_size": 2, "dilation": 2, "return_indices": True}]),
    # ------------------------------------------------------------------ average pooling
    both("avg_pool2d", "avg_pool2d", shapes=[((2, 3, 6, 5),)],
         kwargs=[{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                 {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
                 {"kernel_size": 3, "stride": 2, "ceil_mode": True},
                 {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
                 {"kernel_size": 2, "divisor_override": 3}]),
    both("avg_pool1d", "avg_pool1d", shapes=[((2, 3, 7),)],
         kwargs=[{"kernel_size": 3}, {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
                 {"kernel_size": 2, "ceil_mode": True}]),
    both("adaptive_avg_pool2d", "adaptive_avg_pool2d", shapes=[((2, 3, 7, 5),)],
         kwargs=[{"output_size": 1}, {"output_size": (3, 2)}, {"output_size": (7, None)}, {"output_size": (4, 5)}]),
    both("adaptive_avg_pool1d", "adaptive_avg_pool1d", shapes=[((2, 3, 7),)], kwargs=[{"output_size": 3}]),
    both("adaptive_max_pool2d", "adaptive_max_pool2d", shapes=[((2, 3, 7, 5),)], values=_distinct,
         kwargs=[{"output_size": 1}, {"output_size": (3, 2)}, {"output_size": (4, 4), "return_indices": True}]),
    both("adaptive_max_pool1d", "adaptive_max_pool1d", shapes=[((2, 3, 7),)], values=_distinct,
         kwargs=[{"output_size": 3, "return_indices": True}]),
    # ------------------------------------------------------------------ pad, interpolate
    OpInfo("pad_constant", lambda x, **kw: F.pad(x, **kw), lambda x, **kw: TF.pad(x, **kw),
           shapes=[((2, 3, 4),)], kwargs=[{"pad": (1, 2)}, {"pad": (1, 0, 2, 1), "value": 1.5},
                                          {"pad": (-1, 2, 0, -1)}, {"pad": (1, 1, 0, 0, 1, 0)}]),
    OpInfo("pad_reflect", lambda x, **kw: F.pad(x, mode="reflect", **kw),
           lambda x, **kw: TF.pad(x, mode="reflect", **kw),
           shapes=[((1, 2, 4, 5),)], kwargs=[{"pad": (1, 2, 3, 0)}, {"pad": (4, 4, 1, 1)}]),
    OpInfo("pad_reflect_1d", lambda x, **kw: F.pad(x, mode="reflect", **kw),
           lambda x, **kw: TF.pad(x, mode="reflect", **kw), shapes=[((2, 3, 5),)], kwargs=[{"pad": (2, 3)}]),
    OpInfo("pad_replicate", lambda x, **kw: F.pad(x, mode="replicate", **kw),
           lambda x, **kw: TF.pad(x, mode="replicate", **kw),
           shapes=[((1, 2, 3, 4),)], kwargs=[{"pad": (2, 1, 0, 3)}, {"pad": (5, 5, 4, 4)}]),
    OpInfo("pad_circular", lambda x, **kw: F.pad(x, mode="circular", **kw),
           lambda x, **kw: TF.pad(x, mode="circular", **kw), shapes=[((1, 2, 3, 4),)], kwargs=[{"pad": (2, 1, 3, 0)}]),
    both("interpolate_nearest", "interpolate", shapes=[((1, 2, 3, 4),)],
         kwargs=[{"scale_factor": 2}, {"size": (5, 7)}, {"size": (2, 3)}, {"scale_factor": (1.5, 0.5)},
                 {"size": (6, 6), "mode": "nearest-exact"}]),
    both("interpolate_bilinear", "interpolate", shapes=[((1, 2, 3, 4),)],
         kwargs=[{"scale_factor": 2, "mode": "bilinear"}, {"size": (5, 7), "mode": "bilinear", "align_corners": True},
                 {"size": (2, 3), "mode": "bilinear"}, {"size": (1, 5), "mode": "bilinear", "align_corners": True},
                 {"scale_factor": 1.7, "mode": "bilinear"}]),
    both("interpolate_linear", "interpolate", shapes=[((2, 3, 5),)],
         kwargs=[{"scale_factor": 2, "mode": "linear"}, {"size": 3, "mode": "linear", "align_corners": True},
                 {"size": 8}]),
]
