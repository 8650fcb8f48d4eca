"""Builders of serialized ``Summary`` protocol buffers, one per kind of data (torch's ``summary`` module).

Each function returns the bytes of a ``tensorboard.Summary`` message, built with the hand-written
encoder in ``_proto`` (no protobuf / tensorboard import). Names, arguments and value conversions follow
``torch.utils.tensorboard.summary``.
"""
from __future__ import annotations

import io
import logging
import struct
import wave

import numpy as np

from . import _proto as pb
from ._convert import convert_to_HWC, make_np
from ._png import encode_png

__all__ = [
    "half_to_int", "int_to_half", "hparams", "scalar", "histogram_raw", "histogram", "make_histogram",
    "image", "make_image", "audio", "custom_scalars", "text", "tensor_proto", "pr_curve_raw", "pr_curve",
    "compute_curve",
]

logger = logging.getLogger(__name__)

# tensorboard.plugins.hparams.metadata
HPARAMS_PLUGIN_NAME = "hparams"
HPARAMS_PLUGIN_DATA_VERSION = 0
EXPERIMENT_TAG = "_hparams_/experiment"
SESSION_START_INFO_TAG = "_hparams_/session_start_info"
SESSION_END_INFO_TAG = "_hparams_/session_end_info"
# tensorboard.hparams.DataType / Status
DATA_TYPE_STRING, DATA_TYPE_BOOL, DATA_TYPE_FLOAT64 = 1, 2, 3
STATUS_SUCCESS = 1


def half_to_int(f: float) -> int:
    """The int32 bit pattern of ``f`` as a float32 (what torch stores in ``TensorProto.half_val``)."""
    return struct.unpack("i", struct.pack("f", f))[0]


def int_to_half(i: int) -> float:
    """Inverse of :func:`half_to_int`."""
    return struct.unpack("f", struct.pack("i", i))[0]


def scalar(name: str, tensor, collections=None, new_style: bool = False, double_precision: bool = False) -> bytes:
    """A ``Summary`` with one scalar: ``simple_value`` (float32), or a 0-d ``tensor`` when ``new_style``."""
    if type(tensor) in (float, int):  # the common case, without a NumPy round trip (same value)
        tensor = np.float64(tensor)
    tensor = make_np(tensor).squeeze()
    if tensor.ndim != 0:
        raise AssertionError(
            f"Tensor should contain one element (0 dimensions). Was given size: {tensor.size} and "
            f"{tensor.ndim} dimensions."
        )
    value = float(tensor)
    if new_style:
        if double_precision:
            proto = pb.tensor_proto(pb.DT_DOUBLE, double_val=[value])
        else:
            proto = pb.tensor_proto(pb.DT_FLOAT, float_val=[value])
        return pb.summary(pb.summary_value(name, tensor=proto, metadata=pb.summary_metadata("scalars")))
    return pb.summary(pb.summary_value(name, simple_value=value))


def _tensor_proto_fields(arr: np.ndarray):
    """``(DataType, keyword of tensor_proto, flat values)`` for an array, as torch's ``_TENSOR_TYPE_MAP``."""
    name = arr.dtype.name
    flat = arr.reshape(-1)
    if name in ("float16", "bfloat16"):
        return (pb.DT_HALF if name == "float16" else pb.DT_BFLOAT16), "half_val", [
            half_to_int(v) for v in flat.astype(np.float32).tolist()]
    if name in ("complex64", "complex128"):
        real = np.stack([flat.real, flat.imag], axis=-1).reshape(-1)
        return (pb.DT_COMPLEX64, "scomplex_val", real) if name == "complex64" else (
            pb.DT_COMPLEX128, "dcomplex_val", real)
    table = {
        "float32": (pb.DT_FLOAT, "float_val"), "float64": (pb.DT_DOUBLE, "double_val"),
        "int8": (pb.DT_INT8, "int_val"), "uint8": (pb.DT_UINT8, "uint32_val"), "int16": (pb.DT_INT16, "int_val"),
        "int32": (pb.DT_INT32, "int_val"), "int64": (pb.DT_INT64, "int64_val"), "bool": (pb.DT_BOOL, "bool_val"),
    }
    if name not in table:
        return None
    dtype, field = table[name]
    return dtype, field, flat if field in ("float_val", "double_val") else flat.tolist()


def tensor_proto(tag: str, tensor) -> bytes:
    """A ``Summary`` holding the whole tensor as a ``TensorProto`` (plugin ``tensor``)."""
    arr = np.asarray(tensor) if np.isscalar(tensor) else make_np(tensor)
    if arr.size * arr.itemsize >= (1 << 31):
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    fields = _tensor_proto_fields(arr)
    if fields is None:
        raise ValueError(f"{tag} has unsupported tensor dtype {getattr(tensor, 'dtype', arr.dtype)}")
    dtype, field, values = fields
    proto = pb.tensor_proto(dtype, list(arr.shape), **{field: values})
    return pb.summary(pb.summary_value(tag, tensor=proto, metadata=pb.summary_metadata("tensor")))


def histogram_raw(name: str, min, max, num, sum, sum_squares, bucket_limits, bucket_counts) -> bytes:  # noqa: A002
    """A ``Summary`` with a ``HistogramProto`` given directly."""
    histo = pb.histogram_proto(min, max, num, sum, sum_squares, _as_float_list(bucket_limits),
                               _as_float_list(bucket_counts))
    return pb.summary(pb.summary_value(name, histo=histo))


def _as_float_list(values) -> np.ndarray:
    return np.asarray(make_np(values) if not isinstance(values, (list, tuple)) else values, dtype=np.float64)


def histogram(name: str, values, bins, max_bins: int | None = None) -> bytes:
    """A ``Summary`` with the histogram of ``values`` (any shape) over ``bins`` (NumPy's ``bins`` argument)."""
    values = make_np(values)
    return pb.summary(pb.summary_value(name, histo=make_histogram(values.astype(float), bins, max_bins)))


def make_histogram(values: np.ndarray, bins, max_bins: int | None = None) -> bytes:
    """``HistogramProto`` bytes from ``np.histogram``, with torch's bucket trimming and ``max_bins`` merging."""
    if values.size == 0:
        raise ValueError("The input has no element.")
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    num_bins = len(counts)
    if max_bins is not None and num_bins > max_bins:
        subsampling = num_bins // max_bins
        subsampling_remainder = num_bins % subsampling
        if subsampling_remainder != 0:
            counts = np.pad(counts, pad_width=[[0, subsampling - subsampling_remainder]], mode="constant",
                            constant_values=0)
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        new_limits = np.empty((counts.size + 1,), limits.dtype)
        new_limits[:-1] = limits[:-1:subsampling]
        new_limits[-1] = limits[-1]
        limits = new_limits
    # Find the first and the last bin defining the support of the histogram.
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start = int(start)
    end = int(end) + 1
    del cum_counts
    # TensorBoard only includes the right bin limits. To still have the leftmost limit included, a zero
    # count is added on the left (as torch does).
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError("The histogram is empty, please file a bug report.")
    sum_sq = values.dot(values)
    return pb.histogram_proto(values.min(), values.max(), len(values), values.sum(), sum_sq, limits, counts)


def _calc_scale_factor(arr: np.ndarray) -> int:
    return 1 if arr.dtype == np.uint8 else 255


def image(tag: str, tensor, rescale: float = 1, dataformats: str = "NCHW") -> bytes:
    """A ``Summary`` with one PNG image; float images are scaled by 255, ``uint8`` ones kept; clipped to [0, 255]."""
    arr = make_np(tensor)
    arr = convert_to_HWC(arr, dataformats)
    scale_factor = _calc_scale_factor(arr)
    arr = arr.astype(np.float32)
    arr = (arr * scale_factor).clip(0, 255).astype(np.uint8)
    return pb.summary(pb.summary_value(tag, image=make_image(arr, rescale=rescale)))


def make_image(tensor: np.ndarray, rescale: float = 1, rois=None, labels=None) -> bytes:
    """``Summary.Image`` bytes of an ``H x W x C`` uint8 array (PNG-encoded)."""
    if rescale != 1 or rois is not None:
        raise NotImplementedError(
            "minitorch's tensorboard writer encodes images as they are: rescaling and drawing boxes "
            "need an image library (PIL), which minitorch does not use"
        )
    height, width, channel = tensor.shape
    return pb.image_proto(height, width, channel, encode_png(np.ascontiguousarray(tensor)))


def audio(tag: str, tensor, sample_rate: int = 44100) -> bytes:
    """A ``Summary`` with a mono 16-bit WAV clip of ``tensor`` (values in [-1, 1], clipped otherwise)."""
    array = make_np(tensor)
    array = array.squeeze()
    if abs(array).max() > 1:
        print("warning: audio amplitude out of range, auto clipped.")
        array = array.clip(-1, 1)
    if array.ndim != 1:
        raise AssertionError("input tensor should be 1 dimensional.")
    array = (array * np.iinfo(np.int16).max).astype("<i2")
    fio = io.BytesIO()
    with wave.open(fio, "wb") as wave_write:
        wave_write.setnchannels(1)
        wave_write.setsampwidth(2)
        wave_write.setframerate(sample_rate)
        wave_write.writeframes(array.data)
    audio_proto = pb.audio_proto(sample_rate, 1, array.shape[-1], fio.getvalue(), "audio/wav")
    return pb.summary(pb.summary_value(tag, audio=audio_proto))


def custom_scalars(layout: dict) -> bytes:
    """The ``custom_scalars__config__`` ``Summary``: a serialized ``Layout`` of Multiline / Margin charts."""
    categories = []
    for k, v in layout.items():
        charts = []
        for chart_name, chart_metadata in v.items():
            tags = chart_metadata[1]
            if chart_metadata[0] == "Margin":
                if len(tags) != 3:
                    raise AssertionError("len(tags) != 3")
                series = pb.f_bytes(1, tags[0]) + pb.f_bytes(2, tags[1]) + pb.f_bytes(3, tags[2])
                chart = pb.f_bytes(1, chart_name) + pb.f_message(3, pb.f_message(1, series))
            else:
                multiline = b"".join(pb.f_bytes(1, t, always=True) for t in tags)
                chart = pb.f_bytes(1, chart_name) + pb.f_message(2, multiline)
            charts.append(pb.f_message(2, chart))
        categories.append(pb.f_message(2, pb.f_bytes(1, k) + b"".join(charts)))
    layout_bytes = b"".join(categories)  # Layout{version=1 (0, left out), category=2}
    proto = pb.tensor_proto(pb.DT_STRING, [], string_val=[layout_bytes])
    return pb.summary(pb.summary_value("custom_scalars__config__", tensor=proto,
                                       metadata=pb.summary_metadata("custom_scalars")))


def text(tag: str, text: str) -> bytes:
    """A ``Summary`` for the text plugin: tag ``<tag>/text_summary``, a 1-element string tensor."""
    proto = pb.tensor_proto(pb.DT_STRING, [1], string_val=[text.encode(encoding="utf_8")])
    # TextPluginData(version=0) serializes to no bytes at all.
    return pb.summary(pb.summary_value(tag + "/text_summary", tensor=proto, metadata=pb.summary_metadata("text")))


def _pr_summary(tag: str, data: np.ndarray, num_thresholds: int) -> bytes:
    content = pb.f_varint(2, num_thresholds)  # PrCurvePluginData{version=1 (0), num_thresholds=2}
    proto = pb.tensor_proto(pb.DT_FLOAT, [data.shape[0], data.shape[1]], float_val=data.reshape(-1))
    return pb.summary(pb.summary_value(tag, tensor=proto, metadata=pb.summary_metadata("pr_curves", content)))


def pr_curve_raw(tag: str, tp, fp, tn, fn, precision, recall, num_thresholds: int = 127, weights=None) -> bytes:
    """A precision-recall curve ``Summary`` from precomputed counts."""
    if num_thresholds > 127:  # torch: "weird, value > 127 breaks protobuf"
        num_thresholds = 127
    data = np.stack([make_np(x) if not isinstance(x, (list, tuple)) else np.asarray(x)
                     for x in (tp, fp, tn, fn, precision, recall)])
    return _pr_summary(tag, data, num_thresholds)


def pr_curve(tag: str, labels, predictions, num_thresholds: int = 127, weights=None) -> bytes:
    """A precision-recall curve ``Summary`` computed from binary ``labels`` and ``predictions`` in [0, 1]."""
    num_thresholds = min(num_thresholds, 127)
    data = compute_curve(labels, predictions, num_thresholds=num_thresholds, weights=weights)
    return _pr_summary(tag, data, num_thresholds)


def compute_curve(labels, predictions, num_thresholds=None, weights=None) -> np.ndarray:
    """``(6, num_thresholds)``: tp, fp, tn, fn, precision, recall per threshold bucket (torch's formula)."""
    _MINIMUM_COUNT = 1e-7
    if weights is None:
        weights = 1.0
    bucket_indices = np.int32(np.floor(predictions * (num_thresholds - 1)))
    float_labels = labels.astype(np.float64)
    histogram_range = (0, num_thresholds - 1)
    tp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=float_labels * weights)
    fp_buckets, _ = np.histogram(bucket_indices, bins=num_thresholds, range=histogram_range,
                                 weights=(1.0 - float_labels) * weights)
    tp = np.cumsum(tp_buckets[::-1])[::-1]
    fp = np.cumsum(fp_buckets[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(_MINIMUM_COUNT, tp + fp)
    recall = tp / np.maximum(_MINIMUM_COUNT, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def _hparams_summary(tag: str, data_field: int, data: bytes) -> bytes:
    """Summary.Value(tag, metadata=hparams plugin with HParamsPluginData{version=1, <data_field>=data})."""
    content = pb.f_varint(1, HPARAMS_PLUGIN_DATA_VERSION) + pb.f_message(data_field, data)
    return pb.summary(pb.summary_value(tag, metadata=pb.summary_metadata(HPARAMS_PLUGIN_NAME, content)))


def hparams(hparam_dict=None, metric_dict=None, hparam_domain_discrete=None) -> tuple[bytes, bytes, bytes]:
    """The three ``Summary`` messages of the hparams plugin: ``(experiment, session_start_info,
    session_end_info)``, encoded as torch's ``summary.hparams`` builds them (a ``bool`` hparam is an
    ``int``, so it is logged as a FLOAT64 number, as in torch)."""
    from ...tensor import Tensor

    if not isinstance(hparam_dict, dict):
        logger.warning("parameter: hparam_dict should be a dictionary, nothing logged.")
        raise TypeError("parameter: hparam_dict should be a dictionary, nothing logged.")
    if not isinstance(metric_dict, dict):
        logger.warning("parameter: metric_dict should be a dictionary, nothing logged.")
        raise TypeError("parameter: metric_dict should be a dictionary, nothing logged.")
    hparam_domain_discrete = hparam_domain_discrete or {}
    if not isinstance(hparam_domain_discrete, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in hparam_domain_discrete.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(isinstance(d, type(hparam_dict[k])) for d in v):
            raise TypeError(
                f"parameter: hparam_domain_discrete[{k}] should be a list of same type as hparam_dict[{k}]."
            )
    infos = []  # HParamInfo{name=1, type=4, domain_discrete=5}
    entries = []  # SessionStartInfo.hparams map entries {key=1, value=2}
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, (int, float)):
            kind, value, dtype = "number", float(v), DATA_TYPE_FLOAT64
        elif isinstance(v, str):
            kind, value, dtype = "string", v, DATA_TYPE_STRING
        elif isinstance(v, bool):  # unreachable (bool is an int), kept as torch has it
            kind, value, dtype = "bool", v, DATA_TYPE_BOOL
        elif isinstance(v, (Tensor, np.ndarray, np.generic)):
            kind, value, dtype = "number", float(make_np(v).reshape(-1)[0]), DATA_TYPE_FLOAT64
            hparam_domain_discrete = {key: d for key, d in hparam_domain_discrete.items() if key != k}
        else:
            raise ValueError("value should be one of int, float, str, bool, or torch.Tensor")
        entries.append(pb.f_message(1, pb.f_bytes(1, k, always=True) + pb.f_message(2, pb.struct_value(value))))
        info = pb.f_bytes(1, k) + pb.f_varint(4, dtype)
        if k in hparam_domain_discrete:
            convert = float if kind == "number" else (lambda d: d)
            info += pb.f_message(5, pb.list_value(pb.struct_value(convert(d)) for d in hparam_domain_discrete[k]))
        infos.append(pb.f_message(4, info))
    ssi = _hparams_summary(SESSION_START_INFO_TAG, 3, b"".join(entries))
    metrics = b"".join(pb.f_message(5, pb.f_message(1, pb.f_bytes(2, k))) for k in metric_dict)
    exp = _hparams_summary(EXPERIMENT_TAG, 2, b"".join(infos) + metrics)
    sei = _hparams_summary(SESSION_END_INFO_TAG, 4, pb.f_varint(1, STATUS_SUCCESS))
    return exp, ssi, sei
