"""``minitorch.datasets``: ready data sets (bundled ``Digits``; ``MNIST``/``FashionMNIST`` from IDX files)
and simple image ``transforms``, in the style of ``torchvision.datasets``."""
from . import transforms
from .digits import Digits
from .idx import read_idx, write_idx
from .mnist import MNIST, FashionMNIST

__all__ = ["Digits", "MNIST", "FashionMNIST", "read_idx", "write_idx", "transforms"]
