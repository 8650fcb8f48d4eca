"""nn.functional: loss ops (each a Function with forward and backward, or a composite of them)."""
__all__: list = []
