"""``SummaryWriter``: TensorBoard event files written without TensorBoard (torch's ``tensorboard.writer``).

An event file is a sequence of TFRecords (see ``_record``), each holding one serialized ``Event``
(see ``_proto``); the first one carries ``file_version = "brain.Event:2"``. Records are encoded on the
calling thread and appended to a buffered file; the file is flushed every ``max_queue`` events, by a
small daemon thread every ``flush_secs`` seconds while events are pending, and on ``flush()`` /
``close()`` (and at interpreter exit for writers left open).
"""
from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import weakref

from . import _proto as pb
from ._record import encode_record
from .summary import (
    audio,
    custom_scalars,
    histogram,
    histogram_raw,
    hparams,
    image,
    pr_curve,
    pr_curve_raw,
    scalar,
    tensor_proto,
    text,
)

__all__ = ["FileWriter", "SummaryWriter"]

_global_uid = itertools.count()
_uid_lock = threading.Lock()
_SESSION_START = 1


class _Sink:
    """The open file and its flush bookkeeping; shared with the flusher thread (which never sees the writer)."""

    def __init__(self, path: str, max_queue: int, flush_secs: float) -> None:
        self.file = open(path, "wb")  # noqa: SIM115 (closed by close())
        self.lock = threading.Lock()
        self.max_queue = max(int(max_queue), 1)
        self.flush_secs = flush_secs
        self.pending = 0
        self.closed = False
        self.wake = threading.Event()
        self.thread = None
        if flush_secs is not None and flush_secs > 0:
            self.thread = threading.Thread(target=self._run, name="minitorch-tensorboard-flush", daemon=True)
            self.thread.start()
        else:  # no period: every event goes to disk at once
            self.max_queue = 1

    def write(self, record: bytes) -> None:
        with self.lock:
            if self.closed:
                raise OSError("Writer is closed")
            self.file.write(record)
            self.pending += 1
            if self.pending >= self.max_queue:
                self._flush_locked()

    def _flush_locked(self) -> None:
        self.file.flush()
        self.pending = 0

    def flush(self) -> None:
        with self.lock:
            if self.closed:
                raise OSError("Writer is closed")
            self._flush_locked()

    def _run(self) -> None:
        while not self.wake.wait(self.flush_secs):
            with self.lock:
                if self.closed:
                    return
                if self.pending:
                    self._flush_locked()

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
            self._flush_locked()
            self.file.close()
        self.wake.set()
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join()


class EventFileWriter:
    """Creates ``events.out.tfevents.<time>.<host>.<pid>.<n><suffix>`` in ``logdir`` and appends Events to it."""

    def __init__(self, logdir: str, max_queue_size: int = 10, flush_secs: float = 120, filename_suffix: str = ""):
        self._logdir = logdir
        os.makedirs(logdir, exist_ok=True)
        with _uid_lock:
            uid = next(_global_uid)
        self._file_name = os.path.join(
            logdir, f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.{uid}"
        ) + filename_suffix
        self._sink = _Sink(self._file_name, max_queue_size, flush_secs)
        self._finalizer = weakref.finalize(self, self._sink.close)  # also runs at interpreter exit
        self.add_event(pb.event(time.time(), file_version="brain.Event:2",
                                source_writer="minitorch.utils.tensorboard"))
        self.flush()

    def get_logdir(self) -> str:
        return self._logdir

    def get_filename(self) -> str:
        return self._file_name

    def add_event(self, event: bytes) -> None:
        """Append one serialized ``Event``."""
        if not isinstance(event, (bytes, bytearray)):
            raise TypeError(f"Expected a serialized Event (bytes), but got {type(event)}")
        self._sink.write(encode_record(bytes(event)))

    def flush(self) -> None:
        self._sink.flush()

    def close(self) -> None:
        self._finalizer()


class FileWriter:
    """Writes Events to one event file in ``log_dir`` (torch's ``FileWriter``; events are bytes here)."""

    def __init__(self, log_dir, max_queue: int = 10, flush_secs: float = 120, filename_suffix: str = "") -> None:
        log_dir = str(log_dir)
        self._args = (log_dir, max_queue, flush_secs, filename_suffix)
        self.event_writer = EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)

    def get_logdir(self) -> str:
        """Return the directory where event file will be written."""
        return self.event_writer.get_logdir()

    def add_event(self, event: bytes, step: int | None = None, walltime: float | None = None) -> None:
        """Add a serialized ``Event`` whose ``wall_time`` (now, or ``walltime``) and ``step`` are set here.

        ``event`` holds the Event's other fields (e.g. ``_proto.event(0, summary=...)`` or any serialized
        Event without wall time); protobuf readers take the last value of a repeated scalar field, so the
        ``wall_time``/``step`` written after it win.
        """
        wall_time = time.time() if walltime is None else walltime
        tail = pb.f_double(1, wall_time) + (pb.f_varint(2, int(step)) if step is not None else b"")
        self.event_writer.add_event(bytes(event) + tail)

    def add_summary(self, summary: bytes, global_step: int | None = None, walltime: float | None = None) -> None:
        """Add a serialized ``Summary`` wrapped in an Event."""
        wall_time = time.time() if walltime is None else walltime
        self.event_writer.add_event(pb.event(wall_time, global_step, summary=summary))

    def flush(self) -> None:
        """Flushes the event file to disk."""
        self.event_writer.flush()

    def close(self) -> None:
        """Flushes the event file to disk and close the file."""
        self.event_writer.close()

    def reopen(self) -> None:
        """After ``close()``, continue in a new event file in the same directory (no-op while open)."""
        if self.event_writer._sink.closed:
            self.event_writer = EventFileWriter(*self._args)


class SummaryWriter:
    """Writes entries directly to event files in the log_dir to be consumed by TensorBoard.

    Same constructor and methods as ``torch.utils.tensorboard.SummaryWriter``; the files are
    written by minitorch itself (protobuf + TFRecord encoding by hand), so neither tensorboard nor
    protobuf is needed to log. ``add_graph``, ``add_onnx_graph``, ``add_video``, ``add_mesh`` and
    ``add_image_with_boxes`` raise ``NotImplementedError`` (see their messages).
    """

    def __init__(self, log_dir=None, comment: str = "", purge_step: int | None = None, max_queue: int = 10,
                 flush_secs: int = 120, filename_suffix: str = "") -> None:
        if not log_dir:
            from datetime import datetime

            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = log_dir
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer = self.all_writers = None
        self._get_file_writer()
        # Default histogram bins (tensorflow/tensorboard's generate_testdata.py): +-1e-12 * 1.1**k up to 1e20.
        v = 1e-12
        buckets = []
        neg_buckets = []
        while v < 1e20:
            buckets.append(v)
            neg_buckets.append(-v)
            v *= 1.1
        self.default_bins = neg_buckets[::-1] + [0] + buckets

    def _get_file_writer(self) -> FileWriter:
        """Return the default FileWriter instance. Recreates it if closed."""
        if self.all_writers is None or self.file_writer is None:
            self.file_writer = FileWriter(self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix)
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                most_recent_step = self.purge_step
                self.file_writer.add_event(pb.event(0, file_version="brain.Event:2"), most_recent_step)
                self.file_writer.add_event(pb.event(0, session_log=pb.session_log(_SESSION_START)),
                                           most_recent_step)
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> str:
        """Return the directory where event files will be written."""
        return self.log_dir

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None,
                    global_step=None) -> None:
        """Add a set of hyperparameters (and final metrics) to be compared in TensorBoard's HPARAMS tab.

        Writes, as torch does, into the sub-run ``<log_dir>/<run_name or time.time()>``: the hparams
        plugin's experiment / session-start / session-end summaries, then ``add_scalar`` of each metric.
        """
        if type(hparam_dict) is not dict or type(metric_dict) is not dict:
            raise TypeError("hparam_dict and metric_dict should be dictionary.")
        exp, ssi, sei = hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w_hp:
            w_hp.file_writer.add_summary(exp, global_step)
            w_hp.file_writer.add_summary(ssi, global_step)
            w_hp.file_writer.add_summary(sei, global_step)
            for k, v in metric_dict.items():
                w_hp.add_scalar(k, v, global_step)

    def add_scalar(self, tag: str, scalar_value, global_step=None, walltime=None, new_style: bool = False,
                   double_precision: bool = False) -> None:
        """Add scalar data (a Python/NumPy number or a one-element Tensor) to summary."""
        summary = scalar(tag, scalar_value, new_style=new_style, double_precision=double_precision)
        self._get_file_writer().add_summary(summary, global_step, walltime)

    def add_scalars(self, main_tag: str, tag_scalar_dict: dict, global_step=None, walltime=None) -> None:
        """Add many scalars under ``main_tag``: each key goes to the sub-run ``<log_dir>/<main_tag>_<key>``."""
        walltime = time.time() if walltime is None else walltime
        fw_logdir = self._get_file_writer().get_logdir()
        for tag, scalar_value in tag_scalar_dict.items():
            fw_tag = fw_logdir + "/" + main_tag.replace("/", "_") + "_" + tag
            if self.all_writers is None:
                raise AssertionError("self.all_writers is None")
            if fw_tag in self.all_writers:
                fw = self.all_writers[fw_tag]
            else:
                fw = FileWriter(fw_tag, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[fw_tag] = fw
            fw.add_summary(scalar(main_tag, scalar_value), global_step, walltime)

    def add_tensor(self, tag: str, tensor, global_step=None, walltime=None) -> None:
        """Add a whole tensor (as a ``TensorProto``) to summary."""
        self._get_file_writer().add_summary(tensor_proto(tag, tensor), global_step, walltime)

    def add_histogram(self, tag: str, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None) -> None:
        """Add a histogram of ``values`` (Tensor, NumPy array or list); ``bins`` as ``numpy.histogram``'s or
        ``'tensorflow'`` (TensorBoard's exponential default buckets)."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._get_file_writer().add_summary(histogram(tag, values, bins, max_bins=max_bins), global_step, walltime)

    def add_histogram_raw(self, tag: str, min, max, num, sum, sum_squares, bucket_limits, bucket_counts,  # noqa: A002
                          global_step=None, walltime=None) -> None:
        """Add a histogram given by its statistics and buckets (upper limit per bucket)."""
        if len(bucket_limits) != len(bucket_counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        self._get_file_writer().add_summary(
            histogram_raw(tag, min, max, num, sum, sum_squares, bucket_limits, bucket_counts), global_step, walltime
        )

    def add_image(self, tag: str, img_tensor, global_step=None, walltime=None, dataformats: str = "CHW") -> None:
        """Add an image (``CHW`` by default; ``HWC``, ``HW``, ... via ``dataformats``), PNG-encoded.

        Float images are multiplied by 255, ``uint8`` ones taken as they are; clipped to [0, 255].
        """
        self._get_file_writer().add_summary(image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_images(self, tag: str, img_tensor, global_step=None, walltime=None, dataformats: str = "NCHW") -> None:
        """Add a batch of images, tiled into one grid of up to 8 columns (``NCHW`` by default)."""
        self._get_file_writer().add_summary(image(tag, img_tensor, dataformats=dataformats), global_step, walltime)

    def add_image_with_boxes(self, tag, img_tensor, box_tensor, global_step=None, walltime=None, rescale=1,
                             dataformats="CHW", labels=None) -> None:
        raise NotImplementedError(
            "add_image_with_boxes is not available in minitorch: drawing the boxes and labels needs PIL's "
            "ImageDraw and fonts; draw them into the image yourself and use add_image"
        )

    def add_figure(self, tag: str, figure, global_step=None, close: bool = True, walltime=None) -> None:
        """Render a matplotlib figure (or a list of figures) into an image and add it (needs matplotlib)."""
        if isinstance(figure, list):
            self.add_image(tag, _figure_to_image(figure, close), global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, _figure_to_image(figure, close), global_step, walltime, dataformats="CHW")

    def add_video(self, tag, vid_tensor, global_step=None, fps=4, walltime=None) -> None:
        raise NotImplementedError(
            "add_video is not available in minitorch: torch encodes the GIF with moviepy, which minitorch "
            "does not use; log frames with add_images instead"
        )

    def add_audio(self, tag: str, snd_tensor, global_step=None, sample_rate: int = 44100, walltime=None) -> None:
        """Add a mono clip (values in [-1, 1]) as a 16-bit WAV."""
        self._get_file_writer().add_summary(audio(tag, snd_tensor, sample_rate=sample_rate), global_step, walltime)

    def add_text(self, tag: str, text_string: str, global_step=None, walltime=None) -> None:
        """Add text (markdown) data to summary."""
        self._get_file_writer().add_summary(text(tag, text_string), global_step, walltime)

    def add_onnx_graph(self, prototxt) -> None:
        raise NotImplementedError(
            "add_onnx_graph is not available in minitorch: it needs the onnx package to read the model"
        )

    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True) -> None:
        raise NotImplementedError(
            "add_graph is not available in minitorch: torch builds the graph from a TorchScript trace "
            "(torch.jit._get_trace_graph), and minitorch records no TorchScript graph (its jit.trace just runs "
            "the model); minitorch.viz draws autograd graphs instead"
        )

    @staticmethod
    def _encode(rawstr: str) -> str:
        """Percent-encode ``%``, ``/`` and ``\\`` so a tag is one directory name (as torch)."""
        retval = rawstr
        retval = retval.replace("%", f"%{ord('%'):02x}")
        retval = retval.replace("/", f"%{ord('/'):02x}")
        retval = retval.replace("\\", f"%{ord(chr(92)):02x}")
        return retval

    def add_embedding(self, mat, metadata=None, label_img=None, global_step=None, tag="default",
                      metadata_header=None) -> None:
        """Add embedding projector data: ``<log_dir>/<step:05d>/<tag>/`` gets ``tensors.tsv`` (``mat``, N x D),
        ``metadata.tsv`` (labels, optional multi-column with ``metadata_header``) and ``sprite.png``
        (``label_img``, N x C x H x W); ``<log_dir>/projector_config.pbtxt`` lists every embedding added."""
        from ._convert import make_np
        from ._embedding import embedding_info, make_mat, make_sprite, make_tsv, projector_config_pbtxt

        mat = make_np(mat)
        if global_step is None:
            global_step = 0
        subdir = f"{str(global_step).zfill(5)}/{self._encode(tag)}"
        save_path = os.path.join(self._get_file_writer().get_logdir(), subdir)
        if os.path.exists(save_path):
            if os.path.isdir(save_path):
                print("warning: Embedding dir exists, did you set global_step for add_embedding()?")
            else:
                raise NotADirectoryError(f"Path: `{save_path}` exists, but is a file. Cannot proceed.")
        else:
            os.makedirs(save_path)
        if metadata is not None:
            if mat.shape[0] != len(metadata):
                raise AssertionError("#labels should equal with #data points")
            make_tsv(metadata, save_path, metadata_header=metadata_header)
        if label_img is not None:
            if mat.shape[0] != label_img.shape[0]:
                raise AssertionError("#images should equal with #data points")
            make_sprite(label_img, save_path)
        if mat.ndim != 2:
            raise AssertionError("mat should be 2D, where mat.size(0) is the number of data points")
        make_mat(mat, save_path)
        if not hasattr(self, "_projector_config"):
            self._projector_config = []
        self._projector_config.append(embedding_info(metadata, label_img, subdir, global_step, tag))
        path = os.path.join(self._get_file_writer().get_logdir(), "projector_config.pbtxt")
        with open(path, "wb") as f:
            f.write(projector_config_pbtxt(self._projector_config).encode("utf-8"))

    def add_pr_curve(self, tag: str, labels, predictions, global_step=None, num_thresholds: int = 127,
                     weights=None, walltime=None) -> None:
        """Add a precision-recall curve from binary ``labels`` and ``predictions`` in [0, 1]."""
        from ._convert import make_np

        labels, predictions = make_np(labels), make_np(predictions)
        self._get_file_writer().add_summary(
            pr_curve(tag, labels, predictions, num_thresholds, weights), global_step, walltime
        )

    def add_pr_curve_raw(self, tag: str, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, global_step=None, num_thresholds: int = 127,
                         weights=None, walltime=None) -> None:
        """Add a precision-recall curve from precomputed counts, precision and recall."""
        self._get_file_writer().add_summary(
            pr_curve_raw(tag, true_positive_counts, false_positive_counts, true_negative_counts,
                         false_negative_counts, precision, recall, num_thresholds, weights),
            global_step, walltime,
        )

    def add_custom_scalars_multilinechart(self, tags, category: str = "default", title: str = "untitled") -> None:
        """Shorthand for a custom-scalars layout with one Multiline chart of ``tags``."""
        layout = {category: {title: ["Multiline", tags]}}
        self._get_file_writer().add_summary(custom_scalars(layout))

    def add_custom_scalars_marginchart(self, tags, category: str = "default", title: str = "untitled") -> None:
        """Shorthand for a custom-scalars layout with one Margin chart of 3 ``tags`` (value, lower, upper)."""
        if len(tags) != 3:
            raise AssertionError(f"Expected 3 tags, got {len(tags)}.")
        layout = {category: {title: ["Margin", tags]}}
        self._get_file_writer().add_summary(custom_scalars(layout))

    def add_custom_scalars(self, layout: dict) -> None:
        """Create charts that collect ``add_scalar`` tags: ``{category: {chart: ['Multiline'|'Margin', tags]}}``."""
        self._get_file_writer().add_summary(custom_scalars(layout))

    def add_mesh(self, tag, vertices, colors=None, faces=None, config_dict=None, global_step=None,
                 walltime=None) -> None:
        raise NotImplementedError("add_mesh is not available in minitorch's SummaryWriter")

    def flush(self) -> None:
        """Flushes the event files to disk."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        """Flush and close every event file (a later ``add_*`` opens a new file)."""
        if self.all_writers is None:
            return  # ignore double close
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> SummaryWriter:
        return self

    def __exit__(self, exc_type, exc_val, exc_tb) -> None:
        self.close()


def _figure_to_image(figures, close: bool = True):
    """Render matplotlib figure(s) to a CHW (or NCHW) uint8 array."""
    import matplotlib.backends.backend_agg as plt_backend_agg
    import matplotlib.pyplot as plt
    import numpy as np

    def render_to_rgb(figure):
        canvas = plt_backend_agg.FigureCanvasAgg(figure)
        canvas.draw()
        data = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8)
        w, h = figure.canvas.get_width_height()
        image_hwc = data.reshape([h, w, 4])[:, :, 0:3]
        image_chw = np.moveaxis(image_hwc, source=2, destination=0)
        if close:
            plt.close(figure)
        return image_chw

    if isinstance(figures, list):
        return np.stack([render_to_rgb(figure) for figure in figures])
    return render_to_rgb(figures)
