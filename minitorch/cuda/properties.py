"""What the GPU is: ``get_device_properties`` and friends, from the CUDA runtime through CuPy; and the NVML
readings (``utilization``, ``temperature``...) through ``pynvml`` where it is installed, as torch does."""
from __future__ import annotations

import uuid as _uuid

from ._utils import device_index, lazy_init

__all__ = ["get_device_properties", "get_device_capability", "get_device_name", "get_arch_list",
           "current_blas_handle", "utilization", "temperature", "power_draw", "clock_rate", "memory_usage"]


class _CudaDeviceProperties:
    """``torch.cuda.get_device_properties(d)``'s object: torch's attribute names over ``cudaDeviceProp``."""

    __slots__ = ("name", "major", "minor", "total_memory", "multi_processor_count", "is_integrated",
                 "is_multi_gpu_board", "max_threads_per_multi_processor", "warp_size", "regs_per_multiprocessor",
                 "shared_memory_per_block", "shared_memory_per_block_optin", "shared_memory_per_multiprocessor",
                 "L2_cache_size", "uuid", "pci_bus_id", "pci_device_id", "pci_domain_id", "clock_rate",
                 "memory_clock_rate", "memory_bus_width")

    def __init__(self, props: dict, attribute):
        def value(key, attr=None):
            if key in props:
                return props[key]
            return attribute(attr) if attr is not None else 0

        name = props.get("name", b"")
        self.name = name.decode() if isinstance(name, bytes) else str(name)
        self.major, self.minor = int(props["major"]), int(props["minor"])
        self.total_memory = int(props["totalGlobalMem"])
        self.multi_processor_count = int(value("multiProcessorCount", "cudaDevAttrMultiProcessorCount"))
        self.is_integrated = int(props.get("integrated", 0))
        self.is_multi_gpu_board = int(props.get("isMultiGpuBoard", 0))
        self.max_threads_per_multi_processor = int(props.get("maxThreadsPerMultiProcessor", 0))
        self.warp_size = int(props.get("warpSize", 32))
        self.regs_per_multiprocessor = int(props.get("regsPerMultiprocessor", 0))
        self.shared_memory_per_block = int(props.get("sharedMemPerBlock", 0))
        self.shared_memory_per_block_optin = int(props.get("sharedMemPerBlockOptin", 0))
        self.shared_memory_per_multiprocessor = int(props.get("sharedMemPerMultiprocessor", 0))
        self.L2_cache_size = int(props.get("l2CacheSize", 0))
        raw_uuid = props.get("uuid", b"")
        self.uuid = str(_uuid.UUID(bytes=bytes(raw_uuid))) if len(raw_uuid) == 16 else ""
        self.pci_bus_id = int(props.get("pciBusID", 0))
        self.pci_device_id = int(props.get("pciDeviceID", 0))
        self.pci_domain_id = int(props.get("pciDomainID", 0))
        # CUDA 13 dropped these from cudaDeviceProp: read them as device attributes (kHz, kHz, bits)
        self.clock_rate = int(value("clockRate", "cudaDevAttrClockRate"))
        self.memory_clock_rate = int(value("memoryClockRate", "cudaDevAttrMemoryClockRate"))
        self.memory_bus_width = int(value("memoryBusWidth", "cudaDevAttrGlobalMemoryBusWidth"))

    def __repr__(self) -> str:
        return (f"_CudaDeviceProperties(name='{self.name}', major={self.major}, minor={self.minor}, "
                f"total_memory={self.total_memory // (1024 * 1024)}MB, "
                f"multi_processor_count={self.multi_processor_count}, uuid={self.uuid}, "
                f"pci_bus_id={self.pci_bus_id}, pci_device_id={self.pci_device_id}, "
                f"pci_domain_id={self.pci_domain_id}, L2_cache_size={self.L2_cache_size // (1024 * 1024)}MB)")


_cache: dict = {}


def get_device_properties(device=None) -> _CudaDeviceProperties:
    """The GPU's properties (name, total_memory, major, minor, multi_processor_count, is_integrated, ...)."""
    cp = lazy_init("get_device_properties")
    index = device_index(device)
    key = (id(cp), index)
    if key not in _cache:
        runtime = cp.cuda.runtime
        _cache[key] = _CudaDeviceProperties(runtime.getDeviceProperties(index),
                                            lambda attr: runtime.deviceGetAttribute(getattr(runtime, attr), index))
    return _cache[key]


def get_device_capability(device=None) -> tuple[int, int]:
    """(major, minor) CUDA compute capability, e.g. (9, 0) for an H100."""
    props = get_device_properties(device)
    return props.major, props.minor


def get_device_name(device=None) -> str:
    return get_device_properties(device).name


def get_arch_list() -> list[str]:
    """The GPU architectures kernels can be built for: CuPy compiles its kernels at run time with NVRTC, so
    these are NVRTC's supported ``sm_XX`` targets (just this GPU's when NVRTC cannot be asked); ``[]`` without
    a GPU."""
    from ..backend import cupy_module

    cp = cupy_module()
    if cp is None:
        return []
    try:
        archs = cp.cuda.nvrtc.getSupportedArchs()
    except Exception:  # NVRTC missing or too old to list its targets
        archs = [cp.cuda.Device().compute_capability]
    return [f"sm_{arch}" for arch in archs]


def current_blas_handle() -> int:
    """The cuBLAS handle CuPy uses on the current device (``cublasHandle_t`` as an int)."""
    return int(lazy_init("current_blas_handle").cuda.get_cublas_handle())


# ---- NVML readings (torch reads these through pynvml too) --------------------------------------------------
def _nvml_handle(device):
    try:
        import pynvml  # noqa: PLC0415 - optional, as in torch
    except ModuleNotFoundError:
        raise ModuleNotFoundError("nvidia-ml-py does not seem to be installed or it can't be imported.") from None
    cp = lazy_init("nvml")
    index = device_index(device)
    pynvml.nvmlInit()
    bus_id = cp.cuda.Device(index).pci_bus_id  # CUDA and NVML number GPUs differently: match by PCI bus
    return pynvml, pynvml.nvmlDeviceGetHandleByPciBusId(bus_id.encode())


def utilization(device=None) -> int:
    """Percent of the last sample period in which a kernel ran on the GPU (NVML, via pynvml)."""
    nvml, handle = _nvml_handle(device)
    return int(nvml.nvmlDeviceGetUtilizationRates(handle).gpu)


def memory_usage(device=None) -> int:
    """Percent of the last sample period in which GPU memory was read or written (NVML, via pynvml)."""
    nvml, handle = _nvml_handle(device)
    return int(nvml.nvmlDeviceGetUtilizationRates(handle).memory)


def temperature(device=None) -> int:
    """GPU temperature in degrees Celsius (NVML, via pynvml)."""
    nvml, handle = _nvml_handle(device)
    return int(nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU))


def power_draw(device=None) -> int:
    """GPU power draw in milliwatts (NVML, via pynvml)."""
    nvml, handle = _nvml_handle(device)
    return int(nvml.nvmlDeviceGetPowerUsage(handle))


def clock_rate(device=None) -> int:
    """GPU streaming-multiprocessor clock in MHz (NVML, via pynvml)."""
    nvml, handle = _nvml_handle(device)
    return int(nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM))
