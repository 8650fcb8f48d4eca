"""minitorch.nn: modules, functional ops (``F``), init, utils, as in ``torch.nn``."""
from . import functional, init, parallel, utils  # noqa: F401
from .modules import *  # noqa: F403
from .parallel import DataParallel  # noqa: F401
from .parameter import Buffer, Parameter  # noqa: F401
