"""``minitorch.utils``: the data pipeline (``minitorch.utils.data``), as in ``torch.utils``."""
from . import data

__all__ = ["data"]
