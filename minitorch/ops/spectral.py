"""Short-time Fourier transforms: ``stft`` and ``istft`` as torch's, differentiable (also in the window).

``stft`` = pad the signal (``center``), cut it into frames of ``n_fft`` samples ``hop_length`` apart
(``Frames``), multiply by the window (zero-padded to ``n_fft`` in the middle when ``win_length < n_fft``)
and take ``fft.rfft`` (one-sided) or ``fft.fft`` of each frame; the result is (batch?, freq, frames).

``istft`` inverts it by weighted overlap-add: the inverse DFT of each frame (``irfft`` or ``ifft``) times
the window, summed where the frames overlap (``OverlapAdd``, the adjoint of ``Frames``), divided by the
overlap-added squared window (the envelope); torch's NOLA check refuses an envelope that vanishes
(< 1e-11) anywhere in the kept signal.

Every step is a differentiable op (the two Functions here are each other's adjoint), so gradients flow
to the signal and to the window, in torch's complex convention.
"""
from __future__ import annotations

import warnings

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..backend.checks import fail_if
from ..tensor import Tensor

__all__ = ["stft", "istft"]

_TYPE = {"float32": "Float", "float64": "Double", "float16": "Half", "complex64": "ComplexFloat",
         "complex128": "ComplexDouble", "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
         "uint8": "Byte", "bool": "Bool"}


class Frames(BuiltinOp):
    """Frames of ``size`` samples, ``step`` apart, along the last dim: (..., L) -> (..., n_frames, size)."""

    complex_autograd = True

    @staticmethod
    def forward(ctx, x, size, step):
        arr = x.array
        ctx.args = (arr.shape[-1], size, step)
        xp = xp_of(arr)
        n = (arr.shape[-1] - size) // step + 1
        st = arr.strides
        view = xp.lib.stride_tricks.as_strided(arr, arr.shape[:-1] + (n, size), st[:-1] + (st[-1] * step, st[-1]))
        return xp.ascontiguousarray(view)

    @staticmethod
    def backward(ctx, g):
        """d frames(x) = overlap-add of g (each frame's gradient added back where it was read)."""
        length, size, step = ctx.args
        return OverlapAdd.apply(g, length, step), None, None


class OverlapAdd(BuiltinOp):
    """(..., n_frames, size) -> (..., length): frame t added at samples t*step .. t*step + size - 1."""

    complex_autograd = True

    @staticmethod
    def forward(ctx, f, length, step):
        arr = f.array
        n, size = arr.shape[-2:]
        ctx.args = (size, step)
        xp = xp_of(arr)
        chunks = -(-size // step)
        out = xp.zeros(arr.shape[:-2] + (max(length, (n - 1 + chunks) * step),), dtype=arr.dtype)
        # chunk j (``step`` samples) of every frame lands in one strided run: ceil(size / step) adds in all
        for j in range(0, size, step):
            w = min(step, size - j)
            run = out[..., j:j + n * step].reshape(arr.shape[:-2] + (n, step))  # a view: one dim split
            run[..., :w] += arr[..., j:j + w]
        if out.shape[-1] != length:
            out = xp.ascontiguousarray(out[..., :length])
        return out

    @staticmethod
    def backward(ctx, g):
        """d overlap_add(f) = the frames of g (the gather that the sum undoes)."""
        size, step = ctx.args
        return Frames.apply(g, size, step), None, None


# ---------------------------------------------------------------- argument checks -------------------------
def _tname(t: Tensor) -> str:
    return f"torch.{_TYPE.get(t.array.dtype.name, t.array.dtype.name)}Tensor"


def _centered_window(window: Tensor | None, win_length: int, n_fft: int, like: Tensor) -> Tensor | None:
    """The window zero-padded in the middle of ``n_fft`` samples (None: a rectangular window)."""
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    if window is None:
        xp = xp_of(like.array)
        real = like.array.real.dtype if like.array.dtype.kind == "c" else like.array.dtype
        arr = xp.zeros(n_fft, dtype=real)
        arr[left:left + win_length] = 1
        return Tensor._wrap(arr)
    from .shape import cat  # noqa: PLC0415

    xp = xp_of(window.array)
    zl = Tensor._wrap(xp.zeros(left, dtype=window.array.dtype))
    zr = Tensor._wrap(xp.zeros(n_fft - win_length - left, dtype=window.array.dtype))
    return cat([zl, window, zr])


def stft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
         window: Tensor | None = None, center: bool = True, pad_mode: str = "reflect", normalized: bool = False,
         onesided: bool | None = None, return_complex: bool | None = None,
         align_to_window: bool | None = None) -> Tensor:
    """The short-time Fourier transform of a 1-D (L) or 2-D (B, L) signal: (B?, freq, frames), as torch.

    ``hop_length`` defaults to ``n_fft // 4``, ``win_length`` to ``n_fft``; ``window`` (length
    ``win_length``, rectangular when None, with torch's warning) is zero-padded to ``n_fft`` in the middle;
    ``center`` pads ``n_fft // 2`` on both sides with ``pad_mode``; ``normalized`` scales by ``n_fft**-0.5``;
    ``onesided`` (default: real input and window) keeps ``n_fft // 2 + 1`` bins. ``return_complex`` must be
    given for real input; False returns ``view_as_real`` of the result (deprecated in torch, with its warning).
    ``align_to_window`` (only with ``center=False``) starts each frame's window, not its ``n_fft`` samples,
    at ``t * hop_length``.
    """
    from .. import fft  # noqa: PLC0415
    from ..nn.functional import pad as _pad  # noqa: PLC0415

    if not isinstance(input, Tensor):
        raise TypeError(f"stft(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    x = input
    if center:
        nd = x.array.ndim
        p = int(n_fft // 2)
        x = _pad(x.reshape((1,) * (3 - nd) + tuple(x.array.shape)), [p, p], pad_mode)
        x = x.reshape(tuple(x.array.shape[-nd:]) if nd else ())
    hop = n_fft // 4 if hop_length is None else hop_length
    wl = n_fft if win_length is None else win_length

    def where() -> str:
        w = "None" if window is None else f"{_tname(window)}{{{list(window.array.shape)}}}"
        return (f"stft({_tname(x)}{list(x.array.shape)}, n_fft={n_fft}, hop_length={hop}, win_length={wl}, "
                f"window={w}, normalized={int(normalized)}, onesided={_opt(onesided)}, "
                f"return_complex={_opt(return_complex)}, align_to_window={_opt(align_to_window)}) ")

    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular "
                      "window, explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning, 2)
    is_complex = x.array.dtype.kind == "c" or (window is not None and window.array.dtype.kind == "c")
    if return_complex is None:
        if not is_complex:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        return_complex = True
    if not return_complex:
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will "
                      "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
                      "Note: you can still call torch.view_as_real on the complex output to recover the old "
                      "return format.", UserWarning, 2)
    if x.array.dtype.kind not in "fc":
        raise RuntimeError(where() + ": expected a tensor of floating point or complex values")
    if x.array.ndim not in (1, 2):
        raise RuntimeError(where() + ": expected a 1D or 2D tensor")
    length = x.array.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(where() + f": expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(where() + f": expected hop_length > 0, but got hop_length={hop}")
    if wl <= 0 or wl > n_fft:
        raise RuntimeError(where() + f": expected 0 < win_length <= n_fft, but got win_length={wl}")
    if window is not None and (window.array.ndim != 1 or window.array.shape[0] != wl):
        raise RuntimeError(where() + f": expected a 1D window tensor of size equal to win_length={wl}, but got "
                           f"window with size {list(window.array.shape)}")
    if onesided is None:
        onesided = not is_complex
    elif onesided and is_complex:
        raise RuntimeError("Cannot have onesided output if window or input is complex")
    if align_to_window and wl < n_fft:  # frames start where their window starts: pad the signal instead
        left = (n_fft - wl) // 2
        x = _pad(x, [left, n_fft - wl - left])
    frames = Frames.apply(x, n_fft, hop)  # (B?, n_frames, n_fft)
    w = _centered_window(window, wl, n_fft, x)
    if w is not None:
        frames = frames * w
    norm = "ortho" if normalized else "backward"
    spec = fft.rfft(frames, norm=norm) if onesided else fft.fft(frames, norm=norm)
    spec = spec.transpose(-1, -2)
    if not return_complex:
        from .complex import view_as_real  # noqa: PLC0415

        return view_as_real(spec)
    return spec


def _opt(v) -> str:
    return "None" if v is None else str(int(v))


def istft(input: Tensor, n_fft: int, hop_length: int | None = None, win_length: int | None = None,
          window: Tensor | None = None, center: bool = True, normalized: bool = False,
          onesided: bool | None = None, length: int | None = None, return_complex: bool = False) -> Tensor:
    """The inverse STFT of a complex (freq, frames) or (B, freq, frames) spectrum, as torch.

    Inverse DFT of each frame (``irfft`` when ``onesided``, the default when freq != n_fft), times the
    window, overlap-added and divided by the overlap-added squared window; ``center`` trims ``n_fft // 2``
    from both ends; ``length`` trims or zero-pads (with torch's warning) the end. The envelope must not
    vanish (torch's NOLA check: RuntimeError "window overlap add min"; on a GPU reported at the next sync).
    """
    from .. import fft  # noqa: PLC0415
    from .shape import cat  # noqa: PLC0415

    if not isinstance(input, Tensor):
        raise TypeError(f"istft(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    hop = n_fft >> 2 if hop_length is None else hop_length
    wl = n_fft if win_length is None else win_length
    if input.array.dtype.kind != "c":
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")

    def where() -> str:
        kind = {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}[input.array.dtype.name]
        w = "None" if window is None else f"{_tname(window)}{{{list(window.array.shape)}}}"
        return (f"istft(CPU{kind}Type{list(input.array.shape)}, n_fft={n_fft}, hop_length={hop}, "
                f"win_length={wl}, window={w}, center={int(center)}, normalized={int(normalized)}, "
                f"onesided={_opt(onesided)}, length={length}, return_complex={int(return_complex)}) ")

    if window is None:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please provide the same "
                      "window used by stft to make the inversion lossless.To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, 2)
    nd = input.array.ndim
    if nd < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd - 1}, {nd}], but got -3)")
    if input.array.size == 0:
        raise RuntimeError(where() + ": input tensor cannot be empty.")
    if nd not in (2, 3):
        raise RuntimeError(where() + f": expected a tensor with 3 or 4 dimensions of real, or 2 or 3 dimensions "
                           f"of complex, but got {nd}")
    fft_size, n_frames = input.array.shape[-2:]
    if onesided is None:
        onesided = fft_size != n_fft
    if onesided and n_fft // 2 + 1 != fft_size:
        raise RuntimeError(where() + ": expected the frequency dimension (3rd to the last) of the input tensor to "
                           f"match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    if not onesided and n_fft != fft_size:
        raise RuntimeError(where() + ": expected the frequency dimension (3rd to the last) of the input tensor to "
                           f"match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop <= wl:
        raise RuntimeError(where() + ": expected 0 < hop_length <= win_length")
    if not 0 < wl <= n_fft:
        raise RuntimeError(where() + ": expected 0 < win_length <= n_fft")
    if window is not None and (window.array.ndim != 1 or window.array.shape[0] != wl):
        raise RuntimeError(where() + ": Invalid window shape. window has to be 1D and length of `win_length`")
    norm = "ortho" if normalized else "backward"
    spec = input.transpose(-1, -2)  # (B?, n_frames, fft_size)
    if return_complex:
        if onesided:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = fft.ifft(spec, norm=norm)
    else:
        if window is not None and window.array.dtype.kind == "c":
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not onesided:
            spec = spec.narrow(-1, 0, n_fft // 2 + 1)
        frames = fft.irfft(spec, n=n_fft, norm=norm)
    xp = xp_of(input.array)
    w = window
    if w is None:
        w = Tensor._wrap(xp.ones(wl, dtype=frames.array.real.dtype if frames.array.dtype.kind == "c"
                                 else frames.array.dtype))
    w = _centered_window(w, wl, n_fft, frames)
    expected = n_fft + hop * (n_frames - 1)
    y = OverlapAdd.apply(frames * w, expected, hop)
    envelope = OverlapAdd.apply((w * w).expand(n_frames, n_fft), expected, hop)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = expected - n_fft // 2 if center else expected
    y = y[..., start:end]
    envelope = envelope[start:end]
    env = envelope.array
    small = xp.abs(env).min() < 1e-11 if env.size else xp.asarray(False)
    fail_if(small, RuntimeError, lambda: where() + "window overlap add min: 1")
    y = y / envelope
    if end > expected:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with zeros "
                      "in the tail. Please check your center and hop_length settings.", UserWarning, 2)
        zeros = Tensor._wrap(xp.zeros(y.array.shape[:-1] + (end - expected,), dtype=y.array.dtype))
        y = cat([y, zeros], -1)
    return y


def _stft_method(self: Tensor, n_fft: int, hop_length=None, win_length=None, window=None, center: bool = True,
                 pad_mode: str = "reflect", normalized: bool = False, onesided=None, return_complex=None,
                 align_to_window=None) -> Tensor:
    return stft(self, n_fft, hop_length, win_length, window, center, pad_mode, normalized, onesided, return_complex,
                align_to_window)


METHODS = {"stft": _stft_method, "istft": istft}
INPLACE_METHODS: dict = {}
