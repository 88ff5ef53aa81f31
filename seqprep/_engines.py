"""What the validation engines share: the column rules, the time policy, the records.

``SeriesSchema.validate`` checks a pandas frame with numpy (``_checks``); the Spark engine
(``_spark``) and the polars engine (``_polars``) run the same checks as expressions of
their own. They decide *what* to check here, once (:func:`column_rules`,
:func:`apply_policy`), and turn the failing rows they collect into the pandas path's
failure records here, once (:func:`failure_tables`, :func:`finish`), so the three engines
report the same records.

:func:`choose` is the ``--engine auto`` rule of the command line.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ENGINES", "ColumnType", "Origin", "TimeColumn", "apply_policy", "choose",
           "column_rules", "failure_tables", "finish", "memory_needed", "require_parquet"]

#: The engines of ``seqprep validate --engine``.
ENGINES = ("auto", "pandas", "polars", "spark")


def choose(engine: str, path: str) -> str:
    """The engine that validates ``path``: ``engine`` itself unless it is ``"auto"``.

    ``auto`` is polars when polars is installed, ``path`` is one local Parquet file, its
    column names do not repeat, and what the polars engine would hold for it
    (:func:`memory_needed`, judged from the *uncompressed* sizes in the Parquet footer,
    never the size on disk: compression ratios of 1000x are normal for constant or
    sequential columns) fits in the memory available (:func:`seqprep._memory.available_memory`:
    the machine's, ``ulimit -v`` and cgroup limits). polars holds the data in memory,
    and ``seqprep validate`` with it was the faster command on the 2M-row benchmark
    (0.86 s against 1.09 s) and 2x faster at 8M rows (``benchmarks/bench_engines.py``).
    Otherwise pandas, which streams: a folder (a data
    lake, maybe larger than memory), CSV, stdin, URLs, a file that may not fit, a file
    whose footer cannot be read (the pandas path says why). Spark is never chosen by itself:
    its session takes seconds to start, so it pays only for data larger than one machine,
    where you ask for it (``--engine spark``).

    Examples
    --------
    >>> choose("pandas", "data.parquet"), choose("auto", "data.csv")
    ('pandas', 'pandas')
    """
    if engine != "auto":
        return engine
    import os

    from ._memory import available_memory
    from ._parquet import is_parquet_name, is_url

    if is_url(path) or importlib.util.find_spec("polars") is None:
        return "pandas"
    if not (os.path.isfile(path) and is_parquet_name(str(path))):
        return "pandas"
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PAR1":
                return "pandas"  # not Parquet after all: the pandas path says why
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        names = meta.schema.to_arrow_schema().names
    except Exception:  # noqa: BLE001 - any unreadable footer: the pandas path says why
        return "pandas"
    if len(set(names)) != len(names):
        return "pandas"  # repeated column names: polars cannot hold them
    free = available_memory()
    return "polars" if free is not None and memory_needed([meta]) <= free else "pandas"


def memory_needed(metas: list) -> int:
    """Bytes the polars engine may hold to check Parquet files with footers ``metas``
    (``pyarrow.parquet.FileMetaData``), judged from the footers alone.

    The data in memory is the larger of the row groups' uncompressed ``total_byte_size``
    and ``num_rows`` x the columns' widths (8 bytes for a number, 16 for text or
    nested values), counted twice (polars' frame and the copies its sorts and filters
    make), plus 96 bytes a row for the engine's own columns (row, time, wall clock, group,
    sort keys) and the time column parsed by pandas.

    Examples
    --------
    >>> import io, pyarrow as pa, pyarrow.parquet as pq
    >>> buf = io.BytesIO()
    >>> pq.write_table(pa.table({"t": pa.array(range(1000)), "x": [0.0] * 1000}), buf)
    >>> memory_needed([pq.ParquetFile(buf).metadata])
    128000
    """
    total = 0
    for meta in metas:
        rows = int(meta.num_rows)
        stored = sum(int(meta.row_group(i).total_byte_size) for i in range(meta.num_row_groups))
        width = sum(_width(t) for t in meta.schema.to_arrow_schema().types)
        total += 2 * max(stored, rows * width) + 96 * rows
    return total


def _width(dtype: Any) -> int:
    """Bytes a row of a column of arrow type ``dtype`` takes in memory (at least)."""
    try:
        return max(1, int(dtype.bit_width) // 8)
    except ValueError:  # text, binary, nested: offsets and some bytes
        return 16


def require_parquet(path: Any, engine: str) -> None:
    """Refuse a local file that is not Parquet: the polars and Spark engines read Parquet."""
    import os

    from ._errors import ArgumentError
    from ._parquet import is_parquet_name, is_url

    if is_url(path) or not os.path.isfile(path) or is_parquet_name(str(path)):
        return
    with open(path, "rb") as fh:
        if fh.read(4) == b"PAR1":
            return
    raise ArgumentError(
        f"`path` must be a Parquet file or folder for the {engine} engine. Received: "
        f"path={str(path)!r}, which is not Parquet. Validate CSV with the pandas engine, "
        "or convert it once: `pd.read_csv(path).to_parquet('data.parquet')`.")


# ------------------------------------------------------------------ where rows come from


@dataclass
class Origin:
    """Where rows come from: the name and row count of each file (or partition), in order.

    A row is located by its file index ``fi`` and its row ``fr`` within that file; its
    global row is the rows of the files before it plus ``fr``.
    """

    names: list
    sizes: np.ndarray
    from_files: bool
    notes: list = field(default_factory=list)
    repeated: list = field(default_factory=list)  # column names that repeat (first kept)
    n_columns: int | None = None  # columns stored, repeats included

    @property
    def offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)

    @property
    def n_rows(self) -> int:
        return int(np.sum(self.sizes))

    def rows(self, fi: np.ndarray, fr: np.ndarray) -> np.ndarray:
        return self.offsets[fi] + fr


# ------------------------------------------------------------------ the time column


@dataclass
class TimeColumn:
    """The time column as an engine expression of int64 (ns since the epoch for datetimes).

    ``unparsed`` is the engine's condition for a present raw value that did not parse
    (``time_parses``); ``fails`` are whole-column failures (``dtype``, ``timezone``).
    """

    kind: str | None = None
    tz: str | None = None
    expr: Any = None
    unparsed: Any = None
    fails: list = field(default_factory=list)
    mismatch: bool = False
    wall: Any = None  # local wall-clock ns, when an engine has them already


def apply_policy(out: TimeColumn, schema: Any, dtype: str) -> None:
    """The schema's ``time_type`` and ``timezone`` policy, as in the pandas path."""
    from ._failures import failure_frame

    name = schema.time
    if out.kind == "datetime":
        if schema.timezone == "naive" and out.tz is not None:
            out.fails.append(failure_frame("timezone", name, None, None, None, out.tz))
        elif schema.timezone not in (None, "naive"):
            if out.tz is None:
                out.fails.append(failure_frame("timezone", name, None, None, None, "naive"))
            else:
                out.tz = schema.timezone
    wrong = {"datetime": "integer", "integer": "datetime"}.get(out.kind or "")
    if schema.time_type is not None and schema.time_type == wrong:
        out.mismatch = True
        out.fails.append(failure_frame("dtype", name, None, None, None, dtype))


# ------------------------------------------------------------------ column checks


@dataclass(frozen=True)
class ColumnType:
    """What the column rules need to know of an engine's column type."""

    name: str
    numeric: bool
    floating: bool
    integral: bool


def column_rules(schema: Any, types: dict) -> tuple[list, list]:
    """``(whole, rules)``: failure tables about whole columns, and the row checks to run as
    ``(check, column, argument, value slot)``, as pandera checks a pandas frame.

    ``types`` maps the data's column names to :class:`ColumnType`. The checks:
    ``not_null`` (NaN counts as missing), ``finite``, ``in_range`` (argument ``(lo,
    hi)``) and ``allowed_values`` (argument: the values), the last two ignoring missing
    values. The value slot says which record field carries the row's value: ``vl``
    (integers), ``vd`` (other numbers) or ``vs`` (text).
    """
    from ._failures import failure_frame

    whole: list = []
    rules: list = []
    missing = [c for c in schema.columns if str(c) not in types]
    if missing:
        whole.append(failure_frame("column_present", missing, None, None, None, None))
    extra = [c for c in types if c not in {str(k) for k in schema.columns}]
    if schema.strict and extra:
        whole.append(failure_frame("no_extra_columns", extra, None, None, None, None))
    d = schema.to_dict()
    numeric = set(schema.features + schema.targets)
    nan_ok, inf_ok = _listed(d["allow_nan"], numeric), _listed(d["allow_inf"], numeric)
    for col in schema.columns:
        if str(col) not in types:
            continue
        ct = types[str(col)]
        slot = "vl" if ct.integral else "vd" if ct.numeric else "vs"
        if col in numeric and not ct.numeric:
            whole.append(failure_frame("dtype", col, None, None, None, ct.name))
        nullable = col not in (schema.group, schema.time) and (
            col in nan_ok or col not in numeric)
        if not nullable:
            rules.append(("not_null", col, None, None))
        if col in numeric and ct.floating and col not in inf_ok:
            rules.append(("finite", col, None, slot))
        if col in schema.ranges and ct.numeric:
            rules.append(("in_range", col, schema.ranges[col], slot))
        if col in schema.allowed:
            rules.append(("allowed_values", col, list(schema.allowed[col]), slot))
    return whole, rules


def _listed(value: Any, numeric: set) -> set:
    if value is True:
        return set(numeric)
    return set(value) if isinstance(value, (list, tuple)) else set()


# ------------------------------------------------------------------ records


def _times(values: list, tm: TimeColumn) -> list:
    """int64 times as the pandas path shows them: Timestamps (in the zone) or ints."""
    from ._time import datetimes

    out: list = [None] * len(values)
    have = [i for i, v in enumerate(values) if v is not None]
    if not have:
        return out
    if tm.kind == "datetime":
        shown = datetimes(np.array([values[i] for i in have], dtype=np.int64), tm.tz)
        shown = shown.astype(object)
    else:
        shown = [int(values[i]) for i in have]
    for i, v in zip(have, shown):
        out[i] = v
    return out


def _value(check: str, rows: list, tm: TimeColumn, src: Origin, slot: str) -> list:
    """The ``value`` of each record, as the pandas path gives it."""
    if check == "not_null":
        return [None] * len(rows)
    if check == "increasing_time":
        return _times([r["vl"] for r in rows], tm)
    if check == "unique_time":
        return [int(src.offsets[r["ffi"]] + r["ffr"]) if r["ffi"] is not None else None
                for r in rows]
    if check == "regular_freq":
        if tm.kind == "datetime":
            return [pd.Timedelta(int(r["vl"]), unit="ns") for r in rows]
        return [int(r["vl"]) for r in rows]
    if check == "min_length":
        return [int(r["vl"]) for r in rows]
    return [r[slot] for r in rows]


def failure_tables(collected: list, tm: TimeColumn, src: Origin, slots: dict, schema: Any,
                   max_failures: int, notes: list) -> list:
    """Failure tables (one per check and column) from the records an engine collected.

    Each record is a mapping with ``check``, ``column`` (as text), ``fi``/``fr`` (file
    index, row within the file), ``t`` (int64 time), the value slots ``vd``/``vl``/``vs``,
    ``ffi``/``ffr`` (where a repeated time first appeared), ``g`` (the group), ``k`` (its
    rank in source order within its check and column) and ``n`` (the total of its check
    and column, which may exceed the records collected: then a note says so).
    """
    from ._failures import failure_frame

    by_key: dict = {}
    for r in collected:
        by_key.setdefault((r["check"], r["column"]), []).append(r)
    names = {str(c): c for c in schema.columns}
    out = []
    for (check, column), rows in by_key.items():
        rows.sort(key=lambda r: r["k"])
        total = int(rows[0]["n"])
        if total > len(rows):
            notes.append(f"{check} ({column}): {total:,} failures, the first "
                         f"{len(rows):,} collected (max_failures={max_failures:,})")
        whole_group = check == "min_length"
        fi = np.array([r["fi"] for r in rows], dtype=np.int64)
        fr = np.array([r["fr"] for r in rows], dtype=np.int64)
        row = None if whole_group else src.rows(fi, fr)
        time = None if whole_group else _times([r["t"] for r in rows], tm)
        group = [r["g"] for r in rows] if schema.group is not None else None
        value = _value(check, rows, tm, src, slots.get((check, column), "vs"))
        out.append(failure_frame(check, names.get(column, column), group, row, time, value))
    return out


def finish(fails: list, src: Origin, unit: Any) -> pd.DataFrame:
    """The records in report order, located in their files, with their typed details.

    ``unit`` is the :class:`seqprep._time.Step` checked (None when no step was).
    """
    from ._failures import Source, combine, locate, with_details

    step = None if unit is None else (("calendar", unit.unit) if unit.calendar
                                      else ("fixed", unit.unit))
    failures = with_details(combine(fails), step=step)
    if src.from_files:
        failures = locate(failures, [Source(n, int(s)) for n, s in zip(src.names, src.sizes)])
    return failures

