"""``minitorch.optim.adamw``: AdamW lives with Adam (it is Adam with ``decoupled_weight_decay=True``)."""
from .adam import AdamW

__all__ = ["AdamW"]
