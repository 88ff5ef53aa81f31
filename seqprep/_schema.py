"""``SeriesSchema``: prove a tabular series is sound before it is windowed.

A :class:`SeriesSchema` is a pandera ``DataFrameSchema`` (see :meth:`SeriesSchema.to_pandera`)
plus the time-series checks pandera lacks for pandas: time increasing within each group,
no repeated (group, time), a regular frequency with every gap reported, and a minimum
length per group. :meth:`SeriesSchema.validate` collects every failure at once into one
:class:`ValidationError`; :meth:`SeriesSchema.to_yaml` / :meth:`SeriesSchema.from_yaml`
round-trip the schema, time-series checks included.
"""

from __future__ import annotations

import numbers
import os
import warnings
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._args import plural, require, show
from ._errors import ArgumentTypeError, ColumnError, SchemaError, ShapeError, ValidationError
from ._tables import as_frame, as_pandas, collected, is_polars_frame, is_table

__all__ = ["SeriesSchema", "infer_schema"]

VERSION = 1
_KEYS = ("seqprep_schema", "time", "group", "features", "targets", "freq", "min_length",
         "regular", "time_type", "timezone", "strict", "allow_nan", "allow_inf", "ranges",
         "allowed")
_SHOW_PER_CHECK = 3
_SHOW_TOTAL = 12


# ------------------------------------------------------------------ arguments


def _name(arg: str, value: Any, *, optional: bool = False) -> Hashable:
    if value is None and optional:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (str, numbers.Integral)):
        raise SchemaError(
            f"`{arg}` must be a column name (a string or an integer). Received: "
            f"{arg}={show(value)}."
        )
    return value if isinstance(value, str) else int(value)


def _names(arg: str, value: Any) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (str, numbers.Integral)) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise SchemaError(
            f"`{arg}` must be a column name or a list of them. Received: {arg}={show(value)}."
        )
    out = tuple(_name(arg, v) for v in value)
    seen = {v for v in out if out.count(v) > 1}
    if seen:
        raise SchemaError(f"`{arg}` must not repeat a column. Received: {arg}={list(out)} "
                          f"(repeats {sorted(map(str, seen))}).")
    return out


def _flag(arg: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise SchemaError(f"`{arg}` must be True or False. Received: {arg}={show(value)}.")
    return bool(value)


def _columns_or_flag(arg: str, value: Any, allowed: tuple) -> bool | tuple:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    names = _names(arg, value)
    bad = [c for c in names if c not in allowed]
    if bad:
        raise SchemaError(
            f"`{arg}` must be True, False or a list of feature or target columns. Received: "
            f"{arg}={list(names)}, but {bad} {'is' if len(bad) == 1 else 'are'} not among "
            f"features or targets {list(allowed)}."
        )
    return names


def _number(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real) or \
            (isinstance(v, float) and np.isnan(v)):
        raise ValueError
    return int(v) if isinstance(v, numbers.Integral) else float(v)


def _ranges(value: Any, time: Hashable, group: Hashable) -> dict:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SchemaError(f"`ranges` must map column names to (min, max) pairs. "
                          f"Received: ranges={show(value)}.")
    out = {}
    for col, pair in value.items():
        col = _name("ranges", col)
        if col in (time, group):
            raise SchemaError(f"`ranges` cannot constrain the time or group column. "
                              f"Received: ranges={{{col!r}: ...}}.")
        try:
            lo, hi = pair
            lo, hi = _number(lo), _number(hi)
        except (TypeError, ValueError):
            raise SchemaError(
                f"`ranges` must map each column to a (min, max) pair of numbers, either of "
                f"which may be None for no bound. Received: ranges[{col!r}]={show(pair)}."
            ) from None
        if lo is None and hi is None:
            raise SchemaError(f"`ranges[{col!r}]` must set a min, a max or both. "
                              f"Received: {show(pair)}.")
        if lo is not None and hi is not None and lo > hi:
            raise SchemaError(f"`ranges[{col!r}]` must have min <= max. Received: "
                              f"min={lo}, max={hi}.")
        out[col] = (lo, hi)
    return out


def _allowed(value: Any, time: Hashable) -> dict:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise SchemaError(f"`allowed` must map column names to lists of values. "
                          f"Received: allowed={show(value)}.")
    out = {}
    for col, vals in value.items():
        col = _name("allowed", col)
        if col == time:
            raise SchemaError(f"`allowed` cannot constrain the time column. "
                              f"Received: allowed={{{col!r}: ...}}.")
        if isinstance(vals, (str, bytes)) or not isinstance(vals, Iterable):
            raise SchemaError(f"`allowed[{col!r}]` must be a list of values. "
                              f"Received: {show(vals)}.")
        vals = [v.item() if isinstance(v, np.generic) else v for v in vals]
        bad = [v for v in vals if not isinstance(v, (str, int, float, bool))]
        if not vals or bad:
            raise SchemaError(
                f"`allowed[{col!r}]` must be a non-empty list of strings, numbers or booleans. "
                f"Received: {show(vals)}."
            )
        out[col] = tuple(vals)
    return out


# --------------------------------------------------------------------- schema


class SeriesSchema:
    """A schema for a long table of time series: columns, types, and time-series checks.

    Parameters
    ----------
    time : str or int
        The time column: datetimes (or strings that parse as datetimes) or integers.
    group : str or int, optional
        The entity column. Every per-group check runs within each group. Defaults to
        ``None``: the whole table is one series.
    features, targets : column name or list of them
        Columns that must be numeric, with no NaN or infinity unless allowed. Defaults to
        ``()``. A column may be both a feature and a target.
    freq : str or int, optional
        The step between consecutive times of a group: a pandas frequency (``"h"``,
        ``"15min"``, ``"D"``, ``"W-SUN"``, ``"MS"``) or a positive integer for integer times.
        Defaults to ``None``: the most common step in the data is used, and every step
        that differs from it is reported.
    min_length : int, optional
        Rows every group must have, e.g. ``timesteps + gap + horizon`` so that each group
        yields a window. Shorter groups are reported by name. Defaults to ``None``.
    regular : bool, keyword-only
        Check the step between times at all. Defaults to ``True``; ``False`` for irregular
        series (then ``freq`` must be None).
    time_type : {"datetime", "integer"}, optional, keyword-only
        What the time column holds. Defaults to ``None``: either, as found.
    timezone : str, optional, keyword-only
        The timezone policy: ``"naive"`` (times carry no timezone), a zone name such as
        ``"UTC"`` or ``"Europe/Berlin"`` (times must carry a timezone, and are converted to
        this one), or ``None`` (the default: any one timezone, or none, but never a mix of
        UTC offsets).
    strict : bool, keyword-only
        Refuse columns the schema does not name. Defaults to ``False``.
    allow_nan, allow_inf : bool or list of columns, keyword-only
        Let features and targets (all, or those listed) hold NaN / infinities. Default
        ``False``.
    ranges : dict, optional, keyword-only
        ``{column: (min, max)}``, inclusive; either bound may be None.
    allowed : dict, optional, keyword-only
        ``{column: [values]}``: the only values a column may hold (e.g. the known groups).

    Raises
    ------
    SchemaError
        If an argument is malformed: the schema is wrong, not the data.

    See Also
    --------
    infer_schema : a schema from a known-good frame.
    make_windows : pass ``schema=`` to validate before windowing.

    Notes
    -----
    The checks and the stable names they report under (``ValidationError.failures["check"]``):
    ``column_present``, ``no_extra_columns``, ``dtype``, ``not_null``, ``finite``,
    ``in_range``, ``allowed_values`` (run by pandera), then ``time_parses``, ``timezone``,
    ``increasing_time``, ``unique_time``, ``regular_freq`` and ``min_length`` (vectorised
    numpy, linear in rows; see :mod:`seqprep._checks`). Repeats and gaps are judged in time
    order, so rows that are merely out of order are reported once, as ``increasing_time``.

    Examples
    --------
    >>> import pandas as pd, seqprep
    >>> df = pd.DataFrame({
    ...     "store": ["a"] * 4 + ["b"] * 3,
    ...     "day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-04",
    ...                            "2024-01-01", "2024-01-02", "2024-01-03"]),
    ...     "sales": [1.0, 2.0, 3.0, float("nan"), 5.0, 6.0, 7.0]})
    >>> schema = seqprep.SeriesSchema("day", group="store", features="sales", freq="D",
    ...                               min_length=4)
    >>> try:
    ...     schema.validate(df)
    ... except seqprep.ValidationError as err:
    ...     for case in err.failures[["check", "group", "row", "value"]].to_numpy():
    ...         print(*case)
    not_null a 3 None
    unique_time a 3 2
    regular_freq a 2 2 days 00:00:00
    min_length b <NA> 3
    """

    def __init__(self, time: Hashable, group: Hashable | None = None, features: Any = (),
                 targets: Any = (), freq: Any = None, min_length: int | None = None, *,
                 regular: bool = True, time_type: str | None = None,
                 timezone: str | None = None, strict: bool = False,
                 allow_nan: bool | Iterable = False, allow_inf: bool | Iterable = False,
                 ranges: Mapping | None = None, allowed: Mapping | None = None) -> None:
        from ._checks import normalize_freq

        self.time = _name("time", time)
        self.group = _name("group", group, optional=True)
        if self.group is not None and self.group == self.time:
            raise SchemaError(f"`group` must differ from `time`. Received: time={time!r}, "
                              f"group={group!r}.")
        self.features = _names("features", features)
        self.targets = _names("targets", targets)
        for arg, cols in (("features", self.features), ("targets", self.targets)):
            clash = [c for c in cols if c in (self.time, self.group)]
            if clash:
                raise SchemaError(f"`{arg}` must not include the time or group column. "
                                  f"Received: {arg}={list(cols)} (includes {clash}).")
        if time_type not in (None, "datetime", "integer"):
            raise SchemaError(f"`time_type` must be 'datetime', 'integer' or None. "
                              f"Received: time_type={show(time_type)}.")
        self.time_type = time_type
        self.freq = normalize_freq(freq)
        if self.freq is not None and time_type is not None:
            wants = "integer" if isinstance(self.freq, int) else "datetime"
            if wants != time_type:
                raise SchemaError(
                    f"`freq` must match `time_type`: a pandas frequency for datetimes, a "
                    f"positive integer for integers. Received: freq={self.freq!r}, "
                    f"time_type={time_type!r}."
                )
        self.regular = _flag("regular", regular)
        if not self.regular and self.freq is not None:
            raise SchemaError(f"`freq` has no effect with regular=False. Received: "
                              f"freq={self.freq!r}. Drop one of them.")
        if min_length is not None:
            if isinstance(min_length, (bool, np.bool_)) or \
                    not isinstance(min_length, numbers.Integral) or min_length < 1:
                raise SchemaError(f"`min_length` must be a positive integer or None. "
                                  f"Received: min_length={show(min_length)}.")
            min_length = int(min_length)
        self.min_length = min_length
        if timezone is not None and timezone != "naive":
            if not isinstance(timezone, str):
                raise SchemaError(f"`timezone` must be None, 'naive' or a timezone name such "
                                  f"as 'UTC'. Received: timezone={show(timezone)}.")
            try:
                pd.DatetimeTZDtype(tz=timezone)
            except Exception:  # unknown zone names raise various errors
                raise SchemaError(
                    f"`timezone` must be None, 'naive' or a timezone name such as 'UTC' or "
                    f"'Europe/Berlin'. Received: timezone={timezone!r}, an unknown zone."
                ) from None
        if timezone is not None and (time_type == "integer" or isinstance(self.freq, int)):
            raise SchemaError(f"`timezone` applies to datetimes only. Received: "
                              f"timezone={timezone!r} for integer times.")
        self.timezone = timezone
        self.strict = _flag("strict", strict)
        numeric = tuple(dict.fromkeys(self.features + self.targets))
        self.allow_nan = _columns_or_flag("allow_nan", allow_nan, numeric)
        self.allow_inf = _columns_or_flag("allow_inf", allow_inf, numeric)
        self.ranges = _ranges(ranges, self.time, self.group)
        self.allowed = _allowed(allowed, self.time)
        self._pandera_columns = None

    # -- describing ---------------------------------------------------------

    @property
    def columns(self) -> list:
        """Every column the data must have: time, group, features, targets, then the rest."""
        cols = [self.time] + ([self.group] if self.group is not None else [])
        cols += list(self.features) + list(self.targets)
        cols += list(self.ranges) + list(self.allowed)
        return list(dict.fromkeys(cols))

    @property
    def checks(self) -> list[str]:
        """The stable names of the checks this schema runs, in report order."""
        from ._checks import CHECKS

        on = {"unique_columns", "column_present", "not_null", "time_parses",
              "increasing_time", "unique_time"}
        if self.strict:
            on.add("no_extra_columns")
        if self.features or self.targets or self.time_type:
            on.add("dtype")
        if self._allows("allow_inf") != set(self.features + self.targets):
            on.add("finite")
        if self.ranges:
            on.add("in_range")
        if self.allowed:
            on.add("allowed_values")
        if self.timezone is not None or self.time_type != "integer":
            on.add("timezone")
        if self.regular:
            on.add("regular_freq")
        if self.min_length is not None:
            on.add("min_length")
        return [c for c in CHECKS if c in on]

    def _allows(self, which: str) -> set:
        v = getattr(self, which)
        if v is True:
            return set(self.features + self.targets)
        return set() if v is False else set(v)

    def to_dict(self) -> dict:
        """The schema as plain data (what :meth:`to_yaml` writes), with its version key."""
        def flag(v):
            return v if isinstance(v, bool) else list(v)
        return {
            "seqprep_schema": VERSION,
            "time": self.time,
            "group": self.group,
            "features": list(self.features),
            "targets": list(self.targets),
            "freq": self.freq,
            "min_length": self.min_length,
            "regular": self.regular,
            "time_type": self.time_type,
            "timezone": self.timezone,
            "strict": self.strict,
            "allow_nan": flag(self.allow_nan),
            "allow_inf": flag(self.allow_inf),
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "allowed": {k: list(v) for k, v in self.allowed.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> SeriesSchema:
        """The schema written by :meth:`to_dict`; raises :class:`SchemaError` if malformed."""
        if not isinstance(data, Mapping):
            raise SchemaError(f"A seqprep schema must be a mapping of keys such as `time`, "
                              f"`group`, `features`. Received: {show(data)}.")
        unknown = [k for k in data if k not in _KEYS]
        if unknown:
            raise SchemaError(
                f"A seqprep schema has no key{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(k) for k in unknown)}. Known keys: {', '.join(_KEYS)}. "
                "Check the spelling."
            )
        version = data.get("seqprep_schema")
        if version is None:
            raise SchemaError("A seqprep schema must start with its version key. Received a "
                              "mapping with no `seqprep_schema` key. Add `seqprep_schema: 1`.")
        if version != VERSION:
            raise SchemaError(
                f"`seqprep_schema` must be {VERSION} for this seqprep. Received: "
                f"seqprep_schema={show(version)}. Upgrade seqprep, or write a version "
                f"{VERSION} schema."
            )
        if "time" not in data:
            raise SchemaError("A seqprep schema must name its `time` column. Received no "
                              "`time` key.")
        kw = {k: v for k, v in data.items() if k != "seqprep_schema"}
        for key in ("features", "targets"):
            if kw.get(key) is None:
                kw[key] = ()
        for key in ("regular", "strict", "allow_nan", "allow_inf"):
            if key in kw and kw[key] is None:
                del kw[key]
        if isinstance(kw.get("ranges"), Mapping):
            kw["ranges"] = {k: (tuple(v) if isinstance(v, list) else v)
                            for k, v in kw["ranges"].items()}
        return cls(**kw)

    def to_yaml(self, path: str | os.PathLike | None = None) -> str:
        """The schema as YAML text (also written to ``path`` if given).

        Time-series checks are kept (they are plain keys: ``freq``, ``min_length``, ...);
        ``SeriesSchema.from_yaml(schema.to_yaml()) == schema``.

        Examples
        --------
        >>> import seqprep
        >>> s = seqprep.SeriesSchema("t", group="id", features=["x"], freq="h", min_length=5)
        >>> print(s.to_yaml())  # doctest: +ELLIPSIS
        # seqprep SeriesSchema. Check data with: seqprep validate DATA --schema THIS_FILE
        seqprep_schema: 1
        time: t
        group: id
        features:
        - x
        targets: []
        freq: h
        min_length: 5
        ...
        >>> seqprep.SeriesSchema.from_yaml(s.to_yaml()) == s
        True
        """
        yaml = require("yaml", "yaml", "Writing a schema as YAML")
        text = ("# seqprep SeriesSchema. Check data with: seqprep validate DATA --schema "
                "THIS_FILE\n" + yaml.safe_dump(self.to_dict(), sort_keys=False,
                                               allow_unicode=True))
        if path is not None:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        return text

    @classmethod
    def from_yaml(cls, text_or_path: str | os.PathLike) -> SeriesSchema:
        """Read a schema from YAML text or a file path.

        Raises :class:`SchemaError` for unreadable files, YAML syntax errors, unknown keys,
        a missing or newer version, or bad values.
        """
        yaml = require("yaml", "yaml", "Reading a schema from YAML")
        text: Any = text_or_path
        path: str | None = None
        if isinstance(text_or_path, os.PathLike) or (
                isinstance(text_or_path, str) and "\n" not in text_or_path
                and (os.path.isfile(text_or_path)
                     or text_or_path.endswith((".yaml", ".yml")))):
            path = os.fspath(text_or_path)
            try:
                with open(path, encoding="utf-8") as fh:
                    text = fh.read(YAML_MAX_CHARS + 1)  # more is refused unread
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else \
                    type(exc).__name__
                raise SchemaError(f"`text_or_path` must be YAML text or a readable schema "
                                  f"file. Received: {path!r}, which cannot be read "
                                  f"({reason}).") from None
        elif not isinstance(text_or_path, str):
            raise SchemaError(f"`text_or_path` must be YAML text or a file path. Received: "
                              f"{show(text_or_path)}.")
        try:
            data = _load_yaml(yaml, text, path)
        except yaml.YAMLError as exc:
            where = f" {path!r}" if path else ""
            detail = " ".join(str(exc).split())
            raise SchemaError(f"The schema{where} is not valid YAML: {detail}") from None
        if not isinstance(data, Mapping):
            hint = (" If it is meant to be a file path, no such file exists."
                    if isinstance(text_or_path, str) and path is None and "\n" not in text
                    else "")
            raise SchemaError(f"A seqprep schema must be a YAML mapping with keys such as "
                              f"`time` and `features`. Received: {show(data)}.{hint}")
        return cls.from_dict(data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SeriesSchema):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    # unhashable (it compares by value): the data model's idiom, which typeshed cannot
    # express, as it types object.__hash__ as a method
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        d = self.to_dict()
        default = SeriesSchema(self.time).to_dict()
        parts = [f"{self.time!r}"]
        for k in _KEYS[2:]:
            if d[k] != default[k]:
                v = d[k]
                parts.append(f"{k}={tuple(v) if isinstance(v, list) else v!r}")
        return f"SeriesSchema({', '.join(parts)})"

    # -- pandera --------------------------------------------------------------

    def _columns(self, *, full: bool) -> dict:
        import pandera.pandas as pa

        from . import _checks

        if full:  # registered checks keep their settings as statistics (for pandera's YAML)
            _checks.register_pandera_checks()
            is_numeric, is_finite = pa.Check.numeric(), pa.Check.finite()
        else:  # plain checks: validate() does not pay for pandera's registration machinery
            is_numeric = pa.Check(_checks.numeric, name="numeric")
            is_finite = pa.Check(_checks.finite, name="finite")
        numeric = set(self.features + self.targets)
        nan_ok, inf_ok = self._allows("allow_nan"), self._allows("allow_inf")
        cols = {}
        for col in self.columns:
            checks = []
            if col == self.time:
                if full:
                    checks.append(pa.Check.time_parses(time_type=self.time_type,
                                                       timezone=self.timezone))
                cols[col] = pa.Column(None, checks=checks, nullable=False, name=col)
                continue
            if col in numeric:
                checks.append(is_numeric)
                if col not in inf_ok:
                    checks.append(is_finite)
            if col in self.ranges:
                lo, hi = self.ranges[col]
                if lo is not None and hi is not None:
                    checks.append(pa.Check.in_range(lo, hi))
                elif lo is not None:
                    checks.append(pa.Check.greater_than_or_equal_to(lo))
                else:
                    checks.append(pa.Check.less_than_or_equal_to(hi))
            if col in self.allowed:
                checks.append(pa.Check.isin(list(self.allowed[col])))
            nullable = col not in (self.group,) and (col in nan_ok or col not in numeric)
            cols[col] = pa.Column(None, checks=checks, nullable=nullable, name=col)
        return cols

    def to_pandera(self):
        """The equivalent ``pandera.DataFrameSchema``, time-series checks included.

        The time-series checks are registered pandera check methods with their settings
        as statistics (``Check.unique_time(time=..., group=...)``, ...), so the schema
        validates on its own. It reports in pandera's format; :meth:`validate` reports in
        seqprep's (with group, time and a value for every case).

        Examples
        --------
        >>> import pandas as pd, pandera.pandas as pa, seqprep
        >>> ps = seqprep.SeriesSchema("t", features="x", freq=1).to_pandera()
        >>> [c.name for c in ps.checks]
        ['increasing_time', 'unique_time', 'regular_freq']
        >>> try:
        ...     ps.validate(pd.DataFrame({"t": [0, 1, 1], "x": [0.0, 1.0, 2.0]}), lazy=True)
        ... except pa.errors.SchemaErrors as err:
        ...     print(sorted({c.split("(")[0] for c in err.failure_cases["check"]}))
        ['unique_time']
        """
        import pandera.pandas as pa

        cols = self._columns(full=True)
        checks = [
            pa.Check.increasing_time(time=self.time, group=self.group),
            pa.Check.unique_time(time=self.time, group=self.group),
        ]
        if self.regular:
            checks.append(pa.Check.regular_freq(time=self.time, group=self.group,
                                                freq=self.freq, time_type=self.time_type,
                                                timezone=self.timezone))
        if self.min_length is not None:
            checks.append(pa.Check.min_length(time=self.time, group=self.group,
                                              min_length=self.min_length))
        return pa.DataFrameSchema(cols, checks=checks, strict=self.strict,
                                  name="SeriesSchema", metadata={"seqprep": self.to_dict()})

    def _column_schema(self):
        if self._pandera_columns is None:
            import pandera.pandas as pa

            self._pandera_columns = pa.DataFrameSchema(self._columns(full=False),
                                                       strict=self.strict)
        return self._pandera_columns

    # -- validating -------------------------------------------------------------

    def _checker(self):
        from ._checks import TimeChecker

        return TimeChecker(self.time, self.group, freq=self.freq, regular=self.regular,
                           min_length=self.min_length, time_type=self.time_type,
                           timezone=self.timezone)

    def _check_chunk(self, frame: pd.DataFrame, checker, row_offset: int = 0) -> list:
        """Failure tables for one chunk: columns by pandera, time by ``checker``."""
        import pandera.errors as pe

        from ._failures import failure_frame

        fails = []
        dup = frame.columns[frame.columns.duplicated()]
        if len(dup):
            fails.append(failure_frame("unique_columns", list(dup), None, None, None,
                                       list(dup)))
            frame = frame.loc[:, ~frame.columns.duplicated()]
        n = len(frame)
        if not (isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0
                and frame.index.step == 1):
            frame = frame.set_axis(pd.RangeIndex(n), axis=0)
        parsed = None
        if self.time in frame.columns and (self.group is None or self.group in frame.columns):
            fails.extend(checker.update(frame, row_offset))
            parsed = checker.parsed
        elif "time checks skipped" not in " ".join(checker.notes):
            missing = [c for c in (self.time, self.group) if c is not None
                       and c not in frame.columns]
            checker.notes.append(f"time checks skipped: no column {missing}")
        try:
            self._column_schema().validate(frame, lazy=True, inplace=True)
        except pe.SchemaErrors as exc:
            fails.append(self._from_pandera(exc.failure_cases, frame, row_offset,
                                            checker if parsed is not None else None))
        except pe.SchemaError as exc:  # pandera stops early for some faults
            fails.append(failure_frame(_pandera_name(str(exc.check or "schema")),
                                       getattr(exc.schema, "name", None), None, None, None,
                                       str(exc)))
        return fails

    def _from_pandera(self, fc: pd.DataFrame, frame: pd.DataFrame, row_offset: int,
                      checker=None):
        from ._failures import failure_frame

        names = fc["check"].astype(str).map(_pandera_name)
        index = fc["index"]
        out = []
        # a column that is not numeric makes its other checks error: report the dtype once
        wrong = set(fc.loc[names == "dtype", "column"])
        for (name, col), part in fc.groupby([names, fc["column"].astype(object)],
                                             sort=False, dropna=False):
            if name in ("column_present", "no_extra_columns"):
                out.append(failure_frame(name, part["failure_case"].to_numpy(), None, None,
                                         None, None))
                continue
            if name == "dtype":
                out.append(failure_frame("dtype", col, None, None, None,
                                         str(frame[col].dtype)))
                continue
            idx = index.loc[part.index]
            has = idx.notna().to_numpy()
            if not has.all():
                if col in wrong:
                    part, idx = part[has], idx[has]
                else:
                    out.append(failure_frame(name, col, None, None, None,
                                             [str(v) for v in part["failure_case"][~has]]))
                    part, idx = part[has], idx[has]
            if not len(part):
                continue
            rows = idx.to_numpy(dtype=np.int64)
            group = (frame[self.group].to_numpy()[rows]
                     if self.group is not None and self.group in frame.columns else None)
            time = None
            if self.time in frame.columns:
                time = np.array(frame[self.time].take(rows).astype(object), dtype=object)
                if checker is not None and checker.parsed.kind is not None:
                    ok = checker.parsed.valid[rows]
                    time[ok] = checker.time_objects(checker.parsed.values[rows[ok]])
            value = None if name == "not_null" else part["failure_case"].to_numpy()
            out.append(failure_frame(name, col, group, rows + row_offset, time, value))
        return pd.concat(out, ignore_index=True) if out else None

    def _frame(self, df: Any) -> pd.DataFrame:
        if not isinstance(df, pd.DataFrame):
            raise ArgumentTypeError(
                f"`df` must be a pandas DataFrame. Received: {show(df)} of type "
                f"{type(df).__name__}. Build one first, e.g. `pd.DataFrame(array, "
                "columns=[...])`."
            )
        lift = [c for c in (self.time, self.group) if c is not None
                and c not in df.columns and c in (df.index.names or [])]
        return df.reset_index(level=lift) if lift else df

    def validate(self, df: pd.DataFrame) -> pd.DataFrame:
        """Return ``df`` if it satisfies the schema, else raise one :class:`ValidationError`.

        Every check runs and every failing case is collected (never just the first).

        Parameters
        ----------
        df : pandas.DataFrame, pyspark.sql.DataFrame, polars or Arrow table
            The data. ``time`` and ``group`` may also be index levels. A Spark DataFrame
            is checked by Spark, as Spark expressions (see ``seqprep._spark``), and
            returned as is; so is a polars ``DataFrame`` or ``LazyFrame`` (checked by
            polars) and a ``pyarrow.Table`` or ``RecordBatch`` (checked as pandas).

        Returns
        -------
        pandas.DataFrame
            ``df`` itself; or, when the time column held strings or times in another
            timezone than ``timezone``, a shallow copy with the time column parsed.

        Raises
        ------
        ValidationError
            If any check fails; ``.failures`` has one row per case (columns ``check``,
            ``column``, ``group``, ``row``, ``time``, ``value``), ``.to_dict()`` is JSON-ready.
        ArgumentTypeError
            If ``df`` is not a DataFrame.

        Examples
        --------
        >>> import pandas as pd, seqprep
        >>> df = pd.DataFrame({"t": ["2024-01-01 00:00", "2024-01-01 01:00"], "x": [1.0, 2.0]})
        >>> out = seqprep.SeriesSchema("t", features="x", freq="h").validate(df)
        >>> out["t"].dtype
        dtype('<M8[us]')
        """
        from ._failures import with_details

        if type(df).__module__.startswith("pyspark.sql"):  # checked by Spark, where it is
            from ._spark import check_frame

            failures, notes, shape = check_frame(self, df)
            if len(failures):
                raise ValidationError(_message(failures, notes, shape, lead="`df`"),
                                      failures=failures, notes=notes)
            return df
        if is_table(df):  # Arrow, polars (seqprep._tables): checked, returned as is
            return self._validate_table(df)
        frame = self._frame(df)
        checker = self._checker()
        fails = self._check_chunk(frame, checker) + checker.finish()
        failures = with_details(_combine(fails), step=checker.step)
        if len(failures):
            raise ValidationError(
                _message(failures, checker.notes, frame.shape, lead="`df`"),
                failures=failures, notes=checker.notes)
        parsed = checker.parsed.series if checker.parsed is not None else None
        if parsed is None or frame is not df:
            return df
        out = df.copy(deep=False)
        out[self.time] = parsed.to_numpy() if parsed.dtype == object else parsed
        return out

    def _validate_table(self, df: Any) -> Any:
        """:meth:`validate` of an Arrow or polars table. A polars frame is checked where it
        is, by the polars engine (``seqprep._polars``: measured 1.4x to 3x faster than
        converting it, ``benchmarks/bench_tables.py``), collecting every failure as the
        pandas path does; other tables are converted once (``seqprep._tables``)."""
        if not is_polars_frame(df):
            self.validate(as_pandas(df, "df"))
            return df
        from ._engines import Origin
        from ._polars import check_frame

        frame = collected(df, "df")
        origin = Origin([None], np.array([frame.height], dtype=np.int64), False)
        failures, notes, shape = check_frame(self, frame, origin,
                                             max_failures=max(1, frame.height))
        if len(failures):
            raise ValidationError(_message(failures, notes, shape, lead="`df`"),
                                  failures=failures, notes=notes)
        return df

    def validate_chunks(self, chunks: Iterable[pd.DataFrame]) -> int:
        """Validate data given as consecutive chunks of rows; return the number of rows.

        Each chunk is checked as it comes, carrying each group's last time across chunk
        boundaries, so memory stays at one chunk plus the failures. The result equals
        :meth:`validate` on the concatenated chunks, except that a repeated time that is
        not its group's latest so far is found only within one chunk (out-of-order rows
        are still reported), and with ``freq=None`` the step is inferred from the first
        chunk with one. Rows are numbered across chunks.

        Raises
        ------
        ValidationError
            After the last chunk, with every failure.

        Examples
        --------
        >>> import pandas as pd, seqprep
        >>> df = pd.DataFrame({"t": [0, 1, 2, 4, 5, 6], "x": 1.0})
        >>> s = seqprep.SeriesSchema("t", features="x", freq=1)
        >>> try:
        ...     s.validate_chunks([df.iloc[:3], df.iloc[3:]])
        ... except seqprep.ValidationError as err:
        ...     print(err.failures[["check", "row", "value"]].to_numpy().tolist())
        [['regular_freq', 3, 2]]
        """
        failures, notes, shape = self.check_chunks(chunks)
        if len(failures):
            raise ValidationError(_message(failures, notes, shape, lead="The data"),
                                  failures=failures, notes=notes)
        return shape[0]

    def check_chunks(self, chunks: Iterable[pd.DataFrame]) -> tuple[pd.DataFrame, list, tuple]:
        """``(failures, notes, (rows, columns))`` of data given as consecutive chunks.

        What :meth:`validate_chunks` checks, returned instead of raised (an empty
        failure table when the data is valid), with the typed details of
        :mod:`seqprep._failures` filled in. The command line and the Spark engine report
        from this.

        Examples
        --------
        >>> import pandas as pd, seqprep
        >>> df = pd.DataFrame({"t": [0, 1, 2, 5], "x": 1.0})
        >>> fails, notes, shape = seqprep.SeriesSchema("t", freq=1).check_chunks([df])
        >>> cols = ["check", "row", "missing_first", "missing_last", "missing_steps"]
        >>> fails[cols].to_numpy().tolist()
        [['regular_freq', 3, 3, 4, 2]]
        """
        from ._failures import with_details

        checker = self._checker()
        fails: list = []
        n = cols = kept = records = 0
        for chunk in chunks:
            frame = self._frame(chunk)
            new = self._check_chunk(frame, checker, row_offset=n)
            fails.extend(new)
            n += len(frame)
            cols = frame.shape[1]
            if new:
                kept += sum(int(f.memory_usage(deep=False).sum()) for f in new)
                records += sum(len(f) for f in new)
                _records_fit(kept, records)
        fails.extend(checker.finish())
        failures = with_details(_combine(fails, dedupe_columns=True), step=checker.step)
        return failures, list(checker.notes), (n, cols)


def _records_fit(kept: int, records: int) -> None:
    """Refuse (MemoryBudgetError) a run whose failure records, once combined and detailed
    (about 4 times what is kept), would not fit in memory, instead of a MemoryError."""
    from ._memory import SMALL_BYTES, check_fits

    if 4 * kept >= SMALL_BYTES:
        check_fits(4 * kept, f"The {records:,} failure records found so far, with their "
                   "details,", "So many failures usually share one cause (say, one time on "
                   "every row): fix it, or check a sample of the data first.")


#: Bounds on a schema's YAML: characters, nesting depth, and values once every alias is
#: expanded (a few hundred bytes of nested aliases can stand for billions of values).
YAML_MAX_CHARS = 1 << 20
YAML_MAX_DEPTH = 32
YAML_MAX_VALUES = 100_000


def _load_yaml(yaml: Any, text: str, path: str | None) -> Any:
    """``yaml.safe_load(text)`` within :data:`YAML_MAX_CHARS`, ``_DEPTH`` and ``_VALUES`` bounds.

    The document is composed into nodes first (aliases stay shared, so this is as small
    as the text); its depth and its size with every alias expanded are counted on the
    node graph before anything is constructed. Raises :class:`SchemaError` past a bound.
    """
    where = f" {path!r}" if path else ""
    if len(text) > YAML_MAX_CHARS:
        raise SchemaError(f"The schema{where} must be at most {YAML_MAX_CHARS:,} characters of "
                          f"YAML. Received: {len(text):,}. A seqprep schema is a few lines; "
                          "check that SCHEMA names the right file.")
    loader = yaml.SafeLoader(text)
    _bound_depth(loader, where)  # counted as nodes are composed: comments and quotes are not
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        size = _node_size(yaml, node, {}, 1)
        if size[1] > YAML_MAX_DEPTH or size[0] > YAML_MAX_VALUES:
            raise SchemaError(
                f"The schema{where} must nest at most {YAML_MAX_DEPTH} levels and hold at most "
                f"{YAML_MAX_VALUES:,} values with its aliases (*name) expanded. Received: "
                + (f"more than {YAML_MAX_DEPTH} levels" if size[1] > YAML_MAX_DEPTH else
                   f"more than {YAML_MAX_VALUES:,} values") + ". A seqprep schema is a flat "
                "mapping of a few keys; write it without anchors and aliases (`seqprep infer` "
                "writes one).")
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _bound_depth(loader: Any, where: str) -> None:
    """Make ``loader`` refuse a document nesting deeper than :data:`YAML_MAX_DEPTH`.

    Its ``compose_node`` counts levels as PyYAML composes them (the root is level 1, as in
    :func:`_node_size`), so a schema of 100,000 ``[`` is refused after 33 of them, before
    PyYAML recurses, while brackets in comments and quoted strings are text, not levels.
    """
    compose, depth = loader.compose_node, [0]

    def compose_node(parent: Any, index: Any) -> Any:
        depth[0] += 1
        try:
            if depth[0] > YAML_MAX_DEPTH:
                raise SchemaError(
                    f"The schema{where} must nest at most {YAML_MAX_DEPTH} levels. Received: "
                    f"more than {YAML_MAX_DEPTH} levels of mappings or lists. A seqprep schema "
                    "is a flat mapping of a few keys (`seqprep infer` writes one).")
            return compose(parent, index)
        finally:
            depth[0] -= 1

    loader.compose_node = compose_node


def _node_size(yaml: Any, node: Any, memo: dict, depth: int) -> tuple[int, int]:
    """(values with aliases expanded, depth) of a composed YAML node, stopping past bounds."""
    key = id(node)
    if key in memo:
        if memo[key] is None:  # an alias inside its own anchor: infinite when expanded
            return (YAML_MAX_VALUES + 1, depth)
        return memo[key][0], depth + memo[key][1] - 1
    if depth > YAML_MAX_DEPTH:
        return (1, depth)
    if isinstance(node, yaml.ScalarNode):
        return (1, depth)
    memo[key] = None
    children = node.value if isinstance(node, yaml.SequenceNode) else \
        [n for pair in node.value for n in pair]
    total, deepest = 1, depth
    for child in children:
        n, d = _node_size(yaml, child, memo, depth + 1)
        total, deepest = total + n, max(deepest, d)
        if total > YAML_MAX_VALUES or deepest > YAML_MAX_DEPTH:
            break
    memo[key] = (total, deepest - depth + 1)
    return total, deepest


def _pandera_name(check: str) -> str:
    """pandera's check label -> seqprep's stable check name."""
    base = check.split("(", 1)[0]
    return {
        "column_in_dataframe": "column_present",
        "column_in_schema": "no_extra_columns",
        "not_nullable": "not_null",
        "numeric": "dtype",
        "dtype": "dtype",
        "in_range": "in_range",
        "greater_than_or_equal_to": "in_range",
        "less_than_or_equal_to": "in_range",
        "isin": "allowed_values",
    }.get(base, base)


def _combine(fails: list, *, dedupe_columns: bool = False) -> pd.DataFrame:
    from ._failures import combine

    return combine(fails, dedupe_columns=dedupe_columns)


def _message(failures: pd.DataFrame, notes: list, shape: tuple, *, lead: str) -> str:
    from ._failures import error_message

    return error_message(failures, notes, shape, lead=lead)


# ---------------------------------------------------------------------- infer


def infer_schema(df: pd.DataFrame, time: Hashable, group: Hashable | None = None, *,
                 features: Any = None, targets: Any = (), min_length: int | None = None,
                 regular: bool = True, strict: bool = False) -> SeriesSchema:
    """A :class:`SeriesSchema` learned from a known-good frame.

    It records the time column's type and timezone, the step between times (the most
    common one, as a pandas frequency or an integer), the numeric features, and which of
    them hold NaN or infinities in ``df`` (those are allowed). Ranges and allowed values
    are not inferred: data drifts. The frame is then validated against the result, so a
    schema never rejects the data it was learned from.

    Parameters
    ----------
    df : pandas.DataFrame, or a polars or Arrow table (converted by ``seqprep._tables``)
    time : column name
    group : column name, optional
    features : list of columns, optional
        Defaults to every numeric (not boolean) column other than ``time``, ``group`` and
        ``targets``; if that leaves out every other column, a ``UserWarning`` names them
        and their dtypes.
    targets : list of columns, optional
    min_length : int, optional
        Rows each group must have (say ``timesteps + gap + horizon``); not inferred.
    regular : bool
        Infer and check a frequency. Defaults to ``True``.
    strict : bool
        Refuse columns not named by the schema. Defaults to ``False``.

    Returns
    -------
    SeriesSchema

    Raises
    ------
    ColumnError
        If ``time``, ``group``, a feature or target is not a column of ``df``, or ``df``
        repeats a column name.
    ShapeError
        If ``df`` has no rows: there is nothing to learn from.
    ValidationError
        If ``df`` fails the schema inferred from it (repeated times, say): it is not
        known-good.

    Examples
    --------
    >>> import pandas as pd, seqprep
    >>> df = pd.DataFrame({"id": ["a", "a", "b", "b"], "t": [0, 1, 0, 1],
    ...                    "x": [1.0, 2.0, 3.0, 4.0]})
    >>> s = seqprep.infer_schema(df, time="t", group="id")
    >>> s
    SeriesSchema('t', group='id', features=('x',), freq=1, time_type='integer')
    >>> s.validate(df.iloc[[0, 1, 1, 2, 3]])
    Traceback (most recent call last):
    ...
    seqprep.ValidationError: `df` failed 1 check of the schema: 1 failure in data of 5 rows x 3 columns.
    ...
    """
    df = as_frame(df, "df")  # a DataFrame; Arrow, polars converted (seqprep._tables)
    repeated = df.columns[df.columns.duplicated()].unique()
    if len(repeated):
        times = ", ".join(f"{c!r} {int((df.columns == c).sum())} times" for c in repeated[:10])
        raise ColumnError(
            f"`df` must have unique column names to infer a schema from. Received: "
            f"{plural(len(repeated), 'repeated name')} ({times}) among "
            f"{plural(df.shape[1], 'column')} {list(df.columns)[:20]}. Rename or drop the "
            "repeats first, e.g. `df = df.loc[:, ~df.columns.duplicated()]` keeps the first "
            "of each."
        )
    if len(df) == 0:
        raise ShapeError(
            f"`df` must have at least one row to infer a schema from. Received: 0 rows "
            f"x {plural(df.shape[1], 'column')} {list(df.columns)[:20]}. With no rows "
            "nothing can be learned (a CSV with only a header types every column as text, "
            "so no feature and no frequency would be found); infer from known-good data."
        )
    for arg, col in (("time", time), ("group", group)):
        if col is not None and col not in df.columns:
            raise ColumnError(f"`{arg}` must be a column of `df`. Received: {arg}={col!r}; "
                              f"the columns are {list(df.columns)[:20]}.")
    targets_t = _names("targets", targets)
    features_t = _default_features(df, time, group, targets_t) if features is None else \
        _names("features", features)
    missing = [c for c in features_t + targets_t if c not in df.columns]
    if missing:
        raise ColumnError(f"`features` and `targets` must be columns of `df`. Received "
                          f"{missing}, not among {list(df.columns)[:20]}.")
    from ._checks import TimeChecker

    checker = TimeChecker(time, group, regular=regular)
    if group is None or group in df.columns:
        _time_column_known_good(checker.update(df.reset_index(drop=True)), df.shape)
    p = checker.parsed
    kind = p.kind if p is not None else None
    timezone = None
    if p is not None and kind == "datetime":
        timezone = p.tz if p.tz is not None else "naive"
    freq = None
    if regular and checker.step is not None:
        st = checker.step  # a Step (unit, name) or, before the time-axis redesign, a tuple
        unit = st[1] if isinstance(st, tuple) else st.unit
        freq = unit if kind == "integer" else checker.step_text
    numeric = [c for c in dict.fromkeys(features_t + targets_t)
               if pd.api.types.is_numeric_dtype(df[c].dtype)]
    nan_cols = tuple(c for c in numeric if df[c].isna().any())
    inf_cols = tuple(c for c in numeric if pd.api.types.is_float_dtype(df[c].dtype)
                     and np.isinf(df[c].to_numpy(dtype=np.float64, na_value=np.nan)).any())
    schema = SeriesSchema(time, group, features_t, targets_t, freq=freq,
                          min_length=min_length, regular=regular, time_type=kind,
                          timezone=timezone, strict=strict, allow_nan=nan_cols or False,
                          allow_inf=inf_cols or False)
    try:
        schema.validate(df)
    except ValidationError as err:
        raise ValidationError(
            _message(err.failures, err.notes, df.shape,
                     lead="`df` is not known-good: it")
            .replace("failed", "fails", 1).replace("of the schema:",
                                                   "of the schema inferred from it:", 1),
            failures=err.failures, notes=err.notes) from None
    return schema


def _time_column_known_good(fails: list, shape: tuple) -> None:
    """Refuse to infer from a time column that does not parse, or mixes UTC offsets with
    no zone to read them in (``seqprep infer`` refuses the same, one rule)."""
    from ._time import mixed_offsets_fix

    failures = _combine([f for f in fails if len(f)])
    failures = failures[failures["check"].isin(("time_parses", "timezone"))]
    if not len(failures):
        return
    fix = mixed_offsets_fix("with `pd.to_datetime(t, utc=True).dt.tz_convert(zone)` first")
    notes = [f"timezone: {fix}"] if (failures["check"] == "timezone").any() else []
    raise ValidationError(_message(failures, notes, shape, lead="`df` is not known-good: its "
                                   "time column").replace("failed", "fails", 1),
                          failures=failures, notes=notes)


def _default_features(df: pd.DataFrame, time: Hashable, group: Hashable | None,
                      targets: tuple) -> tuple:
    """Every numeric (not boolean) column but time, group and targets; warn if none."""
    candidates = [c for c in df.columns if c not in (time, group) and c not in targets]
    features = tuple(c for c in candidates if pd.api.types.is_numeric_dtype(df[c].dtype)
                     and not pd.api.types.is_bool_dtype(df[c].dtype))
    if candidates and not features:
        left = ", ".join(f"{c!r} ({df[c].dtype})" for c in candidates[:10])
        more = f" and {len(candidates) - 10:,} more" if len(candidates) > 10 else ""
        warnings.warn(
            f"infer_schema found no numeric feature column, so the schema checks only "
            f"the time{' and group' if group is not None else ''} column: left out "
            f"{plural(len(candidates), 'column')} for not being numeric: {left}{more}. "
            "If they hold numbers, convert them first (e.g. `df[col] = "
            "pd.to_numeric(df[col])`) or check how the file was read.",
            UserWarning, stacklevel=3)
    return features
