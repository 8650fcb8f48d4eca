"""Op-table rows for the 3-D conv / pooling ops of nn.functional (tiny shapes: 3-D gradcheck grows fast)."""
from __future__ import annotations

from .op_table_nn_conv import _distinct, both

OPS = [
    # ------------------------------------------------------------------ convolutions
    both("conv3d", "conv3d", shapes=[((1, 2, 3, 4, 3), (2, 2, 2, 2, 2), (2,))],
         kwargs=[{}, {"stride": 2, "padding": 1}, {"padding": "same", "dilation": (1, 2, 1)},
                 {"padding": (1, 0, 1), "stride": (1, 2, 1)}, {"padding": "valid"}]),
    both("conv3d_groups", "conv3d", shapes=[((1, 4, 3, 3, 3), (4, 2, 2, 1, 2), (4,))],
         kwargs=[{"groups": 2}, {"groups": 2, "stride": 2, "padding": 1, "dilation": (2, 1, 1)}]),
    both("conv3d_unbatched", "conv3d", shapes=[((2, 3, 3, 3), (2, 2, 2, 2, 2))], kwargs=[{"padding": 1}]),
    both("conv_transpose3d", "conv_transpose3d", shapes=[((1, 2, 2, 3, 2), (2, 2, 2, 2, 2), (2,))],
         kwargs=[{}, {"stride": 2, "padding": 1, "output_padding": 1},
                 {"dilation": (2, 1, 1), "stride": (1, 2, 1), "output_padding": (1, 1, 0)}]),
    both("conv_transpose3d_groups", "conv_transpose3d", shapes=[((1, 4, 2, 2, 2), (4, 1, 2, 1, 2))],
         kwargs=[{"groups": 2}, {"groups": 4, "stride": 2, "output_padding": 1}]),
    # ------------------------------------------------------------------ pooling
    both("max_pool3d", "max_pool3d", shapes=[((1, 2, 4, 5, 4),)], values=_distinct,
         kwargs=[{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                 {"kernel_size": 2, "dilation": (2, 1, 1), "ceil_mode": True, "stride": 2},
                 {"kernel_size": (2, 3, 2), "stride": (1, 2, 2), "padding": (1, 1, 0), "return_indices": True}]),
    both("max_pool3d_unbatched", "max_pool3d", shapes=[((2, 3, 4, 3),)], values=_distinct,
         kwargs=[{"kernel_size": 2, "stride": 1, "return_indices": True}]),
    both("avg_pool3d", "avg_pool3d", shapes=[((1, 2, 4, 5, 4),)],
         kwargs=[{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                 {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False, "ceil_mode": True},
                 {"kernel_size": (2, 3, 2), "stride": 2, "ceil_mode": True},
                 {"kernel_size": 2, "divisor_override": 3}]),
    both("adaptive_avg_pool3d", "adaptive_avg_pool3d", shapes=[((1, 2, 5, 4, 3),)],
         kwargs=[{"output_size": 1}, {"output_size": (3, None, 2)}, {"output_size": (4, 3, 3)}]),
    both("adaptive_max_pool3d", "adaptive_max_pool3d", shapes=[((1, 2, 5, 4, 3),)], values=_distinct,
         kwargs=[{"output_size": 1}, {"output_size": (3, None, 2)},
                 {"output_size": (4, 3, 2), "return_indices": True}]),
]
