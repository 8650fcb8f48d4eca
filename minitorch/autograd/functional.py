"""Higher-level autograd: vjp, jvp, jacobian, hessian, hvp (as torch.autograd.functional)."""
from __future__ import annotations

from ..tensor import Tensor
from .engine import grad


def _tuple(x):
    return x if isinstance(x, tuple) else (x,) if isinstance(x, Tensor) else tuple(x)


def _prepare(inputs, create_graph: bool = False):
    """Inputs to differentiate at: fresh leaves, or (create_graph) differentiable views of the
    caller's tensors so that results stay connected to them, as in torch."""
    return tuple(
        t.view(tuple(t.shape)) if create_graph and t.requires_grad else t.detach().requires_grad_(True)
        for t in _tuple(inputs)
    )


def _zeros(t):
    return Tensor._wrap(t.data * 0)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), v^T J)."""
    single = isinstance(inputs, Tensor)
    ins = _prepare(inputs, create_graph)
    out = func(*ins)
    outs = _tuple(out)
    vs = _tuple(v) if v is not None else (None,) * len(outs)
    g = grad(outs, ins, vs, create_graph=create_graph, allow_unused=True)
    g = tuple(gi if gi is not None else _zeros(x) for gi, x in zip(g, ins))
    res_out = out if create_graph else (out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out))
    return res_out, (g[0] if single else g)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """(func(inputs), J v) via the double-vjp trick: J v = d/du (u^T J)^T v."""
    ins = _prepare(inputs, create_graph)
    out = func(*ins)
    outs = _tuple(out)
    us = tuple(Tensor._wrap(o.data * 0).requires_grad_(True) for o in outs)
    g = grad(outs, ins, us, create_graph=True, allow_unused=True)
    vs = _tuple(v) if v is not None else tuple(Tensor._wrap(x.data * 0 + 1) for x in ins)
    pairs = [(gi, vi) for gi, vi in zip(g, vs) if gi is not None]
    jv = grad([p[0] for p in pairs], us, [p[1] for p in pairs], create_graph=create_graph, allow_unused=True)
    jv = tuple(j if j is not None else _zeros(o) for j, o in zip(jv, outs))
    res_out = out.detach() if isinstance(out, Tensor) else tuple(o.detach() for o in out)
    return res_out, (jv[0] if isinstance(out, Tensor) else jv)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False):
    """The Jacobian d func / d inputs, shaped out.shape + in.shape."""
    single_in = isinstance(inputs, Tensor)
    ins = _prepare(inputs, create_graph)
    out = func(*ins)
    single_out = isinstance(out, Tensor)
    outs = _tuple(out)
    result = []
    for o in outs:
        rows = []
        xp_flat = o.reshape(-1)
        per_input = [[] for _ in ins]
        for r in range(o.data.size):
            gs = grad(xp_flat[r], ins, retain_graph=True, create_graph=create_graph, allow_unused=True)
            for k, (g, x) in enumerate(zip(gs, ins)):
                per_input[k].append(g if g is not None else _zeros(x))
        from ..ops.shape import stack

        for k, x in enumerate(ins):
            if per_input[k]:
                rows.append(stack(per_input[k]).reshape(tuple(o.shape) + tuple(x.shape)))
            else:
                rows.append(Tensor._wrap(x.data.reshape((0,) + x.data.shape)))
        result.append(rows[0] if single_in else tuple(rows))
    return result[0] if single_out else tuple(result)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False):
    """The Hessian of a scalar ``func``: the Jacobian of its gradient."""
    single = isinstance(inputs, Tensor)

    def gradient(*xs):
        out = func(*xs)
        g = grad(out, xs, create_graph=True, allow_unused=True)
        g = tuple(gi if gi is not None else _zeros(x) for gi, x in zip(g, xs))
        return g[0] if single else g

    return jacobian(gradient, inputs, create_graph=create_graph)


def hvp(func, inputs, v, create_graph: bool = False, strict: bool = False):
    """(func(inputs), H v) for a scalar ``func``, by differentiating g(x)·v."""
    single = isinstance(inputs, Tensor)
    ins = _prepare(inputs, create_graph)
    out = func(*ins)
    g = grad(out, ins, create_graph=True, allow_unused=True)
    vs = _tuple(v)
    dot = None
    for gi, vi in zip(g, vs):
        if gi is not None:
            term = (gi * vi).sum()
            dot = term if dot is None else dot + term
    hv = grad(dot, ins, create_graph=create_graph, allow_unused=True)
    hv = tuple(h if h is not None else _zeros(x) for h, x in zip(hv, ins))
    return out.detach(), (hv[0] if single else hv)


vhp = hvp
