"""Linear-algebra decompositions and solvers: det, inverse, solve, cholesky, qr, svd, eigh, ... (forward + backward)."""
from __future__ import annotations

__all__: list[str] = []

#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {}
