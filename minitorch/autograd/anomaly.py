"""Anomaly detection: find the op whose backward produced NaN/Inf, and where it was created."""
from __future__ import annotations

import os
import traceback


class _AnomalyState:
    enabled = False  # record each op's creation stack
    check_nan = True  # and, while enabled, check every backward result for NaN/Inf


def is_anomaly_enabled() -> bool:
    return _AnomalyState.enabled


def is_anomaly_check_nan_enabled() -> bool:
    return _AnomalyState.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Switch anomaly mode (``torch.set_anomaly_enabled``)."""
    _AnomalyState.enabled = bool(enabled)
    _AnomalyState.check_nan = bool(check_nan)


class detect_anomaly:
    """Context manager: record where each op is created and (``check_nan``) check every backward for NaN/Inf."""

    def __init__(self, check_nan: bool = True):
        self.check_nan = check_nan

    def __enter__(self):
        self._prev = (_AnomalyState.enabled, _AnomalyState.check_nan)
        set_anomaly_enabled(True, self.check_nan)
        return self

    def __exit__(self, *exc):
        set_anomaly_enabled(*self._prev)
        return False


class set_detect_anomaly(detect_anomaly):
    """``set_detect_anomaly(True)`` switches anomaly mode on (and works as a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        super().__init__(check_nan)
        self._prev = (_AnomalyState.enabled, _AnomalyState.check_nan)
        set_anomaly_enabled(mode, check_nan)

    def __enter__(self):
        return self


_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def creation_stack() -> str:
    """The user-code stack at op creation, minus minitorch's own frames."""
    frames = [f for f in traceback.extract_stack()[:-1] if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)]
    return "".join(traceback.format_list(frames[-6:]))
