"""Gamma-family special functions: lgamma, digamma, polygamma, mvlgamma, and Bessel i0/i0e/i1/i1e."""
from __future__ import annotations

__all__: list[str] = []

#: Tensor methods this module adds (name -> function taking the tensor first)
METHODS: dict = {}
#: in-place Tensor methods (name ending in _ -> the out-of-place function they write back)
INPLACE_METHODS: dict = {}
