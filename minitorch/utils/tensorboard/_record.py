"""TFRecord framing: ``uint64 length | masked_crc32c(length) | payload | masked_crc32c(payload)``."""
from __future__ import annotations

import struct
from collections.abc import Iterator

from ._crc32c import masked_crc32c


def encode_record(data: bytes) -> bytes:
    """One TFRecord holding ``data`` (all integers little-endian)."""
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


class RecordWriter:
    """Writes TFRecords to a binary file object (``write``/``flush``/``close``), as tensorboard's class."""

    def __init__(self, writer) -> None:
        self._writer = writer

    def write(self, data: bytes) -> None:
        self._writer.write(encode_record(data))

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()

    @property
    def closed(self) -> bool:
        return self._writer.closed


def read_records(path: str) -> Iterator[bytes]:
    """Yield the payloads of the TFRecord file ``path``; ``OSError`` on a bad checksum or truncation."""
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0
    while pos < len(buf):
        if pos + 12 > len(buf):
            raise OSError(f"{path}: truncated record header at byte {pos}")
        header = buf[pos:pos + 8]
        (length,) = struct.unpack("<Q", header)
        (crc,) = struct.unpack("<I", buf[pos + 8:pos + 12])
        if masked_crc32c(header) != crc:
            raise OSError(f"{path}: record header crc32c mismatch at byte {pos}")
        start, end = pos + 12, pos + 12 + length
        if end + 4 > len(buf):
            raise OSError(f"{path}: truncated record at byte {pos}")
        data = buf[start:end]
        (crc,) = struct.unpack("<I", buf[end:end + 4])
        if masked_crc32c(data) != crc:
            raise OSError(f"{path}: record data crc32c mismatch at byte {pos}")
        yield data
        pos = end + 4
