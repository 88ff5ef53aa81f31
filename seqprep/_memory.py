"""How much memory is free, and refusing results that cannot fit."""

from __future__ import annotations

import os

from ._errors import MemoryBudgetError

__all__ = ["SMALL_BYTES", "array_bytes", "available_memory", "check_array_fits", "check_fits",
           "format_bytes"]


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or ``None`` when unknown.

    The least of the machine's available memory and what this process may still take:
    its address-space limit (``ulimit -v``) and its cgroup's ``memory.max`` (containers).
    """
    known = [n for n in (_machine_available(), _rlimit_room(), _cgroup_room()) if n is not None]
    return min(known) if known else None


def _rlimit_room() -> int | None:
    """Bytes left under ``RLIMIT_AS`` (address space; None when unlimited or unknown)."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit == resource.RLIM_INFINITY or limit <= 0:
            return None
        with open("/proc/self/status") as fh:
            size = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
        return max(0, int(limit) - size)
    except (ImportError, OSError, ValueError, StopIteration):
        return None


def _cgroup_room() -> int | None:
    """Bytes left under the cgroup v2 ``memory.max`` of this process (None: no limit)."""
    try:
        with open("/sys/fs/cgroup/memory.max") as fh:
            limit = fh.read().strip()
        if limit == "max":
            return None
        with open("/sys/fs/cgroup/memory.current") as fh:
            return max(0, int(limit) - int(fh.read().strip()))
    except (OSError, ValueError):
        return None


def _machine_available() -> int | None:
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    if hasattr(os, "sysconf"):
        try:
            return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError):
            return None
    return None


def format_bytes(n: float) -> str:
    """``1536`` → ``'1.5 KiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"  # pragma: no cover


def check_fits(nbytes: int, what: str, fix: str) -> None:
    """Raise :class:`MemoryBudgetError` if ``nbytes`` exceeds the memory available."""
    free = available_memory()
    if free is not None and nbytes > free:
        raise MemoryBudgetError(
            f"{what} would take {format_bytes(nbytes)}, more than the "
            f"{format_bytes(free)} of memory available. {fix}"
        )


def array_bytes(shape: tuple, itemsize: int) -> int:
    """Bytes of an array of ``shape`` and ``itemsize``, computed in Python ints (no overflow).

    Examples
    --------
    >>> array_bytes((2**31, 2**31), 8)
    36893488147419103232
    """
    total = int(itemsize)
    for n in shape:
        total *= int(n)
    return total


#: Arrays smaller than this are allocated without asking how much memory is free (the
#: probe reads /proc and costs more than such an allocation; batch loaders call it often).
SMALL_BYTES = 1 << 24


def check_array_fits(shape: tuple, dtype, what: str, fix: str) -> None:
    """Refuse an array of ``shape`` and ``dtype`` that cannot fit, **before** allocating it.

    Call this with the shape an argument decides (a batch size, a number of slots or
    rows) right before ``np.empty``/``np.zeros``/``np.full``: a huge argument gets a
    :class:`MemoryBudgetError` naming ``what`` and the ``fix`` instead of exhausting memory.
    Sizes past what numpy can index (``2**63`` bytes) are refused even when the free
    memory is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> check_array_fits((2**40, 2**31), np.bool_, "The reset mask", "Pass a smaller batch_size.")
    Traceback (most recent call last):
    ...
    seqprep.MemoryBudgetError: The reset mask of shape (1099511627776, 2147483648) would take 2147483648.0 TiB, more than any array can hold. Pass a smaller batch_size.
    """
    import numpy as np

    nbytes = array_bytes(shape, np.dtype(dtype).itemsize)
    if nbytes < SMALL_BYTES:  # no probe of the free memory for a batch-sized array
        return
    label = f"{what} of shape {tuple(int(n) for n in shape)}"
    if nbytes >= 2**63:
        raise MemoryBudgetError(
            f"{label} would take {format_bytes(nbytes)}, more than any array can hold. {fix}"
        )
    check_fits(nbytes, label, fix)
