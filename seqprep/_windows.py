"""Cut tabular series into overlapping windows: ``make_windows`` and ``Windows``.

Index arithmetic, for one contiguous segment of rows (one group, or a piece of one between
gaps) numbered ``0 .. L-1``, with ``T = timesteps``, ``r = sampling_rate``, ``H = horizon``:

- window ``i`` starts at row ``s = i * stride``;
- its input rows are ``s, s + r, ..., s + (T - 1) * r`` (the *span* is ``(T - 1) * r + 1``);
- its target rows are ``e + 1 + gap, ..., e + gap + H`` where ``e = s + (T - 1) * r`` is its
  last input row;
- it needs ``need = span + gap + H`` rows (``span`` without targets), so the segment gives
  ``k = max(0, (L - need) // stride + 1)`` windows.

Accounting: every input row is either read by at least one sample (as an input or a
target row) or counted in ``Windows.dropped`` with its reason, so
``rows read + dropped["rows"].sum() == n_rows`` whatever the arguments.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from . import _freq
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
from ._memory import check_fits
from ._reshape import check_batch_size

__all__ = ["WindowArray", "Windows", "make_windows"]

_DROP_REASONS = {
    "tail": "rows after the last whole window of a segment",
    "between_strides": "rows between windows because stride > window length",
    "skipped": "rows inside windows that no sample reads (sampling_rate > 1, or gap rows "
               "with a large stride)",
    "short_group": "groups shorter than one window (inputs + gap + horizon)",
    "short_segment": "pieces between gaps shorter than one window",
}
_DROPPED_COLUMNS = ["group", "segment", "reason", "rows", "first", "last"]


# --------------------------------------------------------------------------- views


def window_view(source: np.ndarray, timesteps: int, sampling_rate: int = 1) -> np.ndarray:
    """Read-only view of every window of ``source``: shape ``(rows - span + 1, T, F)``."""
    span = (timesteps - 1) * sampling_rate + 1
    view = sliding_window_view(source, span, axis=0)  # (n - span + 1, F, span)
    if sampling_rate > 1:
        view = view[:, :, ::sampling_rate]
    return view.transpose(0, 2, 1)


def _arithmetic(starts: np.ndarray | range) -> tuple[int, int] | None:
    """``(first, step)`` if ``starts`` is an arithmetic progression, else ``None``."""
    if isinstance(starts, range):
        return (starts.start, starts.step)
    if len(starts) == 0:
        return (0, 1)
    if len(starts) == 1:
        return (int(starts[0]), 1)
    steps = np.diff(starts)
    if steps[0] > 0 and np.all(steps == steps[0]):
        return (int(starts[0]), int(steps[0]))
    return None


def _runs(starts: np.ndarray) -> tuple[np.ndarray, int]:
    """Where runs of evenly spaced ``starts`` begin and end, and their common step.

    Within a segment, windows are ``stride`` rows apart, the most common step; runs break
    between segments. Returns ``(bounds, step)``: run ``k`` is ``starts[bounds[k]:bounds[k+1]]``.
    """
    n = len(starts)
    if n < 2:
        return np.array([0, n]), 1
    d = np.diff(starts)
    values, counts = np.unique(d, return_counts=True)
    step = int(values[np.argmax(counts)])
    breaks = np.flatnonzero(d != step) + 1
    return np.concatenate([[0], breaks, [n]]).astype(np.int64), step


def _gather(view: np.ndarray, starts: np.ndarray | range, out: np.ndarray | None = None,
            chunk_bytes: int = 1 << 22) -> np.ndarray:
    """Copy the windows at ``starts`` into ``out`` (a new C-contiguous array by default).

    Runs of evenly spaced windows (one per segment, usually) are copied from basic slices
    of the view, ``chunk_bytes`` at a time, with no temporaries; when the runs are short
    (many tiny groups), windows are gathered by fancy indexing a chunk at a time, so the
    only memory beyond ``out`` is one chunk.
    """
    n = len(starts)
    if out is None:
        out = np.empty((n, *view.shape[1:]), dtype=view.dtype)
    if n == 0:
        return out
    per = max(1, chunk_bytes // max(1, out[0].nbytes))
    ap = _arithmetic(starts)
    if ap is not None:
        bounds, step, first = [0, n], ap[1], [ap[0]]
    else:
        starts = np.asarray(starts)
        bounds, step = _runs(starts)
        if step <= 0 or len(bounds) - 1 > n // 8:  # short runs: fancy-index chunks instead
            for i in range(0, n, per):
                j = min(n, i + per)
                out[i:j] = view[starts[i:j]]
            return out
        first = starts[bounds[:-1]].tolist()
        bounds = bounds.tolist()
    for begin, end, s0 in zip(bounds[:-1], bounds[1:], first):
        for i in range(begin, end, per):
            j = min(end, i + per)
            a = s0 + (i - begin) * step
            out[i:j] = view[a : a + (j - i - 1) * step + 1 : step]
    return out


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
    >>> w.X[..., 0].shape, np.asarray(w.X).shape
    ((4, 3), (4, 3, 1))
    """

    def __init__(self, view: np.ndarray, starts: np.ndarray) -> None:
        self._view = view
        self._starts = np.asarray(starts, dtype=np.int64)

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
        key = key if isinstance(key, tuple) else (key,)
        if any(k is None for k in key) or any(isinstance(k, np.ndarray) and k.ndim > 1
                                               for k in key):
            return np.asarray(self)[key]  # new axes, multi-dimensional masks: gather all
        if any(k is Ellipsis for k in key):
            at = next(i for i, k in enumerate(key) if k is Ellipsis)
            fill = (slice(None),) * (3 - (len(key) - 1))
            key = key[:at] + fill + key[at + 1 :]
        if not key:
            return np.asarray(self)
        first, rest = key[0], key[1:]
        rows = self._starts[first]
        out = self._view[rows]
        if rest:
            out = out[(slice(None),) * np.ndim(rows) + rest]
        # an integer first index gives a view of the source: return a copy, as documented
        return np.array(out) if np.may_share_memory(out, self._view) else out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if copy is False:
            raise ValueError(
                "A WindowArray cannot become an ndarray without copying: its windows overlap "
                "in the source. Use np.asarray(windows.X) to gather them."
            )
        out = _gather(self._view, self._starts)
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
        The input windows. With ``copy=True`` a new C-contiguous array, made on first
        access; with ``copy=False`` a read-only view of the source, or a
        :class:`WindowArray` when the windows are not evenly spaced in it.
    y : numpy.ndarray of shape ``(samples, horizon * n_targets)``, or None
        The targets, flattened step-major: ``y[:, h * n_targets + j]`` is target ``j`` at
        step ``h + 1`` of the horizon; a new array, or with ``copy=False`` a read-only view
        where the layout allows (``X`` a view, and one target or ``horizon=1``). With one
        target and ``horizon=1`` it is
        ``(samples, 1)``, ready for ``Dense(1)``; in general it fits
        ``Dense(windows.output_units)``. ``y_steps`` gives ``(samples, horizon, n_targets)``.
    index : pandas.DataFrame
        One row per sample: ``group`` (with groups), ``segment`` (a run of rows with no
        gap, numbered from 0 within each group), ``first_row``, ``last_row``,
        ``target_row`` (positions in the input data of the first and last input row and
        the first target row), and ``first_time``, ``last_time``, ``target_time`` when the
        series has a time axis. Built on first access.
    dropped : pandas.DataFrame
        The rows that are in no sample, and why: columns ``group``, ``segment``,
        ``reason``, ``rows`` (how many), ``first`` and ``last`` (time or row position of
        the first and last of them; for ``skipped`` and ``between_strides`` rows, which are
        interleaved with rows that are read, the bounds of the stretch they lie in).
        Reasons: ``tail``, ``between_strides``, ``skipped``, ``short_group``,
        ``short_segment``. Together with the rows the samples read, they add up to
        ``n_rows``. Built on first access.
    n_rows : int
        Rows of the input.
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
        starts: np.ndarray | range,
        timesteps: int,
        horizon: int,
        gap: int,
        stride: int,
        sampling_rate: int,
        feature_names: tuple,
        target_names: tuple,
        index: pd.DataFrame | Callable[[], pd.DataFrame],
        dropped: pd.DataFrame | Callable[[], pd.DataFrame],
        n_rows: int,
        freq: str | None = None,
        notes: list[str] | None = None,
        copy: bool = True,
        order: np.ndarray | None = None,
        times: Any = None,
        groups: np.ndarray | None = None,
        X: Any = None,
        y: np.ndarray | None = None,
        segments: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        self._source = source
        self._target_source = target_source
        # a ``range`` describes evenly spaced windows without materialising them
        self._start_spec = starts if isinstance(starts, range) else np.asarray(starts, dtype=np.int64)
        self._starts_array = None if isinstance(starts, range) else self._start_spec
        self.timesteps = timesteps
        self.horizon = horizon
        self.gap = gap
        self.stride = stride
        self.sampling_rate = sampling_rate
        self.feature_names = tuple(feature_names)
        self.target_names = tuple(target_names)
        self._index = index
        self._dropped = dropped
        self.n_rows = n_rows
        self.freq = freq
        self.notes = list(notes or [])
        self.copy = copy
        self._order = order  # sorted row -> input row position (None: identity)
        self._times = times  # time of each sorted row (None: no time axis)
        self._groups = groups  # group label of each sorted row (None: no groups)
        self._segments = segments  # (first sorted row, length) of each segment
        self._X = X
        self._y = y

    @property
    def _starts(self) -> np.ndarray:
        """Sorted-row position of each sample's first input row (int64 array)."""
        if self._starts_array is None:
            r = self._start_spec
            self._starts_array = np.arange(r.start, r.stop, r.step, dtype=np.int64)
        return self._starts_array

    @property
    def index(self) -> pd.DataFrame:
        if not isinstance(self._index, pd.DataFrame):
            self._index = self._index()
        return self._index

    @index.setter
    def index(self, value: pd.DataFrame) -> None:
        self._index = value

    @property
    def dropped(self) -> pd.DataFrame:
        if not isinstance(self._dropped, pd.DataFrame):
            self._dropped = self._dropped()
        return self._dropped

    @dropped.setter
    def dropped(self, value: pd.DataFrame) -> None:
        self._dropped = value

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
            spec = self._start_spec
            ap = _arithmetic(spec)
            if self.copy:
                self._X = _gather(view, spec)
            elif ap is not None:
                first, step = ap
                self._X = view[first : first + step * (len(spec) - 1) + 1 : step]
            else:
                self._X = WindowArray(view, spec)
        return self._X

    @property
    def y(self) -> np.ndarray | None:
        if self._target_source is None:
            return None
        if self._y is None:
            self._y = self._targets_at(self._start_spec, view=not self.copy)
        return self._y

    def _targets_at(self, starts: np.ndarray | range, view: bool = False) -> np.ndarray:
        """Targets of the windows at ``starts``: a new array, or with ``view`` a read-only
        view of the target source when the windows are evenly spaced and the layout allows."""
        ts = self._target_source
        assert ts is not None
        ap = _arithmetic(starts) if view or isinstance(starts, range) else None
        if ap is not None and (self.horizon == 1 or ts.shape[1] == 1):
            first, step = ap[0] + self.target_offset, ap[1]
            stop = first + step * (len(starts) - 1) + 1
            if self.horizon == 1:
                out = ts[first:stop:step]
            else:  # one target over several steps: rows of a sliding window of it
                out = sliding_window_view(ts[:, 0], self.horizon)[first:stop:step]
            if not view:
                return np.array(out)
            out = out.view()
            out.flags.writeable = False
            return out
        first = np.asarray(starts) + self.target_offset
        if self.horizon == 1:
            return ts[first]
        rows = first[:, None] + np.arange(self.horizon)[None, :]
        return ts[rows].reshape(len(first), -1)

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
        new_index: Any = index
        if new_index is None:  # built only when asked for
            new_index = lambda: self.index.iloc[idx].reset_index(drop=True)  # noqa: E731
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
            dropped=self._dropped,
            n_rows=self.n_rows,
            freq=self.freq,
            notes=self.notes + ([note] if note else []),
            copy=self.copy,
            order=self._order,
            times=self._times,
            groups=self._groups,
            segments=self._segments,
        )

    def to_frame(self, predictions: Any = None, *, scaler: Any = None) -> pd.DataFrame:
        """One row per sample and horizon step, with group, target time, prediction and actual.

        See :func:`seqprep._frame.windows_to_frame` for the columns.
        """
        from ._frame import windows_to_frame

        return windows_to_frame(self, predictions, scaler=scaler)

    # -- shapes ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._start_spec)

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
        y = "no targets" if self._target_source is None else f"y {(len(self), self.output_units)}"
        lines = [
            f"{plural(len(self), 'sample')}: X {(len(self), *self.input_shape)}, {y}",
            f"{plural(self.n_rows, 'row')} in, {plural(self.n_dropped, 'row')} in no sample",
        ]
        nan = self.n_nan
        if nan["features"] or nan["targets"]:
            lines.append(
                f"NaN: {plural(nan['features'], 'value')} in features, {nan['targets']:,} in "
                "targets of the rows windowed; samples that read them carry NaN (validate "
                "with SeriesSchema, or fill them first)"
            )
        lines.extend(_report_tail(self.dropped, _DROP_REASONS, self.notes))
        return "\n".join(lines)

    @property
    def n_nan(self) -> dict[str, int]:
        """Missing values (NaN) in the rows windowed: ``{"features": n, "targets": m}``.

        ``make_windows`` does not drop or fill them: windows that read them carry NaN, and
        :meth:`report` says how many there are. Counted once, on first use.
        """
        if getattr(self, "_n_nan", None) is None:
            def count(a: np.ndarray | None) -> int:
                if a is None or not np.issubdtype(a.dtype, np.floating):
                    return 0
                return int(np.count_nonzero(np.isnan(a)))

            self._n_nan = {"features": count(self._source), "targets": count(self._target_source)}
        return self._n_nan

    def __repr__(self) -> str:
        y = None if self._target_source is None else (len(self), self.output_units)
        return (
            f"Windows(samples={len(self)}, input_shape={self.input_shape}, y_shape={y}, "
            f"dropped_rows={self.n_dropped})"
        )


# ----------------------------------------------------------------- row accounting


def _report_tail(dropped: pd.DataFrame, reasons: dict[str, str], notes: list[str]) -> list[str]:
    """The last lines of a ``report()``: rows left out, summed by reason, then the notes.

    Reasons keep their first-seen order; ``reasons`` says what each one means.
    """
    lines = []
    if len(dropped):
        by = dropped.groupby("reason", sort=False)["rows"].sum()
        for reason, rows in by.items():
            lines.append(f"  {reason}: {plural(int(rows), 'row')} ({reasons[reason]})")
    lines.extend(f"note: {n}" for n in notes)
    return lines


def _rows_read(k: np.ndarray, offsets: np.ndarray, stride: int) -> np.ndarray:
    """Distinct rows read by ``k`` windows ``stride`` rows apart, each reading ``s + offsets``.

    Vectorised over ``k``. Offsets in the same residue class modulo ``stride`` land on
    rows ``(q + i) * stride + c`` for ``i < k``: intervals of length ``k`` in ``q``, whose
    union is ``k`` plus ``min(k, d)`` for each gap ``d`` between consecutive ``q``.
    """
    q, c = np.divmod(np.asarray(offsets, dtype=np.int64), stride)
    order = np.lexsort((q, c))
    q, c = q[order], c[order]
    d = np.sort((q[1:] - q[:-1])[c[1:] == c[:-1]])
    classes = len(np.unique(c))
    k = np.asarray(k, dtype=np.int64)
    below = np.searchsorted(d, k, side="left")  # gaps d < k count d, the others count k
    cum = np.concatenate([[0], np.cumsum(d)])
    return classes * k + cum[below] + k * (len(d) - below)


def _account(entries: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]],
             seg_group: np.ndarray | None, seg_number: np.ndarray,
             label: Callable[[np.ndarray], Any]) -> pd.DataFrame:
    """The ``dropped`` table from ``(reason, rows, first, last)`` entries.

    Each entry gives, per segment, how many rows and the sorted positions of the first and
    last of them; ``reason`` is a string or an array of one reason per segment. Entries
    of zero rows are left out; the rest are ordered by segment, then as in ``entries``.
    """
    seg, rank, reasons, rows, first, last = [], [], [], [], [], []
    for r, (reason, n, lo, hi) in enumerate(entries):
        keep = np.flatnonzero(n > 0)
        seg.append(keep)
        rank.append(np.full(len(keep), r))
        reasons.append(np.broadcast_to(np.asarray(reason, dtype=object), n.shape)[keep])
        rows.append(n[keep])
        first.append(lo[keep])
        last.append(hi[keep])
    seg_i, rank_i = np.concatenate(seg), np.concatenate(rank)
    order = np.lexsort((rank_i, seg_i))
    seg_i = seg_i[order]
    pick = lambda parts: np.concatenate(parts)[order]  # noqa: E731
    first_pos, last_pos = pick(first), pick(last)
    return pd.DataFrame({
        "group": seg_group[seg_i] if seg_group is not None else np.full(len(seg_i), None),
        "segment": seg_number[seg_i].astype(np.int64),
        "reason": pick(reasons).astype(object),
        "rows": pick(rows).astype(np.int64),
        "first": _plain(label(first_pos)),
        "last": _plain(label(last_pos)),
    }, columns=_DROPPED_COLUMNS)


def _plain(values: Any) -> Any:
    return values if isinstance(values, (pd.Index, pd.Series)) else np.asarray(values)


def _dropped_table(seg_start, seg_len, n_per, stride, need, offsets, seg_group_id, n_groups,
                   seg_number, group_sorted, label) -> pd.DataFrame:
    k = n_per.astype(np.int64)
    has = k > 0
    ext = np.where(has, (k - 1) * stride + need, 0)  # first row of window 0 .. last of the last
    covered = np.where(has, (k - 1) * min(stride, need) + need, 0)
    in_group = np.bincount(seg_group_id, minlength=n_groups)[seg_group_id]
    short_reason = np.where(in_group == 1, "short_group", "short_segment")
    end = seg_start + seg_len - 1
    entries = [
        (short_reason, np.where(has, 0, seg_len), seg_start, end),
        ("between_strides", np.where(has, (k - 1) * max(0, stride - need), 0),
         seg_start + need, seg_start + ext - need - 1),
        ("skipped", covered - np.where(has, _rows_read(k, offsets, stride), 0),
         seg_start, seg_start + ext - 1),
        ("tail", np.where(has, seg_len - ext, 0), seg_start + ext, end),
    ]
    seg_group = None if group_sorted is None else np.asarray(group_sorted)[seg_start]
    return _account(entries, seg_group, seg_number, label)


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
                f"`{name}` names column {int(v)}, but the data has {plural(n_cols, 'column')} "
                f"(positions 0..{n_cols - 1}). Received: {name}={show(value)}."
            )
        out.append(int(v) % n_cols)
    if not out:
        raise ArgumentError(f"`{name}` must name at least one column. Received: {name}={value!r}.")
    _no_repeats(name, out, value)
    return out


def _no_repeats(name: str, items: list, value: Any) -> None:
    seen: set = set()
    repeated = [c for c in items if c in seen or seen.add(c)]
    if repeated:
        raise ArgumentError(
            f"`{name}` must name each column once. Received: {name}={show(value)}, which "
            f"repeats {', '.join(map(repr, dict.fromkeys(repeated)))}. Name each column once."
        )


def _columns(arr: np.ndarray, pos: list[int]) -> np.ndarray:
    """``arr[:, pos]``, as a view (basic slicing) when the positions are evenly spaced."""
    if len(pos) == 1:
        return arr[:, pos[0] : pos[0] + 1]
    step = pos[1] - pos[0]
    if step > 0 and all(b - a == step for a, b in zip(pos, pos[1:])):
        return arr[:, pos[0] : pos[-1] + 1 : step]
    return arr[:, pos]


def _as_names(name: str, value: Any, columns: pd.Index | list,
              where: str = "the data") -> list[Hashable] | None:
    """``value`` (one column name or several) as a list; every name must be in ``columns``.

    ``where`` names the data in the message for a missing column.
    """
    if value is None:
        return None
    items = [value] if isinstance(value, (str, bytes)) or np.isscalar(value) else list(value)
    if not items:
        raise ArgumentError(f"`{name}` must name at least one column. Received: {name}={value!r}.")
    _no_repeats(name, items, value)
    missing = [c for c in items if c not in columns]
    if missing:
        raise ColumnError(
            f"`{name}` names {plural(len(missing), 'column')} not in {where}: "
            f"{', '.join(map(repr, missing))}. Available columns: "
            f"{', '.join(map(repr, columns[:20]))}{' ...' if len(columns) > 20 else ''}."
        )
    return items


def _is_label(value: Any) -> bool:
    if isinstance(value, (tuple, list, np.ndarray, pd.Series, pd.Index)):
        return False
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _axis(name: str, value: Any, frame: pd.DataFrame | None, n: int) -> tuple[Any, Hashable | None]:
    """Resolve ``group``/``time``: a column or index level of ``frame``, or ``n`` values.

    Returns the values and, for a column, its name (``None`` otherwise).
    """
    if value is None:
        return None, None
    if frame is not None and _is_label(value):
        if value in frame.columns:
            col = frame[value]
            if isinstance(col, pd.DataFrame):
                raise ColumnError(
                    f"`{name}` must name one column. Received: {name}={value!r}, a label "
                    f"that {len(col.columns)} columns share. Rename them first."
                )
            if isinstance(col.dtype, pd.DatetimeTZDtype):
                return pd.DatetimeIndex(col), value  # keep the time zone
            return col.to_numpy(), value
        if value in [lv for lv in frame.index.names if lv is not None]:
            return frame.index.get_level_values(value), None
        if isinstance(value, (str, int, np.integer)):
            _as_names(name, value, frame.columns)  # raises ColumnError
    if isinstance(value, pd.Index):
        arr = value
    elif isinstance(getattr(value, "dtype", None), pd.DatetimeTZDtype):
        arr = pd.DatetimeIndex(value)  # keep the time zone
    else:
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
    block = frame[cols]
    if np.issubdtype(dtype, np.floating):
        return block.to_numpy(dtype=dtype, na_value=np.nan)
    try:
        return block.to_numpy(dtype=dtype)
    except (ValueError, TypeError):
        raise DataError(
            f"`dtype` must hold every value of `{role}`. Received: dtype={dtype} and missing "
            "values in the data. Use a float dtype, or fill the missing values first."
        ) from None


def group_codes(values: Any) -> tuple[np.ndarray, pd.Index]:
    """Group labels as codes in order of first appearance, and the labels; no missing labels."""
    codes, labels = pd.factorize(pd.Series(values), sort=False, use_na_sentinel=True)
    if (codes < 0).any():
        raise DataError(
            f"`group` must have no missing values. Received: "
            f"{plural(int((codes < 0).sum()), 'missing group label')}. Drop or label those rows."
        )
    return codes, labels


def _time_values(times: Any) -> tuple[np.ndarray, str, Any]:
    """Times as sortable values, their kind and time zone.

    Datetimes become int64 nanoseconds since the epoch (UTC for zone-aware times), kind
    ``'datetime'``; numbers stay numbers, kind ``'number'``.
    """
    s = times if isinstance(times, pd.Index) else pd.Index(times)
    missing = np.asarray(s.isna())
    if missing.any():
        raise DataError(
            f"`time` must have no missing values. Received: "
            f"{plural(int(missing.sum()), 'missing time')} (first at row "
            f"{int(np.flatnonzero(missing)[0])}). Drop or fill those rows first."
        )
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        idx = pd.DatetimeIndex(s)
        try:
            return idx.as_unit("ns").asi8.copy(), "datetime", idx.tz
        except pd.errors.OutOfBoundsDatetime:
            raise DataError(
                f"`time` must lie between {pd.Timestamp.min} and {pd.Timestamp.max} (times are "
                f"compared in nanoseconds). Received: times from {idx.min()} to {idx.max()}. "
                "Pass them as numbers instead (e.g. months since the start)."
            ) from None
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        as_int = pd.api.types.is_integer_dtype(s.dtype)
        return np.asarray(s.to_numpy(dtype=np.int64 if as_int else np.float64)), "number", None
    raise ArgumentTypeError(
        f"`time` must hold datetimes or numbers. Received dtype {s.dtype}. Parse it first, "
        "e.g. `df[time] = pd.to_datetime(df[time])`."
    )


def _dt_index(ns: np.ndarray, tz: Any) -> pd.DatetimeIndex:
    """int64 nanoseconds (UTC) back to datetimes, in ``tz`` when given."""
    idx = pd.DatetimeIndex(np.asarray(ns, dtype=np.int64).view("datetime64[ns]"))
    return idx.tz_localize("UTC").tz_convert(tz) if tz is not None else idx


def _time_labels(values: np.ndarray, kind: str | None, tz: Any = None) -> list:
    if kind == "datetime":
        return [str(t) for t in _dt_index(values, tz)]
    return [v.item() if hasattr(v, "item") else v for v in values]


def _is_float(unit: Any, tv: np.ndarray) -> bool:
    return isinstance(unit, (float, np.floating)) or np.issubdtype(tv.dtype, np.floating)


def _steps(freq: Any, kind: str, tz: Any = None) -> tuple[Any, str]:
    """Normalise ``freq``: a number (ns for datetimes) or a calendar ``DateOffset``.

    Fixed steps (hours, minutes, ...) compare the time differences; calendar steps
    (months, and days in a time zone with daylight saving) compare each time plus the
    offset with the next time.
    """
    if kind == "number":
        if isinstance(freq, (bool, np.bool_)) or not isinstance(freq, numbers.Real) or freq <= 0:
            raise ArgumentError(
                f"`freq` must be a positive number for a numeric time column. Received: "
                f"freq={show(freq)}."
            )
        return freq, str(freq)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        raise ArgumentError(
            f"`freq` must be a pandas frequency such as '1h', '7D', 'W-SUN' or 'MS'. "
            f"Received: freq={show(freq)}."
        ) from None
    if tz is None or isinstance(offset, pd.offsets.Tick):
        try:
            step = int(pd.Timedelta(offset).value)
        except (ValueError, TypeError):
            pass
        else:
            if step <= 0:
                raise ArgumentError(f"`freq` must be a positive step. Received: freq={show(freq)}.")
            return step, offset.freqstr
    return offset, offset.freqstr


def _off_grid(tv: np.ndarray, unit: Any, tz: Any) -> np.ndarray:
    """``True`` where the next time is not this time plus one step."""
    if isinstance(unit, (numbers.Real, np.number)):
        d = np.diff(tv)
        if _is_float(unit, tv):
            return ~np.isclose(d, unit, rtol=1e-6, atol=0.0)
        return d != unit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = (_dt_index(tv[:-1], tz) + unit).as_unit("ns").asi8
        except Exception:  # e.g. a local time that does not exist: compare row by row
            expected = np.array([_shift_one(v, unit, tz) for v in tv[:-1]], dtype=np.int64)
    return tv[1:] != expected


def _shift_one(value: int, unit: Any, tz: Any) -> int:
    try:
        return int((_dt_index(np.array([value]), tz) + unit).as_unit("ns").asi8[0])
    except Exception:
        return np.iinfo(np.int64).min


def _infer_freq(tv: np.ndarray, kind: str, tz: Any, inner: np.ndarray, bounds: np.ndarray) -> Any:
    """The most common step between consecutive rows of a group, or a named pandas frequency."""
    diffs = np.diff(tv)[inner]
    diffs = diffs[diffs > 0]
    if len(diffs) == 0:
        return None
    if kind == "number" and np.issubdtype(diffs.dtype, np.floating):
        # float steps carry rounding error: find the mode at 9 significant digits
        scale = 10.0 ** (np.floor(np.log10(diffs.max())) - 9)
        values, counts = np.unique(np.round(diffs / scale), return_counts=True)
        return float(f"{values[np.argmax(counts)] * scale:.9g}")
    mode, hits = _freq.mode(diffs)
    if kind == "number":
        return mode
    fixed = _freq.step_name(mode)  # whole days as "D", "7D" rather than "24h", "168h"
    if hits == len(diffs):
        return fixed
    # Calendar frequencies (months, or days across a daylight-saving change) have unequal
    # steps. Ask pandas about short runs of the longest group, and keep the named frequency
    # that explains the most steps.
    g = int(np.argmax(np.diff(bounds)))
    sl = tv[bounds[g] : bounds[g + 1]]
    starts = np.linspace(0, max(len(sl) - 4, 0), num=min(8, max(len(sl) - 3, 1))).astype(int)
    runs = (_dt_index(sl[at : at + 4], tz) for at in starts)
    steps_at = np.flatnonzero(inner)
    pairs = np.stack([tv[steps_at], tv[steps_at + 1]], axis=1).ravel()

    def on_grid(name: str) -> int:
        unit, _ = _steps(name, kind, tz)
        return int((~_off_grid(pairs, unit, tz)[::2]).sum())

    return _freq.named_freq(runs, on_grid, fixed, hits)


def _gap_table(tv, off, codes, labels, kind, tz, unit) -> pd.DataFrame:
    at = np.flatnonzero(off)
    after, before = tv[at], tv[at + 1]
    if isinstance(unit, (numbers.Real, np.number)):
        ratio = (before - after) / unit
        whole = np.isclose(ratio, np.round(ratio), rtol=0, atol=1e-6)
        missing = np.where(whole, np.round(ratio) - 1, np.nan)
    else:
        missing = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for a, b in zip(_dt_index(after, tz), _dt_index(before, tz)):
                grid = pd.date_range(a, b, freq=unit)
                missing.append(len(grid) - 2 if len(grid) >= 2 and grid[-1] == b else np.nan)
        missing = np.asarray(missing, dtype=float)
    return pd.DataFrame({
        "group": [labels[codes[i]] for i in at] if codes is not None else [None] * len(at),
        "after": _time_labels(after, kind, tz),
        "before": _time_labels(before, kind, tz),
        "missing": missing,  # NaN: the next time is off the grid, not a whole number of steps
    })


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
    group : column name, index level name or array of length ``rows``, optional
        Entity of each row. Windows never cross from one group to another.
    time : column name, index level name or array of length ``rows``, optional
        Time of each row (datetimes, zone-aware or not, or numbers). Rows are ordered by it
        within each group. Defaults to a DataFrame's ``DatetimeIndex`` if it has one, else
        row order.
    freq : str, pandas offset or number, optional
        The step between rows. With a time axis and no ``freq``, the most common step is
        used and reported in ``notes``. Needs a time axis.
    on_gap : {"error", "split", "ignore"}, keyword-only
        A missing step (or an off-grid one): raise :class:`GapError` naming the groups and
        times (the default), start a new segment there (windows never cross it), or
        window across it as if the rows were adjacent (counted in ``notes``).
    sort : bool, keyword-only
        Sort rows by time within each group when they are out of order (reported in
        ``notes``). ``False`` refuses unsorted input with :class:`OrderError`. Repeated
        times within a group are always refused. Defaults to ``True``.
    copy : bool, keyword-only
        ``True`` (the default) returns ``X`` (and ``y``) as new C-contiguous arrays,
        gathered on first access. ``False`` returns a read-only zero-copy view of the
        (dtype-converted) source when all windows are evenly spaced in it, else a lazy
        :class:`WindowArray`; ``y`` is a read-only view too when it can be.
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
    to_supervised : the same windows as a flat lag/lead DataFrame.

    Notes
    -----
    Cost: for one series in a numeric array of the asked-for ``dtype``, ``copy=False``
    costs the same whatever the row count (``index`` is built on first access);
    DataFrames, groups and time axes add one pass over the rows. ``copy=True`` writes
    ``samples * timesteps * n_features`` values, nearly at the speed of filling a new
    array of that size, and allocates nothing else of that order. ``y`` is
    ``horizon * n_targets / (timesteps * n_features)`` the size of ``X``.

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

    Every row a sample does not read is accounted for:

    >>> w = seqprep.make_windows(np.arange(10.0), 3, stride=4, targets=0)
    >>> w.dropped[["reason", "rows", "first", "last"]]
      reason  rows  first  last
    0   tail     2      8     9
    """
    return _make_windows(
        data, timesteps, horizon=horizon, gap=gap, stride=stride, sampling_rate=sampling_rate,
        features=features, targets=targets, group=group, time=time, freq=freq, on_gap=on_gap,
        sort=sort, copy=copy, dtype=dtype, schema=schema,
    )


def _make_windows(data: Any, timesteps: int, *, horizon: int, gap: int, stride: int,
                  sampling_rate: int, features: Any, targets: Any, group: Any, time: Any,
                  freq: Any, on_gap: str, sort: bool, copy: bool, dtype: Any, schema: Any,
                  too_long: Callable[[int, int, str], str] | None = None) -> Windows:
    """:func:`make_windows`; ``too_long(need, longest, where)`` words the no-window error."""
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
        raise ArgumentTypeError(
            f"`dtype` must be a float or integer dtype. Received: dtype={dtype}. "
            "Keras computes in float32, the default."
        )

    if schema is not None:
        data = schema.validate(data)

    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else 0)

    # ---- data -> feature and target blocks ------------------------------------
    if isinstance(data, pd.DataFrame):
        frame = data
        n = len(frame)
        group_values, group_col = _axis("group", group, frame, n)
        time_values, time_col = _axis("time", time, frame, n)
        if time_values is None and isinstance(frame.index, pd.DatetimeIndex):
            time_values = frame.index
        reserved = {c for c in (group_col, time_col) if c is not None}
        target_cols = _as_names("targets", targets, frame.columns)
        if features is None:
            feature_cols = [c for c in frame.columns if c not in reserved]
            if not feature_cols:
                raise ColumnError(
                    "`features` must name at least one column. Received: features=None, and "
                    "the data has no columns besides `group` and `time`."
                )
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
        if arr.dtype.kind not in "biuf":
            raise ArgumentTypeError(
                f"`data` must hold real numbers. Received: {show(arr)}. Pass a DataFrame to "
                "window numeric columns next to text ones, or convert the values first."
            )
        n = arr.shape[0]
        group_values, _ = _axis("group", group, None, n)
        time_values, _ = _axis("time", time, None, n)
        feat_pos = _as_positions("features", features, arr.shape[1]) or list(range(arr.shape[1]))
        targ_pos = _as_positions("targets", targets, arr.shape[1])
        with np.errstate(invalid="ignore", over="ignore"):  # lossy integer casts are refused below
            feats = _columns(arr, feat_pos).astype(dtype, copy=False)  # a view when it can be
            targs = None if targ_pos is None else _columns(arr, targ_pos).astype(dtype, copy=False)
        feature_names, target_names = tuple(feat_pos), tuple(targ_pos or ())

    if n == 0:
        raise ShapeError("`data` must have at least one row. Received: 0 rows. Window a "
                         "table that has rows; check what filtered them all out.")
    if np.issubdtype(dtype, np.integer):  # a cast that would change values is refused
        for role, block, cols in (("features", feats, feature_names),
                                  ("targets", targs, target_names)):
            if block is None:
                continue
            exact = (frame[list(cols)].to_numpy(dtype=np.float64, na_value=np.nan)
                     if isinstance(data, pd.DataFrame) else
                     _columns(arr, list(cols)).astype(np.float64))
            changed = exact != block.astype(np.float64)
            if changed.any():
                i = tuple(np.argwhere(changed)[0])
                raise ArgumentTypeError(
                    f"`dtype` must hold every value of `{role}`. Received: dtype={dtype}, "
                    f"which changes {plural(int(changed.sum()), 'value')} (the first, "
                    f"{exact[i].item()!r} at row {i[0]}, becomes {block[i].item()!r}). Use a float dtype "
                    "(the default float32) or a wider integer dtype."
                )

    # ---- order rows by (group, time) -------------------------------------------
    notes: list[str] = []
    codes = labels = None
    if group_values is not None:
        codes, labels = group_codes(group_values)
    tv = kind = tz = None
    if time_values is not None:
        tv, kind, tz = _time_values(time_values)
    if freq is not None and tv is None:
        raise ArgumentError(
            f"`freq` needs a time axis. Received: freq={show(freq)} with no `time` and no "
            "DatetimeIndex. Pass `time` (a column name or one value per row), or leave out `freq`."
        )
    order = None
    if codes is not None or tv is not None:
        back_steps = 0
        if tv is not None:
            by_group = None if codes is None else np.argsort(codes, kind="stable")
            t_g = tv if by_group is None else tv[by_group]
            back = np.diff(t_g) < 0
            if codes is not None:
                c_g = codes[by_group]
                back &= c_g[1:] == c_g[:-1]
            back_steps = int(back.sum())
            if back_steps and not sort:
                i = int(np.flatnonzero(back)[0]) + 1
                row = int(by_group[i]) if by_group is not None else i
                where = f" in group {labels[codes[row]]!r}" if codes is not None else ""
                raise OrderError(
                    f"`time` must increase within each group when sort=False. Received: "
                    f"{plural(back_steps, 'step')} back in time, the first at row {row}"
                    f"{where}. Pass sort=True to sort, or sort the data first."
                )
            order = np.argsort(tv, kind="stable") if codes is None else np.lexsort((tv, codes))
        else:
            order = np.argsort(codes, kind="stable")
        moved = int((order != np.arange(n)).sum())
        if moved == 0:
            order = None
        else:
            what = "sorted by time within groups" if back_steps else "rows regrouped by `group`"
            notes.append(f"{what}: {plural(moved, 'row')} moved")
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

    # ---- duplicates, gaps --------------------------------------------------------
    seg_cut = cut
    freq_str = None
    if tv is not None and n > 1:
        inner = np.ones(n - 1, dtype=bool)
        inner[cut - 1] = False  # steps that cross groups are not steps
        dup = inner & (np.diff(tv) == 0)
        if dup.any():
            rows = np.flatnonzero(dup)[:5] + 1
            shown_times = _time_labels(tv[rows], kind, tz)
            grp = [labels[codes[r]] if codes is not None else None for r in rows]
            where = ", ".join(f"{t}" + (f" in group {g!r}" if g is not None else "")
                              for t, g in zip(shown_times, grp))
            raise OrderError(
                f"`time` must not repeat within a group. Received: "
                f"{plural(int(dup.sum()), 'repeated time')}: {where}"
                f"{' ...' if dup.sum() > 5 else ''}. Drop or aggregate the duplicates first, "
                "e.g. `df.drop_duplicates([group, time])` or `df.groupby([group, time]).mean()`."
            )
        if freq is None:
            inferred = _infer_freq(tv, kind, tz, inner, group_bounds)
            step = None if inferred is None else _steps(inferred, kind, tz)
            if step is not None:
                notes.append(f"freq {step[1]} inferred from the most common step between rows")
        else:
            step = _steps(freq, kind, tz)
        if step is not None:
            unit, freq_str = step
            off = _off_grid(tv, unit, tz) & inner
            if off.any():
                gaps = _gap_table(tv, off, codes, labels, kind, tz, unit)
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
    if total == 0:
        longest = int(seg_len.max())
        where = "group or segment" if len(seg_len) > 1 else "series"
        if too_long is not None:
            raise ShapeError(too_long(need, longest, where))
        raise ShapeError(
            f"`timesteps` is too long for the data: each window needs {need} rows "
            f"((timesteps - 1) * sampling_rate + 1{' + gap + horizon' if targs is not None else ''}"
            f" = {need}), but the longest {where} has {longest}. Received: timesteps={timesteps}, "
            f"sampling_rate={sampling_rate}, gap={gap}, horizon={horizon} for data of shape "
            f"{(n, len(feature_names))}. Use a smaller `timesteps` (or `sampling_rate`, `gap`, "
            "`horizon`)."
        )
    seg_of = None
    if len(seg_start) == 1:
        starts: np.ndarray | range = range(0, (total - 1) * stride + 1, stride)
    else:
        seg_of = np.repeat(np.arange(len(seg_start)), n_per)
        offsets = np.arange(total) - np.repeat(np.cumsum(n_per) - n_per, n_per)
        starts = seg_start[seg_of] + offsets * stride

    if copy:
        n_targets = len(target_names)
        nbytes = total * (timesteps * len(feature_names) + horizon * n_targets) * dtype.itemsize
        check_fits(nbytes, f"`copy=True`: X of shape {(total, timesteps, len(feature_names))} "
                   f"({dtype}){' and its y' if targs is not None else ''}",
                   "Pass copy=False for a zero-copy view, or a larger `stride`.")

    # ---- index and account of dropped rows --------------------------------------
    group_sorted = None if codes is None else np.asarray(labels)[codes]
    seg_group_id = np.searchsorted(group_bounds, seg_start, side="right") - 1
    seg_number = np.arange(len(seg_start)) - np.searchsorted(seg_start, group_bounds[seg_group_id])
    times_sorted: Any = None
    if tv is not None:
        times_sorted = _dt_index(tv, tz) if kind == "datetime" else tv
        if kind == "datetime" and tz is None:
            times_sorted = times_sorted.to_numpy()

    def position(sorted_rows: np.ndarray) -> np.ndarray:
        return sorted_rows if order is None else order[sorted_rows]

    def label(sorted_rows: np.ndarray) -> Any:
        if times_sorted is None:
            return position(sorted_rows)
        return times_sorted[sorted_rows]

    def build_index() -> pd.DataFrame:
        s = np.asarray(starts) if not isinstance(starts, range) else \
            np.arange(starts.start, starts.stop, starts.step, dtype=np.int64)
        cols: dict[str, Any] = {}
        if group_sorted is not None:
            cols["group"] = group_sorted[s]
        cols["segment"] = np.zeros(len(s), dtype=np.int64) if seg_of is None else seg_number[seg_of]
        cols["first_row"] = position(s)
        cols["last_row"] = position(s + span - 1)
        if targs is not None:
            cols["target_row"] = position(s + span + gap)
        if times_sorted is not None:
            cols["first_time"] = _plain(times_sorted[s])
            cols["last_time"] = _plain(times_sorted[s + span - 1])
            if targs is not None:
                cols["target_time"] = _plain(times_sorted[s + span + gap])
        return pd.DataFrame(cols)

    read = np.arange(timesteps) * sampling_rate
    if targs is not None:
        read = np.concatenate([read, span + gap + np.arange(horizon)])
    def dropped() -> pd.DataFrame:
        return _dropped_table(seg_start, seg_len, n_per, stride, need, read, seg_group_id,
                              len(group_bounds) - 1, seg_number, group_sorted, label)

    source = feats
    if copy:
        # copy=True is a snapshot: X and y are gathered on first use, so they must not read
        # memory the caller can still change (a view of an input already in `dtype`)
        if not feats.flags.c_contiguous or not feats.flags.owndata:
            source = np.array(feats, order="C")  # also fast, cache-friendly gathers
        if targs is not None and not targs.flags.owndata:
            targs = np.array(targs)
    return Windows(
        source=source,
        target_source=targs,
        starts=starts,
        timesteps=timesteps,
        horizon=horizon,
        gap=gap,
        stride=stride,
        sampling_rate=sampling_rate,
        feature_names=feature_names,
        target_names=target_names,
        index=build_index,
        dropped=dropped,
        n_rows=n,
        freq=freq_str,
        notes=notes,
        copy=bool(copy),
        order=order,
        times=times_sorted,
        groups=group_sorted,
        segments=(seg_start, seg_len),
    )
