"""Array-level 2-D convolution kernels: forward, input-gradient (= transposed conv), weight-gradient.

All three are one im2col/col2im plus ONE GEMM over the channels-innermost column layout
(see ``im2col.py``). Inputs and outputs are NCHW arrays; outputs are NCHW *views* of NHWC
memory (channels-last), which the next conv/pool reads back without a copy.
"""
from __future__ import annotations

from .im2col import ConvGeom, col2im, gemm, gmat_of, im2col, to_nhwc_padded, weight_from_matrix, weight_matrix


def conv2d_forward(x, w, b, geo: ConvGeom, keep_cols: bool):
    """y = conv2d(x, w) + b. Returns (y, cols) with cols the im2col matrix when ``keep_cols``."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    oh, ow = geo.out_size(h, wd)
    xpad = to_nhwc_padded(x, geo)
    cols = im2col(xpad, geo, oh, ow, tag="cols_keep" if keep_cols else "cols")
    del xpad
    wm = weight_matrix(w, geo.groups)
    out = gemm(cols, wm, tag="conv_out")  # (G, M, Og)
    if geo.groups == 1:
        y = out[0]
        if b is not None:
            y += b
        y = y.reshape(n, oh, ow, o).transpose(0, 3, 1, 2)
    else:
        y = out.reshape(geo.groups, n, oh, ow, o // geo.groups).transpose(1, 0, 4, 2, 3).reshape(n, o, oh, ow)
        if b is not None:
            y += b.reshape(1, o, 1, 1)
    return y, (cols if keep_cols else None)


def conv2d_input_grad(g, w, geo: ConvGeom, h: int, wd: int):
    """dx of y = conv2d(x, w) for upstream g (N, O, OH, OW); x is (N, C, h, wd). Also conv_transpose2d."""
    n, o, oh, ow = g.shape
    c = w.shape[1] * geo.groups
    if _as_flipped_conv(geo, h, wd, oh, ow):
        return _input_grad_by_conv(g, w, geo, h, wd)
    gm = gmat_of(g, geo.groups)
    wm = weight_matrix(w, geo.groups)  # (G, K, Og)
    dcols = gemm(gm, wm.transpose(0, 2, 1), tag="dcols")  # (G, M, K)
    del gm
    hp, wp = h + geo.pt + geo.pb, wd + geo.pl + geo.pr
    hp = max(hp, (oh - 1) * geo.sh + geo.dh * (geo.kh - 1) + 1 + 0)
    wp = max(wp, (ow - 1) * geo.sw + geo.dw * (geo.kw - 1) + 1)
    dxpad = col2im(dcols, geo, n, oh, ow, c, hp, wp)
    del dcols
    dx = dxpad[:, geo.pt:geo.pt + h, geo.pl:geo.pl + wd]
    xp = _xp(g)
    out = xp.empty((n, h, wd, c), dtype=g.dtype)
    out[...] = dx
    return out.transpose(0, 3, 1, 2)


def _as_flipped_conv(geo: ConvGeom, h: int, wd: int, oh: int, ow: int) -> bool:
    """Stride 1 with padding <= dilated kernel extent: dx is a plain conv (no col2im needed)."""
    eh, ew = geo.dh * (geo.kh - 1), geo.dw * (geo.kw - 1)
    return (geo.sh == 1 and geo.sw == 1 and max(geo.pt, geo.pb) <= eh and max(geo.pl, geo.pr) <= ew
            and oh + eh - geo.pt - geo.pb == h and ow + ew - geo.pl - geo.pr == wd)


def _input_grad_by_conv(g, w, geo: ConvGeom, h: int, wd: int):
    """dx = conv2d(g, flip(w)^T) with padding (dilated extent - pad): stride-1 transposed conv as a conv."""
    o, cg, kh, kw = w.shape
    grp = geo.groups
    wt = w[:, :, ::-1, ::-1].reshape(grp, o // grp, cg, kh, kw).transpose(0, 2, 1, 3, 4)
    wt = wt.reshape(grp * cg, o // grp, kh, kw)
    eh, ew = geo.dh * (kh - 1), geo.dw * (kw - 1)
    geo2 = ConvGeom(kh, kw, 1, 1, geo.dh, geo.dw, eh - geo.pt, eh - geo.pb, ew - geo.pl, ew - geo.pr, grp)
    y, _ = conv2d_forward(g, wt, None, geo2, False)
    return y


def conv2d_weight_grad(x, g, geo: ConvGeom, w_shape: tuple, cols=None):
    """dw of y = conv2d(x, w) for upstream g: cols^T @ g, reusing forward's cols when given."""
    n, _, oh, ow = g.shape
    if cols is None:
        cols = im2col(to_nhwc_padded(x, geo), geo, oh, ow)
    gm = gmat_of(g, geo.groups)
    xp = _xp(g)
    if geo.groups == 1:
        dwm = xp.matmul(cols[0].T, gm[0])[None]
    else:
        dwm = xp.matmul(cols.transpose(0, 2, 1), gm)
    return weight_from_matrix(dwm, w_shape)


def _xp(arr):
    from ...backend import xp_of

    return xp_of(arr)
