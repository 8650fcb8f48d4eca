"""Hand-written NumPy forward + backward for the MLP, CNN and conv2d workloads.

No graph, no Tensor objects: only the arrays and the chain rule written out by hand. It is
the floor a NumPy-based engine can approach. The CNN keeps activations channels-last (NHWC)
so im2col columns are contiguous; weights are kept in the layout each kernel wants and only
converted back to PyTorch's layout when the first step is checked against torch.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .frameworks import data, param_values
from .workloads.base import Case, Config

F32 = np.float32


# ---- kernels (channels-last) ------------------------------------------------------------------
def conv_forward(x: np.ndarray, wmat: np.ndarray, b: np.ndarray, k: int, p: int):
    """NHWC conv, stride 1: im2col of the padded input, one GEMM. Returns (y, cols)."""
    n, h, w, c = x.shape
    xp = np.zeros((n, h + 2 * p, w + 2 * p, c), F32)
    xp[:, p:p + h, p:p + w] = x
    ho, wo = h + 2 * p - k + 1, w + 2 * p - k + 1
    s = xp.strides
    win = as_strided(xp, (n, ho, wo, k, k, c), (s[0], s[1], s[2], s[1], s[2], s[3]))
    cols = win.reshape(n * ho * wo, k * k * c)
    y = cols @ wmat
    y += b
    return y.reshape(n, ho, wo, -1), cols


def conv_backward(dy: np.ndarray, cols: np.ndarray, wmat: np.ndarray, xshape, k: int, p: int,
                  need_dx: bool = True):
    """d cols = dy W^T, summed back into the input by kernel offset (col2im); dW = cols^T dy."""
    n, h, w, c = xshape
    o = dy.shape[-1]
    dy2 = dy.reshape(-1, o)
    dw = cols.T @ dy2
    db = dy2.sum(axis=0)
    if not need_dx:
        return None, dw, db
    ho, wo = dy.shape[1], dy.shape[2]
    dcols = (dy2 @ wmat.T).reshape(n, ho, wo, k, k, c)
    dxp = np.zeros((n, h + 2 * p, w + 2 * p, c), F32)
    for i in range(k):
        for j in range(k):
            dxp[:, i:i + ho, j:j + wo] += dcols[:, :, :, i, j]
    return dxp[:, p:p + h, p:p + w], dw, db


def pool_forward(x: np.ndarray):
    """2x2 stride-2 max pool over NHWC. Returns (y, the four window views)."""
    parts = (x[:, 0::2, 0::2], x[:, 0::2, 1::2], x[:, 1::2, 0::2], x[:, 1::2, 1::2])
    y = np.maximum(np.maximum(parts[0], parts[1]), np.maximum(parts[2], parts[3]))
    return y, parts


def pool_backward(dy: np.ndarray, y: np.ndarray, parts, xshape):
    """Route dy to the first maximum of each window (row-major order, as torch does)."""
    dx = np.zeros(xshape, F32)
    taken = np.zeros(y.shape, bool)
    for (i, j), part in zip(((0, 0), (0, 1), (1, 0), (1, 1)), parts):
        m = part == y
        m &= ~taken
        taken |= m
        dx[:, i::2, j::2] = dy * m
    return dx


def cross_entropy(z: np.ndarray, y: np.ndarray):
    """Mean cross-entropy of logits ``z`` and its gradient (softmax - onehot) / batch."""
    m = z.max(axis=1, keepdims=True)
    e = np.exp(z - m)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(z.shape[0])
    loss = -(z[rows, y] - m[:, 0] - np.log(s[:, 0])).mean()
    dz = e / s
    dz[rows, y] -= 1
    dz /= z.shape[0]
    return F32(loss), dz


# ---- workloads ---------------------------------------------------------------------------------
def mlp_case(cfg: Config, sizes: tuple, batch: int) -> Case:
    """784-128-64-10 ReLU MLP, cross-entropy, SGD(lr=0.01); weights in torch's (out, in) layout."""
    names = [f"{i}" for i in (0, 2, 4)]
    ws = [param_values(f"{n}.weight", (sizes[i + 1], sizes[i]), cfg.seed) for i, n in enumerate(names)]
    bs = [param_values(f"{n}.bias", (sizes[i + 1],), cfg.seed) for i, n in enumerate(names)]
    x = data(cfg.seed, batch, sizes[0])
    y = data(cfg.seed + 1, batch, kind="labels", high=sizes[-1])
    lr = F32(0.01)
    grads: dict = {}

    def forward_backward():
        h1 = x @ ws[0].T + bs[0]
        a1 = np.maximum(h1, 0)
        h2 = a1 @ ws[1].T + bs[1]
        a2 = np.maximum(h2, 0)
        z = a2 @ ws[2].T + bs[2]
        loss, dz = cross_entropy(z, y)
        g = [None] * 6
        g[4], g[5] = dz.T @ a2, dz.sum(0)
        dh2 = dz @ ws[2]
        dh2 *= h2 > 0
        g[2], g[3] = dh2.T @ a1, dh2.sum(0)
        dh1 = dh2 @ ws[1]
        dh1 *= h1 > 0
        g[0], g[1] = dh1.T @ x, dh1.sum(0)
        grads["loss"] = loss
        return g

    def step():
        g = forward_backward()
        for i in range(3):
            ws[i] -= lr * g[2 * i]
            bs[i] -= lr * g[2 * i + 1]

    def probe():
        g = forward_backward()
        out = {"loss": np.asarray(grads["loss"])}
        for i, n in enumerate(names):
            out[f"grad {n}.weight"], out[f"grad {n}.bias"] = g[2 * i], g[2 * i + 1]
        return out

    return Case(step, probe)


def _wmat(w: np.ndarray) -> np.ndarray:
    """(O, C, k, k) -> (k*k*C, O): the GEMM operand matching channels-last im2col columns."""
    o, c, k, _ = w.shape
    return np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(k * k * c, o))


def _w_torch(wmat: np.ndarray, c: int, k: int) -> np.ndarray:
    return wmat.reshape(k, k, c, -1).transpose(3, 2, 0, 1)


def cnn_case(cfg: Config, batch: int) -> Case:
    """The CNN step by hand, channels-last; fc1 columns permuted once to match NCHW flatten."""
    p = {n: param_values(n, s, cfg.seed) for n, s in (
        ("0.weight", (32, 3, 3, 3)), ("0.bias", (32,)), ("3.weight", (64, 32, 3, 3)), ("3.bias", (64,)),
        ("7.weight", (128, 3136)), ("7.bias", (128,)), ("9.weight", (10, 128)), ("9.bias", (10,)))}
    w0, b0, w3, b3 = _wmat(p["0.weight"]), p["0.bias"], _wmat(p["3.weight"]), p["3.bias"]
    w7 = np.ascontiguousarray(p["7.weight"].reshape(128, 64, 7, 7).transpose(0, 2, 3, 1).reshape(128, 3136))
    b7, w9, b9 = p["7.bias"], p["9.weight"], p["9.bias"]
    params = [w0, b0, w3, b3, w7, b7, w9, b9]
    x = np.ascontiguousarray(data(cfg.seed, batch, 3, 28, 28).transpose(0, 2, 3, 1))
    y = data(cfg.seed + 1, batch, kind="labels", high=10)
    lr = F32(0.01)
    last: dict = {}

    def forward_backward():
        h1, cols1 = conv_forward(x, w0, b0, 3, 1)
        r1 = np.maximum(h1, 0)
        p1, parts1 = pool_forward(r1)
        h2, cols2 = conv_forward(p1, w3, b3, 3, 1)
        r2 = np.maximum(h2, 0)
        p2, parts2 = pool_forward(r2)
        f = p2.reshape(batch, -1)
        h3 = f @ w7.T + b7
        r3 = np.maximum(h3, 0)
        z = r3 @ w9.T + b9
        loss, dz = cross_entropy(z, y)
        g9, gb9 = dz.T @ r3, dz.sum(0)
        dh3 = dz @ w9
        dh3 *= h3 > 0
        g7, gb7 = dh3.T @ f, dh3.sum(0)
        dp2 = (dh3 @ w7).reshape(p2.shape)
        dr2 = pool_backward(dp2, p2, parts2, r2.shape)
        dr2 *= h2 > 0
        dp1, g3, gb3 = conv_backward(dr2, cols2, w3, p1.shape, 3, 1)
        dr1 = pool_backward(dp1, p1, parts1, r1.shape)
        dr1 *= h1 > 0
        _, g0, gb0 = conv_backward(dr1, cols1, w0, x.shape, 3, 1, need_dx=False)
        last["loss"] = loss
        return [g0, gb0, g3, gb3, g7, gb7, g9, gb9]

    def step():
        for prm, g in zip(params, forward_backward()):
            prm -= lr * g

    def probe():
        g = forward_backward()
        return {
            "loss": np.asarray(last["loss"]),
            "grad 0.weight": _w_torch(g[0], 3, 3), "grad 0.bias": g[1],
            "grad 3.weight": _w_torch(g[2], 32, 3), "grad 3.bias": g[3],
            "grad 7.weight": g[4].reshape(128, 7, 7, 64).transpose(0, 3, 1, 2).reshape(128, 3136),
            "grad 7.bias": g[5], "grad 9.weight": g[6], "grad 9.bias": g[7],
        }

    return Case(step, probe)


def conv2d_case(x: np.ndarray, w: np.ndarray, b: np.ndarray, g: np.ndarray) -> Case:
    """conv2d fwd+bwd with NCHW in and out (the layout changes are part of the cost)."""
    wmat = _wmat(w)
    c, k = w.shape[1], w.shape[2]
    out: dict = {}

    def step():
        xl = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        y, cols = conv_forward(xl, wmat, b, k, 1)
        gl = np.ascontiguousarray(g.transpose(0, 2, 3, 1))
        dx, dw, db = conv_backward(gl, cols, wmat, xl.shape, k, 1)
        out.update(y=np.ascontiguousarray(y.transpose(0, 3, 1, 2)), dw=dw, db=db,
                   dx=np.ascontiguousarray(dx.transpose(0, 3, 1, 2)))

    def probe():
        step()
        return {"y": out["y"], "grad x": out["dx"],
                "grad w": _w_torch(out["dw"], c, k), "grad b": out["db"]}

    return Case(step, probe)
