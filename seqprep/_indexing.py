"""Which samples ``windows[key]`` selects: the one rule for indexing windows by sample.

``key`` is what numpy accepts along the first axis of ``windows.X``: an integer (negative
counts from the end), a slice, a boolean mask of one value per sample, or an array (or
list) of integer positions, in any order, repeats allowed. :func:`positions` turns it into
the int64 positions of the samples, so the caller derives one new Windows from them;
arrays and masks follow :func:`seqprep._plan.sample_positions`, which ``derive`` and
``take`` use too.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._args import show
from ._errors import ArgumentTypeError, SampleIndexError, ShapeError
from ._plan import sample_positions

__all__ = ["positions"]


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
        if not -(2**63) <= int(key) < 2**63:  # beyond int64: numpy cannot even hold it
            raise SampleIndexError(f"`key` must be positions of the {n:,} samples "
                                   f"(-{n}..{n - 1}). Received: {show(key)}.")
        return sample_positions(np.array([key]), n, "key")
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
    return sample_positions(arr, n, "key")  # the one rule for arrays and masks
