"""Validate a Parquet file or folder with polars: ``SeriesSchema``'s checks as polars
expressions, on one machine.

The same plan as the Spark engine (:mod:`seqprep._spark`), in polars: the column checks
are expressions; the time-series checks are window expressions over each group, in source
order (files in sorted path order, rows in stored order) for ``increasing_time`` and in
time order (ties in source order) for ``unique_time`` and ``regular_freq``; the step
follows the one time rule (:mod:`seqprep._time`, decision D2), inferred with
:func:`seqprep._time.infer_freq` when the schema has no ``freq``. The failing rows become
the pandas path's records through :mod:`seqprep._engines`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._args import require
from ._engines import (
    ColumnType,
    Origin,
    TimeColumn,
    column_rules,
    failure_tables,
    finish,
    require_parquet,
)

__all__ = ["check_frame", "read_parquet", "validate_path"]

_TIME_CHECKS = ("increasing_time", "unique_time", "regular_freq", "min_length")


def read_parquet(path: Any) -> tuple[Any, Origin]:
    """``(frame, origin)``: the Parquet file or folder ``path`` read by polars.

    Files are listed by seqprep's one rule (:func:`seqprep._parquet.list_files`) and read
    in that order; hive partition columns are kept. A file whose column names repeat is
    read by pyarrow keeping the first of each name (as the pandas path does), the names
    in ``origin.repeated``; the footers are checked first (:func:`_check_fits`).
    """
    pl = require("polars", "polars", "Validating with polars")
    from ._parquet import list_files, open_file

    listing = list_files(path)
    files = list(listing.files)
    metas = [open_file(listing, f).metadata for f in files]
    _check_fits(path, metas)
    names = [m.schema.to_arrow_schema().names for m in metas]
    repeated = sorted({c for ns in names for c in ns if ns.count(c) > 1})
    hive = listing.is_dir and any("=" in f for f in files)
    if hive and repeated:
        from ._errors import ArgumentError

        raise ArgumentError(
            f"A hive folder checked by polars must not repeat column names. Received: "
            f"path={str(path)!r}, whose files repeat {repeated[:5]}. Validate it with the "
            "pandas engine (`--engine pandas`, which reports unique_columns), or rename them.")
    frames = [_read_one(pl, listing, f, ns) for f, ns in zip(files, names)] if not hive \
        else [pl.read_parquet(files, hive_partitioning=True)]
    frame = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    if hive:
        frame = _hive_types(frame, listing, files)
    sizes = np.array([m.num_rows for m in metas], dtype=np.int64)
    stored = max(len(ns) for ns in names) if names else 0
    origin = Origin([listing.name(f) for f in files], sizes, True, repeated=repeated,
                    n_columns=max(stored, frame.width))
    return frame, origin


def _read_one(pl: Any, listing: Any, f: str, names: list) -> Any:
    """One file as a polars frame; repeated column names keep their first column."""
    if len(set(names)) == len(names):
        return pl.read_parquet(f, hive_partitioning=False)
    from ._parquet import open_file

    table = open_file(listing, f).read()
    first = [names.index(c) for c in dict.fromkeys(names)]
    return pl.from_arrow(table.select(first))


def _check_fits(path: Any, metas: list) -> None:
    """Refuse data that the polars engine may not hold in the memory available, judged
    from the Parquet footers (:func:`seqprep._engines.memory_needed`): a refusal, never a
    native abort when an allocation fails."""
    from ._engines import memory_needed
    from ._errors import MemoryBudgetError
    from ._memory import available_memory, format_bytes

    need, free = memory_needed(metas), available_memory()
    if free is not None and need > free:
        rows = sum(int(m.num_rows) for m in metas)
        raise MemoryBudgetError(
            f"The polars engine holds the data in memory: path={str(path)!r} ({rows:,} rows) "
            f"needs about {format_bytes(need)} (from the Parquet footers, uncompressed), more "
            f"than the {format_bytes(free)} available. Validate it streamed with the pandas "
            "engine (`--engine pandas` or `--engine auto`; in Python "
            "`seqprep.validate_parquet`).")


def _hive_types(frame: Any, listing: Any, files: list) -> Any:
    """Partition columns typed as pyarrow infers them (as the pandas path reads them)."""
    import polars as pl

    from ._parquet import partitions

    parts = partitions(listing)
    keys = {k for p in parts.values() for k in p}
    for k in keys:
        values = [p.get(k) for p in parts.values()]
        if all(isinstance(v, str) for v in values if v is not None) and k in frame.columns:
            frame = frame.with_columns(pl.col(k).cast(pl.String))
    return frame


# ------------------------------------------------------------------ the time column


def _time_column(frame: Any, schema: Any) -> TimeColumn:
    """The time column parsed by the one time parser, :func:`seqprep._time.parse_column`,
    on that one column as the pandas path reads it from Parquet (arrow to pandas): the
    same ``time_parses``/``timezone``/``dtype`` records, times beyond pandas' nanosecond
    range reported as ``time_parses`` (never wrapped round to other times)."""
    import polars as pl
    import pyarrow as pa

    from ._failures import failure_frame
    from ._time import parse_column

    name = str(schema.time)
    column = pa.table({name: frame[name].to_arrow()}).to_pandas(date_as_object=False)[name]
    p = parse_column(column, time_type=schema.time_type, timezone=schema.timezone)
    out = TimeColumn(kind=p.kind, tz=p.tz, mismatch=p.mismatch)
    out.fails = [failure_frame(check, schema.time, None, rows, None, value)
                 for check, rows, value in p.problems]
    if p.kind is not None:
        out.expr = pl.Series("__t", p.values, dtype=pl.Int64).scatter(
            np.flatnonzero(~p.valid), None)
        if p.wall is not None:
            out.wall = pl.Series("__w", p.wall, dtype=pl.Int64)
    return out


def _wall(tm: TimeColumn) -> Any:
    """Local wall-clock ns of ``__t`` in the data's zone (``__t`` itself if none, or UTC)."""
    import polars as pl

    t = pl.col("__t")
    if tm.wall is not None:
        return pl.lit(tm.wall)
    if tm.kind != "datetime" or tm.tz in (None, "UTC"):
        return t
    local = pl.from_epoch(t, time_unit="ns").dt.replace_time_zone("UTC") \
        .dt.convert_time_zone(tm.tz).dt.replace_time_zone(None)
    return local.dt.epoch("ns")


# ------------------------------------------------------------------ the checks


def _column_checks(frame: Any, schema: Any) -> tuple[list, list]:
    import polars as pl

    types = {n: ColumnType(str(d), d.is_numeric(), d.is_float(), d.is_integer())
             for n, d in frame.schema.items()}
    whole, rules = column_rules(schema, types)
    rows = []
    for check, col, arg, slot in rules:
        c = pl.col(str(col))
        missing = (c.is_null() | c.is_nan()) if types[str(col)].floating else c.is_null()
        if check == "not_null":
            cond = missing
        elif check == "finite":
            cond = c.is_infinite()
        elif check == "in_range":
            lo, hi = arg
            out = pl.lit(False)
            out = out if lo is None else out | (c < lo)
            cond = ~missing & (out if hi is None else out | (c > hi))
        else:
            cond = ~missing & ~c.is_in(arg)
        rows.append((check, col, cond.fill_null(False), slot))
    return whole, rows


def _ordered(frame: Any) -> Any:
    """The window columns of :func:`seqprep._spark._windows`, computed with polars on the
    narrow frame of row, group and time: groups made contiguous (a stable sort, only if
    they are not), then, within each group, source-order values and time-order steps (a
    second sort only when some group's times go back)."""
    import polars as pl

    narrow = frame.select("__row", "__g", "__gv", "__t", "__w")  # -> (ordered, firsts)
    runs = narrow.select((pl.col("__g").rle_id().max() + 1).alias("runs"),
                         pl.col("__g").n_unique().alias("groups")).row(0)
    if runs[0] is not None and runs[0] != runs[1]:
        narrow = narrow.sort("__g", maintain_order=True, nulls_last=True)
    t, gc = pl.col("__t"), pl.col("__gc")
    same = gc == gc.shift(1)
    ok = pl.col("__g").is_not_null() & t.is_not_null()
    narrow = narrow.with_columns(pl.col("__g").rle_id().alias("__gc"))
    last_t = pl.when(ok).then(t).forward_fill()
    last_g = pl.when(ok).then(gc).forward_fill()
    narrow = narrow.with_columns(
        pl.when(last_g.shift(1) == gc).then(last_t.shift(1)).alias("__ps"),
        (same & t.shift(1).is_null()).fill_null(False).alias("__pb"),
        (~same).fill_null(True).alias("__first"),
    )
    lengths = narrow.select(pl.col("__gc").rle().struct.field("len"))["len"]
    firsts = narrow.filter(pl.col("__first")).with_columns(lengths.alias("__cnt"))
    # time order: needed when a time goes back, or to put rows without a time first
    if narrow.select((ok & (t < pl.col("__ps"))).any() | t.is_null().any()).item():
        narrow = narrow.sort(["__gc", "__t", "__row"], nulls_last=False)
    narrow = narrow.with_columns(
        pl.when(same).then(t - t.shift(1)).alias("__d"),
        pl.when(same).then(t.shift(1)).alias("__pt"),
        pl.when(same).then(pl.col("__w") - pl.col("__w").shift(1)).alias("__wd"))
    anchor = pl.when((pl.col("__d") != 0) | pl.col("__d").is_null()).then(pl.col("__row"))
    return narrow.with_columns(anchor.forward_fill().alias("__run")), firsts


def _step(frame: Any, schema: Any, tm: TimeColumn, notes: list) -> Any:
    """The step to check: the schema's ``freq``, or one :func:`seqprep._time.infer_freq`
    finds in the usable times (in group and time order)."""
    import polars as pl

    from ._errors import SchemaError
    from ._time import infer_freq, step

    if not schema.regular or tm.kind is None or tm.mismatch:
        return None
    local = tm.wall is not None  # a wall clock other than UTC (rule D2)
    if schema.freq is not None:
        # a freq that does not fit the times is a SchemaError, never a skipped check
        # (issue 15 class 2): the one rule, _time.step, as on the pandas path
        return step(schema.freq, tm.kind, tm.tz, error=SchemaError, local=local)
    ok = frame.filter(pl.col("__g").is_not_null() & pl.col("__t").is_not_null())
    tv = ok["__t"].to_numpy()
    codes = ok["__g"].rle_id().to_numpy()
    inner = codes[1:] == codes[:-1]
    bounds = np.concatenate([[0], np.flatnonzero(~inner) + 1, [len(tv)]])
    kind = "number" if tm.kind == "integer" else "datetime"
    found = infer_freq(tv, kind, tm.tz, inner, bounds) if len(tv) > 1 else None
    if found is None:
        return None
    unit = step(found, tm.kind, tm.tz, error=SchemaError, local=local)
    notes.append(f"regular_freq: step {unit.name} inferred from the most common step "
                 "between rows; pass `freq` to fix it")
    return unit


def _time_rules(tm: TimeColumn, unit: Any, schema: Any) -> list:
    """``(check, column, condition, value column)`` of the time-series checks."""
    import polars as pl

    t, name = pl.col("__t"), schema.time
    has_g = pl.col("__g").is_not_null()
    ok = has_g & t.is_not_null()
    rules = []
    if tm.kind is not None:
        rules.append(("increasing_time", name, ok & (t < pl.col("__ps")), "__ps"))
        rules.append(("unique_time", name, ok & (pl.col("__d") == 0), "__run"))
    if unit is not None:
        d = "__wd" if (unit.wall or unit.calendar) else "__d"
        judged = ok & ~pl.col("__pb") & (pl.col(d) > 0)
        if unit.calendar:
            rules.append(("regular_freq", name, judged & (pl.col("__d") > 0), d))
        else:
            rules.append(("regular_freq", name, judged & (pl.col(d) != int(unit.unit)), d))
    if schema.min_length is not None:
        short = has_g & (pl.col("__cnt") < int(schema.min_length))  # on the first rows
        rules.append(("min_length", schema.group, short, "__cnt"))
    return rules


def _off_grid(hit: Any, unit: Any, tm: TimeColumn) -> Any:
    """The calendar candidates that are not one step after the time before them."""
    from ._time import off_grid

    if not len(hit):
        return hit
    pairs = np.stack([hit["__pt"].to_numpy(), hit["__t"].to_numpy()], axis=1).ravel()
    return hit.filter(off_grid(pairs.astype(np.int64), unit, tm.tz)[::2])


def _records(hit: Any, check: str, column: Any, value: str | None, src: Origin,
             max_failures: int) -> list:
    """Record mappings (see :func:`seqprep._engines.failure_tables`) of the failing rows."""
    n = hit.height
    hit = hit.sort("__row").head(max_failures)
    rows = hit["__row"].to_numpy().astype(np.int64)
    offsets = src.offsets
    fi = np.searchsorted(offsets, rows, side="right") - 1
    vals = hit[value].to_list() if value is not None else [None] * hit.height
    if check == "unique_time":
        first = np.asarray(vals, dtype=np.int64)
        ffi = np.searchsorted(offsets, first, side="right") - 1
        extra = [{"ffi": int(a), "ffr": int(b - offsets[a])} for a, b in zip(ffi, first)]
    else:
        extra = [{} for _ in range(hit.height)]
    slot = "vl" if check in ("increasing_time", "regular_freq", "min_length") else None
    out = []
    for k, (r, f, t, g, v, more) in enumerate(zip(rows, fi, hit["__t"].to_list(),
                                                  hit["__gv"].to_list(), vals, extra)):
        rec = {"check": check, "column": None if column is None else str(column),
               "fi": int(f), "fr": int(r - offsets[f]), "t": t, "g": g, "k": k, "n": n,
               "vd": v, "vl": v, "vs": v, "ffi": None, "ffr": None, **more}
        if slot is not None:
            rec["vl"] = v
        out.append(rec)
    return out


def _hits(on: Any, rules: list) -> list:
    """``(rule, failing rows)`` of each rule, all conditions evaluated in one pass."""
    import polars as pl

    if not rules:
        return []
    flags = [f"__c{i}" for i in range(len(rules))]
    sub = on.with_columns(*[r[2].fill_null(False).alias(f) for r, f in zip(rules, flags)])
    sub = sub.filter(pl.any_horizontal(*flags))
    return [(r, sub.filter(pl.col(f))) for r, f in zip(rules, flags)]


def check_frame(schema: Any, frame: Any, origin: Origin, *,
                max_failures: int = 1000) -> tuple[Any, list, tuple]:
    """``(failures, notes, (rows, columns))`` of polars DataFrame ``frame`` under ``schema``."""
    import polars as pl

    from ._failures import failure_frame

    notes: list = []
    cols = frame.columns
    missing = [c for c in (schema.time, schema.group) if c is not None and str(c) not in cols]
    if missing:
        notes.append(f"time checks skipped: no column {missing}")
    tm = _time_column(frame, schema) if not missing else TimeColumn()
    fails = list(tm.fails)
    if origin.repeated:
        fails.insert(0, failure_frame("unique_columns", list(origin.repeated), None, None, None,
                                      list(origin.repeated)))
    grouped = schema.group is not None and str(schema.group) in cols
    frame = frame.with_row_index("__row").with_columns(
        (tm.expr if tm.expr is not None else pl.lit(None, pl.Int64)).alias("__t"),
        (pl.col(str(schema.group)) if grouped else pl.lit(0)).alias("__g"),
        (pl.col(str(schema.group)) if grouped else pl.lit(None)).alias("__gv"))
    frame = frame.with_columns(_wall(tm).alias("__w"))
    whole, col_rules = _column_checks(frame, schema)
    fails += whole
    rules = [(check, col, cond, str(col) if slot else None)
             for check, col, cond, slot in col_rules]
    unit, time_rules = None, []
    if not missing:
        if tm.unparsed is not None:
            rules.append(("time_parses", schema.time, tm.unparsed, str(schema.time)))
        ordered, firsts = _ordered(frame)
        unit = _step(ordered, schema, tm, notes)
        time_rules = _time_rules(tm, unit, schema)
    collected = []
    hits = _hits(frame, rules)
    if time_rules:
        hits += _hits(ordered, [r for r in time_rules if r[0] != "min_length"])
        hits += _hits(firsts, [r for r in time_rules if r[0] == "min_length"])
    for (check, column, _, value), hit in hits:
        if check == "regular_freq" and unit is not None and unit.calendar:
            hit = _off_grid(hit, unit, tm)
        if hit.height:
            collected += _records(hit, check, column, value, origin, max_failures)
    slots = {(check, str(col)): slot for check, col, _, slot in col_rules if slot}
    fails += failure_tables(collected, tm, origin, slots, schema, max_failures, notes)
    width = len(cols) if origin.n_columns is None else origin.n_columns
    return finish(fails, origin, unit), notes, (origin.n_rows, width)


def validate_path(path: Any, schema: Any, *,
                  max_failures: int = 1000) -> tuple[Any, list, tuple]:
    """``(failures, notes, shape)`` of the Parquet file or folder ``path``, checked by polars."""
    pl = require("polars", "polars", "Validating with polars")

    from ._errors import DataError

    require_parquet(path, "polars")
    try:
        frame, origin = read_parquet(path)
        return check_frame(schema, frame, origin, max_failures=max_failures)
    except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as exc:
        why = " ".join(str(exc).split())[:200]
        raise DataError(
            f"The polars engine could not check path={str(path)!r} ({type(exc).__name__}: "
            f"{why}). Validate it with the pandas engine (`--engine pandas`; in Python "
            "`seqprep.validate_parquet`).") from None
