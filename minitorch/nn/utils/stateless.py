"""``nn.utils.stateless.functional_call``: torch's deprecated name for ``minitorch.func.functional_call``
(call a module with some parameters/buffers swapped for given tensors, then put the originals back)."""
from __future__ import annotations

import warnings
from typing import Any

from ...tensor import Tensor

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers: dict[str, Tensor], args: Any | tuple | None = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with the tensors named in ``parameters_and_buffers`` (dotted names, as
    ``named_parameters()``) in place of the module's own, which are restored afterwards (even on error).

    Deprecated in torch (a FutureWarning on each call) in favour of ``minitorch.func.functional_call``,
    which it calls. ``args`` that is not a tuple is one positional argument. ``tie_weights``: names tied
    in the module take the value given for one of them. ``strict``: the names must match exactly.
    """
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed "
                  "in a future version of PyTorch. Please use `torch.func.functional_call` instead which is a "
                  "drop-in replacement.", FutureWarning, stacklevel=2)
    from ...jit import RecursiveScriptModule, ScriptFunction, ScriptModule, is_scripting, is_tracing
    from ..parallel import DataParallel

    if is_tracing() or is_scripting() or isinstance(module, (RecursiveScriptModule, ScriptModule, ScriptFunction)):
        raise RuntimeError("The stateless API can't be used with Jitted modules")
    if isinstance(module, DataParallel):
        raise RuntimeError("The stateless API can't be used with nn.DataParallel module")
    from ...func import functional_call as _functional_call

    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
