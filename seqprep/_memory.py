"""How much memory is free, and refusing results that cannot fit."""

from __future__ import annotations

import os

from ._errors import MemoryBudgetError

__all__ = ["available_memory", "check_fits", "format_bytes"]


def available_memory() -> int | None:
    """Bytes of memory available to a new allocation, or ``None`` when unknown."""
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
