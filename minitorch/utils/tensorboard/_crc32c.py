"""CRC-32C (Castagnoli), the checksum of TFRecord framing, in pure Python + NumPy.

``crc32c(data)`` is the standard CRC-32C (reflected polynomial ``0x82F63B78``, initial value and final
xor ``0xFFFFFFFF``); ``masked_crc32c`` applies TensorFlow's mask (rotate right by 15, add ``0xA282EAD8``).

Short inputs (every ``add_scalar`` record) go through the classic 256-entry table, one byte per step.
Long inputs (PNG images, histograms) are cut into ``N`` lanes of ``L`` bytes whose CRCs are computed
side by side with NumPy (``L`` vectorised table steps), then combined one lane at a time with the
linear "append ``L`` zero bytes" operator, itself tabulated as four 256-entry tables per ``L``; the
tail (< ``L`` bytes) finishes byte by byte. CRC arithmetic is linear over GF(2), so this is exact.
"""
from __future__ import annotations

import numpy as np

_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8
_SHORT = 2048  # below this many bytes, the plain byte loop is faster than the lane method


def _make_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()
_TABLE_NP = np.array(_TABLE, dtype=np.uint32)
_SHIFT_TABLES: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}


def _update(crc: int, data) -> int:
    """Run the raw (un-inverted) register ``crc`` over ``data`` one byte at a time."""
    table = _TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _shift_tables(length: int):
    """Tables of the linear map "run the register over ``length`` zero bytes", one per input byte."""
    tables = _SHIFT_TABLES.get(length)
    if tables is None:
        zeros = bytes(length)
        basis = [_update(1 << k, zeros) for k in range(32)]
        tables = []
        for byte in range(4):
            t = [0] * 256
            for v in range(1, 256):
                low = v & -v  # t[v] = t[v without its lowest bit] ^ image of that bit
                t[v] = t[v ^ low] ^ basis[8 * byte + low.bit_length() - 1]
            tables.append(t)
        tables = tuple(tables)
        _SHIFT_TABLES[length] = tables
    return tables


def _crc_long(data: bytes) -> int:
    n = len(data)
    lane = 1 << max(6, (n.bit_length() // 2))  # a power of two near sqrt(n): few cached operators
    lanes = n // lane
    block = np.frombuffer(data, dtype=np.uint8, count=lanes * lane).reshape(lanes, lane)
    regs = np.zeros(lanes, dtype=np.uint32)
    regs[0] = 0xFFFFFFFF  # the initial value enters through the first lane only (linearity)
    table = _TABLE_NP
    for i in range(lane):
        regs = table[(regs ^ block[:, i]) & 0xFF] ^ (regs >> 8)
    t0, t1, t2, t3 = _shift_tables(lane)
    crc = 0
    for r in regs.tolist():
        crc = t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF] ^ t3[crc >> 24] ^ r
    return _update(crc, data[lanes * lane:])


def crc32c(data: bytes) -> int:
    """CRC-32C of ``data`` (``crc32c(b"123456789") == 0xE3069283``)."""
    data = bytes(data)
    if len(data) < _SHORT:
        return _update(0xFFFFFFFF, data) ^ 0xFFFFFFFF
    return _crc_long(data) ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TensorFlow's masked CRC-32C of ``data`` (what TFRecord files store)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF
