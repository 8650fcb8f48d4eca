"""``nn.utils.convert_conv2d_weight_memory_format`` / ``convert_conv3d_weight_memory_format``."""
from __future__ import annotations

from ...autograd.grad_mode import no_grad
from ..modules.module import Module

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module: Module, memory_format, classes: tuple) -> None:
    if isinstance(module, classes):
        with no_grad():
            w = module.weight.detach()
            module.weight.data = w.clone().contiguous(memory_format=memory_format)  # always a new copy
    for child in module.children():
        _convert(child, memory_format, classes)


def convert_conv2d_weight_memory_format(module: Module, memory_format) -> Module:
    """Re-lay out the weight of every ``Conv2d`` / ``ConvTranspose2d`` in ``module`` (recursively) in
    ``memory_format`` (``torch.channels_last``: NHWC memory behind the same NCHW shape), in place; the
    Parameter objects stay, as torch's. Values and results are unchanged (minitorch's kernels accept
    any layout)."""
    from ..modules.conv import Conv2d, ConvTranspose2d

    _convert(module, memory_format, (Conv2d, ConvTranspose2d))
    return module


def convert_conv3d_weight_memory_format(module: Module, memory_format) -> Module:
    """As ``convert_conv2d_weight_memory_format`` for ``Conv3d`` / ``ConvTranspose3d``
    (``torch.channels_last_3d``)."""
    from ..modules.conv3d import Conv3d, ConvTranspose3d

    _convert(module, memory_format, (Conv3d, ConvTranspose3d))
    return module
