"""``MNIST`` and ``FashionMNIST`` from their IDX files, with checksums and optional download.

Differences from torchvision (which needs PIL): without a ``transform`` an image is a uint8 tensor
of shape (28, 28) (the pixels torchvision's PIL image holds); ``transforms.ToTensor()`` turns it into
torchvision's float32 (1, 28, 28) in [0, 1], so ``MNIST(root, transform=ToTensor())`` behaves the same
in both. Files are looked up in ``root/<ClassName>/raw`` (torchvision's layout) and then in ``root``
itself, as ``name`` or ``name.gz``; the md5 of the decompressed bytes is checked against the official
release unless ``verify=False`` (for other data sets in IDX format). ``download=True`` fetches only
the requested split's files into ``root/<ClassName>/raw``.
"""
from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..tensor import Tensor
from ..utils.data import Dataset
from .idx import md5_hex, parse_idx, read_bytes


class MNIST(Dataset):
    """The MNIST handwritten digits (LeCun, Cortes, Burges): 60,000 train / 10,000 test 28x28 images."""

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    # md5 of the *decompressed* files, so re-compressed copies verify too
    resources = {
        "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
        "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
        "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    }
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    timeout_s = 30.0

    def __init__(self, root: str | os.PathLike, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False, *, verify: bool = True):
        self.root = os.fspath(os.path.expanduser(root))
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        prefix = "train" if train else "t10k"
        names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
        if download:
            for name in names:
                if self._find(name) is None:
                    self._download(name)
        paths = [self._find(name) for name in names]
        if any(p is None for p in paths):
            missing = [n for n, p in zip(names, paths) if p is None]
            raise RuntimeError(
                f"Dataset not found. You can use download=True to download it "
                f"({type(self).__name__}: no {' / '.join(missing)}[.gz] in {self.raw_folder} or {self.root})"
            )
        images = self._read(paths[0], names[0], verify)
        labels = self._read(paths[1], names[1], verify)
        self._check(images, labels, paths)
        # only now, with everything valid, does the object get its data
        self.data = Tensor._wrap(images)
        self.targets = Tensor._wrap(labels.astype(np.int64))

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def _find(self, name: str) -> Path | None:
        for folder in (self.raw_folder, self.root):
            for candidate in (name, name + ".gz"):
                p = Path(folder) / candidate
                if p.is_file():
                    return p
        return None

    def _read(self, path: Path, name: str, verify: bool) -> np.ndarray:
        data = read_bytes(path)
        if verify:
            got, want = md5_hex(data), self.resources[name]
            if got != want:
                raise RuntimeError(
                    f"{type(self).__name__}: checksum mismatch for {path}: md5 of the decompressed data is "
                    f"{got}, expected {want} ({name} of the official release). The file is corrupt or "
                    f"not the official one; delete it and download it again (or pass verify=False)."
                )
        return parse_idx(data, str(path))

    def _check(self, images: np.ndarray, labels: np.ndarray, paths) -> None:
        if images.ndim != 3 or images.dtype != np.uint8:
            raise RuntimeError(
                f"{paths[0]}: expected uint8 images of shape (N, H, W), got {images.dtype} {images.shape}"
            )
        if labels.ndim != 1 or labels.dtype != np.uint8:
            raise RuntimeError(
                f"{paths[1]}: expected uint8 labels of shape (N,), got {labels.dtype} {labels.shape}"
            )
        if images.shape[0] != labels.shape[0]:
            raise RuntimeError(
                f"{type(self).__name__}: {images.shape[0]} images in {paths[0]} but "
                f"{labels.shape[0]} labels in {paths[1]}"
            )
        if labels.size and int(labels.max()) >= len(self.classes):
            raise RuntimeError(f"{paths[1]}: label {int(labels.max())} outside 0..{len(self.classes) - 1}")

    def _download(self, name: str) -> None:
        os.makedirs(self.raw_folder, exist_ok=True)
        target = Path(self.raw_folder) / (name + ".gz")
        errors = []
        for mirror in self.mirrors:
            url = mirror + name + ".gz"
            try:
                with urllib.request.urlopen(url, timeout=self.timeout_s) as r:
                    payload = r.read()
            except (urllib.error.URLError, OSError, ValueError) as e:
                errors.append(f"{url}: {getattr(e, 'reason', e)}")
                continue
            tmp = target.with_suffix(".gz.part")
            tmp.write_bytes(payload)
            try:
                ok, why = md5_hex(read_bytes(tmp)) == self.resources[name], "downloaded data failed the md5 check"
            except RuntimeError as e:
                ok, why = False, str(e)
            if ok:
                os.replace(tmp, target)
                return
            tmp.unlink()
            errors.append(f"{url}: {why}")
        raise RuntimeError(
            f"{type(self).__name__}: could not download {name}.gz from any mirror (offline?):\n  "
            + "\n  ".join(errors)
            + f"\nDownload the file by hand into {self.raw_folder}."
        )

    def __len__(self) -> int:
        return self.data.array.shape[0]

    def __getitem__(self, index: int):
        img: object = Tensor._wrap(self.data.array[index].copy())
        target: object = int(self.targets.array[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __repr__(self) -> str:
        return (f"Dataset {type(self).__name__}\n    Number of datapoints: {len(self)}\n    Root location: "
                f"{self.root}\n    Split: {'Train' if self.train else 'Test'}")


class FashionMNIST(MNIST):
    """Fashion-MNIST (Zalando Research, MIT licence): 28x28 grayscale clothing images, 10 classes."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    }
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
