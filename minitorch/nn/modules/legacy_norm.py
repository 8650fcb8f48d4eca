"""``nn.CrossMapLRN2d`` and ``nn.SyncBatchNorm`` (single process: plain batch norm, as torch without a
process group)."""
from __future__ import annotations

from typing import Any

from ...tensor import Tensor
from ..functional.cross_map_lrn import cross_map_lrn2d
from .module import Module
from .normalization import _BatchNorm

__all__ = ["CrossMapLRN2d", "SyncBatchNorm"]


class CrossMapLRN2d(Module):
    """torch's legacy local response norm across channels of a 4-D input, with torch's own window
    (``x[0]^2`` stays in the sum of later channels) and torch's own backward formula (not the exact
    gradient of the forward: this matches torch, whose gradcheck fails too)."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input: Tensor) -> Tensor:
        return cross_map_lrn2d(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class SyncBatchNorm(_BatchNorm):
    """Batch norm whose statistics torch reduces across a process group in training.

    minitorch has no ``torch.distributed`` (no process group can be initialised), which is the case
    where torch itself falls back to plain ``F.batch_norm``: so it normalises with this process's batch
    statistics in training and the running ones in eval, exactly as torch does without a process group.
    ``process_group`` is stored, unused. Any input with at least 2 dims (N, C, ...).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, process_group: Any | None = None, device=None, dtype=None,
                 *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device=device, dtype=dtype,
                         bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        return super().forward(input)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any | None = None) -> Module:
        """Replace every ``BatchNorm*d`` in ``module`` (recursively) by a ``SyncBatchNorm`` sharing its
        parameters and buffers, as torch's."""
        module_output = module
        if isinstance(module, _BatchNorm):
            module_output = SyncBatchNorm(module.num_features, module.eps, module.momentum, module.affine,
                                          module.track_running_stats, process_group, bias=module.bias is not None)
            if module.affine:
                module_output.weight = module.weight
                module_output.bias = module.bias
            module_output.running_mean = module.running_mean
            module_output.running_var = module.running_var
            module_output.num_batches_tracked = module.num_batches_tracked
            module_output.training = module.training
            if hasattr(module, "qconfig"):
                module_output.qconfig = module.qconfig
        for name, child in module.named_children():
            module_output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        del module
        return module_output
