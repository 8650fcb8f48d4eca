"""``torch.return_types``: the named tuples that ops with several results return (``x.max(1)`` gives
``return_types.max(values=..., indices=...)``). They print as torch's do."""
from __future__ import annotations

from collections import namedtuple

_CLASSES: dict = {}


def structseq(name: str, fields: list) -> type:
    """A tuple subclass ``name`` with named ``fields`` (unpacks, indexes and compares like a tuple), printed as
    ``torch.return_types.name(\\nfield=...,\\nfield=...)``; one class per name."""
    if name in _CLASSES:
        return _CLASSES[name]
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})
    _CLASSES[name] = cls
    globals()[name] = cls  # pickle finds it here
    return cls


for _name in ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin"):
    structseq(_name, ["values", "indices"])
structseq("aminmax", ["min", "max"])
