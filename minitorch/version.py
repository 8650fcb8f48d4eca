"""``minitorch.version``: torch.version's names. ``__version__`` is the package version, ``cuda`` the CUDA
runtime version CuPy was built for (``'13.0'``, formatted as torch does) or None without CuPy, ``hip``/``rocm``/
``xpu`` None (no such backends), ``git_version`` the source checkout's commit (``'Unknown'`` outside git)."""
from __future__ import annotations

import os

__all__ = ["__version__", "debug", "cuda", "git_version", "hip", "rocm", "xpu"]  # noqa: F822 (lazy names)

__version__ = "0.1.0"
debug = False
hip: str | None = None
rocm: str | None = None
xpu: str | None = None

_lazy: dict = {}


def _cuda_version() -> str | None:
    """The CUDA runtime version as 'major.minor' (runtimeGetVersion's 13000 -> '13.0'), None without CuPy."""
    from .backend import cupy_module  # noqa: PLC0415 - lazy: importing cupy is slow

    cp = cupy_module()
    if cp is None:
        try:
            import cupy as cp  # noqa: PLC0415 - CuPy installed on a machine with no usable GPU
        except Exception:
            return None
    try:
        v = int(cp.cuda.runtime.runtimeGetVersion())
    except Exception:
        return None
    return f"{v // 1000}.{(v % 1000) // 10}"


def _git_version() -> str:
    """The commit of the git checkout the package lives in (read from .git, no subprocess), else 'Unknown'."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    git = os.path.join(root, ".git")
    try:
        if os.path.isfile(git):  # a worktree: "gitdir: <path>"
            with open(git) as f:
                git = f.read().split("gitdir:", 1)[1].strip()
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref:"):
            return head
        ref = head[4:].strip()
        ref_file = os.path.join(git, ref)
        if not os.path.exists(ref_file):  # a worktree keeps refs in the common dir
            common = os.path.join(git, "commondir")
            if os.path.exists(common):
                with open(common) as f:
                    ref_file = os.path.join(git, f.read().strip(), ref)
        if os.path.exists(ref_file):
            with open(ref_file) as f:
                return f.read().strip()
        packed = os.path.join(os.path.dirname(ref_file[: -len(ref)]), "packed-refs")
        with open(packed) as f:
            for line in f:
                if line.rstrip().endswith(" " + ref):
                    return line.split()[0]
    except (OSError, IndexError):
        pass
    return "Unknown"


def __getattr__(name: str):
    """``cuda`` and ``git_version`` are computed on first access (they probe CuPy and the file system)."""
    if name in ("cuda", "git_version"):
        if name not in _lazy:
            _lazy[name] = _cuda_version() if name == "cuda" else _git_version()
        return _lazy[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
