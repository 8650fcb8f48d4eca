"""``minitorch.fft``: discrete Fourier transforms as ``torch.fft``, differentiable, on NumPy (``numpy.fft``)
and CuPy (``cupy.fft``).

Three Functions do the work, each the adjoint of another (a DFT is linear, so its backward is the
adjoint map applied to the upstream gradient, in torch's complex convention):

- ``C2C`` (fft, ifft, fft2, ifft2, fftn, ifftn): backward = the opposite-direction transform with the
  dual norm ("backward" <-> "forward", "ortho" stays), then undoing ``n``/``s`` (trimmed entries get 0,
  zero-padded ones are dropped);
- ``R2C`` (rfft, rfft2, rfftn): backward = zero-pad the one-sided spectrum to the full length, inverse
  C2C with the dual norm, real part;
- ``C2R`` (irfft, irfft2, irfftn): backward = R2C of the gradient with the dual norm, with the bins
  that stand for two (conjugate) bins of the full spectrum doubled (1 .. n - n//2 - 1 on the last dim),
  as torch does.

``hfft``/``ihfft`` are ``irfft(conj(x))``/``conj(rfft(x))`` with the norm swapped, as NumPy and torch
define them. float32 (and integer input, through the default dtype) gives complex64; float64 gives
complex128.
"""
from __future__ import annotations

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..backend.dtype import get_default_dtype, to_dtype
from ..tensor import Tensor, _wrap_dim

__all__ = [
    "fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
    "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift", "ifftshift",
]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64), np.dtype(np.float64): np.dtype(np.complex128),
               np.dtype(np.complex64): np.dtype(np.complex64), np.dtype(np.complex128): np.dtype(np.complex128)}


# ---------------------------------------------------------------- argument handling ------------------
def _norm(norm) -> str:
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise ValueError(f"Invalid normalization mode: {norm}")
    return norm


def _input(op: str, x) -> Tensor:
    """``x`` as a float/complex tensor (integers and bools in the default float dtype, as torch)."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")
    kind = x.array.dtype.kind
    if kind in "biu":
        return x.to(get_default_dtype())
    if x.array.dtype == np.float16:
        raise RuntimeError(f"{op}: Unsupported dtype Half (minitorch computes FFTs in float32 or float64)")
    return x


def _plan(op: str, x: Tensor, s, dim, default_dims) -> tuple:
    """(dims, sizes) as torch reads ``s``/``dim``: ``dim`` None takes the last ``len(s)`` dims (or
    ``default_dims``); an ``s`` entry of -1 keeps that dim's length."""
    ndim = x.array.ndim
    if isinstance(s, int):
        s = (s,)
    if dim is None:
        if s is not None:
            if len(s) > ndim:
                raise RuntimeError(f"{op}: Got shape with {len(s)} values but input tensor only has {ndim} "
                                   "dimensions.")
            dims = list(range(ndim - len(s), ndim))
        elif default_dims is None:
            dims = list(range(ndim))
        else:
            dims = [_wrap_dim(d, ndim, op) for d in default_dims]
    else:
        dims = [_wrap_dim(d, ndim, op) for d in ((dim,) if isinstance(dim, int) else dim)]
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}: FFT dims must be unique")
    if s is None:
        sizes = [x.array.shape[d] for d in dims]
    else:
        s = list(s)
        if len(s) != len(dims):
            raise RuntimeError(f"{op}: When given, dim and shape arguments must have the same length")
        sizes = [x.array.shape[d] if n == -1 else int(n) for d, n in zip(dims, s)]
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"{op}: Invalid number of data points ({n}) specified")
    return dims, sizes


def _resize(t: Tensor, dims, sizes) -> Tensor:
    """``t`` trimmed or zero-padded at the end of each of ``dims`` to ``sizes`` (differentiable)."""
    for d, n in zip(dims, sizes):
        have = t.array.shape[d]
        if have > n:
            t = t.narrow(d, 0, n)
        elif have < n:
            shape = list(t.array.shape)
            shape[d] = n - have
            zeros = Tensor._wrap(xp_of(t.array).zeros(shape, dtype=t.array.dtype))
            from ..ops.shape import cat  # noqa: PLC0415

            t = cat([t, zeros], d)
    return t


# ---------------------------------------------------------------- the three transforms --------------
class C2C(BuiltinOp):
    """fftn / ifftn over ``dims`` with output lengths ``sizes``."""

    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims, sizes, norm, inverse):
        arr = x.array
        ctx.args = (dims, sizes, norm, inverse)
        ctx.in_sizes = [arr.shape[d] for d in dims]
        xp = xp_of(arr)
        out = (xp.fft.ifftn if inverse else xp.fft.fftn)(arr, s=sizes, axes=dims, norm=norm)
        return out.astype(_COMPLEX_OF[arr.dtype], copy=False)

    @staticmethod
    def backward(ctx, g):
        """d fftn(x) = the adjoint: ifftn of g with the dual norm (fftn with it for ifftn), n/s undone."""
        dims, sizes, norm, inverse = ctx.args
        gx = C2C.apply(g, dims, sizes, _DUAL[norm], not inverse)
        return _resize(gx, dims, ctx.in_sizes), None, None, None, None


class R2C(BuiltinOp):
    """rfftn of a real tensor: the one-sided spectrum (last dim n//2 + 1)."""

    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims, sizes, norm):
        arr = x.array
        ctx.args = (dims, sizes, norm)
        ctx.in_sizes = [arr.shape[d] for d in dims]
        out = xp_of(arr).fft.rfftn(arr, s=sizes, axes=dims, norm=norm)
        return out.astype(_COMPLEX_OF[arr.dtype], copy=False)

    @staticmethod
    def backward(ctx, g):
        """d rfftn(x) = Re(ifftn(g zero-padded to the full last dim, dual norm)), n/s undone."""
        dims, sizes, norm = ctx.args
        full = _resize(g, dims[-1:], sizes[-1:])
        gx = C2C.apply(full, dims, sizes, _DUAL[norm], True).real
        return _resize(gx, dims, ctx.in_sizes), None, None, None


class C2R(BuiltinOp):
    """irfftn: a real signal from a one-sided spectrum (output last dim ``sizes[-1]``)."""

    complex_autograd = True

    @staticmethod
    def forward(ctx, x, dims, sizes, norm):
        arr = x.array
        ctx.args = (dims, sizes, norm)
        ctx.in_sizes = [arr.shape[d] for d in dims]
        ctx.real_input = arr.dtype.kind != "c"
        out = xp_of(arr).fft.irfftn(arr, s=sizes, axes=dims, norm=norm)
        real_np = _COMPLEX_OF[arr.dtype].type(0).real.dtype
        return out.astype(real_np, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d irfftn(y) = rfftn(g, dual norm) with bins 1 .. n - n//2 - 1 of the last dim doubled, n/s undone."""
        dims, sizes, norm = ctx.args
        gy = R2C.apply(g, dims, sizes, _DUAL[norm])
        n, m = sizes[-1], sizes[-1] // 2 + 1
        if n - m > 0:
            w = np.ones(m, dtype=g.array.dtype)
            w[1:n - m + 1] = 2
            shape = [1] * g.array.ndim
            shape[dims[-1]] = m
            gy = gy * Tensor._wrap(xp_of(g.array).asarray(w.reshape(shape)))
        gy = _resize(gy, dims, ctx.in_sizes)
        if ctx.real_input:
            gy = gy.real
        return gy, None, None, None


# ---------------------------------------------------------------- public functions ------------------
def _c2c(op, input, s, dim, norm, inverse, default_dims):
    x = _input(op, input)
    dims, sizes = _plan(op, x, s, dim, default_dims)
    return C2C.apply(x, dims, sizes, _norm(norm), inverse)


def _r2c(op, input, s, dim, norm, default_dims):
    x = _input(op, input)
    if x.array.dtype.kind == "c":
        raise RuntimeError(f"{op} expects a real input tensor, but got {x.dtype}")
    dims, sizes = _plan(op, x, s, dim, default_dims)
    return R2C.apply(x, dims, sizes, _norm(norm))


def _c2r(op, input, s, dim, norm, default_dims):
    x = _input(op, input)
    dims, sizes = _plan(op, x, s, dim, default_dims)
    if s is None or (not isinstance(s, int) and s[-1] == -1):  # the last dim's default: 2 (m - 1)
        sizes[-1] = 2 * (x.array.shape[dims[-1]] - 1)
    if sizes[-1] < 1:
        raise RuntimeError(f"{op}: Invalid number of data points ({sizes[-1]}) specified")
    return C2R.apply(x, dims, sizes, _norm(norm))


def _one(n, dim):
    return (None if n is None else (n,)), (dim,)


def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The 1-D discrete Fourier transform along ``dim`` (``n``: trim or zero-pad the input to n first)."""
    s, d = _one(n, dim)
    return _c2c("fft_fft", input, s, d, norm, False, None)


def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The 1-D inverse DFT along ``dim``."""
    s, d = _one(n, dim)
    return _c2c("fft_ifft", input, s, d, norm, True, None)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D DFT over ``dim`` (the last two dims by default)."""
    return _c2c("fft_fft2", input, s, dim, norm, False, None)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D inverse DFT over ``dim``."""
    return _c2c("fft_ifft2", input, s, dim, norm, True, None)


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-D DFT over ``dim`` (all dims, or the last len(s) when only ``s`` is given)."""
    return _c2c("fft_fftn", input, s, dim, norm, False, None)


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-D inverse DFT."""
    return _c2c("fft_ifftn", input, s, dim, norm, True, None)


def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-sided DFT of a real signal: n//2 + 1 bins along ``dim``."""
    s, d = _one(n, dim)
    return _r2c("fft_rfft", input, s, d, norm, None)


def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of rfft: a real signal of length ``n`` (default 2 (m - 1)) from m one-sided bins."""
    s, d = _one(n, dim)
    return _c2r("fft_irfft", input, s, d, norm, None)


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D DFT of a real tensor, one-sided on the last of ``dim``."""
    return _r2c("fft_rfft2", input, s, dim, norm, None)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The inverse of rfft2."""
    return _c2r("fft_irfft2", input, s, dim, norm, None)


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-D DFT of a real tensor, one-sided on the last transformed dim."""
    return _r2c("fft_rfftn", input, s, dim, norm, None)


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The inverse of rfftn."""
    return _c2r("fft_irfftn", input, s, dim, norm, None)


def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The DFT of a Hermitian-symmetric signal given by its first half: a real result of length ``n``
    (``irfft(conj(input))`` with the norm swapped)."""
    x = _input("fft_hfft", input)
    return irfft(x.conj(), n, dim, _DUAL[_norm(norm)])


def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of hfft: the one-sided spectrum of a real signal, conjugated (``conj(rfft)``, norm swapped)."""
    x = _input("fft_ihfft", input)
    return rfft(x, n, dim, _DUAL[_norm(norm)]).conj()


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The 2-D DFT of a Hermitian-symmetric signal given by its one-sided half on the last of ``dim``: real
    (``irfft2(conj(input))`` with the norm swapped)."""
    x = _input("fft_hfft2", input)
    return _c2r("fft_hfft2", x.conj(), s, dim, _DUAL[_norm(norm)], None)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None) -> Tensor:
    """The inverse of hfft2: ``conj(rfft2(input))`` with the norm swapped (one-sided on the last of ``dim``)."""
    return _r2c("fft_ihfft2", input, s, dim, _DUAL[_norm(norm)], None).conj()


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The N-D DFT of a Hermitian-symmetric signal (one-sided on the last transformed dim): real,
    ``irfftn(conj(input))`` with the norm swapped."""
    x = _input("fft_hfftn", input)
    return _c2r("fft_hfftn", x.conj(), s, dim, _DUAL[_norm(norm)], None)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None) -> Tensor:
    """The inverse of hfftn: ``conj(rfftn(input))`` with the norm swapped."""
    return _r2c("fft_ihfftn", input, s, dim, _DUAL[_norm(norm)], None).conj()


def _freq_tensor(arr: np.ndarray, dtype, device, requires_grad: bool) -> Tensor:
    from ..creation import tensor as _tensor  # noqa: PLC0415

    dt = to_dtype(dtype) if dtype is not None else get_default_dtype()
    return _tensor(arr, dtype=dt, device=device, requires_grad=requires_grad)


def fftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """The sample frequencies of an n-point DFT: [0, 1, ..., n//2 - 1 (or n//2), -n//2, ..., -1] / (d n)."""
    return _freq_tensor(np.fft.fftfreq(n, d), dtype, device, requires_grad)


def rfftfreq(n: int, d: float = 1.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """The sample frequencies of rfft's n//2 + 1 bins: [0, 1, ..., n//2] / (d n)."""
    return _freq_tensor(np.fft.rfftfreq(n, d), dtype, device, requires_grad)


def _shift(input: Tensor, dim, sign: int) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"argument 'input' must be Tensor, not {type(input).__name__}")
    ndim = input.array.ndim
    dims = list(range(ndim)) if dim is None else [_wrap_dim(d, ndim, "fftshift")
                                                   for d in ((dim,) if isinstance(dim, int) else dim)]
    if not dims:
        return input
    shifts = [sign * (input.array.shape[d] // 2) for d in dims]
    return input.roll(shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Move the zero-frequency bin to the centre (a roll by n//2 along each of ``dim``, all by default)."""
    return _shift(input, dim, 1)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of fftshift (a roll by -(n//2))."""
    return _shift(input, dim, -1)
