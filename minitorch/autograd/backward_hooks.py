"""Module backward hooks (``register_full_backward_hook``/``_pre_hook``), as torch's BackwardHook.

``Module.__call__`` wraps the module's tensor arguments and its output tensors in an identity
node (``BackwardHookFunction``) only when such hooks are registered. In backward, the output-side node
sees the gradients w.r.t. the module's outputs (the pre-hooks run there and may replace them);
the input-side node sees the gradients w.r.t. the module's inputs (the full hooks run there,
with the grad_output kept from the output side, and may replace grad_input).
"""
from __future__ import annotations

import warnings

from ..tensor import Tensor
from .function import Function
from .grad_mode import _GradState


class BackwardHookFunction(Function):
    """out_i = in_i for every tensor; backward passes the gradients through the hook state."""

    def name(self) -> str:
        return "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, state, side, *tensors):
        ctx.state, ctx.side = state, side
        arrays = tuple(t.array for t in tensors)
        ctx.mark_non_differentiable(*(a for a, t in zip(arrays, tensors) if not t._requires_grad))
        if side == "output":  # an unused output's gradient reaches the pre-hooks as None (torch)
            ctx.set_materialize_grads(False)
        return arrays

    @staticmethod
    def backward(ctx, *grads):
        """d out_i / d in_i = identity; the hooks may replace the gradients."""
        return (None, None) + ctx.state.on_grads(ctx.side, grads)


def _tensors_in(value) -> list:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [v for v in value if isinstance(v, Tensor)]
    return []


def _replace(value, new: list):
    """``value`` (a Tensor, or a tuple/list holding Tensors) with its Tensors replaced in order."""
    if isinstance(value, Tensor):
        return new[0]
    it = iter(new)
    items = [next(it) if isinstance(v, Tensor) else v for v in value]
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a namedtuple
        return type(value)(*items)
    return type(value)(items)


class BackwardHookState:
    """One module call's backward hooks: the gradients w.r.t. its tensor inputs and outputs."""

    def __init__(self, module, full_hooks: list, pre_hooks: list, is_full: bool = True):
        self.module = module
        self.full_hooks = full_hooks
        self.pre_hooks = pre_hooks
        self.is_full = is_full
        self.grad_output = None
        self.n_inputs = 0
        self.positions: list = []
        self.input_recorded = False

    def setup_inputs(self, args: tuple) -> tuple:
        self.positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        self.n_inputs = len(args)  # grad_input has one entry per positional argument (None: not a Tensor)
        tensors = [args[i] for i in self.positions]
        if not self.full_hooks or not _GradState.enabled or not any(t._requires_grad for t in tensors):
            return args
        self.input_recorded = True
        return _replace(tuple(args), list(BackwardHookFunction.apply(self, "input", *tensors)))

    def setup_outputs(self, output):
        tensors = _tensors_in(output)
        if not _GradState.enabled or not any(t._requires_grad for t in tensors):
            return output
        if not self.is_full and len(tensors) > 0:
            warnings.warn(
                "Using a non-full backward hook when the forward contains multiple autograd Nodes is "
                "deprecated and will be removed in future versions. This hook will be missing some "
                "grad_input. Please use register_full_backward_hook to get the documented behavior.",
                FutureWarning, stacklevel=3,
            )
        return _replace(output, list(BackwardHookFunction.apply(self, "output", *tensors)))

    def on_grads(self, side: str, grads: tuple) -> tuple:
        grads = tuple(grads)
        if side == "output":
            for hook in self.pre_hooks:
                result = hook(self.module, grads)
                if result is not None:
                    grads = self._checked(result, len(grads), "grad_output")
            self.grad_output = grads
            if self.full_hooks and not self.input_recorded:
                warnings.warn(
                    "Full backward hook is firing when gradients are computed with respect to module outputs "
                    "since no inputs require gradients. See https://docs.pytorch.org/docs/main/generated/"
                    "torch.nn.Module.html#torch.nn.Module.register_full_backward_hook for more details.",
                    UserWarning, stacklevel=2,
                )
                grad_input = (None,) * self.n_inputs
                for hook in self.full_hooks:
                    result = hook(self.module, grad_input, grads)
                    if result is not None and any(r is not None for r in result):
                        raise RuntimeError(
                            "Backward hook for Modules where no input requires gradient should always "
                            "return None or None for all gradients."
                        )
            return grads
        grad_input = [None] * self.n_inputs
        for i, g in zip(self.positions, grads):
            grad_input[i] = g
        grad_input = tuple(grad_input)
        for hook in self.full_hooks:
            result = hook(self.module, grad_input, self.grad_output)
            if result is not None:
                grad_input = self._checked(result, len(grad_input), "grad_input")
        return tuple(grad_input[i] for i in self.positions)

    @staticmethod
    def _checked(result, expected: int, what: str) -> tuple:
        result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
        if len(result) != expected:
            raise RuntimeError(
                f"Backward hook returned an invalid number of {what}, got {len(result)}, but expected {expected}"
            )
        return result
