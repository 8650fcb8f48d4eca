"""minitorch.nn: modules, functional ops, init."""
from . import functional, init  # noqa: F401
