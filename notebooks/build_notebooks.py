"""Generate (and optionally execute) the teaching notebooks, so they are reviewed as code.

    python notebooks/build_notebooks.py              # write all notebooks (no outputs)
    python notebooks/build_notebooks.py --execute    # write and run them, saving outputs/images
    python notebooks/build_notebooks.py --execute 01 03   # only some

Each notebook is short, checks itself with ``assert`` and runs in well under a minute on two
CPU cores. CI runs them with ``pytest --nbmake notebooks/``.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

# Finding the repository root from inside a notebook (nbmake runs it with cwd = notebooks/).
FIND_ROOT = """\
from pathlib import Path
ROOT = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "minitorch" / "__init__.py").is_file())"""


def md(text: str):
    return new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str):
    return new_code_cell(textwrap.dedent(text).strip())


def code_in_repo(text: str):
    """A code cell that first finds the repository root as ``ROOT``."""
    return new_code_cell(FIND_ROOT + "\n" + textwrap.dedent(text).strip())


def code_mpl(text: str):
    """A code cell that selects the inline backend first, so figures are saved in the notebook as
    PNGs even when the environment sets ``MPLBACKEND=Agg`` (as CI does)."""
    return new_code_cell("%matplotlib inline\n" + textwrap.dedent(text).strip())


# ------------------------------------------------------------------------------------------------
NB01 = [
    md("""
    # 01 · Autograd from scratch

    Backpropagation is the chain rule, applied from the output back to the inputs, one
    operation at a time. We do it three ways and check they agree:

    1. **by hand** on a chain of scalars,
    2. with a **30-line scalar engine**,
    3. with **minitorch**, whose graph we draw and whose backward we trace step by step.

    The function: $L = \\tanh(w x + b)^2$ at $x = 2,\\ w = -0.5,\\ b = 0.3$.
    """),
    code("""
    import math

    x, w, b = 2.0, -0.5, 0.3
    # forward, one elementary step per line
    z = w * x + b
    h = math.tanh(z)
    L = h * h
    print(f"z = {z:.4f}   h = {h:.4f}   L = {L:.4f}")
    """),
    md("""
    ## 1. Backward by hand

    Walk the chain backwards. Each line multiplies the gradient arriving from above (the
    *upstream* gradient) by one *local* derivative:
    $\\frac{\\partial L}{\\partial z} = \\frac{\\partial L}{\\partial h}\\cdot\\frac{\\partial h}{\\partial z}$.
    """),
    code("""
    dL_dL = 1.0
    dL_dh = 2 * h * dL_dL          # d(h*h)/dh = 2h
    dL_dz = (1 - h * h) * dL_dh    # d tanh(z)/dz = 1 - tanh(z)^2
    dL_dw = x * dL_dz              # d(w*x + b)/dw = x
    dL_dx = w * dL_dz              # d(w*x + b)/dx = w
    dL_db = 1.0 * dL_dz            # d(w*x + b)/db = 1
    print(f"dL/dw = {dL_dw:.6f}   dL/dx = {dL_dx:.6f}   dL/db = {dL_db:.6f}")

    # check against finite differences: (f(w + eps) - f(w - eps)) / 2eps
    f = lambda x, w, b: math.tanh(w * x + b) ** 2
    eps = 1e-6
    numeric = {
        "w": (f(x, w + eps, b) - f(x, w - eps, b)) / (2 * eps),
        "x": (f(x + eps, w, b) - f(x - eps, w, b)) / (2 * eps),
        "b": (f(x, w, b + eps) - f(x, w, b - eps)) / (2 * eps),
    }
    for name, by_hand in (("w", dL_dw), ("x", dL_dx), ("b", dL_db)):
        assert abs(numeric[name] - by_hand) < 1e-8, name
    print("finite differences agree:", {k: round(v, 6) for k, v in numeric.items()})
    """),
    md("""
    ## 2. A tiny engine

    Each value remembers its parents and the local derivative towards each parent. `backward`
    orders the graph so that a node is processed only after everything that uses it
    (a topological order, found with an explicit stack, not recursion, so long chains work),
    then applies `parent.grad += local * node.grad`: the chain rule, summed over every path.
    """),
    code("""
    class Scalar:
        def __init__(self, value, parents=(), local_grads=(), op=""):
            self.value, self.parents, self.local_grads, self.op = value, parents, local_grads, op
            self.grad = 0.0

        def __add__(self, other):
            other = other if isinstance(other, Scalar) else Scalar(other)
            return Scalar(self.value + other.value, (self, other), (1.0, 1.0), "+")

        def __mul__(self, other):
            other = other if isinstance(other, Scalar) else Scalar(other)
            return Scalar(self.value * other.value, (self, other), (other.value, self.value), "*")

        def tanh(self):
            t = math.tanh(self.value)
            return Scalar(t, (self,), (1 - t * t,), "tanh")

        def backward(self):
            order, seen, stack = [], set(), [(self, False)]
            while stack:  # iterative depth-first search; post-order = inputs before users
                node, children_done = stack.pop()
                if children_done:
                    order.append(node)
                elif id(node) not in seen:
                    seen.add(id(node))
                    stack.append((node, True))
                    stack.extend((p, False) for p in node.parents)
            self.grad = 1.0
            for node in reversed(order):  # from the output back to the inputs
                for parent, local in zip(node.parents, node.local_grads):
                    parent.grad += local * node.grad  # the chain rule

    xs, ws, bs = Scalar(x), Scalar(w), Scalar(b)
    hs = (ws * xs + bs).tanh()
    Ls = hs * hs   # h is used twice: both paths add into h.grad
    Ls.backward()
    print(f"engine: dL/dw = {ws.grad:.6f}   dL/dx = {xs.grad:.6f}   dL/db = {bs.grad:.6f}")
    assert math.isclose(ws.grad, dL_dw) and math.isclose(xs.grad, dL_dx) and math.isclose(bs.grad, dL_db)
    """),
    md("""
    ## 3. The same with minitorch

    minitorch records the same graph while the forward runs. `draw_graph` shows it: grey boxes
    are leaves, rounded boxes are ops, arrows follow the data.
    """),
    code("""
    import minitorch
    from minitorch.viz import draw_graph

    def leaf(value, name):
        t = minitorch.tensor(value, dtype=minitorch.float64, requires_grad=True)
        t.name = name
        return t

    xt, wt, bt = leaf(x, "x"), leaf(w, "w"), leaf(b, "b")
    ht = (wt * xt + bt).tanh()
    Lt = ht * ht
    Lt.name = "L"
    assert math.isclose(Lt.item(), L)
    draw_graph(Lt)
    """),
    md("""
    `autograd.trace()` records every backward step the engine runs: the op, the gradient it
    received from above, and the gradients it sent to its inputs. Read it top to bottom: it is
    the by-hand computation above, in the same order.
    """),
    code("""
    with minitorch.autograd.trace(keep_values=True) as t:
        Lt.backward()
    print(t)

    assert t.ops == ["Mul", "Tanh", "Add", "Mul"]
    square, tanh, add, wx = t
    # Mul (h*h) sends dL/dh along both of its arguments (h is used twice): together 2h
    assert math.isclose(sum(g.item() for g in square.grad_input), dL_dh)
    assert math.isclose(tanh.grad_output[0].item(), dL_dh)
    assert math.isclose(tanh.grad_input[0].item(), dL_dz)
    assert math.isclose(wt.grad.item(), dL_dw) and math.isclose(xt.grad.item(), dL_dx)
    assert math.isclose(bt.grad.item(), dL_db)
    """),
    md("After `backward()` the drawing shows each leaf's gradient (shape and norm)."),
    code("""
    g = draw_graph(Lt)
    assert math.isclose(g.node("w").grad_value, dL_dw)  # one-element gradients show their value
    g
    """),
    md("""
    **What to take away.** Each op only needs its *local* derivative; the engine multiplies
    them along every path (and adds across paths) in reverse topological order. Next:
    tensors, where the local derivative of a broadcast is a *sum*.
    """),
]

# ------------------------------------------------------------------------------------------------
NB02 = [
    md("""
    # 02 · Broadcasting, and why gradients are summed back

    In `y = X * w + b` with `X` of shape (4, 3) and `b` of shape (3,), broadcasting uses the same
    `b` in all 4 rows. Each use contributes to the loss, so the gradient of `b` is the **sum**
    over the rows of the upstream gradient. Every binary op's backward undoes broadcasting this
    way, through one helper: `unbroadcast`.
    """),
    code("""
    import numpy as np
    import minitorch
    from minitorch.autograd import trace
    from minitorch.viz import draw_graph

    minitorch.manual_seed(0)
    X = minitorch.randn(4, 3)
    w = minitorch.randn(3, requires_grad=True); w.name = "w"
    b = minitorch.randn(3, requires_grad=True); b.name = "b"

    y = X * w + b                 # (4, 3): w and b are stretched along dim 0
    loss = (y * y).sum()
    with trace() as t:
        loss.backward(retain_graph=True)
    print(t)
    """),
    md("""
    Read the `Add` row: it received a (4, 3) gradient and sent a (4, 3) gradient to `Mul` but
    a **(3,)** gradient to `b`. The same happens in `Mul` for `w`. Check it with NumPy: the
    upstream gradient of `y` is `2y`, and `b.grad` is its sum over rows.
    """),
    code("""
    Y, Xn = y.detach().numpy(), X.numpy()
    upstream = 2 * Y
    add = t[t.ops.index("Add")]
    assert add.grad_input_shapes == ((4, 3), (3,))
    np.testing.assert_allclose(b.grad.numpy(), upstream.sum(axis=0), rtol=1e-5)
    np.testing.assert_allclose(w.grad.numpy(), (upstream * Xn).sum(axis=0), rtol=1e-5)
    print("b.grad =", b.grad.numpy(), "= (2y).sum(0)")
    draw_graph(loss, trace=t)   # with the trace, every op shows its output shape
    """),
    md("""
    ## `unbroadcast`: one helper for every op

    It sums over the leading dims that broadcasting *added* and over the dims where the input
    had size 1 but the output did not (*stretched*), then reshapes to the input's shape.
    """),
    code("""
    import inspect
    from minitorch.ops._util import unbroadcast
    print(inspect.getsource(unbroadcast))
    """),
    code("""
    # a column (4, 1) stretched along dim 1, and a (1, 1) stretched along both
    c = minitorch.randn(4, 1, requires_grad=True)
    s = minitorch.randn(1, 1, requires_grad=True)
    out = (X * c + s).sum()
    out.backward()
    assert c.grad.shape == (4, 1) and s.grad.shape == (1, 1)
    np.testing.assert_allclose(c.grad.numpy(), Xn.sum(axis=1, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(s.grad.numpy(), [[X.numel()]])
    print("c.grad (summed over dim 1, kept as a column):", c.grad.numpy().ravel())
    """),
    md("""
    ## Forgetting to unbroadcast

    A hand-written Function that returns the upstream gradient unchanged for both inputs hands
    `b` a (4, 3) gradient for a (3,) tensor. The engine refuses it, and `autograd.check` names
    the cause.
    """),
    code("""
    class AddForgetful(minitorch.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, g):
            \"\"\"d(a+b) = g, g (but forgets to sum g back to each input's shape).\"\"\"
            return g, g

    try:
        AddForgetful.apply(X, b).sum().backward()
        raise AssertionError("the engine should have refused a (4, 3) gradient for b")
    except RuntimeError as e:
        print("engine:", e)

    res = minitorch.autograd.check(AddForgetful, X, b)
    assert not res.ok and res.cause == "unbroadcast"
    """),
    code("""
    # compare with PyTorch when it is installed
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        tw = torch.tensor(w.detach().numpy(), requires_grad=True)
        tb = torch.tensor(b.detach().numpy(), requires_grad=True)
        ty = torch.tensor(Xn) * tw + tb
        (ty * ty).sum().backward()
        np.testing.assert_allclose(b.grad.numpy(), tb.grad.numpy(), rtol=1e-5)
        np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-5)
        print("matches torch")
    """),
]

# ------------------------------------------------------------------------------------------------
NB03 = [
    md("""
    # 03 · Gradient checking: write a Function, break it, watch the checker catch it

    A `Function` has a `forward` and a `backward`. The forward is easy to test (compare values);
    the backward is where the bugs hide. `minitorch.autograd.check` compares your backward with
    finite differences (in float64), optionally with PyTorch, and when it disagrees it tells
    you which input, which element, and the usual cause.

    Our Function: $\\mathrm{softplus}(x) = \\log(1 + e^x)$, whose derivative is the sigmoid
    $\\sigma(x) = 1 / (1 + e^{-x})$.
    """),
    code("""
    import numpy as np
    import minitorch
    import minitorch.nn.functional as F
    from minitorch.autograd import Function, check

    try:
        import torch
        torch_softplus = torch.nn.functional.softplus
    except ImportError:
        torch_softplus = None

    class Softplus(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0) + (-x.abs()).exp().log1p()  # log(1 + e^x), without overflow

        @staticmethod
        def backward(ctx, g):
            \"\"\"d softplus(x) = g * sigmoid(x).\"\"\"
            (x,) = ctx.saved_tensors
            return g * x.sigmoid()

    minitorch.manual_seed(0)
    x = minitorch.randn(3, 4)
    res = check(Softplus, x, gradgrad=True, torch_fn=torch_softplus)
    assert res.ok
    np.testing.assert_allclose(Softplus.apply(x).numpy(), F.softplus(x).numpy(), rtol=1e-6)
    """),
    md("""
    ## Break it on purpose

    Each cell below plants one classic bug. Read the verdict: it names the input, the worst
    element, the expected value (finite differences) and what your backward gave, then the
    likely cause.

    **Bug 1: forgetting the upstream gradient** (`return x.sigmoid()`): the chain rule
    multiplies the local derivative by `g`.
    """),
    code("""
    class SoftplusNoG(Softplus):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return x.sigmoid()

    res = check(SoftplusNoG, x)
    assert res.cause == "upstream"
    """),
    md("**Bug 2: a sign error** (the derivative of $\\log(1+e^{-x})$ instead)."),
    code("""
    class SoftplusSign(Softplus):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return -g * x.sigmoid()

    res = check(SoftplusSign, x)
    assert res.cause == "sign" and abs(res.got + res.expected) < 1e-6
    """),
    md("""
    **Bug 3: a wrong local derivative**: $e^x$ is the derivative of the *inner* function only;
    the outer $\\log$ contributes $1/(1+e^x)$.
    """),
    code("""
    class SoftplusInnerOnly(Softplus):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.exp()

    res = check(SoftplusInnerOnly, x)
    assert res.cause == "derivative"
    """),
    md("""
    **Bug 4: a missing constant factor.** With a temperature, $\\mathrm{softplus}_\\beta(x) =
    \\log(1 + e^{\\beta x}) / \\beta$ and the derivative is $\\sigma(\\beta x)$: the $\\beta$ of
    the inner derivative cancels the $1/\\beta$. Forgetting the $1/\\beta$ leaves a constant
    factor.
    """),
    code("""
    class SoftplusBeta(Function):
        @staticmethod
        def forward(ctx, x, beta):
            ctx.save_for_backward(x)
            ctx.beta = beta
            return Softplus.apply(x * beta) / beta

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * ctx.beta * (x * ctx.beta).sigmoid(), None   # bug: the 1/beta is missing

    res = check(SoftplusBeta, x, 2.0)
    assert res.cause == "factor" and abs(res.got / res.expected - 2.0) < 1e-6
    """),
    md("""
    **Bug 5: a backward that is right, but not differentiable.** Computing on the raw arrays
    (`.data`) gives correct first derivatives, so gradcheck passes; but the result carries no
    graph, so second derivatives (`create_graph=True`) are lost. `gradgrad=True` catches it.
    """),
    code("""
    class SoftplusRaw(Softplus):
        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return minitorch.Tensor._wrap(g.data / (1 + np.exp(-x.data)))

    assert check(SoftplusRaw, x, verbose=False).ok
    res = check(SoftplusRaw, x, gradgrad=True)
    assert res.cause == "not_differentiable"
    """),
    md("""
    **Bug 6: forgetting to unbroadcast.** A Function of two inputs that are broadcast against
    each other must sum each gradient back to its input's shape (see notebook 02).
    """),
    code("""
    from minitorch.ops._util import unbroadcast

    class ShiftedSoftplus(Function):
        @staticmethod
        def forward(ctx, x, shift):
            ctx.save_for_backward(x, shift)
            return Softplus.apply(x + shift)

        @staticmethod
        def backward(ctx, g):
            x, shift = ctx.saved_tensors
            d = g * (x + shift).sigmoid()
            return unbroadcast(d, tuple(x.shape)), d      # bug: the shift's gradient keeps x's shape

    shift = minitorch.randn(4)
    res = check(ShiftedSoftplus, x, shift)
    assert res.cause == "unbroadcast" and res.input_index == 1
    """),
    md("""
    Fixing it (`unbroadcast(d, tuple(shift.shape))`) makes the checker happy. Every built-in op in
    minitorch is checked the same way in the test suite (`tests/test_op_table.py`).
    """),
    code("""
    class ShiftedSoftplusFixed(ShiftedSoftplus):
        @staticmethod
        def backward(ctx, g):
            \"\"\"d softplus(x + s) = g * sigmoid(x + s), summed back to each input's shape.\"\"\"
            x, shift = ctx.saved_tensors
            d = g * (x + shift).sigmoid()
            return unbroadcast(d, tuple(x.shape)), unbroadcast(d, tuple(shift.shape))

    torch_fn = None if torch_softplus is None else (lambda x, s: torch_softplus(x + s))
    assert check(ShiftedSoftplusFixed, x, shift, gradgrad=True, torch_fn=torch_fn).ok
    """),
]

# ------------------------------------------------------------------------------------------------
NB04 = [
    md("""
    # 04 · An MLP on the bundled Digits

    1,797 handwritten digits, 8×8 pixels, ship with minitorch (`minitorch.datasets.Digits`), so
    this notebook needs no download. A two-layer perceptron reaches over 90 % test accuracy in a
    few seconds. The code is what you would write in PyTorch.
    """),
    code_mpl("""
    import time
    import matplotlib.pyplot as plt
    import numpy as np
    import minitorch
    from minitorch import nn, optim
    from minitorch.datasets import Digits
    from minitorch.utils.data import DataLoader

    minitorch.manual_seed(0)
    train, test = Digits(train=True), Digits(train=False)
    print(len(train), "training and", len(test), "test images")
    image, label = train[0]
    print("one sample:", tuple(image.shape), image.dtype, "label", int(label))
    """),
    code("""
    fig, axes = plt.subplots(1, 8, figsize=(8, 1.3))
    for ax, i in zip(axes, range(8)):
        img, lab = train[i]
        ax.imshow(img.numpy().reshape(8, 8), cmap="gray_r")
        ax.set_title(int(lab)); ax.axis("off")
    plt.show()
    """),
    code("""
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(train, batch_size=64, shuffle=True)

    def accuracy(ds):
        xs, ys = ds.tensors()            # all images (N, 1, 8, 8) and labels (N,)
        with minitorch.no_grad():
            return float((model(xs).argmax(1) == ys).float().mean())

    history = {"loss": [], "train_acc": [], "test_acc": []}
    start = time.perf_counter()
    for epoch in range(15):
        total, n = 0.0, 0
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, n = total + loss.item() * len(yb), n + len(yb)
        history["loss"].append(total / n)
        history["train_acc"].append(accuracy(train))
        history["test_acc"].append(accuracy(test))
    print(f"15 epochs in {time.perf_counter() - start:.1f} s; test accuracy {history['test_acc'][-1]:.3f}")
    assert history["loss"][-1] < history["loss"][0] / 4
    assert history["test_acc"][-1] > 0.9
    """),
    code("""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.5))
    a1.plot(history["loss"], marker="o"); a1.set_xlabel("epoch"); a1.set_ylabel("training loss")
    a1.set_yscale("log")
    a2.plot(history["train_acc"], marker="o", label="train")
    a2.plot(history["test_acc"], marker="o", label="test")
    a2.set_xlabel("epoch"); a2.set_ylabel("accuracy"); a2.legend()
    plt.tight_layout(); plt.show()
    """),
    md("""
    Which test digits does it get wrong? (Often ones a person would hesitate on too.)
    """),
    code_mpl("""
    Xte, Yte = test.tensors()
    with minitorch.no_grad():
        pred = model(Xte).argmax(1).numpy()
    wrong = np.flatnonzero(pred != Yte.numpy())
    assert len(wrong) == round((1 - history["test_acc"][-1]) * len(test))
    print(f"{len(wrong)} of {len(test)} test digits misclassified")
    shown = wrong[:8]
    fig, axes = plt.subplots(1, max(len(shown), 1), figsize=(8, 1.5), squeeze=False)
    for ax, i in zip(axes[0], shown):
        ax.imshow(Xte[int(i), 0].numpy(), cmap="gray_r")
        ax.set_title(f"{int(Yte[int(i)])} read as {pred[i]}", fontsize=9)
    for ax in axes[0]:
        ax.axis("off")
    plt.show()
    """),
    md("""
    The graph of one training step: parameters in blue (named from `model.named_parameters()`),
    with their gradients after `backward()`.
    """),
    code("""
    from minitorch.viz import draw_graph
    xb, yb = next(iter(loader))
    loss = loss_fn(model(xb), yb)
    loss.backward()
    g = draw_graph(loss, params=dict(model.named_parameters()))
    assert sum(n.kind == "param" for n in g.nodes) == 4
    g
    """),
]

# ------------------------------------------------------------------------------------------------
NB05 = [
    md("""
    # 05 · A CNN: convolution is a matmul in disguise

    **im2col**: cut every k×k patch of the input into a column (`F.unfold`); then a convolution
    with `C_out` filters is one matrix product `(C_out, C_in·k·k) @ (C_in·k·k, L)`, where `L` is
    the number of patch positions. minitorch's `conv2d` is built exactly this way.
    """),
    code_mpl("""
    import time
    import matplotlib.pyplot as plt
    import numpy as np
    import minitorch
    import minitorch.nn.functional as F
    from minitorch import nn, optim

    minitorch.manual_seed(0)
    x = minitorch.randn(2, 3, 6, 5)       # N, C_in, H, W
    weight = minitorch.randn(4, 3, 3, 3)  # C_out, C_in, k, k
    bias = minitorch.randn(4)

    cols = F.unfold(x, kernel_size=3)                    # (N, C_in*k*k, L) = (2, 27, 12)
    out_mm = weight.reshape(4, -1) @ cols + bias.reshape(1, 4, 1)
    out_mm = out_mm.reshape(2, 4, 4, 3)                  # L = 4 x 3 output positions
    out_conv = F.conv2d(x, weight, bias)
    print("unfold:", tuple(cols.shape), " conv2d:", tuple(out_conv.shape))
    np.testing.assert_allclose(out_mm.numpy(), out_conv.numpy(), rtol=1e-5, atol=1e-5)
    print("conv2d == weight matrix @ unfold(x): max difference",
          float(np.abs(out_mm.numpy() - out_conv.numpy()).max()))
    """),
    md("""
    The same product as a picture, for the first image: each of the 12 columns of `unfold(x)` is
    one 3×3×3 patch laid out flat; each row of the weight matrix is one filter laid out the same
    way; entry (o, l) of the product is filter o applied to patch l.
    """),
    code_mpl("""
    W2d, C2d = weight.reshape(4, -1).numpy(), cols[0].numpy()
    fig, axes = plt.subplots(1, 3, figsize=(11, 3), gridspec_kw={"width_ratios": [27, 12, 12]})
    for ax, (title, a) in zip(axes, [("weights (C_out, C_in*k*k) = (4, 27)", W2d),
                                      ("unfold(x)[0] (27, L) = (27, 12)", C2d),
                                      ("product (4, 12) = conv output", W2d @ C2d)]):
        ax.imshow(a, cmap="RdBu", vmin=-np.abs(a).max(), vmax=np.abs(a).max())
        ax.set_title(title, fontsize=9); ax.set_xticks([]); ax.set_yticks([])
    plt.tight_layout(); plt.show()
    # row 0 of the product, reshaped to the 4 x 3 output grid, is channel 0 of conv2d (minus bias)
    np.testing.assert_allclose((W2d @ C2d)[0].reshape(4, 3), (out_conv[0, 0] - bias[0]).numpy(),
                               rtol=1e-5, atol=1e-5)
    """),
    md("""
    The backward is the same trick in reverse: the weight's gradient is `grad_out @ cols.T`, and
    the input's gradient is `W.T @ grad_out` folded back onto the image (`F.fold`, which *adds*
    overlapping patches).
    """),
    code("""
    x.requires_grad_(True); weight.requires_grad_(True)
    F.conv2d(x, weight).sum().backward()
    gx, gw = x.grad.numpy().copy(), weight.grad.numpy().copy()
    x.grad = weight.grad = None
    cols = F.unfold(x, kernel_size=3)
    (weight.reshape(4, -1) @ cols).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), gx, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(weight.grad.numpy(), gw, rtol=1e-5, atol=1e-5)
    print("gradients agree too")
    """),
    md("## A small CNN on Digits (8×8), then its filters and feature maps"),
    code("""
    from minitorch.datasets import Digits

    Xtr, Ytr = Digits(train=True).tensors()    # (1438, 1, 8, 8) float32 in [0, 1], int64 labels
    Xte, Yte = Digits(train=False).tensors()

    cnn = nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 8 x 4 x 4
        nn.Flatten(), nn.Linear(8 * 4 * 4, 10),
    )
    opt = optim.Adam(cnn.parameters(), lr=1e-2)
    start = time.perf_counter()
    for epoch in range(8):
        perm = minitorch.randperm(len(Xtr))
        for i in range(0, len(Xtr), 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(cnn(Xtr[idx]), Ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step()
    with minitorch.no_grad():
        acc = float((cnn(Xte).argmax(1) == Yte).float().mean())
    print(f"8 epochs in {time.perf_counter() - start:.1f} s, test accuracy {acc:.3f}")
    assert acc > 0.9
    """),
    code("""
    conv = cnn[0]
    filters = conv.weight.detach().numpy()[:, 0]          # (8, 3, 3)
    with minitorch.no_grad():
        maps = F.relu(conv(Xte[:1])).numpy()[0]           # (8, 8, 8)
    lim = np.abs(filters).max()                           # white = 0, red < 0 < blue
    fig, axes = plt.subplots(2, 9, figsize=(11, 2.8))
    axes[0, 0].imshow(Xte[0, 0].numpy(), cmap="gray_r"); axes[0, 0].set_title(f"input ({int(Yte[0])})")
    axes[1, 0].axis("off")
    for k in range(8):
        axes[0, k + 1].imshow(filters[k], cmap="RdBu", vmin=-lim, vmax=lim); axes[0, k + 1].set_title(f"filter {k}")
        axes[1, k + 1].imshow(maps[k], cmap="viridis"); axes[1, k + 1].set_title(f"map {k}")
    for ax in axes.ravel():
        ax.set_xticks([]); ax.set_yticks([])
    plt.tight_layout(); plt.show()
    assert filters.shape == (8, 3, 3) and maps.shape == (8, 8, 8)
    """),
    md("""
    ## MNIST (test split), when it is available locally

    If the MNIST test files (`t10k-*-idx*-ubyte.gz`) are in `../shared/data/mnist` (from the
    repository root), train the same kind of network on 28×28 digits: 8,000 for training, 2,000
    held out. Otherwise this cell says so and does nothing.
    """),
    code_in_repo("""
    mnist_dir = ROOT.parent / "shared" / "data" / "mnist"
    if not (mnist_dir / "t10k-images-idx3-ubyte.gz").is_file():
        print(f"MNIST not found in {mnist_dir}: skipping this part")
    else:
        from minitorch.datasets import MNIST
        mnist = MNIST(str(mnist_dir), train=False)
        X = (mnist.data.float() / 255).reshape(-1, 1, 28, 28)   # raw uint8 pixels -> [0, 1]
        Y = mnist.targets
        Xtr, Ytr, Xho, Yho = X[:8000], Y[:8000], X[8000:], Y[8000:]
        net = nn.Sequential(
            nn.Conv2d(1, 8, 5, stride=2), nn.ReLU(),          # 8 x 12 x 12
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 6 * 6, 10),
        )
        opt = optim.Adam(net.parameters(), lr=3e-3)
        start = time.perf_counter()
        for epoch in range(2):
            perm = minitorch.randperm(8000)
            for i in range(0, 8000, 128):
                idx = perm[i:i + 128]
                loss = F.cross_entropy(net(Xtr[idx]), Ytr[idx])
                opt.zero_grad(); loss.backward(); opt.step()
        with minitorch.no_grad():
            acc = float((net(Xho).argmax(1) == Yho).float().mean())
        print(f"MNIST: 2 epochs in {time.perf_counter() - start:.1f} s, held-out accuracy {acc:.3f}")
        assert acc > 0.85

        filters = net[0].weight.detach().numpy()[:, 0]          # (8, 5, 5)
        with minitorch.no_grad():
            maps = F.relu(net[0](Xho[:1])).numpy()[0]          # (8, 12, 12)
        lim = np.abs(filters).max()
        fig, axes = plt.subplots(2, 9, figsize=(11, 2.8))
        axes[0, 0].imshow(Xho[0, 0].numpy(), cmap="gray_r"); axes[0, 0].set_title(f"input ({int(Yho[0])})")
        axes[1, 0].axis("off")
        for k in range(8):
            axes[0, k + 1].imshow(filters[k], cmap="RdBu", vmin=-lim, vmax=lim); axes[0, k + 1].set_title(f"filter {k}")
            axes[1, k + 1].imshow(maps[k], cmap="viridis"); axes[1, k + 1].set_title(f"map {k}")
        for ax in axes.ravel():
            ax.set_xticks([]); ax.set_yticks([])
        plt.tight_layout(); plt.show()
    """),
]

# ------------------------------------------------------------------------------------------------
NB06 = [
    md("""
    # 06 · Optimizers on the Rosenbrock valley

    $f(x, y) = (1 - x)^2 + 100\\,(y - x^2)^2$ has its minimum at (1, 1) at the bottom of a long,
    curved, flat-bottomed valley: easy to find, slow to follow. We start three optimizers at
    (-1.5, 2) with `minitorch.optim` and plot their paths.
    """),
    code_mpl("""
    import matplotlib.pyplot as plt
    import numpy as np
    import minitorch
    from minitorch import optim

    def rosenbrock(p):
        x, y = p[0], p[1]
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def run(make_opt, steps=2000):
        p = minitorch.tensor([-1.5, 2.0], dtype=minitorch.float64, requires_grad=True)
        opt = make_opt([p])
        path = [p.detach().numpy().copy()]
        for _ in range(steps):
            loss = rosenbrock(p)
            opt.zero_grad()
            loss.backward()
            opt.step()
            path.append(p.detach().numpy().copy())
        return np.array(path)

    runs = {
        "SGD lr=5e-4": run(lambda ps: optim.SGD(ps, lr=5e-4)),
        "Momentum lr=2e-4, 0.9": run(lambda ps: optim.SGD(ps, lr=2e-4, momentum=0.9)),
        "Adam lr=0.02": run(lambda ps: optim.Adam(ps, lr=0.02)),
    }
    f = lambda p: (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
    for name, path in runs.items():
        print(f"{name:24s} end ({path[-1][0]:+.3f}, {path[-1][1]:+.3f})  f = {f(path[-1]):.2e}")
    """),
    code("""
    xs, ys = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
    zs = (1 - xs) ** 2 + 100 * (ys - xs ** 2) ** 2
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.5))
    a1.contour(xs, ys, np.log10(zs + 1e-3), levels=30, cmap="gray")
    for (name, path), style in zip(runs.items(), ["-", "--", ":"]):
        a1.plot(path[:, 0], path[:, 1], style, label=name, lw=2)
        a2.semilogy([f(p) for p in path], style, label=name, lw=2)
    a1.plot(-1.5, 2, "ko", ms=8, label="start"); a1.plot(1, 1, "r*", ms=14, label="minimum (1, 1)")
    a1.legend(); a1.set_title("paths")
    a2.set_xlabel("step"); a2.set_ylabel("f"); a2.legend(); a2.set_title("loss")
    plt.tight_layout(); plt.show()
    """),
    md("""
    Plain SGD (at the largest step the steep walls allow) crawls along the valley floor; momentum
    builds up speed along it; Adam rescales
    each coordinate by its gradient's running magnitude, so the steep and the flat directions
    move at similar speeds. The asserts record that ordering (and that minitorch's updates match
    `torch.optim` step for step when torch is installed).
    """),
    code("""
    final = {name: f(path[-1]) for name, path in runs.items()}
    sgd, mom, adam = final.values()
    assert adam < mom < sgd
    assert all(np.isfinite(v) for v in final.values())

    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        def run_torch(make_opt, steps=200):
            p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
            opt = make_opt([p])
            for _ in range(steps):
                loss = (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2
                opt.zero_grad(); loss.backward(); opt.step()
            return p.detach().numpy()
        for mt_opt, t_opt in [
            (lambda ps: optim.SGD(ps, lr=1e-4, momentum=0.9), lambda ps: torch.optim.SGD(ps, lr=1e-4, momentum=0.9)),
            (lambda ps: optim.Adam(ps, lr=0.02), lambda ps: torch.optim.Adam(ps, lr=0.02)),
        ]:
            np.testing.assert_allclose(run(mt_opt, 200)[-1], run_torch(t_opt), rtol=1e-8, atol=1e-10)
        print("minitorch.optim matches torch.optim step for step")
    """),
]

# ------------------------------------------------------------------------------------------------
NB07 = [
    md("""
    # 07 · Benchmarking against PyTorch

    `python -m benchmarks` (see `benchmarks/README.md`) times the same workloads in minitorch and
    in torch, **in one process, with identical weights and data**, and reports the ratio
    *minitorch time / torch time* (below 1: minitorch is faster). Before timing anything it runs
    one step of each framework and compares outputs and gradients: a benchmark must never time
    different math. A hand-written NumPy forward + backward (`numpy-ref`: no graph, no objects
    per op) shows the floor any NumPy engine can approach.

    We run the `--quick` sizes of six workloads on **one thread** (on a busy two-core machine,
    one thread per framework gives the steadiest ratios), then read the JSON report and plot it.
    Timings depend on the machine and its load, so the asserts check the report, never a speed.
    """),
    code_in_repo("""
    import importlib.util, json, math, os, shutil, subprocess, sys, tempfile, time
    from IPython.display import Markdown, display

    HAVE_TORCH = importlib.util.find_spec("torch") is not None
    out_dir = Path(tempfile.mkdtemp(prefix="minitorch-bench-"))
    cmd = [sys.executable, "-m", "benchmarks", "--quick", "--threads", "1",
           "--only", "overhead,mlp,matmul,conv2d,cnn,lstm",
           "--json", str(out_dir / "quick.json"), "--plot", str(out_dir / "quick.png")]
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert done.returncode == 0, done.stderr[-3000:]
    print("python", " ".join(cmd[1:]).replace(str(out_dir), "OUT"))
    print(f"ran in {time.perf_counter() - start:.1f} s; its report:")
    display(Markdown(done.stdout))
    """),
    md("""
    ## The JSON report

    `--json` writes everything the table shows and more: the machine (CPU, BLAS, thread counts),
    the configuration, and for each workload the median, quartiles, min and max of each
    framework's repeats, the ratio, the target and the first-step agreement check.
    """),
    code("""
    report = json.loads((out_dir / "quick.json").read_text())
    m = report["machine"]
    print(f"{m['cpu']}, {m['cores']} cores; NumPy {m['numpy']} ({(m.get('numpy_blas') or {}).get('library')}),",
          f"torch {(m.get('torch') or {}).get('version') or 'not installed'}, threads {report['config']['threads']}")
    rows = [r for r in report["results"] if r["kind"] == "timing"]
    assert [r["name"] for r in rows] == report["config"]["workloads"]
    for r in rows:
        assert r["status"] == "ok", (r["name"], r["reason"])
        assert r["minitorch"]["q1"] <= r["minitorch"]["median"] <= r["minitorch"]["q3"]
        if HAVE_TORCH:
            assert r["check"].startswith("ok"), (r["name"], r["check"])   # same math as torch
            assert math.isclose(r["ratio"], r["minitorch"]["median"] / r["torch"]["median"])
    print(f"\\n{'workload':9s} {'unit':6s} {'minitorch':>10s} {'torch':>10s} {'ratio':>7s}  first-step check")
    for r in rows:
        t = r.get("torch") or {}
        print(f"{r['name']:9s} {r['unit']:6s} {r['minitorch']['median']:10.3f} {t.get('median', math.nan):10.3f}",
              f"{r.get('ratio', math.nan):6.2f}x  {r.get('check', 'n/a (no torch)')}")
    """),
    code_mpl("""
    import matplotlib.pyplot as plt

    rows = [r for r in rows if r.get("ratio") is not None]
    if not rows:
        print("torch is not installed, so there are no ratios to plot (pip install torch)")
    else:
        names = [r["name"] for r in rows]
        ratios = [r["ratio"] for r in rows]
        colors = [{True: "tab:green", False: "tab:red"}.get(r.get("met"), "tab:gray") for r in rows]
        fig, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 2))
        ax.barh(names, ratios, color=colors, label="minitorch / torch (green: target met, red: not)")
        for i, r in enumerate(rows):
            ax.text(max(r["ratio"], r.get("target") or 0) * 1.12, i, f"{r['ratio']:.2f}x", va="center")
        ref = [(i, r["numpy_ratio"]) for i, r in enumerate(rows) if r.get("numpy_ratio")]
        ax.scatter([v for _, v in ref], [i for i, _ in ref], marker="D", color="tab:blue", zorder=3,
                   label="hand-written NumPy / torch")
        tgt = [(i, r["target"]) for i, r in enumerate(rows) if r.get("target")]
        ax.scatter([v for _, v in tgt], [i for i, _ in tgt], marker="|", s=400, color="k", zorder=3,
                   label="target")
        ax.axvline(1.0, color="k", lw=0.8)
        ax.set_xscale("log"); ax.set_xlabel("time / torch's time (log scale; 1 = as fast as torch)")
        ax.invert_yaxis()
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3)
        ax.set_xlim(min(ratios + [v for _, v in ref]) / 2, max(ratios) * 3)
        plt.tight_layout(); plt.show()
        assert all(v > 0 and math.isfinite(v) for v in ratios)
        assert (out_dir / "quick.png").stat().st_size > 0   # the CLI's own --plot of the same data
    shutil.rmtree(out_dir)
    """),
    md("""
    **Reading it.** `overhead` times tensors of 4 numbers, so it measures only the bookkeeping
    per operation (Python calls, a new Tensor, a graph node): that is where a Python engine
    pays, and `numpy-ref`, which has no graph, shows how much of it is bookkeeping rather than
    arithmetic. On large matmuls and convolutions both frameworks spend their time in a BLAS
    matrix product, so the ratio is set by the BLAS libraries and by the extra copies around
    them (im2col for convolution). The `--quick` sizes are tiny, so they favour whoever has the
    least overhead; run `python -m benchmarks` (full sizes) for the real picture, and
    `python -m benchmarks.profile cnn` to see where minitorch's time goes, function by function.
    """),
]

# ------------------------------------------------------------------------------------------------
NB08 = [
    md("""
    # 08 · Jacobians: forward vs reverse mode, per-sample gradients, profiling

    For $f: \\mathbb{R}^n \\to \\mathbb{R}^m$ the derivative at $x$ is the $m \\times n$ Jacobian
    $J$. Autograd never builds $J$; it multiplies by it:

    - **forward mode** pushes a *tangent* $v$ along with the inputs: one pass gives $J v$ (a **jvp**);
    - **reverse mode** pulls a *cotangent* $u$ back from the outputs: one pass gives $u^\\top J$ (a
      **vjp**). `loss.backward()` is a vjp with $u = 1$.

    `minitorch.func` has torch.func's transforms (`grad`, `vjp`, `jvp`, `jacrev`, `jacfwd`,
    `hessian`, `vmap`, `functional_call`). We use them on small examples, check every number
    against torch (when installed) or finite differences, then look at where a training step's time
    goes with `minitorch.profiler` and `minitorch.utils.benchmark`.
    """),
    code("""
    import time
    from unittest import mock
    import numpy as np
    import minitorch
    import minitorch.nn.functional as F
    from minitorch import nn, optim
    from minitorch.func import functional_call, grad, hessian, jacfwd, jacrev, jvp, vjp, vmap

    try:
        import torch
        import torch.func
    except ImportError:
        torch = None
        print("torch is not installed: the comparisons with torch are skipped (pip install torch)")
    f64 = minitorch.float64
    """),
    md("""
    ## 1 · $J v$ and $u^\\top J$, by hand and with `jvp` / `vjp`

    $f(x) = (x_0 x_1,\\ \\sin x_2 + x_0^2)$ maps $\\mathbb{R}^3 \\to \\mathbb{R}^2$, with
    $J = \\begin{pmatrix} x_1 & x_0 & 0 \\\\ 2 x_0 & 0 & \\cos x_2 \\end{pmatrix}$.
    `jvp(f, (x,), (v,))` returns $(f(x), J v)$; `vjp(f, x)` returns $f(x)$ and a function
    $u \\mapsto u^\\top J$ (one entry per input).
    """),
    code("""
    def f(x):
        return minitorch.stack([x[0] * x[1], minitorch.sin(x[2]) + x[0] ** 2])

    x = minitorch.tensor([1.0, 2.0, 0.5], dtype=f64)
    v = minitorch.tensor([1.0, 0.0, -1.0], dtype=f64)   # a tangent: a direction in input space
    u = minitorch.tensor([1.0, 3.0], dtype=f64)         # a cotangent: weights on the outputs
    x0, x1, x2 = x.tolist()
    J = np.array([[x1, x0, 0.0], [2 * x0, 0.0, np.cos(x2)]])   # by hand
    print("by hand:  J v =", J @ v.numpy(), "  u^T J =", u.numpy() @ J)

    y, Jv = jvp(f, (x,), (v,))      # forward mode
    y2, vjp_fn = vjp(f, x)          # reverse mode
    (uJ,) = vjp_fn(u)
    print("minitorch: J v =", Jv.numpy(), "  u^T J =", uJ.numpy())
    np.testing.assert_allclose(Jv.numpy(), J @ v.numpy(), rtol=1e-14)
    np.testing.assert_allclose(uJ.numpy(), u.numpy() @ J, rtol=1e-14)
    np.testing.assert_allclose(y.numpy(), y2.numpy())
    if torch is not None:
        tf = lambda x: torch.stack([x[0] * x[1], torch.sin(x[2]) + x[0] ** 2])
        tx, tv, tu = (torch.tensor(t.numpy()) for t in (x, v, u))
        np.testing.assert_allclose(Jv.numpy(), torch.func.jvp(tf, (tx,), (tv,))[1].numpy(), rtol=1e-14)
        np.testing.assert_allclose(uJ.numpy(), torch.func.vjp(tf, tx)[1](tu)[0].numpy(), rtol=1e-14)
        print("matches torch.func.jvp / torch.func.vjp")
    """),
    md("""
    **Whole Jacobians.** With $v = e_k$ a jvp gives column $k$ of $J$; with $u = e_i$ a vjp gives
    row $i$. So `jacfwd` needs $n$ passes and `jacrev` needs $m$. A loss has $m = 1$: **one**
    backward pass gives the gradient w.r.t. millions of parameters, which is why training uses
    reverse mode. Forward mode wins in the other shape: few inputs, many outputs.

    We build the Jacobian of $g(x) = \\tanh(W x)$ for $(n, m) = (100, 2)$ and $(2, 100)$ both ways,
    and count the backward passes: each is one call of `minitorch.autograd.grad`, which we spy on.
    """),
    code("""
    import minitorch.func._common as func_common   # where minitorch.func calls autograd.grad

    def count_passes(fn, *args):
        with mock.patch.object(func_common, "_autograd_grad", wraps=func_common._autograd_grad) as spy:
            start = time.perf_counter()
            out = fn(*args)
            return out, spy.call_count, time.perf_counter() - start

    rng = np.random.default_rng(0)
    print(f"{'n':>4s} {'m':>4s}   jacrev passes (time)   jacfwd passes (time)")
    for n, m in [(100, 2), (2, 100)]:
        W = minitorch.tensor(rng.standard_normal((m, n)) / np.sqrt(n))
        xs = minitorch.tensor(np.linspace(-1, 1, n))
        g = lambda x: minitorch.tanh(W @ x)
        Jr, passes_r, t_r = count_passes(jacrev(g), xs)
        Jf, passes_f, t_f = count_passes(jacfwd(g), xs)
        print(f"{n:4d} {m:4d}   {passes_r:4d} ({1e3 * t_r:5.1f} ms)          {passes_f:4d} ({1e3 * t_f:5.1f} ms)")
        assert Jr.shape == Jf.shape == (m, n)
        assert passes_r == m and passes_f == n + 1
        np.testing.assert_allclose(Jr.numpy(), Jf.numpy(), rtol=1e-12, atol=1e-15)
        if torch is not None:
            tW, tx = torch.tensor(W.numpy()), torch.tensor(xs.numpy())
            tg = lambda x: torch.tanh(tW @ x)
            np.testing.assert_allclose(Jr.numpy(), torch.func.jacrev(tg)(tx).numpy(), rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(Jf.numpy(), torch.func.jacfwd(tg)(tx).numpy(), rtol=1e-12, atol=1e-15)
    """),
    md("""
    `jacrev` used $m$ passes and `jacfwd` $n + 1$, not $n$: minitorch has only a reverse-mode
    engine and gets forward mode from it (section 2), at the price of one extra backward pass.
    torch's `jacfwd` runs genuine forward-mode passes, batched into one with `vmap`.
    """),
    md("""
    ## 2 · Forward mode from two reverse passes (the double-vjp trick)

    The vjp $g(u) = J^\\top u$ is **linear** in $u$. Record it as a differentiable function of a
    dummy $u$ (`create_graph=True`), then take *its* vjp w.r.t. $u$ with cotangent $v$:
    $\\left(\\partial g / \\partial u\\right)^\\top v = (J^\\top)^\\top v = J v$. Since $g$ is linear,
    the value of $u$ never matters: zeros will do. In plain minitorch:
    """),
    code("""
    def my_jvp(f, x, v):
        x = x.detach().requires_grad_(True)
        y = f(x)
        u = minitorch.zeros_like(y, requires_grad=True)                # dummy cotangent
        (g,) = minitorch.autograd.grad(y, x, u, create_graph=True)     # g(u) = J^T u, recorded
        (Jv,) = minitorch.autograd.grad(g, u, v)                       # d<g(u), v>/du = J v
        return y.detach(), Jv

    y, Jv_trick = my_jvp(f, x, v)
    print("double vjp:", Jv_trick.numpy(), "  func.jvp:", jvp(f, (x,), (v,))[1].numpy())
    np.testing.assert_allclose(Jv_trick.numpy(), jvp(f, (x,), (v,))[1].numpy(), rtol=1e-15)
    np.testing.assert_allclose(Jv_trick.numpy(), J @ v.numpy(), rtol=1e-14)
    """),
    md("""
    That is all of minitorch's forward mode: `jvp`, `jacfwd`, `linearize` and `hessian`
    (`minitorch/func/_forward.py`, class `_Transposed`) and the dual tensors of
    `minitorch.autograd.forward_ad` (`unpack_dual` runs the same two passes) work this way. It costs
    the forward plus two backward passes, and needs every op's backward to be differentiable
    w.r.t. its incoming gradient, which minitorch's ops are. The dual-tensor API, as in torch:
    """),
    code("""
    import minitorch.autograd.forward_ad as fwAD

    with fwAD.dual_level():
        out = f(fwAD.make_dual(x, v))           # x carrying the tangent v
        primal, tangent = fwAD.unpack_dual(out)
    print("forward_ad:", primal.numpy(), tangent.numpy())
    np.testing.assert_allclose(primal.numpy(), f(x).numpy())
    np.testing.assert_allclose(tangent.numpy(), J @ v.numpy(), rtol=1e-14)
    """),
    md("""
    ## 3 · Hessians and Hessian-vector products

    `hessian(h) = jacfwd(jacrev(h))` (forward over reverse, as torch). We check it against central
    differences of the gradient, column by column:
    $H e_k \\approx (\\nabla h(x + \\varepsilon e_k) - \\nabla h(x - \\varepsilon e_k)) / 2\\varepsilon$,
    error $O(\\varepsilon^2)$. A **Hessian-vector product** $H v$ needs no $n \\times n$ matrix: it is
    the jvp of $\\nabla h$ in direction $v$, `jvp(grad(h), (x,), (v,))`, or (reverse over reverse)
    the gradient of $\\nabla h(x) \\cdot v$.
    """),
    code("""
    def h(x):
        return (minitorch.sin(x) * x ** 2).sum() + x[0] * x[1] * x[2]

    x = minitorch.tensor([0.3, -1.2, 2.0], dtype=f64)
    H = hessian(h)(x)
    grad_h, eps = grad(h), 1e-5
    E = minitorch.eye(3, dtype=f64)
    H_fd = minitorch.stack([(grad_h(x + eps * E[k]) - grad_h(x - eps * E[k])) / (2 * eps) for k in range(3)], 1)
    print(H.numpy().round(4))
    print("max |H - finite differences| =", float((H - H_fd).abs().max()))
    np.testing.assert_allclose(H.numpy(), H_fd.numpy(), atol=1e-8)
    np.testing.assert_allclose(H.numpy(), H.numpy().T, atol=1e-14)      # symmetric

    v = minitorch.tensor([1.0, 2.0, -1.0], dtype=f64)
    _, Hv = jvp(grad_h, (x,), (v,))                                  # forward over reverse
    Hv_rr = grad(lambda x: (grad_h(x) * v).sum())(x)                 # reverse over reverse
    print("H v =", Hv.numpy(), "=", (H @ v).numpy())
    np.testing.assert_allclose(Hv.numpy(), (H @ v).numpy(), rtol=1e-13)
    np.testing.assert_allclose(Hv_rr.numpy(), (H @ v).numpy(), rtol=1e-13)
    if torch is not None:
        th = lambda x: (torch.sin(x) * x ** 2).sum() + x[0] * x[1] * x[2]
        np.testing.assert_allclose(H.numpy(), torch.func.hessian(th)(torch.tensor(x.numpy())).numpy(), rtol=1e-13)
        print("matches torch.func.hessian")
    """),
    md("""
    ## 4 · Per-sample gradients of an MLP on Digits

    A batch gradient is the mean of the per-example gradients, but `backward()` only returns the
    sum. `vmap(grad(loss))` returns each one: `functional_call(model, params, x)` runs the model
    with the parameters given as a dict, so the loss is a function of `params` that `grad` can
    differentiate, and `vmap` maps it over the examples (`in_dims=(None, 0, 0)`: the same
    parameters, one image and one label each). First a quickly trained 64-32-10 MLP:
    """),
    code("""
    from minitorch.datasets import Digits

    minitorch.manual_seed(0)
    Xtr, Ytr = Digits(train=True).tensors()
    Xte, Yte = Digits(train=False).tensors()
    Xtr, Xte = Xtr.flatten(1), Xte.flatten(1)          # (N, 64) float32
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    opt = optim.Adam(model.parameters(), lr=1e-2)
    for _epoch in range(3):
        perm = minitorch.randperm(len(Ytr))
        for i in range(0, len(Ytr), 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(model(Xtr[idx]), Ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step()
    with minitorch.no_grad():
        correct = (model(Xte).argmax(1) == Yte).numpy()
    print(f"test accuracy after 3 epochs: {correct.mean():.3f}")
    assert correct.mean() > 0.85
    """),
    code("""
    params = {k: p.detach() for k, p in model.named_parameters()}

    def loss_one(params, x, y):                        # the loss of ONE example
        logits = functional_call(model, params, (x.unsqueeze(0),))
        return F.cross_entropy(logits, y.unsqueeze(0))

    start = time.perf_counter()
    per_sample = vmap(grad(loss_one), in_dims=(None, 0, 0))(params, Xte, Yte)
    print(f"vmap(grad): {time.perf_counter() - start:.2f} s;",
          {k: tuple(g.shape) for k, g in per_sample.items()})

    # the same with a Python loop of per-example backward() calls
    for i in [0, 1, 100, len(Yte) - 1]:
        model.zero_grad()
        F.cross_entropy(model(Xte[i:i + 1]), Yte[i:i + 1]).backward()
        for k, p in model.named_parameters():
            np.testing.assert_allclose(per_sample[k][i].numpy(), p.grad.numpy(), rtol=1e-5, atol=1e-7)
    # their mean is the gradient of the mean loss
    model.zero_grad()
    F.cross_entropy(model(Xte), Yte).backward()
    for k, p in model.named_parameters():
        np.testing.assert_allclose(per_sample[k].mean(0).numpy(), p.grad.numpy(), rtol=1e-4, atol=1e-6)
    if torch is not None:
        tmodel = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
        tparams = {k: torch.tensor(p.numpy()) for k, p in params.items()}

        def tloss_one(params, x, y):
            logits = torch.func.functional_call(tmodel, params, (x.unsqueeze(0),))
            return torch.nn.functional.cross_entropy(logits, y.unsqueeze(0))

        tper_sample = torch.func.vmap(torch.func.grad(tloss_one), in_dims=(None, 0, 0))(
            tparams, torch.tensor(Xte.numpy()), torch.tensor(Yte.numpy()))
        for k in params:
            np.testing.assert_allclose(per_sample[k].numpy(), tper_sample[k].numpy(), rtol=1e-4, atol=1e-6)
        print("matches torch.func.vmap(torch.func.grad(...)) on the same weights")
    """),
    md("""
    `vmap` here runs the function once per example and stacks the results (minitorch has no
    batching rules), so it is as fast as a Python loop; its value is that it composes. The
    per-example gradient norms spread over three orders of magnitude, and the misclassified test
    digits pull hardest.
    """),
    code_mpl("""
    import matplotlib.pyplot as plt

    flat = minitorch.cat([g.flatten(1) for g in per_sample.values()], 1)   # (N, number of parameters)
    norms = flat.norm(dim=1).numpy()
    bins = np.logspace(np.log10(norms.min()), np.log10(norms.max()), 30)
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.hist([norms[correct], norms[~correct]], bins=bins, stacked=True,
            label=["classified correctly", "misclassified"])
    ax.axvline(1.0, color="k", ls="--", label="clipping norm C = 1 (used below)")
    ax.set_xscale("log"); ax.set_xlabel("per-sample gradient norm"); ax.set_ylabel("test digits")
    ax.legend(); plt.tight_layout(); plt.show()
    assert np.median(norms[~correct]) > np.median(norms[correct])
    """),
    md("""
    **Clipped per-sample gradients (DP-SGD).** Differentially private SGD bounds each example's
    influence: scale every per-sample gradient to norm at most $C$, sum, add Gaussian noise of
    standard deviation $\\sigma C$, divide by the batch size. Only per-sample gradients make the
    clipping possible.
    """),
    code("""
    def dp_sgd_grad(per_sample, C=1.0, sigma=1.0):
        B = next(iter(per_sample.values())).shape[0]
        norms = minitorch.cat([g.flatten(1) for g in per_sample.values()], 1).norm(dim=1)
        scale = (C / (norms + 1e-6)).clamp(max=1.0)                         # <= 1 for every example
        clipped = {k: g * scale.reshape(-1, *[1] * (g.dim() - 1)) for k, g in per_sample.items()}
        noisy = {k: (c.sum(0) + sigma * C * minitorch.randn(c.shape[1:])) / B for k, c in clipped.items()}
        return noisy, clipped

    batch = {k: g[:64] for k, g in per_sample.items()}
    noisy, clipped = dp_sgd_grad(batch, C=1.0, sigma=1.0)
    clipped_norms = minitorch.cat([c.flatten(1) for c in clipped.values()], 1).norm(dim=1).numpy()
    print(f"norms before clipping: max {norms[:64].max():.2f}; after: max {clipped_norms.max():.3f}")
    assert clipped_norms.max() <= 1.0 + 1e-5
    small = norms[:64] < 1.0                                             # left unchanged
    np.testing.assert_allclose(clipped_norms[small], norms[:64][small], rtol=1e-5)
    plain, _ = dp_sgd_grad(batch, C=1e9, sigma=0.0)                       # no clipping, no noise
    for k in batch:
        np.testing.assert_allclose(plain[k].numpy(), batch[k].mean(0).numpy(), rtol=1e-5, atol=1e-8)
        assert noisy[k].shape == params[k].shape
    """),
    md("""
    ## 5 · Where the time goes: profiling a training step

    `minitorch.profiler.profile` records every op (named as torch names them, `aten::...`), every
    backward node and every `record_function` range; `key_averages().table(...)` prints torch's
    table. One SGD step of the MLP on a batch of 64, after a few warm-up steps. Each framework
    runs on one thread, as the Timers below do (on a small machine, NumPy's BLAS threads and
    torch's OpenMP threads compete for the cores and can stall an op for milliseconds), and since
    another process can still interrupt a step, we profile it three times and keep the quietest run.
    """),
    code("""
    from minitorch.profiler import ProfilerActivity, profile, record_function

    minitorch.set_num_threads(1)
    xb, yb = Xtr[:64], Ytr[:64]
    sgd = optim.SGD(model.parameters(), lr=0.05)

    def step():
        with record_function("forward"):
            loss = F.cross_entropy(model(xb), yb)
        with record_function("backward"):
            sgd.zero_grad()
            loss.backward()
        with record_function("optimizer"):
            sgd.step()

    def quietest(new_profile, step, tries=3):
        runs = []
        for _ in range(tries):
            with new_profile() as p:
                step()
            runs.append(p)
        return min(runs, key=lambda p: sum(e.self_cpu_time_total for e in p.key_averages()))

    for _ in range(3):
        step()
    prof = quietest(lambda: profile(activities=[ProfilerActivity.CPU]), step)
    table = prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10)
    print(table)
    names = {e.key for e in prof.key_averages()}
    expected = {"forward", "backward", "optimizer", "aten::linear", "aten::relu", "aten::cross_entropy_loss",
                "LinearBackward0", "ReluBackward0", "CrossEntropyBackward0", "Optimizer.step#SGD.step"}
    assert expected <= names, expected - names
    lines = table.splitlines()                     # 3 header lines, 10 rows, 2 footer lines
    assert len(lines) == 15 and "Self CPU %" in lines[1] and lines[-1].startswith("Self CPU time total")
    """),
    md("""
    The same step in torch (same weights and data) and its profile. The names line up
    (`forward`, `aten::linear`, `aten::relu`, `Optimizer.step#SGD.step`, ...); torch also lists
    the ops its ops call inside (`aten::linear` runs `aten::t` and `aten::addmm`, cross-entropy
    runs `aten::_log_softmax` and `aten::nll_loss`), where a minitorch op is one Function.
    (torch prints two `USDT: profiler_start/stop` lines per profile on stderr.)
    """),
    code("""
    if torch is not None:
        torch.set_num_threads(1)
        tmodel = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
        with torch.no_grad():
            for (_, p), (_, tp) in zip(model.named_parameters(), tmodel.named_parameters()):
                tp.copy_(torch.tensor(p.detach().numpy()))
        tsgd = torch.optim.SGD(tmodel.parameters(), lr=0.05)
        txb, tyb = torch.tensor(xb.numpy()), torch.tensor(yb.numpy())

        def torch_step():
            with torch.profiler.record_function("forward"):
                loss = torch.nn.functional.cross_entropy(tmodel(txb), tyb)
            with torch.profiler.record_function("backward"):
                tsgd.zero_grad()
                loss.backward()
            with torch.profiler.record_function("optimizer"):
                tsgd.step()

        with minitorch.no_grad():
            same_loss = F.cross_entropy(model(xb), yb).item()
        assert abs(same_loss - torch.nn.functional.cross_entropy(tmodel(txb), tyb).item()) < 1e-5
        for _ in range(3):
            torch_step()
        tprof = quietest(lambda: torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]),
                         torch_step)
        print(tprof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))
        tnames = {e.key for e in tprof.key_averages()}
        print("names in both profiles:", sorted(names & tnames))
        assert {"forward", "backward", "optimizer", "aten::relu", "Optimizer.step#SGD.step"} <= names & tnames
    """),
    md("""
    **Timing it.** `minitorch.utils.benchmark.Timer` is `torch.utils.benchmark.Timer`: it runs the
    statement in a loop with garbage collection off, on one thread, until `min_run_time` is spent,
    and returns a `Measurement` (median, IQR, all the repeats). The times depend on the machine and
    its load, so nothing about speed is asserted.
    """),
    code("""
    from minitorch.utils import benchmark

    label = "MLP 64-32-10, SGD step, batch 64"
    m_mt = benchmark.Timer("step()", globals={"step": step}, label=label,
                           description="minitorch").blocked_autorange(min_run_time=0.5)
    print(m_mt)
    assert m_mt.median > 0 and len(m_mt.times) >= 1 and m_mt.number_per_run >= 1
    if torch is not None:
        import torch.utils.benchmark

        m_t = torch.utils.benchmark.Timer("step()", globals={"step": torch_step}, label=label,
                                          description="torch").blocked_autorange(min_run_time=0.5)
        print(m_t)
        assert m_t.median > 0 and len(m_t.times) >= 1
        print(f"minitorch / torch: {m_mt.median / m_t.median:.2f}x (median times)")
    """),
    md("""
    **Reading it.** In a model this small every op works on a few thousand numbers, so both
    frameworks spend their time on per-op bookkeeping (Python calls, tensor objects, graph nodes),
    not arithmetic: in minitorch's table the `forward` and `backward` ranges' *self* time (code
    outside any op: module calls, the engine walking the graph, and the profiler's own
    bookkeeping) is a large part of the total. Grow the
    batch or the layers and the matrix products take over, in both. Notebook 07 compares the two
    on more workloads; `python -m benchmarks.profile cnn` shows minitorch's time function by function.
    """),
]

NOTEBOOKS = {
    "01_autograd_from_scratch": NB01,
    "02_broadcasting_and_unbroadcast": NB02,
    "03_gradient_checking": NB03,
    "04_mlp_digits": NB04,
    "05_cnn_im2col": NB05,
    "06_optimizers_rosenbrock": NB06,
    "07_benchmarks_vs_torch": NB07,
    "08_jacobians_forward_mode_profiling": NB08,
}


def build(name: str):
    nb = new_notebook(cells=NOTEBOOKS[name])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def execute(nb, timeout: int = 300):
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(HERE)}}).execute()
    return nb


def main(argv: list[str]) -> int:
    run = "--execute" in argv
    wanted = [a for a in argv if not a.startswith("--")]
    names = [n for n in NOTEBOOKS if not wanted or any(n.startswith(w) for w in wanted)]
    for name in names:
        nb = build(name)
        if run:
            import time

            start = time.perf_counter()
            execute(nb)
            print(f"{name}: executed in {time.perf_counter() - start:.1f} s")
        nbformat.write(nb, HERE / f"{name}.ipynb")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
