"""Grad mode: whether ops record the graph (``no_grad``, ``enable_grad``, ``set_grad_enabled``)."""
from __future__ import annotations

import functools
import inspect


class _GradState:
    """One global flag read by every op; a class attribute lookup is the cheapest check."""

    enabled = True
    inference = False  # inside inference_mode() (read by minitorch.is_inference_mode_enabled)


def is_grad_enabled() -> bool:
    return _GradState.enabled


class _GradModeContext:
    """Base for the grad-mode switches: a context manager that also works as a decorator."""

    _target: bool

    def __enter__(self):
        self._prev = _GradState.enabled
        _GradState.enabled = self._target
        return self

    def __exit__(self, *exc):
        _GradState.enabled = self._prev
        return False

    def _fresh(self):
        return type(self)()

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return fn(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, fn):
        """A decorated generator runs each of its steps in the mode and gives the caller's mode back at every
        ``yield`` (as torch's decorators do): the mode applies to the generator's code, not to its consumer."""

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with self._fresh():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self._fresh():
                            gen.close()
                        raise
                    except BaseException as exc:  # thrown in by the consumer: delivered inside the mode
                        with self._fresh():
                            response = gen.throw(exc)
                    else:
                        with self._fresh():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return wrapper


class _NoParamContext(_GradModeContext):
    """Also usable as a bare decorator (``@no_grad`` without parentheses), like torch."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamContext):
    """Ops inside record no graph: results have ``requires_grad=False``."""

    _target = False


class enable_grad(_NoParamContext):
    """Re-enable graph recording inside a ``no_grad`` block."""

    _target = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` works as a call, a context manager or a decorator."""

    def __init__(self, mode: bool):
        self._target = bool(mode)
        self._prev = _GradState.enabled
        _GradState.enabled = self._target  # like torch: takes effect when called

    def __enter__(self):
        return self

    def __call__(self, fn):
        _GradState.enabled = self._prev  # used as a decorator: the mode applies only inside fn
        return super().__call__(fn)

    def _fresh(self):
        return _SetGradFor(self._target)


class _SetGradFor(_GradModeContext):
    def __init__(self, mode: bool):
        self._target = mode


class inference_mode(no_grad):
    """Alias of ``no_grad`` (minitorch has no separate inference tensors)."""

    def __new__(cls, mode=True):
        if callable(mode):  # bare decorator
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode: bool = True):
        self._target = not mode

    def __enter__(self):
        self._prev_inference = _GradState.inference
        _GradState.inference = not self._target
        return super().__enter__()

    def __exit__(self, *exc):
        _GradState.inference = self._prev_inference
        return super().__exit__(*exc)
