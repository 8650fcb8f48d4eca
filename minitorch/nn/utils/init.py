"""``nn.utils.skip_init``: build a module without running its parameter initialisation."""
from __future__ import annotations

import inspect

from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args, **kwargs) -> Module:
    """A ``module_cls(*args, **kwargs)`` whose parameters and buffers hold uninitialised memory.

    torch builds the module on the ``meta`` device (so no initialiser runs) and then ``to_empty``s it.
    minitorch has no meta device: the module is constructed normally (its initialisers do run, on
    ``device``) and then ``to_empty(device=device)`` replaces every parameter and buffer with an
    ``empty`` array of the same shape and dtype. The result is the same (uninitialised values); only
    the initialisation time is not saved. The same checks as torch: a Module class with a ``device`` argument.
    """
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    kwargs["device"] = final_device
    return module_cls(*args, **kwargs).to_empty(device=final_device)
