"""The time-series checks behind :class:`SeriesSchema`, vectorised and registered with pandera.

pandera checks types, nulls and ranges but has no checks for the order, repeats or
frequency of a pandas time column. This module adds them, twice over:

- :class:`TimeChecker` runs the per-group checks (``increasing_time``, ``unique_time``,
  ``regular_freq``, ``min_length``) in numpy, one chunk of rows at a time, carrying the last
  time of every group from one chunk to the next (so a Parquet file read in row groups
  is checked exactly like the whole frame, boundaries included). It returns failing cases
  in the stable format of :attr:`ValidationError.failures`.
- The same rules are registered as pandera check methods (``Check.increasing_time(...)``,
  ``Check.unique_time(...)``, ``Check.regular_freq(...)``, ``Check.min_length(...)``,
  ``Check.time_parses(...)``, ``Check.numeric()``, ``Check.finite()``), so the pandera schema
  from :meth:`SeriesSchema.to_pandera` enforces them too, with their statistics kept.

Cost: one stable sort of the group codes (a linear radix sort when groups fit in 16 bits),
a second sort by time only when some group is out of order, then a few passes of
``numpy.diff``-style arithmetic: linear in rows.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _time
from ._args import plural
from ._errors import SchemaError
from ._failures import CHECKS, FAILURE_COLUMNS, empty_failures, failure_frame
from ._time import DAY_NS, ParsedTime, Step, named_freq, normalize_freq, step_name

__all__ = ["CHECKS", "FAILURE_COLUMNS", "TimeChecker", "empty_failures", "failure_frame",
           "normalize_freq", "parse_time", "register_pandera_checks"]

# ------------------------------------------------------------------- frequencies


def _factorize(s: pd.Series) -> tuple[np.ndarray, Any]:
    """``pandas.factorize`` (-1 for missing), faster when equal labels come in long runs.

    Long tables are usually stored group after group: then labels are compared with their
    neighbours (one vectorised pass), only the first label of each run is factorized, and
    the codes are repeated over the runs.
    """
    n = len(s)
    change = None
    if n > 1000:
        if isinstance(s.dtype, pd.ArrowDtype) or (
                isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow"):
            import pyarrow as pa
            import pyarrow.compute as pc

            arr = s.array.__arrow_array__()
            arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
            neq = pc.fill_null(pc.not_equal(arr.slice(1), arr.slice(0, n - 1)), True)
            change = neq.to_numpy(zero_copy_only=False)
        elif s.dtype.kind in "iub":
            v = s.to_numpy()
            change = v[1:] != v[:-1]
    if change is not None:
        starts = np.concatenate([[0], np.flatnonzero(change) + 1])
        if len(starts) <= n // 8:
            run_codes, uniques = pd.factorize(s.iloc[starts], use_na_sentinel=True)
            lengths = np.diff(np.append(starts, n))
            return np.repeat(run_codes.astype(np.int64), lengths), uniques
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes, uniques


# ------------------------------------------------------------------- time parsing


def parse_time(s: pd.Series, *, column: Hashable, time_type: str | None,
               timezone: str | None, row_offset: int = 0) -> ParsedTime:
    """Parse a time column under the schema's ``time_type`` and ``timezone`` policy
    (:func:`seqprep._time.parse_column`, the one parser), with its problems as failure
    tables in ``failures``.

    Null times are left to the ``not_null`` check; values that are present but do not
    parse are ``time_parses`` failures; a column of the wrong kind is one ``dtype``
    failure. Never raises for bad data.
    """
    p = _time.parse_column(s, time_type=time_type, timezone=timezone)
    p.failures = [
        failure_frame(check, column, None, None if rows is None else rows + row_offset, None,
                      value)
        for check, rows, value in p.problems
    ]
    return p


# --------------------------------------------------------------- per-group checks


@dataclass
class _Chunk:
    """One chunk's usable rows for :class:`TimeChecker`: group codes ``c``, times ``t``,
    wall clock ``w``, in the order reached so far (``order`` into the kept rows ``keep``)."""

    c: np.ndarray
    t: np.ndarray
    w: np.ndarray | None
    follows_bad: np.ndarray | None
    keep: np.ndarray | None
    row_offset: int
    order: np.ndarray | None = None
    starts: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    ends: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    g_start: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    fresh: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))

    def reorder(self, o: np.ndarray) -> None:
        self.order = o if self.order is None else self.order[o]
        self.c, self.t = self.c[o], self.t[o]
        self.w = None if self.w is None else self.w[o]
        self.follows_bad = None if self.follows_bad is None else self.follows_bad[o]

    def rows_of(self, pos: np.ndarray) -> np.ndarray:
        """Positions in the chunk's current order -> rows of the data."""
        r = pos if self.order is None else self.order[pos]
        r = r if self.keep is None else self.keep[r]
        return r + self.row_offset

    def without_fresh(self, pos: np.ndarray) -> np.ndarray:
        return pos[~np.isin(pos, self.fresh)] if len(self.fresh) and len(pos) else pos


class TimeChecker:
    """The per-group time checks, run chunk by chunk.

    Call :meth:`update` with consecutive chunks of rows (each a DataFrame with the time
    column and, if any, the group column), then :meth:`finish`. Between chunks it keeps,
    per group, the last time seen (for order), the largest time seen (for repeats and
    gaps), and the row count (for ``min_length``), so a failure straddling a chunk
    boundary is found as in one pass. Limits of chunking: a repeat of a time that is not
    the latest of its group so far is found only within a chunk, and with ``freq=None``
    the step is inferred from the first chunk that has one.

    Parameters
    ----------
    time, group : column names (``group`` may be None for one series)
    freq : str, int or None
        The expected step; None infers the most common step (``regular=True``).
    regular : bool
        Check the step at all.
    min_length : int or None
    time_type, timezone : as in :class:`SeriesSchema`.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"t": [0, 1, 3, 3, 4]})
    >>> c = TimeChecker("t", None, freq=1, min_length=10)
    >>> fails = pd.concat(c.update(df) + c.finish())
    >>> fails[["check", "row", "time", "value"]].to_numpy().tolist()
    [['unique_time', 3, 3, 2], ['regular_freq', 2, 3, 2], ['min_length', <NA>, None, 5]]
    """

    def __init__(self, time: Hashable, group: Hashable | None = None, *, freq=None,
                 regular: bool = True, min_length: int | None = None,
                 time_type: str | None = None, timezone: str | None = None) -> None:
        self.time = time
        self.group = group
        self.freq = freq
        self.regular = regular
        self.min_length = min_length
        self.time_type = time_type
        self.timezone = timezone
        self.kind: str | None = None
        self.step: Step | None = None
        self.use_wall = False
        self.notes: list[str] = []
        self.parsed: ParsedTime | None = None  # of the last chunk
        self._index = pd.Index([], dtype=object)  # group label -> code (its position)
        self._labels: list[Any] = []
        n0 = 0 if group is not None else 1
        self._last_seen = np.zeros(n0, np.int64)   # last time in input order
        self._last_max = np.zeros(n0, np.int64)    # largest time (ns or int)
        self._last_wall = np.zeros(n0, np.int64)   # wall clock of the largest time
        self._last_row = np.zeros(n0, np.int64)    # row of the largest time
        self._has_last = np.zeros(n0, bool)
        self._last_bad = np.zeros(n0, bool)       # last row had no usable time
        self._counts = np.zeros(n0, np.int64)
        self._unsearched = 0  # rows before their group's latest time of an earlier chunk
        if group is None:
            self._labels.append(None)

    # -- groups --------------------------------------------------------------

    def _codes(self, frame: pd.DataFrame) -> tuple[np.ndarray, bool]:
        """Global group codes of the chunk's rows (-1 for a missing group), and whether
        every row has one."""
        if self.group is None:
            return np.zeros(len(frame), np.int64), True
        local, uniques = _factorize(frame[self.group])
        uniques = pd.Index(uniques, dtype=object)
        glob = self._index.get_indexer(uniques) if len(self._index) else \
            np.full(len(uniques), -1, np.int64)
        new = glob < 0
        if new.any():
            fresh = uniques[new]
            glob[new] = np.arange(len(self._labels), len(self._labels) + len(fresh))
            self._labels.extend(fresh.tolist())
            self._index = self._index.append(fresh)
        glob = np.asarray(glob, np.int64)
        grow = len(self._labels) - len(self._counts)
        if grow > 0:
            z = np.zeros(grow, np.int64)
            self._last_seen = np.concatenate([self._last_seen, z])
            self._last_max = np.concatenate([self._last_max, z])
            self._last_wall = np.concatenate([self._last_wall, z])
            self._last_row = np.concatenate([self._last_row, z])
            self._counts = np.concatenate([self._counts, z])
            self._has_last = np.concatenate([self._has_last, np.zeros(grow, bool)])
            self._last_bad = np.concatenate([self._last_bad, np.zeros(grow, bool)])
        local = local.astype(np.int64, copy=False)
        all_coded = len(local) == 0 or local.min() >= 0
        if np.array_equal(glob, np.arange(len(glob))):
            return local, all_coded
        if all_coded:
            return glob[local], True
        codes = np.full(len(frame), -1, np.int64)
        ok = local >= 0
        codes[ok] = glob[local[ok]]
        return codes, False

    def _group_objects(self, codes: np.ndarray) -> np.ndarray:
        labels = np.empty(len(self._labels), dtype=object)
        labels[:] = self._labels
        return labels[codes]

    def time_objects(self, values: np.ndarray) -> np.ndarray:
        """Checked times (int64 values) as the objects failure tables hold."""
        if self.kind == "integer":
            return values.astype(object)
        tz = self.parsed.tz if self.parsed is not None else None
        return _time.datetimes(values, tz).astype(object).to_numpy()

    def _step_objects(self, steps: np.ndarray) -> np.ndarray:
        if self.kind == "integer":
            return steps.astype(object)
        return pd.to_timedelta(steps, unit="ns").astype(object).to_numpy()

    # -- one chunk -----------------------------------------------------------

    def update(self, frame: pd.DataFrame, row_offset: int = 0) -> list[pd.DataFrame]:
        """Check the next chunk of rows; return its failure tables (maybe an empty list).

        ``row_offset`` is the position of the chunk's first row in the whole data.
        """
        p = parse_time(frame[self.time], column=self.time,
                       time_type=self.time_type or self.kind, timezone=self.timezone,
                       row_offset=row_offset)
        self.parsed = p
        fails = list(p.failures)
        if self.kind is None and p.kind is not None:
            self.kind = p.kind
            if self.freq is not None and self.regular:
                # a freq that does not fit the times is a schema error, never a skipped check
                self.step = _time.step(self.freq, p.kind, p.tz, error=SchemaError,
                                       local=p.wall is not None)
        codes, all_coded = self._codes(frame)
        counted = codes if all_coded else codes[codes >= 0]
        if len(counted):
            self._counts += np.bincount(counted, minlength=len(self._counts))
        if p.kind is None or p.kind != self.kind:
            return fails
        ch = self._chunk(p, codes, all_coded, row_offset)
        if ch is None:
            return fails
        if self._has_last.any():  # before this chunk's times join the state
            seen = self._has_last[ch.c]
            self._unsearched += int(np.count_nonzero(ch.t[seen] < self._last_max[ch.c[seen]]))
        d = self._increasing(ch, fails)
        self._unique(ch, d, fails)
        if self.regular and not p.mismatch:
            if ch.follows_bad is not None:  # a step over a row with no usable time is no gap
                skip = np.union1d(ch.fresh, np.flatnonzero(ch.follows_bad))
                without = lambda pos: pos[~np.isin(pos, skip)] if len(pos) else pos  # noqa: E731
            else:
                without = ch.without_fresh
            fails.extend(self._steps(ch.c, ch.t, ch.w, d, ch.starts, ch.g_start, ch.fresh,
                                     ch.rows_of, without))
        self._carry(ch)
        return fails

    def _chunk(self, p: ParsedTime, codes: np.ndarray, all_coded: bool,
               row_offset: int) -> _Chunk | None:
        """The chunk's usable rows, ordered by group (input order within a group)."""
        follows_bad = self._follows_bad(codes, p.valid, all_coded and p.all_valid)
        keep = None
        c, t, w = codes, p.values, p.wall
        if not (all_coded and p.all_valid):
            keep = np.flatnonzero(p.valid & (codes >= 0))
            c, t = codes[keep], p.values[keep]
            w = None if p.wall is None else p.wall[keep]
            follows_bad = None if follows_bad is None else follows_bad[keep]
        if len(c) == 0:
            return None
        ch = _Chunk(c, t, w, follows_bad, keep, row_offset)
        if len(c) > 1 and np.any(c[1:] < c[:-1]):  # a no-op when rows come grouped
            small = c.astype(np.int16) if len(self._labels) < 2**15 else c
            ch.reorder(np.argsort(small, kind="stable"))
        ch.starts = np.concatenate([[0], np.flatnonzero(ch.c[1:] != ch.c[:-1]) + 1])
        ch.ends = np.concatenate([ch.starts[1:] - 1, [len(c) - 1]])
        ch.g_start = ch.c[ch.starts]
        ch.fresh = ch.starts[~self._has_last[ch.g_start]]  # first row of a new group
        return ch

    def _increasing(self, ch: _Chunk, fails: list) -> np.ndarray:
        """``increasing_time``: each row against the previous row of its group (input order).

        Leaves the chunk in time order and returns the steps ``d`` between its rows (from
        the group's largest time so far for a group's first row)."""
        c, t, starts, g_start = ch.c, ch.t, ch.starts, ch.g_start
        prev = np.empty_like(t)
        prev[1:] = t[:-1]
        prev[starts] = self._last_seen[g_start]
        d = _time.steps_between(t, prev)  # never wraps: 500 years back is back (D24)
        back = ch.without_fresh(np.flatnonzero(d < 0))
        self._last_seen[c[ch.ends]] = t[ch.ends]
        if len(back):
            fails.append(failure_frame(
                "increasing_time", self.time, self._group_objects(c[back]), ch.rows_of(back),
                self.time_objects(t[back]), self.time_objects(prev[back])))
            ch.reorder(np.lexsort((t, c)))  # judge repeats and gaps in time order
            prev[1:] = ch.t[:-1]
        prev[starts] = self._last_max[g_start]
        return _time.steps_between(ch.t, prev)

    def _unique(self, ch: _Chunk, d: np.ndarray, fails: list) -> None:
        """``unique_time``: a time equal to the one before it in time order."""
        self._repeats_of_latest(ch, d, fails)
        dup = ch.without_fresh(np.flatnonzero(d == 0))
        if not len(dup):
            return
        # each repeat points at the first row of its run of equal times: the last
        # earlier row that is not itself a repeat, or the previous chunk's row
        m = len(ch.c)
        anchor = np.ones(m, bool)
        anchor[dup] = False
        anchor[ch.starts] = True
        q = np.maximum.accumulate(np.where(anchor, np.arange(m), 0))[dup]
        from_state = np.isin(q, dup)
        prow = np.empty(len(dup), np.int64)
        prow[from_state] = self._last_row[ch.c[q[from_state]]]
        prow[~from_state] = ch.rows_of(q[~from_state])
        fails.append(failure_frame(
            "unique_time", self.time, self._group_objects(ch.c[dup]), ch.rows_of(dup),
            self.time_objects(ch.t[dup]), prow))

    def _repeats_of_latest(self, ch: _Chunk, d: np.ndarray, fails: list) -> None:
        """A repeat of its group's latest time of earlier chunks that is not the chunk's
        first row of the group in time order (rows that went back come before it)."""
        if not self._has_last.any():
            return
        hit = self._has_last[ch.c] & (ch.t == self._last_max[ch.c]) & (d != 0)
        hit[ch.starts] = False  # there d == 0 already says it
        at = np.flatnonzero(hit)
        if len(at):
            fails.append(failure_frame(
                "unique_time", self.time, self._group_objects(ch.c[at]), ch.rows_of(at),
                self.time_objects(ch.t[at]), self._last_row[ch.c[at]]))

    def _carry(self, ch: _Chunk) -> None:
        """Carry state: the largest time of each group in this chunk (last in time order)."""
        ends, t = ch.ends, ch.t
        g_end = ch.c[ends]
        newer = ~self._has_last[g_end] | (t[ends] >= self._last_max[g_end])
        self._last_max[g_end[newer]] = t[ends][newer]
        self._last_row[g_end[newer]] = ch.rows_of(ends[newer])
        if ch.w is not None:
            self._last_wall[g_end[newer]] = ch.w[ends][newer]
        self._has_last[g_end] = True

    def _follows_bad(self, codes: np.ndarray, valid: np.ndarray,
                     all_good: bool) -> np.ndarray | None:
        """Rows whose previous row in their group (input order) has no usable time.

        Such a row's step is not judged: the missing time may fill the gap. Also carries,
        per group, whether its last row so far had no usable time.
        """
        if all_good:
            if self._last_bad.any():
                present, first_rows = np.unique(codes, return_index=True)
                out = np.zeros(len(codes), bool)
                out[first_rows] = self._last_bad[present]
                self._last_bad[present] = False
                return out
            return None
        idx = np.flatnonzero(codes >= 0)
        out = np.zeros(len(codes), bool)
        if not len(idx):
            return out
        cc = codes[idx]
        o = np.argsort(cc, kind="stable")
        cs, bad = cc[o], ~valid[idx][o]
        prev_bad = np.empty(len(cs), bool)
        prev_bad[1:] = bad[:-1]
        starts = np.concatenate([[0], np.flatnonzero(cs[1:] != cs[:-1]) + 1])
        prev_bad[starts] = self._last_bad[cs[starts]]
        ends = np.concatenate([starts[1:] - 1, [len(cs) - 1]])
        self._last_bad[cs[ends]] = bad[ends]
        out[idx[o]] = prev_bad
        return out

    def _steps(self, c, t, w, d, starts, g_start, fresh, rows_of,
               without_fresh) -> list[pd.DataFrame]:
        """``regular_freq``: steps (``d``, in time order) that are not one ``freq``."""
        if self.step is None:
            self._infer(c, t, w, d, starts, g_start, fresh)
            if self.step is None:
                return []
        step = self.step
        wall = w is not None and self.kind == "datetime" and step.wall  # rule D2
        if wall:
            pw = np.empty_like(w)
            pw[1:] = w[:-1]
            pw[starts] = self._last_wall[g_start]
            d = _time.steps_between(w, pw)
            cur = w
        else:
            cur = t
        if not step.calendar:
            pos = without_fresh(np.flatnonzero(d != step.unit))
            pos = pos[d[pos] > 0]
        else:
            cand = without_fresh(np.flatnonzero(d > 0))
            pairs = np.stack([cur[cand] - d[cand], cur[cand]], axis=1).ravel()
            pos = cand[_time.off_grid(pairs, step, None)[::2]] if len(cand) else cand
        if not len(pos):
            return []
        return [failure_frame("regular_freq", self.time, self._group_objects(c[pos]),
                              rows_of(pos), self.time_objects(t[pos]),
                              self._step_objects(d[pos]))]

    def _infer(self, c, t, w, d, starts, g_start, fresh) -> None:
        """Set ``self.step`` to the most common positive step (or a calendar frequency)."""
        ok = d > 0
        ok[fresh] = False
        steps = d[ok]
        if len(steps) == 0:
            return
        mode, hits = _time.mode(steps)
        if self.kind == "integer":
            self.step = Step(mode, str(mode))
            self.notes.append(f"regular_freq: step {mode} inferred from the most common "
                              "step between rows; pass `freq` to fix it")
            return
        cur = t
        if w is not None and mode >= DAY_NS:  # a day or longer: the wall clock (rule D2)
            pw = np.empty_like(w)
            pw[1:] = w[:-1]
            pw[starts] = self._last_wall[g_start]
            dw = _time.steps_between(w, pw)
            ok = dw > 0
            ok[fresh] = False
            steps, cur = dw[ok], w
            mode, hits = _time.mode(steps)
        tz = self.parsed.tz if self.parsed is not None else None
        best = _time.step(step_name(mode), "datetime", tz, local=w is not None)
        if hits < len(steps):
            # calendar frequencies (months, years) have unequal steps: ask pandas about a
            # few short runs, and keep the frequency that explains the most steps
            at = np.flatnonzero(ok)

            def runs():
                for k in np.unique(np.linspace(0, len(at) - 1, num=min(8, len(at))).astype(int)):
                    run = cur[max(at[k] - 1, 0): at[k] + 3]
                    if len(run) >= 3 and np.all(np.diff(run) > 0):
                        yield pd.DatetimeIndex(run.astype("datetime64[ns]"))

            # (previous, current) pairs on the clock judged (wall or UTC): the time axis's
            # own off-grid rule, as make_windows scores a name
            pairs = np.stack([cur[at] - steps, cur[at]], axis=1).ravel()

            def on_grid(name: str) -> int:
                return int((~_time.off_grid(pairs, _time.step(name, "datetime"), None)[::2]).sum())

            name = named_freq(runs(), on_grid, None, hits)
            if name is not None:
                best = _time.step(name, "datetime", tz, local=w is not None)
        self.step = best
        self.notes.append(f"regular_freq: step {self.step_text} inferred from the most "
                          "common step between rows; pass `freq` to fix it")

    # -- the end ------------------------------------------------------------

    def finish(self) -> list[pd.DataFrame]:
        """Failures that need every row: groups shorter than ``min_length``.

        Also notes the limit of chunking when it was reached (never silent): rows that went
        back before their group's latest time of an earlier chunk (they fail
        ``increasing_time``) were not searched for a repeat of that earlier chunk's times,
        and their steps (``regular_freq``) were judged within their chunk.
        """
        if self._unsearched:
            self.notes.append(
                f"unique_time: {plural(self._unsearched, 'row')} went back before the latest "
                "time of their group in an earlier chunk (see increasing_time); a repeat among "
                "them of an earlier chunk's time is not listed, and regular_freq judges their "
                "steps within their chunk. Check the data in one chunk (a larger "
                "--chunk-rows, or one file) or sort it to list every repeat and gap.")
        if self.min_length is None:
            return []
        short = np.flatnonzero(self._counts < self.min_length)
        if len(short) == 0:
            return []
        return [failure_frame("min_length", self.group if self.group is not None else None,
                              self._group_objects(short), None, None,
                              self._counts[short].astype(object))]

    @property
    def step_text(self) -> str | None:
        """The step checked, as a frequency string (None if none yet)."""
        if self.step is None:
            return None
        step = self.step
        if step.calendar:
            return step.unit.freqstr
        return str(step.unit) if self.kind == "integer" else step_name(step.unit)


# ------------------------------------------------------------ pandera registration


def _rows_failing(df: pd.DataFrame, check: str, **kw) -> pd.Series:
    """A boolean Series over ``df``'s rows: False where ``check`` fails."""
    c = TimeChecker(kw["time"], kw.get("group"), freq=kw.get("freq"),
                    regular=kw.get("regular", True), min_length=kw.get("min_length"),
                    time_type=kw.get("time_type"), timezone=kw.get("timezone"))
    fails = [f for f in c.update(df.reset_index(drop=True)) + c.finish()
             if len(f) and f["check"].iloc[0] == check]
    ok = np.ones(len(df), bool)
    for f in fails:
        rows = f["row"]
        if rows.isna().all():  # whole groups
            if check == "min_length":
                labels = set(f["group"].tolist())
                if c.group is None:
                    ok[:] = False
                else:
                    ok &= ~df[c.group].isin(labels).to_numpy()
            else:
                ok[:] = False
        else:
            ok[rows.dropna().to_numpy(dtype=np.int64)] = False
    return pd.Series(ok, index=df.index)


def numeric(series: pd.Series) -> bool:
    """pandera check: the column has a numeric (non-boolean) dtype."""
    d = series.dtype
    return bool(pd.api.types.is_numeric_dtype(d) and not pd.api.types.is_bool_dtype(d))


def finite(series: pd.Series) -> bool | pd.Series:
    """pandera check: no infinite values (non-float columns pass; NaN is left to nullability)."""
    d = series.dtype
    if not pd.api.types.is_float_dtype(d):
        return True
    v = series.to_numpy() if isinstance(d, np.dtype) else \
        series.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(v)
    if not inf.any():  # the common case: skip building a boolean Series
        return True
    return pd.Series(~inf, index=series.index)


def register_pandera_checks() -> None:
    """Register the checks as pandera check methods (idempotent)."""
    from pandera.api.checks import Check
    from pandera.api.extensions import register_check_method

    def reg(fn, statistics, types):
        if not hasattr(Check, fn.__name__):
            register_check_method(fn, statistics=statistics, supported_types=types)

    def time_parses(series, *, time_type=None, timezone=None):
        """Every non-null time parses as a datetime (or integer) under the timezone policy."""
        p = parse_time(series, column=series.name, time_type=time_type, timezone=timezone)
        ok = np.ones(len(series), bool)
        for f in p.failures:
            if f["row"].isna().all():
                ok[:] = False
            else:
                ok[f["row"].to_numpy(dtype=np.int64)] = False
        return pd.Series(ok, index=series.index)

    def increasing_time(df, *, time, group=None):
        """Time increases within each group (rows in order)."""
        return _rows_failing(df, "increasing_time", time=time, group=group, regular=False)

    def unique_time(df, *, time, group=None):
        """No (group, time) pair repeats."""
        return _rows_failing(df, "unique_time", time=time, group=group, regular=False)

    def regular_freq(df, *, time, group=None, freq=None, time_type=None, timezone=None):
        """Consecutive times in a group are one ``freq`` apart (inferred if None)."""
        return _rows_failing(df, "regular_freq", time=time, group=group, freq=freq,
                             time_type=time_type, timezone=timezone)

    def min_length(df, *, time, group=None, min_length=1):
        """Every group has at least ``min_length`` rows."""
        return _rows_failing(df, "min_length", time=time, group=group, regular=False,
                             min_length=min_length)

    reg(numeric, [], pd.Series)
    reg(finite, [], pd.Series)
    reg(time_parses, ["time_type", "timezone"], pd.Series)
    reg(increasing_time, ["time", "group"], pd.DataFrame)
    reg(unique_time, ["time", "group"], pd.DataFrame)
    reg(regular_freq, ["time", "group", "freq", "time_type", "timezone"], pd.DataFrame)
    reg(min_length, ["time", "group", "min_length"], pd.DataFrame)
