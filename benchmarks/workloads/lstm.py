"""Workload 7: LSTM training step, seq 32, batch 32, 128->256, loss mean(out^2), SGD(lr=0.01)."""
from __future__ import annotations

from ..frameworks import Framework, data
from .base import Case, Config, Workload, train_case


def sizes(cfg: Config) -> tuple[int, int, int, int]:
    """(seq, batch, input size, hidden size)."""
    return (4, 4, 16, 32) if cfg.quick else (32, 32, 128, 256)


def build(fw: Framework, cfg: Config) -> Case:
    fw.require("nn.LSTM", "optim.SGD")
    s, n, i, h = sizes(cfg)
    model = fw.nn.LSTM(i, h)
    model.to(fw.device)
    fw.load_params(model, cfg.seed)
    x = fw.tensor(data(cfg.seed, s, n, i))

    def loss_fn(out, _target):
        seq_out = out[0]
        return (seq_out * seq_out).mean()

    return train_case(fw, model, x, None, loss_fn=loss_fn)


WORKLOAD = Workload(
    name="lstm",
    title="LSTM step, seq 32, batch 32, 128->256, SGD",
    build=build,
    target=None,
)
