"""Trigonometric and hyperbolic ops beyond sin/cos/tanh: tan, asin, ..., atan2, hypot."""
from __future__ import annotations

__all__: list[str] = []

#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {}
