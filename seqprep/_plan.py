"""The window spec and the plan: which rows make which window, wherever the rows live.

Index arithmetic, for one contiguous segment of rows (one group, or a piece of one between
gaps) numbered ``0 .. L-1``, with ``T = timesteps``, ``r = sampling_rate``, ``H = horizon``:

- window ``i`` starts at row ``s = i * stride``;
- its input rows are ``s, s + r, ..., s + (T - 1) * r`` (the *span* is ``(T - 1) * r + 1``);
- its target rows are ``e + 1 + gap, ..., e + gap + H`` where ``e = s + (T - 1) * r`` is its
  last input row;
- it needs ``need = span + gap + H`` rows (``span`` without targets), so the segment gives
  ``k = max(0, (L - need) // stride + 1)`` windows.

:func:`plan` computes, from a :class:`WindowSpec`, the time axis and the group labels of
the rows, the :class:`Plan`: the order of the rows (by group, then time), the segments
(groups split at gaps, per ``on_gap``), the first row of every window and the account of
the rows no window reads. It never touches feature values, so in-memory arrays
(:func:`make_windows`) and Parquet files (:func:`open_windows`) get the same plan.

Accounting: every input row is either read by at least one sample (as an input or a
target row) or counted in ``dropped`` with its reason, so
``rows read + dropped["rows"].sum() == n_rows`` whatever the arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _time
from ._args import integer, plural, show
from ._columns import group_codes
from ._errors import (ArgumentError, ArgumentTypeError, GapError, OrderError, SampleIndexError,
                      ShapeError)

__all__ = ["DROPPED_COLUMNS", "DROP_REASONS", "Plan", "WindowSpec", "account", "plan",
           "plain", "report_tail", "sample_positions"]

DROP_REASONS = {
    "tail": "rows after the last whole window of a segment",
    "between_strides": "rows between windows because stride > window length",
    "skipped": "rows inside windows that no sample reads (sampling_rate > 1, or gap rows "
               "with a large stride)",
    "short_group": "groups shorter than one window (inputs + gap + horizon)",
    "short_segment": "pieces between gaps shorter than one window",
}
DROPPED_COLUMNS = ["group", "segment", "reason", "rows", "first", "last"]


# ------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class WindowSpec:
    """The sizes of a window (frozen) and the arithmetic on them.

    Examples
    --------
    >>> s = WindowSpec.checked(3, horizon=2, gap=1, sampling_rate=2)
    >>> s.span, s.target_offset, s.need
    (5, 6, 8)
    """

    timesteps: int
    horizon: int = 1
    gap: int = 0
    stride: int = 1
    sampling_rate: int = 1
    with_targets: bool = True

    @classmethod
    def checked(cls, timesteps: Any, *, horizon: Any = 1, gap: Any = 0, stride: Any = 1,
                sampling_rate: Any = 1, with_targets: bool = True) -> WindowSpec:
        """A spec from user arguments, each checked (an error names the one that is wrong)."""
        return cls(
            timesteps=integer("timesteps", timesteps,
                              fix="It is the number of time steps per window."),
            horizon=integer("horizon", horizon),
            gap=integer("gap", gap, minimum=0),
            stride=integer("stride", stride),
            sampling_rate=integer("sampling_rate", sampling_rate),
            with_targets=bool(with_targets),
        )

    @property
    def span(self) -> int:
        """Rows from a window's first input row to its last: ``(timesteps - 1) * sampling_rate + 1``."""
        return (self.timesteps - 1) * self.sampling_rate + 1

    @property
    def target_offset(self) -> int:
        """Rows from a window's first input row to its first target row: ``span + gap``."""
        return self.span + self.gap

    @property
    def need(self) -> int:
        """Rows one window needs: ``span``, plus ``gap + horizon`` with targets."""
        return self.span + (self.gap + self.horizon if self.with_targets else 0)

    def reads(self) -> np.ndarray:
        """Offsets (from a window's first row) of the rows it reads: inputs, then targets."""
        read = np.arange(self.timesteps) * self.sampling_rate
        if self.with_targets:
            read = np.concatenate([read, self.target_offset + np.arange(self.horizon)])
        return read

    def windows_in(self, seg_len: np.ndarray) -> np.ndarray:
        """Windows each segment of ``seg_len`` rows gives."""
        seg_len = np.asarray(seg_len, dtype=np.int64)
        if self.need > int(seg_len.max(initial=0)):  # also a need beyond int64: no window
            return np.zeros(len(seg_len), dtype=np.int64)
        return np.where(seg_len >= self.need, (seg_len - self.need) // self.stride + 1, 0)


# ------------------------------------------------------------------- the plan


@dataclass
class Plan:
    """Where every window of a table of ``n_rows`` rows is, and what no window reads.

    Rows are numbered in *window order* (sorted by group, then time): ``order[k]`` is the
    input position of sorted row ``k`` (``None``: the input was already in order).
    """

    spec: WindowSpec
    n_rows: int
    order: np.ndarray | None
    group_sorted: np.ndarray | None  # group label of each sorted row
    group_bounds: np.ndarray  # first sorted row of each group, then n_rows
    seg_start: np.ndarray
    seg_len: np.ndarray
    starts: np.ndarray | range  # first sorted row of each window
    times_sorted: Any = None  # time of each sorted row (None: no time axis)
    freq: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_windows(self) -> np.ndarray:
        return self.spec.windows_in(self.seg_len)

    def starts_array(self) -> np.ndarray:
        s = self.starts
        if isinstance(s, range):
            return np.arange(s.start, s.stop, s.step, dtype=np.int64)
        return np.asarray(s, dtype=np.int64)

    def position(self, sorted_rows: np.ndarray) -> np.ndarray:
        """Input positions of sorted rows."""
        return sorted_rows if self.order is None else self.order[sorted_rows]

    def label(self, sorted_rows: np.ndarray) -> Any:
        """Times of sorted rows, or their input positions without a time axis."""
        if self.times_sorted is None:
            return self.position(sorted_rows)
        return self.times_sorted[sorted_rows]

    def _segment_numbers(self) -> tuple[np.ndarray, np.ndarray]:
        seg_group_id = np.searchsorted(self.group_bounds, self.seg_start, side="right") - 1
        seg_number = np.arange(len(self.seg_start)) - np.searchsorted(
            self.seg_start, self.group_bounds[seg_group_id])
        return seg_group_id, seg_number

    def index(self) -> pd.DataFrame:
        """One row per window: group, segment, first/last/target rows and times."""
        spec, s = self.spec, self.starts_array()
        _, seg_number = self._segment_numbers()
        cols: dict[str, Any] = {}
        if self.group_sorted is not None:
            cols["group"] = self.group_sorted[s]
        if len(self.seg_start) == 1:
            cols["segment"] = np.zeros(len(s), dtype=np.int64)
        else:
            seg_of = np.repeat(np.arange(len(self.seg_start)), self.n_windows)
            cols["segment"] = seg_number[seg_of]
        cols["first_row"] = self.position(s)
        cols["last_row"] = self.position(s + spec.span - 1)
        if spec.with_targets:
            cols["target_row"] = self.position(s + spec.target_offset)
        if self.times_sorted is not None:
            cols["first_time"] = plain(self.times_sorted[s])
            cols["last_time"] = plain(self.times_sorted[s + spec.span - 1])
            if spec.with_targets:
                cols["target_time"] = plain(self.times_sorted[s + spec.target_offset])
        return pd.DataFrame(cols)

    def dropped(self, label: Callable[[np.ndarray], Any] | None = None) -> pd.DataFrame:
        """The rows no window reads, by segment and reason (``first``/``last`` by ``label``,
        the plan's times or positions by default)."""
        spec = self.spec
        k = self.n_windows.astype(np.int64)
        has = k > 0
        seg_start, seg_len, stride, need = self.seg_start, self.seg_len, spec.stride, spec.need
        ext = np.where(has, (k - 1) * stride + need, 0)  # first row of window 0 .. last of the last
        covered = np.where(has, (k - 1) * min(stride, need) + need, 0)
        seg_group_id, seg_number = self._segment_numbers()
        n_groups = len(self.group_bounds) - 1
        in_group = np.bincount(seg_group_id, minlength=n_groups)[seg_group_id]
        short_reason = np.where(in_group == 1, "short_group", "short_segment")
        end = seg_start + seg_len - 1
        entries = [
            (short_reason, np.where(has, 0, seg_len), seg_start, end),
            ("between_strides", np.where(has, (k - 1) * max(0, stride - need), 0),
             seg_start + need, seg_start + ext - need - 1),
            ("skipped", covered - np.where(has, _rows_read(k, spec.reads(), stride), 0),
             seg_start, seg_start + ext - 1),
            ("tail", np.where(has, seg_len - ext, 0), seg_start + ext, end),
        ]
        seg_group = None if self.group_sorted is None else self.group_sorted[seg_start]
        return account(entries, seg_group, seg_number, label or self.label)


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


def account(entries: list[tuple[Any, np.ndarray, np.ndarray, np.ndarray]],
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

    def pick(parts: list) -> np.ndarray:
        return np.concatenate(parts)[order]

    return pd.DataFrame({
        "group": seg_group[seg_i] if seg_group is not None else np.full(len(seg_i), None),
        "segment": seg_number[seg_i].astype(np.int64),
        "reason": pick(reasons).astype(object),
        "rows": pick(rows).astype(np.int64),
        "first": plain(label(pick(first))),
        "last": plain(label(pick(last))),
    }, columns=DROPPED_COLUMNS)


def plain(values: Any) -> Any:
    """Index or Series values as they are, anything else as a numpy array."""
    return values if isinstance(values, (pd.Index, pd.Series)) else np.asarray(values)


def sample_positions(indices: Any, n: int, name: str = "indices") -> np.ndarray:
    """``indices`` as int64 positions of ``n`` samples (negative ones count from the end; a
    boolean mask of length ``n`` selects), or an error naming ``name``: never a silent cast.

    Examples
    --------
    >>> sample_positions([0, -1], 5).tolist(), sample_positions([True, False, True], 3).tolist()
    ([0, 4], [0, 2])
    """
    arr = np.asarray(indices)
    if arr.dtype == bool:
        if arr.shape != (n,):
            raise ShapeError(f"`{name}` as a boolean mask must have one value per sample. "
                             f"Received: a mask of shape {arr.shape} for {plural(n, 'sample')}.")
        return np.flatnonzero(arr).astype(np.int64)
    if arr.size and arr.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"`{name}` must be integer sample positions (or a boolean mask). Received: "
            f"{show(indices)}. Pass integers, e.g. np.arange(len(windows))."
        )
    if not arr.size:
        return arr.astype(np.int64)
    big = arr.dtype.kind == "u" and arr.max() > n
    out = arr.astype(np.int64)
    bad = (out < -n) | (out >= n) | big
    if bad.any():
        first = arr[bad].flat[0] if not big else arr.max()
        raise SampleIndexError(
            f"`{name}` must be positions of the {plural(n, 'sample')} (-{n}..{n - 1}). "
            f"Received: {show(int(first))} among {plural(arr.size, 'position')}."
        )
    return np.where(out < 0, out + n, out)


def report_tail(dropped: pd.DataFrame, reasons: dict[str, str], notes: list[str]) -> list[str]:
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


# ------------------------------------------------------------------- planning


@dataclass
class _Rows:
    """The rows being planned, in the order reached so far."""

    n: int
    codes: np.ndarray | None
    labels: Any
    tv: np.ndarray | None
    kind: str | None
    tz: Any
    order: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)


def _sort(rows: _Rows, sort: bool) -> None:
    """Order rows by (group, time); refuse unsorted times with ``sort=False``."""
    codes, tv, n = rows.codes, rows.tv, rows.n
    if codes is None and tv is None:
        return
    back_steps = 0
    if tv is not None:
        by_group = None if codes is None else np.argsort(codes, kind="stable")
        t_g = tv if by_group is None else tv[by_group]
        back = t_g[1:] < t_g[:-1]  # compared, never subtracted: no int64 wrap (D24)
        if codes is not None:
            c_g = codes[by_group]
            back &= c_g[1:] == c_g[:-1]
        back_steps = int(back.sum())
        if back_steps and not sort:
            i = int(np.flatnonzero(back)[0]) + 1
            row = int(by_group[i]) if by_group is not None else i
            where = f" in group {show(rows.labels[codes[row]])}" if codes is not None else ""
            raise OrderError(
                f"`time` must increase within each group when sort=False. Received: "
                f"{plural(back_steps, 'step')} back in time, the first at row {row}"
                f"{where}. Pass sort=True to sort, or sort the data first."
            )
        order = np.argsort(tv, kind="stable") if codes is None else np.lexsort((tv, codes))
    else:
        assert codes is not None
        order = np.argsort(codes, kind="stable")
    moved = int((order != np.arange(n)).sum())
    if moved == 0:
        return
    what = "sorted by time within groups" if back_steps else "rows regrouped by `group`"
    rows.notes.append(f"{what}: {plural(moved, 'row')} moved")
    rows.order = order
    rows.codes = None if codes is None else codes[order]
    rows.tv = None if tv is None else tv[order]


def _refuse_repeats(rows: _Rows, inner: np.ndarray) -> None:
    tv, codes = rows.tv, rows.codes
    assert tv is not None
    dup = inner & (np.diff(tv) == 0)
    if not dup.any():
        return
    at = np.flatnonzero(dup)[:5] + 1
    shown_times = _time.time_labels(tv[at], rows.kind, rows.tz)
    grp = [rows.labels[codes[r]] if codes is not None else None for r in at]
    where = ", ".join(f"{t}" + (f" in group {show(g)}" if g is not None else "")
                      for t, g in zip(shown_times, grp))
    raise OrderError(
        f"`time` must not repeat within a group. Received: "
        f"{plural(int(dup.sum()), 'repeated time')}: {where}"
        f"{' ...' if dup.sum() > 5 else ''}. Drop or aggregate the duplicates first, "
        "e.g. `df.drop_duplicates([group, time])` or `df.groupby([group, time]).mean()`."
    )


def _gaps(rows: _Rows, inner: np.ndarray, cut: np.ndarray, group_bounds: np.ndarray,
          freq: Any, on_gap: str) -> tuple[np.ndarray, str | None]:
    """Segment boundaries (``cut`` plus gaps, per ``on_gap``) and the step used."""
    tv, kind, tz = rows.tv, rows.kind, rows.tz
    assert tv is not None and kind is not None
    if freq is None:
        inferred = _time.infer_freq(tv, kind, tz, inner, group_bounds)
        unit = None if inferred is None else _time.step(inferred, kind, tz)
        if unit is not None:
            rows.notes.append(f"freq {unit.name} inferred from the most common step between rows")
    else:
        unit = _time.step(freq, kind, tz)
    if unit is None:
        return cut, None
    off = _time.off_grid(tv, unit, tz) & inner
    if not off.any():
        return cut, unit.name
    gaps = _time.gap_table(tv, off, rows.codes, rows.labels, kind, tz, unit)
    if on_gap == "error":
        head = gaps.head(5)
        shown = "; ".join(
            (f"group {show(r.group)}: " if rows.codes is not None else "")
            + f"after {r.after} next is {r.before}" for r in head.itertuples()
        )
        raise GapError(
            f"`on_gap='error'`: time must advance by freq={unit.name} within each "
            f"group. Received: {plural(len(gaps), 'gap')} ({shown}"
            f"{' ...' if len(gaps) > 5 else ''}). Pass on_gap='split' to start new "
            "windows after each gap, fill the missing steps, or pass the right `freq`.",
            gaps=gaps,
        )
    if on_gap == "split":
        rows.notes.append(f"split at {plural(len(gaps), 'gap')}")
        return np.union1d(cut, np.flatnonzero(off) + 1), unit.name
    rows.notes.append(f"{plural(len(gaps), 'gap')} ignored: windows cross them")
    return cut, unit.name


def _window_starts(spec: WindowSpec, seg_start: np.ndarray, seg_len: np.ndarray,
                   no_window: Callable[[int, int, str], str]) -> np.ndarray | range:
    n_per = spec.windows_in(seg_len)
    total = int(n_per.sum())
    if total == 0:
        where = "group or segment" if len(seg_len) > 1 else "series"
        raise ShapeError(no_window(spec.need, int(seg_len.max()), where))
    if len(seg_start) == 1:
        return range(0, (total - 1) * spec.stride + 1, spec.stride)
    seg_of = np.repeat(np.arange(len(seg_start)), n_per)
    offsets = np.arange(total) - np.repeat(np.cumsum(n_per) - n_per, n_per)
    return seg_start[seg_of] + offsets * spec.stride


def plan(spec: WindowSpec, n: int, *, groups: Any = None, times: Any = None,
         freq: Any = None, on_gap: str = "error", sort: bool = True,
         no_window: Callable[[int, int, str], str]) -> Plan:
    """The :class:`Plan` of ``n`` rows with group labels ``groups`` and times ``times``
    (each None, or one value per row).

    Raises :class:`OrderError` (repeated times; unsorted ones with ``sort=False``),
    :class:`GapError` (a gap with ``on_gap='error'``) and :class:`ShapeError` worded by
    ``no_window(need, longest, where)`` when no window fits.

    Examples
    --------
    Two groups, rows out of order, one missing step in group ``b`` (split there):

    >>> spec = WindowSpec.checked(2, horizon=1)
    >>> p = plan(spec, 9, groups=list("aaaabbbbb"), times=[3, 2, 1, 0, 0, 1, 2, 4, 5],
    ...          on_gap="split", no_window=lambda need, longest, where: "too short")
    >>> p.order.tolist(), p.seg_start.tolist(), p.seg_len.tolist(), p.starts_array().tolist()
    ([3, 2, 1, 0, 4, 5, 6, 7, 8], [0, 4, 7], [4, 3, 2], [0, 1, 4])
    >>> p.notes  # doctest: +NORMALIZE_WHITESPACE
    ['sorted by time within groups: 4 rows moved',
     'freq 1 inferred from the most common step between rows', 'split at 1 gap']
    >>> p.dropped()[["group", "segment", "reason", "rows"]].to_numpy().tolist()
    [['b', 1, 'short_segment', 2]]
    """
    codes = labels = None
    if groups is not None:
        codes, labels = group_codes(groups)
    tv = kind = tz = None
    if times is not None:
        tv, kind, tz = _time.time_values(times)
    if freq is not None and tv is None:
        raise ArgumentError(
            f"`freq` needs a time axis. Received: freq={show(freq)} with no `time` and no "
            "DatetimeIndex. Pass `time` (a column name or one value per row), or leave out `freq`."
        )
    rows = _Rows(n, codes, labels, tv, kind, tz)
    _sort(rows, sort)
    cut = (np.flatnonzero(np.diff(rows.codes) != 0) + 1 if rows.codes is not None
           else np.empty(0, dtype=np.int64))
    group_bounds = np.concatenate([[0], cut, [n]]).astype(np.int64)
    seg_cut, freq_str = cut, None
    if rows.tv is not None and n > 1:
        inner = np.ones(n - 1, dtype=bool)
        inner[cut - 1] = False  # steps that cross groups are not steps
        _refuse_repeats(rows, inner)
        seg_cut, freq_str = _gaps(rows, inner, cut, group_bounds, freq, on_gap)
    seg_bounds = np.concatenate([[0], seg_cut, [n]]).astype(np.int64)
    seg_start, seg_len = seg_bounds[:-1], np.diff(seg_bounds)
    starts = _window_starts(spec, seg_start, seg_len, no_window)
    times_sorted: Any = None
    if rows.tv is not None:
        times_sorted = _time.datetimes(rows.tv, tz) if kind == "datetime" else rows.tv
        if kind == "datetime" and tz is None:
            times_sorted = times_sorted.to_numpy()
    return Plan(
        spec=spec, n_rows=n, order=rows.order,
        group_sorted=None if rows.codes is None else np.asarray(labels)[rows.codes],
        group_bounds=group_bounds, seg_start=seg_start, seg_len=seg_len, starts=starts,
        times_sorted=times_sorted, freq=freq_str, notes=rows.notes,
    )
