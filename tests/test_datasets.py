"""minitorch.datasets: bundled Digits, the IDX reader, MNIST/FashionMNIST (real and synthetic files), transforms."""
from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch.datasets import MNIST, Digits, FashionMNIST, read_idx, transforms, write_idx
from minitorch.datasets import digits as digits_module
from tests.helpers import assert_close, require_torch

REAL_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mnist"
needs_real_mnist = pytest.mark.skipif(
    not (REAL_MNIST / "t10k-images-idx3-ubyte.gz").is_file(),
    reason=f"the real MNIST test split is not at {REAL_MNIST} (only present in the team workspace)",
)


# ---- Digits --------------------------------------------------------------------------------------------------
def test_digits_split_sizes_items_and_balance():
    train, test = Digits(train=True), Digits(train=False)
    assert len(train) + len(test) == 1797 and len(test) == 359
    img, label = test[0]
    assert img.shape == (1, 8, 8) and img.dtype == minitorch.float32 and isinstance(label, int)
    x, y = train.tensors()
    assert x.shape == (len(train), 1, 8, 8) and y.dtype == minitorch.int64
    assert float(x.min()) == 0.0 and float(x.max()) == 1.0
    np.testing.assert_array_equal(x.numpy()[:, 0] * 16, train.data.numpy().astype(np.float32))
    counts = np.bincount(test.targets.numpy(), minlength=10)
    assert counts.min() >= 35  # stratified: every class is held out
    # train and held-out samples are disjoint (as rows of pixels + label)
    rows = lambda d: {d.data.numpy()[i].tobytes() + bytes([int(d.targets.numpy()[i])]) for i in range(len(d))}
    assert not rows(train) & rows(test)


def test_digits_is_deterministic_and_applies_transforms():
    a, b = Digits(train=False), Digits(train=False, transform=lambda x: x * 2, target_transform=lambda t: t + 100)
    np.testing.assert_array_equal(a.targets.numpy(), Digits(train=False).targets.numpy())
    img, label = b[3]
    np.testing.assert_array_equal(img.numpy(), a[3][0].numpy() * 2)
    assert label == a[3][1] + 100


def test_digits_matches_scikit_learns_copy():
    sk = pytest.importorskip("sklearn.datasets", reason="scikit-learn not installed: Digits source check skipped")
    ref = sk.load_digits()
    ours = np.concatenate([Digits(train=True).data.numpy(), Digits(train=False).data.numpy()]).reshape(-1, 64)
    labels = np.concatenate([Digits(train=True).targets.numpy(), Digits(train=False).targets.numpy()])
    key = lambda imgs, labs: sorted(r.astype(np.uint8).tobytes() + bytes([int(l)]) for r, l in zip(imgs, labs))
    assert key(ours, labels) == key(ref.data, ref.target)


def test_digits_corrupt_bundled_file_raises(tmp_path, monkeypatch):
    with np.load(digits_module._FILE) as z:
        arrays = {k: z[k].copy() for k in z.files}
    arrays["labels"][0] ^= 1
    bad = tmp_path / "digits.npz"
    np.savez_compressed(bad, **arrays)
    monkeypatch.setattr(digits_module, "_FILE", bad)
    monkeypatch.setattr(digits_module._load_bundled, "__defaults__", (bad,))
    with pytest.raises(RuntimeError, match="corrupt"):
        Digits()


# ---- IDX -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("compress", [False, True])
def test_idx_round_trip(tmp_path, dtype, compress):
    arr = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    p = tmp_path / "x.idx"
    write_idx(p, arr, compress=compress)
    assert (p.read_bytes()[:2] == b"\x1f\x8b") == compress
    back = read_idx(p)
    assert back.dtype == np.dtype(dtype) and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


@pytest.mark.parametrize("payload, match", [
    (b"\x00\x00", "shorter than the 4-byte header"),
    (b"\x12\x34\x08\x01" + b"\x00" * 8, "bad magic number"),
    (b"\x00\x00\x07\x01" + b"\x00" * 8, "bad magic number"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated IDX header"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", "truncated data"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x02abc", "trailing bytes"),
])
def test_idx_bad_headers_raise_clear_errors(tmp_path, payload, match):
    p = tmp_path / "bad-idx1-ubyte"
    p.write_bytes(payload)
    with pytest.raises(RuntimeError, match=match) as e:
        read_idx(p)
    assert "bad-idx1-ubyte" in str(e.value)


def test_idx_truncated_gzip_raises(tmp_path):
    p = tmp_path / "x.gz"
    p.write_bytes(gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x40" + bytes(64))[:-10])
    with pytest.raises(RuntimeError, match="corrupt or truncated gzip"):
        read_idx(p)


# ---- MNIST on synthetic files ----------------------------------------------------------------------------------
def _write_split(folder: Path, prefix: str, n: int = 6, compress: bool = True, labels=None):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = np.arange(n, dtype=np.uint8) % 10 if labels is None else labels
    ext = ".gz" if compress else ""
    write_idx(folder / f"{prefix}-images-idx3-ubyte{ext}", images, compress)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{ext}", labels, compress)
    return images, labels


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("layout", ["torchvision", "flat"])
def test_mnist_reads_synthetic_idx(tmp_path, compress, layout):
    folder = tmp_path / "MNIST" / "raw" if layout == "torchvision" else tmp_path
    images, labels = _write_split(folder, "train", compress=compress)
    ds = MNIST(tmp_path, train=True, verify=False)
    assert len(ds) == len(labels)
    np.testing.assert_array_equal(ds.data.numpy(), images)
    assert ds.targets.dtype == minitorch.int64
    img, label = ds[2]
    assert img.dtype == minitorch.uint8 and img.shape == (28, 28) and label == int(labels[2])
    np.testing.assert_array_equal(img.numpy(), images[2])
    t = MNIST(tmp_path, train=True, verify=False, transform=transforms.ToTensor(), target_transform=str)
    x, lab = t[2]
    assert x.shape == (1, 28, 28) and x.dtype == minitorch.float32 and lab == str(labels[2])
    assert_close(x, images[2][None].astype(np.float32) / 255)


def test_mnist_checksum_mismatch_missing_files_and_inconsistent_counts(tmp_path):
    _write_split(tmp_path, "t10k")
    with pytest.raises(RuntimeError, match="checksum mismatch.*md5"):
        MNIST(tmp_path, train=False)
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True to download it"):
        MNIST(tmp_path, train=True)
    _write_split(tmp_path, "train", n=4, labels=np.array([1, 2, 3], np.uint8))
    with pytest.raises(RuntimeError, match="4 images .* but 3 labels"):
        MNIST(tmp_path, train=True, verify=False)
    _write_split(tmp_path, "train", n=3, labels=np.array([1, 2, 30], np.uint8))
    with pytest.raises(RuntimeError, match="label 30 outside 0..9"):
        MNIST(tmp_path, train=True, verify=False)
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(b"\x00\x00\x08\x03" + bytes(10))
    with pytest.raises(RuntimeError, match="truncated IDX header"):
        MNIST(tmp_path, train=True, verify=False)


def test_mnist_download_offline_gives_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(MNIST, "mirrors", ["http://127.0.0.1:9/", "file:///nonexistent-minitorch-mirror/"])
    monkeypatch.setattr(MNIST, "timeout_s", 5.0)
    with pytest.raises(RuntimeError, match="could not download t10k-images-idx3-ubyte.gz from any mirror"):
        MNIST(tmp_path, train=False, download=True)
    assert not list((tmp_path / "MNIST" / "raw").glob("*.gz"))


def test_mnist_download_rejects_files_with_a_wrong_checksum(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    _write_split(mirror, "t10k")
    monkeypatch.setattr(MNIST, "mirrors", [mirror.as_uri() + "/"])
    with pytest.raises(RuntimeError, match="failed the md5 check"):
        MNIST(tmp_path / "root", train=False, download=True)
    assert not list((tmp_path / "root" / "MNIST" / "raw").iterdir())


def test_fashion_mnist_has_its_own_files_and_classes(tmp_path):
    assert FashionMNIST.classes[9] == "Ankle boot"
    assert FashionMNIST.resources != MNIST.resources
    with pytest.raises(RuntimeError, match="Dataset not found.*FashionMNIST"):
        FashionMNIST(tmp_path, train=False)
    _write_split(tmp_path / "FashionMNIST" / "raw", "t10k", compress=False)
    assert len(FashionMNIST(tmp_path, train=False, verify=False)) == 6


# ---- MNIST on the real test split -------------------------------------------------------------------------------
@needs_real_mnist
def test_real_mnist_test_split():
    ds = MNIST(REAL_MNIST, train=False)  # verifies the md5 of the decompressed files
    assert len(ds) == 10_000 and ds.data.shape == (10_000, 28, 28) and ds.data.dtype == minitorch.uint8
    counts = np.bincount(ds.targets.numpy(), minlength=10)
    assert counts.sum() == 10_000 and counts.min() > 850
    assert ds[0][1] == 7  # the famous first test digit
    x, _ = transforms.ToTensor()(ds[0][0]), None
    assert x.shape == (1, 28, 28) and 0.0 <= float(x.min()) and float(x.max()) <= 1.0
    with pytest.raises(RuntimeError, match="Dataset not found"):
        MNIST(REAL_MNIST, train=True)


@needs_real_mnist
def test_real_mnist_download_from_a_file_mirror(tmp_path, monkeypatch):
    monkeypatch.setattr(MNIST, "mirrors", [REAL_MNIST.as_uri() + "/"])
    ds = MNIST(tmp_path, train=False, download=True)
    assert len(ds) == 10_000
    got = sorted(p.name for p in (tmp_path / "MNIST" / "raw").iterdir())
    assert got == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


@needs_real_mnist
def test_real_mnist_raw_uncompressed_copy_verifies(tmp_path):
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(REAL_MNIST / f"{name}.gz") as src, open(tmp_path / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
        assert hashlib.md5((tmp_path / name).read_bytes()).hexdigest() == MNIST.resources[name]
    assert len(MNIST(tmp_path, train=False)) == 10_000


# ---- transforms -------------------------------------------------------------------------------------------------
def test_to_tensor_scales_uint8_and_transposes():
    rng = np.random.default_rng(1)
    hw = rng.integers(0, 256, (5, 4), dtype=np.uint8)
    hwc = rng.integers(0, 256, (5, 4, 3), dtype=np.uint8)
    assert_close(transforms.ToTensor()(hw), hw[None].astype(np.float32) / 255)
    out = transforms.ToTensor()(minitorch.from_numpy(hwc))
    assert out.dtype == minitorch.float32
    assert_close(out, hwc.transpose(2, 0, 1).astype(np.float32) / 255)
    f = rng.random((5, 4, 2))
    assert_close(transforms.ToTensor()(f), f.transpose(2, 0, 1))  # non-uint8: no scaling (torchvision's rule)
    with pytest.raises(ValueError, match="2 or 3 dimensional"):
        transforms.ToTensor()(np.zeros(3))


def test_normalize_matches_torch_arithmetic():
    torch = require_torch()
    x = np.random.default_rng(2).random((2, 3, 4, 4), dtype=np.float32)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    ref = (torch.from_numpy(x) - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(3, 1, 1)
    out = transforms.Normalize(mean, std)(minitorch.from_numpy(x))
    assert out.dtype == minitorch.float32
    assert_close(out, ref)
    t = minitorch.from_numpy(x.copy())
    assert transforms.Normalize(mean, std, inplace=True)(t) is t
    assert_close(t, ref)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        transforms.Normalize((0.0,), (0.0,))(minitorch.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="float tensor"):
        transforms.Normalize((0.0,), (1.0,))(minitorch.zeros(1, 2, 2, dtype=minitorch.uint8))


def test_random_crop_is_a_window_of_the_padded_image_and_seedable():
    img = minitorch.from_numpy(np.arange(36, dtype=np.float32).reshape(1, 6, 6))
    crop = transforms.RandomCrop(6, padding=2)
    padded = np.pad(img.numpy(), ((0, 0), (2, 2), (2, 2)))
    windows = {padded[:, i:i + 6, j:j + 6].tobytes() for i in range(5) for j in range(5)}
    minitorch.manual_seed(3)
    outs = [crop(img) for _ in range(20)]
    assert all(o.shape == (1, 6, 6) and o.numpy().tobytes() in windows for o in outs)
    assert len({o.numpy().tobytes() for o in outs}) > 1
    minitorch.manual_seed(3)
    np.testing.assert_array_equal(crop(img).numpy(), outs[0].numpy())
    assert transforms.RandomCrop((3, 2))(img).shape == (1, 3, 2)
    assert transforms.RandomCrop(8, pad_if_needed=True)(img).shape == (1, 8, 8)
    with pytest.raises(ValueError, match="larger than input image size"):
        transforms.RandomCrop(7)(img)


def test_random_horizontal_flip_and_compose():
    img = minitorch.from_numpy(np.arange(6, dtype=np.float32).reshape(1, 2, 3))
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(1.0)(img).numpy(), img.numpy()[..., ::-1])
    np.testing.assert_array_equal(transforms.RandomHorizontalFlip(0.0)(img).numpy(), img.numpy())
    minitorch.manual_seed(0)
    flips = [transforms.RandomHorizontalFlip()(img).numpy()[0, 0, 0] == 2 for _ in range(200)]
    assert 50 < sum(flips) < 150
    pipeline = transforms.Compose([transforms.ToTensor(), transforms.Lambda(lambda t: t + 1)])
    assert_close(pipeline(np.zeros((2, 2), np.uint8)), np.ones((1, 2, 2), np.float32))
