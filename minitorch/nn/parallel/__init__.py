"""``minitorch.nn.parallel``: ``DataParallel`` (one device: runs the module directly, as torch does with one
or no GPU) and ``DistributedDataParallel`` (needs a process group, which minitorch cannot create)."""
from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["DataParallel", "data_parallel", "DistributedDataParallel"]
