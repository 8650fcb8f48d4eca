"""``minitorch.nn.functional`` (import as ``F``): the neural-network ops, PyTorch's names and signatures."""
from ...functional_aliases import conv_tbc, native_channel_shuffle, pdist  # noqa: F401  (torch's F has them)
from ...ops.elementwise import relu, sigmoid, tanh  # noqa: F401  (overridden below where F adds options)
from ...ops.reduction import log_softmax, softmax  # noqa: F401
from .activation import *  # noqa: F403
from .activation_more import *  # noqa: F403
from .attention import *  # noqa: F403
from .conv import *  # noqa: F403
from .conv3d import *  # noqa: F403
from .dropout import *  # noqa: F403
from .extras import *  # noqa: F403
from .fractional import *  # noqa: F403
from .linear import *  # noqa: F403
from .loss import *  # noqa: F403
from .loss_more import *  # noqa: F403
from .normalization import *  # noqa: F403
from .pooling import *  # noqa: F403
from .pooling3d import *  # noqa: F403
from .pooling_extra import *  # noqa: F403
from .sampling_grid import *  # noqa: F403
from .sparse import *  # noqa: F403
from .vision import *  # noqa: F403
