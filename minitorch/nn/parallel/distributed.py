"""``DistributedDataParallel``: torch's class needs an initialised default process group
(``torch.distributed.init_process_group``). minitorch has no ``distributed`` package, so no group can
exist, and constructing one raises the error torch raises when none was initialised."""
from __future__ import annotations

from ..modules.module import Module


class DistributedDataParallel(Module):
    """Always raises torch's ``ValueError`` for a missing default process group (there is none here)."""

    def __init__(self, module, device_ids=None, output_device=None, dim: int = 0, broadcast_buffers=None,
                 init_sync: bool = True, process_group=None, bucket_cap_mb=None, find_unused_parameters: bool = False,
                 check_reduction: bool = False, gradient_as_bucket_view: bool = False, static_graph: bool = False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None, mixed_precision=None,
                 device_mesh=None, skip_all_reduce_unused_params: bool = False, bucket_cap_mb_list=None,
                 batched_grad_copy: bool = False, forward_sync_buffers: bool | None = None) -> None:
        super().__init__()
        raise ValueError("Default process group has not been initialized, please make sure to call "
                         "init_process_group.")
