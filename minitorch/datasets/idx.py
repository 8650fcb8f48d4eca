"""Reading IDX files (the MNIST format), plain or gzip-compressed, with clear errors on bad input.

Layout: two zero bytes, a type code, the number of dimensions ``n``; then ``n`` big-endian uint32
sizes; then the values, big-endian, row-major.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import zlib

import numpy as np

_IDX_TYPES = {
    0x08: np.dtype(np.uint8), 0x09: np.dtype(np.int8), 0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8"),
}


def read_bytes(path: str | os.PathLike) -> bytes:
    """The file's bytes, gunzipped when they start with the gzip magic (whatever the file name says)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:
            raise RuntimeError(f"{os.fspath(path)}: corrupt or truncated gzip data: {e}") from e
    return raw


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def parse_idx(data: bytes, name: str = "<bytes>") -> np.ndarray:
    """The array stored in IDX bytes (native byte order); RuntimeError naming ``name`` if malformed."""
    if len(data) < 4:
        raise RuntimeError(f"{name}: not an IDX file: {len(data)} bytes is shorter than the 4-byte header")
    if data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise RuntimeError(
            f"{name}: not an IDX file: bad magic number 0x{data[:4].hex()} (expected 0x0000 followed by a "
            f"type code in {sorted(hex(k) for k in _IDX_TYPES)} and the number of dimensions)"
        )
    dtype, ndim = _IDX_TYPES[data[2]], data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise RuntimeError(f"{name}: truncated IDX header: {ndim} dimensions need {header} bytes, file has {len(data)}")
    shape = tuple(int(s) for s in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(data) - header
    if got != expected:
        what = "truncated" if got < expected else "has trailing bytes after the"
        raise RuntimeError(
            f"{name}: IDX file {what} data: header says shape {shape} of {dtype.name} ({expected} bytes), "
            f"but {got} bytes follow the header"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=True)


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (raw or gzip) into a NumPy array."""
    return parse_idx(read_bytes(path), os.fspath(path))


def write_idx(path: str | os.PathLike, array: np.ndarray, compress: bool = False) -> None:
    """Write ``array`` as an IDX file (gzip-compressed when ``compress``): the inverse of ``read_idx``."""
    arr = np.asarray(array)
    codes = {v.newbyteorder("="): k for k, v in _IDX_TYPES.items()}
    key = arr.dtype.newbyteorder("=")
    if key not in codes:
        raise TypeError(f"write_idx: IDX cannot store dtype {arr.dtype}")
    code = codes[key]
    body = bytes([0, 0, code, arr.ndim]) + np.asarray(arr.shape, dtype=">u4").tobytes()
    body += np.ascontiguousarray(arr, dtype=_IDX_TYPES[code]).tobytes()
    with open(path, "wb") as f:
        f.write(gzip.compress(body) if compress else body)
