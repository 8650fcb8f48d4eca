"""Op-table rows for nn.functional, collected from the per-family row files."""
OPS: list = []
try:
    from .op_table_nn_conv import OPS as _CONV
except ImportError:
    _CONV = []
try:
    from .op_table_nn_func import OPS as _FUNC
except ImportError:
    _FUNC = []
try:
    from .op_table_nn_attention import OPS as _ATTENTION
except ImportError:
    _ATTENTION = []
OPS = list(_CONV) + list(_FUNC) + list(_ATTENTION)
