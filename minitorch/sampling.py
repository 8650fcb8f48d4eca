"""Random sampling: in-place fills (``x.uniform_()``, ``x.exponential_()``, ...), ``bernoulli``,
``multinomial``, ``poisson``, and the global generator's state (``get_rng_state``, ``seed``).

Every draw comes from minitorch's own generators (``backend.random``), never NumPy's or CuPy's
global state. The fills write into the tensor's memory without recording a graph, as torch's do.
"""
from __future__ import annotations

import math

import numpy as np

from .backend import xp_of
from .backend.checks import fail_if
from .backend.random import Generator, default_generator, normal_array, rng_for
from .tensor import Tensor

__all__ = ["bernoulli", "get_rng_state", "initial_seed", "multinomial", "poisson", "seed", "set_rng_state"]


def _fill(t: Tensor, arr) -> Tensor:
    """Write ``arr`` into ``t`` (cast to its dtype) and bump its version: what every ``*_`` sampler ends with."""
    t.array[...] = arr.astype(t.array.dtype, copy=False)
    t._version += 1
    return t


def _float_only(t: Tensor, op: str) -> None:
    if t.array.dtype.kind != "f":
        raise RuntimeError(f"{op}: expects a floating point tensor, got {t.dtype} (shape {list(t.shape)})")


# ---------------------------------------------------------------- in-place fills ------------------
def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with samples of U[a, b)."""
    return _fill(self, rng_for(self.device, generator).uniform(a, b, self.array.shape))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with samples of N(mean, std^2)."""
    return _fill(self, normal_array(rng_for(self.device, generator), mean, std, self.array.shape))


def bernoulli_(self: Tensor, p=0.5, generator: Generator | None = None) -> Tensor:
    """Fill with 1 with probability ``p`` (a float or a tensor of probabilities), else 0."""
    prob = p.array if isinstance(p, Tensor) else p
    return _fill(self, rng_for(self.device, generator).random(self.array.shape) < prob)


def exponential_(self: Tensor, lambd: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with samples of Exp(lambd): density lambd * exp(-lambd x), x >= 0."""
    _float_only(self, "exponential_")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill(self, rng_for(self.device, generator).exponential(1.0 / lambd, self.array.shape))


def geometric_(self: Tensor, p: float, generator: Generator | None = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success: P(k) = (1-p)^(k-1) p, k >= 1."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill(self, rng_for(self.device, generator).geometric(p, self.array.shape))


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Fill with samples of Cauchy(median, sigma): median + sigma * tan(pi (u - 1/2))."""
    _float_only(self, "cauchy_")
    u = rng_for(self.device, generator).random(self.array.shape)
    return _fill(self, median + sigma * xp_of(u).tan(math.pi * (u - 0.5)))


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, generator: Generator | None = None) -> Tensor:
    """Fill with exp(N(mean, std^2)) samples."""
    _float_only(self, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    z = normal_array(rng_for(self.device, generator), mean, std, self.array.shape)
    return _fill(self, xp_of(z).exp(z))


def _random_bounds(dtype: np.dtype) -> tuple:
    """torch's default range for ``random_()``: [0, 2^mantissa] for floats, [0, max] for integers."""
    if dtype.kind == "f":
        return 0, 2 ** (np.finfo(dtype).nmant + 1) + 1
    if dtype.kind == "b":
        return 0, 2
    return 0, int(np.iinfo(dtype).max) + 1


def random_(self: Tensor, from_=None, to=None, *, generator: Generator | None = None, **kwargs) -> Tensor:
    """Fill with integers drawn uniformly from [from, to) (``random_(to)``: [0, to); no bounds: the dtype's range)."""
    from_ = kwargs.pop("from", from_)
    if kwargs:
        raise TypeError(f"random_() got unexpected keyword arguments {sorted(kwargs)}")
    if from_ is None and to is None:
        low, high = _random_bounds(self.array.dtype)
    elif to is None:
        low, high = 0, from_
    else:
        low, high = from_, to
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return _fill(self, rng_for(self.device, generator).integers(low, high, size=self.array.shape, dtype=np.int64))


# ---------------------------------------------------------------- sampling functions --------------
def bernoulli(input: Tensor, p: float | None = None, *, generator: Generator | None = None) -> Tensor:
    """0/1 samples with the probabilities in ``input`` (or the fixed ``p``), in ``input``'s dtype."""
    out = Tensor._wrap(xp_of(input.array).empty_like(input.array))
    return bernoulli_(out, input if p is None else p, generator)


def poisson(input: Tensor, generator: Generator | None = None) -> Tensor:
    """Samples of Poisson(rate) for each rate in ``input``, in ``input``'s dtype."""
    _float_only(input, "poisson")
    rates = input.array
    fail_if((rates < 0).any(), RuntimeError, f"poisson: rates must be >= 0 (input shape {list(input.shape)})")
    return Tensor._wrap(rng_for(input.device, generator).poisson(rates, rates.shape).astype(rates.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Generator | None = None) -> Tensor:
    """Category indices (int64) drawn from the weights in each row of ``input`` (1-D or 2-D).

    With replacement: inverse CDF (one searchsorted over all rows at once). Without replacement:
    the Gumbel-top-k trick, the k largest of log(w) - log(-log u) are a weighted sample without replacement.
    """
    w = input.array
    if w.ndim not in (1, 2) or w.shape[-1] == 0:
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim with at least one category, got shape "
                           f"{list(w.shape)}")
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {input.dtype}")
    n_cat = w.shape[-1]
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {num_samples})")
    if not replacement and num_samples > n_cat:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                           f"({num_samples} > {n_cat})")
    xp = xp_of(w)
    rows = w.reshape(-1, n_cat).astype(np.float64)
    fail_if((rows < 0).any() | ~xp.isfinite(rows).all(), RuntimeError,
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0")
    fail_if((rows.sum(axis=1) <= 0).any(), RuntimeError, "multinomial: invalid multinomial distribution (sum of "
            "probabilities <= 0)")
    rng = rng_for(input.device, generator)
    n_rows = rows.shape[0]
    if replacement:
        cdf = xp.cumsum(rows, axis=1)
        cdf /= cdf[:, -1:]
        offsets = xp.arange(n_rows, dtype=np.float64)[:, None]
        u = rng.random((n_rows, num_samples))
        flat = xp.searchsorted((cdf + offsets).ravel(), (u + offsets).ravel(), side="right")
        idx = flat.reshape(n_rows, num_samples) - xp.arange(n_rows)[:, None] * n_cat
        idx = xp.minimum(idx, n_cat - 1)  # u == 1 - eps against a rounded-down last cdf entry
    else:
        with np.errstate(divide="ignore"):
            keys = xp.log(rows) - xp.log(-xp.log(rng.random(rows.shape)))
        # zero weights get key -inf: drawn last, in index order (a stable sort), as torch draws them
        idx = xp.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(np.int64)
    return Tensor._wrap(idx[0] if w.ndim == 1 else idx)


# ---------------------------------------------------------------- the global generator's state ----
def get_rng_state() -> Tensor:
    """The default CPU generator's state as a uint8 tensor (what ``set_rng_state`` takes back)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default CPU generator from a ``get_rng_state()`` tensor."""
    default_generator.set_state(new_state)


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return default_generator.initial_seed()


def seed() -> int:
    """Seed the default generators with a fresh non-deterministic seed and return it."""
    from .backend.random import manual_seed

    s = int(np.random.SeedSequence().entropy % (2**63))
    manual_seed(s)
    return s


#: Tensor methods: the in-place fills plus ``x.bernoulli()``, ``x.multinomial(n)``
INPLACE_SAMPLERS = {
    "uniform_": uniform_, "normal_": normal_, "bernoulli_": bernoulli_, "exponential_": exponential_,
    "geometric_": geometric_, "cauchy_": cauchy_, "log_normal_": log_normal_, "random_": random_,
}
SAMPLING_METHODS = {"bernoulli": bernoulli, "multinomial": multinomial}
