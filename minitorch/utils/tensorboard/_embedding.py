"""Files of TensorBoard's embedding projector: ``tensors.tsv``, ``metadata.tsv``, ``sprite.png`` and the
``projector_config.pbtxt`` (protobuf text format of ``ProjectorConfig``, written by hand), as torch's."""
from __future__ import annotations

import math
import os

import numpy as np

from ._convert import make_grid, make_np
from ._png import encode_png

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "'": "\\'", "\\": "\\\\"}


def _text_escape(s: str) -> str:
    """Protobuf text-format string escaping (UTF-8 kept, control characters as octal)."""
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return "".join(out)


def make_tsv(metadata, save_path: str, metadata_header=None) -> None:
    if not metadata_header:
        metadata = [str(x) for x in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError("len of header must be equal to the number of columns in metadata")
        metadata = ["\t".join(str(e) for e in row) for row in [metadata_header] + list(metadata)]
    with open(os.path.join(save_path, "metadata.tsv"), "wb") as f:
        f.write(("\n".join(metadata) + "\n").encode("utf-8"))


def make_sprite(label_img, save_path: str) -> None:
    """All label images tiled into one square PNG (values scaled by 255, as torch does)."""
    arr = make_np(label_img)
    nrow = math.ceil(arr.shape[0] ** 0.5)
    arranged_img_CHW = make_grid(arr, ncols=nrow)
    square = np.zeros((arranged_img_CHW.shape[2], arranged_img_CHW.shape[2], 3))
    arranged_img_HWC = arranged_img_CHW.transpose(1, 2, 0)
    square[:arranged_img_HWC.shape[0], :, :] = arranged_img_HWC
    with open(os.path.join(save_path, "sprite.png"), "wb") as f:
        f.write(encode_png(np.uint8((square * 255).clip(0, 255))))


def make_mat(matlist: np.ndarray, save_path: str) -> None:
    with open(os.path.join(save_path, "tensors.tsv"), "wb") as f:
        for x in matlist:
            f.write(("\t".join(str(i.item()) for i in x) + "\n").encode("utf-8"))


def embedding_info(metadata, label_img, subdir: str, global_step: int, tag: str) -> dict:
    info = {"tensor_name": f"{tag}:{str(global_step).zfill(5)}", "tensor_path": os.path.join(subdir, "tensors.tsv")}
    if metadata is not None:
        info["metadata_path"] = os.path.join(subdir, "metadata.tsv")
    if label_img is not None:
        shape = tuple(label_img.shape)
        info["sprite"] = (os.path.join(subdir, "sprite.png"), [int(shape[3]), int(shape[2])])
    return info


def projector_config_pbtxt(infos: list[dict]) -> str:
    """``ProjectorConfig{embeddings=2: EmbeddingInfo{tensor_name=1, metadata_path=2, sprite=5, tensor_path=6}}``
    in protobuf text format (fields in number order, two-space indentation, as ``MessageToString``)."""
    lines = []
    for info in infos:
        lines.append("embeddings {")
        lines.append(f'  tensor_name: "{_text_escape(info["tensor_name"])}"')
        if "metadata_path" in info:
            lines.append(f'  metadata_path: "{_text_escape(info["metadata_path"])}"')
        if "sprite" in info:
            path, dims = info["sprite"]
            lines.append("  sprite {")
            lines.append(f'    image_path: "{_text_escape(path)}"')
            lines.extend(f"    single_image_dim: {d}" for d in dims)
            lines.append("  }")
        lines.append(f'  tensor_path: "{_text_escape(info["tensor_path"])}"')
        lines.append("}")
    return "".join(line + "\n" for line in lines)
