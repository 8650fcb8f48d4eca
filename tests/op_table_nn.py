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
try:
    from .op_table_nn_conv3d import OPS as _CONV3D
except ImportError:
    _CONV3D = []
OPS = list(_CONV) + list(_FUNC) + list(_ATTENTION) + list(_CONV3D)
