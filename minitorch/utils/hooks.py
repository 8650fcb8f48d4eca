"""``torch.utils.hooks``'s import path: ``RemovableHandle``, what ``Module.register_*_hook`` returns."""
from ..nn.modules.module import RemovableHandle

__all__ = ["RemovableHandle"]
