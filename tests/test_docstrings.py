"""Every differentiable op's backward carries a docstring with its math (DESIGN rule 1)."""
from __future__ import annotations

import importlib
import pkgutil

import minitorch
from minitorch.autograd.function import BuiltinOp, Function

_PACKAGES = ("minitorch.ops", "minitorch.nn.functional", "minitorch.nn")


def _import_all() -> None:
    for pkg_name in _PACKAGES:
        pkg = importlib.import_module(pkg_name)
        for info in pkgutil.walk_packages(pkg.__path__, pkg_name + "."):
            importlib.import_module(info.name)


def _function_classes() -> list[type]:
    _import_all()
    found, stack = [], [Function]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.startswith("minitorch.") and sub not in (Function, BuiltinOp):
                found.append(sub)
    return sorted(set(found), key=lambda c: (c.__module__, c.__name__))


def test_the_walk_finds_the_core_ops():
    names = {c.__name__ for c in _function_classes()}
    assert {"Add", "Mul", "MatMul", "Sum", "Exp"} <= names
    assert minitorch.ops.elementwise.Add in _function_classes()


def test_every_backward_has_a_one_line_math_docstring():
    missing = []
    for cls in _function_classes():
        doc = (cls.backward.__doc__ or "").strip()
        if not doc or cls.backward is Function.backward:
            missing.append(f"{cls.__module__}.{cls.__name__}")
    assert not missing, "backward without a math docstring: " + ", ".join(missing)
