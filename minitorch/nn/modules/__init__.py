"""``nn.modules``: the layer classes, re-exported from ``minitorch.nn``."""
from .activation import *  # noqa: F403
from .activation_more import *  # noqa: F403
from .adaptive import *  # noqa: F403
from .attention import *  # noqa: F403
from .container import *  # noqa: F403
from .conv import *  # noqa: F403
from .conv3d import *  # noqa: F403
from .distance import *  # noqa: F403
from .dropout import *  # noqa: F403
from .flatten import *  # noqa: F403
from .fractional import *  # noqa: F403
from .instancenorm import *  # noqa: F403
from .lazy import *  # noqa: F403
from .legacy_norm import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .loss_compat import *  # noqa: F403
from .loss_more import *  # noqa: F403
from .maxout import *  # noqa: F403
from .module import *  # noqa: F403
from .normalization import *  # noqa: F403
from .normalization_extra import *  # noqa: F403
from .padding import *  # noqa: F403
from .pixelshuffle import *  # noqa: F403
from .pooling import *  # noqa: F403
from .pooling3d import *  # noqa: F403
from .pooling_extra import *  # noqa: F403
from .rnn import *  # noqa: F403
from .sparse import *  # noqa: F403
from .transformer import *  # noqa: F403
from .upsampling import *  # noqa: F403


def __getattr__(name: str):
    """``nn.modules.batchnorm`` / ``nn.modules.utils`` (torch's import paths) on first attribute access."""
    if name in ("batchnorm", "utils"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
