"""Contractions: einsum, tensordot, baddbmm, addmv, addr, cross, kron, cdist, ...

``Einsum`` is the one Function here: the others are composites of it, of matmul, and of
elementwise ops, so their gradients (and double backward) come from those ops.
"""
from __future__ import annotations

import math
import string

import numpy as np

from ..amp.autocast_mode import _AutocastState, autocast_args, autocast_call
from ..autograd.function import BuiltinOp
from ..backend import xp_of
from ..tensor import Tensor
from ._util import torch_type_name, wrap_dim
from .linalg import addmm, bmm, mv, outer

__all__: list[str] = [
    "einsum", "tensordot", "baddbmm", "addbmm", "addmv", "addr", "inner", "kron", "cross", "cdist", "dist",
]

_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # torch's order for the implicit output


# ---------------------------------------------------------------- einsum ---------------------------
class Einsum(BuiltinOp):
    """A clean contraction: explicit output, each output letter unique and present in some operand,
    every letter one size in all operands (``_contract`` prepares equations into this form)."""

    @staticmethod
    def forward(ctx, equation, subs, out, *operands):
        ctx.subs, ctx.out = subs, out
        ctx.sizes = _sizes(subs, operands)
        ctx.save_for_backward(*operands)
        arrays = [t.array for t in operands]
        return xp_of(arrays[0]).einsum(equation, *arrays, optimize=len(arrays) > 1)

    @staticmethod
    def backward(ctx, g):
        """d operand_k = einsum(g, other operands (conj if complex) -> subscripts of k) (diagonals embedded)."""
        operands = ctx.saved_tensors
        if g.array.dtype.kind == "c":  # complex: contract with the conjugated operands
            from .complex import conj_of  # noqa: PLC0415

            operands = [conj_of(o) for o in operands]
        grads = [None, None, None]
        for k in range(len(operands)):
            if not ctx.needs_input_grad[k + 3]:
                grads.append(None)
                continue
            others = [(ctx.out, g)] + [(s, o) for j, (s, o) in enumerate(zip(ctx.subs, operands)) if j != k]
            grads.append(_contract(ctx.subs[k], others, ctx.sizes))
        return tuple(grads)


def _sizes(subs, operands) -> dict:
    sizes = {}
    for s, t in zip(subs, operands):
        for letter, n in zip(s, t.array.shape):
            if sizes.get(letter, 1) == 1:
                sizes[letter] = n
    return sizes


def _contract(out: str, operands: list, sizes: dict) -> Tensor:
    """einsum of ``operands`` ([(subscripts, Tensor)]) into subscripts ``out``, which may repeat a letter
    (a diagonal: embedded with an identity mask) or name a letter no operand has (broadcast); operands'
    size-1 dims under a larger letter broadcast (squeezed away before the contraction)."""
    clean = []
    for s, t in operands:
        keep = [i for i, letter in enumerate(s) if not (t.array.shape[i] == 1 and sizes[letter] > 1)]
        if len(keep) != len(s):
            t = t.reshape(tuple(t.array.shape[i] for i in keep))
            s = "".join(s[i] for i in keep)
        clean.append((s, t))
    present = set("".join(s for s, _ in clean))
    unique = list(dict.fromkeys(out))
    inside = "".join(letter for letter in unique if letter in present)
    if len(clean) == 1 and clean[0][0] == inside:
        r = clean[0][1]
    else:
        eq = ",".join(s for s, _ in clean) + "->" + inside
        r = Einsum.apply(eq, tuple(s for s, _ in clean), inside, *(t for _, t in clean))
    if len(inside) != len(unique):  # letters summed nowhere else: the gradient is constant along them
        r = r.reshape(tuple(sizes[x] if x in present else 1 for x in unique)).expand(
            tuple(sizes[x] for x in unique)
        )
    if len(unique) != len(out):  # a repeated letter: only its diagonal is reached
        first = [out.index(x) == i for i, x in enumerate(out)]
        r = r.reshape(tuple(sizes[x] if f else 1 for x, f in zip(out, first)))
        xp = xp_of(r.array)
        mask = xp.ones((1,) * len(out), dtype=bool)
        for i, x in enumerate(out):
            j = out.index(x)
            if j != i:
                n = sizes[x]
                mask = mask & (_axis_arange(xp, n, j, len(out)) == _axis_arange(xp, n, i, len(out)))
        r = r * Tensor._wrap(mask.astype(r.array.dtype))
    return r


def _axis_arange(xp, n, axis, ndim):
    return xp.arange(n).reshape((1,) * axis + (n,) + (1,) * (ndim - axis - 1))


def _parse_term(term: str, equation: str, offset: int) -> list:
    tokens, i = [], 0
    while i < len(term):
        if term.startswith("...", i):
            if "..." in tokens:
                raise RuntimeError(f"einsum(): found '.' for operand that is not part of any ellipsis in {equation!r}")
            tokens.append("...")
            i += 3
            continue
        c = term[i]
        if c not in _LETTERS:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {offset + i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
        tokens.append(c)
        i += 1
    return tokens


def _parse(equation: str, operands) -> tuple:
    """(operand subscripts, output subscripts, letter sizes) with '...' spelled out as letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    parsed, offset = [], 0
    for term in terms:
        parsed.append(_parse_term(term, equation, offset))
        offset += len(term) + 1
    out_tokens = _parse_term(rhs, equation, offset + 1) if arrow else None
    used = set(eq)
    free = [c for c in _LETTERS if c not in used]
    n_ell = 0
    for k, (tokens, t) in enumerate(zip(parsed, operands)):
        named = len([x for x in tokens if x != "..."])
        nd = t.array.ndim
        if ("..." in tokens and nd < named) or ("..." not in tokens and nd != named):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match the number "
                f"of dimensions ({nd}) for operand {k}{'' if '...' in tokens else ' and no ellipsis was given'}"
            )
        if "..." in tokens:
            n_ell = max(n_ell, nd - named)
    ell = free[:n_ell]
    subs = []
    for tokens, t in zip(parsed, operands):
        width = t.array.ndim - (len(tokens) - 1)
        subs.append("".join("".join(ell[n_ell - width:]) if x == "..." else x for x in tokens))
    if out_tokens is None:
        counts = {}
        for s in subs:
            for x in s:
                counts[x] = counts.get(x, 0) + 1
        named = sorted((x for x, c in counts.items() if c == 1 and x not in ell), key=_LETTERS.index)
        out = "".join(ell) + "".join(named)
    else:
        out = "".join("".join(ell) if x == "..." else x for x in out_tokens)
        seen = set()
        for x in out:
            if x in seen:
                raise RuntimeError(f"einsum(): output subscript {x} appears more than once in the output")
            seen.add(x)
            if not any(x in s for s in subs):
                raise RuntimeError(
                    f"einsum(): output subscript {x} does not appear in the equation for any input operand"
                )
    sizes = {}
    for k, (s, t) in enumerate(zip(subs, operands)):
        for letter, n in zip(s, t.array.shape):
            seen = sizes.get(letter)
            if seen is None or seen == 1:
                sizes[letter] = n
            elif n != 1 and n != seen:
                raise RuntimeError(
                    f"einsum(): subscript {letter} has size {n} for operand {k} which does not broadcast "
                    f"with previously seen size {seen}"
                )
    return subs, out, sizes


def _sublist_letter(n) -> str:
    """torch's letter for a sublist subscript: 0..25 -> 'A'..'Z', 26..51 -> 'a'..'z', Ellipsis -> '...'."""
    if n == Ellipsis:
        return "..."
    if 0 <= n < 26:
        return chr(ord("A") + n)
    if 26 <= n < 52:
        return chr(ord("a") + n - 26)
    raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")


def _from_sublists(args: tuple) -> tuple:
    """torch's sublist format ``einsum(op1, sub1, op2, sub2, ..., [out])`` as (equation, operands)."""
    equation = ",".join("".join(_sublist_letter(s) for s in sub) for sub in args[1::2])
    if len(args) % 2 == 1:
        return equation + "->" + "".join(_sublist_letter(s) for s in args[-1]), args[:-1:2]
    return equation, args[::2]


def einsum(equation: str, *operands) -> Tensor:
    """torch.einsum: operands as varargs or one list; '...' ellipsis, implicit output, repeated letters;
    or torch's sublist format ``einsum(a, [0, 1], b, [1], [0])`` (subscripts 0..51 and Ellipsis)."""
    if isinstance(equation, Tensor):
        if not operands:
            raise ValueError("einsum(): must specify the equation string and at least one operand, "
                             "or at least one operand and its subscripts list")
        equation, operands = _from_sublists((equation, *operands))
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        operands = autocast_args("einsum", *operands)
    subs, out, sizes = _parse(equation, operands)
    devices = {t.device for t in operands}
    if len(devices) > 1:
        a, b = sorted(devices, key=str)[:2]
        raise RuntimeError(
            f"einsum(): Expected all tensors to be on the same device, but found at least two devices, {a} and {b}!"
        )
    dtypes = {t.array.dtype for t in operands}
    if len(dtypes) > 1:
        raise RuntimeError(
            f"einsum(): expected all operands to have the same dtype, got {sorted(str(t.dtype) for t in operands)}"
        )
    r = _contract(out, list(zip(subs, operands)), sizes)
    if r is operands[0]:  # einsum('ij->ij', x): a new tensor, as torch's
        r = r.clone()
    return r


# ---------------------------------------------------------------- composites -----------------------
def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    """Sum over ``dims`` of ``a`` against ``dims`` of ``b`` (an int: a's last and b's first dims)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.array.ndim or dims > b.array.ndim:
            raise RuntimeError(
                f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims} (shapes {list(a.shape)} "
                f"and {list(b.shape)})"
            )
        da, db = list(range(a.array.ndim - dims, a.array.ndim)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(
                f"both dimension lists should have same length, got {len(da)} and {len(db)}"
            )
        da = [wrap_dim(d, a.array.ndim, "tensordot") for d in da]
        db = [wrap_dim(d, b.array.ndim, "tensordot") for d in db]
    for x, y in zip(da, db):
        if a.array.shape[x] != b.array.shape[y]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.array.shape[x]} in dim {x} and "
                f"second has size {b.array.shape[y]} in dim {y}"
            )
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(a.array.ndim)]
    sb = [next(letters) for _ in range(b.array.ndim)]
    for x, y in zip(da, db):
        sb[y] = sa[x]
    out = [s for i, s in enumerate(sa) if i not in da] + [s for i, s in enumerate(sb) if i not in db]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


def _scaled_sum(inp, prod, beta, alpha, op):
    if alpha != 1:
        prod = prod * alpha
    if beta == 0:  # torch ignores ``input`` (even its NaNs), but it must still broadcast
        try:
            np.broadcast_shapes(inp.array.shape, prod.array.shape)
        except ValueError:
            raise RuntimeError(
                f"{op}: input of shape {list(inp.shape)} does not broadcast to the product's {list(prod.shape)}"
            ) from None
        shape = np.broadcast_shapes(inp.array.shape, prod.array.shape)
        return prod.expand(shape) if shape != prod.array.shape else prod
    return (inp * beta if beta != 1 else inp) + prod


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, batch1, batch2 = autocast_args("baddbmm", input, batch1, batch2)
    return _scaled_sum(input, bmm(batch1, batch2), beta, alpha, "baddbmm")


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b]."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, batch1, batch2 = autocast_args("addbmm", input, batch1, batch2)
    return _scaled_sum(input, bmm(batch1, batch2).sum(0), beta, alpha, "addbmm")


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * mat @ vec."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, mat, vec = autocast_args("addmv", input, mat, vec)
    if mat.array.ndim != 2 or vec.array.ndim != 1:
        raise RuntimeError(
            f"addmv: vector + matrix @ vector expected, got {input.array.ndim}, {mat.array.ndim}, {vec.array.ndim}"
        )
    return _scaled_sum(input, mv(mat, vec), beta, alpha, "addmv")


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2)."""
    if _AutocastState.on:  # autocast: cast the inputs by this op's policy (minitorch/amp)
        input, vec1, vec2 = autocast_args("addr", input, vec1, vec2)
    if vec1.array.ndim != 1 or vec2.array.ndim != 1:
        raise RuntimeError(
            f"addr: Expected 1-D arguments vec1 and vec2, but got {vec1.array.ndim}-D and {vec2.array.ndim}-D"
        )
    return _scaled_sum(input, outer(vec1, vec2), beta, alpha, "addr")


def inner(a: Tensor, b: Tensor) -> Tensor:
    """Sum over the last dim of both (a product when either is 0-d)."""
    if a.array.ndim == 0 or b.array.ndim == 0:
        return a * b
    if a.array.shape[-1] != b.array.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes {list(a.shape)} "
            f"and {list(b.shape)}"
        )
    return tensordot(a, b, ([-1], [-1]))


def kron(a: Tensor, b: Tensor) -> Tensor:
    """Kronecker product: out[i*B + j] = a[i] * b[j] along every dim."""
    nd = max(a.array.ndim, b.array.ndim)
    sa = (1,) * (nd - a.array.ndim) + tuple(a.array.shape)
    sb = (1,) * (nd - b.array.ndim) + tuple(b.array.shape)
    prod = a.reshape(tuple(x for s in sa for x in (s, 1))) * b.reshape(tuple(x for s in sb for x in (1, s)))
    return prod.reshape(tuple(x * y for x, y in zip(sa, sb)))


def cross(input: Tensor, other: Tensor, dim=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (None: the first dim of size 3, as torch.cross)."""
    try:
        shape = np.broadcast_shapes(input.array.shape, other.array.shape)
    except ValueError:
        raise RuntimeError(
            f"linalg.cross: inputs of shapes {list(input.shape)} and {list(other.shape)} do not broadcast"
        ) from None
    if input.array.ndim != other.array.ndim:
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions, got {input.ndim} and {other.ndim}"
        )
    if dim is None:
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (shapes {list(input.shape)} and {list(other.shape)})")
    d = wrap_dim(dim, len(shape), "cross")
    if input.array.shape[d] != 3 or other.array.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {d} must have length 3. "
            f"Got {input.array.shape[d]} and {other.array.shape[d]}"
        )
    a = [input.narrow(d, i, 1) for i in range(3)]
    b = [other.narrow(d, i, 1) for i in range(3)]
    from .shape import cat

    return cat([a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]], d)


def _pnorm_last(diff: Tensor, p) -> Tensor:
    from .reduction import amax, norm

    if p == 0:  # a count of nonzeros: gradient 0, but (as in torch) still part of the graph
        from .elementwise import where

        return where(diff.array != 0, 1.0, diff * 0.0).sum(-1)
    if p == float("inf"):
        return amax(diff.abs(), -1)
    if p == 1:
        return diff.abs().sum(-1)
    return norm(diff, p, dim=-1)


# ---------------------------------------------------------------- cdist ----------------------------
_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}
_CDIST_CHUNK = 1 << 22  # elements of the (rows, R, M) difference block the exact path holds at once


def _pnorm_array(diff, p):
    """The p-norm of ``diff`` over its last axis, on arrays (the exact path's forward)."""
    xp = xp_of(diff)
    if diff.shape[-1] == 0:
        return xp.zeros(diff.shape[:-1], dtype=diff.dtype)
    if p == 0:
        return (diff != 0).sum(-1).astype(diff.dtype)
    if p == 1:
        return xp.abs(diff).sum(-1)
    if p == float("inf"):
        return xp.abs(diff).max(-1)
    if p == 2:
        return xp.sqrt((diff * diff).sum(-1))
    return (xp.abs(diff) ** p).sum(-1) ** (1.0 / p)


def _row_chunks(P: int, R: int, M: int, batch: int) -> list:
    rows = max(1, _CDIST_CHUNK // max(1, R * M * batch))
    return [(s, min(s + rows, P)) for s in range(0, P, rows)] or [(0, 0)]


class EuclideanDist(BuiltinOp):
    """||x1_i - x2_j|| as sqrt(max(|x1_i|^2 + |x2_j|^2 - 2 x1_i.x2_j, 0)): one matrix product, no (P, R, M)
    difference tensor (torch's 'use_mm_for_euclid_dist')."""

    saves_output = True

    @staticmethod
    def forward(ctx, x1, x2):
        ctx.save_for_backward(x1, x2)
        a, b = x1.array, x2.array
        xp = xp_of(a)
        sq = (a * a).sum(-1)[..., :, None] + (b * b).sum(-1)[..., None, :]
        sq -= 2 * (a @ xp.swapaxes(b, -1, -2))
        return xp.sqrt(xp.maximum(sq, 0, out=sq), out=sq)

    @staticmethod
    def backward(ctx, g):
        """gx1 = x1 rowsum(Q) - Q x2, gx2 = x2 colsum(Q)^T - Q^T x1, Q = g / D (0 where D = 0, torch's subgradient)."""
        from .elementwise import where

        x1, x2 = ctx.saved_tensors
        d = ctx.output
        zero = d.array == 0
        q = where(zero, 0.0, g / where(zero, 1.0, d))
        g1 = x1 * q.sum(-1, keepdim=True) - q @ x2 if ctx.needs_input_grad[0] else None
        g2 = x2 * q.sum(-2).unsqueeze(-1) - q.mT @ x1 if ctx.needs_input_grad[1] else None
        return g1, g2


def _cdist_term(diff: Tensor, d: Tensor, p) -> Tensor:
    """d ||x1_i - x2_j||_p / d x1_i, torch's subgradients: 0 where the distance is 0 (and, p < 1, where a
    coordinate difference is 0); p = inf: sign on the coordinates that attain the max."""
    from .elementwise import sign, where

    if p == 1:
        return sign(diff)
    xp = xp_of(diff.array)
    if p == float("inf"):
        hit = xp.abs(diff.array) == d.array
        return sign(diff) * Tensor._wrap(hit.astype(diff.array.dtype))
    zero = d.array == 0
    safe_d = where(zero, 1.0, d)
    if p == 2:
        return where(zero, 0.0, diff / safe_d)
    if p < 1:
        zero = zero | (diff.array == 0)
    a = diff.abs()
    if p < 2:
        a = where(diff.array == 0, 1.0, a)
        return where(zero, 0.0, sign(diff) * a ** (p - 1) / safe_d ** (p - 1))
    return where(zero, 0.0, diff * a ** (p - 2) / safe_d ** (p - 1))


class CdistExact(BuiltinOp):
    """||x1_i - x2_j||_p from the coordinate differences, computed a block of x1's rows at a time so the
    (P, R, M) difference tensor is never whole (forward and backward)."""

    saves_output = True

    @staticmethod
    def forward(ctx, x1, x2, p):
        ctx.save_for_backward(x1, x2)
        ctx.p = p
        a, b = x1.array, x2.array
        xp = xp_of(a)
        *batch, P, M = a.shape
        R = b.shape[-2]
        out = xp.empty(tuple(batch) + (P, R), dtype=a.dtype)
        bb = b[..., None, :, :]
        for s, e in _row_chunks(P, R, M, math.prod(batch)):
            out[..., s:e, :] = _pnorm_array(a[..., s:e, None, :] - bb, p)
        return out

    @staticmethod
    def backward(ctx, g):
        """gx1_i = sum_j g_ij dD_ij/dx1_i, gx2_j = -sum_i g_ij dD_ij/dx1_i, dD/dx1 = sign(t) |t|^(p-1) / D^(p-1)
        with t = x1_i - x2_j (p = 0: zero)."""
        x1, x2 = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return x1 * 0.0, x2 * 0.0, None
        from .shape import cat

        d = ctx.output
        *batch, P, M = x1.array.shape
        R = x2.array.shape[-2]
        chunks = _row_chunks(P, R, M, math.prod(batch))
        whole = len(chunks) == 1
        g1, g2 = [], None
        x2u = x2.unsqueeze(-3)
        for s, e in chunks:
            a = x1 if whole else x1[..., s:e, :]
            dc = (d if whole else d[..., s:e, :]).unsqueeze(-1)
            gc = (g if whole else g[..., s:e, :]).unsqueeze(-1)
            term = _cdist_term(a.unsqueeze(-2) - x2u, dc, p) * gc
            g1.append(term.sum(-2))
            part = term.sum(-3)
            g2 = part if g2 is None else g2 + part
        g1 = g1[0] if whole else cat(g1, -2)
        return g1, -g2, None


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distance between each row of x1 (…, P, M) and each row of x2 (…, R, M): (…, P, R), batch dims
    broadcast. p = 2 uses one matrix product (|a|^2 + |b|^2 - 2 a.b, clamped at 0) when P > 25 or R > 25
    ('use_mm_for_euclid_dist_if_necessary', the default), always ('use_mm_for_euclid_dist') or never
    ('donot_use_mm_for_euclid_dist'), as torch; other p (and small inputs) go through the exact differences."""
    if _AutocastState.on:  # autocast: float32, with its inner matmul not autocast (see minitorch/amp)
        return autocast_call("cdist", cdist, x1, x2, p, compute_mode)
    if x1.array.ndim < 2 or x2.array.ndim < 2:
        raise RuntimeError(
            f"cdist only supports at least 2D tensors, X1 got: {x1.array.ndim}D, X2 got: {x2.array.ndim}D"
        )
    for name, t in (("X1", x1), ("X2", x2)):
        if t.array.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {torch_type_name(t)}")
    if x1.array.shape[-1] != x2.array.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.array.shape[-1]} X2: {x2.array.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    mode = _CDIST_MODES.get(compute_mode)
    if mode is None:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if x1.array.dtype != x2.array.dtype:
        raise RuntimeError(f"expected scalar type {torch_type_name(x1)} but found {torch_type_name(x2)}")
    try:
        batch = tuple(np.broadcast_shapes(x1.array.shape[:-2], x2.array.shape[:-2]))
    except ValueError:
        raise RuntimeError(
            f"cdist: the batch dimensions of X1 {list(x1.shape)} and X2 {list(x2.shape)} do not broadcast"
        ) from None
    if x1.array.shape[:-2] != batch:
        x1 = x1.expand(batch + x1.array.shape[-2:])
    if x2.array.shape[:-2] != batch:
        x2 = x2.expand(batch + x2.array.shape[-2:])
    P, R = x1.array.shape[-2], x2.array.shape[-2]
    if p == 2 and x1.array.size and x2.array.size and (mode == 1 or (mode == 0 and (P > 25 or R > 25))):
        return EuclideanDist.apply(x1, x2)
    return CdistExact.apply(x1, x2, float(p))


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """p-norm of (input - other), broadcast, over all elements."""
    diff = (input - other).reshape(-1)
    return _pnorm_last(diff, p)


# ---------------------------------------------------------------- Tensor methods -------------------
METHODS: dict = {
    "addmm": addmm, "baddbmm": baddbmm, "addbmm": addbmm, "addmv": addmv, "addr": addr, "inner": inner,
    "kron": kron, "cross": cross, "dist": dist,
}
INPLACE_METHODS: dict = {
    "addmm_": addmm, "baddbmm_": baddbmm, "addbmm_": addbmm, "addmv_": addmv, "addr_": addr,
}
