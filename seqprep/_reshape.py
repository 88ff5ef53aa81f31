"""Reshape arrays into the 3D ``(samples, timesteps, features)`` layout Keras expects.

These are the reshapes the Keras LSTM guides do by hand with ``reshape``, plus the
matching ``input_shape`` and ``batch_input_shape``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._args import choice, divisors_near, integer, plural, show
from ._errors import ArgumentTypeError, BatchSizeError, ShapeError

__all__ = ["as_samples", "as_sequence", "batch_input_shape", "input_shape"]


def _numeric_array(name: str, data: Any) -> np.ndarray:
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise ArgumentTypeError(
            f"`{name}` must be array-like with rows of equal length. Received: "
            f"{type(data).__name__} that numpy cannot turn into an array ({exc})."
        ) from None
    if arr.dtype.kind not in "biuf":  # bool, int, uint, float: no text, dates or complex
        raise ArgumentTypeError(
            f"`{name}` must hold real numbers. Received: {show(arr)}. "
            "Convert or drop the non-numeric columns first (e.g. `df.select_dtypes('number')`)."
        )
    return arr


def as_sequence(data: Any) -> np.ndarray:
    """One whole sequence as a single sample: ``(t,)`` → ``(1, t, 1)``, ``(t, f)`` → ``(1, t, f)``.

    Parameters
    ----------
    data : array-like of shape ``(t,)`` or ``(t, f)``
        One series of ``t`` time steps, or ``f`` parallel series of ``t`` steps
        (time along the rows, as in a DataFrame).

    Returns
    -------
    numpy.ndarray of shape ``(1, t, f)``
        A view of ``data`` where numpy allows, with ``f = 1`` for 1D input.

    Raises
    ------
    ShapeError
        If ``data`` is not 1D or 2D, or is empty.
    ArgumentTypeError
        If ``data`` is not numeric.

    See Also
    --------
    as_samples : rows of a 2D table as separate samples.
    make_windows : many overlapping samples cut from one long series.

    Examples
    --------
    The univariate example of the Keras LSTM guides, ten values as one sample:

    >>> import numpy as np, seqprep
    >>> seqprep.as_sequence(np.arange(1, 11) / 10).shape
    (1, 10, 1)

    Two parallel series of ten values:

    >>> a = np.arange(1, 11) / 10
    >>> X = seqprep.as_sequence(np.column_stack([a, a[::-1]]))
    >>> X.shape, seqprep.input_shape(X)
    ((1, 10, 2), (10, 2))
    """
    arr = _numeric_array("data", data)
    if arr.ndim not in (1, 2):
        raise ShapeError(
            f"`data` must be 1D (t,) or 2D (t, features) for `as_sequence`. Received: "
            f"{arr.ndim}D array of shape {arr.shape}. A 3D array is already in the "
            "(samples, timesteps, features) layout; pass it to the model as is."
        )
    if arr.shape[0] == 0:
        raise ShapeError("`data` must have at least one time step. Received: an empty array.")
    _no_empty_axis(arr, ("time steps", "features"), "as_sequence")
    return arr.reshape(1, arr.shape[0], arr.shape[1] if arr.ndim == 2 else 1)


def as_samples(data: Any, columns: str = "timesteps") -> np.ndarray:
    """Each row of a 2D table as one sample.

    Parameters
    ----------
    data : array-like of shape ``(n, c)``
        ``n`` rows, each one sample.
    columns : {"timesteps", "features"}
        What the ``c`` columns are. ``"timesteps"`` (the default): each row is a
        sequence of ``c`` steps of one feature, giving ``(n, c, 1)``. ``"features"``:
        each row is one step of ``c`` features, giving ``(n, 1, c)``.

    Returns
    -------
    numpy.ndarray of shape ``(n, c, 1)`` or ``(n, 1, c)``
        A view of ``data`` where numpy allows.

    Raises
    ------
    ShapeError
        If ``data`` is not 2D.
    ArgumentError
        If ``columns`` is not one of the two options.

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> table = np.arange(12.0).reshape(4, 3)
    >>> seqprep.as_samples(table).shape
    (4, 3, 1)
    >>> seqprep.as_samples(table, columns="features").shape
    (4, 1, 3)
    """
    choice("columns", columns, ("timesteps", "features"))
    arr = _numeric_array("data", data)
    if arr.ndim != 2:
        hint = (
            "Use `as_sequence` for a single 1D series."
            if arr.ndim == 1
            else "A 3D array is already (samples, timesteps, features)."
        )
        raise ShapeError(
            f"`data` must be 2D (samples, columns) for `as_samples`. Received: {arr.ndim}D "
            f"array of shape {arr.shape}. {hint}"
        )
    _no_empty_axis(arr, ("rows", "columns"), "as_samples")
    n, c = arr.shape
    return arr.reshape(n, c, 1) if columns == "timesteps" else arr.reshape(n, 1, c)


def _no_empty_axis(arr: np.ndarray, axes: tuple, func: str) -> None:
    """Refuse an array with an axis of length 0: it would make samples Keras cannot use."""
    for axis, what in enumerate(axes[: arr.ndim]):
        if arr.shape[axis] == 0:
            raise ShapeError(
                f"`data` must have at least one of its {what} (axis {axis}) for `{func}`. "
                f"Received: array of shape {arr.shape}. Select or add the {what} first."
            )


def _three_d(X: Any, *, samples: bool = False) -> tuple[int, int, int]:
    """``X``'s shape, refusing anything but 3D with timesteps and features (and samples)."""
    shape = getattr(X, "shape", None)
    if shape is None:
        shape = np.shape(X)
    shape = tuple(int(s) for s in shape)
    if len(shape) != 3:
        raise ShapeError(
            f"`X` must be 3D (samples, timesteps, features). Received: shape {shape}. "
            "Use `as_sequence`, `as_samples` or `make_windows` to build it."
        )
    axes = ("samples", "timesteps", "features")[0 if samples else 1:]
    empty = [w for w, n in zip(axes, shape[0 if samples else 1:]) if n == 0]
    if empty:
        raise ShapeError(
            f"`X` must have at least one of each of {', '.join(axes)}. "
            f"Received: shape {shape} (no {' and no '.join(empty)}). A recurrent layer cannot "
            "be built for it: check how X was made."
        )
    return shape


def input_shape(X: Any) -> tuple[int, int]:
    """The ``(timesteps, features)`` a Keras recurrent layer needs for ``X``.

    Parameters
    ----------
    X : array-like of shape ``(samples, timesteps, features)``

    Returns
    -------
    tuple of int
        ``(timesteps, features)``, for ``keras.Input(shape=...)``.

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> seqprep.input_shape(np.zeros((32, 10, 3)))
    (10, 3)
    """
    _, t, f = _three_d(X)
    return (t, f)


def check_batch_size(n_samples: int, batch_size: Any) -> int:
    """Return ``batch_size`` if it divides ``n_samples``, else raise :class:`BatchSizeError`."""
    batch_size = integer("batch_size", batch_size)
    remainder = n_samples % batch_size
    if remainder:
        near = divisors_near(n_samples, batch_size)
        keep = n_samples - remainder
        trim = (
            f"or trim to {keep} samples, dropping {plural(remainder, 'sample')}" if keep
            else f"trimming would drop every sample, as batch_size > {plural(n_samples, 'sample')}"
        )
        raise BatchSizeError(
            f"`batch_size` must divide the number of samples for a stateful model. "
            f"Received: batch_size={batch_size} for {plural(n_samples, 'sample')} "
            f"(remainder {remainder}). Batch sizes that divide {n_samples}: "
            f"{', '.join(map(str, near))}; {trim}.",
            n_samples=n_samples,
            batch_size=batch_size,
            divisors=near,
        )
    return batch_size


def batch_input_shape(X: Any, batch_size: int) -> tuple[int, int, int]:
    """The ``(batch_size, timesteps, features)`` of a stateful layer for ``X``.

    A stateful recurrent layer needs a fixed batch size that divides the number of
    samples, so that no batch is partial.

    Parameters
    ----------
    X : array-like of shape ``(samples, timesteps, features)``
    batch_size : int
        Samples per batch; must divide ``samples``.

    Returns
    -------
    tuple of int
        ``(batch_size, timesteps, features)``, for ``keras.Input(batch_shape=...)``.

    Raises
    ------
    BatchSizeError
        If ``batch_size`` does not divide ``samples``. The message gives the remainder,
        the nearest batch sizes that divide, and how many samples trimming would drop.

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> seqprep.batch_input_shape(np.zeros((100, 5, 1)), 10)
    (10, 5, 1)
    >>> seqprep.batch_input_shape(np.zeros((95, 5, 1)), 10)
    Traceback (most recent call last):
    ...
    seqprep.BatchSizeError: `batch_size` must divide the number of samples ... (remainder 5). Batch sizes that divide 95: 1, 5, 19, 95; or trim to 90 samples, dropping 5 samples.
    """
    n, t, f = _three_d(X, samples=True)
    return (check_batch_size(n, batch_size), t, f)
