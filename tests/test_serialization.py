"""minitorch.save / minitorch.load: bit-exact round trips, torch-style state_dicts, corrupt files, no code execution."""
from __future__ import annotations

import io
import math
import os
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitorch
from tests.helpers import devices, require_torch, to_mt

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    minitorch.save(obj, buf)
    buf.seek(0)
    return minitorch.load(buf, **load_kwargs)


def assert_identical(a, b):
    """Same type, structure, dtypes, shapes and bits (nan payloads included)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, minitorch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        assert a.numpy(force=True).tobytes() == b.numpy(force=True).tobytes()
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_identical(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_identical(x, y)
    elif isinstance(a, float):
        assert math.copysign(1, a) == math.copysign(1, b) and (a == b or (a != a and b != b))
        assert a.hex() == b.hex()
    else:
        assert a == b


# ---- round trips --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips_bit_exact(dtype):
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=48, dtype=np.uint8).tobytes()  # arbitrary bits, nan payloads included
    arr = np.frombuffer(raw, dtype=np.dtype(dtype) if dtype != "bool" else np.uint8).reshape(2, 3, -1)
    arr = arr.astype(bool) if dtype == "bool" else arr
    t = minitorch.from_numpy(arr.copy())
    cases = [t, t[0, 1], t.flatten()[:0], t.transpose(0, 2), t[:, ::2], minitorch.from_numpy(arr[0, 0, :1].reshape(()))]
    back = roundtrip(cases)
    for a, b in zip(cases, back):
        assert_identical(a, b)
        assert b.numpy().flags.c_contiguous


def test_plain_values_and_nested_structures():
    obj = OrderedDict([
        ("none", None), ("t", True), ("f", False), ("int", -(2**70)), ("float", 0.1), ("nan", float("nan")),
        ("inf", -math.inf), ("negzero", -0.0), ("str", "ünïcode ✓"), ("bytes", b"\x00\xff"),
        ("list", [1, [2, (3, {"deep": minitorch.ones(2)})]]), ("tuple", (minitorch.zeros(1), "x")),
        ("intkeys", {0: "a", 1: "b", -5: None}), ("tuplekey", {(1, "a"): 2}),
        ("size", minitorch.Size([2, 3])), ("dtype", minitorch.float64), ("device", minitorch.device("cpu")),
        ("ndarray", np.arange(4, dtype=np.int16)), ("npscalar", np.float32(1.25)),
    ])
    back = roundtrip(obj)
    assert type(back) is OrderedDict and type(back["intkeys"]) is dict
    assert back["dtype"] is minitorch.float64 and back["device"] == minitorch.device("cpu")
    assert type(back["size"]) is minitorch.Size and back["npscalar"].dtype == np.float32
    assert_identical(obj, back)


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=3) | st.integers(), children, max_size=3),
    max_leaves=12,
))
def test_arbitrary_plain_structures_round_trip(obj):
    assert_identical(obj, roundtrip(obj))


def test_requires_grad_and_sharing_are_preserved():
    w = minitorch.randn(3, requires_grad=True)
    back = roundtrip({"a": w, "b": [w], "c": w.detach()})
    assert back["a"].requires_grad and back["a"].is_leaf and back["a"] is back["b"][0]
    assert not back["c"].requires_grad and back["c"] is not back["a"]


def test_parameters_stay_parameters():
    nn = minitorch.nn
    p = nn.Parameter(minitorch.randn(2, 2))
    frozen = nn.Parameter(minitorch.randn(2), requires_grad=False)
    back = roundtrip({"p": p, "frozen": frozen})
    assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
    assert isinstance(back["frozen"], nn.Parameter) and not back["frozen"].requires_grad
    np.testing.assert_array_equal(back["p"].detach().numpy(), p.detach().numpy())


def test_torch_style_model_and_optimizer_state_dicts_round_trip():
    torch = require_torch()
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.8, 0.99))
    model(torch.randn(5, 4)).sum().backward()
    opt.step()

    def convert(x):
        if isinstance(x, torch.Tensor):
            return to_mt(x)
        if isinstance(x, dict):
            return type(x)((k, convert(v)) for k, v in x.items())
        if isinstance(x, (list, tuple)):
            return type(x)(convert(v) for v in x)
        return x

    sd = {"model": convert(model.state_dict()), "optimizer": convert(opt.state_dict()), "epoch": 3}
    back = roundtrip(sd)
    assert_identical(sd, back)
    assert list(back["optimizer"]["state"]) == [0, 1, 2, 3]
    assert back["optimizer"]["param_groups"][0]["betas"] == (0.8, 0.99)


def test_minitorch_module_state_dict_round_trip(tmp_path):
    nn = minitorch.nn
    minitorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    minitorch.save(model.state_dict(), tmp_path / "m.ckpt")
    other = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    other.load_state_dict(minitorch.load(tmp_path / "m.ckpt", weights_only=True))
    for (k1, v1), (k2, v2) in zip(model.state_dict().items(), other.state_dict().items()):
        assert k1 == k2 and v1.numpy(force=True).tobytes() == v2.numpy(force=True).tobytes()


def test_paths_files_and_atomic_writes(tmp_path):
    path = tmp_path / "x.ckpt"
    minitorch.save({"a": minitorch.arange(3)}, str(path))
    assert sorted(os.listdir(tmp_path)) == ["x.ckpt"]  # no temporary file left behind
    with open(path, "rb") as f:
        assert minitorch.load(f)["a"].tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="cannot save obj\\['bad'\\] of type object"):
        minitorch.save({"bad": object()}, tmp_path / "y.ckpt")
    assert not (tmp_path / "y.ckpt").exists()
    cyclic: list = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="contains itself"):
        minitorch.save(cyclic, tmp_path / "z.ckpt")
    with pytest.raises(FileNotFoundError):
        minitorch.load(tmp_path / "missing.ckpt")


@pytest.mark.parametrize("device", devices())
def test_map_location(device):
    t = minitorch.arange(4.0)
    assert roundtrip(t, map_location=device).device.type == device
    assert roundtrip(t, map_location=minitorch.device(device)).device.type == device
    assert roundtrip(t, map_location={"cpu": device}).device.type == device
    seen = []
    back = roundtrip(t, map_location=lambda tensor, loc: seen.append(loc))
    assert seen == ["cpu"] and back.tolist() == [0.0, 1.0, 2.0, 3.0]
    with pytest.raises(TypeError, match="map_location"):
        roundtrip(t, map_location=3)


def test_map_location_cuda_without_gpu_raises():
    if minitorch.cuda.is_available():
        pytest.skip("a GPU is present: the CPU-only error path cannot happen here")
    with pytest.raises(RuntimeError, match="map_location='cpu'"):
        roundtrip(minitorch.ones(1), map_location="cuda")


# ---- corrupt and foreign files ----------------------------------------------------------------------------------
def _checkpoint_bytes():
    buf = io.BytesIO()
    minitorch.save({"w": minitorch.randn(8, 8), "step": 5, "name": "model"}, buf)
    return buf.getvalue()


def test_truncated_files_raise_and_load_nothing():
    data = _checkpoint_bytes()
    for cut in sorted({0, 1, 3, 4, 10, 50, len(data) // 2, len(data) - 100, len(data) - 22, len(data) - 1}):
        with pytest.raises(RuntimeError, match="minitorch.load"):
            minitorch.load(io.BytesIO(data[:cut]))


def test_flipped_bytes_never_load_silently_wrong_data():
    data = _checkpoint_bytes()
    good = minitorch.load(io.BytesIO(data))
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo("data/0.npy")
    payload_start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    in_payload = list(range(payload_start, payload_start + info.file_size, 37))
    for pos in in_payload + list(range(0, len(data), 13)):
        bad = bytearray(data)
        bad[pos] ^= 0x40
        try:
            back = minitorch.load(io.BytesIO(bytes(bad)))
        except RuntimeError:
            continue
        assert pos not in in_payload, f"a flipped byte in the tensor data at {pos} went unnoticed"
        assert_identical(good, back)  # only bytes that carry no content (e.g. timestamps) may change


def test_tampered_payload_with_fixed_crc_is_caught_by_the_manifest_hash():
    data = _checkpoint_bytes()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "data/0.npy":
                content = content[:-4] + b"\x00\x00\x80\x3f"  # a valid npy with a changed value, fresh CRC
            dst.writestr(name, content)
    with pytest.raises(RuntimeError, match="SHA-256"):
        minitorch.load(io.BytesIO(out.getvalue()))


def test_wrong_file_types_raise_clear_errors(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(RuntimeError, match="not a minitorch checkpoint"):
        minitorch.load(text)
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    with pytest.raises(RuntimeError, match="empty"):
        minitorch.load(empty)
    npz = tmp_path / "a.npz"
    np.savez(npz, a=np.ones(3))
    with pytest.raises(RuntimeError, match="no minitorch.json"):
        minitorch.load(npz)
    with pytest.raises(TypeError, match="binary mode"):
        minitorch.load(io.StringIO("x"))


def test_torch_checkpoint_is_refused_without_unpickling(tmp_path):
    torch = require_torch()
    p = tmp_path / "torch.pt"
    torch.save({"w": torch.ones(2)}, p)
    with pytest.raises(RuntimeError, match="PyTorch checkpoint"):
        minitorch.load(p)


class _Exploit:
    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))  # unpickling would create the marker file


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_pickle_files_are_refused_and_no_code_runs(tmp_path, protocol):
    marker = tmp_path / "pwned"
    p = tmp_path / "evil.pkl"
    p.write_bytes(pickle.dumps({"w": _Exploit(str(marker))}, protocol=protocol))
    with pytest.raises(RuntimeError, match="pickle file"):
        minitorch.load(p)
    assert not marker.exists()
    # the same pickle hidden inside a zip with a forged manifest entry name is not unpickled either
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("minitorch.json", p.read_bytes())
    with pytest.raises(RuntimeError, match="corrupt"):
        minitorch.load(z)
    assert not marker.exists()
