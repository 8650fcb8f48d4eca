"""pytest configuration: hypothesis profiles (ci: bounded, no deadline; long: for manual fuzzing)."""
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=15, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile("long", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# MINITORCH_FAKE_GPU=1: run the cuda-parametrised cases on tests/fakecupy (NumPy underneath, CuPy's rules
# on top) when no real GPU is usable, so the CuPy code paths are exercised on every machine.
if os.environ.get("MINITORCH_FAKE_GPU") == "1":
    import minitorch

    if not minitorch.cuda.is_available():
        from tests import fakecupy

        minitorch.backend.use_gpu_module(fakecupy, fakecupy.cupyx)
