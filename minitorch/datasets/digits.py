"""``Digits``: the 1,797 8x8 UCI handwritten digits, shipped inside the package (no network needed).

Source, licence and the fixed train / held-out split are described in ``data/README.md``.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..tensor import Tensor
from ..utils.data import Dataset

_FILE = Path(__file__).with_name("data") / "digits.npz"
_SHA256 = "ee6377bb5f0de3446de26acb190324f9bd3e73312d67a46b4980f5b847e317ae"


def _load_bundled(path: Path = _FILE) -> dict[str, np.ndarray]:
    """The arrays of the bundled file, checked against their recorded SHA-256."""
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in ("images", "labels", "test_mask")}
    except (OSError, KeyError, ValueError) as e:
        raise RuntimeError(f"Digits: cannot read the bundled data file {path}: {e}") from e
    h = hashlib.sha256()
    for k in ("images", "labels", "test_mask"):
        h.update(arrays[k].tobytes())
    if h.hexdigest() != _SHA256:
        raise RuntimeError(f"Digits: the bundled data file {path} is corrupt (SHA-256 mismatch); reinstall minitorch")
    return arrays


class Digits(Dataset):
    """UCI ML handwritten digits (Alpaydin & Kaynak, CC BY 4.0): 8x8 images, labels 0..9.

    ``train=True`` gives the 1,438 training samples, ``train=False`` the 359 held-out ones (a fixed
    stratified 80/20 split stored with the data). An item is ``(image, label)``: ``image`` is a
    float32 tensor of shape (1, 8, 8) scaled to [0, 1] (pixel / 16), ``label`` an int; ``transform``
    and ``target_transform`` are applied to them when given. ``data`` holds the raw uint8 pixels
    (values 0..16, shape (N, 8, 8)) and ``targets`` the int64 labels, like torchvision's MNIST.
    ``root`` is accepted for signature compatibility with the other datasets and ignored.
    """

    classes = [str(i) for i in range(10)]

    def __init__(self, root: str | None = None, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None):
        arrays = _load_bundled()
        keep = ~arrays["test_mask"] if train else arrays["test_mask"]
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        self.data = Tensor._wrap(np.ascontiguousarray(arrays["images"][keep]))
        self.targets = Tensor._wrap(arrays["labels"][keep].astype(np.int64))
        self._images = (self.data.array[:, None] / np.float32(16.0)).astype(np.float32)

    def tensors(self) -> tuple[Tensor, Tensor]:
        """All images as one float32 (N, 1, 8, 8) tensor in [0, 1] and the int64 labels (N,)."""
        return Tensor._wrap(self._images.copy()), Tensor._wrap(self.targets.array.copy())

    def __len__(self) -> int:
        return self._images.shape[0]

    def __getitem__(self, index: int):
        img: object = Tensor._wrap(self._images[index].copy())
        target: object = int(self.targets.array[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __repr__(self) -> str:
        return f"Digits(split={'train' if self.train else 'test'}, samples={len(self)})"
