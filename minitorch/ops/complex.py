"""Complex tensors: ``real``, ``imag``, ``angle``, ``conj``, ``complex``, ``polar``, ``view_as_real``, ``sgn``...

Autograd follows torch's convention for complex inputs (Wirtinger calculus). For a real loss L of
z = x + iy, the gradient stored in ``z.grad`` is ``dL/dx + i dL/dy`` (twice dL/d conj(z)). An op s = f(z)
receiving the upstream grad g sends back

    grad_z = g * conj(ds/dz) + conj(g) * ds/d conj(z)

so a holomorphic op (exp, mul, matmul...) sends ``g * conj(f'(z))``: the real formulas with the saved
operands conjugated (``conj_of``, which returns a real tensor itself, so real backward costs nothing).
A real input of a complex op gets the real part of its gradient (``Function.apply`` routes it through
``_RealPartOfGrad``).

The safety net: a built-in op records a graph node for complex data only when its class says
``complex_autograd = True`` (checked in ``Function.apply``, on complex outputs and, for ops not so
marked, on complex inputs with a real output); every other op raises NotImplementedError instead of
computing a wrong gradient. ``COMPLEX_AWARE`` below lists the ops whose backward was checked.

Differences from torch: ``conj()`` copies (torch returns a lazy conjugate view: ``is_conj()`` is always
False here and ``resolve_conj`` returns the tensor); ``real``/``imag`` are views of the array (NumPy's),
but the graph and the version counter do not see writes through them as writes to the complex tensor.
"""
from __future__ import annotations

import builtins

import numpy as np

from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..tensor import Tensor

__all__ = [
    "real", "imag", "angle", "conj", "conj_physical", "resolve_conj", "is_conj", "complex",
    "polar", "view_as_real", "view_as_complex", "sgn", "is_complex", "isreal",
]


def conj_of(x):
    """conj(x) for complex data; a real tensor or number is returned as it is (no copy, no node)."""
    if isinstance(x, Tensor):
        return Conj.apply(x) if x.array.dtype.kind == "c" else x
    if isinstance(x, builtins.complex):
        return x.conjugate()
    return x


def _require_tensor(op: str, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _complex_np(real_np) -> np.dtype:
    if real_np == np.float64:
        return np.dtype(np.complex128)
    if real_np == np.float32:
        return np.dtype(np.complex64)
    raise RuntimeError(f"minitorch has no complex type for {real_np} (torch's complex32 is not provided)")


# ---------------------------------------------------------------- ops -------------------------------
class Conj(BuiltinOp):
    complex_autograd = True

    @staticmethod
    def forward(ctx, x):
        return xp_of(x.array).conj(x.array)

    @staticmethod
    def backward(ctx, g):
        """d conj(z) = conj(g)."""
        return conj_of(g)


class Real(BuiltinOp):
    complex_autograd = True

    @staticmethod
    def forward(ctx, z):
        return z.array.real

    @staticmethod
    def backward(ctx, g):
        """d Re(z) = g (a real grad, as a complex tensor)."""
        return g * (1 + 0j)


class Imag(BuiltinOp):
    complex_autograd = True

    @staticmethod
    def forward(ctx, z):
        return z.array.imag

    @staticmethod
    def backward(ctx, g):
        """d Im(z) = i g."""
        return g * 1j


class Angle(BuiltinOp):
    complex_autograd = True

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        arr = z.array
        r = xp_of(arr).angle(arr)
        return r.astype(arr.dtype, copy=False) if arr.dtype.kind == "f" else r

    @staticmethod
    def backward(ctx, g):
        """d angle(z) = i g z / |z|^2 (0 at z = 0); for real z, 0."""
        (z,) = ctx.saved_tensors
        if z.array.dtype.kind != "c":
            return g * 0
        d = z.abs() ** 2
        safe = d + (d.detach() == 0)  # 1 where z == 0, where the numerator is 0 too
        return g * (z * 1j) / safe


class Sgn(BuiltinOp):
    complex_autograd = True
    saves_output = True

    @staticmethod
    def forward(ctx, z):
        ctx.save_for_backward(z)
        arr = z.array
        xp = xp_of(arr)
        a = xp.abs(arr)
        zero = a == 0
        return xp.where(zero, 0, arr / xp.where(zero, 1, a)).astype(arr.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        """d (z/|z|) = (g - conj(g) s^2) / (2|z|), s = z/|z| (0 at z = 0)."""
        (z,) = ctx.saved_tensors
        s = ctx.output
        a = z.abs()
        zero = a.detach() == 0
        return (g - conj_of(g) * s * s) / (2 * (a + zero)) * (~zero)


class Complex(BuiltinOp):
    complex_autograd = True

    @staticmethod
    def forward(ctx, re, im):
        x, y = re.array, im.array
        ctx.shapes = (x.shape, y.shape)
        xp = xp_of(x)
        shape = np.broadcast_shapes(x.shape, y.shape)
        out = xp.empty(shape, dtype=_complex_np(x.dtype))
        out.real = x
        out.imag = y
        return out

    @staticmethod
    def backward(ctx, g):
        """d complex(a, b) = Re(g), Im(g)."""
        from ._util import unbroadcast  # noqa: PLC0415

        sa, sb = ctx.shapes
        na, nb = ctx.needs_input_grad
        return (unbroadcast(Real.apply(g), sa) if na else None, unbroadcast(Imag.apply(g), sb) if nb else None)


class ViewAsReal(BuiltinOp):
    complex_autograd = True

    @staticmethod
    def forward(ctx, z):
        arr = z.array
        real_np = arr.real.dtype
        if arr.ndim and arr.strides[-1] == arr.itemsize or arr.ndim == 0:  # a true view, as torch
            return arr[..., None].view(real_np)
        return xp_of(arr).stack([arr.real, arr.imag], axis=-1)

    @staticmethod
    def backward(ctx, g):
        """d view_as_real(z) = g[..., 0] + i g[..., 1]."""
        return ViewAsComplex.apply(g)


class ViewAsComplex(BuiltinOp):
    complex_autograd = True

    @staticmethod
    def forward(ctx, x):
        arr = x.array
        c = _complex_np(arr.dtype)
        return xp_of(arr).ascontiguousarray(arr).view(c)[..., 0]

    @staticmethod
    def backward(ctx, g):
        """d view_as_complex(x) = stack(Re(g), Im(g)) on a last dim of 2."""
        return ViewAsReal.apply(g)


# ---------------------------------------------------------------- functional API -----------------
def real(input: Tensor) -> Tensor:
    """The real part (a real tensor returns itself, as torch)."""
    _require_tensor("real", input)
    return Real.apply(input) if input.array.dtype.kind == "c" else input


def imag(input: Tensor) -> Tensor:
    """The imaginary part; real tensors raise as in torch."""
    _require_tensor("imag", input)
    if input.array.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return Imag.apply(input)


def angle(input: Tensor) -> Tensor:
    """atan2(imag, real) elementwise; for real input 0 or pi (nan stays nan); integers give the default float."""
    _require_tensor("angle", input)
    if input.array.dtype.kind in "biu":
        from ..backend.dtype import get_default_dtype  # noqa: PLC0415

        input = Tensor._wrap(input.array.astype(get_default_dtype().np))
    return Angle.apply(input)


def conj(input: Tensor) -> Tensor:
    """The complex conjugate (a copy here; torch returns a lazy view); a real tensor returns itself."""
    _require_tensor("conj", input)
    return Conj.apply(input) if input.array.dtype.kind == "c" else input


def conj_physical(input: Tensor) -> Tensor:
    """The complex conjugate, materialised (for real tensors: the tensor itself, as torch)."""
    return conj(input)


def resolve_conj(input: Tensor) -> Tensor:
    """The tensor itself: minitorch's conj is never lazy, so there is no conjugate bit to resolve."""
    _require_tensor("resolve_conj", input)
    return input


def is_conj(input: Tensor) -> bool:
    """False: minitorch's conj is never lazy (torch sets the bit on conj() views of complex tensors)."""
    _require_tensor("is_conj", input)
    return False


def is_complex(input: Tensor) -> bool:
    """Whether the dtype is complex64 or complex128."""
    _require_tensor("is_complex", input)
    return input.array.dtype.kind == "c"


def isreal(input: Tensor) -> Tensor:
    """True where the imaginary part is 0 (everywhere for real tensors)."""
    _require_tensor("isreal", input)
    arr = input.array
    if arr.dtype.kind == "c":
        return Tensor._wrap(arr.imag == 0)
    return Tensor._wrap(xp_of(arr).ones(arr.shape, dtype=bool))


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001 - torch's name
    """``real + i imag`` from two float tensors of one dtype (float32 -> complex64, float64 -> complex128)."""
    for name, t in (("real", real), ("imag", imag)):
        if not isinstance(t, Tensor):
            raise TypeError(f"complex(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if real.array.dtype != imag.array.dtype:
        raise RuntimeError(f"Expected object of scalar type {_scalar(real)} but got scalar type {_scalar(imag)} "
                           "for second argument")
    if real.array.dtype.kind != "f" or real.array.dtype == np.float16:
        raise RuntimeError(f"Expected both inputs to be Float or Double tensors but got {_scalar(real)} and "
                           f"{_scalar(imag)}")
    return Complex.apply(real, imag)


def _scalar(t: Tensor) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(t.array.dtype.name, t.array.dtype.name)


def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002 - torch's names
    """``abs * (cos(angle) + i sin(angle))``, differentiable in both (built from cos, sin, mul, complex)."""
    if not isinstance(abs, Tensor) or not isinstance(angle, Tensor):
        raise TypeError("polar(): arguments 'abs' and 'angle' must be Tensors")
    if abs.array.dtype != angle.array.dtype:
        raise RuntimeError(f"Expected object of scalar type {_scalar(abs)} but got scalar type {_scalar(angle)} "
                           "for second argument")
    return complex(abs * angle.cos(), abs * angle.sin())


def view_as_real(input: Tensor) -> Tensor:
    """A real tensor of shape (..., 2) holding (real, imag) pairs (a view of the array when its last dim is
    contiguous)."""
    _require_tensor("view_as_real", input)
    if input.array.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input: Tensor) -> Tensor:
    """A complex tensor from a float32/float64 tensor whose last dim has size 2 (real, imag)."""
    _require_tensor("view_as_complex", input)
    arr = input.array
    if arr.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor "
                           f"of scalar type: {_scalar(input)}")
    if arr.ndim == 0 or arr.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    return ViewAsComplex.apply(input)


def sgn(input: Tensor) -> Tensor:
    """z / |z| (0 at 0) for complex tensors; the sign for real ones."""
    _require_tensor("sgn", input)
    if input.array.dtype.kind == "c":
        return Sgn.apply(input)
    from .elementwise import sign  # noqa: PLC0415

    return sign(input)


def _to(dtype):
    return lambda self: self.to(dtype)


def pow_backward_complex(g: Tensor, a, b, na: bool, nb: bool):
    """Pow's backward with complex data: g*conj(b a^(b-1)), g*conj(a^b log a) (0 where a == 0)."""
    from ._util import unbroadcast  # noqa: PLC0415

    ga = gb = None
    if na:
        if isinstance(b, Tensor):
            ga = unbroadcast(g * conj_of(b * a ** (b - 1)), a.array.shape)
        elif b == 0:
            ga = g * 0
        else:
            ga = g * conj_of(b * a ** (b - 1))
    if nb:
        out = a ** b
        if isinstance(a, Tensor):
            zero = a.detach() == 0
            safe_log = (a + zero).log()
            gb = unbroadcast(g * conj_of(out * safe_log) * (~zero), b.array.shape)
        else:
            gb = g * conj_of(out * np.log(builtins.complex(a))) if a != 0 else g * 0
    return ga, gb


METHODS = {
    "angle": angle, "conj": conj, "conj_physical": conj_physical,
    "resolve_conj": resolve_conj, "is_conj": is_conj, "sgn": sgn,
    "is_complex": is_complex, "isreal": isreal, "cfloat": _to("complex64"), "cdouble": _to("complex128"),
}
INPLACE_METHODS = {"sgn_": sgn, "conj_physical_": conj_physical}


# ---------------------------------------------------------------- the complex-aware ops --------------
def _mark_complex_aware() -> None:
    """Ops whose backward is right for complex data (torch's convention), checked in tests/test_complex.py:
    linear ops with real coefficients (their formulas need no change) and the ops whose backward
    conjugates through ``conj_of``."""
    from . import arrange, contraction, conversion, diagonal, elementwise, indexing, linalg, reduction, shape  # noqa: PLC0415, I001

    classes = [
        elementwise.Add, elementwise.Sub, elementwise.Mul, elementwise.Div, elementwise.Neg, elementwise.Pow,
        elementwise.Exp, elementwise.Log, elementwise.Sqrt, elementwise.Abs, elementwise.Sin, elementwise.Cos,
        elementwise.Tanh, elementwise.Sigmoid, elementwise.Where,
        reduction.Sum, reduction.Mean, reduction.Prod, linalg.MatMul, contraction.Einsum, conversion.ToCopy,
        shape.Reshape, shape.Permute, shape.Expand, shape.Repeat, shape.Flip, shape.Cat, shape.Split,
        indexing.GetItem, indexing.IndexAdd, indexing.Gather, indexing.ScatterAdd,
        diagonal.Diagonal, diagonal.DiagonalScatter, diagonal.Tril, arrange.Roll,
    ]
    for cls in classes:
        cls.complex_autograd = True
