"""``plot_window``: one sample's inputs, targets and prediction against time.

Reads the windows through their public API only (``take``, ``subset``, ``to_frame``,
``starts`` and ``rows.times``); matplotlib is imported when a plot is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ._args import integer, require, show
from ._errors import ArgumentError, ArgumentTypeError
from ._protocols import FrameSource, WindowSource

__all__ = ["plot_window"]


class Plottable(WindowSource, FrameSource, Protocol):
    """What plot_window reads of a Windows: both protocols, and the covariates."""

    @property
    def covariates(self) -> Any: ...  # read-only on Windows

    timesteps: int
    sampling_rate: int
    feature_names: tuple
    index: pd.DataFrame

    def take_inputs(self, indices: Any) -> tuple[Any, np.ndarray | None]: ...

    def to_frame(self, predictions: Any = None) -> pd.DataFrame: ...


def _sample(windows: Any, i: Any) -> int:
    if not (isinstance(windows, WindowSource) and isinstance(windows, FrameSource)):
        raise ArgumentTypeError(
            f"`windows` must be the Windows returned by `make_windows`. Received: "
            f"{show(windows)} of type {type(windows).__name__}. Windows read from files "
            "(`open_windows`) are not plotted: make_windows on the rows you want to see."
        )
    n = len(windows)
    if n == 0:
        raise ArgumentError("`windows` must hold at least one sample to plot. Received: "
                            "0 samples. Check `windows.report()` for why.")
    i = integer("i", i, minimum=-(2**63) + 1)
    if not -n <= i < n:
        raise ArgumentError(
            f"`i` must be the position of a sample: -{n} <= i < {n} for these {n} samples. "
            f"Received: i={i}."
        )
    return i + n if i < 0 else i


def _prediction(prediction: Any, windows: Plottable, i: int) -> np.ndarray | None:
    """This sample's prediction as one row of ``model.predict`` output, or None."""
    if prediction is None:
        return None
    arr = np.asarray(prediction)
    units = windows.horizon * max(len(windows.target_names), 1)
    if arr.ndim >= 1 and arr.shape[0] == len(windows) and arr.size == len(windows) * units \
            and len(windows) > 1:
        arr = arr[i]  # the whole model.predict(windows.X): this sample's row
    if arr.size != units and windows.target_names:
        raise ArgumentError(
            f"`prediction` must be sample {i}'s prediction ({units} values: horizon "
            f"{windows.horizon} x {len(windows.target_names)} targets) or model.predict for "
            f"all {len(windows)} samples. Received: array of shape {arr.shape}."
        )
    return arr.reshape(1, -1)


def _input_times(windows: Plottable, i: int) -> np.ndarray | pd.Index:
    """The time of each input step of sample ``i``; without a time axis, its offset in
    rows from the sample's first input row."""
    offsets = np.arange(windows.timesteps) * windows.sampling_rate
    times = windows.rows.times
    if times is None:
        return offsets
    rows = windows.starts[i] + offsets
    return times.take(rows) if isinstance(times, pd.Index) else np.asarray(times)[rows]


def _target_table(windows: Plottable, i: int, pred: np.ndarray | None) -> pd.DataFrame:
    """``to_frame`` of sample ``i`` with an ``x`` column: the target time, or without a
    time axis the offset in rows from the first input row."""
    if pred is None and not windows.target_names:
        return pd.DataFrame(columns=["target", "step", "x"])
    one: Any = windows.subset([i])  # a Windows of one sample
    frame = one.to_frame(pred)
    if "time" in frame:
        frame["x"] = frame["time"]
    else:
        frame["x"] = windows.span - 1 + windows.gap + frame["step"]
    return frame


def _future_names(windows: Any) -> tuple:
    covariates = windows.covariates
    return tuple(covariates.future_names) if covariates is not None else ()


def _feature_list(windows: Any, features: Sequence[Any] | None) -> tuple[list, list]:
    """Positions of the past features and of the known-future covariates to draw."""
    names, future = list(windows.feature_names), list(_future_names(windows))
    if features is None:
        return list(range(len(names))), list(range(len(future)))
    wanted = [features] if isinstance(features, (str, int)) else list(features)
    unknown = [f for f in wanted if f not in names and f not in future]
    if unknown:
        raise ArgumentError(
            f"`features` must name features (or known-future covariates) of the windows. "
            f"Received: {show(unknown)}. Available: {show(names + future)}."
        )
    return ([names.index(f) for f in wanted if f in names],
            [future.index(f) for f in wanted if f in future and f not in names])


def _draw(ax: Any, windows: Plottable, i: int, columns: tuple[list, list],
          table: pd.DataFrame) -> None:
    X, _ = windows.take([i])
    x_in = _input_times(windows, i)
    colours = {}
    for j in columns[0]:
        name = windows.feature_names[j]
        (line,) = ax.plot(x_in, X[0, :, j], "o-", markersize=3, label=str(name))
        colours[name] = line.get_color()
    for name, rows in table.groupby("target", sort=False):
        kw = {"color": colours[name]} if name in colours else {}
        if "actual" in rows:
            (line,) = ax.plot(rows["x"], rows["actual"], "s--", markersize=5,
                              label=f"target {name}", **kw)
            kw = {"color": line.get_color()}
        if "prediction" in rows:
            ax.plot(rows["x"], rows["prediction"], "x:", markersize=7, mew=2,
                    label=f"prediction {name}", **kw)
    if columns[1]:
        future = windows.take_inputs([i])[0]["future"][0]  # (horizon, n_known)
        x_out = table.drop_duplicates("step").sort_values("step")["x"]
        for j in columns[1]:
            ax.plot(x_out, future[:, j], "^:", markersize=5,
                    label=f"known {_future_names(windows)[j]}")


def plot_window(windows: Plottable, i: int, *, prediction: Any = None,
                features: Sequence[Any] | None = None, ax: Any = None) -> Any:
    """Draw one sample: its input steps, its targets and, when given, its prediction.

    Time runs along the x axis: the input rows' times, then the target rows' times
    (without a time axis, rows counted from the sample's first input row). Each feature
    is a line; each target is a dashed line of squares in its feature's colour when the
    target is also a feature, a prediction a dotted line of crosses, and each known-future
    covariate (``known_future=``) a dotted line of triangles over the target steps.

    Parameters
    ----------
    windows : Windows
        From :func:`make_windows` (scaled or not: values are drawn as they are).
    i : int
        The sample, ``0 <= i < len(windows)`` (negative counts from the end).
    prediction : array-like, optional
        Sample ``i``'s prediction (``horizon * n_targets`` values, laid out like
        ``windows.y``), or ``model.predict(windows.X)`` for all samples.
    features : list of names, optional
        The features and known-future covariates to draw. Default: all.
    ax : matplotlib Axes, optional
        Draw into it; default: a new figure (not shown: ``ax.figure.savefig(...)``).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    MissingDependencyError
        If matplotlib is not installed (``pip install 'seqprep[plot]'``).
    ArgumentError, ArgumentTypeError
        If ``windows`` is not a Windows, ``i`` is out of range, ``prediction`` has the
        wrong size or ``features`` names a column that is not a feature.

    Examples
    --------
    >>> import pandas as pd, seqprep
    >>> df = pd.DataFrame({"time": pd.date_range("2024-01-01", periods=10, freq="D"),
    ...                    "load": range(10)})
    >>> w = seqprep.make_windows(df, 3, horizon=2, time="time", targets="load")
    >>> ax = seqprep.plot_window(w, 0, prediction=[3.2, 3.9])
    >>> [line.get_label() for line in ax.get_lines()]
    ['load', 'target load', 'prediction load']
    >>> pd.DatetimeIndex(ax.get_lines()[1].get_xdata()).strftime("%b %d").tolist()
    ['Jan 04', 'Jan 05']
    """
    i = _sample(windows, i)
    columns = _feature_list(windows, features)
    table = _target_table(windows, i, _prediction(prediction, windows, i))
    mpl = require("matplotlib", "plot", "plot_window")
    new = ax is None
    if new:
        require("matplotlib.figure", "plot", "plot_window")
        ax = mpl.figure.Figure(figsize=(7.0, 3.2)).subplots()
    elif not (hasattr(ax, "plot") and hasattr(ax, "figure")):
        raise ArgumentTypeError(f"`ax` must be a matplotlib Axes. Received: {show(ax)} of "
                                f"type {type(ax).__name__}. Pass e.g. fig.subplots().")
    _draw(ax, windows, i, columns, table)
    _label(ax, windows, i, mpl)
    if new:
        ax.figure.tight_layout()
    return ax


def _label(ax: Any, windows: Plottable, i: int, mpl: Any) -> None:
    group = windows.index["group"].iloc[i] if "group" in windows.index else None
    ax.set_title(f"sample {i}" + ("" if group is None else f" (group {group!r})"))
    times = windows.rows.times
    ax.set_xlabel("time" if times is not None else "rows from the first input row")
    if isinstance(times, pd.DatetimeIndex):
        dates = require("matplotlib.dates", "plot", "plot_window")
        locator = dates.AutoDateLocator(tz=times.tz)  # ticks on the data's own clock
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator, tz=times.tz))
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
