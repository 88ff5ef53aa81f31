"""``calendar_features``: the calendar of each time as model inputs, known in advance.

Every value is read on the wall clock of the times' own zone (a zone-aware series keeps
its zone; a naive one is taken as it is), with numpy arithmetic on the wall-clock
nanoseconds of ``_time.wall_clock`` (the tests compare it with pandas' own accessors).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._args import choice, show
from ._errors import ArgumentError, ArgumentTypeError
from ._time import time_values, wall_clock

__all__ = ["CALENDAR_FEATURES", "calendar_features"]

# name -> (first value, number of categories in the one-hot encoding, fixed cyclic period
# or None when the period is the length of the month or year the time falls in)
CALENDAR_FEATURES: dict[str, tuple[int, int, int | None]] = {
    "minute": (0, 60, 60),
    "hour": (0, 24, 24),
    "dayofweek": (0, 7, 7),
    "day": (1, 31, None),
    "dayofyear": (1, 366, None),
    "month": (1, 12, 12),
    "quarter": (1, 4, 4),
}

# pandas' newer spellings of the same features
ALIASES = {"day_of_week": "dayofweek", "day_of_year": "dayofyear"}


def _calendar_values(wall: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each feature's value and cyclic period from wall-clock nanoseconds."""
    ns = wall.astype("datetime64[ns]")
    days, months, years = (ns.astype(f"datetime64[{u}]") for u in ("D", "M", "Y"))
    month = (months - years.astype("datetime64[M]")).astype(np.int64) + 1
    in_month = ((months + 1).astype("datetime64[D]") - months.astype("datetime64[D]"))
    in_year = ((years + 1).astype("datetime64[D]") - years.astype("datetime64[D]"))
    since_midnight = (ns - days.astype("datetime64[ns]")).astype(np.int64)
    # 1970-01-01 was a Thursday (3 with Monday = 0)
    return {
        "minute": ((since_midnight // 60_000_000_000) % 60, None),
        "hour": (since_midnight // 3_600_000_000_000, None),
        "dayofweek": ((days.astype(np.int64) + 3) % 7, None),
        "day": ((days - months.astype("datetime64[D]")).astype(np.int64) + 1,
                in_month.astype(np.int64)),
        "dayofyear": ((days - years.astype("datetime64[D]")).astype(np.int64) + 1,
                      in_year.astype(np.int64)),
        "month": (month, None),
        "quarter": ((month - 1) // 3 + 1, None),
    }


def _feature_list(features: Any) -> list[str]:
    names = [features] if isinstance(features, str) else features
    if not isinstance(names, Iterable):
        raise ArgumentTypeError(
            f"`features` must be a list of calendar feature names. Received: "
            f"{show(features)} of type {type(features).__name__}. Pass e.g. "
            f"['dayofweek', 'month']."
        )
    names = [ALIASES.get(n, n) if isinstance(n, str) else n for n in names]
    for name in names:
        choice("features", name, list(CALENDAR_FEATURES))
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ArgumentError(
            f"`features` must name each feature once. Received: {show(names)} "
            f"(repeated: {', '.join(repeated)})."
        )
    return names


def _timestamp(value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
        ok = ts is not pd.NaT and ts.as_unit("ns") is not None
    except (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime):
        ok = False
    if not ok:
        raise ArgumentError(
            f"`holidays` must hold dates pandas can read, between {pd.Timestamp.min.date()} "
            f"and {pd.Timestamp.max.date()}. Received: {show(value)}. Pass e.g. '2024-12-25'."
        )
    return ts


def _holiday_dates(holidays: Any) -> np.ndarray:
    """The holidays as sorted unique ``datetime64[D]`` calendar dates."""
    if isinstance(holidays, (str, bytes)) or not isinstance(holidays, Iterable):
        raise ArgumentTypeError(
            f"`holidays` must be a list of dates. Received: {show(holidays)} of type "
            f"{type(holidays).__name__}. Pass e.g. holidays=['2024-12-25', '2025-01-01']."
        )
    dates = []
    for value in holidays:
        ts = _timestamp(value)
        if ts.tz is not None:
            ts = ts.tz_localize(None)  # the date on its own zone's calendar
        if ts != ts.normalize():
            raise ArgumentError(
                f"`holidays` must be dates (midnight), each compared with the date of every "
                f"time in the times' own zone. Received: {show(value)}. Pass the date only, "
                f"e.g. '{ts.date()}'."
            )
        dates.append(np.datetime64(ts.date(), "D"))
    return np.unique(np.array(dates, dtype="datetime64[D]"))


def _times(time: Any) -> tuple[np.ndarray, pd.Index]:
    """Wall-clock nanoseconds of ``time`` and the index the result keeps."""
    if isinstance(time, pd.DataFrame):
        raise ArgumentTypeError(
            "`time` must be one column of times, not a DataFrame. Received: a DataFrame "
            f"with columns {show(list(time.columns))}. Pass e.g. df['time']."
        )
    if isinstance(time, pd.Series):
        index, values = time.index, time
    elif isinstance(time, pd.Index):
        index, values = time, time
    else:
        values = time if np.ndim(time) else [time]
        values = pd.Index(values) if np.ndim(values) == 1 else values
        if not isinstance(values, pd.Index):
            raise ArgumentTypeError(
                f"`time` must be one-dimensional. Received: array of shape "
                f"{np.shape(time)}. Pass one column of times."
            )
        index = pd.RangeIndex(len(values))
    ns, kind, tz = time_values(values, "time")
    if kind != "datetime":
        raise ArgumentTypeError(
            f"`time` must hold datetimes: calendar features need a calendar. Received "
            f"numbers ({show(list(np.asarray(ns[:3])))}...). Convert them first, e.g. "
            "`pd.to_datetime(df[time], unit='s')`."
        )
    return wall_clock(ns, tz), index


def _encode(names: list[str], values: dict, encoding: str) -> dict[str, np.ndarray]:
    columns: dict[str, np.ndarray] = {}
    for name in names:
        value, varying = values[name]
        first, n_categories, period = CALENDAR_FEATURES[name]
        if encoding == "cyclic":
            angle = 2 * np.pi * (value - first) / (period if varying is None else varying)
            columns[f"{name}_sin"], columns[f"{name}_cos"] = np.sin(angle), np.cos(angle)
        else:
            for category in range(first, first + n_categories):
                columns[f"{name}_{category}"] = (value == category).astype(np.int8)
    return columns


def calendar_features(
    time: Any,
    features: Sequence[str] = ("dayofweek", "month"),
    *,
    encoding: str = "cyclic",
    holidays: Iterable[Any] | None = None,
) -> pd.DataFrame:
    """The calendar of each time as numeric columns, e.g. known-future model inputs.

    Read on the wall clock of the times' own zone. ``"cyclic"``: ``<name>_sin`` and
    ``<name>_cos`` of ``2 * pi * (value - first) / period``, so a cycle's end sits next to
    its start; ``"onehot"``: a 0/1 column per possible value, always the full set (all
    seven days even if the data holds only Mondays), so train and test match.

    | feature     | values                 | cyclic period                          |
    |-------------|------------------------|----------------------------------------|
    | `minute`    | 0-59                   | 60                                     |
    | `hour`      | 0-23                   | 24                                     |
    | `dayofweek` | 0-6, Monday = 0        | 7                                      |
    | `day`       | 1-31 (day of month)    | that month's length (28-31)            |
    | `dayofyear` | 1-366                  | that year's length (365 or 366)        |
    | `month`     | 1-12                   | 12                                     |
    | `quarter`   | 1-4                    | 4                                      |

    Parameters
    ----------
    time : pandas.Series, pandas.DatetimeIndex or array-like of datetimes
        The times, naive or zone-aware, without missing values.
    features : str or list of str, default ("dayofweek", "month")
        Names from the table, in column order (pandas' ``day_of_week`` and
        ``day_of_year`` are read as ``dayofweek`` and ``dayofyear``).
    encoding : {"cyclic", "onehot"}, default "cyclic"
        float64 sine/cosine columns, or int8 columns ``<name>_<value>``.
    holidays : list of dates, optional
        Adds an int8 ``holiday`` column: 1 where the time's date, in the times' own zone,
        is in the list. Strings, ``datetime.date``, midnight timestamps (a zone-aware one
        counts by its own date) or a ``holidays`` package calendar.

    Returns
    -------
    pandas.DataFrame
        One row per time, indexed like ``time`` (a Series' index, the DatetimeIndex
        itself, 0..n-1 for arrays), so it joins back to the frame.

    Raises
    ------
    ArgumentError, ArgumentTypeError, DataError
        If a feature is unknown or repeated, ``encoding`` is neither option, a holiday is
        not a date, ``holidays`` is not a list, or ``time`` holds no datetimes or NaT.

    Examples
    --------
    >>> import pandas as pd
    >>> import seqprep
    >>> t = pd.Series(pd.date_range("2024-12-23", periods=3, freq="D"))
    >>> seqprep.calendar_features(t, ["dayofweek"]).round(3)
       dayofweek_sin  dayofweek_cos
    0          0.000          1.000
    1          0.782          0.623
    2          0.975         -0.223
    >>> days = seqprep.calendar_features(t, "dayofweek", encoding="onehot",
    ...                                  holidays=["2024-12-25"])
    >>> list(days.columns)[-2:], days["holiday"].tolist()
    (['dayofweek_6', 'holiday'], [0, 0, 1])
    """
    names = _feature_list(features)
    choice("encoding", encoding, ["cyclic", "onehot"])
    dates = None if holidays is None else _holiday_dates(holidays)
    if not names and dates is None:
        raise ArgumentError(
            "`features` must name at least one feature when no `holidays` are given. "
            f"Received: features={show(features)}. Choose from {', '.join(CALENDAR_FEATURES)}."
        )
    wall, index = _times(time)
    columns = _encode(names, _calendar_values(wall), encoding)
    if dates is not None:
        day = wall.astype("datetime64[ns]").astype("datetime64[D]")
        columns["holiday"] = np.isin(day, dates).astype(np.int8)
    return pd.DataFrame(columns, index=index)
