"""Which samples ``windows[key]`` selects: the one rule for indexing windows by sample.

``key`` is what numpy accepts along the first axis of ``windows.X``: an integer (negative
counts from the end), a slice, a boolean mask of one value per sample, or an array (or
list) of integer positions, in any order, repeats allowed. :func:`positions` turns it into
the int64 positions of the samples, so the caller derives one new Windows from them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._args import show
from ._errors import ArgumentTypeError, SampleIndexError, ShapeError

__all__ = ["positions"]


def _out_of_range(bad: int, n: int, key: Any) -> SampleIndexError:
    where = f"positions -{n}..{n - 1}" if n else "no samples at all"
    return SampleIndexError(
        f"`key` must pick samples that exist: index {bad} is out of range for {n:,} "
        f"samples ({where}). Received: key={show(key)}."
    )


def _integers(arr: np.ndarray, n: int, key: Any) -> np.ndarray:
    bad = (arr < -n) | (arr >= n)
    if bad.any():
        raise _out_of_range(int(arr[bad][0]), n, key)
    return np.where(arr < 0, arr + n, arr).astype(np.int64)


def positions(key: Any, n: int) -> np.ndarray:
    """The sample positions ``key`` selects among ``n`` samples, as an int64 array.

    Raises
    ------
    SampleIndexError
        An integer out of range (also an ``IndexError``).
    ShapeError
        A boolean mask whose length is not ``n``, or a key with more than one dimension.
    ArgumentTypeError
        A key that is none of the above (a tuple, a float, a string, a boolean scalar).

    Examples
    --------
    >>> positions(-1, 5), positions(slice(None, None, 2), 5)
    (array([4]), array([0, 2, 4]))
    >>> positions([True, False, True, False, False], 5), positions([3, 0, 3], 5)
    (array([0, 2]), array([3, 0, 3]))
    """
    if isinstance(key, slice):
        return np.arange(n, dtype=np.int64)[key]
    if isinstance(key, (int, np.integer)) and not isinstance(key, (bool, np.bool_)):
        return _integers(np.array([int(key)]), n, key)
    try:
        arr = np.asarray(key)
    except (ValueError, TypeError):
        arr = np.asarray(None)
    if isinstance(key, tuple) or arr.ndim == 0:
        raise ArgumentTypeError(
            f"`key` must select samples: an integer, a slice, a boolean mask or integer "
            f"positions. Received: key={show(key)}. Windows are indexed by sample only; to "
            "pick time steps or features, index the arrays: `windows.X[i, t, f]`."
        )
    if arr.ndim != 1:
        raise ShapeError(
            f"`key` must be one-dimensional (one entry per sample picked). Received: "
            f"key={show(key)} of {arr.ndim} dimensions."
        )
    if arr.dtype == bool:
        if len(arr) != n:
            raise ShapeError(
                f"`key` as a boolean mask must have one value per sample: {n:,}. "
                f"Received: a mask of {len(arr):,} values."
            )
        return np.flatnonzero(arr).astype(np.int64)
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"`key` must hold integer positions or booleans. Received: key={show(key)} of "
            f"dtype {arr.dtype}. Convert positions with `.astype(int)`."
        )
    return _integers(arr, n, key)
