"""minitorch: a from-scratch reverse-mode autograd engine on NumPy (CPU) and CuPy (GPU) with PyTorch's API.

``import minitorch as torch`` runs PyTorch scripts for the parts minitorch covers.
"""
from . import amp, autograd, backend, backends, cuda, random, return_types
from . import tensor_methods as _tensor_methods  # noqa: F401  (binds the ops onto Tensor)
from .amp import autocast
from .amp.autocast_mode import (
    autocast_decrement_nesting,
    autocast_increment_nesting,
    clear_autocast_cache,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
    set_autocast_cache_enabled,
    set_autocast_cpu_dtype,
    set_autocast_dtype,
    set_autocast_enabled,
    set_autocast_gpu_dtype,
)
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .backend import device, manual_seed
from .backend.dtype import (
    bfloat16,
    can_cast,
    dtype,
    finfo,
    float16,
    float32,
    float64,
    get_default_dtype,
    iinfo,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from .backend.dtype import (
    bool_ as bool,  # noqa: A001
)
from .backend.random import Generator, default_generator
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    get_default_device,
    linspace,
    logspace,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    set_default_device,
    tensor,
    zeros,
    zeros_like,
)
from .interop import from_dlpack
from .lowrank import pca_lowrank, svd_lowrank
from .ops.arrange import (
    atleast_1d,
    atleast_2d,
    atleast_3d,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    column_stack,
    combinations,
    dsplit,
    dstack,
    fliplr,
    flipud,
    hsplit,
    hstack,
    meshgrid,
    moveaxis,
    repeat_interleave,
    roll,
    rot90,
    row_stack,
    select,
    swapdims,
    take,
    tensor_split,
    tile,
    vsplit,
    vstack,
)
from .ops.comparison import (  # noqa: A004
    all,
    allclose,
    any,
    argsort,
    bincount,
    ceil,
    count_nonzero,
    eq,
    equal,
    floor,
    floor_divide,
    ge,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    le,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    ne,
    nonzero,
    round,
    sort,
    topk,
    trunc,
    unique,
)
from .ops.contraction import (
    addbmm,
    addmv,
    addr,
    baddbmm,
    cdist,
    cross,
    dist,
    einsum,
    inner,
    kron,
    tensordot,
)
from .ops.conversion import clone
from .ops.decomposition import (
    cholesky,
    cholesky_inverse,
    cholesky_solve,
    det,
    inverse,
    logdet,
    lu,
    lu_solve,
    lu_unpack,
    matrix_exp,
    matrix_power,
    pinverse,
    qr,
    slogdet,
    svd,
    triangular_solve,
)
from .ops.diagonal import (
    block_diag,
    diag,
    diag_embed,
    diagonal,
    trace,
    tril,
    tril_indices,
    triu,
    triu_indices,
)
from .ops.elementwise import (
    abs,
    add,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    cos,
    div,
    exp,
    log,
    log1p,
    log2,
    log10,
    masked_fill,
    maximum,
    minimum,
    mul,
    neg,
    pow,
    reciprocal,
    relu,
    remainder,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    sub,
    tanh,
    where,
)
from .ops.gamma import (
    digamma,
    i0,
    lgamma,
    mvlgamma,
    polygamma,
)
from .ops.indexing import (
    argwhere,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_put,
    index_select,
    masked_scatter,
    masked_select,
    put,
    scatter,
    scatter_add,
    take_along_dim,
)
from .ops.linalg import addmm, bmm, dot, matmul, mm, mv, outer
from .ops.order import (  # noqa: A004
    bucketize,
    histc,
    kthvalue,
    median,
    mode,
    nanmean,
    nanmedian,
    nanquantile,
    nansum,
    quantile,
    searchsorted,
)
from .ops.reduction import (
    amax,
    amin,
    argmax,
    argmin,
    cumsum,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    softmax,
    std,
    std_mean,
    sum,
    var,
    var_mean,
)
from .ops.scan import (
    cummax,
    cummin,
    cumprod,
    diff,
    logcumsumexp,
)
from .ops.shape import (
    broadcast_to,
    cat,
    chunk,
    concat,
    concatenate,
    expand,
    flatten,
    flip,
    movedim,
    narrow,
    permute,
    repeat,
    reshape,
    split,
    squeeze,
    stack,
    t,
    transpose,
    unbind,
    unflatten,
    unsqueeze,
)
from .ops.special import (
    addcdiv,
    addcmul,
    copysign,
    erf,
    erfc,
    erfinv,
    exp2,
    expm1,
    float_power,
    fmod,
    frac,
    heaviside,
    lerp,
    logaddexp,
    logaddexp2,
    logit,
    nan_to_num,
    sgn,
    signbit,
    sinc,
    xlogy,
)
from .ops.statistics import (
    aminmax,
    corrcoef,
    cov,
    cumulative_trapezoid,
    diagflat,
    isin,
    scatter_reduce,
    trapezoid,
    trapz,
    unique_consecutive,
    unravel_index,
    vander,
)
from .ops.trig import (
    acos,
    acosh,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cosh,
    deg2rad,
    hypot,
    rad2deg,
    sinh,
    tan,
)
from .printing import set_printoptions
from .sampling import bernoulli, get_rng_state, initial_seed, multinomial, poisson, seed, set_rng_state
from .settings import *  # noqa: F403  (threads, determinism, matmul precision, pi/e/inf/nan/newaxis)
from .tensor import (  # memory formats, layout, legacy typed constructors
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    Size,
    Tensor,
    channels_last,
    channels_last_3d,
    contiguous_format,
    layout,
    memory_format,
    preserve_format,
    strided,
)

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
subtract, multiply, divide, true_divide, negative, absolute = sub, mul, div, div, neg, abs
swapaxes = transpose
from . import version
from .version import __version__


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(x: Tensor) -> int:
    return x.numel()


def is_floating_point(x: Tensor) -> bool:
    return x.is_floating_point()


def detach(x: Tensor) -> Tensor:
    return x.detach()


def compile(model=None, *, fullgraph: bool = False, dynamic=None, backend="inductor",  # noqa: A001, F811
            mode=None, options=None, disable: bool = False):  # noqa: F811
    """``torch.compile`` accepted for scripts: returns ``model`` (a Module or function) unchanged.

    minitorch has no graph compiler; ``@compile`` and ``@compile(mode=...)`` work as decorators too.
    """
    if model is None:
        return lambda m: m
    return model


def _lazy(name):
    import importlib

    return importlib.import_module(f"minitorch.{name}")


def __getattr__(name):
    """Import the user-facing layers (nn, optim, utils, ...) on first use to keep import fast."""
    if name in ("nn", "optim", "utils", "datasets", "viz", "linalg", "special", "distributions", "testing",
                "profiler", "jit"):
        return _lazy(name)
    if name in ("func", "vmap"):  # torch.func; torch.vmap is torch.func.vmap
        return _lazy("func") if name == "func" else _lazy("func").vmap
    if name in ("save", "load"):
        return getattr(_lazy("serialization"), name)
    raise AttributeError(f"module 'minitorch' has no attribute '{name}'")

from . import foreach as _foreach  # noqa: E402  (torch._foreach_*: private in torch, used by EMA helpers)

globals().update({_name: getattr(_foreach, _name) for _name in _foreach.__all__})

from . import functional_aliases as _functional_aliases  # noqa: E402  (torch.conv2d & co., ATen signatures)
from . import toplevel_extras as _toplevel_extras  # noqa: E402  (asarray, range, torch.exp_, switches...)

for _module in (_functional_aliases, _toplevel_extras):
    globals().update({_name: getattr(_module, _name) for _name in _module.__all__})
del _module

from .ops import bitwise as _bitwise  # noqa: E402  (API fill: bitwise ops, windows, numeric odds, strided views)
from .ops import numeric_more as _numeric_more  # noqa: E402
from .ops import strided as _strided  # noqa: E402
from .ops import windows as _windows  # noqa: E402

for _family in (_bitwise, _windows, _numeric_more, _strided):
    globals().update({_name: getattr(_family, _name) for _name in _family.__all__})
from .ops import complex as _complex_ops  # noqa: E402  (complex tensors)

globals().update({_name: getattr(_complex_ops, _name) for _name in _complex_ops.__all__})
from . import fft  # noqa: E402
from .backend.dtype import cdouble, cfloat, complex64, complex128  # noqa: E402
from .ops import eig as _eig  # noqa: E402, F401  (linalg.eig; registers return_types.linalg_eig)
from .ops.spectral import istft, stft  # noqa: E402

greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
OutOfMemoryError = cuda.OutOfMemoryError  # torch.OutOfMemoryError is torch.cuda.OutOfMemoryError
