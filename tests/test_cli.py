"""The main job (`python -m minitorch train`): end to end, checkpoints, resume == uninterrupted, Ctrl-C, bad input."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minitorch
from minitorch import cli

ROOT = Path(__file__).resolve().parents[1]
REAL_MNIST = ROOT.parent / "shared" / "data" / "mnist"
FAST = ["train", "--model", "mlp", "--no-progress", "--batch-size", "64"]


def _state_bytes(sd: dict) -> dict:
    return {k: v.numpy(force=True).tobytes() for k, v in sd.items()}


def assert_same_checkpoint(a: dict, b: dict):
    assert a["epoch"] == b["epoch"]
    assert _state_bytes(a["model"]) == _state_bytes(b["model"])
    sa, sb = a["optimizer"]["state"], b["optimizer"]["state"]
    assert list(sa) == list(sb)
    for k in sa:
        for name in sa[k]:
            va, vb = sa[k][name], sb[k][name]
            if isinstance(va, minitorch.Tensor):
                assert va.numpy(force=True).tobytes() == vb.numpy(force=True).tobytes(), (k, name)
            else:
                assert va == vb
    assert a["history"] == b["history"]


def test_main_job_end_to_end_in_a_subprocess(tmp_path):
    ckpt = tmp_path / "cnn.ckpt"
    proc = subprocess.run(
        [sys.executable, "-m", "minitorch", "train", "--epochs", "1", "--save", str(ckpt), "--no-progress"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "cnn" in out and "on digits (1438 train / 359 held out)" in out
    assert "epoch   1/1" in out and "held-out acc" in out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("done: cnn on digits, 1 epoch, held-out accuracy")
    acc = float(summary.split("held-out accuracy ")[1].split("%")[0])
    assert acc > 50.0  # one epoch of the default CNN already learns the digits (chance is 10%)
    saved = minitorch.load(ckpt)
    assert saved["epoch"] == 1 and saved["config"]["model"] == "cnn"
    assert {"model", "optimizer", "rng", "history"} <= set(saved)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam", "adamw"])
def test_every_optimizer_trains(optimizer, tmp_path, capsys):
    assert cli.main(FAST + ["--epochs", "2", "--optimizer", optimizer, "--save", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert f"{optimizer} lr=" in out and "epoch   2/2" in out
    hist = minitorch.load(tmp_path / "c")["history"]
    assert hist["train_loss"][1] < hist["train_loss"][0]


def test_resume_equals_uninterrupted(tmp_path, capsys):
    full, half, resumed = (str(tmp_path / n) for n in ("full", "half", "resumed"))
    assert cli.main(FAST + ["--epochs", "3", "--save", full]) == 0
    assert cli.main(FAST + ["--epochs", "1", "--save", half]) == 0
    assert cli.main(["train", "--resume", half, "--epochs", "3", "--save", resumed, "--no-progress"]) == 0
    assert "resumed after epoch 1" in capsys.readouterr().out
    assert_same_checkpoint(minitorch.load(full), minitorch.load(resumed))


def test_keyboard_interrupt_saves_a_resumable_checkpoint(tmp_path, monkeypatch, capsys):
    full, ckpt = str(tmp_path / "full"), str(tmp_path / "interrupted")
    assert cli.main(FAST + ["--epochs", "2", "--save", full]) == 0
    real_step, calls = cli._run_batch, {"n": 0}

    def interrupting_step(*args):
        calls["n"] += 1
        if calls["n"] == 30:  # inside the second epoch (23 batches of 64 per epoch)
            raise KeyboardInterrupt
        return real_step(*args)

    monkeypatch.setattr(cli, "_run_batch", interrupting_step)
    assert cli.main(FAST + ["--epochs", "2", "--save", ckpt]) == 130
    err = capsys.readouterr().err
    assert "interrupted during epoch 2" in err and f"--resume {ckpt}" in err
    assert minitorch.load(ckpt)["epoch"] == 1
    monkeypatch.setattr(cli, "_run_batch", real_step)
    assert cli.main(["train", "--resume", ckpt, "--no-progress"]) == 0  # epochs come from the checkpoint
    assert_same_checkpoint(minitorch.load(full), minitorch.load(ckpt))


def test_interrupt_without_save_writes_the_default_checkpoint(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run_batch", interrupt)
    assert cli.main(FAST + ["--epochs", "1"]) == 130
    assert minitorch.load(tmp_path / cli.INTERRUPT_PATH)["epoch"] == 0


def test_plot_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib not installed: --plot output not checked")
    png = tmp_path / "loss.png"
    assert cli.main(FAST + ["--epochs", "1", "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert cli.main(FAST + ["--epochs", "1", "--plot", str(tmp_path / "x.png")]) == 2
    assert "--plot needs matplotlib" in capsys.readouterr().err


@pytest.mark.skipif(not (REAL_MNIST / "t10k-images-idx3-ubyte.gz").is_file(),
                    reason=f"the real MNIST test split is not at {REAL_MNIST}")
def test_mnist_test_split_is_split_8k_2k(capsys):
    assert cli.main(FAST + ["--dataset", "mnist", "--data-dir", str(REAL_MNIST), "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "(8000 train / 2000 held out)" in out
    acc = float(out.strip().splitlines()[-1].split("held-out accuracy ")[1].split("%")[0])
    assert acc > 80.0


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "--epochs must be >= 1"),
    (["--lr", "-0.1"], "--lr must be a positive number"),
    (["--lr", "nan"], "--lr must be a positive number"),
    (["--batch-size", "0"], "--batch-size must be >= 1"),
    (["--resume", "/nonexistent/ckpt"], "cannot resume from /nonexistent/ckpt"),
    (["--dataset", "mnist", "--data-dir", "/nonexistent-dir"], "Dataset not found"),
])
def test_bad_arguments_are_clear_errors(argv, message, capsys):
    assert cli.main(["train", "--no-progress", *argv]) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["train", "--model", "resnet"], ["train", "--epochs", "x"], ["fly"], []])
def test_argparse_rejects_unknown_choices(argv):
    with pytest.raises(SystemExit) as e:
        cli.main(argv)
    assert e.value.code == 2


def test_resume_rejects_conflicting_settings_and_foreign_files(tmp_path, capsys):
    ckpt = str(tmp_path / "c")
    assert cli.main(FAST + ["--epochs", "1", "--save", ckpt]) == 0
    assert cli.main(["train", "--resume", ckpt, "--model", "cnn"]) == 2
    assert "trained with --model mlp, but --model cnn was given" in capsys.readouterr().err
    minitorch.save({"just": "data"}, tmp_path / "other")
    assert cli.main(["train", "--resume", str(tmp_path / "other")]) == 2
    assert "not a checkpoint of `minitorch train`" in capsys.readouterr().err
    tampered = minitorch.load(ckpt)
    tampered["model"]["1.weight"] = minitorch.zeros(3, 3)
    minitorch.save(tampered, tmp_path / "tampered")
    assert cli.main(["train", "--resume", str(tmp_path / "tampered"), "--epochs", "2"]) == 2
    assert "does not fit the mlp model" in capsys.readouterr().err
    (tmp_path / "junk").write_bytes(b"junk")
    assert cli.main(["train", "--resume", str(tmp_path / "junk")]) == 2
    assert "not a minitorch checkpoint" in capsys.readouterr().err


def test_cuda_request_without_gpu_is_a_clear_error(capsys):
    if minitorch.cuda.is_available():
        pytest.skip("a GPU is present: the no-GPU error cannot happen here")
    assert cli.main(FAST + ["--device", "cuda"]) == 2
    assert "--device cuda: no usable GPU" in capsys.readouterr().err


def test_models_have_the_documented_shapes():
    nn = minitorch.nn
    cnn = cli.build_model("cnn", (1, 8, 8))
    assert sum(isinstance(m, nn.Conv2d) for m in cnn.modules()) == 2
    assert tuple(cnn(minitorch.zeros(2, 1, 8, 8)).shape) == (2, 10)
    assert tuple(cli.build_model("cnn", (1, 28, 28))(minitorch.zeros(1, 1, 28, 28)).shape) == (1, 10)
    assert tuple(cli.build_model("mlp", (1, 8, 8))(minitorch.zeros(3, 1, 8, 8)).shape) == (3, 10)
    x, y, xt, yt = cli.load_data("digits", None)
    assert x.dtype == minitorch.float32 and abs(float(x.mean())) < 0.2 and 0.8 < float(x.std()) < 1.2
    assert np.array_equal(np.unique(y.numpy()), np.arange(10))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals: SIGINT delivery to a child differs on Windows")
def test_real_ctrl_c_in_a_subprocess_saves_a_checkpoint(tmp_path):
    import signal

    ckpt = tmp_path / "sig.ckpt"
    proc = subprocess.Popen(
        [sys.executable, "-m", "minitorch", "train", "--model", "mlp", "--epochs", "100000", "--no-progress",
         "--save", str(ckpt)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")},
    )
    try:
        proc.stdout.readline()  # the header
        assert proc.stdout.readline().split()[:2] == ["epoch", "1/100000"]
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted during epoch" in err
    saved = minitorch.load(ckpt)
    assert saved["epoch"] >= 1 and f"saved the state after epoch {saved['epoch']} " in err


@pytest.mark.skipif(not minitorch.cuda.is_available(), reason="no CUDA GPU / cupy here: cuda cases skipped")
def test_train_on_cuda_learns_and_resumes_like_cpu(tmp_path, capsys):
    assert cli.main(FAST + ["--device", "cuda", "--epochs", "2", "--save", str(tmp_path / "g")]) == 0
    out = capsys.readouterr().out
    accuracy = float(out.split("held-out accuracy ")[1].split("%")[0])
    assert accuracy > 80.0, out
    state = minitorch.load(tmp_path / "g", map_location="cpu")
    assert all(v.device.type == "cpu" for v in state["model"].values())
    assert cli.main(["train", "--resume", str(tmp_path / "g"), "--epochs", "3", "--no-progress"]) == 0
