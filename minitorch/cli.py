"""The main job: ``python -m minitorch train`` (or the ``minitorch`` console script).

Trains a small LeNet-style CNN (or an MLP) on the bundled 8x8 Digits (default) or on MNIST from IDX
files, with a tqdm progress bar per epoch, per-epoch train loss and held-out accuracy, and a summary
line. ``--save`` writes a checkpoint at the end of every epoch; Ctrl-C writes the state at the end of
the last completed epoch (model, optimizer, epoch, RNG states), which ``--resume`` continues exactly:
an interrupted-and-resumed run ends with the same weights as an uninterrupted one.
"""
from __future__ import annotations

import argparse
import io
import math
import os
import sys
import time
from dataclasses import dataclass, field

DEFAULTS = {"dataset": "digits", "model": "cnn", "optimizer": "adam", "batch_size": 32, "epochs": 12, "seed": 0}
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.03, "adam": 3e-3, "adamw": 3e-3}
INTERRUPT_PATH = "minitorch-interrupted.ckpt"
# the arguments a resumed run takes from its checkpoint (giving a different value is an error)
FIXED_ON_RESUME = ("dataset", "model", "optimizer", "lr", "batch_size", "seed")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="minitorch", description="minitorch: train a model end to end.")
    sub = p.add_subparsers(dest="command", required=True, metavar="{train}")
    t = sub.add_parser("train", help="train a CNN/MLP on Digits (bundled) or MNIST and report held-out accuracy",
                       description="Train a CNN or MLP classifier and report held-out accuracy.")
    t.add_argument("--dataset", choices=["digits", "mnist"], default=None,
                   help="digits: the bundled 8x8 UCI digits (default); mnist: IDX files in --data-dir")
    t.add_argument("--data-dir", default=None,
                   help="MNIST folder (files in DIR or DIR/MNIST/raw); default ../shared/data/mnist or ./data")
    t.add_argument("--model", choices=["cnn", "mlp"], default=None, help="LeNet-style CNN (default) or MLP")
    t.add_argument("--optimizer", choices=["sgd", "momentum", "adam", "adamw"], default=None,
                   help="default adam; momentum = SGD with momentum 0.9")
    t.add_argument("--lr", type=float, default=None, help=f"learning rate (defaults per optimizer: {DEFAULT_LR})")
    t.add_argument("--epochs", type=int, default=None, help=f"total epochs (default {DEFAULTS['epochs']})")
    t.add_argument("--batch-size", type=int, default=None, help=f"default {DEFAULTS['batch_size']}")
    t.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="cuda needs CuPy and a GPU")
    t.add_argument("--seed", type=int, default=None, help=f"seed for init and shuffling (default {DEFAULTS['seed']})")
    t.add_argument("--save", metavar="CKPT", default=None,
                   help="write a checkpoint here after every epoch (default with --resume: the resumed file)")
    t.add_argument("--resume", metavar="CKPT", default=None,
                   help="continue training from a checkpoint (model, settings, optimizer, RNG states)")
    t.add_argument("--plot", metavar="PNG", default=None, help="plot loss/accuracy curves (needs matplotlib)")
    t.add_argument("--no-progress", action="store_true", help="no tqdm progress bars")
    return p


# ---- data and models -------------------------------------------------------------------------------------
def _default_mnist_dir() -> str:
    here = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist"))
    return here if os.path.isdir(here) else "data"


def load_data(name: str, data_dir: str | None):
    """(train_x, train_y, test_x, test_y) as float32 (N, 1, H, W) / int64 (N,) tensors, normalised."""
    import numpy as np

    import minitorch
    from minitorch.datasets import MNIST, Digits

    if name == "digits":
        xtr, ytr = Digits(train=True).tensors()
        xte, yte = Digits(train=False).tensors()
        mean, std = 0.3, 0.4  # close to the training pixels' mean and std (in [0, 1] units)
    else:
        root = data_dir or _default_mnist_dir()
        test = MNIST(root, train=False)
        try:
            train = MNIST(root, train=True)
            xtr, ytr, xte, yte = train.data.array, train.targets.array, test.data.array, test.targets.array
        except RuntimeError as e:
            if "Dataset not found" not in str(e):
                raise
            # only the 10k test split is present: a fixed 8,000 / 2,000 split of it
            perm = np.random.default_rng(0).permutation(len(test))
            x, y = test.data.array, test.targets.array
            xtr, ytr, xte, yte = x[perm[:8000]], y[perm[:8000]], x[perm[8000:]], y[perm[8000:]]
        to = lambda a: minitorch.from_numpy((a[:, None] / np.float32(255)).astype(np.float32))
        xtr, xte, ytr, yte = to(xtr), to(xte), minitorch.from_numpy(ytr), minitorch.from_numpy(yte)
        mean, std = 0.1307, 0.3081
    xtr = (xtr - mean) / std
    xte = (xte - mean) / std
    return xtr, ytr, xte, yte


def build_model(kind: str, in_shape: tuple[int, int, int], n_classes: int = 10):
    import minitorch.nn as nn

    c, h, w = in_shape
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(c * h * w, 128), nn.ReLU(), nn.Linear(128, n_classes))
    return nn.Sequential(
        nn.Conv2d(c, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * (h // 4) * (w // 4), 64), nn.ReLU(), nn.Linear(64, n_classes),
    )


def build_optimizer(kind: str, params, lr: float):
    import minitorch.optim as optim

    if kind == "sgd":
        return optim.SGD(params, lr=lr)
    if kind == "momentum":
        return optim.SGD(params, lr=lr, momentum=0.9)
    if kind == "adam":
        return optim.Adam(params, lr=lr)
    return optim.AdamW(params, lr=lr, weight_decay=1e-2)


# ---- training ----------------------------------------------------------------------------------------------
@dataclass
class RunState:
    epoch: int = 0  # completed epochs
    train_loss: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)


def _run_batch(model, loss_fn, opt, x, y):
    """One optimisation step; returns the batch loss as a detached 0-d tensor on the model's device
    (read with .item() only when needed: on a GPU each read waits for the device).
    Module-level so tests can interrupt it."""
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss.detach()


def evaluate(model, x, y, batch_size: int = 1024) -> tuple[int, int]:
    import minitorch

    model.eval()
    correct = 0
    with minitorch.no_grad():
        for i in range(0, len(y), batch_size):
            pred = model(x[i:i + batch_size]).argmax(dim=1)
            correct = correct + (pred == y[i:i + batch_size]).sum()
    model.train()
    return int(correct), len(y)


def _checkpoint_bytes(model, opt, state: RunState, config: dict, loader_gen) -> bytes:
    import minitorch
    from minitorch.backend.random import default_generator

    buf = io.BytesIO()
    minitorch.save({
        "model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": state.epoch,
        "rng": {"default": default_generator.get_state(), "loader": loader_gen.get_state()},
        "config": config, "history": {"train_loss": state.train_loss, "test_acc": state.test_acc},
    }, buf)
    return buf.getvalue()


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _fail(msg: str) -> int:
    print(f"minitorch train: error: {msg}", file=sys.stderr)
    return 2


def _resolve_config(args, ckpt: dict | None) -> dict | str:
    """The run's settings: explicit arguments, else the checkpoint's, else the defaults (or an error message)."""
    cfg = {}
    saved = ckpt["config"] if ckpt is not None else {}
    for key in ("dataset", "model", "optimizer", "lr", "batch_size", "seed", "epochs"):
        given = getattr(args, key)
        if ckpt is not None and key in FIXED_ON_RESUME and given is not None and given != saved[key]:
            flag = "--" + key.replace("_", "-")
            return f"the checkpoint was trained with {flag} {saved[key]}, but {flag} {given} was given"
        cfg[key] = given if given is not None else saved.get(key, DEFAULTS.get(key))
    if cfg["lr"] is None:
        cfg["lr"] = DEFAULT_LR[cfg["optimizer"]]
    if not (cfg["lr"] > 0 and math.isfinite(cfg["lr"])):
        return f"--lr must be a positive number, got {cfg['lr']}"
    if cfg["epochs"] < 1:
        return f"--epochs must be >= 1, got {cfg['epochs']}"
    if cfg["batch_size"] < 1:
        return f"--batch-size must be >= 1, got {cfg['batch_size']}"
    return cfg


def train(args) -> int:
    import minitorch
    import minitorch.nn as nn
    from minitorch.backend.random import default_generator
    from minitorch.utils.data import DataLoader, TensorDataset

    if args.plot is not None:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            return _fail("--plot needs matplotlib, which is not installed: pip install matplotlib "
                         "(or pip install 'minitorch[plot]')")
    if args.device == "cuda" and not minitorch.cuda.is_available():
        return _fail("--device cuda: no usable GPU (CuPy with a CUDA device is needed: pip install 'minitorch[gpu]')")
    ckpt = None
    if args.resume is not None:
        try:
            ckpt = minitorch.load(args.resume, map_location=args.device)
        except (OSError, RuntimeError) as e:
            return _fail(f"cannot resume from {args.resume}: {e}")
        if not isinstance(ckpt, dict) or not {"model", "optimizer", "epoch", "rng", "config", "history"} <= set(ckpt):
            return _fail(f"{args.resume} is not a checkpoint of `minitorch train`")
    cfg = _resolve_config(args, ckpt)
    if isinstance(cfg, str):
        return _fail(cfg)
    save_path = args.save or args.resume

    try:
        xtr, ytr, xte, yte = load_data(cfg["dataset"], args.data_dir)
    except RuntimeError as e:
        return _fail(str(e))
    xtr, ytr, xte, yte = (t.to(args.device) for t in (xtr, ytr, xte, yte))

    minitorch.manual_seed(cfg["seed"])
    loader_gen = minitorch.Generator(seed=cfg["seed"])
    model = build_model(cfg["model"], tuple(xtr.shape[1:])).to(args.device)
    opt = build_optimizer(cfg["optimizer"], model.parameters(), cfg["lr"])
    loss_fn = nn.CrossEntropyLoss()
    state = RunState()
    if ckpt is not None:
        try:
            model.load_state_dict(ckpt["model"])
            opt.load_state_dict(ckpt["optimizer"])
        except (RuntimeError, ValueError, KeyError, TypeError) as e:
            return _fail(f"{args.resume} does not fit the {cfg['model']} model / {cfg['optimizer']} optimizer: {e}")
        default_generator.set_state(ckpt["rng"]["default"])
        loader_gen.set_state(ckpt["rng"]["loader"])
        state = RunState(ckpt["epoch"], list(ckpt["history"]["train_loss"]), list(ckpt["history"]["test_acc"]))
    loader = DataLoader(TensorDataset(xtr, ytr), batch_size=cfg["batch_size"], shuffle=True, generator=loader_gen)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"minitorch train: {cfg['model']} ({n_params:,} parameters) on {cfg['dataset']} "
          f"({len(ytr)} train / {len(yte)} held out), {cfg['optimizer']} lr={cfg['lr']:g}, "
          f"batch {cfg['batch_size']}, {_plural(cfg['epochs'], 'epoch')}, device {args.device}, seed {cfg['seed']}"
          + (f", resumed after epoch {state.epoch}" if ckpt is not None else ""), flush=True)

    from tqdm import tqdm

    # the state to save on Ctrl-C: the end of the last completed epoch (progress inside an epoch is dropped)
    snapshot, snapshot_epoch = _checkpoint_bytes(model, opt, state, cfg, loader_gen), state.epoch
    start = time.perf_counter()
    try:
        while state.epoch < cfg["epochs"]:
            t0 = time.perf_counter()
            total, count = 0.0, 0  # total becomes a 0-d tensor: summed on the device, read once per epoch
            bar = tqdm(loader, desc=f"epoch {state.epoch + 1}/{cfg['epochs']}", leave=False, unit="batch",
                       disable=args.no_progress, file=sys.stderr)
            for batch, (x, y) in enumerate(bar):
                loss = _run_batch(model, loss_fn, opt, x, y)
                total = total + loss.double() * len(y)
                count += len(y)
                if not args.no_progress and batch % 10 == 0:  # reading the loss waits for a GPU
                    bar.set_postfix(loss=f"{loss.item():.4f}", refresh=False)
            bar.close()
            correct, n = evaluate(model, xte, yte)
            state.epoch += 1
            state.train_loss.append(float(total) / count)
            state.test_acc.append(correct / n)
            seconds = time.perf_counter() - t0
            snapshot, snapshot_epoch = _checkpoint_bytes(model, opt, state, cfg, loader_gen), state.epoch
            if save_path:
                _write_atomic(save_path, snapshot)
            print(f"epoch {state.epoch:3d}/{cfg['epochs']}  train loss {state.train_loss[-1]:.4f}  held-out acc "
                  f"{100 * correct / n:6.2f}%  ({seconds:.1f} s)", flush=True)
    except KeyboardInterrupt:
        path = save_path or INTERRUPT_PATH
        _write_atomic(path, snapshot)
        print(f"\ninterrupted during epoch {snapshot_epoch + 1}: saved the state after epoch {snapshot_epoch} "
              f"to {path}; continue with: python -m minitorch train --resume {path}", file=sys.stderr, flush=True)
        return 130

    elapsed = time.perf_counter() - start
    correct, n = evaluate(model, xte, yte)
    if args.plot is not None:
        _plot(args.plot, state)
    print(f"done: {cfg['model']} on {cfg['dataset']}, {_plural(state.epoch, 'epoch')}, held-out accuracy "
          f"{100 * correct / n:.2f}% ({correct}/{n}), final train loss "
          f"{state.train_loss[-1] if state.train_loss else float('nan'):.4f}, {elapsed:.1f} s", flush=True)
    return 0


def _plot(path: str, state: RunState) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    epochs = range(1, len(state.train_loss) + 1)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(epochs, state.train_loss, "o-", label="train loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("train loss (cross-entropy)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax2 = ax.twinx()
    ax2.plot(epochs, [100 * a for a in state.test_acc], "s--", color="tab:orange", label="held-out accuracy")
    ax2.set_ylabel("held-out accuracy (%)")
    lines = ax.get_lines() + ax2.get_lines()
    ax.legend(lines, [line.get_label() for line in lines], loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2,
              frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"saved plot to {path}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m minitorch`` and the ``minitorch`` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "train":
        return train(args)
    return 2  # pragma: no cover (argparse rejects other commands)
