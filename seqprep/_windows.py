"""Cut tabular series into overlapping windows: ``make_windows`` and ``Windows``.

``make_windows`` resolves the columns (``_columns``), reads the time axis (``_time``),
asks ``_plan`` for the plan (order, segments, window starts, dropped rows) and builds a
:class:`Windows` over the feature and target rows in window order. The index arithmetic
and the row accounting are described in ``_plan``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from ._args import choice, plural, show
from ._covariates import (Covariates, build_covariates, covariate_columns, input_shapes,
                          model_inputs, take_inputs)
from ._columns import (as_names, as_positions, cast, check_dtype, is_label, listed,
                       no_duplicate_columns, numeric_block, resolve_axis, take_columns)
from ._errors import ArgumentTypeError, ColumnError, ShapeError
from ._memory import check_array_fits, check_fits
from ._plan import DROP_REASONS, Plan, WindowSpec, plan, report_tail, sample_positions
from ._reshape import check_batch_size
from ._tables import as_pandas
from ._indexing import positions
from ._categorical import check_categories, check_mode, feature_block
from ._errors import ArgumentError

__all__ = ["RowInfo", "WindowArray", "Windows", "cut_windows", "gather", "make_windows",
           "schema_columns", "window_view"]


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


def gather(view: np.ndarray, starts: np.ndarray | range, out: np.ndarray | None = None,
            chunk_bytes: int = 1 << 22) -> np.ndarray:
    """Copy the windows at ``starts`` into ``out`` (a new C-contiguous array by default).

    Runs of evenly spaced windows (one per segment, usually) are copied from basic slices
    of the view, ``chunk_bytes`` at a time, with no temporaries; when the runs are short
    (many tiny groups), windows are gathered by fancy indexing a chunk at a time, so the
    only memory beyond ``out`` is one chunk.
    """
    n = len(starts)
    if out is None:
        shape = (n, *view.shape[1:])
        check_array_fits(shape, view.dtype, "X (the windows gathered)",
                         "Gather fewer windows at a time (`windows.take(indices)`, a batch "
                         "loader), use a larger `stride` or a smaller `timesteps`, or read "
                         "lazily with `open_windows`.")
        out = np.empty(shape, dtype=view.dtype)
    if n == 0:
        return out
    per = max(1, chunk_bytes // max(1, out[0].nbytes))
    ap = _arithmetic(starts)
    if ap is not None:
        bounds, step, first = [0, n], ap[1], [ap[0]]
    else:
        starts = np.asarray(starts)
        run_bounds, step = _runs(starts)
        if step <= 0 or len(run_bounds) - 1 > n // 8:  # short runs: fancy-index chunks instead
            for i in range(0, n, per):
                j = min(n, i + per)
                out[i:j] = view[starts[i:j]]
            return out
        first = starts[run_bounds[:-1]].tolist()
        bounds = run_bounds.tolist()
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
        out = gather(self._view, self._starts)
        return out if dtype is None else out.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"WindowArray(shape={self.shape}, dtype={self.dtype})"


# ------------------------------------------------------------------------- Windows


@dataclass(frozen=True)
class RowInfo:
    """Where the source rows of a :class:`Windows` came from, shared by every Windows
    derived from one :func:`make_windows` call.

    ``order[k]`` is the input position of source row ``k`` (None: identity); ``times`` and
    ``groups`` the time and group label of each source row (None: no time axis, no
    groups); ``segments`` the ``(first source row, length)`` of each segment.
    """

    n_rows: int
    order: np.ndarray | None = None
    times: Any = None
    groups: np.ndarray | None = None
    segments: tuple[np.ndarray, np.ndarray] | None = None
    freq: str | None = None

    @classmethod
    def of(cls, p: Plan) -> RowInfo:
        return cls(n_rows=p.n_rows, order=p.order, times=p.times_sorted, groups=p.group_sorted,
                   segments=(p.seg_start, p.seg_len), freq=p.freq)


@overload
def _read_only(a: np.ndarray) -> np.ndarray: ...
@overload
def _read_only(a: None) -> None: ...
def _read_only(a: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return None
    out = a.view()
    out.flags.writeable = False
    return out


class Windows:
    """Windows cut from a series: ``X``, ``y``, their shapes and where every sample came from.

    Made by :func:`make_windows`; not constructed directly. A new Windows over the same
    rows (a subset of the samples, or scaled sources) is made with :meth:`derive`.

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
    scaled : bool or None
        Whether the last :class:`Scaler` applied scaled (True) or unscaled (False) the
        values; None if none was applied.
    categories : dict
        The category order of each feature column encoded by ``categorical=``
        (``{column: (category, ...)}``; empty without). Pass the training Windows as
        ``make_windows(test, ..., categories=train_windows)`` to encode other data alike.

    Notes
    -----
    ``np.asarray(windows)`` is ``X``; ``windows[key]`` (an integer, a slice, a boolean
    mask or positions) is a new Windows of those samples (see :meth:`__getitem__`).

    Read-only accessors for the other rooms (``split_by_time``, ``Scaler``, ``to_frame``,
    ``stateful_layout``, keras_ext): ``spec``, ``source``, ``target_source``, ``starts``,
    ``start_range``, ``rows`` (a :class:`RowInfo`: ``order``, ``times``, ``groups``,
    ``segments``), ``has_targets``, ``covariates``.

    Windows made with ``static=`` or ``known_future=`` carry those covariates as more
    sources on the same rows: :attr:`inputs` and :attr:`input_shapes` give every model
    input by name (``"past"``, ``"static"``, ``"future"``), and every Windows derived from
    them (a split part, a scaled copy, a stateful layout) keeps them.
    """

    def __init__(self, spec: WindowSpec, *, source: np.ndarray,
                 target_source: np.ndarray | None, starts: np.ndarray | range,
                 feature_names: tuple, target_names: tuple, rows: RowInfo,
                 index: pd.DataFrame | Callable[[], pd.DataFrame],
                 dropped: pd.DataFrame | Callable[[], pd.DataFrame],
                 notes: list[str] | None = None, copy: bool = True,
                 scaled: bool | None = None, covariates: Covariates | None = None,
                 categories: dict | None = None) -> None:
        self.spec = spec
        self.categories = dict(categories or {})
        self._covariates = covariates
        self._source = source
        self._target_source = target_source
        # a ``range`` describes evenly spaced windows without materialising them
        self._start_spec = starts if isinstance(starts, range) else np.asarray(starts, dtype=np.int64)
        self._starts_array: np.ndarray | None = (
            None if isinstance(starts, range) else np.asarray(starts, dtype=np.int64))
        self.feature_names = tuple(feature_names)
        self.target_names = tuple(target_names)
        self.rows = rows
        self._index = index
        self._dropped = dropped
        self.notes = list(notes or [])
        self.copy = copy
        self.scaled = scaled
        self._X: Any = None
        self._y: np.ndarray | None = None
        self._n_nan: dict[str, int] | None = None

    # -- the spec and the rows ------------------------------------------------

    timesteps = property(lambda self: self.spec.timesteps, doc="Time steps per window.")
    horizon = property(lambda self: self.spec.horizon, doc="Target rows per window.")
    gap = property(lambda self: self.spec.gap, doc="Rows between inputs and targets.")
    stride = property(lambda self: self.spec.stride, doc="Rows between window starts.")
    sampling_rate = property(lambda self: self.spec.sampling_rate,
                             doc="Every how many rows a window reads.")
    n_rows = property(lambda self: self.rows.n_rows, doc="Rows of the input.")
    freq = property(lambda self: self.rows.freq, doc="The step used to find gaps (or None).")

    @property
    def source(self) -> np.ndarray:
        """The feature rows in window order, ``(rows, n_features)``, read-only."""
        return _read_only(self._source)

    @property
    def target_source(self) -> np.ndarray | None:
        """The target rows in window order, ``(rows, n_targets)``, read-only (None without)."""
        return _read_only(self._target_source)

    @property
    def has_targets(self) -> bool:
        return self._target_source is not None

    # -- covariates (seqprep._covariates) ---------------------------------------

    @property
    def covariates(self) -> Covariates | None:
        """The static and known-future covariate rows (None without): see :func:`make_windows`."""
        return self._covariates

    @property
    def inputs(self) -> dict[str, Any]:
        """Every model input by name: ``"past"`` (``X``), and with covariates ``"static"``
        ``(samples, n_static)`` and ``"future"`` ``(samples, horizon, n_known)``.

        Name the ``keras.Input`` s of a functional model by these keys and pass this dict
        as ``x`` (see :attr:`input_shapes`).

        Examples
        --------
        >>> import numpy as np, pandas as pd, seqprep
        >>> df = pd.DataFrame({"id": [0] * 5 + [1] * 5, "load": np.arange(10.0),
        ...                    "size": [3.0] * 5 + [7.0] * 5, "holiday": [0, 0, 1, 0, 0] * 2})
        >>> w = seqprep.make_windows(df, 2, targets="load", group="id", static=["size"],
        ...                          known_future=["holiday"])
        >>> {k: v.shape for k, v in w.inputs.items()}
        {'past': (6, 2, 1), 'static': (6, 1), 'future': (6, 1, 1)}
        >>> w.inputs["future"][:3, 0, 0], w.inputs["static"][3:, 0]
        (array([1., 0., 0.], dtype=float32), array([7., 7., 7.], dtype=float32))
        """
        return model_inputs(self)

    @property
    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        """Per-sample shape of each of :attr:`inputs`, for ``keras.Input(shape=..., name=key)``."""
        return input_shapes(self)

    def take_inputs(self, indices: Any) -> tuple[Any, np.ndarray | None]:
        """The samples at ``indices`` as ``(x, y)`` for a model: ``x`` is ``X`` for windows
        without covariates, else a dict keyed like :attr:`inputs` (new arrays either way).
        What batch loaders (``keras_ext.WindowDataset``) feed a multi-input model."""
        return take_inputs(self, indices)

    @property
    def starts(self) -> np.ndarray:
        """Source row of each sample's first input row (int64 array)."""
        if self._starts_array is None:
            r = self._start_spec
            assert isinstance(r, range)
            self._starts_array = np.arange(r.start, r.stop, r.step, dtype=np.int64)
        return self._starts_array

    @property
    def start_range(self) -> range | None:
        """The starts as a ``range`` when they are evenly spaced by construction, else None."""
        return self._start_spec if isinstance(self._start_spec, range) else None

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

    def derive(self, *, indices: Any = None, index: pd.DataFrame | None = None,
               source: np.ndarray | None = None, target_source: np.ndarray | None = None,
               note: str | None = None, scaled: bool | None = None,
               as_type: type[Windows] | None = None, covariates: Covariates | None = None,
               **extra: Any) -> Windows:
        """A new Windows over the same rows: the samples at ``indices`` (all by default),
        over new ``source``/``target_source`` arrays of the same shape (the current ones by
        default), with ``index`` (the selected rows of the current one by default), one more
        ``note`` and a new ``scaled`` state (kept by default), over new ``covariates``
        (the current ones by default); ``as_type`` (a subclass) and ``extra`` (its own
        arguments) make a subclass. The one way to derive.

        Examples
        --------
        >>> import numpy as np, seqprep
        >>> w = seqprep.make_windows(np.arange(6.0), 2, targets=0)
        >>> late = w.derive(indices=[2, 3], note="the last two")
        >>> late.X[:, :, 0].tolist(), late.starts.tolist(), late.notes
        ([[2.0, 3.0], [3.0, 4.0]], [2, 3], ['the last two'])
        >>> doubled = w.derive(source=w.source * 2, target_source=w.target_source * 2)
        >>> doubled.y[:, 0].tolist(), doubled.index is w.index
        ([4.0, 6.0, 8.0, 10.0], True)
        """
        starts: np.ndarray | range = self._start_spec
        new_index: Any = None
        if indices is None and index is None:
            new_index = self.index  # the same samples: one index, shared
        elif indices is not None:
            idx = sample_positions(indices, len(self))
            starts = self.starts[idx]
            new_index = lambda: self.index.iloc[idx].reset_index(drop=True)  # noqa: E731
        return (as_type or Windows)(
            self.spec,
            source=self._source if source is None else source,
            target_source=self._target_source if target_source is None else target_source,
            starts=starts, feature_names=self.feature_names, target_names=self.target_names,
            rows=self.rows, index=new_index if index is None else index,
            dropped=self._dropped, notes=self.notes + ([note] if note else []),
            copy=self.copy, scaled=self.scaled if scaled is None else scaled,
            covariates=self._covariates if covariates is None else covariates,
            categories=self.categories, **extra,
        )

    # -- arrays ---------------------------------------------------------------

    @property
    def span(self) -> int:
        """Rows from a window's first input row to its last: ``(timesteps - 1) * sampling_rate + 1``."""
        return self.spec.span

    @property
    def target_offset(self) -> int:
        """Rows from a window's first input row to its first target row: ``span + gap``."""
        return self.spec.target_offset

    def _view(self) -> np.ndarray:
        return window_view(self._source, self.timesteps, self.sampling_rate)

    @property
    def X(self) -> np.ndarray | WindowArray:
        if self._X is None:
            view = self._view()
            spec = self._start_spec
            ap = _arithmetic(spec)
            if self.copy:
                self._X = gather(view, spec)
            elif ap is not None:
                first, step = ap
                self._X = view[first : first + step * (len(spec) - 1) + 1 : step]
            else:
                self._X = WindowArray(view, np.asarray(spec))
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
        first_rows = np.asarray(starts) + self.target_offset
        if self.horizon == 1:
            return ts[first_rows]
        rows = first_rows[:, None] + np.arange(self.horizon)[None, :]
        return ts[rows].reshape(len(first_rows), self.horizon * ts.shape[1])  # also 0 samples

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
        idx = sample_positions(indices, len(self))
        starts = self.starts[idx]
        view = self._view()
        check_array_fits((len(starts), *view.shape[1:]), view.dtype, "X of the samples taken",
                         "Take fewer samples at a time (batches of `indices`).")
        X = view[starts]
        y = None if self._target_source is None else self._targets_at(starts)
        return X, y

    def subset(self, indices: Any, *, index: pd.DataFrame | None = None,
               note: str | None = None) -> Windows:
        """A new :class:`Windows` holding the samples at ``indices``, in that order.

        The source is shared, not copied. ``index`` replaces the selected index rows
        (used by :func:`stateful_layout` to add slot columns).
        """
        return self.derive(indices=indices, index=index, note=note)

    def to_frame(self, predictions: Any = None, *, scaler: Any = None) -> pd.DataFrame:
        """One row per sample and horizon step, with group, target time, prediction and actual.

        See :func:`seqprep._frame.windows_to_frame` for the columns.
        """
        from ._frame import windows_to_frame  # the frame room reads windows, not the reverse

        return windows_to_frame(self, predictions, scaler=scaler)

    def plot(self, i: int, **kwargs: Any) -> Any:
        """Draw sample ``i``: :func:`plot_window` (``prediction=``, ``features=``, ``ax=``)."""
        from ._plot import plot_window  # matplotlib is imported only when plotting

        return plot_window(self, i, **kwargs)

    # -- shapes ---------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._start_spec)

    def __getitem__(self, key: Any) -> Windows:
        """``windows[key]``: a new :class:`Windows` of the samples ``key`` picks, in order.

        ``key`` is an integer (a Windows of one sample: ``len(windows[i]) == 1``, unlike
        ``X[i]``), a slice, a boolean mask of ``len(windows)`` values or integer positions,
        as numpy takes along ``X``'s first axis. ``X``, ``y``, ``index`` (renumbered from
        0) and every other per-sample input follow the samples, from the same shared
        source (:meth:`subset`); ``n_rows`` and ``dropped`` still describe the rows of the
        :func:`make_windows` call, and a note says how many samples were selected. An
        integer out of range raises :class:`SampleIndexError` (an ``IndexError``). Samples
        picked from a :func:`stateful_layout` are a plain Windows: their batches no longer
        line up (the index keeps the slot columns).

        Examples
        --------
        >>> import numpy as np, seqprep
        >>> w = seqprep.make_windows(np.arange(10.0), 3, targets=0)
        >>> w[-1].y, w[1:3].index["first_row"].tolist(), len(w[w.y[:, 0] > 6])
        (array([[9.]], dtype=float32), [1, 2], 3)
        """
        idx = positions(key, len(self))
        return self.subset(idx, note=f"{plural(len(idx), 'sample')} of {len(self):,} "
                                     "selected by windows[...]")

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(windows)`` is ``windows.X`` (gathered when it is lazy): the inputs
        only, ``(samples, timesteps, n_features)``; the targets are ``windows.y``."""
        X = self.X
        if isinstance(X, WindowArray):
            return X.__array__(dtype, copy)
        out = X if dtype is None else X.astype(dtype, copy=False)
        if copy is False and out is not X:
            raise ArgumentError(f"`copy` must allow a copy to turn X ({X.dtype}) into "
                                f"{dtype}. Received: copy=False. Pass copy=None.")
        return out.copy() if copy and out is X else out

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
        if self._covariates is not None:
            shapes = self.input_shapes
            lines.insert(1, "covariates: " + ", ".join(
                f"{k} {(len(self), *shapes[k])}" for k in ("static", "future") if k in shapes))
        nan = self.n_nan
        if nan["features"] or nan["targets"]:
            lines.append(
                f"NaN: {plural(nan['features'], 'value')} in features, {nan['targets']:,} in "
                "targets of the rows windowed; samples that read them carry NaN (validate "
                "with SeriesSchema, or fill them first)"
            )
        lines.extend(report_tail(self.dropped, DROP_REASONS, self.notes))
        return "\n".join(lines)

    @property
    def n_nan(self) -> dict[str, int]:
        """Missing values (NaN) in the rows windowed: ``{"features": n, "targets": m}``.

        ``make_windows`` does not drop or fill them: windows that read them carry NaN, and
        :meth:`report` says how many there are. Counted once, on first use.
        """
        if self._n_nan is None:
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


# --------------------------------------------------------------------- make_windows


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
    target_inputs: bool = True,
    static: Any = None,
    known_future: Any = None,
    categorical: str | None = None,
    categories: Any = None,
) -> Windows:
    """Cut a series (or many) into ``(samples, timesteps, features)`` windows with targets.

    Parameters
    ----------
    data : numpy.ndarray of shape ``(rows,)`` or ``(rows, columns)``, or pandas.DataFrame
        One wide series (time along the rows), or a long table holding many entities
        told apart by ``group``. A ``pyarrow.Table``/``RecordBatch`` or a polars
        ``DataFrame``/``LazyFrame`` is read as pandas, null-free numeric columns without
        a copy (``seqprep._tables``).
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
        usually inputs too, unless ``target_inputs=False``).
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
        Validate ``data`` against it first; raises ``ValidationError`` on failure. Its
        ``time``, ``group``, ``targets`` and ``features`` (then the targets, unless
        ``target_inputs=False``) are the defaults of those arguments, as for
        ``seqprep windows --schema``: the same columns in the same order.
    target_inputs : bool, keyword-only
        With ``features=None``: whether the target columns are inputs too. Defaults to
        ``True``; ``False`` leaves them out of the default features.
    static : list or scalar, keyword-only
        Static covariates: columns (names, or positions for arrays) holding one value per
        group, such as a store's size. ``static[i]`` is sample ``i``'s group's value, of
        shape ``(samples, n_static)`` in :attr:`Windows.inputs`. A column that varies
        within a group is refused with :class:`DataError` naming it, the group and the two
        values. Defaults to ``None``.
    known_future : list or scalar, keyword-only
        Known-future covariates: columns known in advance for the steps forecast (the
        calendar, holidays, planned promotions). ``future[i]`` holds them at sample
        ``i``'s ``horizon`` target steps, shape ``(samples, horizon, n_known)``. Needs
        ``targets``; a target column cannot be one. Defaults to ``None``. Static and
        known-future columns are left out of the default ``features`` (list them in
        ``features`` to read their past values too).
    categorical : {None, "codes", "onehot", "error"}, keyword-only
        What to do with feature columns that hold categories or text (pandas
        ``category``, strings). ``None`` (the default) leaves them out of the default
        ``features``, with a note, and refuses them when named in ``features``;
        ``"error"`` refuses them everywhere; ``"codes"`` encodes each as one column of
        codes ``0 .. k-1``; ``"onehot"`` as ``k`` 0/1 columns named ``"column=category"``.
        The order of the categories (a ``category`` column's own, else the sorted values)
        is in ``Windows.categories``. Missing values become NaN. DataFrames only.
    categories : mapping or Windows, keyword-only
        Category orders to reuse, ``{column: [category, ...]}``, or the training Windows
        itself (its ``categories``): test windows then get the training columns, in the
        training order, even where a category is absent. A value outside them raises
        :class:`DataError`. Needs ``categorical="codes"`` or ``"onehot"``.

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
    return cut_windows(
        data, timesteps, horizon=horizon, gap=gap, stride=stride, sampling_rate=sampling_rate,
        features=features, targets=targets, group=group, time=time, freq=freq, on_gap=on_gap,
        sort=sort, copy=copy, dtype=dtype, schema=schema, target_inputs=target_inputs,
        static=static, known_future=known_future, categorical=categorical,
        categories=categories,
    )


@dataclass
class Blocks:
    """Data resolved into numeric blocks (rows in input order) and its group and time values."""

    feats: np.ndarray
    targs: np.ndarray | None
    feature_names: tuple
    target_names: tuple
    groups: Any
    times: Any
    categories: dict | None = None  # the category order of each encoded feature column
    notes: list | None = None  # what was done to the columns (left out, encoded)

    @property
    def n(self) -> int:
        return self.feats.shape[0]


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ArgumentTypeError(f"`{name}` must be True or False. Received: {name}={show(value)}.")
    return bool(value)


def _frame_blocks(frame: pd.DataFrame, features: Any, targets: Any, group: Any, time: Any,
                  dtype: np.dtype, categorical: str | None = None,
                  categories: dict | None = None, default: bool = False) -> Blocks:
    """Resolve a DataFrame's feature, target, group and time columns; non-numeric
    features by the rule of ``seqprep._categorical`` (``default``: features=None)."""
    n = len(frame)
    no_duplicate_columns(frame)
    group_values, group_col = resolve_axis("group", group, frame, n)
    time_values, time_col = resolve_axis("time", time, frame, n)
    if time_values is None and isinstance(frame.index, pd.DatetimeIndex):
        time_values = frame.index
    reserved = {c for c in (group_col, time_col) if c is not None}
    target_cols = as_names("targets", targets, frame.columns)
    if features is None:
        feature_cols = [c for c in frame.columns if c not in reserved]
        if not feature_cols:
            raise ColumnError(
                "`features` must name at least one column. Received: features=None, and "
                "the data has no columns besides `group` and `time`."
            )
    else:  # a list: as_names gives None only for features=None
        feature_cols = as_names("features", features, frame.columns) or []
    for role, cols in (("features", feature_cols), ("targets", target_cols or [])):
        clash = [c for c in cols if c in reserved]
        if clash:
            raise ColumnError(
                f"`{role}` must not include the group or time column. Received: {show(clash)}."
            )
    enc = feature_block(frame, feature_cols, dtype, mode=categorical,
                        categories=categories or {}, default=default)
    targs = None if target_cols is None else numeric_block(frame, target_cols, "targets", dtype,
                                                           view=True)
    return Blocks(enc.block, targs, enc.names, tuple(target_cols or ()), group_values,
                  time_values, categories=enc.categories, notes=enc.notes)


def _array_blocks(data: Any, features: Any, targets: Any, group: Any, time: Any,
                  dtype: np.dtype) -> Blocks:
    """Resolve an array's feature and target positions (views where the dtype allows)."""
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
    if arr.shape[1] == 0:
        raise ShapeError(
            f"`data` must have at least one column. Received: array of shape {arr.shape}. "
            "Pass the values to window as columns."
        )
    n = arr.shape[0]
    group_values, _ = resolve_axis("group", group, None, n)
    time_values, _ = resolve_axis("time", time, None, n)
    feat_pos = as_positions("features", features, arr.shape[1]) or list(range(arr.shape[1]))
    targ_pos = as_positions("targets", targets, arr.shape[1])
    feats = cast(take_columns(arr, feat_pos), dtype, role="features")  # a view when it can be
    targs = None if targ_pos is None else cast(take_columns(arr, targ_pos), dtype, role="targets")
    return Blocks(feats, targs, tuple(feat_pos), tuple(targ_pos or ()), group_values, time_values)


def _without_targets(data: Any, targets: Any, group: Any, time: Any,
                     also: list | tuple = ()) -> list:
    """The default features minus the targets (``target_inputs=False``) and ``also``
    (static and known-future columns)."""
    if isinstance(data, pd.DataFrame):
        drop = set(as_names("targets", targets, data.columns) or ()) | set(also)
        drop |= {c for c in (group, time) if is_label(c) and c in data.columns}
        kept = [c for c in data.columns if c not in drop]
    else:
        width = np.shape(data)[1] if np.ndim(data) == 2 else 1
        drop = set(as_positions("targets", targets, width) or ()) | set(also)
        kept = [p for p in range(width) if p not in drop]
    if not kept:
        raise ColumnError(
            "`features` must name at least one column. Received: features=None, and the "
            "data has no columns besides `group`, `time`, the static and known-future "
            "columns and (with target_inputs=False) the targets. Pass target_inputs=True, "
            "or add input columns."
        )
    return kept


def _no_window(spec: WindowSpec, shape: tuple) -> Callable[[int, int, str], str]:
    parts = {"timesteps": spec.span}  # the argument that makes a window longest is named
    if spec.with_targets:
        parts.update(gap=spec.gap, horizon=spec.horizon)
    culprit = max(parts, key=lambda k: parts[k])
    # The message keeps its documented start; the part that dominates is named after it.
    blame = "" if culprit == "timesteps" else f" (`{culprit}` makes the window longest)"

    def words(need: int, longest: int, where: str) -> str:
        return (
            f"`timesteps` is too long for the data{blame}: each window needs {need} rows "
            f"((timesteps - 1) * sampling_rate + 1"
            f"{' + gap + horizon' if spec.with_targets else ''} = {need}), but the longest "
            f"{where} has {longest}. Received: timesteps={spec.timesteps}, "
            f"sampling_rate={spec.sampling_rate}, gap={spec.gap}, horizon={spec.horizon} for "
            f"data of shape {shape}. Use a smaller `timesteps` (or `sampling_rate`, `gap`, "
            "`horizon`)."
        )
    return words


def _sources(b: Blocks, p: Plan, copy: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Feature and target rows in window order; with ``copy`` a snapshot the caller's
    arrays cannot change (X and y are gathered from it on first use)."""
    feats, targs = b.feats, b.targs
    if p.order is not None:
        feats = feats[p.order]
        targs = None if targs is None else targs[p.order]
    if copy:
        if not feats.flags.c_contiguous or not feats.flags.owndata:
            feats = np.array(feats, order="C")  # also fast, cache-friendly gathers
        if targs is not None and not targs.flags.owndata:
            targs = np.array(targs)
    return feats, targs


def schema_columns(schema: Any, *, group: Any, time: Any, features: Any, targets: Any,
                   target_inputs: bool) -> tuple[Any, Any, Any, Any]:
    """``(group, time, features, targets)``: those given, else the schema's (one rule for
    ``make_windows(..., schema=)``, ``to_supervised`` and ``seqprep windows --schema``).

    Without ``features``, the schema's features are the inputs, then (unless
    ``target_inputs=False``) the targets not among them, in that order: the columns of
    ``X`` do not depend on the order of the columns in the data.
    """
    group = group if group is not None else schema.group
    time = time if time is not None else schema.time
    if targets is None and schema.targets:
        targets = list(schema.targets)
    if features is None and schema.features:
        features = list(schema.features)
        if target_inputs and targets is not None:
            tl = [targets] if is_label(targets) else listed(
                "targets", targets, "a column name or a list of them", "['y']")
            features += [t for t in tl if t not in features]
    return group, time, features, targets


def cut_windows(data: Any, timesteps: int, *, horizon: int, gap: int, stride: int,
                sampling_rate: int, features: Any, targets: Any, group: Any, time: Any,
                freq: Any, on_gap: str, sort: bool, copy: bool, dtype: Any, schema: Any,
                too_long: Callable[[int, int, str], str] | None = None,
                target_inputs: bool = True, static: Any = None,
                known_future: Any = None, categorical: str | None = None,
                categories: Any = None) -> Windows:
    """:func:`make_windows`, for the rooms built on it (``to_supervised``):
    ``too_long(need, longest, where)`` words the no-window error."""
    target_inputs = _flag("target_inputs", target_inputs)
    if schema is not None:
        from ._schema import SeriesSchema  # the validate room, above this one

        if not isinstance(schema, SeriesSchema):
            raise ArgumentTypeError(
                f"`schema` must be a seqprep.SeriesSchema. Received: schema={show(schema)} of "
                f"type {type(schema).__name__}. Load one with `SeriesSchema.from_yaml(path)`."
            )
        group, time, features, targets = schema_columns(
            schema, group=group, time=time, features=features, targets=targets,
            target_inputs=target_inputs)
    spec = WindowSpec.checked(timesteps, horizon=horizon, gap=gap, stride=stride,
                              sampling_rate=sampling_rate, with_targets=targets is not None)
    choice("on_gap", on_gap, ("error", "split", "ignore"))
    sort, copy = _flag("sort", sort), _flag("copy", copy)
    dtype = check_dtype(dtype)
    categorical = check_mode(categorical)
    data = as_pandas(data)  # Arrow, polars: the one conversion layer (seqprep._tables)
    if schema is not None:
        data = schema.validate(data)
    categories, default = check_categories(categories, categorical), features is None
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else 0)
    cov_cols = covariate_columns(data, static, known_future, targets=targets, group=group,
                                 time=time)
    also = [c for cols in cov_cols for c in (cols or ())]
    if features is None and (also or (not target_inputs and targets is not None)):
        features = _without_targets(data, None if target_inputs else targets, group, time,
                                    also)
    if isinstance(data, pd.DataFrame):
        b = _frame_blocks(data, features, targets, group, time, dtype, categorical, categories,
                          default)
    else:
        b = _array_blocks(data, features, targets, group, time, dtype)
    if b.n == 0:
        raise ShapeError("`data` must have at least one row. Received: 0 rows. Window a "
                         "table that has rows; check what filtered them all out.")
    p = plan(spec, b.n, groups=b.groups, times=b.times, freq=freq, on_gap=on_gap, sort=sort,
             no_window=too_long or _no_window(spec, (b.n, len(b.feature_names))))
    total = len(p.starts)
    if copy:
        n_out = spec.timesteps * len(b.feature_names) + spec.horizon * len(b.target_names)
        check_fits(total * n_out * dtype.itemsize,
                   f"`copy=True`: X of shape {(total, spec.timesteps, len(b.feature_names))} "
                   f"({dtype}){' and its y' if b.targs is not None else ''}",
                   "Pass copy=False for a zero-copy view, or a larger `stride`.")
    source, target_source = _sources(b, p, copy)
    return Windows(
        spec, source=source, target_source=target_source, starts=p.starts,
        feature_names=b.feature_names, target_names=b.target_names, rows=RowInfo.of(p),
        index=p.index, dropped=p.dropped, notes=(b.notes or []) + p.notes, copy=copy,
        covariates=build_covariates(data, cov_cols, plan=p, dtype=dtype),
        categories=b.categories,
    )
