"""``minitorch.jit``: PyTorch's TorchScript entry points, for model code written for them.

minitorch has no compiler, so it does what PyTorch itself does with TorchScript switched off
(``PYTORCH_JIT=0``): ``script`` returns the module/function/class it is given, unchanged, and the
decorators (``ignore``, ``unused``, ``export``, ``script_method``...) return what they decorate. The code
then runs as plain Python, with exactly the results and the ``eval()/train()/state_dict()/parameters()``
of the original (which is what it is). ``trace`` runs the example inputs once, so a shape error surfaces
at trace time as in torch, and returns the module or function itself, which keeps its Python control flow
(torch's trace records one path). ``freeze``/``optimize_for_inference`` return the module in eval mode with
its parameters (torch's frozen module turns them into constants, so its ``parameters()`` is empty).

TorchScript archives cannot be written or read: ``save``/``load`` raise ``NotImplementedError`` and name
the alternative, ``minitorch.save(model.state_dict(), path)`` and ``model.load_state_dict(minitorch.load(path))``.
"""
from __future__ import annotations

import contextlib
import functools
import inspect
import types
import typing
import warnings
from collections.abc import Callable
from typing import Any, Final  # noqa: F401  (``jit.Final`` is typing.Final, as in torch)

from ..nn.modules.module import Module
from ..tensor import Tensor

__all__ = ["Attribute", "Error", "Future", "ScriptFunction", "ScriptModule", "RecursiveScriptModule",
           "TopLevelTracedModule", "annotate", "enable_onednn_fusion", "export", "fork", "freeze", "fuser",
           "interface", "ignore", "isinstance", "is_scripting", "is_tracing", "load", "onednn_fusion_enabled",
           "optimize_for_inference", "optimized_execution", "run_frozen_optimizations", "save", "script",
           "script_if_tracing", "script_method", "set_fusion_strategy", "strict_fusion", "trace", "trace_module",
           "unused", "wait", "Final"]

_builtin_isinstance = isinstance
_tracing_depth = 0  # > 0 while ``trace`` runs its example inputs


class Error(RuntimeError):
    """The exception TorchScript raises from inside scripted code (``torch.jit.Error``)."""


# ---- the classes scripted objects would have ------------------------------------------------------------
class ScriptModule(Module):
    """``torch.jit.ScriptModule`` as PyTorch defines it when TorchScript is off: an ``nn.Module``.

    Old-style TorchScript code subclasses it and marks methods with ``@jit.script_method``; here those
    methods are ordinary Python methods. ``script`` and ``trace`` never return instances of it (they
    return the object itself), so ``isinstance(script(m), ScriptModule)`` is False, as in torch with
    ``PYTORCH_JIT=0``.
    """

    def __init__(self, arg=None) -> None:
        super().__init__()


class RecursiveScriptModule(ScriptModule):
    """The class of ``torch.jit.script(module)``'s result in torch (here only a name for isinstance checks)."""


class TopLevelTracedModule(ScriptModule):
    """The class of ``torch.jit.trace(module)``'s result in torch (here only a name for isinstance checks)."""


class ScriptFunction:
    """The class of a compiled function in torch. There is no compiler, so none can be made: ``script``
    and ``trace`` return the Python function itself."""

    def __init__(self, *args, **kwargs) -> None:
        raise TypeError("ScriptFunction: No constructor defined!")


def script_method(fn: Callable) -> Callable:
    """Marks a method of a ``ScriptModule`` subclass for compilation in torch; here returns ``fn``."""
    return fn


def Attribute(value: Any, type: Any) -> Any:  # noqa: N802, A002  (torch's names)
    """Declares an attribute's TorchScript type in a ``ScriptModule``'s ``__init__``; returns ``value``."""
    return value


# ---- script ---------------------------------------------------------------------------------------------
def script(obj: Any, optimize: None = None, _frames_up: int = 0, _rcb: Callable | None = None,
           example_inputs: list[tuple] | dict[Callable, list[tuple]] | None = None) -> Any:
    """Return ``obj`` itself, to run as Python (minitorch has no TorchScript compiler).

    Modules, functions, methods, classes, lists and dicts are accepted as in torch; an ``nn.Module``
    *class* is refused with torch's error (pass an instance). ``example_inputs`` (torch's
    profile-directed typing) is not needed to run eagerly and is ignored.
    """
    warnings.warn("`torch.jit.script` is deprecated. Please switch to `torch.compile` or `torch.export`.",
                  DeprecationWarning, stacklevel=2)
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    if inspect.isclass(obj) and issubclass(obj, Module):
        raise RuntimeError(f"Type '{obj}' cannot be compiled since it inherits from nn.Module, pass an instance "
                           "instead")
    if _builtin_isinstance(obj, Module):
        prepare = getattr(obj, "__prepare_scriptable__", None)
        return prepare() if prepare is not None else obj
    if hasattr(obj, "__prepare_scriptable__") and not inspect.isclass(obj):
        return obj.__prepare_scriptable__()
    return obj


def script_if_tracing(fn: Callable) -> Callable:
    """Compiles ``fn`` the first time it is called during tracing in torch; here returns ``fn`` unchanged."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)

    wrapper.__original_fn = fn  # type: ignore[attr-defined]
    wrapper.__script_if_tracing_wrapper = True  # type: ignore[attr-defined]
    return wrapper


# ---- trace ----------------------------------------------------------------------------------------------
def _run_traced(fn: Callable, inputs, is_kwarg: bool):
    global _tracing_depth
    _tracing_depth += 1
    try:
        if is_kwarg:
            return fn(**inputs)
        return fn(*inputs)
    finally:
        _tracing_depth -= 1


def _as_args(example_inputs):
    if _builtin_isinstance(example_inputs, (Tensor, dict)):
        return (example_inputs,)
    if not _builtin_isinstance(example_inputs, tuple):
        return tuple(example_inputs)
    return example_inputs


def trace(func, example_inputs=None, optimize=None, check_trace: bool = True, check_inputs=None,
          check_tolerance: float = 1e-5, strict: bool = True, _force_outplace: bool = False,
          _module_class=None, _compilation_unit=None, example_kwarg_inputs=None, _store_inputs: bool = True):
    """Run ``func(*example_inputs)`` (``func(**example_kwarg_inputs)``) once and return ``func`` itself.

    A module (or a module's bound ``forward``) goes through ``trace_module`` and the module is returned.
    The run happens with ``is_tracing()`` True, so shape errors surface here as in torch; with
    ``check_trace`` the ``check_inputs`` are run too. The result runs as Python afterwards, so
    data-dependent control flow keeps working (torch's trace would freeze the path taken).
    """
    warnings.warn("`torch.jit.trace` is deprecated. Please switch to `torch.compile` or `torch.export`.",
                  DeprecationWarning, stacklevel=2)
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    if _builtin_isinstance(func, ScriptModule):
        warnings.warn("The input to trace is already a ScriptModule, tracing it is a no-op. Returning the object "
                      "as is.", stacklevel=2)
        return func
    module = func if _builtin_isinstance(func, Module) else None
    if module is None and _builtin_isinstance(getattr(func, "__self__", None), Module) \
            and getattr(func, "__name__", None) == "forward":
        module = func.__self__
    if module is not None:
        if example_inputs is None:
            if _builtin_isinstance(example_kwarg_inputs, dict):
                example_inputs = example_kwarg_inputs
            else:
                raise RuntimeError("example_kwarg_inputs should be a dict")
        return _trace_module(module, {"forward": example_inputs}, check_trace,
                             _wrap_check_inputs(check_inputs), _builtin_isinstance(example_kwarg_inputs, dict))
    if _builtin_isinstance(getattr(func, "__self__", None), Module):
        raise AttributeError("trace doesn't support compiling individual module's functions.\n"
                             "Please use trace_module")
    if _builtin_isinstance(example_kwarg_inputs, dict):
        _run_traced(func, example_kwarg_inputs, True)
    else:
        _run_traced(func, _as_args(example_inputs), False)
    if check_trace and check_inputs is not None:
        for inputs in check_inputs:
            _run_traced(func, _as_args(inputs), False)
    return func


def _wrap_check_inputs(check_inputs):
    if check_inputs is None:
        return None
    return [{"forward": c} for c in check_inputs]


def trace_module(mod, inputs, optimize=None, check_trace: bool = True, check_inputs=None,
                 check_tolerance: float = 1e-5, strict: bool = True, _force_outplace: bool = False,
                 _module_class=None, _compilation_unit=None, example_inputs_is_kwarg: bool = False,
                 _store_inputs: bool = True):
    """Run each ``mod.<method>(*example)`` of ``inputs`` (a dict method name -> example inputs) once and
    return ``mod`` itself (see ``trace``)."""
    warnings.warn("`torch.jit.trace_method` is deprecated. Please switch to `torch.compile` or `torch.export`.",
                  DeprecationWarning, stacklevel=2)
    if optimize is not None:
        warnings.warn("`optimize` is deprecated and has no effect. Use `with torch.jit.optimized_execution()` "
                      "instead", FutureWarning, stacklevel=2)
    return _trace_module(mod, inputs, check_trace, check_inputs, example_inputs_is_kwarg)


def _trace_module(mod, inputs, check_trace, check_inputs, is_kwarg):
    if not _builtin_isinstance(mod, Module):
        raise AttributeError("expected torch.nn.Module as the first argument")
    if not _builtin_isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    runs = [inputs] + (list(check_inputs) if check_trace and check_inputs is not None else [])
    for run in runs:
        for method_name, example in run.items():
            fn = mod if method_name == "forward" else getattr(mod, method_name)
            if is_kwarg:
                _run_traced(fn, example, True)
            else:
                _run_traced(fn, _as_args(example), False)
    return mod


def is_tracing() -> bool:
    """True while ``trace``/``trace_module`` run their example inputs."""
    return _tracing_depth > 0


def is_scripting() -> bool:
    """False: code never runs as TorchScript here (it is True only inside compiled code in torch)."""
    return False


# ---- decorators and annotations -------------------------------------------------------------------------
def ignore(drop=False, **kwargs):
    """``@jit.ignore`` / ``@jit.ignore(drop=True)``: leave a function to Python; here returns it unchanged."""
    if callable(drop):
        return drop
    if not _builtin_isinstance(drop, bool):
        raise RuntimeError(f"Argument to @torch.jit.ignore must be a bool or a function but got {drop}")
    if kwargs.get("drop_on_export"):
        warnings.warn("ignore(drop_on_export=True) has been deprecated. TorchScript will now drop the function "
                      "call on compilation. Use torch.jit.unused now. {}", FutureWarning, stacklevel=2)
    return lambda fn: fn


def unused(fn):
    """``@jit.unused``: a method the compiler skips; here returns it unchanged (it runs when called)."""
    return fn


def export(fn):
    """``@jit.export``: compile this method too; here returns it unchanged."""
    return fn


def annotate(the_type: Any, the_value: Any) -> Any:
    """Give ``the_value`` a type for the compiler; returns ``the_value``."""
    return the_value


def interface(obj):
    """``@jit.interface`` on a class; returns the class (torch's RuntimeError for anything else)."""
    warnings.warn("`torch.jit.interface` is deprecated. Please use `torch.compile` instead.", DeprecationWarning,
                  stacklevel=2)
    if not inspect.isclass(obj):
        raise RuntimeError("interface must be applied to a class")
    return obj


def isinstance(obj: Any, target_type: Any) -> bool:  # noqa: A001  (torch's name)
    """``isinstance`` that also understands typing containers: ``List[int]``, ``Dict[str, Tensor]``,
    ``Tuple[int, str]``, ``Optional[T]``, ``Union[...]`` (each element checked, as torch does eagerly)."""
    origin = typing.get_origin(target_type)
    if origin is None:
        if target_type is Any:
            return True
        if target_type is None or target_type is type(None):
            return obj is None
        return _builtin_isinstance(obj, target_type)
    args = typing.get_args(target_type)
    if origin is typing.Union or origin is types.UnionType:
        return any(isinstance(obj, a) for a in args)
    if origin is list:
        return _builtin_isinstance(obj, list) and (not args or all(isinstance(x, args[0]) for x in obj))
    if origin is dict:
        if not _builtin_isinstance(obj, dict):
            return False
        if not args:
            return True
        return all(isinstance(k, args[0]) and isinstance(v, args[1]) for k, v in obj.items())
    if origin is tuple:
        if not _builtin_isinstance(obj, tuple):
            return False
        if not args:
            return True
        if len(args) == 2 and args[1] is Ellipsis:
            return all(isinstance(x, args[0]) for x in obj)
        return len(obj) == len(args) and all(isinstance(x, a) for x, a in zip(obj, args))
    return _builtin_isinstance(obj, origin)


# ---- fork / wait ----------------------------------------------------------------------------------------
class Future:
    """A completed result (``torch.futures.Future``'s interface): ``fork`` runs its function at once."""

    def __init__(self, *, devices=None) -> None:
        self._done = False
        self._value: Any = None
        self._exception: BaseException | None = None
        self._callbacks: list[Callable] = []

    def done(self) -> bool:
        return self._done

    def wait(self) -> Any:
        """The value (re-raises the exception the function raised)."""
        if not self._done:
            raise RuntimeError("Future.wait() on a Future that is not completed: nothing runs in the background, "
                               "set_result() or set_exception() must be called first")
        if self._exception is not None:
            raise self._exception
        return self._value

    def value(self) -> Any:
        return self.wait()

    def set_result(self, result: Any) -> None:
        if self._done:
            raise RuntimeError("Future can only be marked completed once.")
        self._value, self._done = result, True
        self._run_callbacks()

    def set_exception(self, result: BaseException) -> None:
        if not _builtin_isinstance(result, BaseException):
            raise AssertionError(f"{result} is of type {type(result)}, not an Exception.")
        if self._done:
            raise RuntimeError("Future can only be marked completed once.")
        self._exception, self._done = result, True
        self._run_callbacks()

    def then(self, callback: Callable[[Future], Any]) -> Future:
        """A new Future holding ``callback(self)`` (run once this one is done)."""
        out = Future()

        def chain(fut):
            try:
                out.set_result(callback(fut))
            except Exception as e:  # the callback's error goes into the new Future, as in torch
                out.set_exception(e)

        self.add_done_callback(chain)
        return out

    def add_done_callback(self, callback: Callable[[Future], None]) -> None:
        if self._done:
            callback(self)
        else:
            self._callbacks.append(callback)

    def _run_callbacks(self) -> None:
        callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)


def fork(func: Callable, *args, **kwargs) -> Future:
    """Run ``func(*args, **kwargs)`` now (synchronously, as torch does outside TorchScript) and return a
    completed ``Future``; an exception raised by ``func`` propagates here, as in torch."""
    fut = Future()
    fut.set_result(func(*args, **kwargs))
    return fut


def wait(future: Future) -> Any:
    """``future.wait()``."""
    return future.wait()


# ---- inference preparation ------------------------------------------------------------------------------
def freeze(mod, preserved_attrs: list[str] | None = None, optimize_numerics: bool = True):
    """Return ``mod`` (which must be in eval mode, torch's RuntimeError otherwise). Unlike torch's frozen
    module, it keeps its parameters (``parameters()``/``state_dict()`` are not emptied)."""
    if not _builtin_isinstance(mod, Module):
        raise RuntimeError("Freezing expects a ScriptModule as input. Please use torch.jit.script or "
                           "torch.jit.trace to script your 'nn.Module'.")
    if mod.training:
        raise RuntimeError("Freezing is currently only implemented for modules in eval mode. Please call .eval() "
                           "on your module before freezing.")
    return mod


def run_frozen_optimizations(mod, optimize_numerics: bool = True, preserved_methods: list[str] | None = None
                             ) -> None:
    """No graph to optimise: does nothing."""


def optimize_for_inference(mod, other_methods: list[str] | None = None):
    """Put ``mod`` in eval mode and return it (``freeze`` then graph optimisations in torch)."""
    if not _builtin_isinstance(mod, Module):
        raise RuntimeError("optimize_for_inference expects a ScriptModule as input. Please use torch.jit.script "
                           "or torch.jit.trace to script your 'nn.Module'.")
    return freeze(mod.eval(), preserved_attrs=other_methods)


# ---- fuser settings (no fuser here: the settings are kept and have no effect) --------------------------
_fusion_strategy: list[tuple[str, int]] = [("STATIC", 2), ("DYNAMIC", 10)]
_onednn_fusion = False


def set_fusion_strategy(strategy: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Set the fuser's specialisation strategy; returns the previous one (no effect: nothing is compiled)."""
    global _fusion_strategy
    old, _fusion_strategy = _fusion_strategy, list(strategy)
    return old


def enable_onednn_fusion(enabled: bool) -> None:
    """Record the oneDNN fusion flag (no effect: nothing is compiled)."""
    global _onednn_fusion
    _onednn_fusion = bool(enabled)


def onednn_fusion_enabled() -> bool:
    return _onednn_fusion


@contextlib.contextmanager
def optimized_execution(should_optimize: bool):
    """Context manager toggling TorchScript's optimising executor; nothing is compiled, so it has no effect."""
    yield


@contextlib.contextmanager
def fuser(name: str):
    """Context manager choosing TorchScript's fuser ('fuser0', 'fuser1', 'fuser2', 'fuser3', 'none');
    nothing is compiled, so it only checks the name."""
    if name not in ("fuser0", "fuser1", "fuser2", "fuser3", "none"):
        raise Exception(f"unrecognized fuser option (name: {name})")  # noqa: TRY002  (torch raises Exception)
    yield


class strict_fusion:  # noqa: N801  (torch's name)
    """In torch, asserts inside scripted code that the block was fused; outside TorchScript it warns."""

    def __init__(self) -> None:
        if not is_scripting():
            warnings.warn("Only works in script mode", stacklevel=2)

    def __enter__(self) -> None:
        pass

    def __exit__(self, type: Any, value: Any, tb: Any) -> None:  # noqa: A002
        pass


# ---- serialization --------------------------------------------------------------------------------------
_NO_ARCHIVES = ("minitorch cannot {} TorchScript archives (it has no TorchScript compiler). Save the weights "
                "with `minitorch.save(model.state_dict(), path)` and restore them into the Python model with "
                "`model.load_state_dict(minitorch.load(path))`.")


def save(m, f, _extra_files=None) -> None:
    """Not available: raises NotImplementedError (a RuntimeError) naming ``minitorch.save(model.state_dict())``."""
    raise NotImplementedError(_NO_ARCHIVES.format("write"))


def load(f, map_location=None, _extra_files=None, _restore_shapes: bool = False):
    """Not available: raises NotImplementedError (a RuntimeError) naming ``minitorch.load`` + ``load_state_dict``."""
    raise NotImplementedError(_NO_ARCHIVES.format("read"))
