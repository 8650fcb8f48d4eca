"""``minitorch.save`` / ``minitorch.load``: checkpoints that never execute code when loaded.

Format: a zip archive (stored, not compressed) holding ``minitorch.json``, a manifest that describes
the saved object tree with tagged JSON nodes, and one ``.npy`` entry per distinct tensor / array,
read back with ``numpy.load(allow_pickle=False)``. The manifest records each array's dtype, shape,
device and the SHA-256 of its entry, and zip's CRC-32 guards every entry, so a truncated or altered
file raises ``RuntimeError`` before anything is returned. No pickle is written or read.

Saved: tensors (dtype, shape, values bit-exact, ``requires_grad``, ``nn.Parameter``-ness, and
sharing: one tensor stored twice loads as one object), NumPy arrays and scalars, None, bool, int,
float (bit-exact, incl. nan/inf), str, bytes, list, tuple, dict, OrderedDict (keys of any of these
plain types), ``minitorch.Size``, ``minitorch.dtype`` and ``minitorch.device``.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable
from typing import IO, Any

import numpy as np

from .backend import numpy_of
from .backend.device import device as Device
from .backend.dtype import dtype as DType
from .backend.dtype import to_dtype
from .tensor import Size, Tensor

FORMAT = "minitorch-checkpoint"
VERSION = 1
MANIFEST = "minitorch.json"
_PICKLE_MAGIC = (b"\x80\x02", b"\x80\x03", b"\x80\x04", b"\x80\x05")


def _parameter_class():
    try:
        from .nn import Parameter
    except (ImportError, AttributeError):
        return None
    return Parameter


# ---- save ----------------------------------------------------------------------------------------------
class _Encoder:
    def __init__(self):
        self.arrays: list[np.ndarray] = []
        self.meta: list[dict] = []
        self._ids: dict[int, int] = {}
        self._keep: list[Any] = []  # keep encoded objects alive so id() stays unique
        self._path: set[int] = set()
        self._param = _parameter_class()

    def _array_entry(self, obj, arr: np.ndarray, device: str) -> int:
        key = id(obj)
        if key in self._ids:
            return self._ids[key]
        idx = len(self.arrays)
        self.arrays.append(arr if arr.flags.c_contiguous else arr.copy(order="C"))  # keeps 0-d as 0-d
        self.meta.append({"dtype": arr.dtype.str, "shape": list(arr.shape), "device": device})
        self._ids[key] = idx
        self._keep.append(obj)
        return idx

    def encode(self, obj, where: str = "obj") -> dict:
        if obj is None:
            return {"k": "none"}
        if isinstance(obj, bool):
            return {"k": "bool", "v": obj}
        if isinstance(obj, Tensor):
            arr = numpy_of(obj.array)
            idx = self._array_entry(obj, arr, str(obj.device))
            node = {"k": "tensor", "id": idx, "requires_grad": bool(obj.requires_grad)}
            if self._param is not None and isinstance(obj, self._param):
                node["parameter"] = True
            return node
        if isinstance(obj, np.ndarray):
            if obj.dtype.kind in "OV":
                raise TypeError(f"minitorch.save: {where} is a NumPy array of dtype {obj.dtype} (only picklable)")
            return {"k": "ndarray", "id": self._array_entry(obj, obj, "cpu")}
        if isinstance(obj, np.generic):
            arr = np.asarray(obj)
            if arr.dtype.kind in "OV":
                raise TypeError(f"minitorch.save: {where} is a NumPy scalar of dtype {arr.dtype}")
            return {"k": "npscalar", "id": self._array_entry(arr, arr, "cpu")}
        if isinstance(obj, int):
            return {"k": "int", "v": str(int(obj))}
        if isinstance(obj, float):
            return {"k": "float", "v": float(obj).hex()}
        if isinstance(obj, str):
            return {"k": "str", "v": obj}
        if isinstance(obj, (bytes, bytearray)):
            return {"k": "bytes", "v": base64.b64encode(bytes(obj)).decode("ascii")}
        if isinstance(obj, DType):
            return {"k": "dtype", "v": obj.name}
        if isinstance(obj, Device):
            return {"k": "device", "v": str(obj)}
        if id(obj) in self._path:
            raise ValueError(f"minitorch.save: {where} contains itself (cyclic structures cannot be saved)")
        self._path.add(id(obj))
        try:
            return self._encode_container(obj, where)
        finally:
            self._path.discard(id(obj))

    def _encode_container(self, obj, where: str) -> dict:
        if isinstance(obj, Size):
            return {"k": "size", "v": [int(s) for s in obj]}
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return {"k": "tuple", "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, list):
            return {"k": "list", "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)]}
        if isinstance(obj, dict):
            items = []
            for key, value in obj.items():
                if not isinstance(key, (str, int, float, bool, type(None), tuple)):
                    raise TypeError(f"minitorch.save: {where} has a key of type {type(key).__name__}; keys must be "
                                    "str, int, float, bool, None or tuples of them")
                items.append([self.encode(key, f"{where} key"), self.encode(value, f"{where}[{key!r}]")])
            return {"k": "odict" if isinstance(obj, OrderedDict) else "dict", "items": items}
        raise TypeError(
            f"minitorch.save: cannot save {where} of type {type(obj).__name__}: checkpoints hold tensors, NumPy "
            "arrays, None, bool, int, float, str, bytes, lists, tuples and dicts (no pickled objects)"
        )


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def _write_zip(target, root: dict, enc: _Encoder) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
        for i, arr in enumerate(enc.arrays):
            payload = _npy_bytes(arr)
            enc.meta[i]["file"] = f"data/{i}.npy"
            enc.meta[i]["sha256"] = hashlib.sha256(payload).hexdigest()
            zf.writestr(enc.meta[i]["file"], payload)
        manifest = {"format": FORMAT, "version": VERSION, "root": root, "arrays": enc.meta}
        zf.writestr(MANIFEST, json.dumps(manifest, separators=(",", ":")))


def save(obj: Any, f: str | os.PathLike | IO[bytes], pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` (nested dicts / lists / tuples of tensors and plain values) to a path or binary file.

    Writing to a path is atomic: the file appears complete or not at all (an interrupted save never
    leaves a half-written checkpoint in place of a good one). ``pickle_module`` / ``pickle_protocol``
    are accepted for torch compatibility and ignored: nothing is pickled.
    """
    enc = _Encoder()
    root = enc.encode(obj)  # raises TypeError before anything is written
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        tmp = f"{path}.tmp-{os.getpid()}"
        try:
            with open(tmp, "wb") as fh:
                _write_zip(fh, root, enc)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    else:
        _write_zip(f, root, enc)


# ---- load ----------------------------------------------------------------------------------------------
class _Corrupt(Exception):
    pass


def _read_source(f) -> tuple[bytes, str]:
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:  # FileNotFoundError propagates, as in torch
            return fh.read(), repr(os.fspath(f))
    if not hasattr(f, "read"):
        raise TypeError(f"minitorch.load: expected a path or a binary file object, got {type(f).__name__}")
    data = f.read()
    if isinstance(data, str):
        raise TypeError("minitorch.load: the file object must be opened in binary mode ('rb')")
    return data, getattr(f, "name", "<file object>")


def _decode_arrays(zf: zipfile.ZipFile, metas: list) -> list[np.ndarray]:
    arrays = []
    for i, meta in enumerate(metas):
        payload = zf.read(meta["file"])  # zipfile checks the CRC-32
        if hashlib.sha256(payload).hexdigest() != meta["sha256"]:
            raise _Corrupt(f"array {i} ({meta['file']}) does not match its recorded SHA-256")
        arr = np.load(io.BytesIO(payload), allow_pickle=False)
        if arr.dtype.str != meta["dtype"] or list(arr.shape) != list(meta["shape"]):
            raise _Corrupt(f"array {i}: stored {arr.dtype.str}{list(arr.shape)} but the manifest says "
                           f"{meta['dtype']}{meta['shape']}")
        arrays.append(arr)
    return arrays


class _Decoder:
    def __init__(self, arrays, metas, map_location):
        self.arrays, self.metas, self.map_location = arrays, metas, map_location
        self.tensors: dict[int, Tensor] = {}
        self.param = None

    def _target_device(self, saved: str):
        ml = self.map_location
        if ml is None:
            return saved
        if isinstance(ml, dict):
            return ml.get(saved, saved)
        return str(ml)

    def tensor(self, node: dict) -> Tensor:
        idx = node["id"]
        key = (idx, bool(node.get("parameter")), bool(node["requires_grad"]))
        if key in self.tensors:
            return self.tensors[key]
        saved = self.metas[idx]["device"]
        t = Tensor._wrap(self.arrays[idx])
        if callable(self.map_location):
            mapped = self.map_location(t, saved)
            t = t if mapped is None else mapped
        else:
            dev = self._target_device(saved)
            if Device(dev).type == "cuda":
                from . import cuda

                if not cuda.is_available():
                    raise RuntimeError(
                        "Attempting to deserialize object on a CUDA device but minitorch.cuda.is_available() is "
                        "False. If you are running on a CPU-only machine, please use minitorch.load with "
                        "map_location='cpu' to map your storages to the CPU."
                    )
            if Device(dev).type != "cpu":
                t = t.to(dev)
        if node.get("parameter"):
            self.param = self.param or _parameter_class()
        if node.get("parameter") and self.param is not None:
            t = self.param(t, requires_grad=node["requires_grad"])
        elif node["requires_grad"]:
            t.requires_grad_(True)
        self.tensors[key] = t
        return t

    def decode(self, node: dict):
        k = node["k"]
        if k == "none":
            return None
        if k == "bool":
            return bool(node["v"])
        if k == "int":
            return int(node["v"])
        if k == "float":
            return float.fromhex(node["v"])
        if k == "str":
            return str(node["v"])
        if k == "bytes":
            return base64.b64decode(node["v"])
        if k == "tensor":
            return self.tensor(node)
        if k == "ndarray":
            return self.arrays[node["id"]].copy()
        if k == "npscalar":
            return self.arrays[node["id"]][()]
        if k == "dtype":
            return to_dtype(node["v"])
        if k == "device":
            return Device(node["v"])
        if k == "size":
            return Size(int(v) for v in node["v"])
        if k == "list":
            return [self.decode(v) for v in node["items"]]
        if k == "tuple":
            return tuple(self.decode(v) for v in node["items"])
        if k in ("dict", "odict"):
            out = OrderedDict() if k == "odict" else {}
            for key, value in node["items"]:
                out[self.decode(key)] = self.decode(value)
            return out
        raise _Corrupt(f"unknown node kind {k!r}")


def load(f: str | os.PathLike | IO[bytes], map_location: str | Device | dict | Callable | None = None,
         pickle_module: Any = None, *, weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args) -> Any:
    """Load an object saved by ``minitorch.save``; never runs code from the file.

    ``map_location``: None (each tensor back on the device it was saved from), a device or string
    ('cpu', 'cuda') for all tensors, a dict mapping saved to new locations ({'cuda:0': 'cpu'}), or a
    callable ``fn(tensor, saved_location) -> tensor | None``. ``weights_only`` / ``pickle_module`` /
    ``mmap`` are accepted for torch compatibility: loading is always "weights only".
    A file that is truncated, altered, a pickle, or not a minitorch checkpoint raises RuntimeError.
    """
    ml = map_location
    if not (ml is None or callable(ml) or isinstance(ml, (str, Device, dict))):
        raise TypeError(f"minitorch.load: map_location should be None, a str, a device, a dict or a callable, "
                        f"got {type(ml).__name__}")
    data, name = _read_source(f)
    if data[:2] in _PICKLE_MAGIC or data[:1] == b"\x80":
        raise RuntimeError(
            f"minitorch.load: {name} is a pickle file. minitorch never unpickles (unpickling can run arbitrary "
            "code); load it with the program that wrote it and re-save the tensors with minitorch.save."
        )
    if data[:4] != b"PK\x03\x04":
        kind = "it is empty" if not data else f"it does not start like a zip archive (first bytes {data[:8]!r})"
        raise RuntimeError(f"minitorch.load: {name} is not a minitorch checkpoint: {kind}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if MANIFEST not in names:
                hint = (" It looks like a PyTorch checkpoint (pickle inside a zip), which minitorch does not "
                        "unpickle." if any(n.endswith("data.pkl") for n in names) else "")
                raise RuntimeError(f"minitorch.load: {name} is a zip archive but not a minitorch checkpoint "
                                   f"(no {MANIFEST}).{hint}")
            manifest = json.loads(zf.read(MANIFEST).decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _Corrupt("the manifest does not describe a minitorch checkpoint")
            if manifest.get("version") != VERSION:
                raise RuntimeError(f"minitorch.load: {name} has checkpoint format version {manifest.get('version')}; "
                                   f"this minitorch reads version {VERSION}")
            arrays = _decode_arrays(zf, manifest["arrays"])
        return _Decoder(arrays, manifest["arrays"], map_location).decode(manifest["root"])
    except RuntimeError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, _Corrupt, KeyError, ValueError, TypeError,
            IndexError, AttributeError, UnicodeDecodeError, OSError) as e:
        raise RuntimeError(
            f"minitorch.load: checkpoint {name} is truncated or corrupt ({type(e).__name__}: {e}); nothing was loaded"
        ) from e
