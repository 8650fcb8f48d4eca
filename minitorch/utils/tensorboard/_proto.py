"""Hand-written protocol-buffer encoding of the few TensorBoard messages a ``SummaryWriter`` emits.

Wire format: each field is ``varint(number << 3 | wire_type)`` followed by a varint (type 0), 8
little-endian bytes (type 1), a varint length + bytes (type 2: strings, bytes, sub-messages, packed
repeated numbers) or 4 little-endian bytes (type 5). Fields are written in field-number order and
proto3 scalar fields holding their default (0, empty) are left out unless they belong to a ``oneof``
(``always=True``), which is what protobuf's own serializer does, so the bytes match torch's.

Messages (field numbers from tensorboard/compat/proto/*.proto and plugins/*/*.proto):
``Event{wall_time=1 double, step=2 int64, file_version=3, summary=5, session_log=7, source_metadata=10}``,
``Summary{value=1}``, ``Summary.Value{tag=1, simple_value=2 float, image=4, histo=5, audio=6,
tensor=8, metadata=9}``, ``HistogramProto{min..sum_squares=1..5 double, bucket_limit=6, bucket=7}``,
``TensorProto{dtype=1, tensor_shape=2, float_val=5, double_val=6, int_val=7, string_val=8, ...}``.
"""
from __future__ import annotations

import struct

import numpy as np

WIRE_VARINT, WIRE_I64, WIRE_LEN, WIRE_I32 = 0, 1, 2, 5

# tensorboard.DataType
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_UINT8, DT_INT16, DT_INT8, DT_STRING = 1, 2, 3, 4, 5, 6, 7
DT_COMPLEX64, DT_INT64, DT_BOOL, DT_BFLOAT16, DT_COMPLEX128, DT_HALF = 8, 9, 10, 14, 18, 19


_BYTE = [bytes((i,)) for i in range(256)]


def varint(value: int) -> bytes:
    """Base-128 varint; negative numbers as their 64-bit two's complement (10 bytes), as protobuf."""
    value = int(value)
    if 0 <= value < 0x80:
        return _BYTE[value]
    if value < 0:
        value &= (1 << 64) - 1
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def key(number: int, wire_type: int) -> bytes:
    tag = (number << 3) | wire_type
    return _BYTE[tag] if tag < 0x80 else varint(tag)


def f_varint(number: int, value: int, always: bool = False) -> bytes:
    """int32/int64/uint/enum/bool field."""
    value = int(value)
    if not value and not always:
        return b""
    return key(number, WIRE_VARINT) + varint(value)


def f_double(number: int, value: float, always: bool = False) -> bytes:
    raw = struct.pack("<d", float(value))
    if not always and raw == b"\0" * 8:
        return b""
    return key(number, WIRE_I64) + raw


def _pack_float(value: float) -> bytes:
    try:
        return struct.pack("<f", value)
    except OverflowError:  # beyond float32's range: protobuf stores +-inf
        return struct.pack("<f", float("inf") if value > 0 else float("-inf"))


def f_float(number: int, value: float, always: bool = False) -> bytes:
    raw = _pack_float(float(value))
    if not always and raw == b"\0" * 4:
        return b""
    return key(number, WIRE_I32) + raw


def f_bytes(number: int, value: bytes | str, always: bool = False) -> bytes:
    """string / bytes field (``str`` is UTF-8 encoded)."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if not value and not always:
        return b""
    return key(number, WIRE_LEN) + varint(len(value)) + value


def f_message(number: int, body: bytes) -> bytes:
    """A sub-message that is set (message fields have presence: written even when empty)."""
    return key(number, WIRE_LEN) + varint(len(body)) + body


def f_packed(number: int, payload: bytes) -> bytes:
    if not payload:
        return b""
    return key(number, WIRE_LEN) + varint(len(payload)) + payload


def packed_doubles(values) -> bytes:
    return np.ascontiguousarray(values, dtype="<f8").tobytes()


def packed_floats(values) -> bytes:
    arr = np.asarray(values, dtype=np.float64)
    with np.errstate(over="ignore"):
        return np.ascontiguousarray(arr, dtype="<f4").tobytes()


def packed_varints(values) -> bytes:
    return b"".join(varint(int(v)) for v in values)


# ---------------------------------------------------------------- messages


def tensor_shape(dims) -> bytes:
    """TensorShapeProto{dim=2: Dim{size=1}}."""
    return b"".join(f_message(2, f_varint(1, d)) for d in dims)


def tensor_proto(dtype: int, dims=None, *, float_val=None, double_val=None, int_val=None, string_val=None,
                 int64_val=None, bool_val=None, half_val=None, scomplex_val=None, dcomplex_val=None,
                 uint32_val=None) -> bytes:
    out = [f_varint(1, dtype)]
    if dims is not None:  # None: no tensor_shape at all (torch's new-style scalar); []: an empty, set one
        out.append(f_message(2, tensor_shape(dims)))
    if float_val is not None:
        out.append(f_packed(5, packed_floats(float_val)))
    if double_val is not None:
        out.append(f_packed(6, packed_doubles(double_val)))
    if int_val is not None:
        out.append(f_packed(7, packed_varints(int_val)))
    if string_val is not None:
        out.extend(f_bytes(8, s, always=True) for s in string_val)
    if scomplex_val is not None:
        out.append(f_packed(9, packed_floats(scomplex_val)))
    if int64_val is not None:
        out.append(f_packed(10, packed_varints(int64_val)))
    if bool_val is not None:
        out.append(f_packed(11, packed_varints(bool_val)))
    if dcomplex_val is not None:
        out.append(f_packed(12, packed_doubles(dcomplex_val)))
    if half_val is not None:
        out.append(f_packed(13, packed_varints(half_val)))
    if uint32_val is not None:
        out.append(f_packed(16, packed_varints(uint32_val)))
    return b"".join(out)


def summary_metadata(plugin_name: str, content: bytes = b"") -> bytes:
    """SummaryMetadata{plugin_data=1: PluginData{plugin_name=1, content=2}}."""
    return f_message(1, f_bytes(1, plugin_name) + f_bytes(2, content))


def summary_value(tag: str, *, simple_value: float | None = None, image: bytes | None = None,
                  histo: bytes | None = None, audio: bytes | None = None, tensor: bytes | None = None,
                  metadata: bytes | None = None) -> bytes:
    """Summary.Value; the ``value`` oneof member given is written even when it is zero/empty."""
    out = [f_bytes(1, tag)]
    if simple_value is not None:
        out.append(f_float(2, simple_value, always=True))
    if image is not None:
        out.append(f_message(4, image))
    if histo is not None:
        out.append(f_message(5, histo))
    if audio is not None:
        out.append(f_message(6, audio))
    if tensor is not None:
        out.append(f_message(8, tensor))
    if metadata is not None:
        out.append(f_message(9, metadata))
    return b"".join(out)


def summary(*values: bytes) -> bytes:
    """Summary{value=1 repeated}."""
    return b"".join(f_message(1, v) for v in values)


def histogram_proto(vmin, vmax, num, vsum, sum_squares, bucket_limit, bucket) -> bytes:
    return b"".join((
        f_double(1, vmin), f_double(2, vmax), f_double(3, num), f_double(4, vsum), f_double(5, sum_squares),
        f_packed(6, packed_doubles(bucket_limit)), f_packed(7, packed_doubles(bucket)),
    ))


def image_proto(height: int, width: int, colorspace: int, encoded: bytes) -> bytes:
    """Summary.Image{height=1, width=2, colorspace=3, encoded_image_string=4}."""
    return f_varint(1, height) + f_varint(2, width) + f_varint(3, colorspace) + f_bytes(4, encoded)


def audio_proto(sample_rate: float, num_channels: int, length_frames: int, encoded: bytes,
                content_type: str) -> bytes:
    """Summary.Audio{sample_rate=1 float, num_channels=2, length_frames=3, encoded_audio_string=4, content_type=5}."""
    return (f_float(1, sample_rate) + f_varint(2, num_channels) + f_varint(3, length_frames)
            + f_bytes(4, encoded) + f_bytes(5, content_type))


def event(wall_time: float, step: int | None = None, *, file_version: str | None = None,
          summary: bytes | None = None, session_log: bytes | None = None,
          source_writer: str | None = None) -> bytes:
    """Event; exactly one of the ``what`` oneof members should be given."""
    out = [f_double(1, wall_time), f_varint(2, 0 if step is None else int(step))]
    if file_version is not None:
        out.append(f_bytes(3, file_version, always=True))
    if summary is not None:
        out.append(f_message(5, summary))
    if session_log is not None:
        out.append(f_message(7, session_log))
    if source_writer is not None:
        out.append(f_message(10, f_bytes(1, source_writer)))
    return b"".join(out)


def session_log(status: int) -> bytes:
    """SessionLog{status=1} (START=1, STOP=2, CHECKPOINT=3)."""
    return f_varint(1, status)


# ---------------------------------------------------------------- google.protobuf.Value / ListValue


def struct_value(v) -> bytes:
    """google.protobuf.Value: number_value=2 (double), string_value=3, bool_value=4 (a oneof)."""
    if isinstance(v, bool):
        return f_varint(4, v, always=True)
    if isinstance(v, str):
        return f_bytes(3, v, always=True)
    return f_double(2, v, always=True)


def list_value(values) -> bytes:
    """google.protobuf.ListValue{values=1 repeated Value}; ``values`` are already-encoded Values."""
    return b"".join(f_message(1, v) for v in values)
