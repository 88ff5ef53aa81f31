"""The classic lag/lead framing of a series as a flat table: ``to_supervised``.

For ``n_in`` lags and ``n_out`` leads, the row of time ``t`` holds every feature at
``t - n_in, ..., t - 1`` (columns ``name(t-2)``, ``name(t-1)``) and every target at
``t, ..., t + n_out - 1`` (columns ``name(t)``, ``name(t+1)``), as the well-known
``series_to_supervised`` recipe builds with ``DataFrame.shift``. The rows are the windows
of :func:`make_windows` of ``n_in + max(n_out, 1)`` rows, laid flat, so lags and leads
never cross a group or a gap.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import as_strided

from ._args import integer, plural, show
from ._errors import ArgumentError, ArgumentTypeError
from ._memory import check_fits
from ._columns import (as_names, as_positions, is_label, no_duplicate_columns,
                       require_numeric, take_columns)
from ._plan import DROPPED_COLUMNS, account, report_tail
from ._tables import as_pandas
from ._categorical import is_categorical, left_out
from ._windows import Windows, cut_windows, gather, window_view

__all__ = ["Supervised", "to_supervised"]

_REASONS = {
    "no_lags": "first rows of a series or segment, which have no earlier rows for the lags",
    "no_leads": "last rows of a series or segment, which have no later rows for the leads",
    "short_group": "groups shorter than n_in + n_out rows",
    "short_segment": "pieces between gaps shorter than n_in + n_out rows",
}


class Supervised:
    """A lag/lead table made by :func:`to_supervised`, and an account of the rows left out.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per time ``t`` that has all its lags and leads, indexed by the input's
        index label of that row (row positions for arrays). Columns, in order:
        ``name(t-n_in) ... name(t-1)`` for each feature, then ``name(t)``,
        ``name(t+1)`` ... for each target; lag-major, so ``frame[lag_columns]`` reshapes to
        ``(rows, n_in, n_features)`` with ``.to_numpy().reshape(len(frame), n_in, -1)``.
    lag_columns, lead_columns : list of str
        The input (``t-k``) and output (``t``, ``t+k``) columns of ``frame``.
    origin : pandas.DataFrame
        One row per row of ``frame``: ``row`` (the position of row ``t`` in the input),
        ``group`` (with groups) and ``time`` (with a time axis). Built on first access.
    dropped : pandas.DataFrame
        The input rows that are the ``t`` of no output row, and why: columns ``group``,
        ``segment``, ``reason`` (``no_lags``, ``no_leads``, ``short_group``,
        ``short_segment``), ``rows``, ``first`` and ``last`` (time or row position).
        ``len(frame) + dropped["rows"].sum() == n_rows``.
    n_rows, n_in, n_out : int
        Rows of the input, lags and leads.
    notes : list of str
        What was done on the way: sorting, inferred frequency, gaps split, copies.

    Notes
    -----
    A Supervised behaves like the DataFrame it holds where the classic recipe reaches for
    one: ``len(sup)``, ``sup["load(t)"]``, ``sup[["load(t-1)", "load(t)"]]``,
    ``np.asarray(sup)``, ``sup.to_numpy()``, ``sup.values``, ``sup.columns``,
    ``sup.shape``, iterating over the column names, and every other DataFrame attribute
    it does not define itself (``sup.head()``, ``sup.loc[...]``, ``sup.describe()``) are
    those of :attr:`frame`.
    What it adds is the account: :meth:`report`, :attr:`dropped`, :attr:`origin`. Pass
    ``sup.frame`` where a real ``pandas.DataFrame`` is required (``isinstance`` checks).

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> sup = seqprep.to_supervised(np.arange(5.0), 2, 1)
    >>> len(sup), sup.shape, list(sup), np.asarray(sup)[0]
    (3, (3, 3), ['var1(t-2)', 'var1(t-1)', 'var1(t)'], array([0., 1., 2.]))
    >>> sup["var1(t)"].tolist(), sup.values.shape
    ([2.0, 3.0, 4.0], (3, 3))
    """

    def __init__(self, *, frame: pd.DataFrame, lag_columns: list[str], lead_columns: list[str],
                 dropped: pd.DataFrame, n_rows: int, n_in: int, n_out: int, notes: list[str],
                 origin: Any) -> None:
        self.frame = frame
        self.lag_columns = lag_columns
        self.lead_columns = lead_columns
        self.dropped = dropped
        self.n_rows = n_rows
        self.n_in = n_in
        self.n_out = n_out
        self.notes = notes
        self._origin = origin

    @property
    def origin(self) -> pd.DataFrame:
        if not isinstance(self._origin, pd.DataFrame):
            self._origin = self._origin()
        return self._origin

    # -- the DataFrame it holds ------------------------------------------------

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, key: Any) -> Any:
        return self.frame[key]

    def __iter__(self) -> Any:
        return iter(self.frame)

    def __contains__(self, column: Any) -> bool:
        return column in self.frame

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.frame.to_numpy(dtype=dtype)
        return out.copy() if copy and np.shares_memory(out, self.frame.to_numpy()) else out

    def to_numpy(self, *args: Any, **kwargs: Any) -> np.ndarray:
        """``frame.to_numpy(...)``."""
        return self.frame.to_numpy(*args, **kwargs)

    @property
    def values(self) -> np.ndarray:
        """``frame.to_numpy()``."""
        return self.frame.to_numpy()

    def __getattr__(self, name: str) -> Any:
        # only reached for names the class lacks; never for private ones (pickle, copy)
        if name.startswith("_") or "frame" not in self.__dict__:
            raise AttributeError(name)
        try:
            return getattr(self.__dict__["frame"], name)
        except AttributeError:
            raise AttributeError(
                f"'Supervised' object has no attribute {name!r}, and neither has its "
                "DataFrame `frame`."
            ) from None

    @property
    def n_dropped(self) -> int:
        """Input rows that are the ``t`` of no output row."""
        return int(self.dropped["rows"].sum()) if len(self.dropped) else 0

    def report(self) -> str:
        """A plain-text account: rows in and out, rows left out and why, notes."""
        lines = [
            f"{plural(self.n_rows, 'row')} in, {plural(len(self.frame), 'row')} out "
            f"({plural(self.n_in, 'lag')}, {plural(self.n_out, 'lead')}, "
            f"{plural(self.frame.shape[1], 'column')}), "
            f"{plural(self.n_dropped, 'row')} left out",
        ]
        lines.extend(report_tail(self.dropped, _REASONS, self.notes))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Supervised(frame_shape={self.frame.shape}, n_in={self.n_in}, "
                f"n_out={self.n_out}, dropped_rows={self.n_dropped})")


def _result_dtype(dtypes: list[np.dtype]) -> np.dtype:
    """As ``DataFrame.shift`` leaves them: floats keep their type, the others become float64."""
    floats = [d if isinstance(d, np.dtype) and d.kind == "f" else np.dtype(np.float64)
              for d in dtypes]
    return np.result_type(*floats)


def _numpy_dtype(dtype: Any) -> np.dtype:
    try:
        return dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
    except TypeError:  # pandas extension dtypes (nullable Int64, Float32, ...)
        numpy_dtype = getattr(dtype, "numpy_dtype", None)
        return np.dtype(numpy_dtype) if numpy_dtype is not None else np.dtype(np.float64)


def to_supervised(
    data: Any,
    n_in: int = 1,
    n_out: int = 1,
    *,
    features: Any = None,
    targets: Any = None,
    group: Any = None,
    time: Any = None,
    freq: Any = None,
    on_gap: str = "error",
    sort: bool = True,
    copy: bool = True,
    dtype: Any = None,
) -> Supervised:
    """Frame a series as a supervised-learning table of lags and leads.

    Parameters
    ----------
    data : numpy.ndarray of shape ``(rows,)`` or ``(rows, columns)``, or pandas.DataFrame
        One series (time along the rows), or a long table of many told apart by ``group``.
        Arrow and polars tables are read as pandas (``seqprep._tables``).
    n_in : int
        Lags: columns ``name(t-n_in) ... name(t-1)`` for each feature. Defaults to ``1``;
        ``0`` gives no lag columns.
    n_out : int
        Leads: columns ``name(t), name(t+1) ... name(t+n_out-1)`` for each target.
        Defaults to ``1``; ``0`` gives no lead columns (the row ``t`` must still exist).
    features : list, optional
        Columns to lag: names for a DataFrame, positions for an array. Defaults to every
        column but ``group`` and ``time``.
    targets : list or scalar, optional
        Columns to lead, as ``features``. Defaults to the features, as the recipe does.
    group, time, freq, on_gap, sort : optional, keyword-only
        As in :func:`make_windows`: lags and leads never cross a group, rows are ordered by
        ``time`` within each group, and a missing step is an error (``on_gap="error"``),
        starts a new segment (``"split"``) or is ignored (``"ignore"``).
    copy : bool, keyword-only
        ``True`` (the default): ``frame`` owns a new array. ``False``: for one series in a
        C-contiguous numeric array of the result dtype, with the same columns lagged and
        led, ``frame`` is a read-only zero-copy view of it (its rows overlap in memory;
        assigning to cells raises, adding columns works); in any other layout it is a copy
        and ``notes`` says so.
    dtype : numpy float dtype, keyword-only
        Of the values. Defaults to what ``DataFrame.shift`` gives: floats keep their type,
        integers and booleans become float64, and mixed columns their common float type.

    Returns
    -------
    Supervised
        ``frame`` (the DataFrame), ``lag_columns``, ``lead_columns``, ``origin`` (the input
        row, group and time of each output row), ``dropped`` and ``report()``. A segment of
        ``L`` rows gives ``max(0, L - n_in - max(n_out, 1) + 1)`` output rows; the others
        are in ``dropped``.

    Raises
    ------
    ArgumentError, ArgumentTypeError, ColumnError, ShapeError
        For a bad argument: the message names it, its rule, the value and the fix.
    GapError, OrderError, DataError
        For data whose time axis has gaps, repeats or missing values.
    MemoryBudgetError
        If the table would not fit in the memory available.

    See Also
    --------
    make_windows : the same windows as ``(samples, timesteps, features)`` arrays, which a
        recurrent layer needs, without the flat table in between.

    Notes
    -----
    With one series, ``frame`` equals what the ``series_to_supervised`` recipe
    (``DataFrame.shift`` for each lag and lead, ``concat``, then ``dropna``) returns, with
    column names ``var1(t-1)``, ... for arrays, except that rows holding genuine missing
    values are kept: only the rows at the edges, which lack lags or leads, are left out,
    and they are counted in ``dropped``. Call ``frame.dropna()`` to drop the others too.
    The table has one dtype: for integer data the recipe's ``(t)`` columns (shifted by 0)
    stay integers while every other column becomes float64; here all are float64.

    Cost: one pass writing the output (a strided gather of windows), no per-lag copies;
    ``copy=False`` costs the same whatever the row count when a view is possible.

    Examples
    --------
    >>> import numpy as np, pandas as pd, seqprep
    >>> df = pd.DataFrame({"load": [1.0, 2, 3, 4, 5], "temp": [10.0, 11, 12, 13, 14]})
    >>> sup = seqprep.to_supervised(df, n_in=2, n_out=1, targets="load")
    >>> sup.frame
       load(t-2)  temp(t-2)  load(t-1)  temp(t-1)  load(t)
    2        1.0       10.0        2.0       11.0      3.0
    3        2.0       11.0        3.0       12.0      4.0
    4        3.0       12.0        4.0       13.0      5.0
    >>> print(sup.report())
    5 rows in, 3 rows out (2 lags, 1 lead, 5 columns), 2 rows left out
      no_lags: 2 rows (first rows of a series or segment, which have no earlier rows for the lags)

    Lags never cross from one entity to the next:

    >>> long = pd.DataFrame({"id": list("aaabb"), "v": [1.0, 2, 3, 7, 8]})
    >>> seqprep.to_supervised(long, 1, 1, group="id").frame
       v(t-1)  v(t)
    1     1.0   2.0
    2     2.0   3.0
    4     7.0   8.0
    """
    n_in, n_out = _counts(n_in, n_out, targets)
    if not isinstance(copy, (bool, np.bool_)):
        raise ArgumentTypeError(f"`copy` must be True or False. Received: copy={show(copy)}.")
    data = as_pandas(data)  # Arrow, polars: the one conversion layer (seqprep._tables)
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else 0)
    cols = _columns_of(data, features, targets, group, time)
    work = _work_dtype(dtype, cols.in_dtypes)
    need = n_in + max(n_out, 1)

    def too_long(need_rows: int, longest: int, where: str) -> str:
        return (
            f"`n_in` + `n_out` is too large for the data: each output row needs {need_rows} "
            f"rows (n_in lags, then the row t{' and the later leads' if n_out > 1 else ''}), "
            f"but the longest {where} has {longest}. Received: n_in={n_in}, n_out={n_out}. "
            "Use fewer lags or leads."
        )

    w = cut_windows(
        data, need, horizon=1, gap=0, stride=1, sampling_rate=1, features=cols.union,
        targets=None, group=group, time=time, freq=freq, on_gap=on_gap, sort=sort, copy=False,
        dtype=work, schema=None, too_long=too_long,
    )
    lag_cols = [f"{cols.name(c)}(t-{i})" for i in range(n_in, 0, -1) for c in cols.feat]
    lead_cols = [f"{cols.name(c)}(t{'' if i == 0 else f'+{i}'})"
                 for i in range(n_out) for c in cols.targ]
    notes = (cols.notes or []) + list(w.notes)
    values = _table(w, cols, n_in, n_out, copy, notes)
    starts: Any = w.start_range if w.start_range is not None else w.starts
    order = w.rows.order
    # the row labels: the input's index at row t
    if isinstance(starts, range) and order is None:
        t_rows: Any = slice(starts.start + n_in, starts.start + n_in + len(w))
    else:
        t_sorted = np.asarray(starts) + n_in
        t_rows = t_sorted if order is None else order[t_sorted]
    if isinstance(data, pd.DataFrame):
        index = data.index[t_rows]
    elif isinstance(t_rows, slice):
        index = pd.RangeIndex(t_rows.start, t_rows.stop)
    else:
        index = pd.Index(t_rows, dtype=np.int64)
    frame = pd.DataFrame(values, columns=lag_cols + lead_cols, index=index, copy=False)

    def origin() -> pd.DataFrame:
        t_sorted = w.starts + n_in
        out: dict[str, Any] = {"row": t_sorted if order is None else order[t_sorted]}
        if w.rows.groups is not None:
            out["group"] = w.rows.groups[t_sorted]
        if w.rows.times is not None:
            out["time"] = w.rows.times[t_sorted]
        return pd.DataFrame(out, index=frame.index)

    return Supervised(frame=frame, lag_columns=lag_cols, lead_columns=lead_cols,
                      dropped=_dropped(w, n_in, n_out, need), n_rows=w.n_rows, n_in=n_in,
                      n_out=n_out, notes=notes, origin=origin)


def _counts(n_in: Any, n_out: Any, targets: Any) -> tuple[int, int]:
    n_in = integer("n_in", n_in, minimum=0, fix="It is the number of lags (t-1, t-2, ...).")
    n_out = integer("n_out", n_out, minimum=0, fix="It is the number of leads (t, t+1, ...).")
    if n_in + n_out == 0:
        raise ArgumentError(
            "`n_in` + `n_out` must be at least 1. Received: n_in=0, n_out=0, which makes no "
            "columns. Pass n_in=1 for one lag, or n_out=1 for the value at t."
        )
    if targets is not None and n_out == 0:
        raise ArgumentError(
            f"`targets` needs n_out >= 1 (the targets appear only as leads). Received: "
            f"targets={show(targets)}, n_out=0. Pass n_out=1, or leave out `targets`."
        )
    return n_in, n_out


@dataclass
class _Columns:
    """Lagged (``feat``) and led (``targ``) columns, their union, names and input dtypes."""

    feat: list
    targ: list
    union: list
    names: list[str]
    in_dtypes: list[np.dtype]
    notes: list | None = None  # default features left out (text, categories)

    def name(self, column: Any) -> str:
        return self.names[self.union.index(column)]


def _columns_of(data: Any, features: Any, targets: Any, group: Any, time: Any) -> _Columns:
    """Resolve the columns: features are lagged, targets led (the features by default)."""
    if isinstance(data, pd.DataFrame):
        no_duplicate_columns(data)
        reserved = {v for v in (group, time) if is_label(v) and v in data.columns}
        notes = []
        if features is None:
            feat: list[Hashable] = [c for c in data.columns if c not in reserved]
            text = [c for c in feat if is_categorical(data[c])]
            if text and len(text) < len(feat):  # left out with a note, as make_windows does
                feat = [c for c in feat if c not in text]
                notes.append(left_out(data, text, "encode them as numbers to use them"))
        else:
            # as_names gives None only for None
            feat = cast(list[Hashable], as_names("features", features, data.columns))
        targ = feat if targets is None else \
            cast(list[Hashable], as_names("targets", targets, data.columns))
        require_numeric(data, feat, "features")
        require_numeric(data, targ, "targets")
        union = list(dict.fromkeys([*feat, *targ]))
        return _Columns(feat, targ, union, [str(c) for c in union],
                        [_numpy_dtype(data[c].dtype) for c in union], notes)
    arr = np.asarray(data)
    width = arr.shape[1] if arr.ndim == 2 else 1
    # positions are checked here only for 1D/2D data; make_windows refuses the rest
    feat_pos = as_positions("features", features, width) if arr.ndim <= 2 else None
    feat_at = feat_pos or list(range(width))
    # as_positions gives None only for None
    targ_at = feat_at if targets is None else \
        cast(list[int], as_positions("targets", targets, width))
    union_at = list(dict.fromkeys([*feat_at, *targ_at]))
    # the recipe's names: var1, var2, ...
    return _Columns(feat_at, targ_at, union_at, [f"var{p + 1}" for p in union_at],
                    [arr.dtype])


def _work_dtype(dtype: Any, in_dtypes: list[np.dtype]) -> np.dtype:
    if dtype is None:
        return _result_dtype(in_dtypes) if all(d.kind in "biuf" for d in in_dtypes) \
            else np.dtype(np.float64)
    try:
        work = np.dtype(dtype)
    except TypeError:
        raise ArgumentTypeError(
            f"`dtype` must be a numpy float dtype. Received: dtype={show(dtype)}."
        ) from None
    if work.kind != "f":
        raise ArgumentTypeError(
            f"`dtype` must be a float dtype, to hold the values of every lag. Received: "
            f"dtype={work}. Pass float32 or float64, or leave it out."
        )
    return work


def _table(w: Windows, cols: _Columns, n_in: int, n_out: int, copy: bool,
           notes: list[str]) -> np.ndarray:
    """The lag/lead values: a view of the source when the layout allows, else one gather."""
    src = w.source  # (rows, len(union)) in (group, time) order, dtype ``work``
    starts: Any = w.start_range if w.start_range is not None else w.starts
    S, C = len(w), len(cols.union)
    F, K = len(cols.feat), len(cols.targ)
    ncol = n_in * F + n_out * K
    same_columns = cols.feat == cols.union and (n_out == 0 or cols.targ == cols.union)
    item = src.dtype.itemsize
    viewable = (isinstance(starts, range) and starts.step == 1 and same_columns
                and src.flags.c_contiguous and w.rows.order is None)
    if not copy and viewable:
        base = src[starts.start :]
        return as_strided(base, shape=(S, ncol), strides=(C * item, item), writeable=False)
    if not copy:
        notes.append("copy=False: the table was copied, as its rows are not evenly spaced "
                     "in one C-contiguous array of the data")
    check_fits(S * ncol * item, f"The lag/lead table of shape {(S, ncol)} ({src.dtype})",
               "Pass copy=False for a zero-copy view (one series in a numeric array), or "
               "use fewer lags or leads, fewer columns, or dtype=float32.")
    values = np.empty((S, ncol), dtype=src.dtype)
    if n_in:
        lags = np.reshape(values[:, : n_in * F], (S, n_in, F), copy=False)
        part = src if cols.feat == cols.union else take_columns(
            src, [cols.union.index(c) for c in cols.feat])
        gather(window_view(part, n_in), starts, out=lags)
    if n_out:
        leads = np.reshape(values[:, n_in * F :], (S, n_out, K), copy=False)
        part = src if cols.targ == cols.union else take_columns(
            src, [cols.union.index(c) for c in cols.targ])
        shifted = (range(starts.start + n_in, starts.stop + n_in, starts.step)
                   if isinstance(starts, range) else starts + n_in)
        gather(window_view(part, n_out), shifted, out=leads)
    return values


def _dropped(w: Windows, n_in: int, n_out: int, need: int) -> pd.DataFrame:
    """Per segment: the first ``n_in`` rows (no lags), the last ``n_out - 1`` (no leads),
    or all of a segment shorter than ``need``."""
    assert w.rows.segments is not None
    seg_start, seg_len = w.rows.segments
    groups, times, order = w.rows.groups, w.rows.times, w.rows.order
    n_seg = len(seg_start)
    if groups is not None:
        g = np.asarray(groups)[seg_start]
        new = np.r_[True, g[1:] != g[:-1]]
    else:
        g, new = None, np.r_[True, np.zeros(n_seg - 1, dtype=bool)]
    first_of_group = np.maximum.accumulate(np.where(new, np.arange(n_seg), 0))
    seg_number = np.arange(n_seg) - first_of_group
    group_id = np.cumsum(new) - 1
    in_group = np.bincount(group_id)[group_id]
    has = seg_len >= need
    end = seg_start + seg_len - 1
    lead_rows = max(n_out - 1, 0)
    entries = [
        (np.where(in_group == 1, "short_group", "short_segment"), np.where(has, 0, seg_len),
         seg_start, end),
        ("no_lags", np.where(has, n_in, 0), seg_start, seg_start + n_in - 1),
        ("no_leads", np.where(has, lead_rows, 0), end - lead_rows + 1, end),
    ]

    def label(pos: np.ndarray) -> Any:
        if times is not None:
            return times[pos]
        return pos if order is None else order[pos]

    table = account(entries, g, seg_number, label)
    return table[DROPPED_COLUMNS]
