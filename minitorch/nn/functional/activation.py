"""nn.functional: activation ops (each a Function with forward and backward, or a composite of them).

Every backward is written with Tensor ops on the saved input, so ``create_graph=True`` gives
second derivatives. ``inplace=True`` is accepted as in PyTorch: the result is written back into
the input's memory (through the Tensor's in-place machinery, which checks autograd rules).
"""
from __future__ import annotations

import math

from ...amp.autocast_mode import _AutocastState, autocast_args
from ...autograd.function import BuiltinOp
from ...autograd.grad_mode import _GradState
from ...backend import xp_of
from ...ops.elementwise import Relu, Sigmoid, Tanh, sigmoid_array, where

# erf lives with the special functions (ops layer); re-exported here for existing callers
from ...ops.special import Erf, _erf_series_cf, erf, erf_array  # noqa: F401
from ...tensor import Tensor, _wrap_dim

__all__ = [
    "relu", "relu_", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus",
    "softsign", "hardtanh", "hardsigmoid", "hardswish", "glu", "logsigmoid", "threshold",
    "tanhshrink", "softshrink", "hardshrink", "softmin",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_C = 0.044715


def _inplace(x: Tensor, out: Tensor) -> Tensor:
    """Write ``out`` into ``x``'s memory (PyTorch's ``inplace=True``) and return ``x``."""
    from ...tensor_methods import _check_inplace_leaf, _write_back

    _check_inplace_leaf(x, "inplace activation")
    return _write_back(x, out, "inplace activation")


def _read(x: Tensor, inplace: bool) -> Tensor:
    """What an activation reads: ``x`` itself, or for ``inplace=True`` under autograd a copy standing at
    ``x``'s place in the graph, so the backward saves the value from before the write."""
    if inplace and _GradState.enabled and x._requires_grad:
        from ...tensor_methods import _old_value

        return _old_value(x)
    return x


def _finish(x: Tensor, out: Tensor, inplace: bool) -> Tensor:
    return _inplace(x, out) if inplace else out


def _same_dtype(arr, like):
    return arr.astype(like.dtype, copy=False) if arr.dtype != like.dtype else arr


# ---------------------------------------------------------------- piecewise-linear ---------------
class Hardtanh(BuiltinOp):
    @staticmethod
    def forward(ctx, x, lo, hi):
        arr = x.array
        ctx.mask = (arr > lo) & (arr < hi)
        return _same_dtype(xp_of(arr).clip(arr, lo, hi), arr)

    @staticmethod
    def backward(ctx, g):
        """d hardtanh(x) = g where lo < x < hi, else 0."""
        return g * ctx.mask, None, None


class LeakyRelu(BuiltinOp):
    @staticmethod
    def forward(ctx, x, slope):
        arr = x.array
        ctx.pos = arr > 0
        ctx.slope = slope
        return _same_dtype(xp_of(arr).where(ctx.pos, arr, arr * slope), arr)

    @staticmethod
    def backward(ctx, g):
        """d leaky_relu(x) = g where x > 0, g * slope elsewhere."""
        return where(ctx.pos, g, g * ctx.slope), None


class Hardsigmoid(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        arr = x.array
        ctx.mask = (arr > -3) & (arr < 3)
        return _same_dtype(xp_of(arr).clip(arr / 6 + 0.5, 0, 1), arr)

    @staticmethod
    def backward(ctx, g):
        """d hardsigmoid(x) = g/6 where -3 < x < 3, else 0."""
        return g * ctx.mask / 6


class Hardswish(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        arr = x.array
        return _same_dtype(arr * xp_of(arr).clip(arr + 3, 0, 6) / 6, arr)

    @staticmethod
    def backward(ctx, g):
        """d hardswish(x) = g * (0 if x < -3, x/3 + 1/2 if x <= 3, 1 otherwise)."""
        (x,) = ctx.saved_tensors
        arr = x.array
        mid = where((arr >= -3) & (arr <= 3), x / 3 + 0.5, 0.0)
        return g * where(arr > 3, 1.0, mid)


# ---------------------------------------------------------------- exponential family -------------
class Elu(BuiltinOp):
    """alpha * (exp(x) - 1) for x <= 0 and x for x > 0, times ``scale`` (selu = scale * elu)."""

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.save_for_backward(x)
        ctx.alpha, ctx.scale, ctx.input_scale = alpha, scale, input_scale
        arr = x.array
        xp = xp_of(arr)
        neg = alpha * xp.expm1(xp.minimum(arr, 0) * input_scale)
        return _same_dtype(scale * xp.where(arr > 0, arr, neg), arr)

    @staticmethod
    def backward(ctx, g):
        """d elu(x) = g * scale * (1 if x > 0 else alpha * input_scale * exp(x * input_scale))."""
        (x,) = ctx.saved_tensors
        arr = x.array
        neg_x = where(arr > 0, 0.0, x)  # exp only of non-positive values: no overflow
        slope = where(arr > 0, 1.0, (neg_x * ctx.input_scale).exp() * (ctx.alpha * ctx.input_scale))
        return g * (slope * ctx.scale) if ctx.scale != 1 else g * slope, None, None, None


class Softplus(BuiltinOp):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        arr = x.array
        xp = xp_of(arr)
        bx = arr * beta
        return _same_dtype(xp.where(bx > threshold, arr, xp.logaddexp(0, bx) / beta), arr)

    @staticmethod
    def backward(ctx, g):
        """d softplus(x) = g * sigmoid(beta x) (g where beta x > threshold)."""
        (x,) = ctx.saved_tensors
        return g * where(x.array * ctx.beta > ctx.threshold, 1.0, (x * ctx.beta).sigmoid()), None, None


class LogSigmoid(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        arr = x.array
        xp = xp_of(arr)
        return _same_dtype(xp.minimum(arr, 0) - xp.log1p(xp.exp(-xp.abs(arr))), arr)

    @staticmethod
    def backward(ctx, g):
        """d log(sigmoid(x)) = g * sigmoid(-x)."""
        (x,) = ctx.saved_tensors
        return g * (-x).sigmoid()


class Silu(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        arr = x.array
        xp = xp_of(arr)
        if arr.dtype.kind == "f":  # x * sigmoid(x) in 5 in-place passes (sigmoid_array is accurate for any x)
            s = sigmoid_array(arr)
            return xp.multiply(s, arr, out=s)
        e = xp.exp(-xp.abs(arr))  # stable sigmoid: exp of non-positive values only
        return _same_dtype(arr * xp.where(arr >= 0, 1 / (1 + e), e / (1 + e)), arr)

    @staticmethod
    def backward(ctx, g):
        """d x*sigmoid(x) = g * s * (1 + x (1 - s)), s = sigmoid(x)."""
        (x,) = ctx.saved_tensors
        if not _GradState.enabled and x.array.dtype == g.array.dtype:  # plain backward: in place on arrays
            xp = xp_of(x.array)
            s = sigmoid_array(x.array)
            r = xp.subtract(1, s, out=xp.empty_like(s))
            r *= x.array
            r += 1
            r *= s
            r *= g.array
            return Tensor._wrap(r)
        s = x.sigmoid()
        return g * s * (x * (1 - s) + 1)


class Mish(BuiltinOp):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        arr = x.array
        xp = xp_of(arr)
        return _same_dtype(arr * xp.tanh(xp.logaddexp(0, arr)), arr)

    @staticmethod
    def backward(ctx, g):
        """d x*tanh(softplus(x)) = g * (t + x * sigmoid(x) * (1 - t^2)), t = tanh(softplus(x))."""
        (x,) = ctx.saved_tensors
        t = softplus(x).tanh()
        return g * (t + x * x.sigmoid() * (1 - t * t))


class Gelu(BuiltinOp):
    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        arr = x.array
        xp = xp_of(arr)
        if approximate == "tanh":
            inner = _SQRT_2_OVER_PI * (arr + _GELU_C * arr * arr * arr)
            return _same_dtype(0.5 * arr * (1 + xp.tanh(inner)), arr)
        out = _same_dtype(erf_array(arr * _INV_SQRT_2), arr)  # a fresh array: finish in place
        out += 1
        out *= arr
        out *= 0.5
        return out

    @staticmethod
    def backward(ctx, g):
        """d gelu = g * (Phi(x) + x phi(x)) (exact); the tanh form's derivative for 'tanh'."""
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            x2 = x * x
            t = (x * (x2 * _GELU_C + 1) * _SQRT_2_OVER_PI).tanh()
            d_inner = (x2 * (3 * _GELU_C) + 1) * _SQRT_2_OVER_PI
            return g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * d_inner), None
        cdf = (Erf.apply(x * _INV_SQRT_2) + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return g * (cdf + x * pdf), None


# ---------------------------------------------------------------- functional API -----------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0)."""
    if input.array.dtype.kind == "c":  # torch's relu is a clamp: no ordering of complex numbers
        raise NotImplementedError("clamp is not supported for complex types")
    if not inplace:
        return Relu.apply(input)
    return _finish(input, Relu.apply(_read(input, inplace)), inplace)


def relu_(input: Tensor) -> Tensor:
    return relu(input, inplace=True)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """clamp(x, min_val, max_val) with zero gradient outside (and on) the bounds."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) cannot be greater than max_val ({max_val})")
    return _finish(input, Hardtanh.apply(_read(input, inplace), min_val, max_val), inplace)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope * x otherwise."""
    return _finish(input, LeakyRelu.apply(_read(input, inplace), negative_slope), inplace)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    return _finish(input, Elu.apply(_read(input, inplace), alpha, 1.0, 1.0), inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants."""
    return _finish(input, Elu.apply(_read(input, inplace), _SELU_ALPHA, _SELU_SCALE, 1.0), inplace)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("celu: ZeroDivisionError: alpha cannot be 0 for CELU")
    return _finish(input, Elu.apply(_read(input, inplace), alpha, 1.0, 1.0 / alpha), inplace)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (Phi: the standard normal CDF); approximate='tanh' uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: approximate argument must be either none or tanh (got '{approximate}')")
    return Gelu.apply(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x)."""
    return _finish(input, Silu.apply(_read(input, inplace)), inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return _finish(input, Mish.apply(_read(input, inplace)), inplace)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, linear where beta x > threshold."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, = autocast_args("softplus", input)
    return Softplus.apply(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    return _finish(input, Hardsigmoid.apply(_read(input, inplace)), inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    return _finish(input, Hardswish.apply(_read(input, inplace)), inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably as min(x, 0) - log1p(exp(-|x|))."""
    return LogSigmoid.apply(input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b) where a, b are the two halves of ``input`` along ``dim``."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input.ndim, "glu")
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.split(n // 2, d)
    return a * Sigmoid.apply(b)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    return _finish(input, where(input.array > threshold, input, float(value)), inplace)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - Tanh.apply(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd if x > lambd, x + lambd if x < -lambd, else 0."""
    arr = input.array
    return where(arr > lambd, input - lambd, where(arr < -lambd, input + lambd, 0.0))


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    arr = input.array
    return where((arr > lambd) | (arr < -lambd), input, 0.0)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x) along ``dim``."""
    from ...ops.reduction import softmax

    return softmax(-input, dim, dtype)
