"""Split a table or its windows into train / validation / test in time order: ``split_by_time``.

Leakage rules, per group, for cut-offs ``c_1 < c_2`` (validation, then test):

- a row belongs to the part of its time: train before ``c_1``, validation from ``c_1`` up to
  ``c_2``, test from ``c_2`` on;
- a window belongs to a part only if **all** its target rows do (windows made without
  targets: all their input rows). A window whose targets straddle a cut is in no part;
- purging: a window of an earlier part is dropped when one of its target rows lies within
  ``purge`` rows before the next cut, and its group has windows in a later part (windows
  of different groups never share rows, so a group that ends before a cut loses nothing).
  ``purge="auto"`` is the window's reach ``(timesteps - 1) * sampling_rate + 1 + gap``
  rows, the rows a later part's windows may read as inputs, so after it no row is used by
  windows of two parts.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._args import integer, plural, show
from ._errors import ArgumentError, ArgumentTypeError, DataError, ShapeError
from . import _time
from ._columns import group_codes, native_order, resolve_axis
from ._tables import as_pandas
from ._time import Axis
from ._windows import Windows

__all__ = ["Split", "split_by_time"]

_PARTS = ("train", "validation", "test")


@dataclass(frozen=True)
class Split:
    """The parts made by :func:`split_by_time`, and an account of what was left out.

    Attributes
    ----------
    train, validation, test : pandas.DataFrame or Windows
        The parts, of the same type as the data split. ``validation`` is ``None`` unless
        asked for. A DataFrame part keeps the original index and row order; a
        :class:`Windows` part shares the source of the windows split (no copy).
    summary : pandas.DataFrame
        One row per group (a single row without groups): ``group`` (with groups),
        ``validation_cut`` (with a validation part) and ``test_cut`` (the cut-offs: rows
        at or after one belong to the later part), the size of each part
        (``train``, ``validation``, ``test``), ``purged`` (dropped to keep the parts apart)
        and, for windows, ``straddling`` (windows whose targets cross a cut).
        Sizes count rows for a DataFrame and windows for :class:`Windows`.
    purge : int
        Rows before each cut whose targets (rows, for a DataFrame) were purged.
    unit : {"rows", "windows"}
        What the counts in ``summary`` count.
    """

    train: Any
    validation: Any
    test: Any
    summary: pd.DataFrame
    purge: int
    unit: str

    @property
    def n_purged(self) -> int:
        """Rows or windows dropped by purging, over all groups."""
        return int(self.summary["purged"].sum())

    @property
    def n_straddling(self) -> int:
        """Windows whose targets cross a cut (always 0 for a DataFrame)."""
        return int(self.summary["straddling"].sum()) if "straddling" in self.summary else 0

    def report(self) -> str:
        """A plain-text account: part sizes, what was dropped and why, the cut-offs."""
        parts = [p for p in _PARTS if p in self.summary]
        sizes = ", ".join(f"{p} {int(self.summary[p].sum()):,}" for p in parts)
        total = sum(int(self.summary[p].sum()) for p in parts) + self.n_purged + self.n_straddling
        lines = [f"{plural(total, self.unit[:-1])} split in time order: {sizes}"]
        lines.append(
            f"purged: {plural(self.n_purged, self.unit[:-1])} with "
            f"{'targets' if self.unit == 'windows' else 'times'} in the "
            f"{plural(self.purge, 'row')} "
            "before a later part's cut"
        )
        if self.unit == "windows":
            lines.append(f"straddling: {plural(self.n_straddling, 'window')} with targets on "
                         "both sides of a cut")
        cuts = [c for c in ("validation_cut", "test_cut") if c in self.summary]
        head = self.summary.head(10)
        if "group" in self.summary:
            lines.append(f"cut-offs ({', '.join(c[:-4] for c in cuts)}) per group:")
            for _, row in head.iterrows():
                lines.append(f"  {show(row['group'])}: " + ", ".join(str(row[c]) for c in cuts))
            if len(self.summary) > 10:
                lines.append(f"  ... {len(self.summary) - 10:,} more in `summary`")
        else:
            lines.append("cut-offs: " + ", ".join(f"{c[:-4]} {head[c].iloc[0]}" for c in cuts))
        return "\n".join(lines)


# ------------------------------------------------------------------------ time axis


def _bounds(codes: np.ndarray) -> np.ndarray:
    n = len(codes)
    cut = np.flatnonzero(np.diff(codes) != 0) + 1
    return np.concatenate([[0], cut, [n]]).astype(np.int64)


def _windows_axis(w: Windows) -> Axis:
    n = len(w.source)
    if w.rows.groups is None:
        codes, labels = np.zeros(n, dtype=np.int64), None
    else:
        codes, uniq = pd.factorize(pd.Series(w.rows.groups), sort=False)
        labels = list(uniq)
    bounds = _bounds(codes)
    if w.rows.times is None:
        t = (np.arange(n) - bounds[codes]).astype(np.float64)
        return Axis(t, "position", None, codes, labels, bounds)
    t, kind, tz = _time.time_values(w.rows.times)
    return Axis(t if kind == "datetime" else t.astype(np.float64), kind, tz, codes, labels,
                bounds)


def _frame_axis(data: pd.DataFrame, time: Any, group: Any) -> tuple[Axis, np.ndarray]:
    """The axis of a DataFrame's rows in (group, time) order, and that order."""
    n = len(data)
    group_values, _ = resolve_axis("group", group, data, n)
    time_values, _ = resolve_axis("time", time, data, n)
    if time_values is None and isinstance(data.index, pd.DatetimeIndex):
        time_values = data.index
    if group_values is None:
        codes, labels = np.zeros(n, dtype=np.int64), None
    else:
        codes, uniq = group_codes(group_values)
        labels = list(uniq)
    if time_values is None:
        order = np.argsort(codes, kind="stable")
        sorted_codes = codes[order]
        bounds = _bounds(sorted_codes)
        t = (np.arange(n) - bounds[sorted_codes]).astype(np.float64)
        return Axis(t, "position", None, sorted_codes, labels, bounds), order
    raw, kind, tz = _time.time_values(time_values)
    if kind == "number":
        raw = raw.astype(np.float64)
    order = np.lexsort((raw, codes))
    sorted_codes = codes[order]
    return Axis(raw[order], kind, tz, sorted_codes, labels, _bounds(sorted_codes)), order


# ------------------------------------------------------------------------ cut-offs


def _is_fraction(value: Any) -> bool:
    return (isinstance(value, (float, np.floating)) and 0 < float(value) < 1)


def _cut_value(name: str, value: Any, axis: Axis) -> Any:
    """An absolute cut-off in axis units (int ns for datetimes, float otherwise)."""
    what = {"datetime": "time", "number": "number",
            "position": "row position within each group"}[axis.kind]
    rule = f"`{name}` must be a fraction strictly between 0 and 1 or a cut-off {what}"
    fix = (f"Pass a fraction strictly between 0 and 1 (of each group's time span, e.g. "
           f"{name}=0.2 for its last 20%), or a cut-off {what} like the data's (rows at or "
           "after it belong to the later part)")
    if isinstance(value, (bool, np.bool_)) or value is None:
        raise ArgumentTypeError(f"{rule}. Received: {name}={show(value)}. {fix}.")
    if axis.kind == "datetime":
        if isinstance(value, numbers.Real):
            # a number is a fraction here, never a cut-off: a value problem, not a type one
            raise ArgumentError(
                f"{rule}. Received: {name}={show(value)}, a number outside (0, 1) for data "
                f"whose time axis holds datetimes, where a number can only be a fraction. "
                f"{fix}, e.g. {name}='2021-06-01'."
            )
        if isinstance(value, numbers.Number):
            raise ArgumentTypeError(f"{rule}. Received: {name}={show(value)} of type "
                                    f"{type(value).__name__}. {fix}, e.g. {name}='2021-06-01'.")
        try:
            ts = pd.Timestamp(value)
            if ts is not pd.NaT:
                ts.as_unit("ns")
        except (pd.errors.OutOfBoundsDatetime, OverflowError):
            raise ArgumentError(
                f"{rule} inside the data. Received: {name}={show(value)}, beyond the times "
                f"pandas can compare ({pd.Timestamp.min} .. {pd.Timestamp.max}). {fix}."
            ) from None
        except (ValueError, TypeError):
            raise ArgumentError(
                f"{rule} pandas can read. Received: {name}={show(value)}. {fix}, e.g. "
                f"{name}='2021-06-01'."
            ) from None
        if ts is pd.NaT:
            raise ArgumentError(f"`{name}` must be a time, not NaT. Received: {name}=NaT. {fix}.")
        if axis.tz is not None and ts.tz is None:
            ts = ts.tz_localize(axis.tz)
        elif axis.tz is None and ts.tz is not None:
            raise ArgumentError(
                f"`{name}` has a time zone but the data's times have none. Received: "
                f"{name}={ts}. Pass a naive time, e.g. {name}={str(ts.tz_localize(None))!r}."
            )
        return int(ts.as_unit("ns").value)
    if isinstance(value, numbers.Real):
        return float(value)
    raise ArgumentTypeError(
        f"{rule} for this data (its time axis holds "
        f"{'no times' if axis.kind == 'position' else 'numbers'}). "
        f"Received: {name}={show(value)}. {fix}."
    )


def _cuts(axis: Axis, test: Any, validation: Any) -> list[np.ndarray]:
    """Per-group cut-offs in axis units: ``[validation_cut,] test_cut``, each of shape (groups,)."""
    G = axis.n_groups
    first = axis.t[axis.bounds[:-1]]
    last = axis.t[axis.bounds[1:] - 1]
    span = (last - first).astype(np.float64)
    lo, hi = axis.t.min(), axis.t.max()
    dt = axis.kind == "datetime"

    def absolute(name: str, value: Any) -> np.ndarray:
        c = _cut_value(name, value, axis)
        if not lo < c <= hi:
            unit = {"datetime": "times", "number": "times", "position": "row positions"}[axis.kind]
            raise ArgumentError(
                f"`{name}` must fall inside the data: after its first {unit[:-1]} and at or "
                f"before its last ({axis.label(lo)} .. {axis.label(hi)}). Received: "
                f"{name}={show(value)}. Pass a cut-off inside that range (rows at or after it "
                "belong to the later part), or a fraction strictly between 0 and 1."
            )
        return np.full(G, c, dtype=np.int64 if dt else np.float64)

    def back(from_: np.ndarray, fraction: float) -> np.ndarray:
        step = fraction * span
        if dt:
            return from_ - np.floor(step).astype(np.int64)
        return from_ - step

    if _is_fraction(test):
        test_cut = back(last, float(test))
    else:
        test_cut = absolute("test", test)
    if validation is None:
        return [test_cut]
    if _is_fraction(validation):
        if _is_fraction(test) and float(test) + float(validation) >= 1:
            raise ArgumentError(
                f"`validation` + `test` must be below 1 when both are fractions, to leave rows "
                f"for training. Received: validation={validation}, test={test}. Pass smaller "
                "fractions."
            )
        val_cut = back(test_cut, float(validation))
    else:
        val_cut = absolute("validation", validation)
        bad = np.flatnonzero(val_cut >= test_cut)
        if len(bad):
            g = int(bad[0])
            where = f" in group {show(axis.labels[g])}" if axis.labels is not None else ""
            raise ArgumentError(
                f"`validation` must be earlier than the test cut-off, since the parts are in time "
                f"order (train, validation, test). Received: validation={show(validation)}, "
                f"test={show(test)}, a test cut-off of {axis.label(test_cut[g])}{where}. Pass an "
                "earlier `validation` or a later `test`."
            )
    return [val_cut, test_cut]


def _purge_rows(purge: Any, auto: int) -> int:
    if isinstance(purge, str):
        if purge != "auto":
            raise ArgumentError(
                f"`purge` must be 'auto', False, or a number of rows >= 0. Received: "
                f"purge={show(purge)}."
            )
        return auto
    if purge is False:
        return 0
    if isinstance(purge, (bool, np.bool_)) or not isinstance(purge, numbers.Integral):
        raise ArgumentTypeError(
            f"`purge` must be 'auto', False, or a number of rows >= 0. Received: "
            f"purge={show(purge)} of type {type(purge).__name__}. Pass purge='auto' to purge "
            "the rows a window reaches back."
        )
    if purge < 0:
        raise ArgumentError(
            f"`purge` must be 'auto', False, or a number of rows >= 0. Received: "
            f"purge={show(purge)}. Pass purge='auto' to purge the rows a window reaches back."
        )
    return integer("purge", purge, minimum=0)  # also: at most int64, as numpy needs


# ---------------------------------------------------------------------------- split


def split_by_time(
    data: Any,
    *,
    test: Any,
    validation: Any = None,
    time: Any = None,
    group: Any = None,
    purge: Any = "auto",
) -> Split:
    """Split a DataFrame, or the windows cut from one, into train / validation / test by time.

    Parameters
    ----------
    data : pandas.DataFrame or Windows
        Rows to split by their time, or windows (from :func:`make_windows`) to split by the
        time of their targets. An Arrow or polars table is read as pandas (the parts are
        pandas DataFrames).
    test : float in (0, 1), time, or number
        Where the test part begins. A float strictly between 0 and 1 is a fraction of each
        group's time span (first to last time of the group): ``0.2`` puts the last 20% of
        every group's span in ``test``. Anything else is a cut-off: a time (Timestamp,
        datetime, or string like ``'2021-06-01'``) for a datetime axis, a number for a
        numeric one, a row position within each group when there is no time axis. Rows at
        or after the cut-off belong to the later part. Required.
    validation : float in (0, 1), time, or number, optional
        Where the validation part begins, read like ``test``. A fraction is of each group's
        span and is measured back from the test cut-off (so ``validation=0.1, test=0.2`` is
        70 / 10 / 20). Defaults to ``None``: no validation part.
    time : column name or array, optional
        DataFrames only: the time of each row (datetimes or numbers). Defaults to the
        DatetimeIndex if there is one, else the row order within each group. Windows carry
        their own time axis.
    group : column name or array, optional
        DataFrames only: the entity of each row. Fractions and purging work per group.
        Windows carry their own groups.
    purge : "auto", False, or int, keyword-only
        Rows before each cut whose targets an earlier part may not use: a window of an
        earlier part with a target row among the ``purge`` rows before the next cut is
        dropped (and counted), if its group has windows (rows, for a DataFrame) in a later
        part; a group with none there, such as one that ends before the cut, keeps all.
        ``"auto"`` (the default) is ``(timesteps - 1) * sampling_rate + 1 + gap`` rows for
        windows with targets: the rows a later part's windows read as inputs; it is ``0``
        for DataFrames (window each part on its own, and no window crosses a cut) and
        windows without targets. ``False`` or ``0``
        purges nothing; an integer purges that many rows (DataFrame rows too).

    Returns
    -------
    Split
        ``train``, ``validation`` (``None`` unless asked for) and ``test``, of the type of
        ``data``, with ``summary`` (per group: cut-offs, part sizes, purged and straddling
        counts) and ``report()``.

    Raises
    ------
    ArgumentError, ArgumentTypeError, ColumnError
        A cut-off outside the data, cut-offs out of order, fractions summing to 1 or more,
        a bad ``purge``, ``time``/``group`` given with Windows.
    DataError
        If a part would be empty; or missing times or group labels.

    See Also
    --------
    Scaler : fit it on ``split.train`` only.
    make_windows : window the whole series once, then split the windows, so the first
        test windows may read their inputs from before the cut.

    Notes
    -----
    Windows are assigned by **all** their target rows: a window is in a part only if every
    one of its ``horizon`` target rows is (without targets, every input row). So a target
    row of a later part is never among the rows of an earlier part's windows, whatever
    ``purge``. Purging (by row position within the group, so it also counts rows across
    gaps) adds the other direction: a later part's windows never read an earlier part's
    targets as inputs. Cost: a few vector passes over the rows; the parts share the
    windows' source.

    Examples
    --------
    One series of 20 rows, windows of 3 steps, the last 25% of the time span as test:

    >>> import numpy as np, pandas as pd, seqprep
    >>> df = pd.DataFrame({"t": np.arange(20), "y": np.arange(20.0)})
    >>> w = seqprep.make_windows(df, 3, targets="y", time="t")
    >>> s = seqprep.split_by_time(w, test=0.25)
    >>> len(s.train), len(s.test), s.n_purged
    (9, 5, 3)
    >>> int(s.train.index["target_time"].max()), int(s.test.index["first_time"].min())
    (11, 12)
    >>> print(s.report())
    17 windows split in time order: train 9, test 5
    purged: 3 windows with targets in the 3 rows before a later part's cut
    straddling: 0 windows with targets on both sides of a cut
    cut-offs: test 14.25

    The test windows' inputs (from row 12) never hold a training target (up to row 11).
    The same split of the rows, for a DataFrame:

    >>> s = seqprep.split_by_time(df, test=0.25, validation=0.25, time="t")
    >>> len(s.train), len(s.validation), len(s.test)
    (10, 5, 5)
    """
    if isinstance(data, Windows):
        for name, value in (("time", time), ("group", group)):
            if value is not None:
                raise ArgumentError(
                    f"`{name}` must be None when splitting Windows: they carry their own "
                    f"{name} axis. Received: {name}={show(value)}. Pass {name}= to "
                    "`make_windows` instead."
                )
        return _split_windows(data, test, validation, purge)
    data = as_pandas(data)  # Arrow, polars: the one conversion layer (seqprep._tables)
    if isinstance(data, pd.DataFrame):
        return _split_frame(data, test, validation, time, group, purge)
    raise ArgumentTypeError(
        f"`data` must be a pandas DataFrame or a Windows from `make_windows`. Received: "
        f"{type(data).__name__}. Wrap an array in `pd.DataFrame(...)` first."
    )


def _part_of_rows(axis: Axis, cuts: list[np.ndarray]) -> np.ndarray:
    part = np.zeros(len(axis.t), dtype=np.int64)
    for c in cuts:
        part += axis.t >= c[axis.codes]
    return part


def _first_rows(axis: Axis, part: np.ndarray, k: int) -> np.ndarray:
    """Per group, the first sorted row of part ``k`` or later (the position of cut ``k``)."""
    before = np.bincount(axis.codes, weights=(part < k), minlength=axis.n_groups)
    return axis.bounds[:-1] + before.astype(np.int64)


def _summary(axis: Axis, cuts: list[np.ndarray], names: list[str], counts: dict) -> pd.DataFrame:
    cols: dict[str, Any] = {}
    if axis.labels is not None:
        cols["group"] = axis.labels
    for name, c in zip(names[1:], cuts):
        cols[f"{name}_cut"] = axis.labels_of(c)
    cols.update(counts)
    return pd.DataFrame(cols)


def _check_parts(sizes: dict[str, int], names: list[str], test: Any, validation: Any,
                 purge: int, n_purged: int, n_straddling: int, unit: str, what: str) -> None:
    for name in names:
        if sizes[name]:
            continue
        # the cut-off that bounds the empty part: the first cut for train, its own otherwise
        arg = names[1] if name == "train" else name
        value = validation if arg == "validation" else test
        lost = []
        purged_here = n_purged and name != names[-1]  # purging never empties the last part
        if purged_here:
            lost.append(f"{plural(n_purged, unit[:-1])} purged (purge={purge} rows)")
        if n_straddling:
            lost.append(f"{plural(n_straddling, unit[:-1])} straddling a cut")
        raise DataError(
            f"`{arg}` leaves the {name} part empty: no {unit[:-1]} falls in it. Received: "
            f"{arg}={show(value)} for {what}"
            f"{'; ' + ' and '.join(lost) if lost else ''}. Move the cut-off"
            f"{' or lower `purge`' if purged_here else ''} so each part keeps some {unit}."
        )


def _split_frame(data, test, validation, time, group, purge) -> Split:
    if len(data) == 0:
        raise ShapeError("`data` must have at least one row to split. Received: 0 rows.")
    purge_rows = _purge_rows(purge, auto=0)
    data = _native_order(data)  # pandas can neither hash nor take rows of big-endian columns
    axis, order = _frame_axis(data, time, group)
    cuts = _cuts(axis, test, validation)
    names = ["train", "validation", "test"] if validation is not None else ["train", "test"]
    part = _part_of_rows(axis, cuts)
    keep = np.ones(len(part), dtype=bool)
    if purge_rows:
        pos = np.arange(len(part))
        later = np.zeros(axis.n_groups, dtype=bool)  # groups with rows in a part after k
        for k in reversed(range(len(cuts))):  # last cut first: a later part is final
            later |= np.bincount(axis.codes[keep & (part == k + 1)],
                                 minlength=axis.n_groups) > 0
            nxt = _first_rows(axis, part, k + 1)[axis.codes]
            keep &= ~((part <= k) & (pos >= nxt - purge_rows) & later[axis.codes])
    G = axis.n_groups
    counts = {n: np.bincount(axis.codes[keep & (part == k)], minlength=G)
              for k, n in enumerate(names)}
    counts["purged"] = np.bincount(axis.codes[~keep], minlength=G)
    sizes = {n: int(counts[n].sum()) for n in names}
    _check_parts(sizes, names, test, validation, purge_rows, int((~keep).sum()), 0, "rows",
                 f"data of {plural(len(data), 'row')}")
    parts = {}
    for k, n in enumerate(names):
        rows = np.sort(order[keep & (part == k)])
        parts[n] = data.iloc[rows]
    return Split(
        train=parts["train"], validation=parts.get("validation"), test=parts["test"],
        summary=_summary(axis, cuts, names, counts), purge=purge_rows, unit="rows",
    )


def _native_order(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with big-endian (non-native) numpy columns in native byte order, same values."""
    odd = [i for i, d in enumerate(data.dtypes) if isinstance(d, np.dtype) and not d.isnative]
    if not odd:
        return data
    out = data.copy(deep=False)
    for i in odd:
        out.isetitem(i, native_order(data.iloc[:, i]))
    return out


def _split_windows(w: Windows, test, validation, purge) -> Split:
    has_targets = w.has_targets
    purge_rows = _purge_rows(purge, auto=w.target_offset if has_targets else 0)
    axis = _windows_axis(w)
    cuts = _cuts(axis, test, validation)
    names = ["train", "validation", "test"] if validation is not None else ["train", "test"]
    row_part = _part_of_rows(axis, cuts)
    starts = w.starts
    if has_targets:
        first, last = starts + w.target_offset, starts + w.target_offset + w.horizon - 1
    else:
        first, last = starts, starts + w.span - 1
    part = row_part[first]
    straddling = row_part[last] != part
    purged = np.zeros(len(starts), dtype=bool)
    gcode = axis.codes[starts]
    G = axis.n_groups
    if purge_rows:
        later = np.zeros(G, dtype=bool)  # groups with windows in a part after k
        for k in reversed(range(len(cuts))):  # last cut first: a later part is final
            later |= np.bincount(gcode[(part == k + 1) & ~straddling & ~purged],
                                 minlength=G) > 0
            nxt = _first_rows(axis, row_part, k + 1)[gcode]
            purged |= (part == k) & ~straddling & (last >= nxt - purge_rows) & later[gcode]
    keep = ~(straddling | purged)
    counts = {n: np.bincount(gcode[keep & (part == k)], minlength=G) for k, n in enumerate(names)}
    counts["purged"] = np.bincount(gcode[purged], minlength=G)
    counts["straddling"] = np.bincount(gcode[straddling], minlength=G)
    sizes = {n: int(counts[n].sum()) for n in names}
    _check_parts(sizes, names, test, validation, purge_rows, int(purged.sum()),
                 int(straddling.sum()), "windows", f"Windows of {plural(len(w), 'sample')}")
    summary = _summary(axis, cuts, names, counts)
    parts = {}
    for k, n in enumerate(names):
        idx = np.flatnonzero(keep & (part == k))
        parts[n] = w.subset(idx, note=f"split_by_time: the {n} part, "
                                      f"{plural(len(idx), 'window')} of {len(w):,}")
    return Split(
        train=parts["train"], validation=parts.get("validation"), test=parts["test"],
        summary=summary, purge=purge_rows, unit="windows",
    )
