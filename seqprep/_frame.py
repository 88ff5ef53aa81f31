"""Predictions back on their entity and time: ``windows_to_frame`` (``Windows.to_frame``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _time
from ._args import show
from ._covariates import covariate_frame_columns
from ._errors import ArgumentError, ArgumentTypeError, ShapeError
from ._protocols import FrameSource, TargetScaler

__all__ = ["windows_to_frame"]


def windows_to_frame(windows: FrameSource, predictions: Any = None, *,
                     scaler: TargetScaler | None = None) -> pd.DataFrame:
    """One row per sample, horizon step and target: where each prediction belongs in time.

    Parameters
    ----------
    windows : Windows
        The windows the predictions were made for (the ones whose ``X`` went to
        ``model.predict``), e.g. ``split.test`` or ``scaler.transform(split.test)``.
    predictions : array-like, optional
        ``model.predict(windows.X)``: shape ``(samples, horizon * n_targets)`` laid out like
        ``windows.y`` (step-major), ``(samples, horizon, n_targets)``, or ``(samples,)`` for
        one target and one step. Defaults to ``None``: no ``prediction`` column (only the
        actual values, which then must exist).
    scaler : Scaler, optional
        The fitted scaler the model's targets were scaled with: ``prediction`` is
        inverse-scaled with it (per group with ``by``). ``actual`` is inverse-scaled too
        when the windows were scaled by a Scaler (their ``notes`` say so), so both are in
        the data's own units. Defaults to ``None``: values as given.

    Returns
    -------
    pandas.DataFrame
        Rows ordered by sample, then step, then target (so ``frame["prediction"]``
        reshaped to ``(samples, horizon * n_targets)`` is the predictions again), with
        columns:

        - ``sample``: position of the sample in ``windows``;
        - ``group``: its group (when the windows have groups);
        - ``target``: the target column's name;
        - ``step``: ``1 .. horizon``, steps ahead of the window's targets' start;
        - ``time``: the time of that target row (when there is a time axis). For windows
          made without targets it is extrapolated from the last input time and ``freq``
          (missing if there is no ``freq``);
        - ``row``: the target row's position in the data given to ``make_windows``
          (windows with targets);
        - ``prediction``: with ``predictions``;
        - ``actual``: the target value (windows with targets);
        - for windows with covariates (``make_windows(static=, known_future=)``), one
          column per static column (the sample's value) and per known-future column (its
          value at that target step), named after the column (prefixed ``static_`` or
          ``future_`` where the name is taken), as in the windows (scaled if they are).

    Raises
    ------
    ShapeError
        Predictions whose shape does not match the windows.
    ArgumentTypeError
        A ``scaler`` that is not a :class:`Scaler`, non-numeric predictions.
    ArgumentError
        Windows without targets and no ``predictions``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, seqprep
    >>> df = pd.DataFrame({"id": ["a"] * 4 + ["b"] * 4, "t": [0, 1, 2, 3] * 2,
    ...                    "y": np.arange(8.0)})
    >>> w = seqprep.make_windows(df, 2, targets="y", group="id", time="t")
    >>> w.to_frame(np.array([2.5, 3.5, 6.5, 7.5]))
       sample group target  step  time  row  prediction  actual
    0       0     a      y     1     2    2         2.5     2.0
    1       1     a      y     1     3    3         3.5     3.0
    2       2     b      y     1     2    6         6.5     6.0
    3       3     b      y     1     3    7         7.5     7.0
    """
    if not isinstance(windows, FrameSource):
        raise ArgumentTypeError(
            f"`windows` must be a Windows from `make_windows`. Received: "
            f"{type(windows).__name__}."
        )
    if scaler is not None and not isinstance(scaler, TargetScaler):
        raise ArgumentTypeError(
            f"`scaler` must be a fitted seqprep Scaler or None. Received: "
            f"{type(scaler).__name__}. Pass the Scaler the targets were scaled with."
        )
    w = windows
    n, H = len(w), w.horizon
    has_targets = w.has_targets
    fitted_targets = getattr(scaler, "targets_", None)  # a Scaler's; not in TargetScaler
    if has_targets:
        names = tuple(w.target_names)
    elif fitted_targets is not None:
        names = tuple(fitted_targets)
    else:
        names = None

    pred = None
    if predictions is None:
        if not has_targets:
            raise ArgumentError(
                "`predictions` is required for windows made without targets: there is no "
                "actual value to show. Received: predictions=None. Pass model.predict(w.X)."
            )
    else:
        pred, names = _predictions(predictions, n, H, names)
    assert names is not None  # the targets' names, or one per column of the predictions
    nt = len(names)

    starts = w.starts
    first = starts + (w.target_offset if has_targets else w.span + w.gap)
    steps = np.arange(H)
    rows = first[:, None] + steps[None, :]  # sorted target rows, (n, H)

    cols: dict[str, Any] = {"sample": np.repeat(np.arange(n), H * nt)}
    groups_sorted = w.rows.groups
    if groups_sorted is not None:
        cols["group"] = np.repeat(np.asarray(groups_sorted)[starts], H * nt)
    cols["target"] = np.tile(np.asarray(names, dtype=object), n * H)
    cols["step"] = np.tile(np.repeat(steps + 1, nt), n)
    if w.rows.times is not None:
        cols["time"] = _target_times(w, rows, has_targets, nt)
    if has_targets:
        order = w.rows.order
        cols["row"] = np.repeat((rows if order is None else order[rows]).ravel(), nt)
    groups = None
    if scaler is not None and getattr(scaler, "groups_", None) is not None:
        if groups_sorted is None:
            raise ArgumentError(
                f"`scaler` keeps per-group statistics (by={show(getattr(scaler, 'by', None))}) but the windows have "
                "no groups. Pass the Scaler fitted on these windows' data, or group= to "
                "`make_windows`."
            )
        groups = np.asarray(groups_sorted)[starts]
    if pred is not None:
        if scaler is not None:
            pred = scaler.inverse_transform_targets(pred, groups=groups, targets=list(names))
        cols["prediction"] = pred.reshape(-1)
    if has_targets:
        target_source = w.target_source
        assert target_source is not None  # has_targets: there are target rows
        actual = target_source[rows].astype(np.float64)  # (n, H, nt)
        if scaler is not None and w.scaled:
            actual = scaler.inverse_transform_targets(actual, groups=groups, targets=list(names))
        cols["actual"] = actual.reshape(-1)
    cols.update(covariate_frame_columns(w, rows, nt, cols))
    return pd.DataFrame(cols)


def _predictions(predictions: Any, n: int, H: int, names: tuple | None):
    try:
        arr = np.asarray(predictions)
    except (ValueError, TypeError) as exc:
        raise ArgumentTypeError(
            f"`predictions` must be a numeric array. Received: {type(predictions).__name__} "
            f"numpy cannot read ({exc})."
        ) from None
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) \
            or np.issubdtype(arr.dtype, np.complexfloating):
        raise ArgumentTypeError(f"`predictions` must hold real numbers. Received: {show(arr)}.")
    nt = len(names) if names is not None else None
    ok = arr.ndim in (1, 2, 3) and arr.shape[0] == n
    if ok and nt is None:  # windows without targets: the width tells the number of targets
        if arr.ndim == 1:
            nt = 1
        elif arr.ndim == 2 and arr.shape[1] % H == 0:
            nt = arr.shape[1] // H
        elif arr.ndim == 3 and arr.shape[1] == H:
            nt = arr.shape[2]
        else:
            ok = False
        if nt is not None:  # ok
            names = tuple(range(nt))
    if ok and nt is not None:  # ok: nt is known
        ok = (arr.ndim == 1 and H * nt == 1) or (arr.ndim == 2 and arr.shape[1] == H * nt) \
            or (arr.ndim == 3 and arr.shape[1:] == (H, nt))
    if not ok or nt is None:
        want = f"({n}, {H * nt})" if nt is not None else f"({n}, {H} * n_targets)"
        raise ShapeError(
            f"`predictions` must have one row per sample and horizon * n_targets columns: "
            f"{want}, or (samples, horizon, n_targets). Received: array of shape {arr.shape} "
            f"for {n} samples, horizon={H}"
            f"{f', n_targets={nt}' if nt is not None else ''}. Pass model.predict(w.X) for "
            "these same windows."
        )
    return arr.astype(np.float64).reshape(n, H, nt), names


def _target_times(w: FrameSource, rows: np.ndarray, has_targets: bool, nt: int) -> Any:
    times = w.rows.times
    n, H = rows.shape
    if has_targets:
        flat = rows.ravel()
        if isinstance(times, pd.DatetimeIndex):
            return times.take(flat).repeat(nt)
        return np.repeat(np.asarray(times)[flat], nt)
    # no target rows: extrapolate from the last input time by `freq`
    last = w.starts + w.span - 1
    is_dt = isinstance(times, pd.DatetimeIndex) or np.issubdtype(np.asarray(times).dtype,
                                                                 np.datetime64)
    if w.freq is None:
        missing = np.full(n * H * nt, np.datetime64("NaT") if is_dt else np.nan)
        return missing
    ahead = w.gap + 1 + np.arange(H)  # rows after the last input row
    if is_dt:
        base = pd.DatetimeIndex(times).take(last)
        cols = [_time.shift(base, w.freq, int(k)) for k in ahead]  # rule D2
        ns = np.column_stack([c.as_unit("ns").asi8 for c in cols]).ravel()
        return _time.datetimes(ns, base.tz).repeat(nt)
    base = np.asarray(times)[last]
    step = float(w.freq)
    if np.issubdtype(base.dtype, np.integer) and step.is_integer():
        step = int(step)
    else:
        base = base.astype(np.float64)
    return np.repeat((base[:, None] + step * ahead[None, :]).ravel(), nt)
