"""The one time axis: parse, kind, time zone, step, frequency inference, gaps, off-grid rows.

Every front end reads times through this module: the schema checks (``_checks``),
:func:`make_windows` and :func:`open_windows` (through ``_plan``), :func:`split_by_time`
and ``Windows.to_frame``. One rule each:

- **Values.** Datetimes become int64 nanoseconds since the epoch (UTC for zone-aware
  times), kind ``"datetime"``; numbers stay numbers, kind ``"number"`` (``"integer"`` in
  the schema checks, which accept integer times only). Times outside pandas' nanosecond
  range (``9999-12-31`` "open end" sentinels) are refused by name, never shown as other
  times.
- **Steps** (decision D2). A step of a day or longer is a *calendar* step in the data's
  own time zone: it is compared on the wall clock, so daily data keeps its midnight across
  a daylight-saving change (a 23- or 25-hour elapsed step is no gap). A step shorter than
  a day is elapsed time. Months, years and other calendar frequencies are always wall
  clock. A numeric ``freq`` is for numeric times, a frequency string for datetimes: the
  other pairing is refused (:func:`step` raises), never skipped.
- **Frequency inference.** The most common positive step (:func:`mode`); when not every
  step equals it, :func:`named_freq` asks pandas about a few short runs and keeps the named
  frequency that explains the most steps.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._args import plural, show
from ._errors import ArgumentError, ArgumentTypeError, DataError, SchemaError

__all__ = ["DAY_NS", "Axis", "ParsedTime", "Step", "datetimes", "gap_table", "infer_freq",
           "mode", "named_freq", "normalize_freq", "off_grid", "parse_column",
           "shift", "step", "step_name", "time_labels", "time_values",
           "wall_clock"]

DAY_NS = 86_400 * 10**9

# pandas 3.1 warns that ``pd.infer_freq`` will return a DateOffset instead of a string, and
# offers this option to get that behaviour now; older pandas has no such option.
_OFFSET_OPTION: str | None = "future.infer_freq_returns_offset"
try:
    pd.get_option(_OFFSET_OPTION)
except pd.errors.OptionError:
    _OFFSET_OPTION = None


# ------------------------------------------------------------------- values


def _out_of_range(name: str, received: str) -> DataError:
    return DataError(
        f"`{name}` must lie between {pd.Timestamp.min} and {pd.Timestamp.max} (times are "
        f"compared in nanoseconds). Received: {received}. Replace sentinel times such as "
        "9999-12-31 (e.g. drop those rows), or pass the times as numbers instead (e.g. "
        "months since the start)."
    )


def time_values(times: Any, name: str = "time") -> tuple[np.ndarray, str, Any]:
    """Times as sortable values, their kind and time zone.

    Datetimes become int64 nanoseconds since the epoch (UTC for zone-aware times), kind
    ``'datetime'``; numbers stay numbers (int64 or float64), kind ``'number'``.

    Examples
    --------
    >>> v, kind, tz = time_values(pd.to_datetime(["2024-01-01", "2024-01-02"]))
    >>> (v[1] - v[0]) // DAY_NS, kind, tz
    (np.int64(1), 'datetime', None)
    """
    s = times if isinstance(times, pd.Index) else pd.Index(times)
    missing = np.asarray(s.isna())
    if missing.any():
        raise DataError(
            f"`{name}` must have no missing values. Received: "
            f"{plural(int(missing.sum()), 'missing time')} (first at row "
            f"{int(np.flatnonzero(missing)[0])}). Drop or fill those rows first."
        )
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        idx = pd.DatetimeIndex(s)
        try:
            return idx.as_unit("ns").asi8.copy(), "datetime", idx.tz
        except pd.errors.OutOfBoundsDatetime:
            raise _out_of_range(name, f"times from {idx.min()} to {idx.max()}") from None
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        as_int = pd.api.types.is_integer_dtype(s.dtype)
        if pd.api.types.is_unsigned_integer_dtype(s.dtype) and len(s) \
                and int(s.max()) > np.iinfo(np.int64).max:
            raise DataError(
                f"`{name}` must hold numbers that fit in int64. Received: times up to "
                f"{int(s.max())}. Subtract the first time (times since the start), or pass "
                "datetimes."
            )
        try:
            values = np.asarray(s.to_numpy(dtype=np.int64 if as_int else np.float64))
        except (OverflowError, ValueError, TypeError):
            raise ArgumentTypeError(
                f"`{name}` must hold datetimes or numbers that fit in 64 bits. Received dtype "
                f"{s.dtype}. Convert the times to int64 or float64 first."
            ) from None
        if np.issubdtype(values.dtype, np.floating) and not np.isfinite(values).all():
            raise DataError(f"`{name}` must hold finite numbers. Received: infinite times. "
                            "Drop or fix those rows first.")
        return values, "number", None
    raise ArgumentTypeError(
        f"`{name}` must hold datetimes or numbers. Received dtype {s.dtype}. Parse it first, "
        "e.g. `df[time] = pd.to_datetime(df[time])`."
    )


def datetimes(ns: np.ndarray, tz: Any) -> pd.DatetimeIndex:
    """int64 nanoseconds (UTC) back to datetimes, in ``tz`` when given."""
    idx = pd.DatetimeIndex(np.asarray(ns, dtype=np.int64).view("datetime64[ns]"))
    return idx.tz_localize("UTC").tz_convert(tz) if tz is not None else idx


def wall_clock(ns: np.ndarray, tz: Any) -> np.ndarray:
    """Local wall-clock nanoseconds of UTC nanoseconds ``ns`` in ``tz`` (``ns`` without one)."""
    if tz is None or str(tz) == "UTC":
        return np.asarray(ns, dtype=np.int64)
    return datetimes(ns, tz).tz_localize(None).as_unit("ns").asi8


def time_labels(values: np.ndarray, kind: str | None, tz: Any = None) -> list:
    """Times as they are shown in messages and tables."""
    if kind == "datetime":
        return [str(t) for t in datetimes(values, tz)]
    return [v.item() if hasattr(v, "item") else v for v in values]


# ------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Step:
    """The step between consecutive rows, under rule D2.

    ``unit`` is a number (nanoseconds for datetimes) for a fixed step, or a pandas
    ``DateOffset`` for a calendar one (months, years, ...); ``wall`` says a fixed step is
    compared on the local wall clock (a datetime step of a day or longer, in a time zone);
    ``name`` is the frequency string shown to users.
    """

    unit: Any
    name: str
    wall: bool = False

    @property
    def calendar(self) -> bool:
        return not isinstance(self.unit, (numbers.Real, np.number))


def step_name(ns: int) -> str:
    """A pandas frequency string for a step of ``ns`` nanoseconds: ``'D'``, ``'7D'``, ``'h'``.

    Whole days are named in days ("7D", not "168h").

    Examples
    --------
    >>> step_name(DAY_NS), step_name(7 * DAY_NS), step_name(90 * 60 * 10**9)
    ('D', '7D', '90min')
    """
    if ns % DAY_NS == 0:
        k = ns // DAY_NS
        return "D" if k == 1 else f"{k}D"
    return pd.tseries.frequencies.to_offset(pd.Timedelta(int(ns))).freqstr


def _offset(freq: Any) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError, OverflowError):
        return None


def _too_long(freq: Any, offset: Any) -> str | None:
    """The refusal of a positive step longer than pandas' whole time range, else None.

    ``pandas.Timestamp.min + offset`` overflows exactly when no two times pandas can hold
    are one step apart ('200000D', '400000MS'): such a step could never be checked.
    """
    if offset.n <= 0:
        return None
    try:
        pd.Timestamp.min + offset
    except (ValueError, OverflowError):  # OutOfBoundsDatetime/-Timedelta are ValueErrors
        return (f"`freq` must be shorter than the time range pandas can hold "
                f"({pd.Timestamp.min:%Y-%m-%d} to {pd.Timestamp.max:%Y-%m-%d}, about 584 "
                f"years). Received: freq={show(freq)}. Pass the step between rows.")
    return None


def step(freq: Any, kind: str, tz: Any = None, *, error: type[Exception] = ArgumentError,
         local: bool | None = None) -> Step:
    """``freq`` as a :class:`Step` for times of ``kind`` (``'number'``/``'integer'`` or
    ``'datetime'``) in zone ``tz``; raises ``error`` when ``freq`` does not fit them.

    ``local`` says the times have a wall clock other than UTC (by default: ``tz`` is a
    zone other than UTC); with it, a step of a day or longer is a wall-clock step (D2).

    Examples
    --------
    >>> step("D", "datetime", "Europe/Berlin")
    Step(unit=86400000000000, name='D', wall=True)
    >>> step("2h", "datetime", "Europe/Berlin").wall
    False
    >>> step(1, "datetime")
    Traceback (most recent call last):
    ...
    seqprep.ArgumentError: `freq` must be a pandas frequency ...
    """
    number = kind in ("number", "integer")
    if number:
        if isinstance(freq, (bool, np.bool_)) or not isinstance(freq, numbers.Real) \
                or freq <= 0 or not np.isfinite(float(freq)):  # NaN: not finite
            raise error(
                f"`freq` must be a positive number for a numeric time column. Received: "
                f"freq={show(freq)}. A frequency string such as 'D' is for datetime times: "
                "pass the step in the time column's own units (e.g. freq=1)."
            )
        return Step(freq, str(freq))
    offset = None if isinstance(freq, (bool, np.bool_, numbers.Number)) else _offset(freq)
    if offset is None:
        extra = (" A number is for numeric time columns; these times are datetimes."
                 if isinstance(freq, numbers.Number) else "")
        raise error(
            f"`freq` must be a pandas frequency such as '1h', '7D', 'W-SUN' or 'MS' for "
            f"datetime times. Received: freq={show(freq)}.{extra}"
        )
    too_long = _too_long(freq, offset)
    if too_long is not None:
        raise error(too_long)
    try:
        ns = int(pd.Timedelta(offset).value)
    except (ValueError, TypeError, OverflowError):
        if offset.n <= 0:
            raise error(f"`freq` must be a positive step. Received: freq={show(freq)}.") from None
        return Step(offset, offset.freqstr, wall=True)
    if ns <= 0:
        raise error(f"`freq` must be a positive step. Received: freq={show(freq)}.")
    if local is None:
        local = tz is not None and str(tz) != "UTC"
    wall = bool(local) and ns >= DAY_NS
    return Step(ns, offset.freqstr, wall)


def normalize_freq(freq: Any) -> str | int | None:
    """``freq`` as stored in a schema: a pandas frequency string, a positive int, or None.

    Raises :class:`SchemaError` for anything else.

    Examples
    --------
    >>> normalize_freq("1h"), normalize_freq(3), normalize_freq(None)
    ('h', 3, None)
    """
    if freq is None:
        return None
    if isinstance(freq, (bool, np.bool_)):
        raise SchemaError(f"`freq` must be a pandas frequency such as 'h', '15min', 'D', "
                          f"'W-SUN' or 'MS', or a positive integer for integer times. "
                          f"Received: freq={show(freq)}.")
    if isinstance(freq, numbers.Integral):
        if freq <= 0:
            raise SchemaError(f"`freq` must be a positive integer for integer times. "
                              f"Received: freq={show(freq)}.")
        if int(freq) > np.iinfo(np.int64).max:
            raise SchemaError(f"`freq` must fit in 64 bits. Received: freq={show(freq)}.")
        return int(freq)
    offset = _offset(freq)
    if offset is None or offset.n <= 0:
        raise SchemaError(
            f"`freq` must be a pandas frequency such as 'h', '15min', 'D', 'W-SUN' or 'MS', "
            f"or a positive integer for integer times. Received: freq={show(freq)}. See "
            "https://pandas.pydata.org/docs/user_guide/timeseries.html#offset-aliases."
        )
    too_long = _too_long(freq, offset)
    if too_long is not None:
        raise SchemaError(too_long)
    return offset.freqstr


def off_grid(tv: np.ndarray, unit: Step, tz: Any) -> np.ndarray:
    """``True`` where the next time is not this time plus one step (rule D2)."""
    if not unit.calendar:
        cur = wall_clock(tv, tz) if unit.wall else tv
        d = np.diff(cur)
        if isinstance(unit.unit, (float, np.floating)) or np.issubdtype(cur.dtype, np.floating):
            return ~np.isclose(d, unit.unit, rtol=1e-6, atol=0.0)
        return d != unit.unit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = (datetimes(tv[:-1], tz) + unit.unit).as_unit("ns").asi8
        except Exception:  # e.g. a local time that does not exist: compare row by row
            expected = np.array([_shift_one(v, unit.unit, tz) for v in tv[:-1]], dtype=np.int64)
    return tv[1:] != expected


_HALF = 2**62  # |a - b| < 2**63 when both lie in [-2**62, 2**62)


def steps_between(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """``later - earlier`` for int64 times, saturated at int64's bounds instead of wrapping
    (datetimes more than ~292 years apart), so its sign always says which is later.

    Examples
    --------
    >>> t = np.array([7_258_118_400 * 10**9, -8_520_336_000 * 10**9])  # 2200, 1700
    >>> bool(steps_between(t[1:], t[:-1])[0] < 0), bool((t[1:] - t[:-1])[0] < 0)
    (True, False)
    """
    later, earlier = np.asarray(later), np.asarray(earlier)
    with np.errstate(over="ignore"):
        d = np.asarray(later - earlier)
    if d.dtype.kind != "i" or not d.size:
        return d
    if (later.min() >= -_HALF and later.max() < _HALF and earlier.min() >= -_HALF
            and earlier.max() < _HALF):
        return d  # values within +-2**62 cannot wrap (the common case, 1824-2115): fast
    up, down = later > earlier, later < earlier
    d[up & (d <= 0)] = np.iinfo(d.dtype).max
    d[down & (d >= 0)] = np.iinfo(d.dtype).min
    return d


def calendar_grid(start: pd.Timestamp, end: pd.Timestamp, offset: Any,
                  inclusive: str = "both") -> pd.DatetimeIndex:
    """``pd.date_range(start, end, freq=offset, inclusive=...)``, also when the step after
    ``end`` lies past pandas' time range (a calendar step of centuries near 2262).

    Examples
    --------
    >>> grid = calendar_grid(pd.Timestamp("2024-01-01"), pd.Timestamp("2262-01-01"), "100YS")
    >>> [t.year for t in grid]  # pd.date_range raises OutOfBoundsDatetime here (2324)
    [2024, 2124, 2224]
    """
    offset = pd.tseries.frequencies.to_offset(offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.date_range(start, end, freq=offset, inclusive=inclusive)
        except (OverflowError, ValueError):  # OutOfBoundsDatetime: the point after `end`
            pass
        points = []
        try:
            cur = start if offset.is_on_offset(start) else start + offset
            while cur <= end:
                points.append(cur)
                cur = cur + offset
        except (OverflowError, ValueError):
            pass
    keep = [p for p in points if (inclusive in ("both", "left") or p != start)
            and (inclusive in ("both", "right") or p != end)]
    return pd.DatetimeIndex(keep, tz=start.tz)


def _shift_one(value: int, unit: Any, tz: Any) -> int:
    try:
        return int((datetimes(np.array([value]), tz) + unit).as_unit("ns").asi8[0])
    except Exception:
        return int(np.iinfo(np.int64).min)


def shift(times: pd.DatetimeIndex, freq: Any, k: int) -> pd.DatetimeIndex:
    """``times`` moved ``k`` steps of ``freq`` on, by rule D2 (wall clock from a day up)."""
    tz = times.tz
    unit = step(freq, "datetime", tz)
    if unit.calendar:
        return times + unit.unit * int(k)
    if unit.wall:
        local = times.tz_localize(None) + pd.Timedelta(int(unit.unit) * int(k))
        return local.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return times + pd.Timedelta(int(unit.unit) * int(k))


def gap_table(tv: np.ndarray, off: np.ndarray, codes: np.ndarray | None, labels: Any,
              kind: str, tz: Any, unit: Step) -> pd.DataFrame:
    """One row per off-grid step: ``group``, ``after``, ``before``, ``missing`` steps."""
    at = np.flatnonzero(off)
    after, before = tv[at], tv[at + 1]
    if not unit.calendar:
        if unit.wall:
            after_w, before_w = wall_clock(after, tz), wall_clock(before, tz)
        else:
            after_w, before_w = after, before
        ratio = (before_w - after_w) / unit.unit
        whole = np.isclose(ratio, np.round(ratio), rtol=0, atol=1e-6)
        missing = np.where(whole, np.round(ratio) - 1, np.nan)
    else:
        found = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for a, b in zip(datetimes(after, tz), datetimes(before, tz)):
                grid = calendar_grid(a, b, unit.unit)
                found.append(len(grid) - 2 if len(grid) >= 2 and grid[-1] == b else np.nan)
        missing = np.asarray(found, dtype=float)
    return pd.DataFrame({
        "group": [labels[codes[i]] for i in at] if codes is not None else [None] * len(at),
        "after": time_labels(after, kind, tz),
        "before": time_labels(before, kind, tz),
        "missing": missing,  # NaN: the next time is off the grid, not a whole number of steps
    })


# ------------------------------------------------------------------- inference


def mode(steps: np.ndarray) -> tuple[int, int]:
    """The most common value of ``steps`` and its count (fast when one value dominates).

    Ties go to the smallest value.

    Examples
    --------
    >>> mode(np.array([3, 3, 5, 3, 7]))
    (3, 3)
    >>> mode(np.array([5, 2, 5, 2]))
    (2, 2)
    """
    guess = int(np.median(steps[:1000]))
    hits = int(np.count_nonzero(steps == guess))
    if 2 * hits > len(steps):
        return guess, hits
    values, counts = np.unique(steps, return_counts=True)
    k = int(np.argmax(counts))
    return int(values[k]), int(counts[k])


def _infer_name(index: pd.DatetimeIndex) -> str | None:
    """``pd.infer_freq(index)`` as a frequency string (``None`` when pandas finds none)."""
    try:
        if _OFFSET_OPTION is None:
            name = pd.infer_freq(index)
        else:
            with pd.option_context(_OFFSET_OPTION, True):
                name = pd.infer_freq(index)
    except (ValueError, TypeError):
        return None
    return getattr(name, "freqstr", name)


def named_freq(runs: Iterable[pd.DatetimeIndex], hits: Callable[[str], int],
               best: Any, best_hits: int) -> Any:
    """The frequency that explains the most steps: ``best`` or a name pandas infers.

    ``runs`` are short stretches of times (those shorter than 3 are skipped), ``hits(name)``
    counts the steps that the frequency ``name`` explains, and ``best`` (explaining
    ``best_hits`` steps) is kept unless a name explains strictly more.

    Examples
    --------
    >>> months = pd.date_range("2024-01-01", periods=6, freq="MS")
    >>> named_freq([months[:4], months[2:]], lambda name: 5, "31D", 3)
    'MS'
    >>> named_freq([months[:2]], lambda name: 5, "31D", 3)
    '31D'
    """
    names = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for run in runs:
            if len(run) >= 3:
                name = _infer_name(run)
                if name is not None:
                    names.add(name)
    for name in sorted(names):
        n = hits(name)
        if n > best_hits:
            best, best_hits = name, n
    return best


def infer_freq(tv: np.ndarray, kind: str, tz: Any, inner: np.ndarray,
               bounds: np.ndarray) -> Any:
    """The most common step between consecutive rows of a group, or a named pandas frequency.

    ``inner`` marks the steps (``np.diff(tv)``) within a group; ``bounds`` are the first
    row of each group, then the row count. Datetime steps of whole days are counted on the
    wall clock (rule D2).
    """
    if kind == "datetime" and tz is not None:
        local = wall_clock(tv, tz)
        wall_diffs = np.diff(local)[inner]
        wall_diffs = wall_diffs[wall_diffs > 0]
        if len(wall_diffs) and mode(wall_diffs)[0] >= DAY_NS:
            tv_steps = local
        else:
            tv_steps = tv
    else:
        tv_steps = tv
    diffs = np.diff(tv_steps)[inner]
    diffs = diffs[diffs > 0]
    if len(diffs) == 0:
        return None
    if kind == "number" and np.issubdtype(diffs.dtype, np.floating):
        # float steps carry rounding error: find the mode at 9 significant digits
        scale = 10.0 ** (np.floor(np.log10(diffs.max())) - 9)
        values, counts = np.unique(np.round(diffs / scale), return_counts=True)
        return float(f"{values[np.argmax(counts)] * scale:.9g}")
    common, hits = mode(diffs)
    if kind == "number":
        return common
    fixed = step_name(common)  # whole days as "D", "7D" rather than "24h", "168h"
    if hits == len(diffs):
        return fixed
    # Calendar frequencies (months, years) have unequal steps. Ask pandas about short runs
    # of the longest group, and keep the named frequency that explains the most steps.
    g = int(np.argmax(np.diff(bounds)))
    sl = tv[bounds[g] : bounds[g + 1]]
    starts = np.linspace(0, max(len(sl) - 4, 0), num=min(8, max(len(sl) - 3, 1))).astype(int)
    runs = (datetimes(sl[at : at + 4], tz) for at in starts)
    steps_at = np.flatnonzero(inner)
    pairs = np.stack([tv[steps_at], tv[steps_at + 1]], axis=1).ravel()

    def on_grid(name: str) -> int:
        return int((~off_grid(pairs, step(name, kind, tz), tz)[::2]).sum())

    return named_freq(runs, on_grid, fixed, hits)


# ------------------------------------------------------------------- axis


@dataclass
class Axis:
    """Rows in (group, time) order with a comparable time: ns for datetimes, else numbers.

    ``kind`` is ``"datetime"``, ``"number"`` or ``"position"`` (no time: row positions
    within each group); ``bounds`` are the first sorted row of each group, then the row count.
    """

    t: np.ndarray
    kind: str
    tz: Any
    codes: np.ndarray
    labels: list | None
    bounds: np.ndarray

    @property
    def n_groups(self) -> int:
        return len(self.bounds) - 1

    def label(self, value: Any) -> Any:
        """A value in the data's own terms: a Timestamp or a number."""
        if self.kind == "datetime":
            return datetimes(np.array([int(value)]), self.tz)[0]
        value = float(value)
        return int(value) if value.is_integer() else value

    def labels_of(self, values: np.ndarray) -> Any:
        if self.kind == "datetime":
            return datetimes(values, self.tz)
        return values


# ------------------------------------------------------------------- parsing columns


@dataclass
class ParsedTime:
    """A time column as int64 values (ns since the epoch, UTC, for datetimes).

    ``valid`` marks rows with a usable time; ``wall`` holds local wall-clock ns for times
    in a time zone other than UTC; ``series`` is the parsed column when it had to be parsed
    or converted (else None); ``problems`` are ``(check, rows, values)`` records
    (``rows`` None for the whole column) of ``time_parses``, ``timezone`` and ``dtype``
    cases, which ``_checks`` turns into failure tables (``failures``); ``kind`` is
    ``"datetime"``, ``"integer"`` or None (unusable).
    """

    values: np.ndarray
    valid: np.ndarray
    kind: str | None
    tz: str | None = None
    wall: np.ndarray | None = None
    series: pd.Series | None = None
    problems: list = field(default_factory=list)
    mismatch: bool = False  # the kind differs from the schema's time_type
    failures: list = field(default_factory=list)

    @property
    def all_valid(self) -> bool:
        return bool(np.all(self.valid))


def _ns(s: pd.Series) -> np.ndarray:
    """Naive datetimes as int64 nanoseconds; raises ``OutOfBoundsDatetime`` beyond their
    range (numpy's own cast would wrap such times round to others)."""
    if s.dtype != "datetime64[ns]":
        s = s.dt.as_unit("ns")  # pandas checks the range
    return s.to_numpy().view(np.int64)


def _unusable(n: int, problem: tuple) -> ParsedTime:
    return ParsedTime(np.zeros(n, np.int64), np.zeros(n, bool), None, problems=[problem])


def _to_datetime(s: pd.Series, *, utc: bool) -> tuple[pd.Series, bool]:
    """Parse strings to datetimes; ``mixed`` is True if offsets differed and UTC was used."""
    first = s.dropna()
    first = str(first.iloc[0]) if len(first) else ""
    iso = len(first) >= 10 and first[:4].isdigit() and first[4] == "-"
    kw = {"format": "ISO8601"} if iso else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed, mixed = pd.to_datetime(s, errors="coerce", utc=utc, **kw), False
        except (ValueError, TypeError):
            try:
                parsed, mixed = pd.to_datetime(s, errors="coerce", utc=True, **kw), not utc
            except (ValueError, TypeError):
                parsed = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
                mixed = False
    return parsed, mixed


def parse_column(s: pd.Series, *, time_type: str | None, timezone: str | None) -> ParsedTime:
    """Parse a time column under a schema's ``time_type`` and ``timezone`` policy.

    Null times are left to the ``not_null`` check; values that are present but do not
    parse are ``time_parses`` problems; a column of the wrong kind is one ``dtype`` problem.
    Never raises for bad data. The one parser of the command line and the library.

    Examples
    --------
    >>> p = parse_column(pd.Series(["2024-03-30T00:00+01:00", "2024-03-31T00:00+01:00",
    ...                             "2024-04-01T00:00+02:00", "soon"]),
    ...                  time_type=None, timezone=None)
    >>> p.kind, p.valid.tolist(), [(check, value) for check, _, value in p.problems]
    ('datetime', [True, True, True, False],
     [('time_parses', array(['soon'], dtype=object)), ('timezone', 'mixed UTC offsets')])
    >>> (p.wall[2] - p.wall[1]) // DAY_NS  # the day across the change is one day on the wall
    np.int64(1)
    """
    n = len(s)
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype) or not (
            pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_string_dtype(dtype) or dtype == object):
        return _unusable(n, ("dtype", None, str(dtype)))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_datetime64_any_dtype(dtype):
        return _parse_numbers(s, time_type)
    if not pd.api.types.is_datetime64_any_dtype(dtype):  # strings or objects: parse
        if time_type == "integer":
            return _parse_integer_text(s)
        return _parse_datetime_text(s, time_type, timezone)
    return _datetime_policy(s, None, [], time_type, timezone)


def _parse_numbers(s: pd.Series, time_type: str | None) -> ParsedTime:
    n = len(s)
    nulls = s.isna().to_numpy()
    if pd.api.types.is_integer_dtype(s.dtype):
        try:
            values = s.to_numpy(dtype=np.int64, na_value=0)
        except (OverflowError, ValueError, TypeError):
            return _unusable(n, ("dtype", None, str(s.dtype)))
        valid = ~nulls
    else:
        f = s.to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            integral = np.isfinite(f) & (np.floor(f) == f) & (np.abs(f) < 2.0**63)
        if not np.all(integral | nulls):
            return _unusable(n, ("dtype", None, str(s.dtype)))
        values = np.where(integral, f, 0).astype(np.int64)
        valid = integral
    mismatch = time_type == "datetime"
    problems = [("dtype", None, str(s.dtype))] if mismatch else []
    return ParsedTime(values, valid, "integer", problems=problems, mismatch=mismatch)


def _parse_integer_text(s: pd.Series) -> ParsedTime:
    nulls = s.isna().to_numpy()
    num = pd.to_numeric(s, errors="coerce")
    f = num.to_numpy(dtype=np.float64, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(f) & (np.floor(f) == f) & (np.abs(f) < 2.0**63)
    bad = ~ok & ~nulls
    problems = []
    if bad.any():
        rows = np.flatnonzero(bad)
        problems.append(("time_parses", rows, s.to_numpy()[rows]))
    series = pd.Series(np.where(ok, f, np.nan), index=s.index, name=s.name)
    series = series.astype("Int64") if (bad | nulls).any() else series.astype(np.int64)
    return ParsedTime(np.where(ok, f, 0).astype(np.int64), ok, "integer", series=series,
                      problems=problems)


def mixed_offsets_fix(how: str) -> str:
    """What to do about text times that carry several UTC offsets when no schema says their
    zone (``infer_schema`` and ``seqprep infer`` alike); ``how`` names the zone there."""
    return ("the times carry several UTC offsets (a zone with daylight saving time, such as "
            f"Europe/Berlin?): name the zone {how}, or store the times in UTC")


def _parse_datetime_text(s: pd.Series, time_type: str | None,
                         timezone: str | None) -> ParsedTime:
    nulls = s.isna().to_numpy()
    parsed, mixed = _to_datetime(s, utc=timezone not in (None, "naive"))
    problems: list = []
    bad = parsed.isna().to_numpy() & ~nulls
    if bad.any():
        rows = np.flatnonzero(bad)
        problems.append(("time_parses", rows, s.to_numpy()[rows]))
    if mixed and timezone is None:
        problems.append(("timezone", None, "mixed UTC offsets"))
        out = _datetime_policy(parsed, parsed, problems, time_type, timezone)
        out.wall = _written_wall_clock(s, parsed)  # the writer's own clock, offsets aside
        return out
    return _datetime_policy(parsed, parsed, problems, time_type, timezone)


def _written_wall_clock(raw: pd.Series, parsed: pd.Series) -> np.ndarray | None:
    """Local wall-clock ns of times written with their own UTC offsets (``+01:00``, ...).

    A table written from a zone with daylight saving mixes offsets; its wall clock is the
    time as written. Steps of a day or longer are judged on it (D2), so a daily series is
    not 23 hours apart across a change."""
    text = raw.astype("string").str.replace(r"(?:Z|[+-]\d\d(?::?\d\d)?)$", "", regex=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = pd.to_datetime(text, errors="coerce", format="ISO8601")
    if local.isna().to_numpy().sum() != parsed.isna().to_numpy().sum():
        return None
    try:
        return _ns(local.fillna(pd.Timestamp(0)))
    except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError):
        return None


def _datetime_policy(s: pd.Series, series: pd.Series | None, problems: list,
                     time_type: str | None, timezone: str | None) -> ParsedTime:
    """Apply the timezone policy to a parsed datetime column and read its values."""
    nulls = s.isna().to_numpy()
    tz = getattr(s.dtype, "tz", None)
    if timezone == "naive" and tz is not None:
        problems.append(("timezone", None, str(tz)))
    elif timezone not in (None, "naive"):
        if tz is None:
            problems.append(("timezone", None, "naive"))
        elif str(tz) != timezone:
            s = s.dt.tz_convert(timezone)
            series = s
            tz = s.dtype.tz
    mismatch = time_type == "integer"
    if mismatch:
        problems.append(("dtype", None, str(s.dtype)))
    naive = s.dt.tz_convert("UTC").dt.tz_localize(None) if tz is not None else s
    try:
        values = _ns(naive)
    except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError):
        return _beyond_ns(s, problems)
    wall = None
    if tz is not None and str(tz) != "UTC":
        wall = _ns(s.dt.tz_localize(None))
    return ParsedTime(values, ~nulls, "datetime", tz=None if tz is None else str(tz),
                      wall=wall, series=series, problems=problems, mismatch=mismatch)


def _beyond_ns(s: pd.Series, problems: list) -> ParsedTime:
    """A datetime column (of a coarser unit) holding times beyond the nanosecond range:
    those rows are ``time_parses`` problems, shown as they are, never as other times."""
    tz = getattr(s.dtype, "tz", None)
    local = s.dt.tz_convert("UTC").dt.tz_localize(None) if tz is not None else s
    bad = ((local > pd.Timestamp.max) | (local < pd.Timestamp.min)).to_numpy()
    rows = np.flatnonzero(bad)
    problems.append(("time_parses", rows, np.asarray(s.astype(str).to_numpy()[rows], dtype=object)))
    good = s.where(~bad).dt.as_unit("ns")
    out = _datetime_policy(good, good, problems, None, None)
    out.valid = out.valid & ~bad
    return out
