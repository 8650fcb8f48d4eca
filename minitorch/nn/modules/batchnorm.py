"""``torch.nn.modules.batchnorm``'s import path: the BatchNorm classes live in ``normalization.py``.

``_NormBase`` is the base of BatchNorm and InstanceNorm, ``_BatchNorm`` of BatchNorm1d/2d/3d only (as in
torch), so ``isinstance(m, _BatchNorm)`` checks in scripts select the same layers.
"""
from .lazy import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm, _NormBase

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
           "_BatchNorm", "_NormBase"]
