"""``minitorch.utils.tensorboard.SummaryWriter`` against ``torch.utils.tensorboard.SummaryWriter``.

Both writers log the same data (same steps and wall times) into separate directories of ``tmp_path``;
the files are read back with TensorBoard's own record reader (which verifies both CRC-32Cs of every
record) and protobuf classes, and the decoded events are compared: tags, steps, values, histogram
buckets, image sizes and decoded pixels, text, hparams plugin data. For the message kinds whose
bytes do not depend on an encoder's choices (everything but PNG images and hparams maps), the record
payloads must be byte-identical to torch's.
"""
import glob
import io
import os
import re
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

pytest.importorskip("tensorboard")
torch = pytest.importorskip("torch")
from tensorboard.compat.proto import event_pb2  # noqa: E402
from tensorboard.compat.tensorflow_stub import errors as tb_errors  # noqa: E402
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import PyRecordReader_New  # noqa: E402
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c as tb_masked_crc32c  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

import minitorch  # noqa: E402
from minitorch.utils.tensorboard import SummaryWriter  # noqa: E402
from minitorch.utils.tensorboard._crc32c import crc32c, masked_crc32c  # noqa: E402
from minitorch.utils.tensorboard._png import encode_png  # noqa: E402
from minitorch.utils.tensorboard._record import encode_record, read_records  # noqa: E402
from tests.helpers import devices  # noqa: E402

WALL = 1700000000.25


def event_files(logdir):
    return sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))


def tb_records(path):
    """Payloads of every record of ``path``, read by TensorBoard's reader (raises DataLossError on a bad CRC)."""
    reader = PyRecordReader_New(str(path))
    out = []
    while True:
        try:
            reader.GetNext()
        except tb_errors.OutOfRangeError:
            return out
        out.append(reader.record())


def read_dir(logdir):
    """``[(payload bytes, Event)]`` of the one event file in ``logdir``, without its file_version record."""
    files = event_files(logdir)
    assert len(files) == 1, files
    payloads = tb_records(files[0])
    first = event_pb2.Event.FromString(payloads[0])
    assert first.file_version == "brain.Event:2"
    return [(p, event_pb2.Event.FromString(p)) for p in payloads[1:]]


def log_both(tmp_path, fn_mt, fn_torch=None, **kwargs):
    """Run ``fn(writer)`` with a minitorch writer and a torch writer; return both logdirs."""
    d_mt, d_t = tmp_path / "mt", tmp_path / "torch"
    with SummaryWriter(str(d_mt), **kwargs) as w:
        fn_mt(w)
    with TorchWriter(str(d_t), **kwargs) as w:
        (fn_torch or fn_mt)(w)
    return d_mt, d_t


def assert_same_events(d_mt, d_t, same_bytes=True):
    mine, theirs = read_dir(d_mt), read_dir(d_t)
    assert len(mine) == len(theirs)
    for (pm, em), (pt, et) in zip(mine, theirs):
        assert em == et, f"\n{em}\n!=\n{et}"
        if same_bytes:
            assert pm == pt
    return [e for _, e in mine]


# ---------------------------------------------------------------- checksums and framing


def test_crc32c_known_value_and_tensorboards_masked_crc():
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(b"") == 0
    rng = np.random.default_rng(0)
    for n in [1, 7, 100, 2047, 2048, 2049, 4096, 10007, 65536, 300001]:
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert masked_crc32c(data) == tb_masked_crc32c(data), n


def test_record_framing_is_read_by_tensorboard(tmp_path):
    payloads = [b"", b"x", bytes(range(256)) * 40]
    path = tmp_path / "records"
    path.write_bytes(b"".join(encode_record(p) for p in payloads))
    assert tb_records(path) == payloads
    assert list(read_records(str(path))) == payloads


@pytest.mark.parametrize("where", ["header", "header_crc", "payload", "payload_crc"])
def test_a_corrupted_byte_is_detected(tmp_path, where):
    with SummaryWriter(str(tmp_path / "run")) as w:
        w.add_scalar("loss", 0.5, 3)
    (path,) = event_files(tmp_path / "run")
    tb_records(path)  # intact: reads
    data = bytearray(open(path, "rb").read())
    first_len = int.from_bytes(data[:8], "little")
    second = 8 + 4 + first_len + 4  # the add_scalar record
    offset = {"header": second + 1, "header_crc": second + 9, "payload": second + 12 + 5,
              "payload_crc": len(data) - 2}[where]
    data[offset] ^= 0x40
    open(path, "wb").write(bytes(data))
    with pytest.raises((tb_errors.DataLossError, OSError)):
        tb_records(path)
    with pytest.raises(OSError, match="crc32c mismatch|truncated"):
        list(read_records(path))


def test_png_encoder_round_trips_through_pillow():
    Image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(1)
    for shape in [(5, 7), (5, 7, 1), (4, 3, 2), (6, 9, 3), (2, 8, 4), (1, 1, 3)]:
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        decoded = np.asarray(Image.open(io.BytesIO(encode_png(img))))
        assert decoded.shape == (shape[:2] if len(shape) == 2 or shape[2] == 1 else shape)
        np.testing.assert_array_equal(decoded.reshape(img.shape), img)


# ---------------------------------------------------------------- files and directories


def test_file_name_and_first_event(tmp_path):
    w = SummaryWriter(str(tmp_path), filename_suffix=".v2")
    w.close()
    (path,) = event_files(tmp_path)
    name = os.path.basename(path)
    assert re.fullmatch(rf"events\.out\.tfevents\.\d{{10}}\.{re.escape(socket.gethostname())}\.{os.getpid()}\.\d+\.v2",
                        name), name
    (payload,) = tb_records(path)
    ev = event_pb2.Event.FromString(payload)
    assert ev.file_version == "brain.Event:2" and abs(ev.wall_time - time.time()) < 60
    assert w.get_logdir() == str(tmp_path)


def test_default_log_dir_is_runs_datetime_hostname_comment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = SummaryWriter(comment="_lr0.1")
    w.close()
    logdir = w.get_logdir()
    assert re.fullmatch(rf"runs{re.escape(os.sep)}[A-Z][a-z]{{2}}\d\d_\d\d-\d\d-\d\d_"
                        rf"{re.escape(socket.gethostname())}_lr0\.1", logdir), logdir
    assert len(event_files(tmp_path / logdir)) == 1


def test_nothing_leaks_into_the_working_directory(tmp_path):
    before = set(os.listdir("."))
    with SummaryWriter(str(tmp_path / "x")) as w:
        w.add_scalar("a", 1.0)
    assert set(os.listdir(".")) == before


def test_flush_makes_events_readable_and_close_is_idempotent(tmp_path):
    w = SummaryWriter(str(tmp_path), max_queue=1000, flush_secs=1000)
    w.add_scalar("a", 1.0, 1)
    w.flush()
    assert len(tb_records(event_files(tmp_path)[0])) == 2
    w.close()
    w.close()
    w.add_scalar("a", 2.0, 2)  # a closed writer opens a new file, as torch's does
    w.close()
    assert len(event_files(tmp_path)) == 2


def test_max_queue_and_flush_secs_flush_on_their_own(tmp_path):
    w = SummaryWriter(str(tmp_path / "q"), max_queue=3, flush_secs=1000)
    for i in range(3):
        w.add_scalar("a", float(i), i)
    assert len(tb_records(event_files(tmp_path / "q")[0])) == 4
    w.close()
    w = SummaryWriter(str(tmp_path / "s"), max_queue=1000, flush_secs=0.05)
    w.add_scalar("a", 1.0, 1)
    deadline = time.time() + 10
    while len(tb_records(event_files(tmp_path / "s")[0])) < 2 and time.time() < deadline:
        time.sleep(0.02)
    assert len(tb_records(event_files(tmp_path / "s")[0])) == 2
    w.close()
    w = SummaryWriter(str(tmp_path / "z"), max_queue=1000, flush_secs=0)  # no period: straight to disk
    w.add_scalar("a", 1.0, 1)
    assert len(tb_records(event_files(tmp_path / "z")[0])) == 2
    w.close()


def test_works_without_tensorboard_or_protobuf(tmp_path):
    code = (
        "import sys\n"
        "for m in ['tensorboard', 'google.protobuf', 'tensorflow', 'google']: sys.modules[m] = None\n"
        "import minitorch as torch\n"
        "from minitorch.utils.tensorboard import SummaryWriter\n"
        f"w = SummaryWriter({str(tmp_path)!r})\n"
        "w.add_scalar('loss', torch.tensor(0.25), 1)\n"
        "w.add_histogram('w', torch.randn(100), 1)\n"
        "w.add_image('img', torch.rand(3, 4, 5), 1)\n"
        "w.add_text('t', 'hi', 1)\n"
        "w.add_hparams({'lr': 0.1}, {'hp/loss': 1.0}, run_name='hp')\n"
        "w.close()\n"
        f"left_open = SummaryWriter({str(tmp_path / 'open')!r}, max_queue=1000)\n"
        "left_open.add_scalar('x', 1.0, 1)\n"  # never closed: flushed at interpreter exit
        "assert torch.utils.tensorboard.SummaryWriter is SummaryWriter\n"
        "assert 'tensorboard' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(tmp_path), env={**os.environ, "PYTHONPATH": root})
    assert len(read_dir(tmp_path)) == 4
    assert [e.summary.value[0].simple_value for _, e in read_dir(tmp_path / "open")] == [1.0]


def test_add_scalar_is_cheap(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        start = time.perf_counter()
        for i in range(2000):
            w.add_scalar("loss", 1.0 / (i + 1), i)
        elapsed = time.perf_counter() - start
    assert elapsed < 4.0, f"2000 add_scalar calls took {elapsed:.2f}s"
    assert len(read_dir(tmp_path)) == 2000


# ---------------------------------------------------------------- same events as torch


def test_scalars_match_torch(tmp_path):
    def log(w, lib):
        w.add_scalar("loss", 0.125, 0, walltime=WALL)
        w.add_scalar("loss", 3, 7, walltime=WALL + 1)
        w.add_scalar("loss", np.float32(2.5), 8, walltime=WALL)
        w.add_scalar("loss", np.float64(1e-3), 9, walltime=WALL)
        w.add_scalar("train/acc", lib.tensor(0.75), 10, walltime=WALL)
        w.add_scalar("train/acc", lib.tensor([0.5], dtype=lib.float64), 2**40, walltime=WALL)
        w.add_scalar("neg", -1.5, -3, walltime=WALL)
        w.add_scalar("zero", 0.0, walltime=WALL)
        w.add_scalar("big", 1e300, 1, walltime=WALL)
        w.add_scalar("nan", float("nan"), 1, walltime=WALL)
        w.add_scalar("new", lib.tensor(1.25), 3, walltime=WALL, new_style=True)
        w.add_scalar("new64", 1.0 / 3, 3, walltime=WALL, new_style=True, double_precision=True)

    d_mt, d_t = log_both(tmp_path, lambda w: log(w, minitorch), lambda w: log(w, torch))
    events = assert_same_events(d_mt, d_t)
    assert [e.step for e in events][:4] == [0, 7, 8, 9]
    assert events[0].summary.value[0].simple_value == 0.125 and events[0].wall_time == WALL


def test_scalar_of_a_tensor_with_several_elements_raises():
    with pytest.raises(AssertionError, match="one element"):
        from minitorch.utils.tensorboard.summary import scalar

        scalar("x", minitorch.ones(3))


def test_add_scalars_writes_sub_runs_like_torch(tmp_path):
    def log(w):
        for step in range(3):
            w.add_scalars("run/loss", {"train": 1.0 / (step + 1), "val": 2.0 * step}, step, walltime=WALL)

    d_mt, d_t = log_both(tmp_path, log)
    def subdirs(d):
        return sorted(s for s in os.listdir(d) if not s.startswith("events"))

    assert subdirs(d_mt) == subdirs(d_t) == ["run_loss_train", "run_loss_val"]
    for sub in ["run_loss_train", "run_loss_val"]:
        assert_same_events(d_mt / sub, d_t / sub)
    assert read_dir(d_mt) == [] and read_dir(d_t) == []


@pytest.mark.parametrize("bins,max_bins", [("tensorflow", None), ("auto", None), (10, None), ("fd", 4),
                                           ("tensorflow", 30)])
def test_histograms_match_torch(tmp_path, bins, max_bins):
    rng = np.random.default_rng(2)
    data = [rng.standard_normal(1000).astype(np.float32), rng.uniform(-5, 5, (10, 20)), rng.integers(0, 9, 50)]

    def log(w, lib):
        for step, d in enumerate(data):
            w.add_histogram("h", lib.tensor(d) if step != 1 else d, step, bins=bins, walltime=WALL, max_bins=max_bins)
        w.add_histogram("const", np.full(5, 3.0), 0, bins=bins, walltime=WALL, max_bins=max_bins)

    d_mt, d_t = log_both(tmp_path, lambda w: log(w, minitorch), lambda w: log(w, torch))
    events = assert_same_events(d_mt, d_t)
    histo = events[0].summary.value[0].histo
    assert histo.num == 1000 and sum(histo.bucket) == 1000 and len(histo.bucket) == len(histo.bucket_limit)


def test_histogram_of_a_list_and_raw_histograms(tmp_path):
    values = [0.5, 1.5, 1.5, -2.0, 3.25]

    def log(w, lib):
        w.add_histogram("list", values if lib is minitorch else np.array(values), 1, walltime=WALL)
        w.add_histogram_raw("raw", min=-2.0, max=3.25, num=5, sum=4.75, sum_squares=17.3125,
                            bucket_limits=[0.0, 1.0, 2.0, 3.5], bucket_counts=[1, 1, 2, 1], global_step=2,
                            walltime=WALL)
        w.add_histogram_raw("raw_t", 0, 1, 2, 1, 1, lib.tensor([0.5, 1.0]), lib.tensor([1.0, 1.0]), 3, walltime=WALL)

    d_mt, d_t = log_both(tmp_path, lambda w: log(w, minitorch), lambda w: log(w, torch))
    assert_same_events(d_mt, d_t)
    with SummaryWriter(str(tmp_path / "bad")) as w, pytest.raises(ValueError, match="bucket_limits"):
        w.add_histogram_raw("r", 0, 1, 1, 1, 1, [1.0, 2.0], [1.0], 0)


def _decode_png(data):
    Image = pytest.importorskip("PIL.Image")
    return np.asarray(Image.open(io.BytesIO(data)))


IMAGE_CASES = [
    ("CHW float", (3, 6, 7), "float32", "CHW", False),
    ("CHW 1 channel", (1, 5, 4), "float64", "CHW", False),
    ("CHW RGBA", (4, 3, 5), "float32", "CHW", False),
    ("HWC uint8", (6, 5, 3), "uint8", "HWC", False),
    ("HW", (4, 9), "float32", "HW", False),
    ("WH", (4, 9), "float32", "WH", False),
    ("out of range", (3, 4, 4), "float32", "CHW", False),
    ("NCHW batch", (10, 3, 4, 5), "float32", "NCHW", True),
    ("NHWC gray batch", (3, 4, 5, 1), "float32", "NHWC", True),
    ("NCHW uint8", (2, 3, 2, 2), "uint8", "NCHW", True),
]


@pytest.mark.parametrize("name,shape,dtype,fmt,batch", IMAGE_CASES, ids=[c[0] for c in IMAGE_CASES])
def test_images_match_torch(tmp_path, name, shape, dtype, fmt, batch):
    rng = np.random.default_rng(3)
    if dtype == "uint8":
        arr = rng.integers(0, 256, shape, dtype=np.uint8)
    else:
        arr = rng.uniform(-0.3, 1.3 if name == "out of range" else 1.0, shape).astype(dtype)

    def log(w, lib):
        add = w.add_images if batch else w.add_image
        add("img", lib.tensor(arr), 4, walltime=WALL, dataformats=fmt)
        add("img_np", arr, 5, walltime=WALL, dataformats=fmt)

    d_mt, d_t = log_both(tmp_path, lambda w: log(w, minitorch), lambda w: log(w, torch))
    mine, theirs = read_dir(d_mt), read_dir(d_t)
    assert len(mine) == len(theirs) == 2
    for (_, em), (_, et) in zip(mine, theirs):
        assert (em.step, em.wall_time) == (et.step, et.wall_time)
        vm, vt = em.summary.value[0], et.summary.value[0]
        assert vm.tag == vt.tag
        im, it = vm.image, vt.image
        assert (im.height, im.width, im.colorspace) == (it.height, it.width, it.colorspace)
        pm, pt = _decode_png(im.encoded_image_string), _decode_png(it.encoded_image_string)
        assert pm.shape == pt.shape == (im.height, im.width, im.colorspace)
        np.testing.assert_array_equal(pm, pt)


def test_image_read_back_by_the_event_accumulator(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    img = np.zeros((3, 4, 6), dtype=np.float32)
    img[0] = 1.0
    with SummaryWriter(str(tmp_path)) as w:
        w.add_image("red", minitorch.tensor(img), 0)
        for i in range(3):
            w.add_scalar("loss", 1.0 / (i + 1), i)
        w.add_histogram("w", minitorch.arange(10.0), 0)
        w.add_text("note", "**hi**", 0)
    acc = EventAccumulator(str(tmp_path), size_guidance={"images": 0, "scalars": 0, "histograms": 0, "tensors": 0})
    acc.Reload()
    tags = acc.Tags()
    assert tags["images"] == ["red"] and tags["scalars"] == ["loss"] and tags["histograms"] == ["w"]
    assert tags["tensors"] == ["note/text_summary"]
    assert [(s.step, s.value) for s in acc.Scalars("loss")] == [(0, 1.0), (1, 0.5), (2, np.float32(1 / 3))]
    (im,) = acc.Images("red")
    px = _decode_png(im.encoded_image_string)
    assert (im.width, im.height) == (6, 4) and (px == [255, 0, 0]).all()
    assert acc.Tensors("note/text_summary")[0].tensor_proto.string_val == [b"**hi**"]


def test_text_tensor_audio_pr_curve_custom_scalars_match_torch(tmp_path):
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 2, 40)
    preds = rng.uniform(0, 1, 40)
    snd = np.sin(np.linspace(0, 20, 300)) * 0.9

    def log(w, lib):
        w.add_text("notes", "héllo **world**", 3, walltime=WALL)
        w.add_text("empty", "", 4, walltime=WALL)
        for dtype in ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool", "float16"]:
            t = lib.tensor(np.arange(-2, 4).reshape(2, 3).astype(dtype) * (1 if dtype != "float16" else 0.5))
            w.add_tensor("t_" + dtype, t, 1, walltime=WALL)
        w.add_pr_curve("pr", lib.tensor(labels), lib.tensor(preds), 2, walltime=WALL)
        w.add_pr_curve("pr_np", labels, preds, 2, num_thresholds=200, walltime=WALL)
        w.add_audio("snd", lib.tensor(snd), 1, sample_rate=8000, walltime=WALL)
        w.add_custom_scalars({"Loss": {"l": ["Multiline", ["loss/a", "loss/b"]]},
                              "Acc": {"m": ["Margin", ["acc", "acc_lo", "acc_hi"]]}})
        w.add_custom_scalars_multilinechart(["x", "y"], category="c", title="t")
        w.add_custom_scalars_marginchart(["x", "y", "z"])

    def walltime_free(w, lib):  # custom_scalars have no walltime argument
        log(w, lib)

    d_mt, d_t = log_both(tmp_path, lambda w: walltime_free(w, minitorch), lambda w: walltime_free(w, torch))
    mine, theirs = read_dir(d_mt), read_dir(d_t)
    assert len(mine) == len(theirs)
    for (pm, em), (pt, et) in zip(mine, theirs):
        if em.summary.value[0].tag == "custom_scalars__config__":
            em.wall_time = et.wall_time = 0  # logged with time.time()
            assert em == et
        else:
            assert em == et and pm == pt
    assert mine[0][1].summary.value[0].tensor.string_val == ["héllo **world**".encode()]


def test_hparams_match_torch(tmp_path):
    hp = {"lr": 0.01, "bsize": 32, "opt": "adam", "flag": True, "skip": None}
    metrics = {"hparam/accuracy": 0.9, "hparam/loss": 0.25}
    domain = {"opt": ["adam", "sgd"], "bsize": [16, 32]}

    def log(w):
        w.add_hparams(hp, metrics, hparam_domain_discrete=domain, run_name="trial", global_step=5)

    d_mt, d_t = log_both(tmp_path, log)
    mine, theirs = read_dir(d_mt / "trial"), read_dir(d_t / "trial")
    assert len(mine) == len(theirs) == 5
    from tensorboard.plugins.hparams import plugin_data_pb2

    for (_, em), (_, et) in zip(mine, theirs):
        em.wall_time = et.wall_time = 0
        v, vt = em.summary.value[0], et.summary.value[0]
        if v.metadata.plugin_data.plugin_name == "hparams":  # map entries: compare decoded, not bytes
            content = plugin_data_pb2.HParamsPluginData.FromString(v.metadata.plugin_data.content)
            assert content == plugin_data_pb2.HParamsPluginData.FromString(vt.metadata.plugin_data.content)
            if v.tag == "_hparams_/session_start_info":
                assert content.session_start_info.hparams["opt"].string_value == "adam"
                assert content.session_start_info.hparams["flag"].number_value == 1.0  # torch: bool is an int
                assert "skip" not in content.session_start_info.hparams
            v.metadata.plugin_data.content = vt.metadata.plugin_data.content = b""
        assert em == et
    assert [e.step for _, e in mine] == [5] * 5
    with SummaryWriter(str(tmp_path / "bad")) as w:
        with pytest.raises(TypeError, match="should be dictionary"):
            w.add_hparams([("lr", 1)], {})
        with pytest.raises(TypeError, match="hparam_domain_discrete"):
            w.add_hparams({"lr": 0.1}, {}, hparam_domain_discrete={"lr": ["a"]})
        with pytest.raises(ValueError, match="value should be one of"):
            w.add_hparams({"lr": [0.1]}, {})


def test_hparams_are_read_by_the_hparams_plugin(tmp_path):
    from tensorboard.backend.event_processing import plugin_event_multiplexer
    from tensorboard.plugins.hparams import metadata

    with SummaryWriter(str(tmp_path)) as w:
        w.add_hparams({"lr": 0.1, "opt": "sgd"}, {"hp/acc": 0.5}, run_name="r1")
    mux = plugin_event_multiplexer.EventMultiplexer()
    mux.AddRunsFromDirectory(str(tmp_path))
    mux.Reload()
    content = mux.PluginRunToTagToContent(metadata.PLUGIN_NAME)
    run = "r1"
    tags = {metadata.EXPERIMENT_TAG, metadata.SESSION_START_INFO_TAG, metadata.SESSION_END_INFO_TAG}
    assert set(content[run]) == tags
    start = metadata.parse_session_start_info_plugin_data(content[run][metadata.SESSION_START_INFO_TAG])
    assert start.hparams["lr"].number_value == 0.1 and start.hparams["opt"].string_value == "sgd"


def test_purge_step_events_match_torch(tmp_path):
    d_mt, d_t = log_both(tmp_path, lambda w: w.add_scalar("a", 1.0, 10, walltime=WALL), purge_step=7)
    mine, theirs = read_dir(d_mt), read_dir(d_t)
    assert len(mine) == len(theirs) == 3
    for (_, em), (_, et) in zip(mine, theirs):
        if em.HasField("summary"):
            assert em == et
        else:
            em.wall_time = et.wall_time = 0
            assert em == et and em.step == 7


def test_unsupported_methods_say_why(tmp_path):
    with SummaryWriter(str(tmp_path)) as w:
        with pytest.raises(NotImplementedError, match="TorchScript"):
            w.add_graph(minitorch.nn.Linear(2, 2), minitorch.randn(1, 2))
        with pytest.raises(NotImplementedError, match="moviepy"):
            w.add_video("v", minitorch.rand(1, 2, 3, 4, 4))
        with pytest.raises(NotImplementedError, match="PIL"):
            w.add_image_with_boxes("b", minitorch.rand(3, 4, 4), minitorch.tensor([[0, 0, 2, 2]]))


def test_add_figure_renders_matplotlib(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def make():
        fig = plt.figure(figsize=(2, 1), dpi=20)
        plt.plot([0, 1], [1, 0])
        return fig

    d_mt, d_t = log_both(tmp_path, lambda w: w.add_figure("fig", make(), 0, walltime=WALL))
    ((_, em),), ((_, et),) = read_dir(d_mt), read_dir(d_t)
    np.testing.assert_array_equal(_decode_png(em.summary.value[0].image.encoded_image_string),
                                  _decode_png(et.summary.value[0].image.encoded_image_string))


@pytest.mark.parametrize("device", devices())
def test_device_tensors_are_read_with_one_copy(tmp_path, device):
    x = minitorch.randn(200, device=device)
    img = minitorch.rand(3, 4, 4, device=device)
    with SummaryWriter(str(tmp_path)) as w:
        if device == "cuda":
            from tests.helpers import cuda_is_fake

            if cuda_is_fake():
                from tests import fakecupy

                with fakecupy.count_syncs() as n:
                    w.add_scalar("s", x.sum(), 0)
                    w.add_histogram("h", x, 0)
                    w.add_image("i", img, 0)
                assert n["count"] == 3
        w.add_scalar("s", x.sum(), 1)
        w.add_histogram("h", x.requires_grad_(), 1)
        w.add_image("i", img, 1)
    events = [e for _, e in read_dir(tmp_path)]
    expected = float(np.float32(x.sum().item()))
    assert events[-3].summary.value[0].simple_value == pytest.approx(expected, rel=1e-6)
    assert events[-2].summary.value[0].histo.num == 200


def test_summary_writer_has_torchs_methods_and_signatures():
    import inspect

    public = [n for n in dir(TorchWriter) if not n.startswith("_")]
    missing = [n for n in public if not hasattr(SummaryWriter, n)]
    assert not missing, missing
    for name in public + ["__init__"]:
        theirs = inspect.signature(getattr(TorchWriter, name))
        mine = inspect.signature(getattr(SummaryWriter, name))
        assert [(p.name, p.default, p.kind) for p in mine.parameters.values()] == [
            (p.name, p.default, p.kind) for p in theirs.parameters.values()], name


def test_embedding_files_match_torch(tmp_path):
    rng = np.random.default_rng(5)
    mat = rng.standard_normal((6, 3)).astype(np.float32)
    labels = [f"item {i}" for i in range(6)]
    table = [[i, "odd" if i % 2 else "even"] for i in range(6)]
    imgs = rng.uniform(0, 1, (6, 3, 4, 5)).astype(np.float32)

    def log(w, lib):
        w.add_embedding(lib.tensor(mat), metadata=labels, label_img=lib.tensor(imgs), global_step=3, tag="a/b")
        w.add_embedding(lib.tensor(mat), metadata=table, metadata_header=["idx", "parity"], tag="t\"q'")
        w.add_embedding(mat.astype(np.float64))

    d_mt, d_t = log_both(tmp_path, lambda w: log(w, minitorch), lambda w: log(w, torch))
    files = sorted(os.path.relpath(p, d_t) for p in glob.glob(str(d_t / "**" / "*"), recursive=True)
                   if os.path.isfile(p) and "tfevents" not in p)
    assert "projector_config.pbtxt" in files and os.path.join("00003", "a%2fb", "sprite.png") in files
    assert files == sorted(os.path.relpath(p, d_mt) for p in glob.glob(str(d_mt / "**" / "*"), recursive=True)
                           if os.path.isfile(p) and "tfevents" not in p)
    for f in files:
        mine, theirs = (d_mt / f).read_bytes(), (d_t / f).read_bytes()
        if f.endswith(".png"):
            np.testing.assert_array_equal(_decode_png(mine), _decode_png(theirs))
        else:
            assert mine == theirs, f
