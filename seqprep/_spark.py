"""Validate a Spark DataFrame or a Parquet data lake with Spark: ``SeriesSchema``'s checks
as Spark expressions.

The column checks (``not_null`` with NaN counted as missing, ``finite``, ``in_range`` and
``allowed_values`` ignoring NaN, ``dtype``, ``column_present``, ``no_extra_columns``) are
column expressions. The time-series checks are window functions over each group, so no
group has to fit in memory (Spark sorts each group, spilling to disk):

- **source order** is the file a row came from (files in sorted path order) and the row's
  index within that file (Spark's ``_metadata``), never ``monotonically_increasing_id``
  (Spark reads files in size order); a DataFrame that did not come from files is in its
  partition order;
- ``increasing_time``: each usable time against the last usable time before it in source
  order;
- ``unique_time`` and ``regular_freq``: in time order (ties in source order), each time
  against the one before it; a repeat points at the first row of its run of equal times; a
  step over a row with no usable time is not judged. Steps follow the one time rule
  (:func:`seqprep._time.step`, decision D2): from a day up they are compared on the wall
  clock of the data's time zone; calendar frequencies (months, ``W-SUN``, ...) are judged
  by pandas' own offsets in a vectorised UDF;
- ``min_length``: a count over the group.

Every failing row becomes a record; at most ``max_failures`` per check and column are
collected to the driver (the true totals are in the notes), then built into the same
failure records as the pandas path (:mod:`seqprep._failures`).

Times: Parquet nanosecond timestamps (pandas writes them; Spark refuses them) are read as
longs (``spark.sql.legacy.parquet.nanosAsLong``) and recognised from the file's own Arrow
schema, as is each column's time zone. A ``TIMESTAMP`` column of a DataFrame that did not
come from files is an instant, shown in UTC; ``TIMESTAMP_NTZ`` and ``DATE`` are naive.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import os
import shutil
import sys
import warnings
from typing import Any
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd

from ._args import require
from ._engines import (ColumnType, Origin, TimeColumn, apply_policy, column_rules,
                       failure_tables, finish, require_parquet)
from ._errors import MissingDependencyError

__all__ = ["MAX_FAILURES", "check_frame", "is_spark_frame", "read_parquet", "spark_session",
           "validate_path"]

#: Failure rows collected to the driver per check and column (the totals are counted).
MAX_FAILURES = 1000

_PANDAS3 = "PySpark does not yet fully support pandas"
_DAY_NS = 86_400 * 10**9
_DAY_US = 86_400 * 10**6
#: pandas' nanosecond range (pd.Timestamp.min/max) in microseconds and in days: times
#: beyond it are ``time_parses`` failures in the pandas path, never ns arithmetic here
_US_RANGE = (-(-pd.Timestamp.min.value // 1000), pd.Timestamp.max.value // 1000)
_DAY_RANGE = (-(-pd.Timestamp.min.value // _DAY_NS), pd.Timestamp.max.value // _DAY_NS)
_INTERNAL = ("__fi", "__fr", "__t", "__w", "__file")


@contextlib.contextmanager
def _quiet():
    """PySpark warns that it does not support pandas 3; plain ``pyspark.sql`` works."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_PANDAS3, category=FutureWarning)
        yield


def is_spark_frame(obj: Any) -> bool:
    """Whether ``obj`` is a PySpark DataFrame (classic or Connect), without importing pyspark.

    Examples
    --------
    >>> import pandas as pd
    >>> is_spark_frame(pd.DataFrame())
    False
    """
    cls = type(obj)
    return cls.__name__ == "DataFrame" and cls.__module__.startswith("pyspark.sql")


# ------------------------------------------------------------------ the session


def spark_session(master: str | None = None):
    """The active Spark session, or a new local one (``local[*]``, or ``master``).

    A new session gets the settings seqprep needs: UTC session time, nanosecond Parquet
    timestamps read as longs, no web UI, few shuffle partitions. Spark's Python workers
    run this interpreter (``PYSPARK_PYTHON``), not whatever ``python3`` is on the PATH.

    Raises
    ------
    MissingDependencyError
        If pyspark is not installed, or Java cannot be started.
    """
    require("pyspark", "spark", "Validating with Spark")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    with _quiet():
        from pyspark.sql import SparkSession

        if master is None:
            active = SparkSession.getActiveSession()
            if active is not None:
                return active
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            raise MissingDependencyError(
                "Validating with Spark needs a Java runtime (17 or 21), and `java` is not on "
                "the PATH (nor JAVA_HOME set). Install one, e.g. `apt-get install -y "
                "openjdk-17-jre-headless`, or validate with --engine pandas.")
        builder = _quiet_logs(SparkSession.builder).master(master or "local[*]")
        builder = (builder
                   .appName("seqprep validate")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.sql.legacy.parquet.nanosAsLong", "true")
                   .config("spark.sql.shuffle.partitions", "8"))
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # the JVM did not start: JAVA_GATEWAY_EXITED and the like
            raise MissingDependencyError(
                f"Spark could not start (master={master or 'local[*]'!r}): "
                f"{' '.join(str(exc).split())[:300]}. Check the Java runtime (17 or 21) and "
                "the master URL, or validate with --engine pandas.") from None
        spark.sparkContext.setLogLevel("ERROR")
    return spark


_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _quiet_logs(builder: Any) -> Any:
    """Spark's own logging at ERROR from the JVM's start (no banner, no start-up warnings),
    unless the user configured log4j (``SPARK_CONF_DIR``, ``JAVA_TOOL_OPTIONS``)."""
    import tempfile

    if os.environ.get("SPARK_CONF_DIR") or "log4j" in os.environ.get("JAVA_TOOL_OPTIONS", ""):
        return builder
    path = os.path.join(tempfile.gettempdir(), "seqprep-spark-log4j2.properties")
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(_LOG4J)
    except OSError:
        return builder
    return builder.config("spark.driver.extraJavaOptions",
                          f"-Dlog4j2.configurationFile=file:{path}")


# ------------------------------------------------------------------ reading


def _local(uri: str) -> str:
    """A Spark file URI (``file:/a/b%20c.parquet``) as a path (``/a/b c.parquet``)."""
    u = urlparse(uri)
    if u.scheme in ("", "file"):
        return unquote(u.path)
    return uri


def read_parquet(path: Any, spark: Any = None):
    """``(DataFrame, names)``: the Parquet file or folder ``path`` read by Spark.

    Local paths are listed by seqprep's one listing rule (:func:`seqprep._parquet.list_files`:
    ``.parquet``/``.pq``/``.parq`` files, hidden and ``_`` files skipped) and read in one
    go, hive partition columns included; ``names`` maps each local file path to the name
    shown in reports and its row count (from the footers). Other URLs (``s3a://``, ``hdfs://``) are read by Spark as given.
    """
    from ._parquet import is_url, list_files, row_counts

    spark = spark if spark is not None else spark_session()
    spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
    with _quiet():
        if is_url(path) and not str(path).startswith("file://"):
            return spark.read.parquet(str(path)), {}
        listing = list_files(path)
        files = [os.path.abspath(f) for f in listing.files]
        reader = spark.read
        if listing.is_dir:
            reader = reader.option("basePath", os.path.abspath(listing.base))
        sdf = reader.parquet(*files)
    return sdf, {os.path.abspath(f): (listing.name(f), n)
                 for f, n in zip(listing.files, row_counts(listing))}


def _arrow_types(sdf: Any) -> dict:
    """Arrow types of the columns of the first file ``sdf`` reads ({} if unknown)."""
    try:
        files = sdf.inputFiles()
    except Exception:
        return {}
    if not files:
        return {}
    try:
        import pyarrow.fs as pafs
        import pyarrow.parquet as pq

        fs, inner = pafs.FileSystem.from_uri(files[0])
        schema = pq.read_schema(fs.open_input_file(inner))
    except Exception:
        return {}
    return {f.name: f.type for f in schema}


# ------------------------------------------------------------------ source order


def _with_source(sdf: Any, spark: Any, names: dict) -> tuple[Any, Origin]:
    """``sdf`` with ``__fi`` (file or partition index) and ``__fr`` (row within it)."""
    from pyspark.sql import functions as F

    cols = [F.col(_q(c)) for c in sdf.columns]
    base = None
    if sdf.inputFiles():
        try:
            base = sdf.select(*cols, F.col("_metadata.file_path").alias("__file"),
                              F.col("_metadata.row_index").alias("__fr"))
        except Exception:  # not a plain file scan: fall back to partition order
            base = None
    from_files = base is not None
    if from_files and names and len(names) == len(sdf.inputFiles()):
        return _known_files(base, spark, names)
    if base is None:
        pid = F.spark_partition_id()
        base = sdf.select(*cols, pid.cast("string").alias("__file"),
                          (F.monotonically_increasing_id()
                           - F.shiftleft(pid.cast("long"), 33)).alias("__fr"))
    counts = base.groupBy("__file").count().collect()
    keyed = sorted(counts, key=lambda r: (_local(r[0]) if from_files else int(r[0])))
    index = spark.createDataFrame([(r[0], i) for i, r in enumerate(keyed)],
                                  "__file string, __fi int")
    base = base.join(F.broadcast(index), "__file", "left")
    sizes = np.array([r[1] for r in keyed], dtype=np.int64)
    shown = [_local(r[0]) for r in keyed] if from_files else [None] * len(keyed)
    src = Origin(shown, sizes, from_files)
    if not from_files:
        src.notes.append("rows are numbered in the DataFrame's partition order (it was not "
                         "read from files)")
    return base, src


def _known_files(base: Any, spark: Any, names: dict) -> tuple[Any, Origin]:
    """Source order from the files seqprep listed (no counting job: the footers said)."""
    from pyspark.sql import functions as F

    files = sorted(names)
    index = spark.createDataFrame([(f, i) for i, f in enumerate(files)],
                                  "__path string, __fi int")
    path = F.url_decode(F.regexp_replace(F.col("__file"), "^file:(//)?", ""))
    base = base.withColumn("__path", path).join(F.broadcast(index), "__path", "left")
    sizes = np.array([names[f][1] for f in files], dtype=np.int64)
    return base.drop("__path"), Origin([names[f][0] for f in files], sizes, True)


def _q(name: Any) -> str:
    """A column name quoted for Spark (dots and spaces allowed)."""
    return "`" + str(name).replace("`", "``") + "`"


# ------------------------------------------------------------------ the time column


def _time_column(sdf: Any, schema: Any, arrow: dict) -> tuple[TimeColumn, Any]:
    """``(time column, micros)``: ``micros`` is the microseconds expression of a timestamp
    column (to show its times beyond pandas' range as pandas does), else None."""
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    from ._failures import failure_frame

    name = schema.time
    dtype = sdf.schema[str(name)].dataType
    c = F.col(_q(name))
    at = arrow.get(str(name))
    import pyarrow as pa

    arrow_ts = at is not None and pa.types.is_timestamp(at)
    arrow_tz = at.tz if at is not None and arrow_ts else None  # the stored zone, if any
    out, micros = TimeColumn(), None
    if isinstance(dtype, T.TimestampType):
        out.kind, out.tz = "datetime", (str(arrow_tz) if arrow_tz else "UTC")
        micros = _in_ns_range(out, c, F.unix_micros(c), _US_RANGE, 1000)
    elif isinstance(dtype, T.TimestampNTZType):
        out.kind = "datetime"
        micros = _in_ns_range(out, c, _ntz_micros(c), _US_RANGE, 1000)
    elif isinstance(dtype, T.LongType) and arrow_ts:  # nanoseconds, read as longs
        out.kind, out.tz, out.expr = "datetime", (str(arrow_tz) if arrow_tz else None), c
    elif isinstance(dtype, T.DateType):
        out.kind = "datetime"
        _in_ns_range(out, c, F.unix_date(c).cast("long"), _DAY_RANGE, _DAY_NS)
    elif isinstance(dtype, T.IntegralType):
        out.kind, out.expr = "integer", c.cast("long")
    elif isinstance(dtype, (T.FloatType, T.DoubleType, T.DecimalType)):
        bad = c.isNotNull() & ~F.isnan(c) & ((F.abs(c) == float("inf")) | (c != F.floor(c)))
        if sdf.filter(bad).limit(1).count():
            out.fails.append(failure_frame("dtype", name, None, None, None,
                                           dtype.simpleString()))
            return out, None
        out.kind, out.expr = "integer", F.when(~F.isnan(c), c.cast("long"))
    elif isinstance(dtype, T.StringType):
        _parse_strings(out, c, schema)
    else:
        out.fails.append(failure_frame("dtype", name, None, None, None, dtype.simpleString()))
        return out, None
    apply_policy(out, schema, dtype.simpleString())
    return out, micros


def _in_ns_range(out: TimeColumn, c: Any, raw: Any, bounds: tuple, scale: int) -> Any:
    """Set ``out``'s ns times from ``raw`` (a long of ``scale`` ns) where it lies within
    pandas' nanosecond range; the present values beyond it are ``unparsed``
    (``time_parses``, as in the pandas path) and have no time. Returns ``raw``."""
    from pyspark.sql import functions as F

    inside = raw.between(F.lit(bounds[0]), F.lit(bounds[1]))
    out.expr = F.when(inside, raw * F.lit(scale))
    out.unparsed = c.isNotNull() & ~inside
    return raw


def _parse_strings(out: TimeColumn, c: Any, schema: Any) -> None:
    """Text times: integers under ``time_type='integer'``, else ISO 8601 datetimes."""
    from pyspark.sql import functions as F

    if schema.time_type == "integer":
        f = c.try_cast("double")
        ok = f.isNotNull() & ~F.isnan(f) & (F.abs(f) != float("inf")) & (f == F.floor(f))
        out.kind, out.expr = "integer", F.when(ok, f.cast("long"))
    elif schema.timezone not in (None, "naive"):
        out.kind, out.tz = "datetime", "UTC"  # offsets honoured; text without one is UTC
        out.expr = F.try_multiply(F.unix_micros(c.try_cast("timestamp")), F.lit(1000))
    else:
        out.kind, out.expr = "datetime", _ntz_ns(c.try_cast("timestamp_ntz"))
    out.unparsed = c.isNotNull() & out.expr.isNull()


def _ntz_micros(c: Any) -> Any:
    """Naive timestamps as microseconds since 1970-01-01 (whatever the session time zone)."""
    from pyspark.sql import functions as F

    epoch = F.to_timestamp_ntz(F.lit("1970-01-01 00:00:00"))
    return F.timestamp_diff("MICROSECOND", epoch, c)


def _ntz_ns(c: Any) -> Any:
    """Naive timestamps as ns since 1970-01-01 (null beyond the int64 range)."""
    from pyspark.sql import functions as F

    return F.try_multiply(_ntz_micros(c), F.lit(1000))


def _shown_times(rows: list, sdf: Any, micros: Any, tz: str | None) -> None:
    """Show the times of the collected ``time_parses`` records of a timestamp column (their
    microseconds in ``vl``) as the pandas path does, ``Series.astype(str)`` of the column:
    the date alone when every time of the column is a midnight, fractions of a second to
    the column's finest, in time zone ``tz``. One Spark job, only when there are such rows."""
    from pyspark.sql import functions as F

    bad = [r for r in rows if r["check"] == "time_parses" and r["vl"] is not None]
    if not bad:
        return
    flags = sdf.select(*[F.coalesce(F.max((F.pmod(micros, F.lit(k)) != 0).cast("int")),
                                    F.lit(0)) for k in (_DAY_US, 10**6, 1000)]).first()
    # one witness of each kind found makes pandas choose the same format for the column
    witnesses = [w for w, f in zip((3_600 * 10**6, 1000, 1), flags) if f]
    values = pd.Series(np.array([r["vl"] for r in bad] + witnesses, dtype="datetime64[us]"))
    if tz is not None:
        values = values.dt.tz_localize("UTC").dt.tz_convert(tz)
    for r, text in zip(bad, values.astype(str).tolist()):
        r["vs"] = text


def _wall(t: Any, tz: str | None) -> Any:
    """Local wall-clock ns of UTC ns ``t`` in ``tz`` (``t`` itself without a zone or in UTC)."""
    from pyspark.sql import functions as F

    if tz is None or tz == "UTC":
        return t
    micros = F.floor(t / 1000).cast("long")
    local = F.unix_micros(F.from_utc_timestamp(F.timestamp_micros(micros), tz))
    return local * 1000 + F.pmod(t, F.lit(1000))


# ------------------------------------------------------------------ the step


def _step(frame: Any, schema: Any, tm: TimeColumn, notes: list):
    """The :class:`seqprep._time.Step` to check (inferred by a Spark job without ``freq``)."""
    from ._errors import SchemaError
    from ._time import step as make_step

    if not schema.regular or tm.kind is None or tm.mismatch:
        return None
    if schema.freq is not None:
        # a freq that does not fit the times is a SchemaError, never a skipped check
        # (issue 15 class 2): the one rule, _time.step, as on the pandas path
        return make_step(schema.freq, tm.kind, tm.tz, error=SchemaError)
    found = _infer(frame, tm)
    if found is None:
        return None
    unit = make_step(found, tm.kind, tm.tz, error=SchemaError)
    notes.append(f"regular_freq: step {unit.name} inferred from the most common step "
                 "between rows; pass `freq` to fix it")
    return unit


def _mode(steps: Any, col: str) -> tuple[int, int, int] | None:
    """``(most common positive step, its count, number of steps)`` (ties: the smallest)."""
    from pyspark.sql import functions as F

    hist = steps.filter(F.col(col) > 0).groupBy(col).count()
    top = hist.orderBy(F.desc("count"), F.asc(col)).limit(1).collect()
    if not top:
        return None
    total = hist.agg(F.sum("count")).collect()[0][0]
    return int(top[0][0]), int(top[0][1]), int(total)


def _infer(frame: Any, tm: TimeColumn) -> Any:
    """The most common step in time order within groups, or a named calendar frequency."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from ._time import named_freq, step_name

    wt = Window.partitionBy("__g").orderBy("__t", "__fi", "__fr")
    ok = frame.filter(F.col("__g").isNotNull() & F.col("__t").isNotNull())
    steps = ok.select("__g", "__t", (F.col("__t") - F.lag("__t").over(wt)).alias("d"),
                      (F.col("__w") - F.lag("__w").over(wt)).alias("dw"))
    steps = steps.cache()
    try:
        found = _mode(steps, "d")
        if found is None:
            return None
        if tm.kind == "integer":
            return found[0]
        col = "d"
        if tm.tz not in (None, "UTC"):
            wall = _mode(steps, "dw")
            if wall is not None and wall[0] >= _DAY_NS:
                found, col = wall, "dw"
        common, hits, total = found
        fixed = step_name(common)
        if hits == total:
            return fixed
        return named_freq(_runs(steps, tm), lambda name: _hits(steps, name, tm), fixed, hits)
    finally:
        steps.unpersist()


def _runs(steps: Any, tm: TimeColumn) -> list:
    """Up to 8 runs of 4 consecutive times of the longest group (for pandas' infer_freq)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from ._time import datetimes

    top = steps.groupBy("__g").count().orderBy(F.desc("count")).limit(1).collect()
    if not top:
        return []
    n = int(top[0][1])
    starts = np.unique(np.linspace(0, max(n - 4, 0), num=min(8, max(n - 3, 1))).astype(int))
    keep = sorted({int(s) + k for s in starts for k in range(4)})
    w = Window.partitionBy("__g").orderBy("__t")
    one = steps.filter(F.col("__g") == F.lit(top[0][0]))
    rows = (one.withColumn("__k", F.row_number().over(w) - 1)
            .filter(F.col("__k").isin(keep)).select("__k", "__t").collect())
    t = dict((int(k), int(v)) for k, v in rows)
    return [datetimes(np.array([t[s + k] for k in range(4) if s + k in t]), tm.tz)
            for s in starts]


def _off_grid_udf(unit: Any, tz: str | None):
    """A pandas UDF: True where ``cur`` is not ``prev`` plus one calendar step (rule D2)."""
    from pyspark.sql.functions import pandas_udf

    # pyspark's stub has no overload for the type-hinted decorator form pandas_udf(returnType)
    @pandas_udf("boolean")  # type: ignore[call-overload]
    def off(prev: pd.Series, cur: pd.Series) -> pd.Series:
        from seqprep._time import off_grid

        p = prev.fillna(0).to_numpy(dtype=np.int64)
        c = cur.fillna(0).to_numpy(dtype=np.int64)
        if not len(c):
            return pd.Series([], dtype=bool)
        pairs = np.stack([p, c], axis=1).ravel()
        return pd.Series(off_grid(pairs, unit, tz)[::2])

    return off


def _hits(steps: Any, name: str, tm: TimeColumn) -> int:
    """How many steps the calendar frequency ``name`` explains."""
    from pyspark.sql import functions as F

    from ._time import step as make_step

    # a named (calendar) frequency: datetime times; step() reads no kind as datetime too
    unit = make_step(name, tm.kind if tm.kind is not None else "datetime", tm.tz)
    pairs = steps.filter(F.col("d") > 0).select(
        (F.col("__t") - F.col("d")).alias("p"), F.col("__t").alias("c"))
    if not unit.calendar:
        cur = F.col("dw") if unit.wall else F.col("d")
        return steps.filter((F.col("d") > 0) & (cur == F.lit(int(unit.unit)))).count()
    off = _off_grid_udf(unit, tm.tz)
    return pairs.filter(~off(F.col("p"), F.col("c"))).count()


# ------------------------------------------------------------------ column checks


def _column_type(dtype: Any) -> ColumnType:
    from pyspark.sql import types as T

    return ColumnType(dtype.simpleString(), isinstance(dtype, T.NumericType),
                      isinstance(dtype, (T.FloatType, T.DoubleType)),
                      isinstance(dtype, T.IntegralType))


def _column_checks(sdf: Any, schema: Any) -> tuple[list, list]:
    """``(whole, rows)``: whole-column failures, and the row checks of
    :func:`seqprep._engines.column_rules` as ``(check, column, condition, value slot)``."""
    from pyspark.sql import functions as F

    types = {f.name: _column_type(f.dataType) for f in sdf.schema.fields}
    whole, rules = column_rules(schema, types)
    rows = []
    for check, col, arg, slot in rules:
        c, floating = F.col(_q(col)), types[str(col)].floating
        missing = (c.isNull() | F.isnan(c)) if floating else c.isNull()
        if check == "not_null":
            cond = missing
        elif check == "finite":
            cond = F.abs(c) == float("inf")
        elif check == "in_range":
            lo, hi = arg
            out = F.lit(False)
            out = out if lo is None else out | (c < F.lit(lo))
            cond = ~missing & (out if hi is None else out | (c > F.lit(hi)))
        else:
            cond = ~missing & ~c.isin(arg)
        rows.append((check, col, cond, slot))
    return whole, rows


# ------------------------------------------------------------------ the checks in one pass


_FIELDS = (("check", "string"), ("column", "string"), ("fi", "int"), ("fr", "long"),
           ("t", "long"), ("vd", "double"), ("vl", "long"), ("vs", "string"),
           ("ffi", "int"), ("ffr", "long"))


def _record(check: str, column: Any, cond: Any, **values: Any) -> Any:
    """``(cond, record)``: a failure record (a struct) where ``cond`` holds, else null."""
    from pyspark.sql import functions as F

    given = {"check": F.lit(check), "column": F.lit(None if column is None else str(column)),
             "fi": F.col("__fi"), "fr": F.col("__fr"), "t": F.col("__t"), **values}
    parts = [(given[k] if k in given else F.lit(None)).cast(t).alias(k) for k, t in _FIELDS]
    cond = F.coalesce(cond, F.lit(False))
    return cond, F.when(cond, F.struct(*parts, F.col("__gv").alias("g")))


def _windows(frame: Any, tm: TimeColumn, unit: Any) -> Any:
    """Per row: the last usable time before it in source order (``__ps``), whether the row
    before it had no usable time (``__pb``), the step from the previous time in time order
    (``__d``, on the wall clock ``__wd``), the run start of equal times (``__rfi``/``__rfr``),
    the group's row count (``__cnt``) and whether it is the group's first row (``__first``)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    ws = Window.partitionBy("__g").orderBy("__fi", "__fr")
    wt = Window.partitionBy("__g").orderBy(F.col("__t").asc_nulls_first(), "__fi", "__fr")
    ok = F.col("__g").isNotNull() & F.col("__t").isNotNull()
    frame = frame.withColumns({
        "__ps": F.last(F.when(ok, F.col("__t")), ignorenulls=True).over(
            ws.rowsBetween(Window.unboundedPreceding, -1)),
        "__pb": F.coalesce(F.lag(F.col("__t").isNull()).over(ws), F.lit(False)),
        "__first": F.row_number().over(ws) == 1,
        "__cnt": F.count(F.lit(1)).over(Window.partitionBy("__g")),
        "__pt": F.lag("__t").over(wt),
        "__pw": F.lag("__w").over(wt),
    })
    frame = frame.withColumns({"__d": F.col("__t") - F.col("__pt"),
                               "__wd": F.col("__w") - F.col("__pw")})
    anchor = F.when((F.col("__d") != 0) | F.col("__d").isNull(),
                    F.struct(F.col("__fi").alias("fi"), F.col("__fr").alias("fr")))
    run = F.last(anchor, ignorenulls=True).over(
        wt.rowsBetween(Window.unboundedPreceding, Window.currentRow))
    return frame.withColumn("__run", run)


def _time_records(tm: TimeColumn, unit: Any, schema: Any) -> list:
    """The records of ``increasing_time``, ``unique_time``, ``regular_freq``, ``min_length``."""
    from pyspark.sql import functions as F

    has_g = F.col("__g").isNotNull()
    ok = has_g & F.col("__t").isNotNull()
    t, name = F.col("__t"), schema.time
    recs = []
    if tm.kind is not None:
        recs.append(_record("increasing_time", name, ok & (t < F.col("__ps")),
                            vl=F.col("__ps")))
        recs.append(_record("unique_time", name, ok & (F.col("__d") == 0),
                            ffi=F.col("__run.fi"), ffr=F.col("__run.fr")))
    if unit is not None:
        d = F.col("__wd") if (unit.wall or unit.calendar) else F.col("__d")
        judged = ok & ~F.col("__pb") & (d > 0)
        if unit.calendar:
            off = _off_grid_udf(unit, tm.tz)(F.col("__pt"), t)
            gap = judged & (F.col("__d") > 0) & off
        else:
            gap = judged & (d != F.lit(int(unit.unit)))
        recs.append(_record("regular_freq", name, gap, vl=d))
    if schema.min_length is not None:
        recs.append(_record("min_length", schema.group, has_g & F.col("__first")
                            & (F.col("__cnt") < F.lit(int(schema.min_length))),
                            vl=F.col("__cnt")))
    return recs


def _collect(frame: Any, recs: list, max_failures: int) -> list:
    """The first ``max_failures`` records of each (check, column) in source order, each
    with the total ``n`` of its (check, column)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if not recs:
        return []
    failing = frame.where(functools.reduce(operator.or_, [cond for cond, _ in recs]))
    every = failing.select(F.explode(F.filter(F.array(*[r for _, r in recs]),
                                              lambda r: r.isNotNull())).alias("r"))
    every = every.select("r.*")
    key = Window.partitionBy("check", "column")
    ranked = every.select("*", F.row_number().over(key.orderBy("fi", "fr")).alias("k"),
                          F.count(F.lit(1)).over(key).alias("n"))
    return ranked.filter(F.col("k") <= max_failures).collect()


# ------------------------------------------------------------------ records on the driver


# ------------------------------------------------------------------ entry points


def _unique_columns(sdf: Any) -> tuple[Any, list]:
    """``sdf`` keeping the first of each repeated column name, and the failure for them."""
    from ._failures import failure_frame

    cols = sdf.columns
    dup = sorted({c for c in cols if cols.count(c) > 1})
    if not dup:
        return sdf, []
    seen: set = set()
    renamed = []
    for i, c in enumerate(cols):
        renamed.append(c if c not in seen else f"__dup{i}")
        seen.add(c)
    sdf = sdf.toDF(*renamed).select(*[_q(c) for c in renamed if not c.startswith("__dup")])
    return sdf, [failure_frame("unique_columns", dup, None, None, None, dup)]


def _prepare(sdf: Any, schema: Any, tm: TimeColumn, timed: bool, names: dict) -> tuple:
    """The frame with source order, ``__t`` (time), ``__w`` (wall clock), ``__g`` (group
    key for windows) and ``__gv`` (the group value for records)."""
    from pyspark.sql import functions as F

    base, src = _with_source(sdf, sdf.sparkSession, names)
    grouped = schema.group is not None and str(schema.group) in sdf.columns
    t = tm.expr if (timed and tm.expr is not None) else F.lit(None).cast("long")
    frame = base.withColumns({
        "__t": t,
        "__g": F.col(_q(schema.group)) if grouped else F.lit(0),
        "__gv": F.col(_q(schema.group)) if grouped else F.lit(None).cast("string"),
    })
    w = _wall(F.col("__t"), tm.tz) if tm.kind == "datetime" else F.col("__t")
    return frame.withColumn("__w", w), src


def check_frame(schema: Any, sdf: Any, *, names: dict | None = None,
                max_failures: int = MAX_FAILURES) -> tuple[pd.DataFrame, list, tuple]:
    """``(failures, notes, (rows, columns))`` of Spark DataFrame ``sdf`` under ``schema``.

    ``failures`` are the records of the pandas path (:mod:`seqprep._failures`), sorted
    the same way; at most ``max_failures`` per check and column (see the notes).
    """
    from pyspark.sql import functions as F

    notes: list = []
    sdf, fails = _unique_columns(sdf)
    cols = sdf.columns
    missing = [c for c in (schema.time, schema.group) if c is not None and str(c) not in cols]
    timed = not missing
    if missing:
        notes.append(f"time checks skipped: no column {missing}")
    tm, micros = _time_column(sdf, schema, _arrow_types(sdf)) if timed \
        else (TimeColumn(), None)
    fails += tm.fails
    frame, src = _prepare(sdf, schema, tm, timed, names or {})
    notes += src.notes
    unit = _step(frame, schema, tm, notes) if timed else None
    whole, row_checks = _column_checks(sdf, schema)
    fails += whole
    recs = [_record(check, col, cond, **({slot: F.col(_q(col))} if slot else {}))
            for check, col, cond, slot in row_checks]
    time_recs: list = []
    if timed:
        if tm.unparsed is not None:
            raw = {} if micros is None else {"vl": micros}
            recs.append(_record("time_parses", schema.time, tm.unparsed,
                                vs=F.col(_q(schema.time)).cast("string"), **raw))
        # the windows sort only what the time checks need, not every column
        narrow = _windows(frame.select("__fi", "__fr", "__t", "__w", "__g", "__gv"), tm, unit)
        time_recs = _collect(narrow, _time_records(tm, unit, schema), max_failures)
    collected = [r.asDict() for r in _collect(frame, recs, max_failures) + time_recs]
    if micros is not None:
        _shown_times(collected, sdf, micros, tm.tz)
    slots = {(check, str(col)): slot for check, col, _, slot in row_checks if slot}
    fails += failure_tables(collected, tm, src, slots, schema, max_failures, notes)
    return finish(fails, src, unit), notes, (src.n_rows, len(cols))


def validate_path(path: Any, schema: Any, *, master: str | None = None, spark: Any = None,
                  max_failures: int = MAX_FAILURES) -> tuple[pd.DataFrame, list, tuple]:
    """``(failures, notes, shape)`` of the Parquet file or folder ``path``, checked by Spark.

    Raises
    ------
    ArgumentError
        If ``path`` is not a Parquet file or folder (Spark reads Parquet here; validate CSV
        with the pandas engine).
    """
    require_parquet(path, "Spark")
    spark = spark if spark is not None else spark_session(master)
    sdf, names = read_parquet(path, spark)
    with _quiet():
        return check_frame(schema, sdf, names=names, max_failures=max_failures)
