"""Optional peer columns: the same workloads in other NumPy autograd libraries, when installed.

MyGrad (``pip install mygrad``) expresses the per-op, matmul and MLP workloads directly.
DeZero is not included: its last PyPI release (0.0.13) fails to import on NumPy 2 (``np.int``).
Each builder returns a ``Case`` or raises ImportError when the library is absent.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .frameworks import data, param_values
from .workloads.base import Case, Config


def _mg():
    import mygrad

    return mygrad


def mygrad_overhead(cfg: Config) -> Case:
    mg = _mg()
    from mygrad.nnet.activations import relu

    a, b, c = (mg.tensor(data(cfg.seed + i, 4)) for i in range(3))

    def step():
        y = (relu(a * b + c) * a).sum()
        y.backward()
        return y

    def probe():
        y = step()
        return {"y": np.asarray(y.array), "grad a": a.grad, "grad b": b.grad, "grad c": c.grad}

    return Case(step, probe)


def mygrad_matmul(cfg: Config) -> Case:
    mg = _mg()
    from .workloads.matmul import _sizes

    m, k, n = _sizes(cfg)
    a = mg.tensor(data(cfg.seed, m, k))
    w = mg.tensor(data(cfg.seed + 1, k, n) / np.float32(np.sqrt(k)))
    g = data(cfg.seed + 2, m, n)

    def step():
        y = a @ w
        y.backward(g)
        return y

    def probe():
        y = step()
        return {"y": y.array, "grad a": a.grad, "grad w": w.grad}

    return Case(step, probe)


def mygrad_mlp(cfg: Config) -> Case:
    mg = _mg()
    from mygrad.nnet.activations import relu
    from mygrad.nnet.losses import softmax_crossentropy

    from .workloads.mlp import SIZES, batch

    names = ["0", "2", "4"]
    ws = [mg.tensor(param_values(f"{n}.weight", (SIZES[i + 1], SIZES[i]), cfg.seed)) for i, n in enumerate(names)]
    bs = [mg.tensor(param_values(f"{n}.bias", (SIZES[i + 1],), cfg.seed)) for i, n in enumerate(names)]
    x = data(cfg.seed, batch(cfg), SIZES[0])
    y = data(cfg.seed + 1, batch(cfg), kind="labels", high=SIZES[-1])

    def loss_backward():
        h = relu(x @ ws[0].T + bs[0])
        h = relu(h @ ws[1].T + bs[1])
        loss = softmax_crossentropy(h @ ws[2].T + bs[2], y)
        loss.backward()
        return loss

    def step():
        loss_backward()
        for p in (*ws, *bs):
            p.array -= np.float32(0.01) * p.grad

    def probe():
        loss = loss_backward()
        out = {"loss": np.asarray(loss.array)}
        for i, n in enumerate(names):
            out[f"grad {n}.weight"], out[f"grad {n}.bias"] = ws[i].grad, bs[i].grad
        return out

    return Case(step, probe)


PEERS: dict[str, dict[str, Callable[[Config], Case]]] = {
    "overhead": {"mygrad": mygrad_overhead},
    "matmul": {"mygrad": mygrad_matmul},
    "mlp": {"mygrad": mygrad_mlp},
}
