"""Image transforms on tensors (no PIL): Compose, ToTensor, Normalize, RandomCrop, RandomHorizontalFlip.

Images are (..., C, H, W) tensors after ``ToTensor``; the random transforms draw from minitorch's
generator (``minitorch.manual_seed`` makes them reproducible), like torchvision's draw from torch's.
"""
from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import numpy as np

from ..backend import device_of, numpy_of, xp_of
from ..backend.random import rng_for
from ..tensor import Tensor


def _array(x):
    return x.array if isinstance(x, Tensor) else np.asarray(x)


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms: Sequence[Callable]):
        self.transforms = list(transforms)

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose(" + "".join(f"\n    {t}" for t in self.transforms) + "\n)"


class Lambda:
    """Wrap a function as a transform."""

    def __init__(self, lambd: Callable):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__}")
        self.lambd = lambd

    def __call__(self, x):
        return self.lambd(x)


class ToTensor:
    """HxW or HxWxC image (array or tensor) -> CxHxW tensor; uint8 is scaled to float32 in [0, 1],
    other dtypes are only transposed (torchvision's rule)."""

    def __call__(self, pic) -> Tensor:
        arr = _array(pic)
        if arr.ndim not in (2, 3):
            raise ValueError(f"ToTensor: pic should be 2 or 3 dimensional (HxW or HxWxC), got {arr.ndim} dimensions")
        xp = xp_of(arr)
        arr = arr[:, :, None] if arr.ndim == 2 else arr
        arr = xp.ascontiguousarray(arr.transpose(2, 0, 1))
        if arr.dtype == np.uint8:
            arr = arr.astype(np.float32) / np.float32(255)
        return Tensor._wrap(arr)

    def __repr__(self) -> str:
        return "ToTensor()"


class Normalize:
    """(x - mean[c]) / std[c] per channel of a (..., C, H, W) float tensor."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        self.mean = list(mean) if isinstance(mean, Sequence) else [mean]
        self.std = list(std) if isinstance(std, Sequence) else [std]
        self.inplace = inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"Normalize: input should be a Tensor, got {type(tensor).__name__}")
        arr = tensor.array
        if arr.dtype.kind != "f":
            raise TypeError(f"Normalize: input tensor should be a float tensor, got {tensor.dtype}")
        if arr.ndim < 3:
            raise ValueError(
                f"Normalize: expected a tensor image of size (..., C, H, W), got shape {tuple(arr.shape)}"
            )
        xp = xp_of(arr)
        mean = xp.asarray(self.mean, dtype=arr.dtype)
        std = xp.asarray(self.std, dtype=arr.dtype)
        if bool((std == 0).any()):
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
        if mean.size not in (1, arr.shape[-3]) or std.size not in (1, arr.shape[-3]):
            raise ValueError(f"Normalize: {arr.shape[-3]} channels but mean has {mean.size} and std {std.size} values")
        out = (arr - mean.reshape(-1, 1, 1)) / std.reshape(-1, 1, 1)
        if self.inplace:
            arr[...] = out
            tensor._version += 1
            return tensor
        return Tensor._wrap(out)

    def __repr__(self) -> str:
        return f"Normalize(mean={self.mean}, std={self.std})"


def _pair(size, name: str) -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if len(size) == 1:
        return int(size[0]), int(size[0])
    if len(size) != 2:
        raise ValueError(f"{name}: please provide only two dimensions (h, w) for size, got {size}")
    return int(size[0]), int(size[1])


class RandomCrop:
    """Crop a random ``size`` window out of a (..., H, W) tensor, after optional zero/constant padding."""

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill: float = 0,
                 padding_mode: str = "constant"):
        self.size = _pair(size, "RandomCrop")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError(
                f"RandomCrop: padding_mode should be constant, edge, reflect or symmetric, got {padding_mode}"
            )
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def _pad(self, arr, left: int, top: int, right: int, bottom: int):
        xp = xp_of(arr)
        widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
        if self.padding_mode == "constant":
            return xp.pad(arr, widths, mode="constant", constant_values=self.fill)
        return xp.pad(arr, widths, mode=self.padding_mode)

    def __call__(self, img):
        arr = _array(img)
        if arr.ndim < 2:
            raise ValueError(f"RandomCrop: expected an image of shape (..., H, W), got shape {tuple(arr.shape)}")
        if self.padding is not None:
            p = self.padding
            if isinstance(p, numbers.Number):
                p = (p, p, p, p)
            elif len(p) == 2:
                p = (p[0], p[1], p[0], p[1])
            arr = self._pad(arr, *(int(v) for v in p))
        th, tw = self.size
        h, w = arr.shape[-2:]
        if self.pad_if_needed and h < th:
            arr = self._pad(arr, 0, th - h, 0, th - h)
        if self.pad_if_needed and w < tw:
            arr = self._pad(arr, tw - w, 0, tw - w, 0)
        h, w = arr.shape[-2:]
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size {(h, w)}")
        rng = rng_for(device_of(arr) if isinstance(img, Tensor) else device_of(np.empty(0)))
        i = int(numpy_of(rng.integers(0, h - th + 1, size=1))[0])
        j = int(numpy_of(rng.integers(0, w - tw + 1, size=1))[0])
        return Tensor._wrap(arr[..., i:i + th, j:j + tw].copy())

    def __repr__(self) -> str:
        return f"RandomCrop(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip:
    """Mirror a (..., H, W) image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, img):
        arr = _array(img)
        rng = rng_for(device_of(arr))
        if float(numpy_of(rng.random(1))[0]) < self.p:
            return Tensor._wrap(arr[..., ::-1].copy())
        return img if isinstance(img, Tensor) else Tensor._wrap(arr)

    def __repr__(self) -> str:
        return f"RandomHorizontalFlip(p={self.p})"
