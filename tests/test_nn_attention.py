"""Attention against torch: F.scaled_dot_product_attention, nn.MultiheadAttention and the Transformer
modules. Same weights (torch's state_dict loaded), same outputs, input and parameter gradients, on every
device; masks of each kind, batch_first both ways, unbatched inputs, train and eval (dropout 0)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import minitorch
from minitorch.autograd import gradcheck

from .helpers import assert_close, devices, no_host_sync, raises_like_torch, require_torch, requires_cuda, to_mt
from .test_nn_layers import compare_module, rand

torch = require_torch()
TF = torch.nn.functional
MF = minitorch.nn.functional

E, H = 8, 2


def _bool(shape, p: float = 0.3, seed: int = 0, keep_col: int = 0) -> np.ndarray:
    """A boolean array, True with probability p, never True in column ``keep_col`` (no row fully True)."""
    m = np.random.default_rng(seed).random(shape) < p
    m[..., keep_col] = False
    return m


def _float_mask(shape, seed: int = 0) -> np.ndarray:
    m = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    m[_bool(shape, 0.3, seed + 1)] = -np.inf
    return m


# ---------------------------------------------------------------- scaled_dot_product_attention ---
@pytest.mark.parametrize("device", devices())
def test_sdpa_fully_masked_row_gives_zero_and_no_nan_gradient(device):
    """torch's math path returns 0 (not nan) where a query may attend nothing; so does minitorch."""
    q, k, v = rand(2, 3, 4), rand(2, 5, 4, seed=2), rand(2, 5, 3, seed=3)
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    fmask = np.where(mask, 0.0, -np.inf).astype(np.float32)
    for m in (mask, fmask):
        tq, mq = torch.tensor(q, requires_grad=True), minitorch.tensor(q, requires_grad=True, device=device)
        t = TF.scaled_dot_product_attention(tq, torch.tensor(k), torch.tensor(v), attn_mask=torch.tensor(m))
        o = MF.scaled_dot_product_attention(mq, minitorch.tensor(k, device=device), minitorch.tensor(v, device=device),
                                            attn_mask=minitorch.tensor(m, device=device))
        assert_close(o, t, 1e-5, 1e-6)
        assert not np.isnan(o.detach().cpu().numpy()).any()
        t.sum().backward()
        o.sum().backward()
        assert_close(mq.grad, tq.grad, 1e-4, 1e-5)
        assert not np.abs(mq.grad.cpu().numpy()[:, 1]).any()


@pytest.mark.parametrize("device", devices())
def test_sdpa_mask_broadcast_and_scale(device):
    q, k, v = rand(2, 2, 3, 4), rand(2, 2, 5, 4, seed=2), rand(2, 2, 5, 6, seed=3)
    mask = ~_bool((2, 1, 3, 5), 0.4)
    t = TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v),
                                        attn_mask=torch.tensor(mask), scale=0.7)
    o = MF.scaled_dot_product_attention(*(minitorch.tensor(a, device=device) for a in (q, k, v)),
                                        attn_mask=minitorch.tensor(mask, device=device), scale=0.7)
    assert_close(o, t, 1e-5, 1e-6)


def test_sdpa_gradcheck_float64_with_masks():
    rng = np.random.default_rng(0)
    q, k, v = (minitorch.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 3)))
    bmask = minitorch.tensor(~_bool((3, 5), 0.4))
    fmask = minitorch.tensor(rng.standard_normal((2, 3, 5)))
    assert gradcheck(lambda a, b, c: MF.scaled_dot_product_attention(a, b, c, attn_mask=bmask), (q, k, v))
    assert gradcheck(lambda a, b, c: MF.scaled_dot_product_attention(a, b, c, attn_mask=fmask), (q, k, v))
    assert gradcheck(lambda a, b, c: MF.scaled_dot_product_attention(a, b, c, is_causal=True), (q, k, v))


def test_sdpa_dropout_is_applied_and_scaled():
    minitorch.manual_seed(0)
    q = minitorch.zeros(1, 64, 4)
    v = minitorch.ones(1, 64, 4)
    out = MF.scaled_dot_product_attention(q, q, v, dropout_p=0.5).numpy()
    # uniform weights 1/64: each output is (number kept / 64) * 2, ~1 on average, not identically 1
    assert abs(out.mean() - 1.0) < 0.1 and out.std() > 0.01
    assert np.allclose(MF.scaled_dot_product_attention(q, q, v).numpy(), 1.0)


def _sdpa_args(lib, q=(2, 3, 4), k=(2, 5, 4), v=(2, 5, 6), dtype=None, mask=None):
    arrays = [rand(*q), rand(*k, seed=2), rand(*v, seed=3)]
    ts = [lib.tensor(a) for a in arrays]
    if dtype is not None:
        ts[1] = ts[1].double()
    return ts + ([] if mask is None else [lib.tensor(mask)])


@pytest.mark.parametrize("case", [
    dict(k=(2, 5, 3)),
    dict(v=(2, 4, 6)),
    dict(dtype="double"),
    dict(mask=np.zeros((3, 4), np.float32)),
    dict(mask=np.zeros((3, 5), np.int64)),
    dict(mask=np.zeros((3, 5), np.float64)),
], ids=["embed-mismatch", "seq-mismatch", "dtype-mismatch", "mask-shape", "mask-int", "mask-float64"])
def test_sdpa_errors_like_torch(case):
    def call(lib, f):
        return lambda: f(*_sdpa_args(lib, **case))

    raises_like_torch(call(torch, TF.scaled_dot_product_attention), call(minitorch, MF.scaled_dot_product_attention))


def test_sdpa_causal_with_mask_and_bad_dropout_errors_like_torch():
    from torch.nn.attention import SDPBackend, sdpa_kernel

    mask = np.ones((3, 5), dtype=bool)

    def torch_causal():
        with sdpa_kernel(SDPBackend.MATH):
            TF.scaled_dot_product_attention(*_sdpa_args(torch, mask=mask)[:3], attn_mask=torch.tensor(mask),
                                            is_causal=True)

    raises_like_torch(torch_causal, lambda: MF.scaled_dot_product_attention(
        *_sdpa_args(minitorch)[:3], attn_mask=minitorch.tensor(mask), is_causal=True))
    raises_like_torch(lambda: TF.scaled_dot_product_attention(*_sdpa_args(torch), dropout_p=1.5),
                      lambda: MF.scaled_dot_product_attention(*_sdpa_args(minitorch), dropout_p=1.5))


# ---------------------------------------------------------------- MultiheadAttention -------------
def _mha(**kw):
    return lambda L: L.nn.MultiheadAttention(E, H, **kw)


def _call(need_weights=True, average=True, **masks):
    def call(m, args):
        q, k, v, *rest = args
        extra = dict(zip(masks, rest))
        out, w = m(q, k, v, need_weights=need_weights, average_attn_weights=average, **extra)
        return [out] if w is None else [out, w]

    return call


MHA_CASES = [
    ("self", {}, ["kpm"]),
    ("self-attn_mask-bool", {}, ["am_bool"]),
    ("self-attn_mask-float", {}, ["am_float"]),
    ("self-attn_mask-3d", {}, ["am_3d"]),
    ("self-both-masks", {}, ["am_bool", "kpm"]),
    ("float-kpm", {}, ["kpm_float"]),
    ("nobias", {"bias": False}, []),
    ("kdim-vdim", {"kdim": 3, "vdim": 5}, ["kpm"]),
    ("bias_kv-zero_attn", {"add_bias_kv": True, "add_zero_attn": True}, ["am_bool", "kpm"]),
    ("batch_first", {"batch_first": True}, ["am_float", "kpm"]),
    ("batch_first-kdim", {"batch_first": True, "kdim": 3, "vdim": 5}, []),
]


def _mask_array(name: str, L: int, S: int, N: int):
    return {
        "kpm": _bool((N, S), 0.4, 5),
        "kpm_float": _float_mask((N, S), 6),
        "am_bool": _bool((L, S), 0.3, 7),
        "am_float": _float_mask((L, S), 8),
        "am_3d": _float_mask((N * H, L, S), 9),
    }[name]


def _mask_kw(name: str) -> str:
    return "key_padding_mask" if name.startswith("kpm") else "attn_mask"


def _mha_inputs(kw: dict, masks: list, L=4, S=5, N=3, same=False):
    bf = kw.get("batch_first", False)
    shape = (lambda T, d: (N, T, d)) if bf else (lambda T, d: (T, N, d))
    q = rand(*shape(L, E))
    k = rand(*shape(S, kw.get("kdim", E)), seed=2)
    v = rand(*shape(S, kw.get("vdim", E)), seed=3)
    return [q, k, v] + [_mask_array(m, L, S, N) for m in masks]


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)],
                         ids=["weights-avg", "weights-per-head", "no-weights"])
@pytest.mark.parametrize("name,kw,masks", MHA_CASES, ids=[c[0] for c in MHA_CASES])
def test_mha_matches_torch(name, kw, masks, need_weights, average, device):
    inputs = _mha_inputs(kw, masks)
    call = _call(need_weights, average, **{_mask_kw(m): None for m in masks})
    compare_module(_mha(**kw), inputs, call=call, device=device)


@pytest.mark.parametrize("device", devices())
def test_mha_self_attention_same_tensor_and_eval(device):
    """query is key is value (the packed projection), in train and eval mode, with dropout 0."""
    for train in (True, False):
        for bf in (False, True):
            def call(m, args):
                return m(args[0], args[0], args[0], need_weights=False, attn_mask=args[1])[0]

            x = rand(3, 4, E) if bf else rand(4, 3, E)
            compare_module(_mha(batch_first=bf), [x, _bool((4, 4), 0.3, 1)], train=train, call=call, device=device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_unbatched(need_weights, device):
    L, S = 4, 5
    inputs = [rand(L, E), rand(S, E, seed=2), rand(S, E, seed=3), _bool((S,), 0.4, 1), _float_mask((H, L, S), 2)]
    call = _call(need_weights, True, key_padding_mask=None, attn_mask=None)
    compare_module(_mha(), inputs, call=call, device=device)


@pytest.mark.parametrize("device", devices())
def test_mha_is_causal_hint(device):
    """is_causal with the causal mask: the causal path (need_weights=False) and the explicit mask agree."""
    L = 5
    causal = np.triu(np.ones((L, L), dtype=bool), 1)
    for need_weights in (True, False):
        def call(m, args, nw=need_weights):
            return m(args[0], args[0], args[0], attn_mask=args[1], is_causal=True, need_weights=nw)[0]

        compare_module(_mha(), [rand(L, 3, E), causal], call=call, device=device)


def test_mha_fully_masked_rows_match_torch():
    """need_weights=True softmaxes directly (nan where a query sees nothing); need_weights=False goes through
    scaled_dot_product_attention (0 there): both as torch."""
    torch.manual_seed(0)
    tm, mm = torch.nn.MultiheadAttention(E, H), minitorch.nn.MultiheadAttention(E, H)
    mm.load_state_dict({k: to_mt(v) for k, v in tm.state_dict().items()})
    x = rand(4, 2, E)
    kpm = np.zeros((2, 4), dtype=bool)
    kpm[1] = True
    for nw in (True, False):
        t = tm(*(torch.tensor(x),) * 3, key_padding_mask=torch.tensor(kpm), need_weights=nw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's warning on the nan rows
            m = mm(*(minitorch.tensor(x),) * 3, key_padding_mask=minitorch.tensor(kpm), need_weights=nw)
        assert_close(m[0], t[0], 1e-4, 1e-5)
        assert np.isnan(m[0].detach().numpy()).any() == nw


def test_mha_state_dict_keys_repr_and_init_match_torch():
    for kw in ({}, {"bias": False}, {"kdim": 3, "vdim": 5}, {"add_bias_kv": True}, {"batch_first": True}):
        tm, mm = _mha(**kw)(torch), _mha(**kw)(minitorch)
        assert list(mm.state_dict()) == list(tm.state_dict()), kw
        for (k, vt), vm in zip(tm.state_dict().items(), mm.state_dict().values()):
            assert tuple(vm.shape) == tuple(vt.shape), k
        assert repr(mm) == repr(tm)
    big = minitorch.nn.MultiheadAttention(64, 4, add_bias_kv=True)
    bound = float(np.sqrt(6.0 / (64 + 3 * 64)))  # xavier_uniform on (3E, E)
    w = big.in_proj_weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert not big.in_proj_bias.detach().numpy().any() and not big.out_proj.bias.detach().numpy().any()
    assert big.bias_k.detach().numpy().std() > 0


def test_mha_gradcheck_float64():
    minitorch.manual_seed(0)
    m = minitorch.nn.MultiheadAttention(4, 2, kdim=3, dtype=minitorch.float64)
    rng = np.random.default_rng(0)
    q = minitorch.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    k = minitorch.tensor(rng.standard_normal((5, 2, 3)), requires_grad=True)
    v = minitorch.tensor(rng.standard_normal((5, 2, 4)), requires_grad=True)
    kpm = minitorch.tensor(_bool((2, 5), 0.4, 3))
    for nw in (True, False):
        assert gradcheck(lambda a, b, c, nw=nw: m(a, b, c, key_padding_mask=kpm, need_weights=nw)[0], (q, k, v))
    params = (m.q_proj_weight, m.in_proj_bias, m.out_proj.weight)
    assert gradcheck(lambda *ps: m(q, k, v)[0], params)


def _both(build, *args, **kw):
    return lambda: build(torch)(*args, **kw), lambda: build(minitorch)(*args, **kw)


MHA_ERRORS = [
    ("not-divisible", lambda L: L.nn.MultiheadAttention(5, 2), None),
    ("zero-heads", lambda L: L.nn.MultiheadAttention(4, 0), None),
    ("attn_mask-2d-shape", None, dict(attn_mask=np.zeros((4, 4), np.float32))),
    ("attn_mask-3d-shape", None, dict(attn_mask=np.zeros((3, 4, 5), np.float32))),
    ("attn_mask-4d", None, dict(attn_mask=np.zeros((1, 1, 4, 5), np.float32))),
    ("kpm-shape", None, dict(key_padding_mask=np.zeros((3, 4), bool))),
    ("int-mask", None, dict(attn_mask=np.zeros((4, 5), np.int64))),
    ("causal-without-mask", None, dict(is_causal=True)),
    ("embed-dim", None, dict(q_dim=6)),
    ("key-2d", None, dict(k_2d=True)),
]


@pytest.mark.parametrize("name,build,call_kw", MHA_ERRORS, ids=[c[0] for c in MHA_ERRORS])
def test_mha_errors_like_torch(name, build, call_kw):
    if build is not None:
        raises_like_torch(lambda: build(torch), lambda: build(minitorch))
        return
    call_kw = dict(call_kw)
    q_dim, k_2d = call_kw.pop("q_dim", E), call_kw.pop("k_2d", False)
    q, k = rand(4, 3, q_dim), rand(5, 3, E, seed=2)
    if k_2d:
        k = k[:, 0]

    def run(lib):
        torch.manual_seed(0)
        m = lib.nn.MultiheadAttention(E, H)
        kw = {a: (lib.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in call_kw.items()}
        return lambda: m(lib.tensor(q), lib.tensor(k), lib.tensor(k), **kw)

    raises_like_torch(run(torch), run(minitorch))


# ---------------------------------------------------------------- Transformer --------------------
class Const:
    """A mask passed through compare_module untouched (no gradient), made a tensor of the module's library."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def to(self, m):
        if isinstance(m, torch.nn.Module):
            return torch.tensor(self.array)
        return minitorch.tensor(self.array, device=next(iter(m.parameters())).device)


def _c(m, a):
    return a.to(m) if isinstance(a, Const) else a


def _enc_layer(**kw):
    kw = {"dim_feedforward": 16, "dropout": 0.0, **kw}
    return lambda L: L.nn.TransformerEncoderLayer(E, H, **kw)


def _dec_layer(**kw):
    kw = {"dim_feedforward": 16, "dropout": 0.0, **kw}
    return lambda L: L.nn.TransformerDecoderLayer(E, H, **kw)


LAYER_CONFIGS = [
    ("default", {}),
    ("norm_first-gelu", {"norm_first": True, "activation": "gelu"}),
    ("batch_first-nobias", {"batch_first": True, "bias": False, "layer_norm_eps": 1e-3}),
    ("callable-activation", {"activation": "tanh"}),
]


def _layer_kw(kw: dict, lib) -> dict:
    kw = dict(kw)
    if kw.get("activation") == "tanh":
        kw["activation"] = lib.tanh
    return kw


def _seq(kw, T, N=3, seed=0):
    return rand(N, T, E, seed=seed) if kw.get("batch_first") else rand(T, N, E, seed=seed)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name,kw", LAYER_CONFIGS, ids=[c[0] for c in LAYER_CONFIGS])
def test_encoder_layer_matches_torch(name, kw, train, device):
    def build(L):
        return _enc_layer(**_layer_kw(kw, L))(L)

    def call(m, args):
        return m(args[0], src_mask=args[1], src_key_padding_mask=args[2])

    inputs = [_seq(kw, 5), _float_mask((5, 5), 1), _bool((3, 5), 0.3, 2)]
    compare_module(build, inputs, train=train, call=call, device=device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name,kw", LAYER_CONFIGS, ids=[c[0] for c in LAYER_CONFIGS])
def test_decoder_layer_matches_torch(name, kw, train, device):
    def build(L):
        return _dec_layer(**_layer_kw(kw, L))(L)

    def call(m, args):
        return m(args[0], args[1], tgt_mask=args[2], memory_mask=args[3], tgt_key_padding_mask=args[4],
                 memory_key_padding_mask=args[5])

    causal = np.triu(np.ones((4, 4), dtype=bool), 1)
    inputs = [_seq(kw, 4), _seq(kw, 5, seed=1), causal, _bool((4, 5), 0.3, 3), _bool((3, 4), 0.3, 4),
              _bool((3, 5), 0.3, 5)]
    compare_module(build, inputs, train=train, call=call, device=device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_and_decoder_stacks_match_torch(batch_first, device):
    kw = {"batch_first": batch_first}

    def enc(L):
        return L.nn.TransformerEncoder(_enc_layer(**kw)(L), 2, L.nn.LayerNorm(E), enable_nested_tensor=False)

    def dec(L):
        return L.nn.TransformerDecoder(_dec_layer(**kw)(L), 2, L.nn.LayerNorm(E))

    mask = Const(np.triu(np.full((5, 5), -np.inf, dtype=np.float32), 1))
    compare_module(enc, [_seq(kw, 5), mask, _bool((3, 5), 0.3, 1)],
                   call=lambda m, a: m(a[0], mask=_c(m, a[1]), src_key_padding_mask=a[2]), device=device)
    compare_module(enc, [_seq(kw, 5), mask], call=lambda m, a: m(a[0], mask=_c(m, a[1]), is_causal=True),
                   device=device)
    tgt_mask = Const(mask.array[:4, :4])
    compare_module(dec, [_seq(kw, 4), _seq(kw, 5, seed=1), tgt_mask],
                   call=lambda m, a: m(a[0], a[1], tgt_mask=_c(m, a[2]), tgt_is_causal=True), device=device)


@pytest.mark.parametrize("device", devices())
@pytest.mark.parametrize("kw", [{}, {"batch_first": True, "norm_first": True, "activation": "gelu"}],
                         ids=["default", "batch_first-norm_first-gelu"])
def test_transformer_matches_torch(kw, device):
    def build(L):
        return L.nn.Transformer(E, H, 2, 2, 16, dropout=0.0, **kw)

    def call(m, a):
        return m(a[0], a[1], tgt_mask=_c(m, a[2]), src_key_padding_mask=a[3], memory_key_padding_mask=a[3])

    tgt_mask = Const(np.triu(np.full((4, 4), -np.inf, dtype=np.float32), 1))
    inputs = [_seq(kw, 5), _seq(kw, 4, seed=1), tgt_mask, _bool((3, 5), 0.3, 2)]
    compare_module(build, inputs, call=call, device=device)


@pytest.mark.parametrize("device", devices())
def test_transformer_unbatched(device):
    def build(L):
        return L.nn.Transformer(E, H, 1, 1, 16, dropout=0.0)

    compare_module(build, [rand(5, E), rand(4, E, seed=1)], device=device)


def test_transformer_state_dict_repr_and_init_match_torch():
    builds = [
        lambda L: L.nn.Transformer(E, H, 2, 1, 16),
        lambda L: L.nn.Transformer(E, H, 1, 1, 16, bias=False, norm_first=True, batch_first=True),
        _enc_layer(activation="gelu"),
        _dec_layer(),
        lambda L: L.nn.TransformerEncoder(_enc_layer()(L), 3, enable_nested_tensor=False),
    ]
    for build in builds:
        tm, mm = build(torch), build(minitorch)
        assert list(mm.state_dict()) == list(tm.state_dict())
        assert repr(mm) == repr(tm)
    t = minitorch.nn.Transformer(16, 2, 1, 1, 32)
    w = t.encoder.layers[0].linear1.weight.detach().numpy()  # xavier_uniform on (32, 16)
    bound = float(np.sqrt(6.0 / (16 + 32)))
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    layers = t.encoder.layers
    assert layers[0].linear1.weight is not layers[0].linear2.weight


def test_generate_square_subsequent_mask_matches_torch():
    for n in (1, 4):
        assert_close(minitorch.nn.Transformer.generate_square_subsequent_mask(n),
                     torch.nn.Transformer.generate_square_subsequent_mask(n))
    m = minitorch.nn.Transformer.generate_square_subsequent_mask(3, dtype=minitorch.float64)
    assert m.dtype == minitorch.float64


def test_transformer_dropout_trains_and_evals():
    minitorch.manual_seed(0)
    layer = minitorch.nn.TransformerEncoderLayer(E, H, 16, dropout=0.5)
    x = minitorch.tensor(rand(5, 2, E))
    a, b = layer(x).detach().numpy(), layer(x).detach().numpy()
    assert not np.allclose(a, b)
    layer.eval()
    assert np.allclose(layer(x).detach().numpy(), layer(x).detach().numpy())


TRANSFORMER_ERRORS = [
    ("batch-mismatch", lambda L: L.nn.Transformer(E, H, 1, 1, 16), ((5, 3, E), (4, 2, E))),
    ("feature-mismatch", lambda L: L.nn.Transformer(E, H, 1, 1, 16), ((5, 3, E), (4, 3, 6))),
    ("bad-activation", lambda L: L.nn.TransformerEncoderLayer(E, H, activation="tanh"), None),
    ("heads", lambda L: L.nn.TransformerEncoderLayer(E, 3), None),
]


@pytest.mark.parametrize("name,build,shapes", TRANSFORMER_ERRORS, ids=[c[0] for c in TRANSFORMER_ERRORS])
def test_transformer_errors_like_torch(name, build, shapes):
    if shapes is None:
        raises_like_torch(lambda: build(torch), lambda: build(minitorch))
        return
    arrays = [rand(*s) for s in shapes]
    tm, mm = build(torch), build(minitorch)
    raises_like_torch(lambda: tm(*map(torch.tensor, arrays)), lambda: mm(*map(minitorch.tensor, arrays)))


# ---------------------------------------------------------------- GPU: no hidden host syncs -------
@requires_cuda
def test_cuda_attention_and_transformer_never_wait_for_the_host():
    mha = minitorch.nn.MultiheadAttention(E, H).to("cuda")
    model = minitorch.nn.Transformer(E, H, 1, 1, 16, dropout=0.1).to("cuda")
    x = minitorch.tensor(rand(5, 3, E), device="cuda", requires_grad=True)
    y = minitorch.tensor(rand(4, 3, E), device="cuda", requires_grad=True)
    kpm = minitorch.tensor(_bool((3, 5), 0.3), device="cuda")
    causal = minitorch.nn.Transformer.generate_square_subsequent_mask(4, device="cuda")
    with no_host_sync():
        for nw in (True, False):
            out, _ = mha(x, x, x, key_padding_mask=kpm, need_weights=nw)
            out.sum().backward()
        model(x, y, tgt_mask=causal, src_key_padding_mask=kpm).sum().backward()
        q = minitorch.tensor(rand(2, 3, 4), device="cuda", requires_grad=True)
        MF.scaled_dot_product_attention(q, q, q, attn_mask=minitorch.ones(3, 3, dtype=minitorch.bool, device="cuda"),
                                        dropout_p=0.2).sum().backward()
    assert x.grad.device.type == "cuda"
