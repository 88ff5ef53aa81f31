"""Frequency inference shared by ``make_windows`` and the time checks of ``validate``.

The step between rows is the most common positive step (:func:`mode`). When not every
step equals it, the data may follow a calendar frequency (months, or days across a
daylight-saving change): :func:`named_freq` asks pandas about a few short runs and keeps
the named frequency that explains the most steps. Each caller chooses the runs and how a
frequency is scored (whole table or chunk, UTC or wall clock).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

# pandas 3.1 warns that ``pd.infer_freq`` will return a DateOffset instead of a string, and
# offers this option to get that behaviour now; older pandas has no such option.
_OFFSET_OPTION = "future.infer_freq_returns_offset"
try:
    pd.get_option(_OFFSET_OPTION)
except pd.errors.OptionError:
    _OFFSET_OPTION = None

DAY_NS = 86_400 * 10**9


def step_name(ns: int) -> str:
    """A pandas frequency string for a step of ``ns`` nanoseconds: ``'D'``, ``'7D'``, ``'h'``.

    Whole days are named in days ("7D", not "168h").

    Examples
    --------
    >>> step_name(DAY_NS), step_name(7 * DAY_NS), step_name(90 * 60 * 10**9)
    ('D', '7D', '90min')
    """
    if ns % DAY_NS == 0:
        k = ns // DAY_NS
        return "D" if k == 1 else f"{k}D"
    return pd.tseries.frequencies.to_offset(pd.Timedelta(int(ns))).freqstr


def mode(steps: np.ndarray) -> tuple[int, int]:
    """The most common value of ``steps`` and its count (fast when one value dominates).

    Ties go to the smallest value.

    Examples
    --------
    >>> mode(np.array([3, 3, 5, 3, 7]))
    (3, 3)
    >>> mode(np.array([5, 2, 5, 2]))
    (2, 2)
    """
    guess = int(np.median(steps[: 1000]))
    hits = int(np.count_nonzero(steps == guess))
    if 2 * hits > len(steps):
        return guess, hits
    values, counts = np.unique(steps, return_counts=True)
    k = int(np.argmax(counts))
    return int(values[k]), int(counts[k])


def _infer_name(index: pd.DatetimeIndex) -> str | None:
    """``pd.infer_freq(index)`` as a frequency string (``None`` when pandas finds none)."""
    try:
        if _OFFSET_OPTION is None:
            name = pd.infer_freq(index)
        else:
            with pd.option_context(_OFFSET_OPTION, True):
                name = pd.infer_freq(index)
    except (ValueError, TypeError):
        return None
    return getattr(name, "freqstr", name)


def named_freq(runs: Iterable[pd.DatetimeIndex], hits: Callable[[str], int],
               best: Any, best_hits: int) -> Any:
    """The frequency that explains the most steps: ``best`` or a name pandas infers.

    ``runs`` are short stretches of times (those shorter than 3 are skipped), ``hits(name)``
    counts the steps that the frequency ``name`` explains, and ``best`` (explaining
    ``best_hits`` steps) is kept unless a name explains strictly more.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=6, freq="MS")
    >>> named_freq([months[:4], months[2:]], lambda name: 5, "31D", 3)
    'MS'
    >>> named_freq([months[:2]], lambda name: 5, "31D", 3)
    '31D'
    """
    names = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for run in runs:
            if len(run) >= 3:
                name = _infer_name(run)
                if name is not None:
                    names.add(name)
    for name in sorted(names):
        n = hits(name)
        if n > best_hits:
            best, best_hits = name, n
    return best
