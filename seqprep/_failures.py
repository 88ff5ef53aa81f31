"""Failure records: the one table every validation reports in, with source locations.

A failure record is one failing case of one check. :func:`failure_frame` builds a table
of them (the checks call it), :func:`with_details` fills the typed details of the time
checks (both occurrences of a repeat, the missing times of a gap), :func:`locate` adds
where each case is in the files read (file, CSV line, row within the file), and
:func:`json_records` gives the JSON form, whose schema is ``docs/failure-report.schema.json``.

The columns, in order (``FAILURE_COLUMNS``):

=================  ==========  =====================================================
column             type        meaning
=================  ==========  =====================================================
check              str         the stable check name (``unique_time``, ``not_null``...)
column             name/None   the column the case is about
group              label/None  the group (entity) of the row
row                Int64       0-based position of the row in the whole data
                               (across files and chunks); missing for a whole
                               column or group
time               time/None   the row's time
value              any         what failed: the value, the raw text, the dtype, the
                               group's row count; for ``unique_time`` the row where
                               the time first appeared, for ``regular_freq`` the step
                               found, for ``increasing_time`` the previous time
file               str/None    the file the row is in (None for an in-memory frame)
line               Int64       1-based line of the row in a CSV file (the header is
                               line 1); missing for Parquet and frames
file_row           Int64       0-based row within ``file`` (CSV data rows, Parquet rows)
first_row          Int64       ``unique_time``: the row where the time first appeared
first_file         str/None    ... the file of that row
first_line         Int64       ... its CSV line
first_file_row     Int64       ... its row within ``first_file``
previous_time      time/None   ``increasing_time``: the time of the row before
step               str/None    ``regular_freq``: the step found, as text (``"3h"``)
missing_first      time/None   ``regular_freq``: the first missing time
missing_last       time/None   ``regular_freq``: the last missing time
missing_steps      Int64       ``regular_freq``: how many steps are missing (0 for a
                               step shorter than ``freq`` or off its grid)
=================  ==========  =====================================================
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["CHECKS", "FAILURE_COLUMNS", "INT_COLUMNS", "SOURCE_CHECKS", "Source", "combine",
           "empty_failures", "error_message", "failure_frame", "json_records", "locate",
           "message", "with_details"]

#: Columns of ``ValidationError.failures``, in order.
FAILURE_COLUMNS = ("check", "column", "group", "row", "time", "value", "file", "line",
                   "file_row", "first_row", "first_file", "first_line", "first_file_row",
                   "previous_time", "step", "missing_first", "missing_last", "missing_steps")

#: Columns that hold integers (pandas ``Int64``: missing where they do not apply).
INT_COLUMNS = frozenset({"row", "line", "file_row", "first_row", "first_line",
                         "first_file_row", "missing_steps"})

#: Every check's stable name -> (the rule, what the ``value`` column holds), in report order.
CHECKS: dict[str, tuple[str, str]] = {
    "unique_columns": ("column names do not repeat", "the repeated name"),
    "column_present": ("every column the schema names is in the data", "missing"),
    "no_extra_columns": ("no columns besides the schema's (strict=True)", "missing"),
    "dtype": ("features and targets are numeric; time is datetime or integer",
              "the column's dtype"),
    "not_null": ("no missing values (NaN, None, NaT)", "the missing value"),
    "finite": ("no infinite values", "the value"),
    "in_range": ("values lie within the schema's range", "the value"),
    "allowed_values": ("values are among the allowed ones", "the value"),
    "time_parses": ("every time parses as a datetime (or an integer)", "the raw value"),
    "timezone": ("times follow the schema's timezone policy", "the timezone found"),
    "increasing_time": ("time increases within each group (rows in order)",
                        "the previous row's time"),
    "unique_time": ("no (group, time) pair repeats", "the row where it first appeared"),
    "regular_freq": ("consecutive times in a group are one `freq` apart (every gap is "
                     "reported)", "the step found"),
    "min_length": ("every group has at least `min_length` rows", "the group's row count"),
}

#: Checks about the sources rather than the rows: name -> (rule, what ``value`` holds).
SOURCE_CHECKS: dict[str, tuple[str, str]] = {
    "file_skipped": ("every file in a folder of data is checked (pass --allow-skipped to "
                     "accept skipped files)", "why the file was skipped"),
    "file_readable": ("every data file can be read", "the reader's error"),
}


# ------------------------------------------------------------------ building


def empty_failures() -> pd.DataFrame:
    """A failure table with no rows.

    Examples
    --------
    >>> from seqprep._failures import empty_failures, FAILURE_COLUMNS
    >>> t = empty_failures()
    >>> len(t), tuple(t.columns) == FAILURE_COLUMNS
    (0, True)
    """
    return failure_frame("dtype", [], [], [], [], [])


def failure_frame(check: str, column: Any, group: Any, row: Any, time: Any,
                  value: Any, **details: Any) -> pd.DataFrame:
    """A failure table; each argument is a scalar or a sequence of one value per case.

    ``details`` fill the other columns of :data:`FAILURE_COLUMNS` by name (missing
    ones are None).

    Examples
    --------
    >>> from seqprep._failures import failure_frame
    >>> t = failure_frame("not_null", "x", None, [3, 7], None, None, file="d.csv")
    >>> t[["check", "row", "file", "line"]].to_numpy().tolist()
    [['not_null', 3, 'd.csv', <NA>], ['not_null', 7, 'd.csv', <NA>]]
    """
    unknown = set(details) - set(FAILURE_COLUMNS)
    if unknown:
        raise TypeError(f"failure_frame() got unknown columns {sorted(unknown)}; the "
                        f"columns are {FAILURE_COLUMNS}.")
    cols = {"column": column, "group": group, "row": row, "time": time, "value": value,
            **details}
    n = max([len(v) for v in cols.values() if _is_seq(v)], default=1)
    out = {"check": pd.Series([check] * n, dtype=object)}
    for k in FAILURE_COLUMNS[1:]:
        v = cols.get(k)
        if k in INT_COLUMNS:
            out[k] = pd.array([None] * n if v is None else (list(v) if _is_seq(v) else [v] * n),
                              dtype="Int64")
        else:
            out[k] = pd.Series(_objects(v, n), dtype=object)
    return pd.DataFrame(out, columns=list(FAILURE_COLUMNS))


def _is_seq(v: Any) -> bool:
    return isinstance(v, (list, tuple, np.ndarray, pd.Series, pd.Index,
                          pd.api.extensions.ExtensionArray))


def _objects(v: Any, n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    if _is_seq(v):
        vals = v.tolist() if hasattr(v, "tolist") and not isinstance(v, (pd.Index, pd.Series)) \
            else list(v)
        out[:] = vals if len(vals) == n else vals * n
    else:
        out[:] = [v] * n
    return out


def conform(failures: pd.DataFrame) -> pd.DataFrame:
    """``failures`` with every column of :data:`FAILURE_COLUMNS` (added as missing), in order."""
    if tuple(failures.columns) == FAILURE_COLUMNS:
        return failures
    out = failures.copy()
    for k in FAILURE_COLUMNS:
        if k not in out.columns:
            out[k] = pd.array([None] * len(out), dtype="Int64") if k in INT_COLUMNS else \
                pd.Series([None] * len(out), dtype=object, index=out.index)
    return out[list(FAILURE_COLUMNS)]


_SHOW_PER_CHECK = 3
_SHOW_TOTAL = 12


def _plural(n: int, word: str) -> str:
    from ._args import plural

    return plural(n, word)


def combine(fails: list, *, dedupe_columns: bool = False) -> pd.DataFrame:
    """One failure table from many, in report order (by check, then row).

    ``dedupe_columns`` drops repeats of whole-column cases (one per chunk).
    """
    fails = [f for f in fails if f is not None and len(f)]
    if not fails:
        return empty_failures()
    out = pd.concat(fails, ignore_index=True)
    if dedupe_columns:
        whole = out["row"].isna().to_numpy()
        keys = pd.Series([repr(tuple(r)) for r in out.loc[whole, ["check", "column", "group",
                                                                  "value"]].to_numpy()])
        drop = np.zeros(len(out), bool)
        drop[np.flatnonzero(whole)] = keys.duplicated().to_numpy()
        out = out[~drop]
    rank = out["check"].map({c: i for i, c in enumerate(CHECKS)}).fillna(len(CHECKS))
    row = out["row"].fillna(-1).to_numpy(dtype=np.int64)
    order = np.lexsort((row, rank.to_numpy()))
    return out.iloc[order].reset_index(drop=True)


def error_message(failures: pd.DataFrame, notes: list, shape: tuple, *, lead: str) -> str:
    """The :class:`ValidationError` message: ``lead failed N checks ...``.

    Counts per check, the first cases (the columns that apply to them), how to see all.
    """
    counts = failures["check"].value_counts(sort=False)
    rows, cols = shape
    lines = [f"{lead} failed {_plural(len(counts), 'check')} of the schema: "
             f"{_plural(len(failures), 'failure')} in data of {_plural(rows, 'row')} x "
             f"{_plural(cols, 'column')}."]
    width = max(len(c) for c in counts.index)
    for check, count in counts.items():
        rule = CHECKS.get(check, (check, ""))[0]
        lines.append(f"  {check:<{width}}  {count:>7,}  {rule}")
    shown = conform(failures).groupby("check", sort=False).head(_SHOW_PER_CHECK).head(_SHOW_TOTAL)
    lines.append(f"First failures ({len(shown)} of {len(failures):,}):")
    shown = shown[[c for c in shown.columns if c in FAILURE_COLUMNS[:6] or shown[c].notna().any()]]
    table = shown.astype(object).where(shown.notna(), "")
    lines.extend("  " + line for line in table.to_string(index=False).splitlines())
    lines.extend(f"note: {n}" for n in notes)
    lines.append("Every case is in `err.failures` (a DataFrame: check, column, group, row, "
                 "time, value) and `err.to_dict()` (JSON-ready); on the command line, pass "
                 "`--format json`. Fix the data, or the schema if a rule is wrong.")
    return "\n".join(lines)


# ------------------------------------------------------------------ typed details


def with_details(failures: pd.DataFrame, *, step: tuple | None = None) -> pd.DataFrame:
    """Fill the typed details of the time checks from their ``value``.

    ``unique_time`` gets ``first_row``; ``increasing_time`` gets ``previous_time``;
    ``regular_freq`` gets ``step`` (text) and, given the expected ``step`` (the
    checker's ``("fixed", ns or int)`` or ``("calendar", DateOffset)``), the first and
    last missing time and how many steps are missing.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqprep._failures import failure_frame, with_details
    >>> f = failure_frame("regular_freq", "t", None, 3, pd.Timestamp("2024-01-05"),
    ...                   pd.Timedelta("3D"))
    >>> day = pd.Timedelta("1D").value
    >>> r = with_details(f, step=("fixed", day)).iloc[0]
    >>> str(r["missing_first"]), str(r["missing_last"]), int(r["missing_steps"]), r["step"]
    ('2024-01-03 00:00:00', '2024-01-04 00:00:00', 2, '3D')
    """
    failures = conform(failures)
    if not len(failures):
        return failures
    out = failures.copy()
    check = out["check"].to_numpy()
    dup = np.flatnonzero(check == "unique_time")
    if len(dup):
        out.loc[out.index[dup], "first_row"] = pd.array(
            [_int_or_none(v) for v in out["value"].to_numpy()[dup]], dtype="Int64")
    back = np.flatnonzero(check == "increasing_time")
    if len(back):
        prev = out["previous_time"].to_numpy().copy()
        prev[back] = out["value"].to_numpy()[back]
        out["previous_time"] = prev
    gaps = np.flatnonzero(check == "regular_freq")
    if len(gaps):
        _gap_details(out, gaps, step)
    return out


def _int_or_none(v: Any) -> int | None:
    try:
        return None if v is None or pd.isna(v) else int(v)
    except (TypeError, ValueError):
        return None


def _gap_details(out: pd.DataFrame, at: np.ndarray, step: tuple | None) -> None:
    from ._time import step_name

    cols = {k: out[k].to_numpy().copy() for k in ("step", "missing_first", "missing_last")}
    steps = out["missing_steps"].to_numpy(dtype=object, na_value=None).copy()
    times, values = out["time"].to_numpy(), out["value"].to_numpy()
    for i in at:
        found = values[i]
        if isinstance(found, pd.Timedelta):
            cols["step"][i] = step_name(int(found.value)) if found.value > 0 else str(found)
        elif found is not None:
            cols["step"][i] = str(found)
        first, last, n = _missing(times[i], found, step)
        cols["missing_first"][i], cols["missing_last"][i], steps[i] = first, last, n
    for k, v in cols.items():
        out[k] = v
    out["missing_steps"] = pd.array(steps, dtype="Int64")


def _missing(time: Any, found: Any, step: Any) -> tuple[Any, Any, int | None]:
    """First and last grid time strictly between ``time - found`` and ``time``, and how many.

    ``found`` is the step as checked (rule D2): on the local wall clock for a wall step (a
    day or longer in a time zone, or a calendar one), else elapsed time, so the missing
    times of an hourly series across a DST change are real instants of the zone.
    """
    if step is None or time is None or found is None:
        return None, None, None
    if isinstance(step, tuple):
        kind, unit = step
    else:  # a seqprep._time.Step
        kind, unit = ("calendar" if step.calendar else "fixed"), step.unit
    if isinstance(time, (int, np.integer)) and kind == "fixed":
        d = int(found)
        n = max((d - 1) // int(unit), 0)
        prev = int(time) - d
        return (prev + unit, prev + n * unit, n) if n else (None, None, 0)
    if not isinstance(time, pd.Timestamp) or not isinstance(found, pd.Timedelta) \
            or found.value == np.iinfo(np.int64).max:  # a step past int64 ns: not counted
        return None, None, None
    from ._time import DAY_NS

    tz = time.tz
    wall = step.wall if not isinstance(step, tuple) else kind == "calendar" or (
        tz is not None and str(tz) != "UTC" and int(unit) >= DAY_NS)  # rule D2
    at = time.tz_localize(None) if wall and tz is not None else time
    prev = at - found
    if kind == "fixed":
        n = max((int(found.value) - 1) // int(unit), 0)
        if not n:  # (a step longer than the gap: prev + unit may be past pandas' range)
            return None, None, 0
        first, last = prev + pd.Timedelta(unit), prev + n * pd.Timedelta(unit)
    else:
        from ._time import calendar_grid

        grid = calendar_grid(prev, at, unit, inclusive="neither")
        n = len(grid)
        first, last = (grid[0], grid[-1]) if n else (None, None)
    if not n:
        return None, None, 0
    if wall and tz is not None:
        first = first.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
        last = last.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return first, last, n


# ------------------------------------------------------------------ locations


@dataclass(frozen=True)
class Source:
    """One file that was read: its name, its rows, and how a row maps to a CSV line.

    ``line_of`` maps 0-based rows within the file to 1-based lines (None: not a text
    file, no lines).
    """

    file: str
    rows: int
    line_of: Callable[[np.ndarray], np.ndarray] | None = None


def locate(failures: pd.DataFrame, sources: Sequence[Source]) -> pd.DataFrame:
    """Fill ``file``, ``line`` and ``file_row`` (and the ``first_*`` ones) from ``row``.

    ``sources`` are the files in the order their rows were read; row numbers count
    across them. A single source also names the file of whole-column cases.

    Examples
    --------
    >>> from seqprep._failures import Source, failure_frame, locate
    >>> f = failure_frame("not_null", "x", None, [0, 5], None, None)
    >>> src = [Source("a.csv", 3, lambda r: r + 2), Source("b.csv", 4, lambda r: r + 2)]
    >>> locate(f, src)[["row", "file", "line", "file_row"]].to_numpy().tolist()
    [[0, 'a.csv', 2, 0], [5, 'b.csv', 4, 2]]
    """
    failures = conform(failures)
    if not len(failures) or not sources:
        return failures
    out = failures.copy()
    starts = np.cumsum([0] + [s.rows for s in sources])
    for prefix, key in (("", "row"), ("first_", "first_row")):
        rows = out[key]
        has = rows.notna().to_numpy()
        files = out[f"{prefix}file"].to_numpy().copy()
        lines = out[f"{prefix}line"].to_numpy(dtype=object, na_value=None).copy()
        in_file = out[f"{prefix}file_row"].to_numpy(dtype=object, na_value=None).copy()
        if has.any():
            r = rows.to_numpy(dtype=np.int64, na_value=-1)[has]
            k = np.clip(np.searchsorted(starts, r, side="right") - 1, 0, len(sources) - 1)
            local = r - starts[k]
            idx = np.flatnonzero(has)
            for s in np.unique(k):
                pick = k == s
                src = sources[s]
                files[idx[pick]] = src.file
                in_file[idx[pick]] = local[pick].tolist()
                if src.line_of is not None:
                    got = np.asarray(src.line_of(local[pick])).tolist()
                    lines[idx[pick]] = [v if v is not None and v > 0 else None for v in got]
        if not prefix and len(sources) == 1:
            files[~has & pd.isna(files)] = sources[0].file
        out[f"{prefix}file"] = files
        out[f"{prefix}line"] = pd.array(lines, dtype="Int64")
        out[f"{prefix}file_row"] = pd.array(in_file, dtype="Int64")
    return out


# ------------------------------------------------------------------ rendering


def cell(v: Any) -> str:
    """A value as short text for people ('' for missing)."""
    from ._errors import jsonable
    from ._time import step_name

    if isinstance(v, pd.Timedelta) and v is not pd.NaT:
        return step_name(int(v.value)) if v.value > 0 else str(v)
    j = jsonable(v)
    return "" if j is None else str(j)


def message(rec: dict) -> str:
    """One self-explaining line for a record (without its location).

    Examples
    --------
    >>> from seqprep._failures import message
    >>> message({"check": "unique_time", "column": "t", "group": "a", "row": 9,
    ...          "time": 7, "value": 4, "first_row": 4, "first_line": 6})
    'column t, group a, row 9, time 7, value 4: time 7 repeats the one first seen at row 4 (line 6)'
    """
    bits = [f"{k} {_short(cell(rec.get(k)))}" for k in ("column", "group", "row", "time",
                                                          "value") if cell(rec.get(k)) != ""]
    head = ", ".join(bits)
    why = _why(rec)
    return f"{head}: {why}" if head and why else head or why


def _short(text: str, limit: int = 80) -> str:
    """A label or value as a message shows it: cut to ``limit`` characters, its length said
    (reports keep the whole value in their JSON fields)."""
    return text if len(text) <= limit else f"{text[:limit - 3]}... ({len(text):,} characters)"


def _why(rec: dict) -> str:
    check = rec.get("check")
    if check == "unique_time" and cell(rec.get("first_row")):
        where = f"row {cell(rec['first_row'])}"
        if cell(rec.get("first_line")):
            where += f" (line {cell(rec['first_line'])}"
            if cell(rec.get("first_file")) and rec.get("first_file") != rec.get("file"):
                where += f" of {rec['first_file']}"
            where += ")"
        elif cell(rec.get("first_file")) and rec.get("first_file") != rec.get("file"):
            where += f" ({rec['first_file']} row {cell(rec.get('first_file_row'))})"
        return f"time {cell(rec.get('time'))} repeats the one first seen at {where}"
    if check == "regular_freq" and cell(rec.get("missing_steps")):
        n = int(rec["missing_steps"])
        if n == 0:
            return f"step {cell(rec.get('step'))} is not one step of the frequency"
        span = cell(rec["missing_first"]) if n == 1 else \
            f"{cell(rec['missing_first'])} to {cell(rec['missing_last'])}"
        return f"{n:,} missing step{'s' if n != 1 else ''}: {span}"
    if check == "increasing_time" and cell(rec.get("previous_time")):
        return f"time goes back from {cell(rec['previous_time'])}"
    if check == "min_length" and cell(rec.get("value")):
        return f"the group has {cell(rec['value'])} rows, fewer than the schema's min_length"
    if check in SOURCE_CHECKS:
        return SOURCE_CHECKS[check][0]
    return CHECKS[check][0] if check in CHECKS else ""


def json_records(failures: pd.DataFrame) -> list[dict]:
    """The records as JSON-ready dicts with stable types (``value`` as text or null).

    Times are ISO 8601 strings (integer times stay integers), integers are ints,
    missing is null. See ``docs/failure-report.schema.json``.
    """
    from ._errors import jsonable

    failures = conform(failures)
    out = []
    for rec in failures.to_dict(orient="records"):
        row = {}
        for k in FAILURE_COLUMNS:
            v = jsonable(rec[k])
            if k == "value" and v is not None and not isinstance(v, str):
                v = cell(rec[k])
            elif k in ("column", "file", "first_file", "step") and v is not None:
                v = str(v)
            row[k] = v
        row["message"] = message(rec)
        out.append(row)
    return out
