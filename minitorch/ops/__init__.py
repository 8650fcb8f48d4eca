"""The differentiable ops, grouped by family; each op is one Function with forward and backward."""
