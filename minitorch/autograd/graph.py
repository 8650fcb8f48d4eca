"""``autograd.graph``: hooks on what the graph saves (``saved_tensors_hooks``, ``save_on_cpu``).

Inside ``saved_tensors_hooks(pack, unpack)``, every tensor an op saves for backward (through
``ctx.save_for_backward``) is replaced by ``pack(tensor)``; backward gets ``unpack(packed)`` each
time it reads ``ctx.saved_tensors``. Use it to trade memory for work (offload, compress, recompute).
"""
from __future__ import annotations

from collections.abc import Callable

from ..tensor import Tensor
from .function import _SAVED_HOOKS, Function

Node = Function  # the type of ``tensor.grad_fn`` (torch.autograd.graph.Node)

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks", "Node"]


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor) -> anything`` when an op saves a tensor for backward,
    ``unpack_hook(packed) -> Tensor`` when backward reads it. Nested managers: the innermost applies."""

    def __init__(self, pack_hook: Callable[[Tensor], object], unpack_hook: Callable[[object], Tensor]):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if _Disabled.message is not None:
            raise RuntimeError(_Disabled.message)
        _SAVED_HOOKS.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        _SAVED_HOOKS.pop()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors move to host memory in forward and back to their device in backward."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda"):
        def pack(t: Tensor):
            return t.device, t.detach().cpu()

        def unpack(packed) -> Tensor:
            device, t = packed
            return t.to(device)

        super().__init__(pack, unpack)


class _Disabled:
    message: str | None = None


class disable_saved_tensors_hooks:
    """Inside it, entering ``saved_tensors_hooks`` raises RuntimeError(``error_message``)."""

    def __init__(self, error_message: str):
        self.error_message = error_message

    def __enter__(self) -> disable_saved_tensors_hooks:
        self._prev = _Disabled.message
        _Disabled.message = self.error_message
        return self

    def __exit__(self, *exc) -> None:
        _Disabled.message = self._prev
