"""Cut tabular series into overlapping windows: ``make_windows`` and ``Windows``.

Index arithmetic, for one contiguous segment of rows (one group, no gap) numbered
``0 .. L-1``, with ``T = timesteps``, ``r = sampling_rate``, ``H = horizon``:

- window ``i`` starts at row ``s = i * stride``;
- its input rows are ``s, s + r, ..., s + (T - 1) * r`` (the *span* is ``(T - 1) * r + 1``);
- its target rows are ``e + 1 + gap, ..., e + gap + H`` where ``e = s + (T - 1) * r`` is its
  last input row;
- it needs ``need = span + gap + H`` rows (``span`` without targets), so the segment gives
  ``max(0, (L - need) // stride + 1)`` windows.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ._args import choice, integer, plural, show
from ._errors import (
    ArgumentError,
    ArgumentTypeError,
    ColumnError,
    DataError,
    GapError,
    OrderError,
    ShapeError,
)
from ._memory import check_fits, format_bytes
from ._reshape import check_batch_size

__all__ = ["WindowArray", "Windows", "make_windows"]

_DROP_REASONS = {
    "tail": "rows after the last whole window of a segment",
    "between_strides": "rows skipped between windows because stride > window length",
    "short_group": "groups shorter than one window (inputs + gap + horizon)",
    "short_segment": "pieces between gaps shorter than one window",
}


# --------------------------------------------------------------------------- views


def window_view(source: np.ndarray, timesteps: int, sampling_rate: int = 1) -> np.ndarray:
    """Read-only view of every window of ``source``: shape ``(rows - span + 1, T, F)``."""
    span = (timesteps - 1) * sampling_rate + 1
    view = sliding_window_view(source, span, axis=0)  # (n - span + 1, F, span)
    if sampling_rate > 1:
        view = view[:, :, ::sampling_rate]
    return view.transpose(0, 2, 1)


def _arithmetic(starts: np.ndarray) -> tuple[int, int] | None:
    """``(first, step)`` if ``starts`` is an arithmetic progression, else ``None``."""
    if len(starts) == 0:
        return (0, 1)
    if len(starts) == 1:
        return (int(starts[0]), 1)
    steps = np.diff(starts)
    if steps[0] > 0 and np.all(steps == steps[0]):
        return (int(starts[0]), int(steps[0]))
    return None


class WindowArray:
    """A lazy, read-only ``(samples, timesteps, features)`` array of windows.

    ``make_windows(..., copy=False)`` returns one when the windows cannot be a single
    strided view of the source (several groups, or segments split at gaps). Indexing
    gathers the asked-for windows into a new array; ``np.asarray`` materialises all of
    them. Memory stays at the source's until then.

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> w = seqprep.make_windows(np.arange(10.0), 3, group=np.repeat([0, 1], 5),
    ...                          targets=0, copy=False)
    >>> w.X
    WindowArray(shape=(4, 3, 1), dtype=float32)
    >>> w.X[1:3, :, 0]
    array([[1., 2., 3.],
           [5., 6., 7.]], dtype=float32)
    """

    def __init__(self, view: np.ndarray, starts: np.ndarray) -> None:
        self._view = view
        self._starts = starts

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self._starts), *self._view.shape[1:])

    @property
    def dtype(self) -> np.dtype:
        return self._view.dtype

    @property
    def ndim(self) -> int:
        return 3

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, tuple):
            first, rest = key[0], key[1:]
        else:
            first, rest = key, ()
        rows = self._starts[first]
        out = self._view[rows]
        return out[(slice(None),) * (np.ndim(rows)) + rest] if rest else np.array(out)

    def __array__(self, dtype=None, copy=None):
        out = self._view[self._starts]
        return out if dtype is None else out.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"WindowArray(shape={self.shape}, dtype={self.dtype})"


# ------------------------------------------------------------------------- Windows


class Windows:
    """Windows cut from a series: ``X``, ``y``, their shapes and where every sample came from.

    Made by :func:`make_windows`; not constructed directly.

    Attributes
    ----------
    X : numpy.ndarray or WindowArray, shape ``(samples, timesteps, n_features)``
        The input windows. A read-only view or :class:`WindowArray` with ``copy=False``.
    y : numpy.ndarray of shape ``(samples, horizon * n_targets)``, or None
        The targets, flattened step-major: ``y[:, h * n_targets + j]`` is target ``j`` at
        step ``h + 1`` of the horizon. With one target and ``horizon=1`` it is
        ``(samples, 1)``, ready for ``Dense(1)``; in general it fits
        ``Dense(windows.output_units)``. ``y_steps`` gives ``(samples, horizon, n_targets)``.
    index : pandas.DataFrame
        One row per sample: ``group`` (with groups), ``segment`` (a run of rows with no
        gap), ``first_row``, ``last_row``, ``target_row`` (positions in the input data of
        the first and last input row and the first target row), and ``first_time``,
        ``last_time``, ``target_time`` when the series has a time axis.
    dropped : pandas.DataFrame
        The rows that are in no sample, and why: columns ``group``, ``segment``,
        ``reason`` (``tail``, ``between_strides``, ``short_group``, ``short_segment``),
        ``rows`` (how many), ``first`` and ``last`` (time or row position).
    feature_names, target_names : tuple
        Column names (or positions, for arrays) of the features and targets.
    freq : str or None
        The step between rows used to find gaps, and whether it was inferred (see
        ``notes``).
    notes : list of str
        What was done to the data on the way: sorting, inferred frequency, gaps split.
    """

    def __init__(
        self,
        *,
        source: np.ndarray,
        target_source: np.ndarray | None,
        starts: np.ndarray,
        timesteps: int,
        horizon: int,
        gap: int,
        stride: int,
        sampling_rate: int,
        feature_names: tuple,
        target_names: tuple,
        index: pd.DataFrame,
        dropped: pd.DataFrame,
        n_rows: int,
        freq: str | None = None,
        notes: list[str] | None = None,
        copy: bool = True,
        order: np.ndarray | None = None,
        times: np.ndarray | None = None,
        groups: np.ndarray | None = None,
        X: Any = None,
        y: np.ndarray | None = None,
    ) -> None:
        self._source = source
        self._target_source = target_source
        self._starts = np.asarray(starts, dtype=np.int64)
        self.timesteps = timesteps
        self.horizon = horizon
        self.gap = gap
        self.stride = stride
        self.sampling_rate = sampling_rate
        self.feature_names = tuple(feature_names)
        self.target_names = tuple(target_names)
        self.index = index
        self.dropped = dropped
        self.n_rows = n_rows
        self.freq = freq
        self.notes = list(notes or [])
        self.copy = copy
        self._order = order  # sorted row -> input row position (None: identity)
        self._times = times  # time of each sorted row (None: no time axis)
        self._groups = groups  # group label of each sorted row (None: no groups)
        self._X = X
        self._y = y

    # -- arrays ---------------------------------------------------------------

    @property
    def span(self) -> int:
        """Rows from a window's first input row to its last: ``(timesteps - 1) * sampling_rate + 1``."""
        return (self.timesteps - 1) * self.sampling_rate + 1

    @property
    def target_offset(self) -> int:
        """Rows from a window's first input row to its first target row: ``span + gap``."""
        return self.span + self.gap

    def _view(self) -> np.ndarray:
        return window_view(self._source, self.timesteps, self.sampling_rate)

    @property
    def X(self) -> np.ndarray | WindowArray:
        if self._X is None:
            view = self._view()
            ap = _arithmetic(self._starts)
            if self.copy:
                self._X = _gather(view, self._starts)
            elif ap is not None:
                first, step = ap
                self._X = view[first : first + step * (len(self._starts) - 1) + 1 : step]
            else:
                self._X = WindowArray(view, self._starts)
        return self._X

    @property
    def y(self) -> np.ndarray | None:
        if self._target_source is None:
            return None
        if self._y is None:
            self._y = self._targets_at(self._starts)
        return self._y

    def _targets_at(self, starts: np.ndarray) -> np.ndarray:
        ts = self._target_source
        assert ts is not None
        first = starts + self.target_offset
        if self.horizon == 1:
            return ts[first]
        rows = first[:, None] + np.arange(self.horizon)[None, :]
        return ts[rows].reshape(len(starts), -1)

    @property
    def y_steps(self) -> np.ndarray | None:
        """``y`` as ``(samples, horizon, n_targets)``, e.g. for a ``TimeDistributed`` head."""
        if self.y is None:
            return None
        return self.y.reshape(len(self), self.horizon, len(self.target_names))

    def take(self, indices: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """Gather the samples at ``indices`` as new arrays ``(X, y)``; ``y`` is None without targets.

        This reads from the source directly, so it is cheap whether or not ``X`` was
        materialised; it is what lazy batch loaders use.

        Examples
        --------
        >>> import numpy as np, seqprep
        >>> w = seqprep.make_windows(np.arange(10.0), 3, targets=0, copy=False)
        >>> X, y = w.take([0, 6])
        >>> X[:, :, 0], y[:, 0]
        (array([[0., 1., 2.],
               [6., 7., 8.]], dtype=float32), array([3., 9.], dtype=float32))
        """
        idx = np.asarray(indices, dtype=np.int64)
        starts = self._starts[idx]
        X = self._view()[starts]
        y = None if self._target_source is None else self._targets_at(starts)
        return X, y

    def subset(self, indices: Any, *, index: pd.DataFrame | None = None,
               note: str | None = None) -> Windows:
        """A new :class:`Windows` holding the samples at ``indices``, in that order.

        The source is shared, not copied. ``index`` replaces the selected index rows
        (used by :func:`stateful_layout` to add slot columns).
        """
        idx = np.asarray(indices, dtype=np.int64)
        new_index = self.index.iloc[idx].reset_index(drop=True) if index is None else index
        return Windows(
            source=self._source,
            target_source=self._target_source,
            starts=self._starts[idx],
            timesteps=self.timesteps,
            horizon=self.horizon,
            gap=self.gap,
            stride=self.stride,
            sampling_rate=self.sampling_rate,
            feature_names=self.feature_names,
            target_names=self.target_names,
            index=new_index,
            dropped=self.dropped,
            n_rows=self.n_rows,
            freq=self.freq,
            notes=self.notes + ([note] if note else []),
            copy=self.copy,
            order=self._order,
            times=self._times,
            groups=self._groups,
        )

    def to_frame(self, predictions: Any = None, *, scaler: Any = None) -> pd.DataFrame:
        """One row per sample and horizon step, with group, target time, prediction and actual.

        See :func:`seqprep._frame.windows_to_frame` for the columns.
        """
        from ._frame import windows_to_frame

        return windows_to_frame(self, predictions, scaler=scaler)

    # -- shapes ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def input_shape(self) -> tuple[int, int]:
        """``(timesteps, n_features)``, for ``keras.Input(shape=...)``."""
        return (self.timesteps, len(self.feature_names))

    @property
    def output_units(self) -> int | None:
        """Units of a ``Dense`` head that fits ``y``: ``horizon * n_targets``."""
        if self._target_source is None:
            return None
        return self.horizon * len(self.target_names)

    def batch_input_shape(self, batch_size: int) -> tuple[int, int, int]:
        """``(batch_size, timesteps, n_features)`` for a stateful model.

        Raises :class:`BatchSizeError` if ``batch_size`` does not divide ``len(self)``.
        """
        return (check_batch_size(len(self), batch_size), *self.input_shape)

    # -- report ---------------------------------------------------------------

    @property
    def n_dropped(self) -> int:
        """Rows of the input that are in no sample."""
        return int(self.dropped["rows"].sum()) if len(self.dropped) else 0

    def report(self) -> str:
        """A plain-text account: samples and shapes, rows in no sample and why, notes."""
        y = "no targets" if self.y is None else f"y {(len(self), self.output_units)}"
        lines = [
            f"{plural(len(self), 'sample')}: X {(len(self), *self.input_shape)}, {y}",
            f"{plural(self.n_rows, 'row')} in, {plural(self.n_dropped, 'row')} in no sample",
        ]
        if len(self.dropped):
            by = self.dropped.groupby("reason", sort=False)["rows"].sum()
            for reason, rows in by.items():
                lines.append(f"  {reason}: {plural(int(rows), 'row')} ({_DROP_REASONS[reason]})")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def __repr__(self) -> str:
        y = None if self._target_source is None else (len(self), self.output_units)
        return (
            f"Windows(samples={len(self)}, input_shape={self.input_shape}, y_shape={y}, "
            f"dropped_rows={self.n_dropped})"
        )


def _gather(view: np.ndarray, starts: np.ndarray, chunk_bytes: int = 1 << 22) -> np.ndarray:
    """Copy the windows at ``starts`` into one new C-contiguous array, chunk by chunk."""
    n = len(starts)
    out = np.empty((n, *view.shape[1:]), dtype=view.dtype)
    per = max(1, chunk_bytes // max(1, out[0].nbytes) if n else 1)
    ap = _arithmetic(starts)
    for i in range(0, n, per):
        j = min(n, i + per)
        if ap is not None:
            first, step = ap
            out[i:j] = view[first + i * step : first + (j - 1) * step + 1 : step]
        else:
            out[i:j] = view[starts[i:j]]
    return out


# --------------------------------------------------------------------- make_windows


def _as_positions(name: str, value: Any, n_cols: int) -> list[int] | None:
    if value is None:
        return None
    items = [value] if np.isscalar(value) else list(value)
    out = []
    for v in items:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise ArgumentTypeError(
                f"`{name}` must be column positions (integers) for array data. Received: "
                f"{name}={show(value)}. Pass a DataFrame to select columns by name."
            )
        if not -n_cols <= int(v) < n_cols:
            raise ColumnError(
                f"`{name}` names column {int(v)}, but the data has {n_cols} "
                f"column{'s' if n_cols != 1 else ''} (positions 0..{n_cols - 1}). "
                f"Received: {name}={show(value)}."
            )
        out.append(int(v) % n_cols)
    if not out:
        raise ArgumentError(f"`{name}` must name at least one column. Received: {name}={value!r}.")
    return out


def _as_names(name: str, value: Any, columns: pd.Index) -> list[Hashable] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, (str, bytes)) or np.isscalar(value) else list(value)
    if not items:
        raise ArgumentError(f"`{name}` must name at least one column. Received: {name}={value!r}.")
    missing = [c for c in items if c not in columns]
    if missing:
        raise ColumnError(
            f"`{name}` names {plural(len(missing), 'column')} not in the data: "
            f"{', '.join(map(repr, missing))}. Available columns: "
            f"{', '.join(map(repr, columns[:20]))}{' ...' if len(columns) > 20 else ''}."
        )
    return items


def _axis(name: str, value: Any, frame: pd.DataFrame | None, n: int) -> tuple[np.ndarray | None, Hashable | None]:
    """Resolve ``group``/``time``: a column name of ``frame``, or an array of ``n`` values."""
    if value is None:
        return None, None
    if frame is not None and isinstance(value, Hashable) and not isinstance(value, tuple) \
            and value in frame.columns:
        return frame[value].to_numpy(), value
    if frame is not None and isinstance(value, (str, int)):
        _as_names(name, value, frame.columns)  # raises ColumnError
    arr = np.asarray(value)
    if arr.ndim != 1 or len(arr) != n:
        raise ShapeError(
            f"`{name}` must be a column name or a 1D array with one value per row. "
            f"Received: {name}={show(value)} for data of {plural(n, 'row')}."
        )
    return arr, None


def _numeric_block(frame: pd.DataFrame, cols: list, role: str, dtype: np.dtype) -> np.ndarray:
    bad = [c for c in cols if not (pd.api.types.is_numeric_dtype(frame[c])
                                   and not pd.api.types.is_complex_dtype(frame[c]))]
    if bad:
        kinds = ", ".join(f"{c!r} ({frame[c].dtype})" for c in bad)
        raise ArgumentTypeError(
            f"`{role}` must be numeric columns. Received non-numeric: {kinds}. Encode them "
            f"as numbers first, or leave them out of `{role}`."
        )
    return frame[cols].to_numpy(dtype=dtype)


def _time_values(times: np.ndarray) -> tuple[np.ndarray, str]:
    """Times as sortable int64/float values and their kind: ``'datetime'`` or ``'number'``."""
    s = pd.Series(times)
    if pd.api.types.is_datetime64_any_dtype(s):
        if s.isna().any():
            raise DataError(
                f"`time` must have no missing values. Received: "
                f"{plural(int(s.isna().sum()), 'missing time')} (first at row "
                f"{int(np.flatnonzero(s.isna().to_numpy())[0])}). Drop or fill those rows first."
            )
        return s.to_numpy().astype("datetime64[ns]").astype(np.int64), "datetime"
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        if s.isna().any():
            raise DataError(
                "`time` must have no missing values. Received: "
                f"{plural(int(s.isna().sum()), 'missing time')}. Drop or fill those rows first."
            )
        return s.to_numpy(), "number"
    raise ArgumentTypeError(
        f"`time` must hold datetimes or numbers. Received dtype {s.dtype}. Parse it first, "
        "e.g. `df[time] = pd.to_datetime(df[time])`."
    )


def _steps(freq: Any, kind: str) -> tuple[Any, str]:
    """Normalise ``freq`` to an int64 step (ns for datetimes) or a non-fixed DateOffset."""
    if kind == "number":
        if isinstance(freq, (bool, np.bool_)) or not isinstance(freq, (int, float, np.number)) \
                or freq <= 0:
            raise ArgumentError(
                f"`freq` must be a positive number for a numeric time column. Received: "
                f"freq={show(freq)}."
            )
        return freq, str(freq)
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        raise ArgumentError(
            f"`freq` must be a pandas frequency such as '1h', '7D', 'W-SUN' or 'MS'. "
            f"Received: freq={show(freq)}."
        ) from None
    try:
        return int(pd.Timedelta(offset).value), offset.freqstr
    except ValueError:
        return offset, offset.freqstr  # calendar offset (months, ...)


def _infer_freq(tv: np.ndarray, kind: str, inner: np.ndarray, bounds: np.ndarray) -> Any:
    """The most common step between consecutive rows of a group, or a named pandas frequency."""
    diffs = np.diff(tv)[inner]
    diffs = diffs[diffs > 0]
    if len(diffs) == 0:
        return None
    values, counts = np.unique(diffs, return_counts=True)
    mode = values[np.argmax(counts)]
    if kind == "number":
        return mode.item()
    if np.all(diffs == mode):
        return pd.tseries.frequencies.to_offset(pd.Timedelta(int(mode))).freqstr
    # Calendar frequencies (months, years) have unequal steps. Ask pandas about short runs
    # of the longest group, and keep the named frequency that explains the most steps.
    g = int(np.argmax(np.diff(bounds)))
    sl = tv[bounds[g] : bounds[g + 1]]
    names = set()
    for at in np.linspace(0, max(len(sl) - 4, 0), num=min(8, max(len(sl) - 3, 1))).astype(int):
        chunk = sl[at : at + 4]
        if len(chunk) >= 3:
            name = pd.infer_freq(pd.DatetimeIndex(chunk.astype("datetime64[ns]")))
            if name is not None:
                names.add(name)
    best, best_hits = pd.tseries.frequencies.to_offset(pd.Timedelta(int(mode))).freqstr, counts.max()
    steps_at = np.flatnonzero(inner)
    for name in sorted(names):
        offset = pd.tseries.frequencies.to_offset(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = (pd.DatetimeIndex(tv[steps_at].astype("datetime64[ns]")) + offset).asi8
        hits = int((tv[steps_at + 1] == expected).sum())
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def make_windows(
    data: Any,
    timesteps: int,
    *,
    horizon: int = 1,
    gap: int = 0,
    stride: int = 1,
    sampling_rate: int = 1,
    features: Any = None,
    targets: Any = None,
    group: Any = None,
    time: Any = None,
    freq: Any = None,
    on_gap: str = "error",
    sort: bool = True,
    copy: bool = True,
    dtype: Any = np.float32,
    schema: Any = None,
) -> Windows:
    """Cut a series (or many) into ``(samples, timesteps, features)`` windows with targets.

    Parameters
    ----------
    data : numpy.ndarray of shape ``(rows,)`` or ``(rows, columns)``, or pandas.DataFrame
        One wide series (time along the rows), or a long table holding many entities
        told apart by ``group``.
    timesteps : int
        Time steps per window (the ``T`` of ``(samples, T, features)``).
    horizon : int, keyword-only
        Target rows per window. Defaults to ``1``.
    gap : int, keyword-only
        Rows skipped between a window's last input row and its first target row.
        Defaults to ``0``: the target is the row right after the window (next step).
    stride : int, keyword-only
        Rows between the first rows of consecutive windows. Defaults to ``1``.
    sampling_rate : int, keyword-only
        Take every ``sampling_rate``-th row inside a window. Defaults to ``1``.
    features : list, optional
        Input columns: names for a DataFrame, positions for an array. Defaults to every
        column but ``group`` and ``time`` (target columns included, as past targets are
        usually inputs too).
    targets : list or scalar, optional
        Target columns, as ``features``. Defaults to ``None``: no ``y``.
    group : column name or array of length ``rows``, optional
        Entity of each row. Windows never cross from one group to another.
    time : column name or array of length ``rows``, optional
        Time of each row (datetimes or numbers). Rows are ordered by it within each
        group. Defaults to a DataFrame's ``DatetimeIndex`` if it has one, else row order.
    freq : str, pandas offset or number, optional
        The step between rows. With a time axis and no ``freq``, the most common step is
        used and reported in ``notes``.
    on_gap : {"error", "split", "ignore"}, keyword-only
        A missing step (or an off-grid one): raise :class:`GapError` naming the groups and
        times (the default), start a new segment there (windows never cross it), or
        window across it as if the rows were adjacent (counted in ``notes``).
    sort : bool, keyword-only
        Sort rows by time within each group when they are out of order (reported in
        ``notes``). ``False`` refuses unsorted input with :class:`OrderError`. Repeated
        times within a group are always refused. Defaults to ``True``.
    copy : bool, keyword-only
        ``True`` (the default) returns ``X`` as a new C-contiguous array. ``False`` returns a
        read-only zero-copy view of the (dtype-converted) source when all windows are
        evenly spaced in it, else a lazy :class:`WindowArray`.
    dtype : numpy dtype, keyword-only
        Of ``X`` and ``y``. Defaults to ``float32``, what Keras computes in.
    schema : SeriesSchema, optional
        Validate ``data`` against it first; raises ``ValidationError`` on failure.

    Returns
    -------
    Windows
        ``X`` of shape ``(samples, timesteps, n_features)``; ``y`` of shape
        ``(samples, horizon * n_targets)`` or None; ``index``, ``dropped``, ``report()``.
        Each segment of ``L`` rows gives ``max(0, (L - need) // stride + 1)`` samples with
        ``need = (timesteps - 1) * sampling_rate + 1 + gap + horizon`` (without the last
        two terms when there are no targets).

    Raises
    ------
    ArgumentError, ArgumentTypeError, ColumnError, ShapeError
        For a bad argument: the message names it, its rule, the value and the fix.
    GapError, OrderError, DataError
        For data that cannot be windowed as asked.
    MemoryBudgetError
        If a copied ``X`` would not fit in the memory available (use ``copy=False``).

    See Also
    --------
    numpy.lib.stride_tricks.sliding_window_view : the view underneath.
    keras.utils.timeseries_dataset_from_array : Keras's own, which pairs window ``i`` with
        ``targets[i]`` rather than the row after the window.

    Notes
    -----
    Cost: ``copy=False`` costs the same whatever the row count (plus a one-off dtype
    conversion of the source, if needed); ``copy=True`` writes ``samples * timesteps *
    n_features`` values. ``y`` is always a new array (it is ``horizon / timesteps`` the
    size of ``X``).

    Examples
    --------
    Next-step forecasting on one series: the first window is rows 0..2, its target row 3.

    >>> import numpy as np, seqprep
    >>> w = seqprep.make_windows(np.arange(10.0), 3, targets=0)
    >>> w.X.shape, w.y.shape, w.input_shape
    ((7, 3, 1), (7, 1), (3, 1))
    >>> w.X[0, :, 0], w.y[0]
    (array([0., 1., 2.], dtype=float32), array([3.], dtype=float32))

    A long table of two entities; windows restart in each group:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a"] * 5 + ["b"] * 4, "t": list(range(5)) + list(range(4)),
    ...                    "load": np.arange(9.0)})
    >>> w = seqprep.make_windows(df, 2, targets="load", group="id", time="t")
    >>> w.index[["group", "first_time", "target_time"]].to_numpy().tolist()
    [['a', 0, 2], ['a', 1, 3], ['a', 2, 4], ['b', 0, 2], ['b', 1, 3]]
    >>> print(w.report())
    5 samples: X (5, 2, 1), y (5, 1)
    9 rows in, 0 rows in no sample
    note: freq 1 inferred from the most common step between rows
    """
    # ---- normalise and check arguments ---------------------------------------
    timesteps = integer("timesteps", timesteps, fix="It is the number of time steps per window.")
    horizon = integer("horizon", horizon)
    gap = integer("gap", gap, minimum=0)
    stride = integer("stride", stride)
    sampling_rate = integer("sampling_rate", sampling_rate)
    choice("on_gap", on_gap, ("error", "split", "ignore"))
    if not isinstance(sort, (bool, np.bool_)):
        raise ArgumentTypeError(f"`sort` must be True or False. Received: sort={show(sort)}.")
    if not isinstance(copy, (bool, np.bool_)):
        raise ArgumentTypeError(f"`copy` must be True or False. Received: copy={show(copy)}.")
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise ArgumentTypeError(f"`dtype` must be a numpy dtype. Received: dtype={show(dtype)}.") from None
    if not (np.issubdtype(dtype, np.floating) or np.issubdtype(dtype, np.integer)):
        raise ArgumentTypeError(f"`dtype` must be a numeric dtype. Received: dtype={dtype}.")

    if schema is not None:
        data = schema.validate(data)

    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else 0)

    # ---- data -> feature and target blocks ------------------------------------
    frame: pd.DataFrame | None
    if isinstance(data, pd.DataFrame):
        frame = data
        n = len(frame)
        group_values, group_col = _axis("group", group, frame, n)
        time_values, time_col = _axis("time", time, frame, n)
        if time_values is None and isinstance(frame.index, pd.DatetimeIndex):
            time_values = frame.index.to_numpy()
        reserved = {c for c in (group_col, time_col) if c is not None}
        target_cols = _as_names("targets", targets, frame.columns)
        if features is None:
            feature_cols = [c for c in frame.columns if c not in reserved]
            if not feature_cols:
                raise ColumnError("`features`: the data has no columns besides `group` and `time`.")
        else:
            feature_cols = _as_names("features", features, frame.columns)
        for role, cols in (("features", feature_cols), ("targets", target_cols or [])):
            clash = [c for c in cols if c in reserved]
            if clash:
                raise ColumnError(
                    f"`{role}` must not include the group or time column. Received: {clash!r}."
                )
        feats = _numeric_block(frame, feature_cols, "features", dtype)
        targs = None if target_cols is None else _numeric_block(frame, target_cols, "targets", dtype)
        feature_names, target_names = tuple(feature_cols), tuple(target_cols or ())
    else:
        try:
            arr = np.asarray(data)
        except (ValueError, TypeError) as exc:
            raise ArgumentTypeError(
                f"`data` must be a DataFrame or a 1D/2D numeric array. Received: "
                f"{type(data).__name__} numpy cannot read ({exc})."
            ) from None
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise ShapeError(
                f"`data` must be 1D (rows,) or 2D (rows, columns). Received: {arr.ndim}D array of "
                f"shape {arr.shape}. If it is already (samples, timesteps, features), it needs "
                "no windowing; otherwise reshape it to rows x columns first."
            )
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise ArgumentTypeError(
                f"`data` must hold numbers. Received: {show(arr)}. Pass a DataFrame to window "
                "numeric columns next to text ones."
            )
        n = arr.shape[0]
        group_values, _ = _axis("group", group, None, n)
        time_values, _ = _axis("time", time, None, n)
        feat_pos = _as_positions("features", features, arr.shape[1]) or list(range(arr.shape[1]))
        targ_pos = _as_positions("targets", targets, arr.shape[1])
        if feat_pos == list(range(arr.shape[1])):
            feats = arr.astype(dtype, copy=False)  # zero-copy when the dtype matches
        else:
            feats = arr[:, feat_pos].astype(dtype)
        targs = None if targ_pos is None else arr[:, targ_pos].astype(dtype)
        feature_names, target_names = tuple(feat_pos), tuple(targ_pos or ())

    if n == 0:
        raise ShapeError("`data` must have at least one row. Received: 0 rows.")

    # ---- order rows by (group, time) -------------------------------------------
    notes: list[str] = []
    codes = None
    labels = None
    if group_values is not None:
        codes, labels = pd.factorize(pd.Series(group_values), sort=False, use_na_sentinel=True)
        if (codes < 0).any():
            raise DataError(
                f"`group` must have no missing values. Received: "
                f"{plural(int((codes < 0).sum()), 'missing group label')}. Drop or label those rows."
            )
    tv = kind = None
    if time_values is not None:
        tv, kind = _time_values(time_values)
    order = None
    keys = [k for k in (tv, codes) if k is not None]
    if keys:
        order = np.lexsort(keys) if len(keys) > 1 else np.argsort(keys[0], kind="stable")
        if np.array_equal(order, np.arange(n)):
            order = None
    if order is not None:
        moved = int((order != np.arange(n)).sum())
        if tv is not None:
            c = codes if codes is not None else np.zeros(n, dtype=np.int64)
            back = (np.diff(tv) < 0) & (c[1:] == c[:-1])
            if back.any():
                if not sort:
                    i = int(np.flatnonzero(back)[0]) + 1
                    where = f" in group {labels[c[i]]!r}" if codes is not None else ""
                    raise OrderError(
                        f"`time` must increase within each group when sort=False. Received: "
                        f"{plural(int(back.sum()), 'step')} back in time, the first at row {i}"
                        f"{where}. Pass sort=True to sort, or sort the data first."
                    )
                notes.append(f"sorted by time within groups: {plural(moved, 'row')} moved")
            else:
                notes.append(f"rows regrouped by `group`: {plural(moved, 'row')} moved")
        else:
            notes.append(f"rows regrouped by `group`: {plural(moved, 'row')} moved")
        feats = feats[order]
        if targs is not None:
            targs = targs[order]
        if codes is not None:
            codes = codes[order]
        if tv is not None:
            tv = tv[order]
    # group boundaries in sorted order
    if codes is not None:
        cut = np.flatnonzero(np.diff(codes) != 0) + 1
    else:
        cut = np.empty(0, dtype=np.int64)
    group_bounds = np.concatenate([[0], cut, [n]]).astype(np.int64)
    inner = np.ones(max(n - 1, 0), dtype=bool)
    inner[cut - 1] = False  # steps that cross groups are not steps

    # ---- duplicates, gaps --------------------------------------------------------
    seg_cut = cut
    freq_str = None
    if tv is not None and n > 1:
        d = np.diff(tv)
        dup = inner & (d == 0)
        if dup.any():
            rows = np.flatnonzero(dup)[:5] + 1
            sorted_times = _time_labels(tv[rows], kind)
            grp = [labels[codes[r]] if codes is not None else None for r in rows]
            where = ", ".join(f"{t}" + (f" in group {g!r}" if g is not None else "")
                              for t, g in zip(sorted_times, grp))
            raise OrderError(
                f"`time` must not repeat within a group. Received: "
                f"{plural(int(dup.sum()), 'repeated time')}: {where}"
                f"{' ...' if dup.sum() > 5 else ''}. Drop or aggregate the duplicates first, "
                "e.g. `df.drop_duplicates([group, time])` or `df.groupby([group, time]).mean()`."
            )
        if freq is None:
            inferred = _infer_freq(tv, kind, inner, group_bounds)
            step = None if inferred is None else _steps(inferred, kind)
            if step is not None:
                notes.append(f"freq {step[1]} inferred from the most common step between rows")
        else:
            step = _steps(freq, kind)
        if step is not None:
            unit, freq_str = step
            if isinstance(unit, (int, float, np.integer, np.floating)):
                off = d != unit
            else:  # calendar offset: compare with the next expected time
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    idx = pd.DatetimeIndex(tv[:-1].astype("datetime64[ns]"))
                    expected = (idx + unit).asi8
                off = tv[1:] != expected
            off &= inner
            if off.any():
                gaps = _gap_table(tv, off, codes, labels, kind, unit)
                if on_gap == "error":
                    head = gaps.head(5)
                    shown = "; ".join(
                        (f"group {r.group!r}: " if codes is not None else "")
                        + f"after {r.after} next is {r.before}" for r in head.itertuples()
                    )
                    raise GapError(
                        f"`on_gap='error'`: time must advance by freq={freq_str} within each "
                        f"group. Received: {plural(len(gaps), 'gap')} ({shown}"
                        f"{' ...' if len(gaps) > 5 else ''}). Pass on_gap='split' to start new "
                        "windows after each gap, fill the missing steps, or pass the right `freq`.",
                        gaps=gaps,
                    )
                if on_gap == "split":
                    seg_cut = np.union1d(cut, np.flatnonzero(off) + 1)
                    notes.append(f"split at {plural(len(gaps), 'gap')}")
                else:
                    notes.append(f"{plural(len(gaps), 'gap')} ignored: windows cross them")

    seg_bounds = np.concatenate([[0], seg_cut, [n]]).astype(np.int64)
    seg_start, seg_len = seg_bounds[:-1], np.diff(seg_bounds)

    # ---- window starts, per segment ---------------------------------------------
    span = (timesteps - 1) * sampling_rate + 1
    need = span + (gap + horizon if targs is not None else 0)
    n_per = np.where(seg_len >= need, (seg_len - need) // stride + 1, 0)
    total = int(n_per.sum())
    seg_of = np.repeat(np.arange(len(seg_start)), n_per)
    offsets = np.arange(total) - np.repeat(np.cumsum(n_per) - n_per, n_per)
    starts = seg_start[seg_of] + offsets * stride

    if total == 0:
        longest = int(seg_len.max())
        raise ShapeError(
            f"No window fits: each needs {need} rows ((timesteps - 1) * sampling_rate + 1"
            f"{' + gap + horizon' if targs is not None else ''} = {need}), but the longest "
            f"{'group or segment' if len(seg_len) > 1 else 'series'} has {longest}. Received: "
            f"timesteps={timesteps}, sampling_rate={sampling_rate}, gap={gap}, horizon={horizon} "
            f"for data of shape {(n, len(feature_names))}. Use a smaller `timesteps`."
        )

    if copy:
        nbytes = total * timesteps * len(feature_names) * dtype.itemsize
        check_fits(nbytes, f"X of shape {(total, timesteps, len(feature_names))} ({dtype})",
                   "Pass copy=False for a zero-copy view, or a larger `stride`.")

    # ---- index and account of dropped rows --------------------------------------
    group_sorted = None if codes is None else np.asarray(labels)[codes]
    seg_group_id = np.searchsorted(group_bounds, seg_start, side="right") - 1
    seg_number = np.arange(len(seg_start)) - np.searchsorted(seg_start, group_bounds[seg_group_id])
    original = np.arange(n) if order is None else order
    times_sorted = None
    if tv is not None:
        times_sorted = tv.astype("datetime64[ns]") if kind == "datetime" else tv
        if kind == "datetime":
            tz = getattr(pd.Series(time_values).dt, "tz", None)
            times_sorted = pd.DatetimeIndex(times_sorted).tz_localize("UTC").tz_convert(tz) \
                if tz is not None else times_sorted
    index = {}
    if group_sorted is not None:
        index["group"] = group_sorted[starts]
    index["segment"] = seg_number[seg_of]
    last = starts + span - 1
    index["first_row"] = original[starts]
    index["last_row"] = original[last]
    if targs is not None:
        index["target_row"] = original[starts + span + gap]
    if times_sorted is not None:
        ts = pd.Series(times_sorted) if not isinstance(times_sorted, pd.DatetimeIndex) \
            else pd.Series(times_sorted)
        index["first_time"] = ts.iloc[starts].to_numpy()
        index["last_time"] = ts.iloc[last].to_numpy()
        if targs is not None:
            index["target_time"] = ts.iloc[starts + span + gap].to_numpy()
    index_df = pd.DataFrame(index)

    dropped = _dropped_table(seg_start, seg_len, n_per, stride, need, seg_group_id,
                             group_bounds, seg_number, group_sorted, times_sorted, original)

    return Windows(
        source=np.ascontiguousarray(feats) if feats.ndim == 2 and not feats.flags.c_contiguous
        and copy else feats,
        target_source=targs,
        starts=starts,
        timesteps=timesteps,
        horizon=horizon,
        gap=gap,
        stride=stride,
        sampling_rate=sampling_rate,
        feature_names=feature_names,
        target_names=target_names,
        index=index_df,
        dropped=dropped,
        n_rows=n,
        freq=freq_str,
        notes=notes,
        copy=bool(copy),
        order=order,
        times=times_sorted,
        groups=group_sorted,
    )


def _time_labels(values: np.ndarray, kind: str | None) -> list:
    if kind == "datetime":
        return [str(pd.Timestamp(int(v))) for v in values]
    return [v.item() if hasattr(v, "item") else v for v in values]


def _gap_table(tv, off, codes, labels, kind, unit) -> pd.DataFrame:
    at = np.flatnonzero(off)
    after, before = tv[at], tv[at + 1]
    if isinstance(unit, (int, float, np.integer, np.floating)):
        ratio = (before - after) / unit
        missing = np.where(ratio == np.round(ratio), np.round(ratio) - 1, np.nan)
    else:
        missing = np.array([
            len(pd.date_range(pd.Timestamp(int(a)), pd.Timestamp(int(b)), freq=unit)) - 2
            if pd.Timestamp(int(a)) + unit <= pd.Timestamp(int(b)) else np.nan
            for a, b in zip(after, before)
        ])
    return pd.DataFrame({
        "group": [labels[codes[i]] for i in at] if codes is not None else [None] * len(at),
        "after": _time_labels(after, kind),
        "before": _time_labels(before, kind),
        "missing": missing,  # NaN: the next time is off the grid, not a whole number of steps
    })


def _dropped_table(seg_start, seg_len, n_per, stride, need, seg_group_id, group_bounds,
                   seg_number, group_sorted, times_sorted, original) -> pd.DataFrame:
    rows = []
    n_seg_in_group = np.bincount(seg_group_id, minlength=len(group_bounds) - 1)

    def label(pos):
        if times_sorted is not None:
            return pd.Series(times_sorted).iloc[pos] if isinstance(times_sorted, pd.DatetimeIndex) \
                else times_sorted[pos]
        return int(original[pos])

    for s, L, k, g, num in zip(seg_start, seg_len, n_per, seg_group_id, seg_number):
        grp = None if group_sorted is None else group_sorted[s]
        if k == 0:
            reason = "short_group" if n_seg_in_group[g] == 1 else "short_segment"
            rows.append((grp, int(num), reason, int(L), label(s), label(s + L - 1)))
            continue
        end = s + (k - 1) * stride + need
        if stride > need and k > 1:
            rows.append((grp, int(num), "between_strides", int((k - 1) * (stride - need)),
                         label(s + need), label(end - need - 1)))
        if end < s + L:
            rows.append((grp, int(num), "tail", int(s + L - end), label(end), label(s + L - 1)))
    return pd.DataFrame(rows, columns=["group", "segment", "reason", "rows", "first", "last"])
