"""Packed sequences: a batch of variable-length sequences without the padding, as RNN layers take it.

A ``PackedSequence`` stores the steps of every sequence time-major: first the first step of each
sequence (longest first), then the second step of every sequence that has one, and so on.
``batch_sizes[t]`` (an int64 CPU tensor, as in torch) says how many sequences are still running at
step t; the rows of step t are the first ``batch_sizes[t]`` sequences in length order.
``sorted_indices`` maps that order back to the caller's batch order (``None`` when the batch came
sorted). Packing and unpacking are each one differentiable gather / scatter whose index is computed
on the host from the lengths, so no GPU -> host sync is needed (except where torch also syncs).
"""
from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable

from ... import creation
from ...backend import xp_of
from ...backend.dtype import int64
from ...ops.indexing import IndexPut
from ...ops.shape import cat
from ...tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

_Fields = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_Fields):
    """``(data, batch_sizes, sorted_indices, unsorted_indices)``: see the module docstring.

    Made by ``pack_padded_sequence`` / ``pack_sequence`` (and returned by RNN layers given one).
    ``data`` and the two index tensors live on one device; ``batch_sizes`` always on the CPU.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes), sorted_indices=...)
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never be created "
                "manually. They should be instantiated by functions like pack_sequence and "
                "pack_padded_sequences in nn.utils.rnn."
            )
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: Tensor) -> PackedSequence:
        """The same sequence around new data; the index tensors follow data's device, batch_sizes stays."""
        if data is self.data:
            return self
        dev = data.device
        move = (lambda t: None if t is None else t.to(dev))
        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def to(self, *args, **kwargs) -> PackedSequence:
        """``data.to(...)`` (device and/or dtype); returns self when nothing changes."""
        return self._with_data(self.data.to(*args, **kwargs))

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self._with_data(self.data.cuda(*args, **kwargs))

    def cpu(self) -> PackedSequence:
        return self._with_data(self.data.cpu())

    def pin_memory(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(dtype="float64")

    def float(self) -> PackedSequence:
        return self.to(dtype="float32")

    def half(self) -> PackedSequence:
        return self.to(dtype="float16")

    def long(self) -> PackedSequence:
        return self.to(dtype="int64")

    def int(self) -> PackedSequence:
        return self.to(dtype="int32")

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse permutation (``out[permutation[i]] = i``), on permutation's device; None for None."""
    if permutation is None:
        return None
    p = permutation.array
    xp = xp_of(p)
    out = xp.empty_like(p)
    out[p] = xp.arange(p.shape[0], dtype=p.dtype)
    return Tensor._wrap(out)


def _host_int64(t: Tensor):
    """The host (NumPy) int64 array of a CPU tensor."""
    return t.array.astype(int64.np, copy=False)


def _index_on(array_like_tensor: Tensor, host_index):
    """A host index array moved to the device of ``array_like_tensor`` (a host -> device copy, no sync)."""
    return xp_of(array_like_tensor.array).asarray(host_index)


def pack_padded_sequence(input: Tensor, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` if batch_first) of sequences with ``lengths``
    (a list or a 1-D CPU tensor). ``enforce_sorted=False`` sorts the batch by length (longest first) and
    records the order in ``sorted_indices``. Gradients flow back to the unpadded positions of input."""
    if not isinstance(lengths, Tensor):
        lengths = creation.as_tensor(lengths, dtype=int64, device="cpu")
    if lengths.device.type != "cpu" or lengths.dim() != 1:
        raise RuntimeError(
            f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.dim()}D {lengths.device} "
            f"{lengths.dtype} tensor"
        )
    if input.dim() < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got 1) "
                         f"(pack_padded_sequence: input of shape {list(input.shape)} has no batch dimension)")
    host = xp_of(lengths.array)
    lens = _host_int64(lengths)
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else (input.shape[0], input.shape[1])
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lens.shape[0] != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.shape[0]} "
                           f"(batch_size={batch})")
    order = None
    if not enforce_sorted:
        order = host.argsort(-lens, kind="stable")
        lens = lens[order]
    if lens[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if batch > 1 and (lens[:-1] < lens[1:]).any():
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
            "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
            "if you do not need ONNX exportability."
        )
    if lens[0] > steps:
        raise RuntimeError(f"pack_padded_sequence: a length of {int(lens[0])} exceeds the padded input's "
                           f"{steps} time steps (input shape {list(input.shape)})")
    running = host.arange(int(lens[0]))[:, None] < lens[None, :]  # (T, B): is sequence k at step t?
    t_idx, k_idx = host.nonzero(running)  # time-major, then sorted batch position: the packed order
    b_idx = k_idx if order is None else order[k_idx]
    flat = b_idx * steps + t_idx if batch_first else t_idx * batch + b_idx
    rows = input.reshape(steps * batch, *input.shape[2:])
    data = rows[Tensor._wrap(flat)]
    batch_sizes = Tensor._wrap(running.sum(1).astype(int64.np))
    sorted_indices = None
    if order is not None:
        sorted_indices = Tensor._wrap(_index_on(input, order.astype(int64.np)))
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """The inverse of ``pack_padded_sequence``: (padded ``(T, B, *)`` or ``(B, T, *)``, lengths as an int64 CPU
    tensor), in the batch order the sequences were packed from."""
    sizes = _host_int64(sequence.batch_sizes)
    host = xp_of(sizes)
    steps = sizes.shape[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {steps}"
            )
        steps = total_length
    data = sequence.data
    batch = int(sizes[0])
    running = host.arange(batch)[None, :] < sizes[:, None]  # (T, B)
    t_idx, k_idx = host.nonzero(running)
    flat = k_idx * steps + t_idx if batch_first else t_idx * batch + k_idx
    rest = tuple(data.shape[1:])
    base = creation.full((steps * batch, *rest), padding_value, dtype=data.dtype, device=data.device)
    padded = IndexPut.apply(base, (_index_on(data, flat),), data)
    padded = padded.reshape((batch, steps, *rest) if batch_first else (steps, batch, *rest))
    lengths = Tensor._wrap(running.sum(0).astype(int64.np))
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices
        padded = padded.index_select(0 if batch_first else 1, unsorted)
        lengths = Tensor._wrap(lengths.array[_host_int64(unsorted.cpu())])  # a sync on the GPU, as in torch
    return padded, lengths


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack sequences ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` if batch_first), T = max L_i, filling
    with padding_value on the right (or the left)."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError(f"pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    rest = tuple(sequences[0].shape[1:])
    for i, s in enumerate(sequences):
        if s.dim() == 0:
            raise RuntimeError("pad_sequence: every sequence needs a length dimension (got a 0-d tensor)")
        if tuple(s.shape[1:]) != rest:
            raise RuntimeError(f"pad_sequence: sequence {i} has trailing shape {list(s.shape[1:])}, but sequence 0 "
                               f"has {list(rest)}: all must match")
    lens = _host_int64(creation.as_tensor([s.shape[0] for s in sequences], dtype=int64, device="cpu"))
    host = xp_of(lens)
    steps, batch = int(lens.max()), len(sequences)
    data = cat(sequences, 0)
    b_idx = host.repeat(host.arange(batch), lens)  # each element's sequence, then its step within it
    t_idx = host.arange(b_idx.shape[0]) - host.repeat(host.cumsum(lens) - lens, lens)
    if padding_side == "left":
        t_idx = t_idx + (steps - lens)[b_idx]
    flat = b_idx * steps + t_idx if batch_first else t_idx * batch + b_idx
    base = creation.full((batch * steps, *rest), padding_value, dtype=data.dtype, device=data.device)
    out = IndexPut.apply(base, (_index_on(data, flat),), data)
    return out.reshape((batch, steps, *rest) if batch_first else (steps, batch, *rest))


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> list[Tensor]:
    """The list of sequences ``padded[:lengths[b], b]`` (``padded[b, :lengths[b]]`` if batch_first)."""
    lens = lengths.tolist() if isinstance(lengths, Tensor) else list(lengths)
    if batch_first:
        return [padded_sequences[b, :n] for b, n in enumerate(lens)]
    return [padded_sequences[:n, b] for b, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """``pack_padded_sequence(pad_sequence(sequences), lengths)`` for a list of ``(L_i, *)`` tensors."""
    sequences = list(sequences)
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences in a PackedSequence, in their original batch order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
