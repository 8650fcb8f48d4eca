"""Side-by-side benchmarks of minitorch against torch (and a hand-written NumPy floor).

Run ``python -m benchmarks --help``. Nothing here imports torch at import time, so a
subprocess that measures minitorch's memory never pays for torch.
"""
