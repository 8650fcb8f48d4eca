"""``minitorch.utils.tensorboard``: TensorBoard logging as ``torch.utils.tensorboard``, with no dependency.

``from minitorch.utils.tensorboard import SummaryWriter`` writes event files TensorBoard opens; the
protobuf messages, the TFRecord framing (with CRC-32C) and the PNG images are encoded by minitorch
itself, so neither ``tensorboard`` nor ``protobuf`` has to be installed to log (only to view).
"""
from ._record import RecordWriter
from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "RecordWriter", "SummaryWriter"]
