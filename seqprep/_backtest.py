"""Rolling-origin backtests of windows: ``backtest``.

Cut-offs, for ``n_splits`` folds of ``test`` steps every ``step`` steps (of the windows'
``freq``; row positions without a time axis), counted back from ``E``, one step after the
latest target time of the windows:

- fold ``k`` (``0 .. n_splits - 1``) tests the windows whose target times all lie in
  ``[cut_k, end_k)`` with ``cut_k = E - (test + (n_splits - 1 - k) * step)`` steps and
  ``end_k = cut_k + test`` steps;
- it trains on the windows whose target times all lie before ``cut_k`` (``expanding``), or
  also at or after ``start_k`` (``sliding``: ``start_k = cut_k - train`` steps, or, without
  ``train``, the earliest target time moved ``k * step`` steps on, so every fold keeps the
  first fold's history length);
- each fold is :func:`split_by_time` of those windows at ``cut_k``, so it is purged by the
  one purge rule there: a training window with a target among the ``purge`` rows before
  the cut is dropped (``purge="auto"``: the window's reach, so no test window reads a
  training target as an input). Every fold lists the windows it purged.

Cut-offs are common to every group (times), so a panel is tested on the same dates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _time
from ._args import choice, integer, plural, show
from ._errors import ArgumentError, ArgumentTypeError, DataError
from ._protocols import StatefulLayout
from ._split import Split, split_by_time
from ._windows import Windows

__all__ = ["Backtest", "Fold", "backtest"]

_FOLD_COLUMNS = ["fold", "train_start", "cut", "end", "train", "test", "purged", "straddling"]


@dataclass(frozen=True)
class Fold:
    """One fold of a :func:`backtest`: its training and test windows, and what was purged.

    Attributes
    ----------
    number : int
        ``0 .. n_splits - 1``, in time order.
    train, test : Windows
        The fold's parts (sharing the source of the windows backtested).
    train_indices, test_indices : numpy.ndarray of int64
        Their positions in the windows backtested (as scikit-learn's splitters give).
    cut, end : Timestamp or number
        The test part's target times lie in ``[cut, end)``.
    train_start : Timestamp, number or None
        The earliest target time a training window may have (``window="sliding"``); None
        for an expanding window.
    purged : pandas.DataFrame
        The windows purged at the cut: their rows of the backtested windows' ``index``,
        with ``sample``, their position in those windows.
    straddling : int
        Windows whose targets cross the cut (in no part).
    split : Split
        The :func:`split_by_time` behind the fold (``summary`` per group).
    """

    number: int
    train: Windows
    test: Windows
    train_indices: np.ndarray
    test_indices: np.ndarray
    cut: Any
    end: Any
    train_start: Any
    purged: pd.DataFrame
    straddling: int
    split: Split

    def report(self) -> str:
        """A plain-text account: part sizes, the cut-offs, and the purged windows."""
        start = "" if self.train_start is None else f" from {self.train_start}"
        lines = [(f"fold {self.number}: train {plural(len(self.train), 'window')} (targets"
                  f"{start} before {self.cut}), test {plural(len(self.test), 'window')} "
                  f"(targets in [{self.cut}, {self.end}))")]
        lines.append(f"purged: {plural(len(self.purged), 'window')} with targets in the "
                     f"{plural(self.split.purge, 'row')} before the cut")
        if len(self.purged):
            col = "target_time" if "target_time" in self.purged else "target_row"
            by = self.purged.groupby("group", sort=False) if "group" in self.purged else None
            parts = [(None, self.purged)] if by is None else list(by)[:10]
            for g, rows in parts:
                who = "" if g is None else f"group {g!r}: "
                lines.append(f"  {who}{plural(len(rows), 'window')}, {col} "
                             f"{rows[col].min()} .. {rows[col].max()}")
        if self.straddling:
            lines.append(f"straddling: {plural(self.straddling, 'window')} with targets on "
                         "both sides of the cut")
        return "\n".join(lines)


@dataclass(frozen=True)
class Backtest:
    """The folds of a :func:`backtest`, in time order; iterate over it for the folds.

    Attributes
    ----------
    folds : tuple of Fold
    summary : pandas.DataFrame
        One row per fold: ``fold``, ``train_start``, ``cut``, ``end``, and the counts
        ``train``, ``test``, ``purged``, ``straddling``.
    window : {"expanding", "sliding"}
    """

    folds: tuple[Fold, ...]
    summary: pd.DataFrame
    window: str

    def __iter__(self) -> Iterator[Fold]:
        return iter(self.folds)

    def __len__(self) -> int:
        return len(self.folds)

    def __getitem__(self, k: int) -> Fold:
        return self.folds[k]

    def report(self) -> str:
        """Every fold's :meth:`Fold.report`, under one line for the whole backtest."""
        head = f"{plural(len(self), 'fold')} ({self.window} training window), rolling origin"
        return "\n".join([head] + [f.report() for f in self.folds])


# ----------------------------------------------------------------------- time arithmetic


@dataclass(frozen=True)
class _Clock:
    """Target times of the windows (comparable values) and steps of ``freq`` on them."""

    first: np.ndarray  # first target time of each window
    last: np.ndarray  # last target time of each window
    kind: str  # "datetime", "number" or "position"
    tz: Any
    freq: Any

    def shift(self, value: Any, k: int) -> Any:
        """``value`` moved ``k`` steps (rule D2 for datetimes)."""
        if self.kind == "datetime":
            moved = _time.shift(_time.datetimes(np.array([value]), self.tz), self.freq, k)
            if moved.isna().any():
                raise DataError(f"backtest: a cut-off {k} steps of {self.freq} from "
                                f"{self.label(value)} does not exist in time zone {self.tz}.")
            return int(moved.as_unit("ns").asi8[0])
        return value + k * self.freq

    def span(self) -> int:
        """Steps from the earliest target time to the latest, counted generously for
        datetimes (a calendar step, such as a month, as one hour; one step of slack for
        daylight saving), so only folds that cannot fit are refused."""
        width = self.last.max() - self.first.min()
        if self.kind != "datetime":
            return int(width // self.freq) + 1
        unit = _time.step(self.freq, "datetime", self.tz).unit
        ns = int(unit) if isinstance(unit, (int, np.integer)) else 3_600_000_000_000
        return int(width) // ns + 2

    def label(self, value: Any) -> Any:
        """A value as the data writes it: a Timestamp, or a number."""
        if self.kind == "datetime":
            return _time.datetimes(np.array([int(value)]), self.tz)[0]
        return value.item() if hasattr(value, "item") else value


def _clock(w: Windows) -> _Clock:
    rows = w.rows
    n = len(w.source)
    freq: Any = 1
    if rows.times is None:
        kind, tz = "position", None
        groups = rows.groups
        first_of = np.zeros(n, dtype=np.int64)
        if groups is not None and n:
            new = np.concatenate([[True], np.asarray(groups[1:] != groups[:-1])])
            first_of = np.maximum.accumulate(np.where(new, np.arange(n), 0))
        t = np.arange(n, dtype=np.int64) - first_of
    else:
        t, kind, tz = _time.time_values(rows.times)
        if w.freq is None:
            raise ArgumentError(
                "`windows` must have a regular step (`freq`) to be backtested: `test` and "
                "`step` count steps of it. Received: windows whose time steps are irregular "
                "(no freq inferred). Pass freq= to make_windows."
            )
        freq = w.freq
        if kind == "number":
            f = float(freq)
            freq = int(f) if f.is_integer() and np.issubdtype(t.dtype, np.integer) else f
    first_row = w.starts + w.target_offset
    return _Clock(t[first_row], t[first_row + w.horizon - 1], kind, tz, freq)


# ----------------------------------------------------------------------------- backtest


def _check(windows: Any, n_splits: Any, test: Any, step: Any, window: Any,
           train: Any) -> tuple[int, int, int, int | None]:
    if not isinstance(windows, Windows) or isinstance(windows, StatefulLayout):
        raise ArgumentTypeError(
            f"`windows` must be a Windows from `make_windows` (not a stateful layout). "
            f"Received: {type(windows).__name__}. Backtest the windows, then lay out each "
            "fold's parts."
        )
    if not windows.has_targets:
        raise ArgumentError(
            "`windows` must have targets: folds are cut by target time. Received: windows "
            "made without targets. Pass targets= to make_windows."
        )
    if len(np.unique(windows.starts)) != len(windows):
        raise ArgumentError(
            "`windows` must hold each window once. Received: windows that repeat samples. "
            "Backtest the windows from make_windows (or a split part) instead."
        )
    choice("window", window, ("expanding", "sliding"))
    n_splits = integer("n_splits", n_splits)
    test = integer("test", test, fix="It is the number of time steps each fold tests.")
    step = test if step is None else integer("step", step)
    if train is not None:
        if window != "sliding":
            raise ArgumentError(
                f"`train` is the history length of a sliding window. Received: "
                f"train={show(train)} with window={window!r}. Pass window='sliding', or "
                "leave out train."
            )
        train = integer("train", train, fix="It is the number of time steps to train on.")
    return n_splits, test, step, train


def _check_reach(clock: _Clock, n_splits: int, test: int, step: int) -> None:
    """Refuse folds reaching back beyond the span of the target times (before any shift)."""
    reach = test + (n_splits - 1) * step
    span = clock.span()
    if reach > span:
        raise ArgumentError(
            f"`n_splits`, `test` and `step` must fit in the data: the folds reach "
            f"test + (n_splits - 1) * step = {reach:,} steps back from the end, but the "
            f"windows' target times span {plural(span, 'step')}"
            f"{' at most' if clock.kind == 'datetime' else ''}. Received: "
            f"n_splits={n_splits}, test={test}, step={step}. Use fewer or shorter folds."
        )


def backtest(windows: Windows, *, n_splits: int, test: int, step: int | None = None,
             purge: Any = "auto", window: str = "expanding",
             train: int | None = None) -> Backtest:
    """Rolling-origin backtest: ``n_splits`` folds cut by target time, each purged.

    Parameters
    ----------
    windows : Windows
        From :func:`make_windows`, with targets (and covariates, which every part keeps).
    n_splits : int, keyword-only
        Folds, in time order; the last one tests the latest ``test`` steps.
    test : int, keyword-only
        Time steps (of the windows' ``freq``; rows without a time axis) each fold tests:
        its test windows have every target time in ``[cut, cut + test steps)``.
    step : int, optional, keyword-only
        Steps between consecutive cut-offs. Defaults to ``test`` (test parts tile the end
        of the data without overlapping).
    purge : "auto", False, or int, keyword-only
        As :func:`split_by_time` (the one purge rule): training windows with a target among
        the ``purge`` rows before a cut are dropped; ``"auto"`` (the default) is the
        window's reach ``(timesteps - 1) * sampling_rate + 1 + gap``.
    window : {"expanding", "sliding"}, keyword-only
        ``"expanding"`` (the default) trains each fold on every window before its cut;
        ``"sliding"`` only on those with targets from ``train`` steps before the cut.
    train : int, optional, keyword-only
        With ``window="sliding"``: the history length in steps. Defaults to the first
        fold's (from the earliest target time to its cut), kept by every fold.

    Returns
    -------
    Backtest
        Its :class:`Fold` s in time order (``train``, ``test``, ``train_indices``,
        ``test_indices``, ``cut``, ``end``, ``purged``, ``report()``), a ``summary`` and
        ``report()``.

    Raises
    ------
    ArgumentError, ArgumentTypeError
        Bad arguments; folds reaching beyond the data; windows without targets, without a
        regular ``freq``, or a stateful layout.
    DataError
        A fold whose training or test part is empty (the message names the fold).

    See Also
    --------
    split_by_time : one cut; each fold is one of these.
    sklearn.model_selection.TimeSeriesSplit : the same folds for one series without gaps
        and ``horizon=1`` (``test_size=test``, ``gap=purge``, ``max_train_size=train - purge``).

    Examples
    --------
    >>> import numpy as np, seqprep
    >>> w = seqprep.make_windows(np.arange(30.0), 3, targets=0)
    >>> bt = seqprep.backtest(w, n_splits=3, test=4)
    >>> [(len(f.train), len(f.test), len(f.purged)) for f in bt]
    [(12, 4, 3), (16, 4, 3), (20, 4, 3)]
    >>> print(bt[0].report())
    fold 0: train 12 windows (targets before 18), test 4 windows (targets in [18, 22))
    purged: 3 windows with targets in the 3 rows before the cut
      3 windows, target_row 15 .. 17
    >>> bt.summary[["fold", "cut", "end", "train", "test"]].to_numpy().tolist()
    [[0, 18, 22, 12, 4], [1, 22, 26, 16, 4], [2, 26, 30, 20, 4]]
    """
    n_splits, test, step, train = _check(windows, n_splits, test, step, window, train)
    clock = _clock(windows)
    _check_reach(clock, n_splits, test, step)
    after = clock.shift(clock.last.max(), 1)
    earliest = clock.first.min()
    folds = []
    for k in range(n_splits):
        cut = clock.shift(after, -(test + (n_splits - 1 - k) * step))
        end = clock.shift(cut, test)
        start = None
        if window == "sliding":
            start = clock.shift(cut, -train) if train is not None else \
                clock.shift(earliest, k * step)
        folds.append(_fold(windows, clock, k, cut, end, start, purge))
    summary = pd.DataFrame([{
        "fold": f.number, "train_start": f.train_start, "cut": f.cut, "end": f.end,
        "train": len(f.train), "test": len(f.test), "purged": len(f.purged),
        "straddling": f.straddling} for f in folds], columns=_FOLD_COLUMNS)
    return Backtest(folds=tuple(folds), summary=summary, window=window)


def _fold(w: Windows, clock: _Clock, k: int, cut: Any, end: Any, start: Any,
          purge: Any) -> Fold:
    """Fold ``k``: :func:`split_by_time` at ``cut`` of the windows in its time range."""
    first, last = clock.first, clock.last
    lower = np.ones(len(first), dtype=bool) if start is None else first >= start
    before = lower & (last < cut)
    in_test = (first >= cut) & (last < end)
    straddling = lower & (first < cut) & (last >= cut)
    where = f"fold {k} (cut {clock.label(cut)}, test up to {clock.label(end)})"
    for part, mask in (("test", in_test), ("training", before)):
        if not mask.any():
            raise DataError(
                f"backtest {where} has no {part} windows: none has all its targets in the "
                f"{part} range. Use fewer `n_splits`, a smaller `step` or `test`"
                f"{', a longer `train`' if part == 'training' and start is not None else ''}."
            )
    candidates = np.flatnonzero(before | in_test | straddling)
    sub = w.subset(candidates, note=f"backtest fold {k}")
    try:
        split = split_by_time(sub, test=clock.label(cut), purge=purge)
    except DataError as exc:  # the test part is not empty: purging emptied training
        raise DataError(
            f"backtest {where} has no training windows left after purging: "
            f"{plural(int(before.sum()), 'window')} end before the cut, and each has a "
            "target among the `purge` rows before it. Use fewer `n_splits`, a smaller `step` or "
            f"`test`, or a lower `purge`. (split_by_time at the cut: {exc})"
        ) from None
    sub_starts = sub.starts
    order = np.argsort(sub_starts, kind="stable")

    def positions(part: Windows) -> np.ndarray:
        at = order[np.searchsorted(sub_starts[order], part.starts)]
        return candidates[at]

    train_idx, test_idx = positions(split.train), positions(split.test)
    purged_idx = np.setdiff1d(np.flatnonzero(before), train_idx)
    purged = w.index.iloc[purged_idx].reset_index(drop=True)
    purged.insert(0, "sample", purged_idx)
    return Fold(number=k, train=split.train, test=split.test, train_indices=train_idx,
                test_indices=test_idx, cut=clock.label(cut), end=clock.label(end),
                train_start=None if start is None else clock.label(start), purged=purged,
                straddling=int(straddling.sum()), split=split)
