"""nn.init: weight initialisation (filled in by the nn modules work)."""
