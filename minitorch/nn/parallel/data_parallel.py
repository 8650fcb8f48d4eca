"""``DataParallel``: split a batch across GPUs, run a replica of the module on each, gather the outputs.

minitorch drives at most one GPU (``cuda:0``), which is exactly torch's single-device case: with no GPU
the wrapper just calls the module; with one, it moves the module to the GPU once and the inputs to it on
every call (the "scatter" of a batch over one device), then calls the module. The module is registered as
the child ``module``, so the state_dict keys are prefixed ``module.`` as in torch.
"""
from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

from ...backend import device as _device
from ...cuda import is_available as _cuda_available
from ...tensor import Tensor
from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


def _device_index(d) -> int:
    if isinstance(d, int):
        index = d
    else:
        dev = _device(d) if isinstance(d, str) else d
        if getattr(dev, "type", None) != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {d}")
        index = 0 if dev.index is None else dev.index
    if index != 0:
        raise ValueError(f"minitorch uses one GPU (cuda:0); device {d!r} is not supported")
    return index


def _device_ids(device_ids) -> list[int]:
    if device_ids is None:
        return [0]
    ids = [_device_index(x) for x in device_ids]
    if len(ids) > 1:
        raise ValueError(f"minitorch uses one GPU (cuda:0); DataParallel over device_ids={list(device_ids)} is not "
                         "supported")
    return ids


def _to_device(obj: Any, dev) -> Any:
    """torch's scatter onto one device: tensors are moved (differentiably), containers are rebuilt, other
    objects are passed as they are."""
    if isinstance(obj, Tensor):
        return obj.to(dev)
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):  # namedtuple
        return type(obj)(*(_to_device(x, dev) for x in obj))
    if isinstance(obj, tuple):
        return tuple(_to_device(x, dev) for x in obj)
    if isinstance(obj, list):
        return [_to_device(x, dev) for x in obj]
    if isinstance(obj, dict):
        return type(obj)((k, _to_device(v, dev)) for k, v in obj.items())
    return obj


def _check_module_device(module: Module, src) -> None:
    for t in chain(module.parameters(), module.buffers()):
        if t.device != src:
            raise RuntimeError("module must have its parameters and buffers "
                               f"on device {src} (device_ids[0]) but found one of them on device: {t.device}")


class DataParallel(Module):
    """Runs ``module`` on the batch (torch's ``nn.DataParallel`` with one or no GPU).

    Without a GPU: ``device_ids`` is ``[]`` and ``forward`` calls ``module(*inputs, **kwargs)``. With one:
    ``device_ids == [0]``, the module is moved to ``cuda:0`` here, and ``forward`` moves the inputs there
    before calling it. More than one device raises ValueError (minitorch drives only ``cuda:0``).
    """

    def __init__(self, module: Module, device_ids: Sequence[int | Any] | None = None,
                 output_device: int | Any | None = None, dim: int = 0) -> None:
        super().__init__()
        if not _cuda_available():
            self.module = module
            self.device_ids = []
            return
        device_ids = _device_ids(device_ids)
        if output_device is None:
            output_device = device_ids[0]
        self.dim = dim
        self.module = module
        self.device_ids = device_ids
        self.output_device = _device_index(output_device)
        self.src_device_obj = _device("cuda", self.device_ids[0])
        self.module.to(self.src_device_obj)

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        _check_module_device(self.module, self.src_device_obj)
        return self.module(*_to_device(inputs, self.src_device_obj), **_to_device(kwargs, self.src_device_obj))


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[int | Any] | None = None,
                  output_device: int | Any | None = None, dim: int = 0, module_kwargs: Any | None = None) -> Any:
    """The functional form: ``module(*inputs, **module_kwargs)`` on ``device_ids[0]`` (torch's RuntimeError
    when there is no GPU; the module must already be on ``cuda:0``)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    if not _cuda_available():
        raise RuntimeError("device type could not be determined")
    device_ids = _device_ids(device_ids)
    if output_device is not None:
        _device_index(output_device)
    src = _device("cuda", device_ids[0])
    _check_module_device(module, src)
    return module(*_to_device(inputs, src), **_to_device(module_kwargs or {}, src))
