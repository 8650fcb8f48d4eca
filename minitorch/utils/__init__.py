"""``minitorch.utils``: the data pipeline (``minitorch.utils.data``), as in ``torch.utils``."""
from . import data

__all__ = ["data"]


def __getattr__(name: str):
    """``minitorch.utils.hooks`` on first use (it imports ``nn``, which ``data`` must not need)."""
    if name in ("hooks", "checkpoint", "benchmark", "tensorboard"):  # checkpoint: torch.utils.checkpoint
        import importlib

        return importlib.import_module(f"minitorch.utils.{name}")
    raise AttributeError(f"module 'minitorch.utils' has no attribute '{name}'")
