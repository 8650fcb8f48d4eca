"""``minitorch.optim``: optimizers with PyTorch's update formulas, and learning-rate schedulers."""
from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer, required
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = [
    "Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD",
    "Rprop", "LBFGS", "lr_scheduler", "required", "Adafactor", "Muon",
]


def __getattr__(name: str):
    """``minitorch.optim.swa_utils`` on first use (it imports ``nn``, which the optimizers do not need)."""
    if name == "swa_utils":
        import importlib

        return importlib.import_module("minitorch.optim.swa_utils")
    raise AttributeError(f"module 'minitorch.optim' has no attribute '{name}'")
