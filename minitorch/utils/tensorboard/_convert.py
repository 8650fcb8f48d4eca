"""Turning Tensors / arrays / numbers into NumPy arrays, and image layout helpers (as torch's ``_utils``)."""
from __future__ import annotations

import numpy as np


def make_np(x) -> np.ndarray:
    """A NumPy array of ``x``: a minitorch Tensor (cuda ones copied with one explicit ``.cpu()``), a NumPy
    array, a NumPy/Python scalar (as a 1-element array, like torch) or a list/tuple of numbers."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    from ...tensor import Tensor

    if isinstance(x, Tensor):
        arr = x.detach().cpu().numpy()
        if arr.dtype.name == "bfloat16":
            arr = arr.astype(np.float32)
        return arr
    if type(x).__module__.split(".")[0] == "cupy":  # a raw CuPy array: one explicit device-to-host copy
        return x.get()
    if isinstance(x, (list, tuple)):
        if any(isinstance(v, Tensor) for v in x):
            return np.stack([make_np(v) if isinstance(v, Tensor) else np.asarray(v) for v in x])
        return np.asarray(x)
    raise NotImplementedError(f"Got {type(x)}, but numpy array or torch tensor are expected.")


def make_grid(I: np.ndarray, ncols: int = 8) -> np.ndarray:
    """Tile ``N1HW`` / ``N3HW`` images into one ``3 x H*rows x W*cols`` canvas (torch's layout)."""
    if not isinstance(I, np.ndarray):
        raise AssertionError("plugin error, should pass numpy array here")
    if I.shape[1] == 1:
        I = np.concatenate([I, I, I], 1)
    if I.ndim != 4 or I.shape[1] != 3:
        raise AssertionError("Input should be a 4D numpy array with 3 channels")
    nimg, H, W = I.shape[0], I.shape[2], I.shape[3]
    ncols = min(nimg, ncols)
    nrows = int(np.ceil(float(nimg) / ncols))
    canvas = np.zeros((3, H * nrows, W * ncols), dtype=I.dtype)
    i = 0
    for y in range(nrows):
        for x in range(ncols):
            if i >= nimg:
                break
            canvas[:, y * H:(y + 1) * H, x * W:(x + 1) * W] = I[i]
            i = i + 1
    return canvas


def convert_to_HWC(tensor: np.ndarray, input_format: str) -> np.ndarray:
    """Reorder an image (or a batch, tiled by ``make_grid``) given as ``input_format`` to ``H x W x C``."""
    if len(set(input_format)) != len(input_format):
        raise AssertionError(f"You can not use the same dimension shorthand twice. input_format: {input_format}")
    if len(tensor.shape) != len(input_format):
        raise AssertionError(
            f"size of input tensor and input format are different. tensor shape: {tensor.shape}, "
            f"input_format: {input_format}"
        )
    input_format = input_format.upper()
    if len(input_format) == 4:
        index = [input_format.find(c) for c in "NCHW"]
        tensor_NCHW = tensor.transpose(index)
        tensor_CHW = make_grid(tensor_NCHW)
        return tensor_CHW.transpose(1, 2, 0)
    if len(input_format) == 3:
        index = [input_format.find(c) for c in "HWC"]
        tensor_HWC = tensor.transpose(index)
        if tensor_HWC.shape[2] == 1:
            tensor_HWC = np.concatenate([tensor_HWC, tensor_HWC, tensor_HWC], 2)
        return tensor_HWC
    if len(input_format) == 2:
        index = [input_format.find(c) for c in "HW"]
        tensor = tensor.transpose(index)
        return np.stack([tensor, tensor, tensor], 2)
    return None
